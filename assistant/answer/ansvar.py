"""Duty tables and deadlines over the built index: `avtale ansvar [TEMA]` and `avtale frister`.

A topic is either a section reference ("Retningslinje 2 4.1", "rl3") or free words ("utskrivning",
"ØHD", "barn som pårørende"): free words are searched like a question and the duties of the
sections found are listed, grouped by party.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.corpus.duties import find_deadline
from assistant.models import Document, Duty

AGREEMENT_KINDS = {"avtale", "retningslinje"}
_REFERENCE_WORDS = re.compile(r"\d|§|\b(retningslinje|rl|del|punkt|pkt|sak|kapittel)\b", re.I)
_OLD_NUMBER = re.compile(r"\btjenesteavtale(?:n|r)?\s*(?:nr\.?\s*)?(\d{1,2})\b", re.I)


@dataclass(frozen=True)
class Deadline:
    topic: str
    actor: str
    text: str
    deadline: str
    section_id: str
    doc_id: str
    section: str


def documents_from_index(index) -> list[Document]:
    by_doc: dict[str, list] = {}
    for section in index.sections.values():
        by_doc.setdefault(section.doc_id, []).append(section)
    return [Document(info, tuple(by_doc.get(doc_id, ()))) for doc_id, info in index.documents.items()]


def old_agreement_note(text: str, index) -> tuple[str | None, set[str]]:
    """'tjenesteavtale 5' → a note naming the guideline that replaced it, and that guideline's id."""
    m = _OLD_NUMBER.search(text)
    if not m:
        return None, set()
    number = m.group(1)
    hits = [info for info in index.documents.values()
            if re.search(rf"\btjenesteavtale(?:r)?\b[^.]*\b{number}\b", info.replaces or "")]
    if not hits:
        return None, set()
    names = ", ".join(f"{i.short_title} ({i.replaces})" for i in hits)
    return f"Tjenesteavtale {number} er erstattet av {names}.", {i.id for i in hits}


def duties_for_topic(assistant, topic: str | None, actor: str | None = None) -> tuple[list[Duty], str | None]:
    """The duty rows for a topic, and a note (how the topic was understood)."""
    from assistant.corpus.refs import resolve
    from assistant.errors import ReferenceNotFound

    index = assistant.index
    rows = [Duty(**row) for row in index.duties]
    note = None
    if topic:
        old_note, old_docs = old_agreement_note(topic, index)
        try:
            if not _REFERENCE_WORDS.search(topic) and topic.strip().lower() not in index.documents:
                raise ReferenceNotFound(topic, [])  # plain words: a topic to search, not a reference
            found = resolve(topic, documents_from_index(index))
            whole_document = not re.search(r"\d", topic) or found.section.number == ""
            prefix = found.section.path[:1] if whole_document else found.section.path
            ids = {s.id for s in index.sections.values() if s.doc_id == found.section.doc_id and s.path[: len(prefix)] == prefix}
            rows = [r for r in rows if r.section_id in ids]
            shown = index.documents[found.section.doc_id].title if whole_document else found.section.breadcrumb
            note = found.note or f"Viser plikter i {shown}."
        except ReferenceNotFound:
            answer = assistant.ask(topic, top_k=6, doc_ids=old_docs or None)
            wanted = [e.section_id for e in answer.excerpts]
            related = _with_sibling_blocks(wanted, index)
            rank = {sid: i for i, sid in enumerate(related)}
            rows = sorted((r for r in rows if r.section_id in rank), key=lambda r: rank[r.section_id])
            note = old_note or f"Viser plikter i avsnittene som handler om «{topic}»."
    if actor:
        rows = [r for r in rows if r.actor.lower() == actor.lower()]
    return rows, note


def _with_sibling_blocks(section_ids: list[str], index) -> list[str]:
    out: list[str] = []
    for sid in section_ids:
        if sid in index.sections:
            out.extend(s for s in index.related_sections(sid) if s not in out)
    return out


def deadlines(index) -> list[Deadline]:
    """Every sentence in the agreement and its guidelines that states a time limit."""
    out: list[Deadline] = []
    for section in index.sections.values():
        info = index.documents.get(section.doc_id)
        if info is None or (info.kind not in AGREEMENT_KINDS and not section.doc_id.startswith("fakturering")):
            continue
        for para in section.text.split("\n"):
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«])", para.strip(" •–")):
                when = find_deadline(sentence)
                if not when or when.lower().startswith(("årlig", "straks")) and len(sentence) < 20:
                    continue
                actor = _actor_for(sentence, section, index.duties_by_section.get(section.id, []))
                topic = " › ".join(section.path[:2])
                out.append(Deadline(topic, actor, sentence.strip(), when, section.id, section.doc_id, section.breadcrumb))
    return out


def _actor_for(sentence: str, section, rows: list[dict]) -> str:
    """The party of the duty row this sentence belongs to, else the section's own party."""
    for row in rows:
        if sentence in row["duty"] or row["duty"] in sentence:
            return row["actor"]
    return section.actor or "–"
