"""JupyterHub 6 configuration for one course server (``make hub``; tools/README.md).

Everything specific to one hub (folders, groups, ports) comes from the settings file
that ``python -m tools.hub up`` writes and names in ``DP_HUB_SETTINGS``:

* users log in with their Unix password (PAM); only members of the course's
  instructors and students groups are allowed;
* every user's server is a JupyterLab started as that Unix user by
  ``LocalProcessSpawner``, from the course environment (``<base>/env``: dp, nbgrader
  and its JupyterLab extensions);
* students start in their home folder and get their assignments from the
  Assignments tab (nbgrader's filesystem exchange); the formgrader, course list and
  "create assignment" tools are turned off for them;
* instructors start in the course root (``<base>/course``, owned by their group),
  where nbgrader finds ``nbgrader_config.py`` and the formgrader works; what they
  create there is group-writable (umask 007 in the setgid course root), so a second
  instructor (a teaching assistant) grades beside the first;
* grading runs in the ``grading`` service (``hub/dp_grading_service.py``), managed by
  the hub and running as root as the grading sandbox needs; only tokens with the
  custom scope ``custom:grading`` reach it, and only the instructors' role has that.
"""

import grp
import json
import os
import pwd

from jupyterhub.spawner import LocalProcessSpawner

c = get_config()  # noqa: F821 -- injected by JupyterHub

settings = json.loads(open(os.environ["DP_HUB_SETTINGS"]).read())
env_bin = os.path.join(settings["env"], "bin")

# --- Network: loopback unless told otherwise ------------------------------------------
c.JupyterHub.ip = settings["ip"]
c.JupyterHub.port = settings["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
# hub/package.json pins the proxy; the Makefile installs it into hub/node_modules.
c.ConfigurableHTTPProxy.command = [settings["proxy"]]
c.ConfigurableHTTPProxy.pid_file = os.path.join(settings["state"], "proxy.pid")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(settings["state"], "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(settings["state"], "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(settings["state"], "jupyterhub.pid")

# --- Who may log in ---------------------------------------------------------------------
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(settings["instructors"]) | set(settings["students"])
c.Authenticator.admin_users = (
    set()
)  # instructors teach; they do not administer other users' servers

# --- The grading service: instructors ask, root grades ----------------------------------
# A scope of its own that only the instructors' role holds: a student's token (or their
# server's) can never carry it, since a token's scopes are a subset of its owner's.
GRADING_SCOPE = "custom:grading"
# Students: the service grades the token owner's own latest submission, nothing else.
FEEDBACK_SCOPE = "custom:submit-feedback"
STUDENT_SCOPES = [FEEDBACK_SCOPE, "access:services!service=grading"]
c.JupyterHub.custom_scopes = {
    GRADING_SCOPE: {"description": "Ask the course's grading service to grade an assignment."},
    FEEDBACK_SCOPE: {"description": "Ask the course's grading service for feedback on "
                                    "one's own latest submission."},
}
c.JupyterHub.services = [
    {
        "name": "grading",
        "url": f"http://127.0.0.1:{settings['grading_port']}",
        # runs as the hub's user (root): the sandbox gives each notebook a uid of its own
        "command": [os.path.join(env_bin, "python"), "-m", "dp_grading_service"],
        "environment": {"DP_HUB_SETTINGS": os.environ["DP_HUB_SETTINGS"],
                        "PATH": os.pathsep.join([env_bin, "/usr/bin", "/bin"])},
        "cwd": settings["state"],
        "display": False,
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "instructor",
        "description": "Teach the course: ask the grading service to grade",
        "scopes": [GRADING_SCOPE, "access:services!service=grading"],
        "users": settings["instructors"],
    },
    {
        "name": "student",
        "description": "Take the course: feedback on one's own submission at submit time",
        "scopes": STUDENT_SCOPES,
        "users": settings["students"],
    },
]

# A service token for scripts that drive the hub (the end-to-end test); none by default.
if settings.get("admin_token"):
    c.JupyterHub.services.append({"name": "course-admin", "api_token": settings["admin_token"]})
    c.JupyterHub.load_roles.append(
        {
            "name": "course-admin",
            "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"],
            "services": ["course-admin"],
        }
    )


# --- Each user's server -------------------------------------------------------------------
class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that starts instructors in the course root, students at home.

    nbgrader reads ``nbgrader_config.py`` from the server's working directory, and
    the formgrader works only on a course root inside the server's root folder, so an
    instructor's server runs in the course root (LocalProcessSpawner would chdir home).
    """

    def is_instructor(self) -> bool:
        """Member of the instructors' group, as primary group (the demo accounts) or not."""
        group = grp.getgrnam(settings["instructors_group"]).gr_gid
        user = pwd.getpwnam(self.user.name)
        return group in os.getgrouplist(user.pw_name, user.pw_gid)

    def make_preexec_fn(self, name):
        setuid = super().make_preexec_fn(name)
        workdir = settings["course"] if self.is_instructor() else None

        def preexec():
            setuid()
            if workdir:
                os.chdir(workdir)
                # Everything an instructor's server, kernels and terminals create is
                # group-writable; the course root's setgid folders give it the group.
                os.umask(0o007)

        return preexec

    def start(self):
        role = "instructors" if self.is_instructor() else "students"
        self.notebook_dir = settings["course"] if role == "instructors" else "~"
        self.environment = {
            "PATH": os.pathsep.join([env_bin, "/usr/local/bin", "/usr/bin", "/bin"]),
            # Role-specific Jupyter config (which nbgrader tools are on) before the
            # environment's own (exchange, course id): see tools/hub.py.
            "JUPYTER_CONFIG_PATH": os.path.join(settings["config"], role),
            # One BLAS thread per kernel: many students share a few cores.
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        # where `python -m tools.grading` in an instructor's terminal sends its request,
        # and a student's submit its request for feedback (through the proxy, with the
        # server's token: custom:grading, or custom:submit-feedback)
        self.environment["DP_GRADING_URL"] = (
            f"http://127.0.0.1:{settings['port']}/services/grading/")
        return super().start()


def server_token_scopes(spawner):
    """The scopes of a server's own token ($JUPYTERHUB_API_TOKEN, also its terminals'):
    JupyterHub's defaults, and for instructors the grading service's, for students the
    request for feedback on their own submission. The hub grants only the part the owner
    holds, so listing the instructors' for a student would give nothing."""
    scopes = ["users:activity!user", "access:servers!server"]
    if spawner.user.name in settings["instructors"]:
        scopes += [GRADING_SCOPE, "access:services!service=grading"]
    else:
        scopes += STUDENT_SCOPES
    return scopes


c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.server_token_scopes = server_token_scopes
c.Spawner.cmd = [os.path.join(env_bin, "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.ip = "127.0.0.1"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
