# mistake: eval mode divides by sqrt(running_var) without epsilon (invisible when epsilon is 1e-5 and the variance about 1)
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

    def forward(self, x):
        gamma = Node(self.param[self.gamma_name], self.gamma_name)
        beta = Node(self.param[self.beta_name], self.beta_name)
        if self.training:
            out, mean, var = batchnorm_forward(x, gamma, beta, self.epsilon)
            m, p = x.shape[0], self.momentum
            self.state[self.mean_name] = (1 - p) * self.state[self.mean_name] + p * mean
            self.state[self.var_name] = (1 - p) * self.state[self.var_name] + p * var * m / (m - 1)
            return out
        x_hat = (x - self.state[self.mean_name]) / np.sqrt(self.state[self.var_name])
        return gamma * x_hat + beta
