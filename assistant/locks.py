"""An exclusive lock on a file in a folder (flock), so two processes never change one index or
one corpus manifest at the same time: the second waits for the first to finish."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


class FolderLock:
    """`with FolderLock(folder / ".lock"):` holds the lock; `on_wait` is called once if another
    process holds it, so the user learns why nothing moves."""

    def __init__(self, path: Path, on_wait: Callable[[], None] | None = None):
        self.path = Path(path)
        self.fh = None
        self.on_wait = on_wait

    def __enter__(self):
        import fcntl

        self.fh = self.path.open("a+")
        try:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if self.on_wait:
                self.on_wait()
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        import fcntl

        fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
        self.fh.close()
