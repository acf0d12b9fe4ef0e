"""Instructor command-line tools for the course's nbgrader pipeline (see tools/README.md).

Run them from anywhere as modules of the repository, e.g.
``python -m tools.grading 01_scalar_autodiff``; the Makefile's ``release``, ``collect``,
``grade`` and ``validate`` targets wrap them.
"""
