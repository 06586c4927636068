"""The corpus manifest (`corpus/manifest.toml`): which files make up the corpus and which
logical documents each holds. Data, not code: a new agreement is a new [[source]] entry."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ManifestError
from assistant.locks import atomic_write
from assistant.models import ACTORS, DocumentInfo

MANIFEST_NAME = "manifest.toml"
HEADING_STYLES = ("numbered", "sak", "guide")


@dataclass(frozen=True)
class DocumentSpec:
    info: DocumentInfo
    start: re.Pattern | None
    headings: str


@dataclass(frozen=True)
class SourceEntry:
    file: str
    documents: tuple[DocumentSpec, ...]


def manifest_path(corpus: Path) -> Path:
    return Path(corpus) / MANIFEST_NAME


def load_manifest(corpus: Path) -> list[SourceEntry]:
    path = manifest_path(corpus)
    if not path.is_file():
        raise ManifestError(
            f"{path}: fant ikke korpusmanifestet. Oppgi riktig mappe med --corpus, eller legg til dokumenter med «avtale ingest»."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: manifestet kan ikke leses ({exc}). Rett feilen i filen.") from None
    sources = data.get("source", [])
    if not isinstance(sources, list) or not all(isinstance(raw, dict) for raw in sources):
        raise ManifestError(f"{path}: hver kilde må være en tabell [[source]] (med doble klammer) med file = \"…\". "
                            "Rett filen.")
    entries = [_parse_source(path, raw) for raw in sources]
    _check_unique_ids(path, entries)
    return entries


def _parse_source(path: Path, raw: dict) -> SourceEntry:
    file = raw.get("file")
    if not isinstance(file, str) or not file or Path(file).name != file or file in (".", ".."):
        raise ManifestError(f"{path}: en [[source]] mangler gyldig «file» (bare filnavn, ingen mapper).")
    docs_raw = raw.get("document") or [{}]
    if not isinstance(docs_raw, list) or not all(isinstance(doc, dict) for doc in docs_raw):
        raise ManifestError(f"{path}: «document» under {file} må være tabeller [[source.document]]. Rett filen.")
    documents = []
    for doc in docs_raw:
        merged = {k: v for k, v in raw.items() if k not in ("document", "file")}
        merged.update(doc)
        documents.append(_parse_document(path, file, merged))
    return SourceEntry(file=file, documents=tuple(documents))


def _parse_document(path: Path, file: str, raw: dict) -> DocumentSpec:
    doc_id = str(raw.get("id") or slug(Path(file).stem))
    headings = str(raw.get("headings", "numbered"))
    if headings not in HEADING_STYLES:
        raise ManifestError(f"{path}: ukjent headings «{headings}» for {doc_id}; bruk {', '.join(HEADING_STYLES)}.")
    start = raw.get("start")
    if start is not None and not isinstance(start, str):
        raise ManifestError(f"{path}: start for {doc_id} må være tekst (et mønster i anførselstegn).")
    try:
        pattern = re.compile(start) if start else None
    except re.error as exc:
        raise ManifestError(f"{path}: ugyldig start-mønster for {doc_id}: {exc}.") from None
    title = str(raw.get("title") or Path(file).stem)
    holder, topic = raw.get("duty_holder", ""), raw.get("duty_topic", [])
    if holder and holder not in ACTORS:
        raise ManifestError(f"{path}: duty_holder for {doc_id} må være en av {', '.join(f'«{a}»' for a in ACTORS)}.")
    if not isinstance(topic, list) or not all(isinstance(word, str) and word.strip() for word in topic):
        raise ManifestError(f"{path}: duty_topic for {doc_id} må være en liste med ord, f.eks. [\"veiled\"].")
    info = DocumentInfo(
        id=doc_id,
        title=title,
        short_title=str(raw.get("short_title") or title),
        source_file=file,
        publisher=str(raw.get("publisher", "")),
        kind=str(raw.get("kind", "")),
        date=str(raw.get("date", "")),
        status=str(raw.get("status", "")),
        national=bool(raw.get("national", False)),
        hospital=str(raw.get("hospital", "UNN")),
        replaces=str(raw.get("replaces", "")),
        duty_holder=holder,
        duty_topic=tuple(word.strip() for word in topic),
    )
    return DocumentSpec(info=info, start=pattern, headings=headings)


def _check_unique_ids(path: Path, entries: list[SourceEntry]) -> None:
    seen: set[str] = set()
    for entry in entries:
        for doc in entry.documents:
            if doc.info.id in seen:
                raise ManifestError(f"{path}: dokument-id «{doc.info.id}» er brukt to ganger. Gi dem ulike id-er.")
            seen.add(doc.info.id)


def slug(text: str) -> str:
    text = text.lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "dokument"


def append_sources(corpus: Path, entries: list[dict]) -> None:
    """Append [[source]] tables to the manifest in one atomic write, keeping its comments and
    its file mode."""
    import tomli_w

    path = manifest_path(corpus)
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    block = tomli_w.dumps({"source": entries})
    updated = current.rstrip("\n") + ("\n\n" if current else "") + block
    tomllib.loads(updated)  # never write a manifest we could not read back
    atomic_write_text(path, updated)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write(path, text.encode("utf-8"))
