"""One error type for the command line: ``ToolError``, a message and an exit status.

A function anywhere in tools/ that meets something the user must fix (a missing
folder, an unknown assignment, a machine that cannot run the hub) raises
``ToolError("what is wrong; what to do", exit_code)``. It does not print and it
does not exit: each tool's ``main`` is wrapped in :func:`main_reports_errors`,
which prints the message once, as ``error: <message>`` on stderr, and returns the
exit status, as click does with its ``ClickException``. Exit statuses: 1 for
"cannot do it", 2 for a usage error (the arguments), as argparse does.

It subclasses ``SystemExit`` for one reason: a ``main`` that does not catch it
(yet) still ends with the message printed once and exit status 1, never with a
traceback; and ``except Exception`` in library code does not swallow it.
"""

from __future__ import annotations

import functools
import sys

__all__ = ["ToolError", "USAGE", "main_reports_errors"]

USAGE = 2  # the exit status of a usage error, as argparse's


class ToolError(SystemExit):
    """Something the user must fix, said in one message, with the tool's exit status.

    Args:
        message: what is wrong and what to do, without the ``error:`` prefix.
        exit_code: the exit status of the tool (1, or USAGE for wrong arguments).
    """

    def __init__(self, message: str, exit_code: int = 1):
        # SystemExit's argument is what Python prints when no main catches it.
        super().__init__(f"error: {message}")
        self.message = message
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        """Print ``error: <message>`` (to stderr)."""
        print(f"error: {self.message}", file=file or sys.stderr)


def main_reports_errors(main):
    """Wrap a tool's ``main(argv) -> int``: a ToolError is printed once and becomes its status."""

    @functools.wraps(main)
    def wrapper(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except ToolError as error:
            error.show()
            return error.exit_code

    return wrapper
