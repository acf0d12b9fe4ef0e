# mistake: gamma and beta leaves made once in __init__: forward never sees the values set_param puts into self.param
class MyBatchNorm(Layer):
    """Batch normalization of the n features (columns) of its input, as a dp layer."""

    def __init__(self, n, name, momentum=0.1, epsilon=1e-5):
        super().__init__(name)
        self.n = n
        self.momentum = momentum
        self.epsilon = epsilon
        self.gamma_name = name + "_gamma"
        self.beta_name = name + "_beta"
        self.mean_name = name + "_running_mean"
        self.var_name = name + "_running_var"
        self.param[self.gamma_name] = np.ones((1, n))
        self.param[self.beta_name] = np.zeros((1, n))
        self.state[self.mean_name] = np.zeros((1, n))
        self.state[self.var_name] = np.ones((1, n))

        self.gamma = Node(self.param[self.gamma_name], self.gamma_name)
        self.beta = Node(self.param[self.beta_name], self.beta_name)

    def forward(self, x):
        """x: a Node (m, n). Returns gamma * x_hat + beta, a Node (m, n)."""
        gamma, beta = self.gamma, self.beta
        if self.training:
            out, mean, var = batchnorm_forward(x, gamma, beta, self.epsilon)
            m, p = x.shape[0], self.momentum
            self.state[self.mean_name] = (1 - p) * self.state[self.mean_name] + p * mean
            self.state[self.var_name] = (1 - p) * self.state[self.var_name] + p * var * m / (m - 1)
            return out
        x_hat = (x - self.state[self.mean_name]) / np.sqrt(self.state[self.var_name] + self.epsilon)
        return gamma * x_hat + beta
