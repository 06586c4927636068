"""Every error a user can meet, defined once.

Each error carries a Norwegian message that names the file or the problem and says what to do.
The CLI prints `message` on one line and exits with `exit_code`; the TUI shows it as a
notification. No surface ever shows a traceback for these.
"""

from __future__ import annotations

import errno
from pathlib import Path


class AvtaleError(Exception):
    """Base class: a problem the user can understand and act on."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UsageError(AvtaleError):
    exit_code = 2


class SourceFileError(AvtaleError):
    """A document that cannot be read or added (corrupt, encrypted, image-only, binary...)."""

    exit_code = 3

    def __init__(self, path: Path | str, problem: str, remedy: str):
        self.path = Path(path)
        self.problem = problem
        self.remedy = remedy
        super().__init__(f"{self.path}: {problem} {remedy}")


class ManifestError(AvtaleError):
    exit_code = 3


class IndexError_(AvtaleError):
    """The search index is missing, damaged or cannot be written."""

    exit_code = 4


class EncoderUnavailable(AvtaleError):
    """No embedding model can run here; search falls back to lexical only."""

    exit_code = 5


class ReferenceNotFound(AvtaleError):
    exit_code = 6

    def __init__(self, reference: str, suggestions: list[str], hint: str = ""):
        self.reference = reference
        self.suggestions = suggestions
        if suggestions:
            hint = "Mente du: " + "; ".join(f"«{s}»" for s in suggestions) + "?"
        elif not hint:  # nothing close enough to suggest: how references are written instead
            hint = ("Skriv f.eks. «Retningslinje 2 4.1», «del 1 § 8» eller «rl2:4.1.3»; «avtale corpus» viser "
                    "dokumentene, og «avtale ask» søker i teksten.")
        super().__init__(f"Fant ingen seksjon for «{reference}». {hint}")


_OS_WORDS = {
    errno.ENOSPC: "disken er full", errno.EDQUOT: "diskkvoten er brukt opp", errno.EFBIG: "filen ble for stor",
    errno.EACCES: "mangler skrivetilgang", errno.EPERM: "mangler tilgang", errno.EROFS: "filsystemet er skrivebeskyttet",
    errno.EIO: "lese- eller skrivefeil på disken", errno.ENOTDIR: "en del av stien er ikke en mappe",
    errno.EISDIR: "en mappe står der en fil skal være", errno.ENAMETOOLONG: "filnavnet er for langt",
}


def os_error_text(exc: OSError) -> str:
    """What a failed read or write means, in Norwegian, with the system's own words after it
    ("disken er full: No space left on device"). numpy reports a write the disk cut short
    without an error number; that is named as what it almost always is."""
    words = _OS_WORDS.get(exc.errno)
    if words:
        return f"{words}: {exc.strerror}" if exc.strerror else words
    if exc.errno is None:
        return "skrivingen stoppet før alt var skrevet (trolig full disk)"
    return exc.strerror or str(exc)
