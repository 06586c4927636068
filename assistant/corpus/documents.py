"""Build the structured corpus: manifest → load → clean → structure, for every source file."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from assistant.corpus.clean import clean_lines
from assistant.corpus.load import load_source
from assistant.corpus.manifest import SourceEntry, load_manifest
from assistant.corpus.structure import split_documents, structure_document
from assistant.models import Document


@dataclass
class Corpus:
    root: Path
    documents: list[Document]
    file_hashes: dict[str, str] = field(default_factory=dict)
    cleaning: Counter = field(default_factory=Counter)

    def document(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == doc_id), None)

    def sections(self):
        for doc in self.documents:
            yield from doc.sections

    def section(self, section_id: str):
        return next((s for s in self.sections() if s.id == section_id), None)


def file_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def structure_source(root: Path, entry: SourceEntry, cleaning: Counter | None = None) -> list[Document]:
    path = Path(root) / entry.file
    cleaned = clean_lines(load_source(path))
    if cleaning is not None:
        cleaning.update(cleaned.stats)
    parts = split_documents(entry, cleaned.lines)
    stops = [lines[0].line if lines else 0 for _, lines in parts[1:]] + [float("inf")]
    documents = []
    for (spec, lines), stop in zip(parts, stops):
        first = lines[0].line if lines else 0
        links = {n: urls for n, urls in cleaned.links.items() if first <= n < stop}  # this document's own
        documents.append(structure_document(spec, lines, links, cleaned.footnotes))
    return documents


def build_corpus(root: Path) -> Corpus:
    root = Path(root)
    corpus = Corpus(root=root, documents=[])
    for entry in load_manifest(root):
        corpus.documents.extend(structure_source(root, entry, corpus.cleaning))
        corpus.file_hashes[entry.file] = file_hash(root / entry.file)
    return corpus
