"""Safe changes to shared files: an exclusive lock on a file in a folder (flock), so two
processes never change one index, one corpus manifest or the vector cache at the same time (the
second waits for the first to finish), and `atomic_write`, so a reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a temp file beside it, flushed to disk, then renamed
    over it (a process killed midway leaves the old file, never a torn one)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class FolderLock:
    """`with FolderLock(folder / ".lock"):` holds the lock; `on_wait` is called once if another
    process holds it, so the user learns why nothing moves. Given a folder itself, it locks the
    folder, leaving no file behind (the corpus folder holds only the user's documents)."""

    def __init__(self, path: Path, on_wait: Callable[[], None] | None = None):
        self.path = Path(path)
        self.fd: int | None = None
        self.on_wait = on_wait

    def __enter__(self):
        import fcntl

        if self.path.is_dir():
            self.fd = os.open(self.path, os.O_RDONLY)
        else:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if self.on_wait:
                self.on_wait()
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        import fcntl

        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
