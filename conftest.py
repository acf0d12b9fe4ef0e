"""Keep each file's tests on one xdist worker unless they say otherwise; mark notebooks.

`make test` runs with `--dist loadgroup`: tests marked `xdist_group` are
scheduled by group, and every other test on its own. A notebook's cells must run
in order in one kernel (nbval), and a module's fixtures are best built once, so
each unmarked test is put in the group of its file. The slow grading proofs carry
their own groups, one per assignment and check, and so spread over the workers.

Every cell that nbval collects from a notebook is marked ``notebook`` (pyproject.toml
lists the markers), so ``-m "not notebook"`` leaves them out like the other slow groups.

Groups are handed to the workers longest first (the slow run uses
``--no-loadscope-reorder``, since xdist's own order, most tests first, puts the
notebooks, many quick cells each, before the hub and the grading runs, a few
minutes-long tests each, and the run ends waiting on one of those).
"""

import pytest

# The markers of pyproject.toml, by how long one group of them takes (minutes for the hub
# and a graded class, seconds for a notebook).
SLOWEST_FIRST = ("hub", "grading", "site", "browser", "notebook")


@pytest.hookimpl(tryfirst=True)  # before xdist turns marks into node ids
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebook)
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(name=item.nodeid.split("::")[0]))
    # A group's rank is that of its slowest kind of test; the sort is stable, so each
    # group's tests keep their order.
    rank = {}
    for item in items:
        kinds = [i for i, kind in enumerate(SLOWEST_FIRST) if item.get_closest_marker(kind)]
        rank[group_of(item)] = min([rank.get(group_of(item), len(SLOWEST_FIRST)), *kinds])
    items.sort(key=lambda item: rank[group_of(item)])


def group_of(item) -> str:
    mark = item.get_closest_marker("xdist_group")
    return mark.kwargs.get("name") or mark.args[0]
