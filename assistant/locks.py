"""Safe changes to shared files: an exclusive lock on a file in a folder (flock), so two
processes never change one index, one corpus manifest or the vector cache at the same time (the
second waits for the first to finish), and `atomic_write`, so a reader never sees half a file."""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a temp file beside it, flushed to disk, then renamed
    over it (a process killed midway leaves the old file, never a torn one). The file keeps
    its mode (a manifest readable by others stays so)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = write_temp(path.parent, data, f".{path.name}.", ".tmp", like=path)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remove_leftover_temps(path: Path) -> None:
    """Remove the temporary files that a writer of `path` (`atomic_write`) killed midway left.
    Call it only holding the lock every writer of `path` holds, so that none is being written."""
    path = Path(path)
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        leftover.unlink(missing_ok=True)


def write_temp(folder: Path, data: bytes, prefix: str, suffix: str = "", like: Path | None = None) -> Path:
    """A new hidden file in `folder` holding `data`, on disk (fsync), with the mode of `like`
    where that exists, else a new file's usual mode (0666 less the umask; mkstemp's 0600 made a
    corpus readable by others unreadable to them). The caller renames it into place; on any
    failure nothing is left."""
    for _ in range(100):
        tmp = Path(folder) / f"{prefix}{secrets.token_hex(6)}{suffix}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))
    try:
        with os.fdopen(fd, "wb") as fh:
            if like is not None and like.exists():
                os.fchmod(fh.fileno(), stat.S_IMODE(like.stat().st_mode))
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


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
