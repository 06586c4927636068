"""Read a PDF's text with pypdf, page by page, within a budget, and say in Norwegian what went
wrong when it cannot be read.

pypdf is pure Python, and a small hostile file can keep it busy for hours: a 544 KB PDF whose
3,000 pages all draw one 70 MB content stream, or one page of millions of drawing operations.
So a document is read within a size budget: at most MAX_CONTENT_BYTES of decoded drawing
instructions over all its pages (a stream drawn by several pages counts on each), checked
before a page is read; and, when the caller runs it under `budget.time_limit` (ingest does),
within a time limit that stops pypdf wherever it is. Past either, the document is refused with
a message that says so, never a silent wait.

pypdf's log (English repair notes such as "incorrect startxref pointer") never reaches standard
error: `quiet_pypdf` records it, and the record tells a damaged page from a scanned one.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from assistant.corpus import budget
from assistant.errors import SourceFileError

MAX_PDF_PAGES = 3000
MAX_CONTENT_BYTES = 64 * 1024 * 1024  # a 500-page agreement draws about 1.5 MB
NEW_COPY = "Hent en ny kopi av dokumentet."
RESAVE = ("Lagre den på nytt som PDF (for eksempel med «Skriv ut» til PDF) eller del den opp, og prøv igjen. "
          "Ingenting ble endret.")
# What pypdf needs a missing package for, by a word of its message, and what to do.
_MISSING = {
    "cryptography": ("PDF-en er kryptert med AES, og pakken «cryptography» som trengs for å åpne den, mangler.",
                     "Installer avtale på nytt (pip install --force-reinstall avtale), eller lagre en kopi uten passord."),
    "brotli": ("PDF-en er pakket med Brotli, og pakken «brotli» som trengs for å lese den, mangler.",
               "Lagre den på nytt som PDF med et annet program, eller installer pakken (pip install brotli)."),
}

_LOG: ContextVar[list[str] | None] = ContextVar("pypdf_log", default=None)


class _Recorder(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        messages = _LOG.get()
        if messages is not None:
            messages.append(record.getMessage())


@cache
def _silence_pypdf_log() -> None:
    """Once per process: pypdf's warnings go to our recorder, never to standard error."""
    log = logging.getLogger("pypdf")
    log.addHandler(_Recorder(logging.WARNING))
    log.setLevel(logging.WARNING)
    log.propagate = False


@contextmanager
def quiet_pypdf() -> Iterator[list[str]]:
    """Every use of pypdf runs inside this: what it logs is collected in the list it yields."""
    _silence_pypdf_log()
    messages: list[str] = []
    token = _LOG.set(messages)
    try:
        yield messages
    finally:
        _LOG.reset(token)


def read_pdf(path: Path, password: str | None, max_chars: int = budget.MAX_TEXT_CHARS,
             max_lines: int = budget.MAX_LINES) -> list[tuple[int, str]]:
    """The text of each page, as (page number, text), within the budgets."""
    with quiet_pypdf() as problems:
        return _read(path, password, problems, max_chars, max_lines)


def _read(path: Path, password: str | None, problems: list[str], max_chars: int,
          max_lines: int) -> list[tuple[int, str]]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, LimitReachedError, PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(password or ""):
            raise SourceFileError(
                path,
                "PDF-en er kryptert (passordbeskyttet)." if not password else "Feil passord for PDF-en.",
                "Oppgi passordet med --password, eller lagre en kopi uten passord.",
            )
        n_pages = len(reader.pages)
    except SourceFileError:
        raise
    except DependencyError as exc:
        raise missing_dependency(path, exc) from None
    except LimitReachedError:
        raise _too_much(path, 0) from None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AssertionError, RecursionError) as exc:
        raise SourceFileError(path, f"PDF-en er skadet og kan ikke leses ({type(exc).__name__}).", NEW_COPY) from None
    if n_pages == 0:
        raise SourceFileError(path, "PDF-en har ingen sider.", NEW_COPY)
    if n_pages > MAX_PDF_PAGES:
        raise SourceFileError(path, f"PDF-en har {n_pages} sider; grensen er {MAX_PDF_PAGES}.",
                              "Del dokumentet opp i mindre filer.")
    pages: list[tuple[int, str]] = []
    chars = lines = content = 0
    for number, page in enumerate(reader.pages, start=1):
        budget.note(f"ved side {number}")
        budget.check()
        content += _content_bytes(page)
        if content > MAX_CONTENT_BYTES:
            raise _too_much(path, number)
        try:
            text = page.extract_text() or ""
        except DependencyError as exc:
            raise missing_dependency(path, exc) from None
        except LimitReachedError:
            raise _too_much(path, number) from None
        except Exception as exc:  # pypdf raises many types on damaged content streams
            raise SourceFileError(path, f"Side {number} i PDF-en er skadet ({type(exc).__name__}).", NEW_COPY) from None
        chars += len(text)
        lines += text.count("\n") + 1
        if chars > max_chars or lines > max_lines:
            raise SourceFileError(path, "PDF-en har for mye tekst.", "Del dokumentet opp i mindre filer.")
        pages.append((number, text))
    if not any(text.strip() for _, text in pages):
        raise _no_text(path, reader, problems)
    return pages


def _content_bytes(page) -> int:
    """Decoded size of the page's drawing instructions (0 where they cannot be decoded: reading
    the page then names the damage)."""
    try:
        contents = page.get("/Contents")
        if contents is None:
            return 0
        contents = contents.get_object()
        streams = contents if isinstance(contents, list) else [contents]
        return sum(len(stream.get_object().get_data()) for stream in streams)
    except Exception:  # a damaged stream: extract_text reports it
        return 0


def _too_much(path: Path, page: int) -> SourceFileError:
    where = f" (ved side {page})" if page else ""
    return SourceFileError(
        path, f"PDF-en har for mye tegneinnhold til å leses: over {MAX_CONTENT_BYTES // (1024 * 1024)} MB{where}.",
        RESAVE)


def missing_dependency(path: Path, exc: Exception) -> SourceFileError:
    """pypdf's DependencyError (a package it needs is not installed) named as what it is."""
    message = str(exc)
    for word, (problem, remedy) in _MISSING.items():
        if word in message.lower():
            return SourceFileError(path, problem, remedy)
    return SourceFileError(path, f"PDF-en trenger en programpakke som mangler ({message}).",
                           "Installer pakken, eller lagre PDF-en på nytt med et annet program.")


def _no_text(path: Path, reader, problems: list[str]) -> SourceFileError:
    if problems:  # pypdf could not unpack the pages' content: damage, not a scan
        return SourceFileError(path, "PDF-en er skadet: innholdet på sidene kan ikke pakkes ut.", NEW_COPY)
    if not _has_images(reader):
        return SourceFileError(path, "PDF-en har ingen tekst og ingen bilder (sidene er tomme).",
                               "Kontroller at det er riktig fil.")
    return SourceFileError(path, "PDF-en har ikke noe tekstlag (trolig skannede bilder).",
                           "Kjør tekstgjenkjenning (OCR) på den først, eller bruk en tekstversjon.")


def _has_images(reader) -> bool:
    """True if any page draws an external object (an image, or a form that may hold one: a
    scan), without decoding it."""
    for page in reader.pages:
        try:
            resources = page.get("/Resources") or {}
            if resources.get("/XObject"):
                return True
        except Exception:  # a damaged resource dictionary: say scan, the cautious reading
            return True
    return False


def pdf_title(data: bytes) -> str:
    """The title in the PDF's metadata, on one line, or "" (never an error: it is only a hint)."""
    from pypdf import PdfReader

    with quiet_pypdf():
        try:
            meta = PdfReader(io.BytesIO(data)).metadata
            title = meta.title if meta else None
        except Exception:  # a damaged info dictionary: infer the title from the text instead
            return ""
    return " ".join(str(title).split()) if title else ""


def decrypted_copy(data: bytes, password: str) -> bytes:
    """The PDF without its password (the corpus is read again without it at every build)."""
    from pypdf import PdfReader, PdfWriter

    with quiet_pypdf():
        reader = PdfReader(io.BytesIO(data))  # the bytes already checked, not the file again
        if reader.is_encrypted:
            reader.decrypt(password)  # read_pdf has already checked the password
        buffer = io.BytesIO()
        PdfWriter(clone_from=reader).write(buffer)
    return buffer.getvalue()
