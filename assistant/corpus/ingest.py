"""Add documents to the corpus: validate every file completely first (load, clean, structure),
then copy them into the corpus folder and record them in the manifest, atomically and all
together. A file that fails leaves the corpus and the manifest exactly as they were, and so do
the files given with it."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.corpus import budget
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
    append_sources,
    load_manifest,
    manifest_path,
    slug,
)
from assistant.corpus.pdf import RESAVE, decrypted_copy, pdf_title
from assistant.corpus.structure import structure_document
from assistant.errors import SourceFileError, UsageError
from assistant.locks import FolderLock, write_temp

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
READ_SECONDS = 45.0  # reading, cleaning and structuring one file; the rest of ingest takes a second or two
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


def ingest(paths: list[Path], corpus: Path, options: IngestOptions,
           on_wait: Callable[[], None] | None = None) -> list[Ingested]:
    """Add `paths` to the corpus: all of them, or, when one cannot be added, none.

    Every file is read and checked first, without holding the corpus lock, so a slow PDF never
    keeps another ingest waiting. Then, under the lock, each is checked again against the corpus
    as it is now (another ingest may have added something meanwhile), and the files and the
    manifest are written. `on_wait` is called if another ingest holds the lock."""
    corpus = Path(corpus)
    if not manifest_path(corpus).exists():
        raise UsageError(f"{corpus}: ingen korpusmappe med manifest.toml. Oppgi riktig mappe med --corpus.")
    if options.doc_id and len(paths) > 1:
        raise UsageError("--id kan bare brukes når du legger til én fil om gangen.")
    before = _Taken.of(corpus)
    plans = [_plan_within_time(Path(path), options, before) for path in paths]
    # Read the manifest, check, write it: one ingest at a time, or entries added at the same
    # moment by another process are lost.
    with FolderLock(corpus, on_wait=on_wait):
        now = _Taken.of(corpus)
        for plan in plans:
            now.claim(plan)
        return _commit(corpus, plans)


@dataclass
class _Plan:
    source: Path
    entry: dict
    sections: int
    payload: bytes  # the bytes the corpus keeps
    digests: tuple[str, str]  # of the file as read and of the payload


@dataclass
class _Taken:
    """What the corpus holds (document ids, file names, files by content hash), and what the
    files before this one in the same ingest will add."""

    corpus: Path
    ids: set[str]
    files: set[str]
    hashes: dict[str, str]

    @classmethod
    def of(cls, corpus: Path) -> _Taken:
        existing = load_manifest(corpus)
        return cls(corpus, {d.info.id for e in existing for d in e.documents}, {e.file for e in existing},
                   {file_hash(corpus / e.file): e.file for e in existing if (corpus / e.file).is_file()})

    def claim(self, plan: _Plan) -> None:
        """Refuse a second copy, a name or id in use, or a stray file of the same name; else
        count the plan's name, id and content as taken."""
        path, target, doc_id = plan.source, plan.entry["file"], plan.entry["id"]
        for digest in plan.digests:
            if digest in self.hashes:
                raise SourceFileError(path, f"Dokumentet finnes allerede i korpuset som {self.hashes[digest]}.",
                                      "Ingenting ble endret.")
        if target in self.files:
            raise SourceFileError(path, f"Det finnes alt en annen fil med navnet {target} i korpuset.",
                                  "Gi filen et annet navn.")
        if doc_id in self.ids:
            raise SourceFileError(path, f"Dokument-id «{doc_id}» er allerede i bruk.", "Velg en annen med --id.")
        stray = self.corpus / target
        if stray.exists() and (not stray.is_file() or stray.read_bytes() != plan.payload):
            raise SourceFileError(path, f"Korpusmappen har alt en annen fil som heter {stray.name}.",
                                  "Gi filen et annet navn.")
        self.ids.add(doc_id)
        self.files.add(target)
        self.hashes.update(dict.fromkeys(plan.digests, target))


def _plan_within_time(path: Path, options: IngestOptions, taken: _Taken) -> _Plan:
    """`_plan` within READ_SECONDS, so that ingest of any file ends within a minute."""
    try:
        with budget.time_limit(READ_SECONDS):
            return _plan(path, options, taken)
    except budget.OverTime as over:
        pdf = path.suffix.lower() in PDF_SUFFIXES
        where = f" (stoppet {over.limit.where})" if over.limit.where else ""
        raise SourceFileError(
            path, f"Det tok for lang tid å lese {'PDF-en' if pdf else 'filen'}: mer enn {READ_SECONDS:g} s{where}.",
            RESAVE if pdf else "Del den opp i mindre filer, og prøv igjen. Ingenting ble endret.",
        ) from None


def _plan(path: Path, options: IngestOptions, taken: _Taken) -> _Plan:
    """Read, check, clean and structure one file and decide its manifest entry. A second copy,
    or a name or id in use, is refused as soon as the file is read, before it is structured."""
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
    target = _safe_name(path)
    plan = _Plan(path, {"file": target, "id": options.doc_id or slug(Path(target).stem)}, 0, payload,
                 (_sha256(raw), _sha256(payload)))
    taken.claim(plan)
    budget.note("under rensingen av teksten")
    cleaned = clean_lines(lines)
    text_head = [ln.text for ln in cleaned.lines if ln.text][:60]
    title = options.title or _infer_title(path, raw, text_head)
    plan.entry.update({
        "title": title,
        "short_title": title if len(title) <= 60 else title[:57].rstrip() + "…",
        "publisher": options.publisher or "",
        "kind": options.kind or _infer_kind(path.name + " " + title),
        "date": options.date or _infer_date(text_head),
        "status": options.status or "",
        "national": bool(options.national),
        "hospital": options.hospital or "UNN",
    })
    spec: DocumentSpec = _parse_document(path, target, dict(plan.entry))
    budget.note("under inndelingen i seksjoner")
    document = structure_document(spec, cleaned.lines, cleaned.links, cleaned.footnotes)
    if not any(s.text for s in document.sections):
        raise SourceFileError(path, "Fant ingen tekst å dele i seksjoner.", "Kontroller at filen er et tekstdokument.")
    plan.sections = len(document.sections)
    return plan


def _stored_bytes(path: Path, raw: bytes, lines, options: IngestOptions) -> bytes:
    """What the corpus keeps: the file itself where the pipeline can read it again as it is;
    text in another encoding as UTF-8; an encrypted PDF as a copy without the password
    (the corpus is rebuilt without it)."""
    if path.suffix.lower() in PDF_SUFFIXES:
        return decrypted_copy(raw, options.password) if options.password else raw
    if not options.encoding:
        try:
            raw.decode("utf-8")
            return raw
        except UnicodeDecodeError:
            pass  # UTF-16 with a byte-order mark: kept as UTF-8
    return "\n".join(line.text for line in lines).encode("utf-8")


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


def _commit(corpus: Path, plans: list[_Plan]) -> list[Ingested]:
    """Write every file, then the manifest naming them all in one atomic replace: the manifest
    is the commit. A failure before it removes the files placed; a process killed before it
    leaves at most a file the manifest does not name, never an entry without its file."""
    temps: list[Path] = []
    placed: list[Path] = []
    writing: Path | str = "manifest.toml"
    try:
        for plan in plans:
            writing = plan.source
            temps.append(write_temp(corpus, plan.payload, ".ingest-", Path(plan.entry["file"]).suffix))
        for plan, tmp in zip(plans, temps):
            writing = plan.source
            target = corpus / plan.entry["file"]
            if not target.exists():  # the same bytes, placed there by hand, are kept as they are
                os.replace(tmp, target)
                placed.append(target)
        writing = manifest_path(corpus)
        append_sources(corpus, [plan.entry for plan in plans])
    except BaseException as exc:  # disk full, folder not writable, Ctrl+C …: nothing half-written stays
        for path in placed:
            path.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        others = " Ingen av filene ble lagt til." if len(plans) > 1 else ""
        raise SourceFileError(
            writing, f"Kunne ikke skrive til korpusmappen {corpus} ({exc.strerror or exc}).{others}",
            "Sjekk ledig diskplass og skrivetilgang, og prøv igjen.",
        ) from None
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    return [Ingested(p.entry["file"], p.entry["id"], p.entry["title"], p.entry["kind"], p.entry["date"], p.sections)
            for p in plans]


def _infer_title(path: Path, raw: bytes, head: list[str]) -> str:
    if path.suffix.lower() in PDF_SUFFIXES and (title := pdf_title(raw)):
        return title
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
