"""The short answer and the duty table as composed before the answer card (stage 3 until
2026-12-06): sentences from the three best excerpts chosen by hand-set weights calibrated on the
dev set, and the retrieved sections' duty rows ranked by section and shared words. Kept only as
the baselines `evals.run` reports beside the card and the new table, in the same run."""

from __future__ import annotations

import re

from assistant.corpus.duties import find_deadline
from assistant.corpus.sentences import split_sentences
from assistant.models import Duty, Excerpt, Hit
from assistant.search.lexical import terms
from assistant.search.questions import letters

MAX_ANSWER_SENTENCES = 3
# How much the language model's sentence match counts, against the share of query words a
# sentence holds (measured with `evals.run`, "short answer quotes gold evidence": 0.52 → 0.55
# on dev, 0.27 → 0.30 on the held-out set; 0.4 and 1.0 gain less).
SENTENCE_MATCH_WEIGHT = 0.7
SPAN_WEIGHT = 0.5
OWN_WEIGHT = 0.5
_WHO = re.compile(r"\b(hvem|kven|who|hvilken part|ansvar(?:et|lig)?|responsible)\b", re.I)
_WHEN = re.compile(r"\b(når|frist(?:en)?|innen|deadline|when|how long|hvor lenge|kor lenge|tidspunkt|klokka|kl)\b", re.I)
_PARTY = re.compile(r"\b(UNN|kommunen[e]?|partnerne|helseforetaket|sykehuset|spesialisthelsetjenesten|fastlegen)\b", re.I)

def sentences(text: str) -> list[str]:
    """Whole sentences of a passage; a lead-in to a list ("… skal inneholde") is not one."""
    out = []
    for piece in split_sentences(text, newlines=True):
        sentence = piece.strip().lstrip("•– ").strip()
        complete = sentence.endswith((".", "!", "?", "»", "”", ")")) or len(sentence) >= 80
        if len(sentence) > 15 and complete and not sentence.endswith(":"):
            out.append(sentence)
    return out


def short_answer(question: str, excerpts: tuple[Excerpt, ...], query_terms: list[str],
                 block_actor: dict[int, str] | None = None, sentence_match: dict[str, float] | None = None,
                 answer_spans: dict[str, float] | None = None) -> str:
    """One to three sentences copied from the top excerpts, each with its citation number.

    An item of a duty block often names no party ("Rekvirere pasienttransport …" under "UNNs
    ansvar"); it is led by the block's party as the duty table names it ("UNN: Rekvirere …"), so
    the answer says whose duty it is.

    Sentences are scored by the query's words (with its glossary expansions), the language
    model's match of the sentence to the question (`sentence_match`, scaled over the candidate
    sentences), the excerpt's retrieval score, and, for "who" and "when" questions, by naming a
    party (or standing in a party's duty block) and stating a deadline. Measured by `evals.run`
    ("short answer quotes gold evidence"); weighting the question's own words apart did not help.
    """
    expanded = set(query_terms)
    asks_who, asks_when = bool(_WHO.search(question)), bool(_WHEN.search(question))
    block_actor = block_actor or {}
    sentence_match = sentence_match or {}
    candidates = [(excerpt, position, sentence, sentence_match.get(sentence.strip(" •–-\t")))
                  for excerpt in excerpts[:3] for position, sentence in enumerate(sentences(excerpt.text))]
    low, spread = _low_and_spread([match for *_, match in candidates if match is not None])
    spans = _spans_in(candidates, answer_spans or {})
    span_low, span_spread = _low_and_spread(list(spans.values()))
    scored = []
    for excerpt, position, sentence, match in candidates:
        words = set(terms(sentence))
        score = len(expanded & words) / (len(expanded) or 1) + 0.5 * excerpt.score - 0.01 * position
        if match is not None and spread > 0:
            score += SENTENCE_MATCH_WEIGHT * (match - low) / spread
        if sentence in spans:
            score += SPAN_WEIGHT * ((spans[sentence] - span_low) / span_spread if span_spread > 0 else 1.0)
        if asks_who and (_PARTY.search(sentence) or excerpt.rank in block_actor):
            score += 0.2
        if asks_when and find_deadline(sentence):
            score += 0.3
        scored.append((score, excerpt.rank, sentence))
    scored.sort(key=lambda item: -item[0])
    chosen, used = [], set()
    for score, rank, sentence in scored:
        if sentence in used or (chosen and score < scored[0][0] * 0.6):
            continue
        party = block_actor.get(rank)
        chosen.append(f"{party}: {sentence} [{rank}]" if party and not _PARTY.search(sentence) else f"{sentence} [{rank}]")
        used.add(sentence)
        if len(chosen) == MAX_ANSWER_SENTENCES:
            break
    return " ".join(chosen)


def _low_and_spread(values: list[float]) -> tuple[float, float]:
    """The lowest value and the range, for scaling scores over the candidate sentences."""
    return (min(values), max(values) - min(values)) if values else (0.0, 0.0)


def _spans_in(candidates: list, answer_spans: dict[str, float]) -> dict[str, float]:
    """Candidate sentence → the best cosine of a stored question whose quote (the words that
    answer it) lies in that sentence or covers it."""
    found: dict[str, float] = {}
    if not answer_spans:
        return found
    quotes = [(letters(quote), score) for quote, score in answer_spans.items()]
    for _, _, sentence, _ in candidates:
        body = letters(sentence)
        scores = [score for quote, score in quotes if quote and body and (quote in body or body in quote)]
        if scores:
            found[sentence] = max(scores)
    return found


MAX_DUTIES = 8


def responsibilities(question: str, hits: list[Hit], index) -> list[Duty]:
    """Duty rows of the retrieved sections (and their sibling duty blocks), most relevant first."""
    wanted = set(terms(question))
    by_section = index.duties_by_section
    picked: list[tuple[float, dict]] = []
    seen: set[str] = set()
    for rank, hit in enumerate(hits[:5], start=1):
        for section_id in index.related_sections(hit.chunk.section_id):
            for row in by_section.get(section_id, []):
                if row["duty"] in seen:
                    continue
                seen.add(row["duty"])
                overlap = len(wanted & set(terms(row["duty"] + " " + row["section"]))) / (len(wanted) or 1)
                own = 0.3 if section_id == hit.chunk.section_id else 0.0
                picked.append((overlap + own + 0.3 / rank, row))
    picked.sort(key=lambda item: -item[0])
    return [Duty(**row) for _, row in picked[:MAX_DUTIES]]

