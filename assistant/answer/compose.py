"""Compose what the user sees from retrieved passages: numbered excerpts with exact
citations, the answer card (sentences copied from the excerpts, never rewritten, the asked-for
one first: `card.py`), the duty table about the question (`duties_table.py`), or a plain "not
covered" answer that says why (`coverage.py`).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from assistant.answer.card import build_card, candidates, card_text, rank_sentences
from assistant.answer.coverage import Verdict, judge, not_covered_text
from assistant.answer.duty_table import duty_table
from assistant.answer.labels import nearest_suffix
from assistant.answer.understand import understand
from assistant.models import Answer, Duty, Excerpt, Hit, Question
from assistant.search.questions import letters
from assistant.search.retrieve import SearchResult

# Word search only (no language model): the question is not covered when under half of its
# own words are in the best passages.
LEXICAL_ONLY_COVERAGE_FLOOR = 0.5


def compose(result: SearchResult, index, top_k: int = 5, has_dense: bool = True,
            question: Question | None = None, use_topics: bool = True) -> Answer:
    """The answer to `question` (read by `understand`; read here from the result's text when
    not given) from its search result. `use_topics` False ignores the list of topics the
    documents do not cover (for measuring the method without it)."""
    t0 = time.perf_counter()
    question = question or understand(result.question, index.lexical)
    if not use_topics:
        result = replace(result, top_out_of_scope=None)
    groups = group_hits(result.hits)[:top_k]
    hits = [group[0] for group in groups]
    excerpts = tuple(_excerpt(rank, group, index) for rank, group in enumerate(groups, start=1))
    english = question.lang == "en"
    cands = candidates(groups, index)
    scores = rank_sentences(question, cands, result, index)
    verdict = decide(question, result, cands, scores, index, has_dense)
    card = None
    duties: tuple[Duty, ...] = ()
    if not verdict.covered:
        best = cands[int(np.argmax(scores))] if len(scores) else None
        section = index.sections.get(best.chunk.section_id) if best else None
        topic = section.breadcrumb if section else None
        text = not_covered_text(verdict, question, best.text if best else None, best.rank if best else None, topic)
        nearest = "; ".join(f"{e.section} [{e.rank}]" for e in excerpts[:3])
        if nearest:
            text += nearest_suffix(nearest, english)
    else:
        card = build_card(question, groups, result, index, english, cands, scores)
        excerpts = _with_card_passages(card, groups, excerpts, index)
        text = card_text(card, english)
        duties = duty_table(question, hits, card, result, index, cands)
    timing = dict(result.timing_ms)
    timing["compose"] = round((time.perf_counter() - t0) * 1000, 2)
    timing["total"] = round(sum(v for k, v in timing.items() if k in ("understand", "encode", "retrieve", "compose")), 2)
    return Answer(result.question, not verdict.covered, text, excerpts, duties, timing, tuple(result.notices), card=card,
                  interpreted=question.interpreted, abstain_reason=verdict.reason, unknown_terms=verdict.unknown,
                  lang=question.lang)


def decide(question: Question, result: SearchResult, cands, scores, index, has_dense: bool) -> Verdict:
    """Covered or not, and why (see coverage.py); with word search only, by the share of the
    question's words the best passages hold."""
    if not result.hits or not cands:
        return Verdict(False, "low_similarity", probability=1.0)
    if not has_dense:
        if result.coverage < LEXICAL_ONLY_COVERAGE_FLOOR:
            unknown = tuple(f.word for f in question.focus if not f.known)
            return Verdict(False, "unknown_terms" if unknown else "low_similarity", unknown=unknown)
        return Verdict(True)
    return judge(question, result, cands, scores, index, has_dense)


def _with_card_passages(card, groups: list[list[Hit]], excerpts: tuple[Excerpt, ...], index) -> tuple[Excerpt, ...]:
    """Every card sentence is on screen: a passage of a shown section that supplies one and was
    not shown is added to that section's excerpt."""
    if card is None:
        return excerpts
    changed = False
    for sentence in card.sentences:
        group = groups[sentence.rank - 1] if 0 < sentence.rank <= len(groups) else None
        if group is None or not sentence.chunk_id or any(h.chunk.id == sentence.chunk_id for h in group):
            continue
        chunk = index.chunks_by_id.get(sentence.chunk_id)
        if chunk is not None and chunk.section_id == group[0].chunk.section_id:
            group.append(Hit(chunk, 0.0))
            changed = True
    if not changed:
        return excerpts
    return tuple(_excerpt(rank, group, index) for rank, group in enumerate(groups, start=1))


def group_hits(hits: list[Hit], per_section: int = 2) -> list[list[Hit]]:
    """One excerpt per section, holding up to `per_section` of its best chunks, so a section
    found through two of its passages is shown once with both. A passage whose words repeat one
    already shown is left out: the guidelines share boilerplate ("Uenighet og tvist etter denne
    avtalen skal løses …" in nine of them) that would otherwise fill the excerpts."""
    groups: dict[str, list[Hit]] = {}
    shown: set[str] = set()
    for hit in hits:
        words = letters(hit.chunk.text)
        if words in shown:
            continue
        shown.add(words)
        group = groups.setdefault(hit.chunk.section_id, [])
        if len(group) < per_section:
            group.append(hit)
    return list(groups.values())


def _chunk_order(hit: Hit) -> int:
    return int(hit.chunk.id.rsplit("#", 1)[1])


def _excerpt(rank: int, group: list[Hit], index) -> Excerpt:
    best = group[0]
    ordered = sorted(group, key=_chunk_order)
    parts = [ordered[0].chunk.text]
    for prev, hit in zip(ordered, ordered[1:]):
        parts.append(hit.chunk.text if _chunk_order(hit) == _chunk_order(prev) + 1 else "…\n" + hit.chunk.text)
    chunk = best.chunk
    info = index.documents[chunk.doc_id]
    section = index.sections.get(chunk.section_id)
    return Excerpt(
        rank=rank,
        doc_id=chunk.doc_id,
        doc_title=info.title,
        section=section.breadcrumb if section else chunk.context,
        section_id=chunk.section_id,
        text="\n".join(parts),
        score=round(best.score, 4),
        source_file=f"corpus/{info.source_file}",
        page=chunk.page,
        line_start=min(h.chunk.line_start for h in group),
        line_end=max(h.chunk.line_end for h in group),
        status=info.status_label,
    )
