"""Keep each file's tests on one xdist worker unless they say otherwise; mark notebooks.

`make test` runs with `--dist loadgroup`: tests marked `xdist_group` are
scheduled by group, and every other test on its own. A notebook's cells must run
in order in one kernel (nbval), and a module's fixtures are best built once, so
each unmarked test is put in the group of its file. The slow grading proofs carry
their own groups, one per assignment and check, and so spread over the workers.

Every cell that nbval collects from a notebook is marked ``notebook`` (pyproject.toml
lists the markers), so ``-m "not notebook"`` leaves them out like the other slow groups.
"""

import pytest


@pytest.hookimpl(tryfirst=True)  # before xdist turns marks into node ids
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebook)
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(name=item.nodeid.split("::")[0]))
