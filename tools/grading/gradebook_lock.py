"""One gradebook writer at a time across the processes of a parallel ``tools.grading``.

nbgrader keeps its gradebook in SQLite and opens it many times per student, each
time briefly (``with Gradebook(db_url) as gb: ...`` around a few queries), never
while a kernel runs. Several grading processes therefore spend almost all their
time outside the gradebook, and only these short sessions must not overlap.

Why not SQLite's own busy timeout (``sqlite:///gradebook.db?timeout=60``)? It makes
a writer *wait* for a lock, but not in every case. nbgrader's sessions read before
they write. When session A holds a read lock and wants to write while session B
holds the write lock and waits for readers to leave before it commits, waiting
would deadlock, so SQLite returns ``database is locked`` to A at once without
calling the busy handler (sqlite3_busy_handler's documentation describes this case).
A timeout alone therefore still fails now and then, and it is most likely under
load, which is exactly when a class is being graded.

So each process takes an exclusive ``flock`` on ``<gradebook>.lock`` from the moment a
``Gradebook`` is opened until it is closed. The lock is re-entrant within a process
(nbgrader nests sessions: a preprocessor opens one while the converter holds
another; a second ``flock`` on a new file descriptor of the same process would wait
for itself), and the kernel runs outside any session, so grading stays parallel.
The operating system drops the lock when a process dies, so a crashed worker never
blocks the others.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

_state = threading.local()
_installed: dict[str, str] = {}


def _acquire(lock_path: str) -> None:
    depth = getattr(_state, "depth", 0)
    if depth == 0:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o660)
        fcntl.flock(fd, fcntl.LOCK_EX)
        _state.fd = fd
    _state.depth = depth + 1


def _release() -> None:
    depth = getattr(_state, "depth", 0)
    if depth <= 0:
        return
    _state.depth = depth - 1
    if _state.depth == 0:
        fd, _state.fd = _state.fd, None
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def serialize_gradebook_sessions(db_path: Path | str) -> None:
    """Make every ``nbgrader.api.Gradebook`` opened in this process hold the lock of ``db_path``.

    Args:
        db_path: the gradebook's SQLite file; the lock file is ``<db_path>.lock`` beside it.

    Idempotent per process. Call it in each grading process before nbgrader opens the
    gradebook (the parent and the workers alike).
    """
    from nbgrader.api import Gradebook

    lock_path = f"{os.path.abspath(db_path)}.lock"
    if _installed.get("path") == lock_path:
        return
    if not _installed:
        original_init, original_close = Gradebook.__init__, Gradebook.close

        def locked_init(self, *args, **kwargs):
            _acquire(_installed["path"])
            self._dp_locked = True
            try:
                original_init(self, *args, **kwargs)
            except BaseException:
                self._dp_locked = False
                _release()
                raise

        def locked_close(self):
            try:
                original_close(self)
            finally:
                if getattr(self, "_dp_locked", False):
                    self._dp_locked = False
                    _release()

        Gradebook.__init__ = locked_init
        Gradebook.close = locked_close
    _installed["path"] = lock_path
