"""The role switch of config/ (issue 21): what Jupyter itself resolves from it, per role.

Resolved in-process with the same functions the lab server uses at start
(jupyter_server's extension discovery, jupyterlab_server's page config and settings
overrides), with the user's own Jupyter config dir replaced by an empty one. The
browser test (test_lab_browser.py) shows the student's lab really lacks the tools.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tools.lab import config_path, lab_environment

ROOT = Path(__file__).resolve().parents[1]
INSTRUCTOR_PLUGINS = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list",
                      "@jupyter/nbgrader:menu"}
INSTRUCTOR_SERVER = {"nbgrader.server_extensions.formgrader",
                     "nbgrader.server_extensions.assignment_list",
                     "nbgrader.server_extensions.course_list"}
VALIDATE_PLUGIN = "@jupyter/nbgrader:validate-assignment"
VALIDATE_SERVER = "nbgrader.server_extensions.validate_assignment"
APP_SETTINGS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings"


def _resolved(monkeypatch, tmp_path, role):
    """(enabled server extensions, disabled lab plugins, settings overrides) for ``role``."""
    from jupyter_core.paths import jupyter_config_path, jupyter_path
    from jupyter_server.extension.config import ExtensionConfigManager
    from jupyterlab_server.config import get_page_config
    from jupyterlab_server.settings_utils import _get_overrides

    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "user-config"))
    monkeypatch.delenv("JUPYTER_CONFIG_PATH", raising=False)
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", lab_environment(ROOT, role)["JUPYTER_CONFIG_PATH"])
    manager = ExtensionConfigManager(read_config_path=jupyter_config_path())
    server = manager.get_jpserver_extensions()
    page = get_page_config(jupyter_path("labextensions"), str(APP_SETTINGS))
    overrides, error = _get_overrides(str(APP_SETTINGS))
    assert not error, error
    return {name for name, on in server.items() if on}, set(page["disabledExtensions"]), overrides


def _nbgrader_lab_bundle() -> str:
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("labextensions"):
        static = Path(folder) / "@jupyter" / "nbgrader" / "static"
        if static.is_dir():
            return "\n".join(p.read_text(errors="replace") for p in static.glob("*.js"))
    pytest.fail("nbgrader's JupyterLab extension is not installed (pip install -e '.[course]')")


def test_the_switched_names_exist_in_the_installed_nbgrader():
    """A renamed plugin or module would be switched off in name only."""
    bundle = _nbgrader_lab_bundle()
    for plugin in INSTRUCTOR_PLUGINS | {VALIDATE_PLUGIN}:
        assert f'"{plugin}"' in bundle, f"nbgrader's lab extension has no plugin {plugin}"
    for module in INSTRUCTOR_SERVER | {VALIDATE_SERVER}:
        assert importlib.util.find_spec(module) is not None, f"no server extension {module}"


def test_students_get_validate_and_no_instructor_tool(monkeypatch, tmp_path):
    enabled, disabled, overrides = _resolved(monkeypatch, tmp_path, "student")
    assert disabled >= INSTRUCTOR_PLUGINS and VALIDATE_PLUGIN not in disabled
    assert not enabled & INSTRUCTOR_SERVER
    assert VALIDATE_SERVER in enabled and "jupyterlab" in enabled
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == "Markdown Preview"


def test_instructors_get_every_nbgrader_tool(monkeypatch, tmp_path):
    enabled, disabled, overrides = _resolved(monkeypatch, tmp_path, "instructor")
    assert not disabled & (INSTRUCTOR_PLUGINS | {VALIDATE_PLUGIN}), disabled
    assert enabled >= INSTRUCTOR_SERVER | {VALIDATE_SERVER, "jupyterlab"}
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == "Markdown Preview"


def test_an_unknown_role_is_refused_with_the_known_ones():
    with pytest.raises(SystemExit, match="unknown role 'teacher'.*student, instructor"):
        config_path(ROOT, "teacher")


def test_the_users_config_path_is_kept_after_the_courses(monkeypatch):
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "/somewhere/else")
    path = lab_environment(ROOT, "student")["JUPYTER_CONFIG_PATH"].split(":")
    assert path == [str(ROOT / "config/lab/student"), str(ROOT / "config/lab"), "/somewhere/else"]
