"""The checks of `make doctor` that must run inside the course's environment (.venv).

    .venv/bin/python -m tools.doctor_probe PYPROJECT VARIANT

Prints one JSON list of [status, what, detail, fix] (status "ok", "bad" or
"warn") on stdout; tools.doctor prints them. Every check catches its own
failure, so one broken piece never hides the others. Offline and read-only:
data is only looked up (dp.datasets.find_mnist), never downloaded.
"""

import json
import sys
import tomllib
from importlib import metadata
from pathlib import Path


def _check(results, what, fix, function):
    try:
        status, detail = function()
    except Exception as error:  # a check that crashes is a red line, not a traceback
        status, detail = "bad", f"{type(error).__name__}: {error}"
    results.append([status, what, detail, fix if status != "ok" else ""])


def requirements(pyproject):
    """Every requirement of the project and its extras, except the project's own extras."""
    project = tomllib.loads(Path(pyproject).read_text())["project"]
    listed = list(project["dependencies"])
    for group in project.get("optional-dependencies", {}).values():
        listed += [r for r in group if not r.startswith(project["name"] + "[")]
    return listed


def dependency_checks(results, pyproject):
    from packaging.requirements import Requirement

    for text in requirements(pyproject):
        requirement = Requirement(text)
        needs = text[len(requirement.name):].strip()

        def installed(requirement=requirement, needs=needs):
            try:
                version = metadata.version(requirement.name)
            except metadata.PackageNotFoundError:
                return "bad", f"not installed (needs {needs})"
            if requirement.specifier.contains(version, prereleases=True):
                return "ok", f"{version} (needs {needs})"
            return "bad", f"{version} is outside {needs}"

        _check(results, requirement.name, "make env (after make clean-env if it persists)",
               installed)


def nbgrader_extensions():
    from jupyter_core.paths import jupyter_config_path, jupyter_path
    from jupyter_server.extension.config import ExtensionConfigManager

    server = ExtensionConfigManager(read_config_path=jupyter_config_path())
    nbgrader = {name: on for name, on in server.get_jpserver_extensions().items()
                if name.startswith("nbgrader")}
    off = sorted(name for name, on in nbgrader.items() if not on)
    lab = [Path(p) for p in jupyter_path("labextensions")
           if (Path(p) / "@jupyter" / "nbgrader" / "package.json").is_file()]
    disabled = set()
    for folder in jupyter_config_path():
        page = Path(folder) / "labconfig" / "page_config.json"
        if page.is_file():
            listed = json.loads(page.read_text()).get("disabledExtensions", {})
            if isinstance(listed, list):
                listed = dict.fromkeys(listed, True)
            disabled |= {name for name, on in listed.items() if on}
    lab_off = sorted(name for name in disabled if name.startswith("@jupyter/nbgrader"))
    if not nbgrader or off:
        return "bad", f"server extensions disabled or missing: {off or 'all'}"
    if not lab or "@jupyter/nbgrader" in lab_off:
        return "bad", "the JupyterLab extension @jupyter/nbgrader is missing or disabled"
    detail = f"{len(nbgrader)} server extensions and the JupyterLab extension enabled"
    return ("warn", f"{detail}, but these parts are disabled: {lab_off}") if lab_off \
        else ("ok", detail)


def kernel():
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().get_all_specs()
    if "python3" not in specs:
        return "bad", f"no python3 kernel (found: {sorted(specs) or 'none'})"
    metadata.version("ipykernel")
    return "ok", f"python3 ({specs['python3']['resource_dir']})"


def drawing():
    import numpy as np
    import pygraphviz

    from dp import Node, viz

    svg = viz.to_svg(Node(np.ones((1, 1)), "x").exp().sum())
    if "<svg" not in svg:
        return "bad", "the drawing is not SVG"
    return "ok", f"pygraphviz {pygraphviz.__version__} with its own Graphviz (no `dot` needed)"


def data_checks(results, needed):
    from dp import datasets

    for variant in datasets.VARIANTS:
        def found(variant=variant):
            paths = datasets.find_mnist(variant)
            where = ", ".join(sorted({str(path.parent) for path in paths}))
            return "ok", f"verified in {where}"

        title = datasets.TITLES[variant]
        if variant == needed:
            what, fix = f"{title} (needed: DP_MNIST_VARIANT={variant})", (
                f"DP_MNIST_VARIANT={variant} .venv/bin/python -m tools.setup_data "
                f"(downloads it; offline it says the other ways)")
            if variant == "digits":
                fix += "; or set DP_MNIST_VARIANT=fashion to use Fashion-MNIST"
        else:
            what, fix = f"{title} (not needed now)", (
                f".venv/bin/python -m dp.datasets {variant} when online")
        before = len(results)
        _check(results, what, fix, found)
        if results[before][0] == "bad":
            results[before][2] = "no verified copy on this machine"
            if variant != needed:
                results[before][0] = "warn"


def main(argv):
    pyproject, needed = argv
    results = []
    dependency_checks(results, pyproject)
    _check(results, "nbgrader extensions", "make clean-env && make env", nbgrader_extensions)
    _check(results, "Jupyter kernel", "make clean-env && make env", kernel)
    _check(results, "graph drawing", "make env (installs pygraphviz, which contains Graphviz)",
           drawing)
    data_checks(results, needed)
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
