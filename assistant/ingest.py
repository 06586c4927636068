"""Add documents to the corpus: validate every file completely first (load, clean, structure),
then copy each into the corpus folder and record it in the manifest, atomically. A file that
fails leaves the corpus and the manifest exactly as they were."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from assistant.clean import clean_lines
from assistant.corpus import file_hash
from assistant.errors import SourceFileError, UsageError
from assistant.load import SUPPORTED_SUFFIXES, load_source
from assistant.manifest import DocumentSpec, _parse_document, append_source, load_manifest, manifest_path, slug
from assistant.structure import structure_document

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
    existing = load_manifest(corpus)
    taken_ids = {d.info.id for e in existing for d in e.documents}
    taken_files = {e.file for e in existing}
    known_hashes = {file_hash(corpus / e.file): e.file for e in existing if (corpus / e.file).exists()}
    plans = []
    for path in paths:
        plan = _plan(Path(path), options, taken_ids, taken_files, known_hashes)
        taken_ids.add(plan[1]["id"])
        taken_files.add(plan[1]["file"])
        plans.append(plan)
    return [_commit(corpus, *plan) for plan in plans]


def _plan(path: Path, options: IngestOptions, taken_ids: set, taken_files: set, known_hashes: dict):
    if path.suffix.lower() not in SUPPORTED_SUFFIXES and not path.is_dir():
        raise SourceFileError(path, f"Filtypen «{path.suffix or '(ingen)'}» støttes ikke.", "Bruk PDF, .txt eller .md.")
    lines = load_source(path, encoding=options.encoding, password=options.password)
    digest = file_hash(path)
    if digest in known_hashes:
        raise SourceFileError(path, f"Dokumentet finnes allerede i korpuset som {known_hashes[digest]}.", "Ingenting ble endret.")
    target = _safe_name(path, options)
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
    document = structure_document(spec, cleaned.lines, cleaned.links)
    if not any(s.text for s in document.sections):
        raise SourceFileError(path, "Fant ingen tekst å dele i seksjoner.", "Kontroller at filen er et tekstdokument.")
    payload = None
    if options.encoding and path.suffix.lower() != ".pdf":
        payload = "\n".join(line.text for line in lines).encode("utf-8")  # stored as UTF-8
    return path, entry, len(document.sections), payload


def _safe_name(path: Path, options: IngestOptions) -> str:
    """A plain file name inside the corpus: never a path, never hidden, never '..'."""
    stem = slug(path.stem)[:80] or "dokument"
    suffix = ".txt" if options.encoding and path.suffix.lower() != ".pdf" else path.suffix.lower()
    return f"{stem}{suffix}"


def _commit(corpus: Path, source: Path, entry: dict, n_sections: int, payload: bytes | None) -> Ingested:
    target = corpus / entry["file"]
    fd, tmp = tempfile.mkstemp(dir=corpus, prefix=".ingest-", suffix=target.suffix)
    os.close(fd)
    try:
        if payload is not None:
            Path(tmp).write_bytes(payload)
        else:
            shutil.copyfile(source, tmp)
        os.replace(tmp, target)
        try:
            append_source(corpus, entry)
        except BaseException:
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
    return path.stem


def _infer_kind(text: str) -> str:
    low = text.lower()
    return next((kind for word, kind in _KIND_WORDS if word in low), "dokument")


def _infer_date(head: list[str]) -> str:
    for line in head:
        if m := _DATE.search(line):
            return m.group(1) or m.group(2)
    return ""
