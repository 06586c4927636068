"""An exclusive lock on a file in a folder (flock), so two processes never change one index or
one corpus manifest at the same time: the second waits for the first to finish."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


class FolderLock:
    """`with FolderLock(folder / ".lock"):` holds the lock; `on_wait` is called once if another
    process holds it, so the user learns why nothing moves. Given a folder itself, it locks the
    folder, leaving no file behind (the corpus folder holds only the user's documents)."""

    def __init__(self, path: Path, on_wait: Callable[[], None] | None = None, wait: bool = True):
        self.path = Path(path)
        self.fd: int | None = None
        self.on_wait = on_wait
        self.wait = wait  # False: raise BlockingIOError at once if another process holds it

    def __enter__(self):
        import fcntl

        if self.path.is_dir():
            self.fd = os.open(self.path, os.O_RDONLY)
        else:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not self.wait:
                os.close(self.fd)
                raise
            if self.on_wait:
                self.on_wait()
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        import fcntl

        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
