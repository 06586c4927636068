"""Add documents to the corpus: validate every file completely first (load, clean, structure),
then copy each into the corpus folder and record it in the manifest, atomically. A file that
fails leaves the corpus and the manifest exactly as they were."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from assistant.corpus.clean import clean_lines
from assistant.corpus.documents import file_hash
from assistant.corpus.load import (
    PDF_SUFFIXES,
    SUPPORTED_SUFFIXES,
    check_readable,
    load_source,
)
from assistant.corpus.manifest import (
    DocumentSpec,
    _parse_document,
    append_source,
    load_manifest,
    manifest_path,
    slug,
)
from assistant.corpus.structure import structure_document
from assistant.errors import SourceFileError, UsageError
from assistant.locks import FolderLock

_KIND_WORDS = [
    ("retningslinje", "retningslinje"),
    ("rundskriv", "rundskriv"),
    ("veileder", "veileder"),
    ("samarbeidsavtale", "avtale"),
    ("avtale", "avtale"),
    ("referat", "møtedokument"),
    ("rapport", "rapport"),
    ("forskrift", "forskrift"),
]
_DATE = re.compile(r"\b(\d{1,2}\.\d{1,2}\.(?:19|20)\d{2})\b|\b((?:19|20)\d{2})\b")


@dataclass
class IngestOptions:
    title: str | None = None
    kind: str | None = None
    date: str | None = None
    publisher: str | None = None
    status: str | None = None
    doc_id: str | None = None
    hospital: str | None = None
    national: bool = False
    encoding: str | None = None
    password: str | None = None


@dataclass
class Ingested:
    file: str
    doc_id: str
    title: str
    kind: str
    date: str
    sections: int
    extra: dict = field(default_factory=dict)


def ingest(paths: list[Path], corpus: Path, options: IngestOptions) -> list[Ingested]:
    corpus = Path(corpus)
    if not manifest_path(corpus).exists():
        raise UsageError(f"{corpus}: ingen korpusmappe med manifest.toml. Oppgi riktig mappe med --corpus.")
    if options.doc_id and len(paths) > 1:
        raise UsageError("--id kan bare brukes når du legger til én fil om gangen.")
    # Read the manifest, check, write it: one ingest at a time, or entries added at the same
    # moment by another process are lost.
    with FolderLock(corpus):
        return _ingest(paths, corpus, options)


def _ingest(paths: list[Path], corpus: Path, options: IngestOptions) -> list[Ingested]:
    existing = load_manifest(corpus)
    taken_ids = {d.info.id for e in existing for d in e.documents}
    taken_files = {e.file for e in existing}
    known_hashes = {file_hash(corpus / e.file): e.file for e in existing if (corpus / e.file).is_file()}
    plans = []
    for path in paths:  # every file is checked before any is added
        plan = _plan(Path(path), options, taken_ids, taken_files, known_hashes)
        stray = corpus / plan[1]["file"]
        if stray.exists() and stray.read_bytes() != plan[3]:
            raise SourceFileError(
                path, f"Korpusmappen har alt en annen fil som heter {stray.name}.", "Gi filen et annet navn."
            )
        taken_ids.add(plan[1]["id"])
        taken_files.add(plan[1]["file"])
        known_hashes[_sha256(plan[3])] = plan[1]["file"]
        plans.append(plan)
    return [_commit(corpus, *plan) for plan in plans]


def _plan(path: Path, options: IngestOptions, taken_ids: set, taken_files: set, known_hashes: dict):
    if path.suffix.lower() not in SUPPORTED_SUFFIXES and not path.is_dir():
        raise SourceFileError(path, f"Filtypen «{path.suffix or '(ingen)'}» støttes ikke.", "Bruk PDF, .txt eller .md.")
    check_readable(path)  # before reading a byte: a pipe, a device or a huge file is refused by its stat
    before = _read_again(path)
    lines = load_source(path, encoding=options.encoding, password=options.password)
    raw = _read_again(path)
    if raw is None or raw != before:  # what we store must be exactly what we checked
        raise SourceFileError(
            path, "Filen ble flyttet, slettet eller endret mens den ble lest.",
            "Vent til filen er ferdig lagret eller kopiert, og prøv igjen. Ingenting ble endret.",
        )
    payload = _stored_bytes(path, raw, lines, options)
    for digest in (_sha256(raw), _sha256(payload)):
        if digest in known_hashes:
            raise SourceFileError(
                path, f"Dokumentet finnes allerede i korpuset som {known_hashes[digest]}.", "Ingenting ble endret."
            )
    target = _safe_name(path)
    if target in taken_files:
        raise SourceFileError(path, f"Det finnes alt en annen fil med navnet {target} i korpuset.", "Gi filen et annet navn.")
    cleaned = clean_lines(lines)
    text_head = [ln.text for ln in cleaned.lines if ln.text][:60]
    doc_id = options.doc_id or slug(Path(target).stem)
    if doc_id in taken_ids:
        raise SourceFileError(path, f"Dokument-id «{doc_id}» er allerede i bruk.", "Velg en annen med --id.")
    title = options.title or _infer_title(path, text_head)
    entry = {
        "file": target,
        "id": doc_id,
        "title": title,
        "short_title": title if len(title) <= 60 else title[:57].rstrip() + "…",
        "publisher": options.publisher or "",
        "kind": options.kind or _infer_kind(path.name + " " + title),
        "date": options.date or _infer_date(text_head),
        "status": options.status or "",
        "national": bool(options.national),
        "hospital": options.hospital or "UNN",
    }
    spec: DocumentSpec = _parse_document(path, target, dict(entry))
    document = structure_document(spec, cleaned.lines, cleaned.links, cleaned.footnotes)
    if not any(s.text for s in document.sections):
        raise SourceFileError(path, "Fant ingen tekst å dele i seksjoner.", "Kontroller at filen er et tekstdokument.")
    return path, entry, len(document.sections), payload


def _stored_bytes(path: Path, raw: bytes, lines, options: IngestOptions) -> bytes:
    """What the corpus keeps: the file itself where the pipeline can read it again as it is;
    text in another encoding as UTF-8; an encrypted PDF as a copy without the password
    (the corpus is rebuilt without it)."""
    if path.suffix.lower() in PDF_SUFFIXES:
        return _decrypted_pdf(raw, options.password) if options.password else raw
    if not options.encoding:
        try:
            raw.decode("utf-8")
            return raw
        except UnicodeDecodeError:
            pass  # UTF-16 with a byte-order mark: kept as UTF-8
    return "\n".join(line.text for line in lines).encode("utf-8")


def _decrypted_pdf(raw: bytes, password: str) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(raw))  # the bytes already checked, not the file again
    if reader.is_encrypted:
        reader.decrypt(password)  # load_source has already checked the password
    buffer = io.BytesIO()
    PdfWriter(clone_from=reader).write(buffer)
    return buffer.getvalue()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _safe_name(path: Path) -> str:
    """A plain file name inside the corpus: never a path, never hidden, never '..'."""
    stem = slug(path.stem)[:80] or "dokument"
    suffix = path.suffix.lower()
    if suffix == ".markdown":
        suffix = ".md"
    return f"{stem}{suffix}"


def _read_again(path: Path) -> bytes | None:
    """The file's bytes, or None when it cannot be read (load_source names that problem)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def _commit(corpus: Path, source: Path, entry: dict, n_sections: int, payload: bytes) -> Ingested:
    try:
        return _write(corpus, source, entry, n_sections, payload)
    except OSError as exc:  # disk full, folder not writable …: nothing half-written stays
        raise SourceFileError(
            source, f"Kunne ikke skrive til korpusmappen {corpus} ({exc.strerror or exc}).",
            "Sjekk ledig diskplass og skrivetilgang, og prøv igjen.",
        ) from None


def _write(corpus: Path, source: Path, entry: dict, n_sections: int, payload: bytes) -> Ingested:
    target = corpus / entry["file"]
    existed = target.exists()  # the same bytes, placed there by hand: keep them on failure
    fd, tmp = tempfile.mkstemp(dir=corpus, prefix=".ingest-", suffix=target.suffix)
    os.close(fd)
    try:
        Path(tmp).write_bytes(payload)
        os.replace(tmp, target)
        try:
            append_source(corpus, entry)
        except BaseException:
            if not existed:
                target.unlink(missing_ok=True)
            raise
    finally:
        Path(tmp).unlink(missing_ok=True)
    return Ingested(entry["file"], entry["id"], entry["title"], entry["kind"], entry["date"], n_sections)


def _infer_title(path: Path, head: list[str]) -> str:
    if path.suffix.lower() == ".pdf":
        try:
            from pypdf import PdfReader

            meta = PdfReader(path).metadata
            if meta and meta.title and meta.title.strip():
                return meta.title.strip()
        except Exception:
            pass
    for line in head:
        if 8 <= len(line) <= 140 and not line.endswith((",", ";")):
            return line.strip("# ").strip()
    return path.stem.strip(". ") or path.name


def _infer_kind(text: str) -> str:
    low = text.lower()
    return next((kind for word, kind in _KIND_WORDS if word in low), "dokument")


def _infer_date(head: list[str]) -> str:
    for line in head:
        if m := _DATE.search(line):
            return m.group(1) or m.group(2)
    return ""
