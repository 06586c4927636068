"""Cut sections into retrievable passages. A chunk holds whole paragraphs (a long paragraph is
cut at sentence ends) of one section only, so its citation is always exact."""

from __future__ import annotations

from assistant.corpus.sentences import split_sentences
from assistant.models import Chunk, Document, Section

CHUNKER_VERSION = "4"  # bump whenever cleaning, structure or chunking changes what a chunk holds
TARGET_CHARS = 700
MAX_CHARS = 1000
# Sentences (and list items) of a chunk, for sentence-level vectors: a clinician's question
# usually matches one sentence, which a whole chunk's vector dilutes.
MIN_SENTENCE_CHARS = 25


def chunk_documents(documents: list[Document]) -> list[Chunk]:
    return [chunk for doc in documents for section in doc.sections for chunk in chunk_section(section)]


def chunk_sentences(text: str) -> list[str]:
    """The sentences and list items of a chunk's text long enough to carry a statement."""
    units = (u.strip(" •–-\t") for u in split_sentences(text, newlines=True))
    return [u for u in units if len(u) >= MIN_SENTENCE_CHARS]


def chunk_section(section: Section) -> list[Chunk]:
    if not section.text.strip():
        return []
    pieces = _pieces(section)
    chunks: list[Chunk] = []
    group: list[tuple[str, int, int]] = []
    size = 0
    for piece in pieces:
        if group and size + len(piece[0]) > TARGET_CHARS:
            chunks.append(_make(section, group, len(chunks)))
            group, size = [], 0
        group.append(piece)
        size += len(piece[0]) + 1
    if group:
        chunks.append(_make(section, group, len(chunks)))
    return chunks


def _pieces(section: Section) -> list[tuple[str, int, int]]:
    paragraphs = section.text.split("\n")
    spans = section.spans or tuple((section.line_start, section.line_end) for _ in paragraphs)
    pieces: list[tuple[str, int, int]] = []
    for text, (start, end) in zip(paragraphs, spans):
        if len(text) <= MAX_CHARS:
            pieces.append((text, start, end))
            continue
        current = ""
        for sentence in split_sentences(text):
            if current and len(current) + len(sentence) > TARGET_CHARS:
                pieces.append((current, start, end))
                current = ""
            current = f"{current} {sentence}".strip()
        if current:
            pieces.append((current, start, end))
    return pieces


def _make(section: Section, group: list[tuple[str, int, int]], n: int) -> Chunk:
    return Chunk(
        id=f"{section.id}#{n}",
        section_id=section.id,
        doc_id=section.doc_id,
        text="\n".join(text for text, _, _ in group),
        line_start=min(start for _, start, _ in group),
        line_end=max(end for _, _, end in group),
        page=section.page_start,
        actor=section.actor,
        context=section.breadcrumb,
    )
