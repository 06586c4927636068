"""The duty table about the question asked: who does what, by when, for a question about duties.

Rows are the duty rows (extracted at index time) of the shown excerpts' sections and their
sibling duty blocks, scored by the answer card's sentence ranker, so the table reads the
question the same way the card does: its kind of answer, its party, its focus words. The row
that holds the card's answer comes first, then the rows that pass a relevance bar set by the
best answer on screen (a few, not the whole section); rows of the party the question is asked about come before the other's. A
question that does not ask about duties (a definition, a paragraph, an amount) gets no table.
"""

from __future__ import annotations

import re

from assistant.answer.card import TASK_WORDS, Candidate, WithSentences, rank_sentences, role_party
from assistant.answer.understand import party_mentions
from assistant.corpus.chunk import chunk_sentences
from assistant.corpus.duties import duty_row
from assistant.models import Card, Duty, Hit, Question
from assistant.search.questions import letters

MAX_ROWS = 5
# A row is shown when its score is within this margin of the best on screen: the best row or the
# best of the shown sentences. Measured on the tuning sets (2026-12-07; margin: gold row in the
# first three rows on dev / training2, mean rows on dev's duty questions, tables on dev's
# questions not about duties): 1.0: 0.847 / 0.852, 1.4 rows, 16 %; 2.0: 0.864 / 0.870, 2.2 rows,
# 18 %; 4.0: 0.864 / 0.870, 3.8 rows, 22 % (calibration, training and followup_dev: the same gold
# figures at 2.0, 3.0 and 4.0). Against the best row alone, as before, 4.0 gave the same gold
# figures with tables on 29 % of dev's other questions.
ROW_MARGIN = 2.0
# "Hva må kommunen gjøre når …?" asks for a party's duties: a list, answered by the section's
# rows, where "Hvem …?" has one answer. Its rows keep the wider margin the table had before.
LIST_MARGIN = 4.0
DUTY_KINDS = ("party", "duty")
# A question that asks first for one of these asks a fact, not who does what ("Hvor mye …?",
# "Hvilken paragraf …?", "Hva betyr …?"), even when it names a party.
FACT_KINDS = ("amount", "legal_basis", "definition", "contact")
# A sentence that gives someone a task: the card's answer may do so with a verb of the task itself.
_GIVES_TASK = re.compile(rf"\b(?:{TASK_WORDS}|rekvirerer|utsteder|gjennomgår|fordeler|behandler|vurderer|sender)\b",
                         re.I)


def about_duties(question: Question, card: Card | None = None, index=None) -> bool:
    """Whether the question is about who does what: it asks who, or what a party must do, or
    it names the party it asks about ("Har sykehuset plikt til …", "Når må kommunen svare?"),
    or it speaks of a duty and the card's answer is a party's duty ("Er det vi som må halde UNN
    orientert?" answered by "Partnerne plikter å …"), or it brings in a party (names one, is
    asked from one side, or follows an earlier question) and is answered by one of the duty rows
    ("Hvor lang tid har sykehuset på å sende tidligmelding?", "Gjelder det i helgene også?"). A
    follow-up answered by a party's rule that is no duty row of its own ("Dette gjelder også ved
    transport fra fødestue til fødeavdeling." after a question on who goes with the ambulance,
    "Ordfører kan delegere signering …") gets the table too: its conversation is about who does
    what, and the rule is that party's.
    One that asks first for a fact (how much, which paragraph, what a word means) is only when
    it brings in a party and is answered by one of the duty rows ("Til hvilken alder har
    kommunen plikt til å oppnevne barnekoordinator?"): naming a party is not enough."""
    if any(kind in DUTY_KINDS for kind in question.asks):
        return True
    fact = bool(question.asks) and question.asks[0] in FACT_KINDS
    if question.party is not None and not fact:
        return True
    if card is None or not card.party or not card.sentences:
        return False
    if fact:
        if not (question.history or question.names_duty):
            # a fact asked of a party without a word of duty, and no follow-up: none, unless
            # the number asked is a condition of a party's duty ("Kor lang reiseveg før jordmor
            # skal følgje med?" is answered by "… der jordmor eller lege ledsager … og reisevei
            # lenger enn 90 minutter"); a paragraph or a meaning is no one's duty
            return question.asks[0] == "amount" and index is not None and _is_duty_row(card, index)
    elif question.names_duty and _GIVES_TASK.search(card.sentences[0].text):
        return True
    if index is None:
        return False
    if question.history:
        return True  # a follow-up whose answer is a party's rule (the card has a party)
    brings_party = bool(question.party or question.speaker or party_mentions(question.text))
    return brings_party and _is_duty_row(card, index)


def _is_duty_row(card: Card, index) -> bool:
    """Whether the card's first sentence is one of its section's duty rows, of the card's party."""
    first = card.sentences[0]
    chunk = index.chunks_by_id.get(first.chunk_id)
    body = letters(first.text)
    return chunk is not None and any(_holds(row, body) and row["actor"] == card.party
                                     for row in index.duties_by_section.get(chunk.section_id, ()))


def duty_table(question: Question, hits: list[Hit], card: Card | None, result, index,
               shown: list[Candidate] = ()) -> tuple[Duty, ...]:
    """The duty rows that answer the question, best first. `shown`: the shown excerpts'
    sentences, ranked with the rows so the relevance bar is set by the best answer on screen
    (a row far below it answers another question, even when it is the best row)."""
    if not about_duties(question, card, index):
        return ()
    found = [(row, cand) for row, rank, score in _rows_near(hits, index)
             if (cand := _as_candidate(row, rank, score, index)) is not None]
    if not found:
        own = _card_row(card, index)
        return (own,) if own else ()
    rows, cands = [row for row, _ in found], [cand for _, cand in found]
    pool = cands + list(shown)
    scores = rank_sentences(question, pool, WithSentences(result, pool), index)
    best = max(scores) if len(scores) else 0.0
    scores = scores[:len(rows)]
    card_first = letters(card.sentences[0].text) if card and card.sentences else ""
    order = sorted(range(len(rows)), key=lambda i: (not _holds(rows[i], card_first), -scores[i]))
    margin = LIST_MARGIN if question.asks[:1] == ("duty",) else ROW_MARGIN
    chosen = [i for i in order if _holds(rows[i], card_first) or scores[i] >= best - margin]
    if question.party:
        chosen.sort(key=lambda i: (not _holds(rows[i], card_first), rows[i]["actor"] not in (question.party, "Felles")))
    chosen = chosen[:MAX_ROWS]
    # A row that names its party by its part in a handover ("Partneren som avgir oppgaven …")
    # is the side the question hands the task over from, as on the card.
    table = [Duty(**{**rows[i], "actor": role_party(rows[i]["duty"], question) or rows[i]["actor"]}) for i in chosen]
    if not any(_holds(rows[i], card_first) for i in chosen) and (own := _card_row(card, index)):
        table = [own] + table[:MAX_ROWS - 1]
    return tuple(table)


def _card_row(card: Card | None, index) -> Duty | None:
    """The card's first sentence as a row of the card's party, when it was not extracted as a
    duty row ("… er det denne som skal rekvirere transport", "… dvs hos fastlegen", "Forslag om
    overføring av oppgave sendes helsefellesskapets sekretariat."): in a question about duties
    the row that answers it comes first. Not from a document that binds no one."""
    if card is None or not card.sentences or card.party is None:
        return None
    first = card.sentences[0]
    chunk = index.chunks_by_id.get(first.chunk_id)
    section = index.sections.get(chunk.section_id) if chunk is not None else None
    info = index.documents.get(section.doc_id) if section is not None else None
    if section is None or info is None or info.background:
        return None
    return duty_row(card.party, first.text, section, info)


# A sibling duty block the search did not return ranks a little below the excerpt it belongs to.
SIBLING_SHARE = 0.9


def _rows_near(hits: list[Hit], index) -> list[tuple[dict, int, float]]:
    """Duty rows of the shown excerpts' sections and their sibling duty blocks, each once, with
    the rank and score of the excerpt they belong to (so the ranker reads them as it reads
    that excerpt's sentences)."""
    seen: set[str] = set()
    rows = []
    for rank, hit in enumerate(hits, start=1):
        for section_id in index.related_sections(hit.chunk.section_id):
            share = 1.0 if section_id == hit.chunk.section_id else SIBLING_SHARE
            for row in index.duties_by_section.get(section_id, []):
                if row["duty"] not in seen:
                    seen.add(row["duty"])
                    rows.append((row, rank, hit.score * share))
    return rows


def _as_candidate(row: dict, rank: int, score: float, index) -> Candidate | None:
    """A duty row as a sentence of the passage it stands in (None if its section has none)."""
    place = _place(row, index)
    if place is None:
        return None
    chunk, position = place
    block = index.sections[row["section_id"]].actor if row["section_id"] in index.sections else None
    return Candidate(row["duty"], rank, chunk, position, row["actor"], block, score)


def _place(row: dict, index):
    """The passage a duty row stands in and its sentence number there, found once per index."""
    places = index.derived("duty_places", dict)
    key = (row["section_id"], row["duty"])
    if key not in places:
        duty = letters(row["duty"])
        chunks = index.chunks_by_section.get(row["section_id"], ())
        chunk = next((c for c in chunks if duty[:60] and duty[:60] in letters(c.text)), chunks[0] if chunks else None)
        position = 0 if chunk is None else next(
            (i for i, text in enumerate(chunk_sentences(chunk.text)) if letters(text) in duty), 0)
        places[key] = None if chunk is None else (chunk, position)
    return places[key]


def _holds(row: dict, sentence_letters: str) -> bool:
    body = letters(row["duty"])
    return bool(sentence_letters) and (sentence_letters in body or (len(body) > 30 and body in sentence_letters))


def restates(row: Duty, card: Card | None) -> bool:
    """Whether a row says what a card sentence already says (the text output prints it once)."""
    if card is None:
        return False
    body = letters(row.duty)
    return any(letters(s.text) and (letters(s.text) in body or body in letters(s.text)) for s in card.sentences)

