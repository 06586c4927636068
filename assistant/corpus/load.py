"""Load a source file (text, Markdown or PDF) into numbered lines, keeping PDF page numbers.

Every way a file can be unusable ends in one `SourceFileError` that names the file, says what
is wrong in Norwegian and what to do; nothing here writes anywhere.
"""

from __future__ import annotations

import stat
from pathlib import Path

from assistant.corpus.budget import MAX_LINES, MAX_TEXT_CHARS
from assistant.corpus.pdf import read_pdf
from assistant.errors import SourceFileError
from assistant.models import SourceLine

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES
MAX_FILE_BYTES = 50 * 1024 * 1024


def load_source(path: Path, encoding: str | None = None, password: str | None = None) -> list[SourceLine]:
    """Read `path` into lines. `encoding` forces a text encoding (e.g. cp1252); `password`
    opens an encrypted PDF."""
    path = Path(path)
    check_readable(path)
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return _load_pdf(path, password)
    if suffix in TEXT_SUFFIXES:
        return _split_lines(decode_text(path, path.read_bytes(), encoding), page=None)
    raise SourceFileError(
        path,
        f"Filtypen «{path.suffix or '(ingen)'}» støttes ikke.",
        "Bruk PDF, .txt eller .md.",
    )


def check_readable(path: Path) -> None:
    if not path.exists():
        raise SourceFileError(path, "Filen finnes ikke.", "Sjekk navnet og stien.")
    if path.is_dir():
        raise SourceFileError(path, "Dette er en mappe, ikke en fil.", "Oppgi filene i mappen enkeltvis.")
    try:
        info = path.stat()
        size = info.st_size
        if not stat.S_ISREG(info.st_mode):  # a pipe or a device (/dev/zero) would hang or never end
            raise SourceFileError(path, "Dette er ikke en vanlig fil (men en pipe, en enhet eller lignende).",
                                  "Lagre innholdet som en fil og legg den til.")
        with path.open("rb"):
            pass
    except PermissionError:
        raise SourceFileError(path, "Mangler tilgang til å lese filen.", "Sjekk filrettighetene.") from None
    except OSError as exc:
        raise SourceFileError(path, f"Kan ikke lese filen ({exc.strerror}).", "Sjekk filen og prøv igjen.") from None
    if size == 0:
        raise SourceFileError(path, "Filen er tom.", "Velg en fil med innhold.")
    if size > MAX_FILE_BYTES:
        raise SourceFileError(
            path,
            f"Filen er for stor ({size // (1024 * 1024)} MB; grensen er {MAX_FILE_BYTES // (1024 * 1024)} MB).",
            "Del den opp i mindre filer.",
        )


def decode_text(path: Path, data: bytes, encoding: str | None = None) -> str:
    """Decode text strictly: UTF-8 (with or without BOM) unless an encoding is given.

    A UTF-16 byte-order mark (Windows Notepad's "Unicode") is honoured: such a file is full of
    NUL bytes but is text all the same."""
    if encoding is None and data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        encoding = "utf-32"  # checked first: a UTF-32 mark begins like a UTF-16 one
    elif encoding is None and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    if encoding:
        try:
            # rot13, base64 or zlib are codecs Python knows, but not text encodings: decoding one
            # byte asks ("'rot13' is not a text encoding").
            b"a".decode(encoding)
        except UnicodeDecodeError:  # a text encoding, one byte being too short for it (UTF-16)
            pass
        except (LookupError, TypeError):
            raise SourceFileError(path, f"Ukjent tegnsett «{encoding}».", "Bruk for eksempel utf-8, cp1252, latin-1 eller utf-16.") from None
    wide = bool(encoding) and encoding.lower().replace("-", "").replace("_", "").startswith(("utf16", "utf32"))
    if not wide and (b"\x00" in data[:8192] or _looks_binary(data[:8192])):
        if _looks_utf16(data[:8192]):
            raise SourceFileError(path, "Filen ser ut til å være UTF-16-tekst uten byte-rekkefølgemerke.",
                                  "Legg den til med --encoding utf-16-le (eller utf-16-be).")
        raise SourceFileError(
            path, "Filen ser ut til å være binær, ikke tekst.", "Kontroller at det er riktig fil (PDF, .txt eller .md)."
        )
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise SourceFileError(path, f"Filen kan ikke leses som {encoding}.", "Oppgi riktig tegnsett med --encoding.") from None
        if "\x00" in text:  # decoded with the wrong width: not text in that encoding
            raise SourceFileError(path, f"Filen gir ikke lesbar tekst som {encoding}.", "Oppgi riktig tegnsett med --encoding.")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SourceFileError(
                path,
                "Filen er ikke UTF-8 (trolig latin-1 eller Windows-1252).",
                "Lagre den som UTF-8, eller legg den til med --encoding cp1252.",
            ) from None
    if len(text) > MAX_TEXT_CHARS:
        raise SourceFileError(path, "Filen har for mye tekst.", "Del den opp i mindre filer.")
    # Counted before the lines are made: ten million short lines would take gigabytes.
    if text.count("\n") + text.count("\r") - text.count("\r\n") >= MAX_LINES:
        raise SourceFileError(path, f"Filen har for mange linjer (grensen er {MAX_LINES:,}).".replace(",", " "),
                              "Del den opp i mindre filer.")
    if not text.strip():
        raise SourceFileError(path, "Filen inneholder ingen tekst.", "Velg en fil med innhold.")
    return text


def _looks_utf16(sample: bytes) -> bool:
    """Latin text in UTF-16 without a mark: every other byte is NUL, the rest mostly not."""
    even, odd = sample[0::2], sample[1::2]
    if len(sample) < 16:
        return False
    share = [part.count(0) / len(part) for part in (even, odd)]
    return max(share) > 0.4 and min(share) < 0.05


def _looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control / len(sample) > 0.05


def _split_lines(text: str, page: int | None, first_line: int = 1) -> list[SourceLine]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [SourceLine(t, first_line + i, page) for i, t in enumerate(text.split("\n"))]


def _load_pdf(path: Path, password: str | None) -> list[SourceLine]:
    lines: list[SourceLine] = []
    for number, text in read_pdf(path, password, MAX_TEXT_CHARS, MAX_LINES):
        lines.extend(_split_lines(text, page=number, first_line=len(lines) + 1))
    return lines
