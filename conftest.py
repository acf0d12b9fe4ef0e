"""Keep each file's tests on one xdist worker unless they say otherwise.

`make test` runs with `--dist loadgroup`: tests marked `xdist_group` are
scheduled by group, and every other test on its own. A notebook's cells must run
in order in one kernel (nbval), and a module's fixtures are best built once, so
each unmarked test is put in the group of its file. The slow grading proofs carry
their own groups, one per assignment and check, and so spread over the workers.
"""

import pytest


@pytest.hookimpl(tryfirst=True)  # before xdist turns marks into node ids
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(name=item.nodeid.split("::")[0]))
