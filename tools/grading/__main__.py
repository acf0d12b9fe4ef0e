"""``python -m tools.grading ASSIGNMENT ...``: see :mod:`tools.grading.grade`."""

import sys

from tools.grading.grade import main

sys.exit(main())
