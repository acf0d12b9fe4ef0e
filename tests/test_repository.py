"""The repository's promises: one environment spec, working tools, a lab that serves."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# Conda-forge names for PyPI packages whose names differ.
CONDA_NAME = {"graphviz": "python-graphviz"}
# Conda-only entries with no PyPI counterpart in pyproject.toml.
CONDA_ONLY = {"python", "pip", "graphviz"}


def _split(requirement):
    match = re.fullmatch(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)", requirement.strip())
    assert match, f"cannot parse requirement {requirement!r}"
    return match.group(1).lower(), match.group(3).replace(" ", "")


def _pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for group in project["optional-dependencies"].values():
        requirements += [r for r in group if not r.startswith(project["name"] + "[")]
    return dict(_split(r) for r in requirements)


def _conda_requirements():
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in spec["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict))
    return dict(_split(d) for d in conda), pip


def test_environment_yml_matches_pyproject():
    pyproject = _pyproject_requirements()
    conda, pip = _conda_requirements()
    # Packages conda-forge lacks are listed under pip:, with the same ranges.
    conda.update(_split(p) for p in pip if not p.startswith("-"))
    pip = [p for p in pip if p.startswith("-")]
    expected = {CONDA_NAME.get(name, name): spec for name, spec in pyproject.items()}
    listed = {name: spec for name, spec in conda.items()
              if name not in CONDA_ONLY or name in expected}
    assert listed == expected, (
        "environment.yml and pyproject.toml disagree:\n"
        f"  only in environment.yml: {sorted(set(listed) - set(expected))}\n"
        f"  only in pyproject.toml:  {sorted(set(expected) - set(listed))}\n"
        "  different ranges: "
        f"{sorted(n for n in listed.keys() & expected.keys() if listed[n] != expected[n])}")
    assert pip == ["--editable ."], f"environment.yml should install dp editable, has {pip}"


def test_dp_imports_from_this_checkout():
    out = subprocess.run([sys.executable, "-c", "import dp; print(dp.__file__)"],
                         capture_output=True, text=True, check=True)
    assert Path(out.stdout.strip()).resolve().parent == ROOT / "dp"


@pytest.mark.grading
def test_nbgrader_runs():
    out = subprocess.run([str(BIN / "nbgrader"), "--version"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert re.search(r"\d+\.\d+\.\d+", out.stdout + out.stderr)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.notebook
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_serves_jupyterlab(tmp_path):
    """`make lab` (the README's command) serves /lab on a loopback port."""
    port, token = _free_port(), "dp-course-test"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    lab = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_PORT={port}",
         f"LAB_ARGS=--no-browser --IdentityProvider.token={token}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/lab?token={token}"
        deadline, status, error = time.monotonic() + 90, None, None
        while time.monotonic() < deadline and lab.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    status = response.status
                    body = response.read().decode("utf-8", "replace")
                break
            except OSError as e:
                error = e
                time.sleep(0.5)
        assert status == 200, f"/lab did not answer 200 (last error: {error})"
        assert "JupyterLab" in body or "jupyter-config-data" in body
        # The front page opens the course's index, where students start.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={token}", timeout=10) as front:
            assert front.status == 200
            assert front.url.split("?")[0].endswith("/lab/tree/course/README.md"), front.url
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            output = lab.communicate(timeout=20)[0].decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            output = lab.communicate()[0].decode("utf-8", "replace")
    assert f"127.0.0.1:{port}" in output or f"localhost:{port}" in output, (
        f"the lab command should print its URL; it printed:\n{output[-2000:]}")


def test_published_nn_alias_works_through_the_package():
    """`from dp import nn` must serve the 2019 notebooks' `nn = NeuralNode` uses."""
    import numpy as np
    from dp import Model, Node, nn

    forward, param = nn._ReLu_Layer(3, 1, "relu")
    assert sorted(param) == ["relu_bias", "relu_weight"]
    assert param["relu_weight"].shape == (3, 1) and param["relu_bias"].shape == (1, 1)
    out = forward(Node(np.ones((4, 3))))
    np.testing.assert_allclose(
        out.value, np.maximum(np.ones((4, 3)) @ param["relu_weight"] + param["relu_bias"], 0))
    assert nn.Model is Model
