"""The answer card: the sentence that states what the question asks for, first, then at most two
more: the second part of a two-part question, the exception beside a rule, the text a pointer
("se punkt 4.2") leads to, or the next best sentence. Every sentence is copied from a shown
excerpt; only labels (the party, "brev – ikke bindende") are ours.

Sentences are ranked over all shown excerpts by a linear model over generic features (the
language model's match of the sentence, the stored passage questions whose quote it holds, the
question's words, whether the sentence supplies the kind of answer asked for and names the party
asked about, where it stands). Its weights are data (`assistant/data/card_ranker.json`), learned
by `python -m evals.train_card` from the passage questions of `corpus/questions.jsonl`, whose
quotes mark the sentence that answers each: supervision no eval set was written from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from assistant.answer.understand import OTHER_SIDE, REVERSE, ask_part, party_mentions
from assistant.corpus.chunk import chunk_sentences
from assistant.corpus.duties import (
    PLACEHOLDER,
    find_deadline,
    find_legal_ref,
    is_duty_text,
    split_clauses,
    subject_party,
)
from assistant.corpus.supplies import DURATION, NUMBER, POINTER, SUPPLIES, traits
from assistant.models import Card, CardSentence, Chunk, DocumentInfo, Hit, Question
from assistant.search.lexical import fold_particle_verbs, terms
from assistant.search.questions import letters

MAX_CARD_SENTENCES = 3
# How much a sentence's share of the question's words counts when choosing the sentence for a
# second part of the question, against the ranker's score (a few units apart between sentences).
PART_FOCUS_WEIGHT = 5.0
CONTENT_MARGIN = 2.0
CRISP_KINDS = ("duration", "amount", "contact", "legal_basis")

# A rule's exception or contrast, in the sentence after it (or before it, when the rule opens
# by pointing back: "Dette gjelder ikke …").
_EXCEPTION = re.compile(r"^(?:unntak\w*|unntatt|dette gjelder ikke|det gjelder ikke|derimot|likevel|men\b|med mindre|"
                        r"dersom\b[^.]*\bikke\b|hvis\b[^.]*\bikke\b|i de tilfeller|ved (?:behov|uenighet)|"
                        r"der\b[^.]*\bikke\b)|\b(?:unntak\w*|unntatt|med mindre|derimot|gjelder ikke|bortsett fra)\b",
                        re.I)
_POINTS_BACK = re.compile(r"^(?:dette|denne|disse|det|slik|slike|her|da|samme|også)\b", re.I)
_POINT_WORD = re.compile(r"^(?:punkt|pkt\.?|kapittel|kap\.?|avsnitt)\s*", re.I)
_BACKGROUND_LABEL = {"møtedokument": "møtedokument", "høringsinnspill": "høringsinnspill", "statutter": "statutter",
                     "brev": "brev", "rapport": "rapport"}
_BACKGROUND_LABEL_EN = {"møtedokument": "meeting paper", "høringsinnspill": "consultation response",
                        "statutter": "statutes", "brev": "letter", "rapport": "report"}

FEATURES = (
    "cos", "cos_gap", "cos_top", "span_gap", "span_top", "has_span", "lex", "focus", "heading_focus",
    "idf", "idf_ask", "fragment", "chunk_cos",
    "exc1", "exc_inv", "hit_score", "first", "pos", "len", "short", "lead_in", "pointer", "background", "national",
    "m_party", "m_duty", "m_deadline", "m_duration", "m_amount", "m_cost", "m_legal_basis", "m_content", "m_permission",
    "m_definition", "m_procedure", "m_negation", "party_same", "party_other", "party_none", "no_asks",
    "mentions_party", "mentions_other", "nearest_vote",
)


@dataclass(frozen=True)
class Candidate:
    """A sentence of a shown excerpt: where it stands and whose it is."""

    text: str
    rank: int  # the excerpt's number
    chunk: Chunk
    position: int  # its number among its chunk's sentences
    party: str | None  # named as the subject, else the duty block's
    block: str | None  # the duty block's party
    hit_score: float


# A line of a table of contents ("2.1 Oppgave- og ansvarsfordeling … 2.2 Retningslinjer for …")
# lists headings; it states nothing a card or a duty table could quote.
_CONTENTS = re.compile(r"(?:^|\s)\d+(?:\.\d+)+\.?\s+[A-ZÆØÅ]")


def is_contents(text: str) -> bool:
    return len(_CONTENTS.findall(text)) >= 2


def candidates(groups: list[list[Hit]], index) -> list[Candidate]:
    """Every sentence of every shown excerpt, in excerpt order (not a table of contents)."""
    out: list[Candidate] = []
    seen: set[str] = set()
    for rank, group in enumerate(groups, start=1):
        for hit in sorted(group, key=lambda h: h.chunk.id):
            chunk = hit.chunk
            info = index.documents.get(chunk.doc_id)
            hospital = info.hospital if info else "UNN"
            for position, text in enumerate(chunk_sentences(chunk.text)):
                key = letters(text)
                if key in seen or not _quotable(text):
                    continue
                seen.add(key)
                party = subject_party(text, hospital) or chunk.actor
                out.append(Candidate(text, rank, chunk, position, party, chunk.actor, hit.score))
    return out


def _quotable(text: str) -> bool:
    """Not a line of a table of contents, nor a template's blank ("XX kommune har organisert
    sitt ØHD-tilbud slik: (KOMMUNENS BESKRIVELSE AV TILBUDET)")."""
    return not is_contents(text) and not PLACEHOLDER.search(text)


def section_candidates(groups: list[list[Hit]], index, shown: list[Candidate]) -> list[Candidate]:
    """The sentences of the shown sections' other passages (a second part of a question may be
    answered a little further on in a section the excerpts show)."""
    seen = {letters(c.text) for c in shown}
    shown_chunks = {h.chunk.id for group in groups for h in group}
    out: list[Candidate] = []
    for rank, group in enumerate(groups, start=1):
        for chunk in index.chunks_by_section.get(group[0].chunk.section_id, ()):
            if chunk.id in shown_chunks:
                continue
            info = index.documents.get(chunk.doc_id)
            for position, text in enumerate(chunk_sentences(chunk.text)):
                if letters(text) not in seen and _quotable(text):
                    seen.add(letters(text))
                    party = subject_party(text, info.hospital if info else "UNN") or chunk.actor
                    out.append(Candidate(text, rank, chunk, position, party, chunk.actor, 0.0))
    return out


class WithSentences:
    """A search result with the language model's match of more passages' sentences than the
    search returned (a sibling duty block, the rest of a section)."""

    def __init__(self, result, cands: list[Candidate]):
        self._result = result
        extra: dict[str, float] = {}
        for chunk in {c.chunk.id: c.chunk for c in cands if c.chunk is not None}.values():
            extra.update(result.sentence_scores(chunk))
        match = {**extra, **result.sentence_match}
        for c in cands:  # a duty row may hold several sentences: its best one's match
            if c.text not in match:
                body = letters(c.text)
                inside = [v for text, v in match.items() if letters(text) and letters(text) in body]
                if inside:
                    match[c.text] = max(inside)
        self.sentence_match = match

    def __getattr__(self, name):
        return getattr(self._result, name)


def feature_matrix(question: Question, cands: list[Candidate], result, index,
                   asks: tuple[str, ...] | None = None) -> np.ndarray:
    """One row of FEATURES per candidate, from the search result (its sentence and stored
    question cosines, its query terms)."""
    sentence_match, answer_spans = result.sentence_match, result.answer_spans
    asks = question.asks if asks is None else asks
    weight = {kind: (1.0 if i == 0 else 0.5) for i, kind in enumerate(asks)}
    wanted = {_fold(t) for t in result.query_terms}
    focus = set(focus_terms(question))
    aliases = focus_aliases(question)
    ask = set(match_terms(ask_part(question.search_text))) & focus or focus
    if question.interpreted:
        # A follow-up asks what its own words add ("… – må den ha med legemiddellista?"); the
        # earlier question's words are the topic, already in the focus.
        ask = set(match_terms(question.text)) & focus or ask
    idf = stem_idf(index)
    focus_idf = sum(idf.get(s, _IDF_UNKNOWN) for s in focus) or 1.0
    ask_idf = sum(idf.get(s, _IDF_UNKNOWN) for s in ask) or 1.0
    col = {name: i for i, name in enumerate(FEATURES)}
    rows = np.zeros((len(cands), len(FEATURES)), dtype=np.float64)
    if not cands:
        return rows
    profiles = [_profile(c, index) for c in cands]
    rows[:, _STATIC_COLS] = [p.static for p in profiles]
    kind_weight = np.array([max(weight.get(kind, 0.0), weight.get("yesno", 0.0) if kind == "permission" else 0.0)
                            for kind in _KINDS])
    rows[:, _KIND_COLS] = np.array([p.kinds for p in profiles]) * kind_weight
    rows[:, col["m_negation"]] = max(weight.get("permission", 0.0), weight.get("yesno", 0.0)) * np.array(
        [p.negation for p in profiles])
    rows[:, col["m_party"]] = weight.get("party", 0.0) * np.array([c.party is not None for c in cands], dtype=np.float64)
    rows[:, col["no_asks"]] = float(not asks)

    cos = np.array([sentence_match.get(c.text, np.nan) for c in cands], dtype=np.float64)
    cos = np.where(np.isnan(cos), np.nanmin(cos) if np.isfinite(cos).any() else 0.0, cos)
    best_cos = cos.max()
    rows[:, col["cos"]] = cos
    rows[:, col["cos_gap"]] = cos - best_cos
    rows[:, col["cos_top"]] = cos >= best_cos - 1e-9
    spans = _spans(cands, answer_spans, index)
    rows[:, col["span_gap"]] = -0.2
    if spans:
        best_span = max(spans.values())
        at = np.fromiter(spans, dtype=np.intp, count=len(spans))
        value = np.fromiter(spans.values(), dtype=np.float64, count=len(spans))
        rows[at, col["span_gap"]] = value - best_span
        rows[at, col["span_top"]] = value >= best_span - 1e-9
        rows[at, col["has_span"]] = 1.0
    chunk_cos = _chunk_cosines(cands, cos)
    rows[:, col["chunk_cos"]] = [chunk_cos.get(c.chunk.id, 0.0) for c in cands]
    ranks = np.array([c.rank for c in cands], dtype=np.float64)
    rows[:, col["exc1"]] = ranks == 1
    rows[:, col["exc_inv"]] = 1.0 / ranks
    hit = np.array([c.hit_score for c in cands], dtype=np.float64)
    rows[:, col["hit_score"]] = hit / (hit.max() or 1.0)
    rows[:, col["nearest_vote"]] = _nearest_votes(profiles, result.question_cosines, index)

    n_wanted, n_focus = len(wanted) or 1, len(focus) or 1
    lex, cover, cover_idf, cover_ask, heading = (np.zeros(len(cands)) for _ in range(5))
    for i, p in enumerate(profiles):
        words = with_aliases(p.words, aliases)
        shared = focus & words
        lex[i] = len(wanted & words) / n_wanted
        cover[i] = len(shared) / n_focus
        cover_idf[i] = sum(idf.get(s, _IDF_UNKNOWN) for s in shared) / focus_idf
        cover_ask[i] = sum(idf.get(s, _IDF_UNKNOWN) for s in ask & words) / ask_idf
        if p.heading is not None:
            heading[i] = len(focus & p.heading) / n_focus
    rows[:, col["lex"]], rows[:, col["focus"]], rows[:, col["heading_focus"]] = lex, cover, heading
    rows[:, col["idf"]], rows[:, col["idf_ask"]] = cover_idf, cover_ask
    if question.party:
        named = [_parties_named(c.text) for c in cands]
        rows[:, col["mentions_party"]] = [question.party in n for n in named]
        rows[:, col["mentions_other"]] = [bool(n) and question.party not in n for n in named]
        rows[:, col["party_same"]] = [c.party == question.party for c in cands]
        rows[:, col["party_other"]] = [c.party is not None and c.party != question.party and c.party != "Felles"
                                       for c in cands]
        rows[:, col["party_none"]] = [c.party is None for c in cands]
    return rows


# The answer kinds a sentence may supply, as the ranker's m_<kind> features weigh them.
_KINDS = ("duty", "deadline", "duration", "amount", "cost", "legal_basis", "content", "permission", "definition",
          "procedure")
_KIND_COLS = [FEATURES.index(f"m_{kind}") for kind in _KINDS]
# Features of the sentence and where it stands, whatever the question.
_STATIC = ("fragment", "first", "pos", "len", "short", "lead_in", "pointer", "background", "national")
_STATIC_COLS = [FEATURES.index(name) for name in _STATIC]


@dataclass(frozen=True)
class _Profile:
    """What the ranker reads of a sentence whatever the question: found once per sentence and index."""

    static: tuple[float, ...]  # in _STATIC order
    kinds: tuple[float, ...]  # the kinds of answer it supplies, in _KINDS order
    negation: float
    words: frozenset[str]
    heading: frozenset[str] | None  # its section heading's terms
    body: str  # its letters


def _profile(c: Candidate, index) -> _Profile:
    table = index.derived("sentence_profiles", dict)
    key = (c.chunk.id, c.position, c.text)
    found = table.get(key)
    if found is None:
        found = table[key] = _read_profile(c, index)
    return found


def _read_profile(c: Candidate, index) -> _Profile:
    found = traits(c.text)
    section = index.sections.get(c.chunk.section_id)
    info = index.documents.get(c.chunk.doc_id)
    heading_ref = section is not None and find_legal_ref(" ".join(section.path)) is not None
    static = (found["fragment"], float(c.position == 0), min(c.position, 10) / 10, min(len(c.text), 400) / 400,
              float(len(c.text) < 50), float(is_lead_in(c)), found["pointer"], float(bool(info and info.background)),
              float(bool(info and info.national)))
    kinds = tuple(1.0 if kind == "legal_basis" and heading_ref else found[kind] for kind in _KINDS)
    heading = frozenset(sentence_terms(" ".join(section.path))) if section is not None else None
    return _Profile(static, kinds, found["negation"], frozenset(sentence_terms(c.text)), heading, letters(c.text))


def _about(c: Candidate) -> set[str]:
    """A sentence's terms with those of the sentence it points back to ("Meldingen skal sendes
    …" after "Melding om utskrivningsklar pasient skal inneholde …", "Dette gjelder også …"):
    it is about what that sentence names."""
    words = set(sentence_terms(c.text))
    if (before := _antecedent(c)) is not None:
        words |= set(sentence_terms(before))
    return words


_DEFINITE = re.compile(r"^(?P<word>[A-ZÆØÅ][a-zæøå]{3,}(?:en|et|a|ene|ane|na))\b")


def _antecedent(c: Candidate) -> str | None:
    """The sentence before one that points back to it: by "dette", "denne" … (its `referent`)
    or by opening with the definite form of a word that sentence names ("Meldingen" after
    "Melding om …")."""
    if (before := referent(c)) is not None:
        return before
    opening = _DEFINITE.match(c.text)
    if c.position == 0 or opening is None or _parties_named(opening.group("word")) \
            or opening.group("word").lower().startswith("pasient"):
        return None
    before = _sentence_at(c.chunk.text, c.position - 1)
    stem = match_terms(opening.group("word"))
    return before if before is not None and stem and stem[0] in set(sentence_terms(before)) else None


_IDF_UNKNOWN = 8.0
_PARTY_NAMES = (("UNN", re.compile(r"\b(?:UNN|sykehuset|helseforetaket|spesialisthelsetjenesten|utskrivende enhet)\b", re.I)),
                ("Kommunen", re.compile(r"\b(?:kommunen|kommunene|kommunal\w*|fastlegen|hjemmetjenesten|"
                                        r"hjemmesykepleien|helsestasjon\w*)\b", re.I)),
                ("Felles", re.compile(r"\b(?:partnerne|partene|begge)\b", re.I)))


@lru_cache(maxsize=8192)
def _parties_named(text: str) -> frozenset[str]:
    """The parties a sentence names anywhere (not only as its subject)."""
    return frozenset(party for party, rx in _PARTY_NAMES if rx.search(text))


def stem_idf(index) -> dict[str, float]:
    """Inverse frequency of each stem in the documents (log of words over occurrences), so a
    rare word shared with the question counts more than a common one. Computed once per index."""
    return index.derived("stem_idf", lambda: _count_stem_idf(index.lexical.vocabulary))


def _count_stem_idf(vocabulary: dict[str, int]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for word, n in vocabulary.items():
        for stem in match_terms(word):
            counts[stem] = counts.get(stem, 0) + n
    total = sum(counts.values()) or 1
    return {stem: float(np.log(total / (1 + n))) for stem, n in counts.items()}


def _chunk_cosines(cands: list[Candidate], cos: np.ndarray) -> dict[str, float]:
    """Each chunk's best sentence cosine, relative to the best chunk's."""
    best: dict[str, float] = {}
    for c, value in zip(cands, cos):
        best[c.chunk.id] = max(best.get(c.chunk.id, -1.0), float(value))
    top = max(best.values(), default=0.0)
    return {k: v - top for k, v in best.items()}


@lru_cache(maxsize=8192)
def sentence_terms(text: str) -> tuple[str, ...]:
    return tuple(match_terms(text))


def _fold(stem: str) -> str:
    """A stem without the vowel the stemmer leaves on some forms and not others ("faktura" →
    "faktur" but "fakturaen" → "faktura"), so the forms of one word match."""
    if len(stem) >= 5 and stem[-1] in "ae" and stem[-2] not in "aeiouyæøå<>":
        return stem[:-1]
    return stem


def match_terms(text: str) -> list[str]:
    """The text's search terms as the card and the coverage compare them (see _fold)."""
    return [_fold(t) for t in terms(fold_particle_verbs(text))]


@lru_cache(maxsize=256)
def focus_aliases(question: Question) -> dict[str, frozenset[str]]:
    """The documents' word for each of the question's focus words that the glossary translates
    (its expansion's first word: "discharge" → "utskrivning", "ØHD" → "døgnopphold"; the rest
    are related words for the search): each of its terms maps to the focus terms it stands for,
    so a sentence in the documents' words holds the question's focus (an English question's own
    words meet no Norwegian sentence). The glossary was read with the question's words."""
    return glossary_aliases(question, frozenset(focus_terms(question)))


def glossary_aliases(question: Question, wanted: frozenset[str]) -> dict[str, frozenset[str]]:
    """The documents' word (as terms) for each of `wanted` (the question's terms) that the
    glossary translates, mapped to the terms it stands for."""
    aliases: dict[str, set[str]] = {}
    for term, expansion in question.words.glossary:
        stands_for = wanted & set(match_terms(term))
        for alias in match_terms(expansion.split()[0]) if expansion.split() else ():
            if stands_for and not alias.startswith("<") and not alias.endswith(">") and alias not in wanted:
                aliases.setdefault(alias, set()).update(stands_for)
    return {alias: frozenset(terms_) for alias, terms_ in aliases.items()}


def with_aliases(words: set[str], aliases: dict[str, frozenset[str]]) -> set[str]:
    """A sentence's terms, with the focus terms that the glossary words it holds stand for."""
    return words.union(*(aliases[w] for w in words if w in aliases)) if aliases else words


def focus_terms(question: Question) -> tuple[str, ...]:
    """The question's focus words as search terms (the ranker, a second part's sentence and
    the clause asked about all read them)."""
    return sentence_terms(" ".join(f.word for f in question.focus))




NEAREST = 10  # stored questions that vote
NEAREST_SHARPNESS = 30.0  # how fast a vote fades with the cosine's distance from the nearest's


def _nearest_votes(profiles: list[_Profile], cosines, index) -> np.ndarray:
    """Votes of the stored questions nearest to this one, over the whole corpus: each votes
    for the sentences (given by their profiles) holding its quote, by how close it is to the
    nearest (scaled to 1)."""
    votes = np.zeros(len(profiles))
    quotes = index.question_quotes
    if cosines is None or not quotes or not profiles:
        return votes
    k = min(NEAREST, len(cosines))
    nearest = np.argpartition(-cosines, k - 1)[:k]
    nearest = nearest[np.argsort(-cosines[nearest], kind="stable")]
    top = float(cosines[nearest[0]])
    bodies = [p.body for p in profiles]
    for j in nearest:
        quote = _letters(quotes[j])
        if not quote:
            continue
        weight = float(np.exp(NEAREST_SHARPNESS * (cosines[j] - top)))
        for i, body in enumerate(bodies):
            if quote in body or (len(body) > 20 and body in quote):
                votes[i] += weight
    return votes / votes.max() if votes.max() > 0 else votes


_letters = lru_cache(maxsize=65536)(letters)  # the same quotes come back question after question


def _spans(cands: list[Candidate], answer_spans: dict[str, float], index) -> dict[int, float]:
    """Candidate number → the best cosine of a stored question whose quote (the words that
    answer it) lies in that sentence or covers it."""
    if not answer_spans:
        return {}
    scores: dict[str, float] = {}
    for quote, score in answer_spans.items():
        key = _letters(quote)
        scores[key] = max(score, scores.get(key, -1.0))
    found: dict[int, float] = {}
    for i, c in enumerate(cands):
        held = [scores[q] for q in _quotes_in(c, index) if q in scores]
        if held:
            found[i] = max(held)
    return found


def _quotes_in(c: Candidate, index) -> tuple[str, ...]:
    """The stored questions' quotes (as letters) that a sentence holds or that cover it. A quote
    is attached to the passage that holds it, so only the quotes of the sentence's own section
    are compared; found once per sentence and index."""
    table = index.derived("quotes_in", dict)
    key = (c.chunk.section_id, c.text)
    if key not in table:
        body = letters(c.text)
        table[key] = tuple(q for q in _section_quotes(index).get(c.chunk.section_id, ())
                           if body and (q in body or body in q))
    return table[key]


def _section_quotes(index) -> dict[str, tuple[str, ...]]:
    def build() -> dict[str, tuple[str, ...]]:
        found: dict[str, set[str]] = {}
        for quote, owner in zip(index.question_quotes or (), index.question_owner if index.question_owner is not None
                                else ()):
            found.setdefault(index.chunks[int(owner)].section_id, set()).add(letters(quote))
        return {section: tuple(sorted(quotes - {""})) for section, quotes in found.items()}

    return index.derived("section_quotes", build)


@lru_cache(maxsize=4)
def _ranker_data(path: str | None = None) -> dict:
    if path:
        return json.loads(open(path, encoding="utf-8").read())
    return json.loads(resources.files("assistant.data").joinpath("card_ranker.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def load_weights(path: str | None = None) -> np.ndarray:
    """The ranker's weights, in FEATURES order (a feature the file lacks weighs nothing)."""
    weights = _ranker_data(path)["weights"]
    return np.array([float(weights.get(name, 0.0)) for name in FEATURES], dtype=np.float64)


def rank_sentences(question: Question, cands: list[Candidate], result, index, asks=None,
                   weights: np.ndarray | None = None) -> np.ndarray:
    """Each candidate's score (higher answers better)."""
    if not cands:
        return np.zeros(0)
    X = feature_matrix(question, cands, result, index, asks)
    return X @ (load_weights() if weights is None else weights)


def build_card(question: Question, groups: list[list[Hit]], result, index, english: bool = False,
               cands: list[Candidate] | None = None, scores: np.ndarray | None = None) -> Card | None:
    """The card for a question over its shown excerpts (None when they hold no sentence); the
    candidates and their scores may be given when already computed."""
    cands = candidates(groups, index) if cands is None else cands
    if not cands:
        return None
    scores = rank_sentences(question, cands, result, index) if scores is None else scores
    margins = load_margins()
    first = choose_main(question, cands, scores, index, margins)
    main = cands[first]
    chosen: list[tuple[Candidate, str]] = [(main, "answer")]
    target = _pointer_target(main, index, result) if POINTER.search(main.text) else None
    if target is not None:
        chosen.append((target, "pointer"))
    exception = _exception_beside(main, cands)
    if exception is not None:
        chosen.append(exception)
    items = [c for c in cands if c.chunk.id == main.chunk.id and c.position > main.position] if is_lead_in(main) else []
    if items and len(chosen) < MAX_CARD_SENTENCES:
        # A lead-in ("UNN har ansvar for å sende følgende dokumentasjon:") is read with its
        # first item straight after it, before the answer to another part of the question.
        chosen.append((items.pop(0), "support"))
    for kind in question.asks[1:]:
        if len(chosen) >= MAX_CARD_SENTENCES:
            break
        # A second part of the question is answered by a sentence that states what it asks,
        # wherever it ranks ("… og koster det noe?": a sentence about payment).
        if kind in ("content", "permission", "yesno", "definition", "procedure", "duty"):
            continue  # what every sentence may do: no sentence states it more than the first
        pool = cands + section_candidates(groups, index, cands)
        part = rank_sentences(question, pool, WithSentences(result, pool), index, asks=(kind,))
        strict = {**margins, "supply": float("inf")}
        # Among the sentences that state it, one about the question's own words first.
        focus = set(focus_terms(question))
        overlap = np.array([len(focus & _about(c)) / (len(focus) or 1) for c in pool])
        part = part + PART_FOCUS_WEIGHT * overlap
        i = choose_main(question, pool, part, index, strict, kind, exclude={c.text for c, _ in chosen})
        if i is not None and supplies(pool[i], kind, index):
            chosen.append((pool[i], "part"))
    # After the question's other parts: the lead-in's further items.
    for item in items:
        if len(chosen) >= MAX_CARD_SENTENCES:
            break
        chosen.append((item, "support"))
    for i in np.argsort(-scores, kind="stable"):
        if len(chosen) >= MAX_CARD_SENTENCES or scores[i] < scores[first] - margins["support"]:
            break
        if all(cands[i].text != c.text for c, _ in chosen) and is_duty_text(cands[i].text) and not is_lead_in(cands[i]):
            chosen.append((cands[i], "support"))  # a whole statement, not a lead-in or a heading
    sentences = tuple(_card_sentence(c, role, index, english, question) for c, role in chosen[:MAX_CARD_SENTENCES])
    return _card(question, sentences, index, main)


def is_lead_in(c: Candidate) -> bool:
    """A sentence that introduces a list ("… skal inneholde:"), in its passage's own text."""
    text = c.text.rstrip()
    if text.endswith(":"):
        return True
    at = c.chunk.text.find(text) if c.chunk is not None else -1
    if at < 0:
        return False
    rest = c.chunk.text[at + len(text):]
    # "… skal inneholde:" or "… skal inneholde" followed by its list ("  – pasientens …").
    return rest.lstrip(" \t").startswith(":") or (not text.endswith((".", "!", "?"))
                                                   and re.match(r"[ \t]*\n[ \t]*[–•-]", rest) is not None)


# "What does it cost?" is answered by a sentence saying that nothing may be charged.
FREE_OF_CHARGE = re.compile(r"\b(?:gratis|vederlagsfri\w*|kostnadsfri\w*|uten (?:kostnad|vederlag|betaling)\w*)\b|"
                            r"\bikke\b(?:\s+\w+){0,5}?\s+(?:kreve\w*|ta\w*)\s+(?:\w+\s+){0,2}?"
                            r"(?:betal\w*|vederlag\w*|egenandel\w*|kostnad\w*)", re.I)


def supplies(c: Candidate, kind: str, index) -> bool:
    """Whether a sentence states the kind of thing asked for: a party for "who", a time for
    "when", a number for "how much", a paragraph (in it or its heading) for "which law"."""
    if kind == "party":  # its subject or duty block, or the one party it names other than as a recipient
        return c.party is not None or holder_party(c.text) is not None
    if kind == "deadline":
        return bool(find_deadline(c.text) or _TIME.search(c.text) or _TIME_SPAN.search(c.text) or _EVENT.search(c.text))
    if kind == "duration":
        return bool(DURATION.search(c.text) or _TIME_SPAN.search(c.text))
    if kind == "contact":
        return bool(re.search(r"\d{5}|@|\+47|\b\d{2} ?\d{2} ?\d{2} ?\d{2}\b", c.text))
    if kind == "amount":
        return bool(NUMBER.search(c.text) or FREE_OF_CHARGE.search(c.text))
    if kind == "cost":
        return bool(SUPPLIES["cost"].search(c.text))
    if kind == "content":
        return is_lead_in(c) or bool(re.search(r"\b(?:inneholde\w*|omfatte\w*|følgende)\b", c.text, re.I))
    if kind == "legal_basis":
        return bool(_NAMED_LAW.search(c.text) or _cites_paragraph(c, index))
    return True


# A law or regulation named without its paragraph answers "which law" too: "fremgår av «forskrift
# om kommunal betaling for utskrivningsklare pasienter»", "etter spesialisthelsetjenesteloven";
# so does a ministry's circular by its number ("rundskriv I-3/2013").
_NAMED_LAW = re.compile(r"\b(?:[a-zæøå]{4,}(?:loven|lova|forskriften|forskrifta)|(?:forskrift|lov) om [a-zæøå]{3,}|"
                        r"rundskriv(?:et)?\s+[A-Z]{1,3}\s?-\s?\d+/\d{2,4})\b", re.I)
# How long something lasts, said by its end rather than a number: "ansvaret gjelder inntil
# pasienten har kommet inn i hjemmet", "tas i bruk etter hvert som de blir godkjent".
_TIME_SPAN = re.compile(r"\b(?:inntil|fram til|frem til|helt til|så lenge|etter hvert som|fra det tidspunkt|"
                        r"fra \w+ (?:\w+ ){0,4}til \w+ (?:er|har|blir)|varighet\w*|løper ut)\b", re.I)
# When something happens, said by the event it waits for: "overføres ansvaret til kommunen når
# pasienten er tatt imot av kommunalt personell", "skal signere avtalen når den er formelt godkjent".
_EVENT = re.compile(r"\bnår\s+(?!det\s+gjelder\b)(?:\w+\s+){1,3}?(?:er|blir|har|vert)\s+\w+", re.I)
# Words that say a task is done promptly or by a limit ("innen", "straks", "så snart").
_PROMPTLY = (r"innen|senest|straks|snarest|omgående|umiddelbart|samme dag|så snart|på kort varsel|raskest mulig|"
             r"med en gang|uten (?:ugrunnet|unødig|unødvendig) opphold")
_TIME = re.compile(r"\b\d+\s*(?:timer|time|dager|døgn|dagar|uker|veker|måneder|månader|år|virkedager|minutter)\b|"
                   r"\bkl\.?\s*\d|\b\d{1,2}[.:]\d{2}\b|\b\d{1,2}\s*[-–]\s*\d{1,2}\b|"
                   rf"\b(?:{_PROMPTLY}|fortløpende|årlig|månedlig|ukentlig|så tidlig|før|ved innleggelse|"
                   r"ved utskrivning|fra og med|til og med|virkedag\w*|helg\w*|døgnet|så raskt som mulig)\b|"
                   # How often: "en gang pr. år", "to ganger i året", "hvert halvår", "kvartalsvis".
                   r"\b(?:en|én|ei|ein|eitt|ett|to|tre|fire|\d+)\s+gang(?:er|ar)?\s+(?:pr\.?|per|i|hvert|kvart)\b|"
                   r"\b(?:hvert|kvart|annethvert|annakvart)\s+(?:år|halvår|kvartal|måned|månad)\b|"
                   r"\b(?:halvårlig|kvartalsvis|daglig|dagleg)\b", re.I)


_TIME_OF_DAY_ASKED = re.compile(r"\b(?:når|kva tid|hvilken tid|hvilket tidspunkt|kva tidspunkt|what time|which time)\b"
                                r"[^?]*?\b(?:på døgnet|på dagen|på døgeret|klokka|klokken|klokkeslett|tidspunkt|"
                                r"of (?:the )?day|o'clock)\b|\bklokkeslett\b|\bwhat time of day\b", re.I)
_CLOCK = re.compile(r"\bkl\.?\s*\d|\bklokk(?:a|en)\s*\d|\b\d{1,2}[.:]\d{2}\b|\b(?:mellom|fra)\s+(?:kl\.?\s*)?\d{1,2}\s*"
                    r"(?:[-–]|og|til)\s*\d{1,2}\b|\b\d{2}\s*[-–]\s*\d{2}\b", re.I)


# "Hvor raskt / innen hvor lang tid …?" asks how soon: a sentence that says it ("seinest innen 24
# timer", "straks", "så snart som mulig", "på virkedager mellom 08-15"), not one that only places
# it before something else.
_HOW_SOON_ASKED = re.compile(r"\b(?:hvor|kor)\s+(?:raskt|fort|snart|tidlig|tidleg)\b|\binnen hvor\b|"
                            r"\bhow (?:quickly|soon|fast|early)\b|\bwithin how\b", re.I)
# Times the supply margin: how far below the best a sentence that states a crisp rule asked for
# (how soon something is done, whether a charge may be made) may rank and still come first.
FURTHER_MARGIN = 2.0
_SOON = re.compile(r"\b\d+\s*(?:timer|time|dager|døgn|dagar|uker|veker|virkedager|minutter|hours?|days?)\b|"
                   rf"\b(?:{_PROMPTLY}|seinast|seinest|så raskt|snarast)\b", re.I)


# "Hvor ofte …?" asks how often: a sentence that says it ("årlig", "en gang pr. år", "hvert
# halvår", "jevnlig"), not one that only gives a deadline or a duty.
_HOW_OFTEN_ASKED = re.compile(r"\b(?:hvor|kor) ofte\b|\bhow often\b|\b(?:hvor|kor) mange (?:ganger|gonger)\b|"
                              r"\bhow many times\b|\bhow frequently\b", re.I)
_FREQUENCY = re.compile(r"\b(?:årlig\w*|årleg\w*|månedlig\w*|månadleg\w*|ukentlig\w*|vekentleg\w*|daglig\w*|dagleg\w*|"
                        r"halvårlig\w*|kvartalsvis|jevnlig\w*|jamleg\w*|regelmessig\w*|fortløpende|"
                        r"(?:en|én|ei|ein|eitt|ett|to|tre|fire|\d+)\s+gang(?:er|ar)?\s+(?:pr\.?|per|i|hvert|kvart|om)|"
                        r"(?:hvert|kvart|annethvert|annakvart|hver|kvar)\s+(?:år|halvår|kvartal|måned|månad|uke|veke|dag))\b",
                        re.I)


# A question for who decides, and a sentence that says where a thing is decided.
_DECIDER_ASKED = re.compile(r"\b(?:hvem|kven|who|whose|hvilket organ|kva organ|which body)\b[^?]*?\b(?:bestemmer|bestem|"
                            r"avgjør|avgjer|vedtar|vedtek|godkjenner|godkjenn|beslutter|decides?|approves?|final say)\b",
                            re.I)
_DECIDES = re.compile(r"\b(?:vedta\w*|vedtek\w*|beslutt\w*|avgjør\w*|avgjer\w*|bestemme\w*|godkjen\w*|vurdere\w*)\b",
                      re.I)
# A question for what follows from something, and a rule that opens with its condition.
_WHAT_HAPPENS_ASKED = re.compile(r"\b(?:hva|kva|what)\s+(?:skjer|skjer det|hender|happens|will happen)\b", re.I)
_CONDITION = re.compile(r"^(?:dersom|hvis|om|når|ved)\b", re.I)
# A rule said to go both ways.
_BOTH_WAYS = re.compile(r"\b(?:begge veier|begge vegar|begge veger|begge retninger|gjensidig\w*|motsatt vei|omvendt)\b", re.I)
# A follow-up that changes the situation: "Hva om …?", "Og hvis …?", "What if …?".
_WHAT_IF = re.compile(r"^\W*(?:(?:og|men|and|but)\s+)?(?:hva om|kva om|hvis|viss|dersom|what if|if)\b", re.I)
# A kind of legal source asked for ("hvilket rundskriv", "which regulation"), and its name in a sentence.
_SOURCE_KINDS = ((re.compile(r"\b(?:rundskriv\w*|circulars?)\b", re.I), re.compile(r"\brundskriv\w*", re.I)),
                 (re.compile(r"\b(?:forskrift\w*|regulations?)\b", re.I), re.compile(r"\bforskrift\w*", re.I)))
# Whether a charge may be made: "kan kreve betaling", "vederlag kan ikke kreves", "egenandel tas".
_CHARGE_RULE = re.compile(r"\b(?:kreve\w*|ta|tar|tas|fakturere\w*|belaste\w*|betale\w*)\s+(?:\w+\s+){0,4}?"
                          r"(?:betaling\w*|vederlag\w*|egenandel\w*|gebyr\w*|for)\b|"
                          r"\b(?:betaling|vederlag|egenandel\w*|gebyr)\s+(?:\w+\s+){0,2}?(?:kreves|tas|dekkes|faktureres)\b", re.I)
_PARAGRAPH_ASKED = re.compile(r"\b(?:paragraf\w*|paragraph\w*|section|§)", re.I)


# A sentence that says what something means: "Med smittevern menes …", "… innebærer en
# tverrfaglig tjeneste …", "Med «barn og unge» siktes det ikke til …", "En pasient er
# utskrivningsklar når …".
_DEFINES = re.compile(r"\b(?:menes|meines|siktes|defineres|definert som|forstås|innebærer|inneber|vil si|er \w+ når)\b", re.I)


# The question's own words for asking what something means ("betyr", "innebærer", "mean").
_MEANING = re.compile(r"^(?:bety|innebær|inneb|mene|mean|defin|sikt|forstå)")


def _rarest_term(question: Question, index) -> str | None:
    """The question's rarest focus term the documents have, as written or through the
    glossary ("USK" → "utskrivningsklar"): what a definition must be of."""
    idf = stem_idf(index)
    rarity = {t: idf[t] for t in focus_terms(question) if t in idf and not _MEANING.match(t)}
    for alias, stands_for in focus_aliases(question).items():
        for t in stands_for:
            if alias in idf:
                rarity[t] = max(rarity.get(t, 0.0), idf[alias])
    return max(rarity, key=rarity.get) if rarity else None


def _cites_paragraph(c: Candidate, index) -> bool:
    section = index.sections.get(c.chunk.section_id)
    return bool(find_legal_ref(c.text) or (section and find_legal_ref(" ".join(section.path))))


def _rarest_own_term(question: Question, index) -> str | None:
    """The rarest term of the question's own words (not "i stedet", "da"), compound parts aside."""
    idf = stem_idf(index)
    words_ = [t for t in match_terms(question.text) if t not in _question_word_terms() and not t.startswith("<")
              and not t.endswith(">")]
    return max(words_, key=lambda t: idf.get(t, _IDF_UNKNOWN)) if words_ else None


def _adds_topic(question: Question, index, rarest: str | None = None) -> bool:
    """Whether a follow-up's rarest own word (`rarest`, when already found) is new to the
    conversation ("Må det vere lege i psykisk helsevern òg?" after a question on the patient's
    doctor): it asks about that."""
    if question.turns_to_party or not question.history:
        return False
    rarest = rarest or _rarest_own_term(question, index)
    return rarest is not None and rarest not in set(match_terms(" ".join(question.history)))


@lru_cache(maxsize=1)
def _question_word_terms() -> frozenset[str]:
    """The terms of the words that say what kind of question it is, not what it is about."""
    from assistant.answer.understand import _NOT_FOCUS

    return frozenset(match_terms(" ".join(_NOT_FOCUS)))


def choose_main(question: Question, cands: list[Candidate], scores: np.ndarray, index, margins: dict,
                kind: str | None = None, exclude: set[str] = frozenset()) -> int | None:
    """The sentence to state first: the best one that supplies the kind of thing asked for and,
    when the question is about one party, is that party's, as long as its score is within a
    margin of the best (the margins are calibrated with the ranker); else the best."""
    kind = kind or (question.asks[0] if question.asks else None)
    order = [int(i) for i in np.argsort(-scores, kind="stable") if cands[int(i)].text not in exclude]
    if not order:
        return None
    best = scores[order[0]]
    further = best - FURTHER_MARGIN * margins["supply"]  # how far down a crisp rule asked for may rank
    turns = question.turns_to_party
    if kind == "content":
        # What something must contain is a list: its lead-in, with its items after it. Too few
        # tuning questions ask this to calibrate a margin; this one keeps a lead-in within the
        # range where the ranker's first few sentences of an excerpt lie.
        lists = [i for i in order if scores[i] >= best - CONTENT_MARGIN and is_lead_in(cands[i])
                 and (not turns or cands[i].party == question.party)]
        if lists:
            return lists[0]
    # A crisp detail (a duration, a number, a phone number, a paragraph) answers only where it
    # is stated, however the ranker scores the sentence; the softer kinds within the margin.
    margin = float("inf") if kind in CRISP_KINDS or (kind == "duty" and question.party) else margins["supply"]
    wanted = [i for i in order if scores[i] >= best - margin and (kind is None or supplies(cands[i], kind, index))]
    if kind == "deadline" and _TIME_OF_DAY_ASKED.search(question.search_text):
        # "Når på døgnet …?" asks a time of day: a sentence that gives one ("mellom kl. 8-14").
        wanted = [i for i in wanted if _CLOCK.search(cands[i].text)] or wanted
    elif kind == "deadline" and _HOW_OFTEN_ASKED.search(question.search_text):
        # Like a crisp detail: a frequency answers only where it is stated, wherever it ranks.
        wanted = [i for i in order if _FREQUENCY.search(cands[i].text)] or wanted
    elif kind == "party" and "cost" in question.asks:
        # "Hvem betaler (da)?" asks who pays: a sentence on who pays or bears the cost
        # ("Partnerne dekker sine egne kostnader."), before one on who invites whom.
        wanted = [i for i in wanted if supplies(cands[i], "cost", index)] or wanted
    elif kind == "deadline" and _HOW_SOON_ASKED.search(question.search_text):
        soon = [i for i in order if scores[i] >= further
                and (_SOON.search(cands[i].text) or _CLOCK.search(cands[i].text))]
        wanted = soon or wanted
    # A question of a shape whose answer one kind of sentence states is answered by the best
    # such sentence within reach (`further`), before the ranker's best.
    stated = None
    if kind == "party" and _DECIDER_ASKED.search(question.search_text):
        # "Hvem bestemmer …?", "Who has the final say …?" asks who decides: a sentence that
        # says where it is decided ("… skal vedtas i SSU", "… når lege i UNN vurderer …").
        stated = _first_within(order, scores, further, lambda c: _DECIDES.search(c.text), cands)
    if stated is None and _WHAT_HAPPENS_ASKED.search(ask_part(question.search_text)):
        # "Hva skjer da / når fristen går ut?" asks a consequence: the rule that opens with its
        # condition ("Dersom avtalen sies opp, skal ny avtale inngås …").
        focus = set(focus_terms(question))
        stated = _first_within(order, scores, further, lambda c: _CONDITION.match(c.text) and focus & _about(c), cands)
    if stated is None and REVERSE.search(question.text) and not question.turns_to_party:
        # "Kan oppgaver overføres motsatt vei?", "Gjeld det motsett veg òg?" asks whether a rule
        # goes both ways: a sentence that says so ("… kan gå begge veier", "gjensidig ansvar").
        stated = _first_within(order, scores, further, lambda c: _BOTH_WAYS.search(c.text), cands)
    if stated is None and kind in ("permission", "yesno") and "cost" in question.asks:
        # "Kan vi fakturere kommunen for det?" asks whether a charge may be made: a sentence that
        # says so ("Det kan ikke kreves vederlag …"), before one that is only about invoicing.
        # The rule answers whoever asks, so the asker's party does not outrank it.
        stated = _first_within(order, scores, further,
                               lambda c: FREE_OF_CHARGE.search(c.text) or _CHARGE_RULE.search(c.text), cands)
    if stated is not None:
        return stated
    if kind == "legal_basis" and _PARAGRAPH_ASKED.search(question.search_text):
        # "Hvilken paragraf …?" asks the paragraph: a sentence (or its heading) that gives one,
        # before one that only names the law.
        wanted = [i for i in wanted if _cites_paragraph(cands[i], index)] or wanted
    if kind == "legal_basis":
        # "Hvilket rundskriv …?", "Which regulation …?" asks for that kind of source: a sentence
        # that names one, before one that cites a paragraph of a law.
        for asked, named in _SOURCE_KINDS:
            if asked.search(question.search_text):
                wanted = [i for i in wanted if named.search(cands[i].text)] or wanted
    if kind == "definition":
        # "Hva betyr / innebærer …?" is answered by the sentence that says what is meant ("Med
        # smittevern menes …", "… innebærer …"), a little further down than the best if need be.
        rarest, aliases = _rarest_term(question, index), focus_aliases(question)
        defines = _first_within(order, scores, further, lambda c: _DEFINES.search(c.text) and (
            rarest is None or rarest in with_aliases(_about(c), aliases)), cands)
        if defines is not None:
            return defines
    if kind == "amount":
        # "Hvor mange hovedprinsipper …?" is answered by a number of principles ("de fire
        # hovedprinsippene"), not by the first number of another thing ("se retningslinje 9").
        from assistant.answer.coverage import asked_detail, counts

        counted = asked_detail(ask_part(question.search_text)).counted
        if counted:
            wanted = [i for i in wanted if counts(cands[i].text, counted)] or wanted
    pool = wanted or order
    rarest = _rarest_own_term(question, index) if question.interpreted else None
    if rarest and (_WHAT_IF.match(question.text) or _adds_topic(question, index, rarest)):
        # "Hva om han skal til sykehjem da?" after a question on transport home asks about what
        # the follow-up changes: a sentence near the best that holds its rarest own word or the
        # documents' word for it ("sykehjem" → "… til kommunal institusjon …") comes before one
        # that answers the earlier question again, even when only that one states the kind of
        # thing the earlier question asked.
        own = {rarest} | set(glossary_aliases(question, frozenset({rarest})))
        near = [i for i in order if scores[i] >= best - margins["supply"] and own & set(sentence_terms(cands[i].text))]
        pool = near + [i for i in pool if i not in near]
    if question.party and kind in (None, "party", "duty", "deadline", "content", "procedure", "permission", "yesno"):
        # What a party must do is answered by that party's duties, wherever they rank; so is a
        # follow-up that turns to a party in its own words ("og kommunen?", "And the hospital's
        # role?"): it asks that party's side of what was just answered, not the shared part.
        party_margin = float("inf") if kind == "duty" or turns else margins["party"]
        sides = (question.party,) if turns else (question.party, "Felles")
        own = [i for i in pool if cands[i].party in sides and scores[i] >= scores[pool[0]] - party_margin]
        if not own and turns:
            # "Og sykehuset – når skal de tilby koordinator?" asks the hospital's side first: its
            # best sentence on screen, even one that does not state the kind of thing asked (the
            # earlier question's words rank the other side's sentences high).
            own = [i for i in order if cands[i].party in sides]
        if own:
            return own[0]
        if kind == "duty":  # none is the party's own: one that says what falls to it
            named = [i for i in pool if question.party in _parties_named(cands[i].text)]
            if named:
                return named[0]
    return pool[0]


def _first_within(order: list[int], scores: np.ndarray, floor: float, states, cands: list[Candidate]) -> int | None:
    """The best-ranked candidate scoring at least `floor` for which `states(candidate)` holds."""
    return next((i for i in order if scores[i] >= floor and states(cands[i])), None)


@lru_cache(maxsize=4)
def load_margins(path: str | None = None) -> dict:
    data = _ranker_data(path)
    return {"supply": float(data.get("supply_margin", 1.0)), "party": float(data.get("party_margin", 1.0)),
            "support": float(data.get("support_margin", 0.5))}


def referent(c: Candidate) -> str | None:
    """The sentence before one that points back ("Dette utvalget er etablert i …"): what
    "dette" is, is said there."""
    if c.position == 0 or not _POINTS_BACK.match(c.text):
        return None
    return _sentence_at(c.chunk.text, c.position - 1)


@lru_cache(maxsize=4096)
def _sentence_at(chunk_text: str, position: int) -> str | None:
    sentences = chunk_sentences(chunk_text)
    return sentences[position] if position < len(sentences) else None


def _exception_beside(main: Candidate, cands: list[Candidate]) -> tuple[Candidate, str] | None:
    """The sentence right after the rule that qualifies it, or, when the rule opens by pointing
    back ("Dette gjelder …"), the sentence before it."""
    siblings = [c for c in cands if c.chunk.id == main.chunk.id]
    after = next((c for c in siblings if c.position == main.position + 1), None)
    if after is not None and _EXCEPTION.search(after.text):
        return after, "exception"
    before = next((c for c in siblings if c.position == main.position - 1), None)
    if before is not None and _POINTS_BACK.match(main.text):
        return before, "support"
    return None


def _pointer_target(main: Candidate, index, result) -> Candidate | None:
    """The best sentence of the section a pointer names ("se punkt 4.2" in the same document,
    "jf. del 2, punkt 2.2", "se retningslinje 3")."""
    from assistant.answer.ansvar import documents_from_index
    from assistant.corpus.refs import resolve
    from assistant.errors import AvtaleError

    m = POINTER.search(main.text)
    where = m.group("where")
    doc = index.documents.get(main.chunk.doc_id)
    if not re.search(r"\b(?:del|retningslinje|rl)\b", where, re.I) and doc is not None:
        number = _POINT_WORD.sub("", where)
        where = f"{main.chunk.doc_id}:{number}"
    documents = index.derived("documents", lambda: documents_from_index(index))
    try:
        found = resolve(where, documents)
    except AvtaleError:
        return None
    if found.section.id == main.chunk.section_id:
        return None
    # The section and its sub-sections: a numbered section's text often sits in its duty blocks.
    path = found.section.path
    inside = {s.id for s in index.sections.values() if s.doc_id == found.section.doc_id and s.path[:len(path)] == path}
    chunks = [c for c in index.chunks if c.section_id in inside]
    best: Candidate | None = None
    best_score = -2.0
    for chunk in chunks:
        scores = result.sentence_scores(chunk)
        for position, text in enumerate(chunk_sentences(chunk.text)):
            score = scores.get(text, -1.0)
            if best is None or score > best_score:
                party = subject_party(text) or chunk.actor
                best, best_score = Candidate(text, main.rank, chunk, position, party, chunk.actor, 0.0), score
    return best


def _card_sentence(c: Candidate, role: str, index, english: bool, question: Question | None = None) -> CardSentence:
    info = index.documents.get(c.chunk.doc_id)
    label = ""
    if info is not None and info.background:
        kinds = _BACKGROUND_LABEL_EN if english else _BACKGROUND_LABEL
        binding = "not binding" if english else "ikke bindende"
        label = f"{kinds.get(info.kind, info.kind)} – {binding}: {info.short_title}"
    party = c.party
    if role == "answer" and question is not None:
        # "Kommunen dekker X, og UNN dekker Y": the answer is the party of the clause asked about;
        # "Partneren som avgir oppgaven …" is the one the question hands the task over from.
        party = role_party(c.text, question) or _clause_party(c.text, question) or party
    if party is None and role == "answer":
        # The card's first sentence says whose the matter is even when no party is its subject
        # ("Journalplikten forblir i førstelinjen, dvs hos fastlegen"); asked "who", also when
        # it says what the party does without a word of duty.
        party = holder_party(c.text, acting=bool(question and question.asks[:1] == ("party",)))
        party = party or named_party(c.text)
        if party is None and info is not None and info.kind in AGREEMENT_KINDS and _binds_both(c.text):
            party = "Felles"
        if party is None and info is not None and on_duty_topic(c.text, info):
            party = info.duty_holder
    return CardSentence(c.text, c.rank, party, label, role, c.chunk.id)


def on_duty_topic(text: str, info: DocumentInfo) -> bool:
    """Whether a sentence of a document about one party's duty (the manifest's `duty_holder`)
    speaks of that duty: holds a word that begins like one of its `duty_topic` ("veiled":
    "veiledning", "veiledningsplikten"), not only something beside it ("Hvem som anses som
    helsepersonell følger av helsepersonelloven § 3")."""
    return bool(info.duty_holder) and any(re.search(rf"(?<![\w-]){re.escape(word)}", text, re.I)
                                          for word in info.duty_topic)


# The documents the parties signed: their rules bind both unless they name one.
AGREEMENT_KINDS = frozenset({"avtale", "retningslinje"})
_PATIENT_SUBJECT = re.compile(r"^(?:pasienten|pasientene|brukeren|brukerne|den som|de som)\b", re.I)


def _binds_both(text: str) -> bool:
    """Whether a rule of the agreement, outside any party's duty block, binds both partners: it
    gives a task ("Dersom avtalen sies opp, skal ny avtale inngås …", "Beredskapsplanen skal
    revideres minimum én gang per år"), names neither party, not even as the one it is owed to
    ("… viser til kommunens plikt …" is the municipality's), and is not the patient's part
    ("Pasienten må samtykke …"). A role's title is no task ("Barnevernansvarlig er
    kontaktperson …" names the hospital's child-welfare officer)."""
    return (_TASK_NOT_TITLE.search(text) is not None and not _PATIENT_SUBJECT.match(text)
            and not _names_either(text))


# A party named by its part in a handover of a task: the one that gives it away or the one that
# takes it over ("Partneren som avgir oppgaven plikter å bidra til opplæring …").
_ROLE = re.compile(r"^(?:den\s+)?(?:partneren|parten)\s+som\s+(?:(?P<gives>avgir|overfører|gir fra seg|gir bort)|"
                   r"(?P<takes>mottar|overtar|tar over|tar imot))\b", re.I)
_FROM = re.compile(r"\b(?:fra|frå|from)\s+(?:the\s+)?$", re.I)
_TO = re.compile(r"\b(?:til|to)\s+(?:the\s+)?$", re.I)
_TAKE_VERB = re.compile(r"\b(?:ta over|tar over|tek over|overta|overtar|overtek|take over|takes over|taking over)\b", re.I)


def role_party(text: str, question: Question) -> str | None:
    """The party a sentence names by its part in a handover ("Partneren som avgir oppgaven"),
    read from the question's handover: "fra UNN til kommunen", "UNN ønsker at hjemmesykepleien
    skal ta over …", "Vi på sykehuset … at de [kommunene] skal overta en oppgave". None when the
    sentence names no such part or the question gives no direction."""
    role = _ROLE.match(text)
    giver = _giver(question.search_text, question.speaker) if role else None
    if giver is None:
        return None
    return giver if role.group("gives") else OTHER_SIDE[giver]


def _giver(question: str, speaker: str | None) -> str | None:
    """The side a question hands a task over from: the party after "fra", the other side of the
    party after "til", or the other side of the one that takes the task over."""
    mentions = [(at, party) for at, party in party_mentions(question) if party in OTHER_SIDE]
    for at, party in mentions:
        if _FROM.search(question[:at]):
            return party
    for at, party in mentions:
        if _TO.search(question[:at]):
            return OTHER_SIDE[party]
    take = _TAKE_VERB.search(question)
    if take is None:
        return None
    before = [party for at, party in mentions if at < take.start()]
    if before:
        return OTHER_SIDE[before[-1]]  # "… at hjemmesykepleien skal ta over", "… med kommunene om at de skal overta"
    return OTHER_SIDE.get(speaker or "") if re.search(r"\b(?:vi|we)\b", question[:take.start()], re.I) else None


def _clause_party(text: str, question: Question) -> str | None:
    """In a sentence whose clauses give different parties their tasks, the party of the clause
    whose own words hold most of the question's focus words; both ("Felles") when clauses of different
    parties hold it alike ("Hvem betaler når fastlegerepresentanten og brukerrepresentanten
    deltar?" – "… dekker kommunen utgifter til fastlegerepresentanter, og UNN dekker utgifter
    til brukerrepresentanter"). None when the sentence has one party or no clause holds any."""
    clauses = [(clause, party) for clause in split_clauses(text) if (party := subject_party(clause))]
    if len({party for _, party in clauses}) < 2:
        return None
    # What tells the clauses apart: the words one holds and the others do not, the words that
    # name a party left out (they tell whom a clause names, not what it is about). A question's
    # word counts for a clause's compound that begins with it ("fastlege" – "fastlegerepresentanter").
    wanted = {t.strip("<>") for t in focus_terms(question)}
    held = [{t.strip("<>") for t in sentence_terms(" ".join(w for w in clause.split() if not party_mentions(w)))}
            for clause, _ in clauses]
    own = [h - set().union(*(o for j, o in enumerate(held) if j != i)) for i, h in enumerate(held)]
    shares = [sum(any(w == t or (len(w) >= 5 and t.startswith(w)) for t in mine) for w in wanted) for mine in own]
    best = max(shares)
    if not best:
        return None
    holding = {party for (_, party), share in zip(clauses, shares) if share == best}
    return holding.pop() if len(holding) == 1 else "Felles"


# Who a sentence without a party as its grammatical subject still makes responsible: the party
# it names that is not a recipient ("til kommunen", "fra UNN"). Words for the parties' people
# and services count ("fastlegen", "behandler i sykehuset", "hos fastlegen").
_HOLDERS = (("UNN", r"(?:behandler|legen?|\w*avdeling(?:en)?|\w*enhet(?:en)?) i (?:sykehuset|UNN)|"
                    r"UNN|UNNs|sykehuset|sykehusets|helseforetaket|spesialisthelsetjenesten|spesialisthelsetjenestens|"
                    r"(?:den rådgivende )?spesialisten|spesialistene|utskrivende enhet"),
            ("Kommunen", r"(?:behandler|legen?|\w*tjenesten) i (?:primærhelsetjenesten|kommunen)|"
                         r"kommunen|kommunene|kommunens|kommunestyret|fastlegen|fastlegene|hjemmetjenesten|"
                         r"hjemmesykepleien|helsestasjonen|primærhelsetjenesten|førstelinjen|kommunehelsetjenesten|"
                         r"ordfører(?:en)?|kommunedirektør(?:en)?|rådmann(?:en)?|kommuneoverlege(?:n)?"),
            # The agreement's joint bodies act for both parties ("Strategisk samarbeidsutvalg (SSU)
            # … er jury", "skal godkjennes av SSU").
            ("Felles", r"partnerne|partene|begge partnere|begge parter|hverandre|"
                       r"(?:helsefellesskapets )?(?:strategisk[e]? |faglig[e]? )?samarbeidsutvalg(?:et)?|SSU|FSU|"
                       r"partnerskapsmøtet"))
_HOLDER_RX = [(party, re.compile(rf"(?<![\w-])(?:{words})(?![\w-])", re.I)) for party, words in _HOLDERS]
# The parties together, named without "partnerne": "Partnere som utveksler …", "i fellesskap å
# foreta …", "helsefellesskapets sekretariat".
_TOGETHER = re.compile(r"(?<![\w-])(?:partnere|avtalepartene|i fellesskap|helsefellesskapets)(?![\w-])", re.I)
_PLACED = re.compile(r"^I (UNN|kommunen)\b")


def _names_either(text: str) -> bool:
    """Whether a sentence names UNN or the municipality (in any role)."""
    return any(rx.search(text) for party, rx in _HOLDER_RX if party != "Felles")


def named_party(text: str) -> str | None:
    """The party of a sentence that gives it no task but names it as the one who acts or holds
    the matter: as its first words ("Kommunen kan på forespørsel …", "Ordfører kan delegere …"),
    as the place it stands in ("I UNN er barnevernansvarlig funksjon lagt til …"), or as the
    parties together ("Partnere som …", "i fellesskap") with neither party named alone."""
    for party, rx in _HOLDER_RX:
        if party != "Felles" and rx.match(text) and holder_party(text, acting=True) == party:
            return party
    if placed := _PLACED.match(text):
        return "UNN" if placed.group(1) == "UNN" else "Kommunen"
    if _TOGETHER.search(text) and not _names_either(text):
        return "Felles"
    return None


_RECIPIENT = frozenset({"til", "fra", "mot", "overfor", "ovenfor", "med", "for", "om", "ved", "mellom", "i", "blant",
                        "utenfor", "varsle", "varsler", "informere", "informerer", "kontakte", "kontakter",
                        "orientere", "veilede", "veileder", "bistå", "bistår", "invitere", "involvere"})
_JOINED = re.compile(rf"\b(?:{_HOLDERS[0][1]})(?:\s+\w+)?\s+og\s+(?:\w+\s+)?(?:{_HOLDERS[1][1]})\b|"
                     rf"\b(?:{_HOLDERS[1][1]})(?:\s+\w+)?\s+og\s+(?:\w+\s+)?(?:{_HOLDERS[0][1]})\b", re.I)
# Words that give someone a task or a responsibility.
TASK_WORDS = r"skal|må|\w*plikt\w*|\w*ansvar\w*|forplikte\w*|påhviler|sørger for|sørge for"
_RESPONSIBLE = re.compile(rf"\b(?:{TASK_WORDS})\b", re.I)
# A task word that is not the end of a role's title ("barnevernansvarlig"; "ansvarlig" alone is one).
_TASK_NOT_TITLE = re.compile(rf"\b(?!\w+ansvarlig\b)(?:{TASK_WORDS})\b", re.I)
_RECIPROCAL = re.compile(r"\bhverandre\b", re.I)
_REFERS = frozenset({"viser", "vises", "vise", "henviser", "henvises", "refererer"})
_DETERMINER = frozenset({"den", "det", "de", "sin", "sitt", "sine", "aktuelle", "rette", "berørte", "hele", "annen",
                         "andre", "ny", "nye", "mottakende", "ansvarlige"})


@lru_cache(maxsize=8192)
def holder_party(text: str, acting: bool = False) -> str | None:
    """The one party a sentence names other than as a recipient, if it names exactly one
    (or the parties together: Felles). `acting`: the sentence answers "who" and may say what
    the party does without a word of duty ("… behandler i primærhelsetjenesten utsteder
    rekvisisjon …"); a place it names ("hos spesialisthelsetjenesten") is then no holder."""
    tasked = _RESPONSIBLE.search(text) is not None
    if not tasked and not acting:
        # A sentence that gives no one a task names parties only in passing; one that has them
        # act on each other ("Invitere hverandre inn i kriseledelsen …") is the parties' together.
        return "Felles" if _RECIPROCAL.search(text) else None
    recipients = _RECIPIENT if tasked else _RECIPIENT | {"hos"}
    joined = _JOINED.search(text)
    if joined and not (re.findall(r"[\w-]+", text[:joined.start()])[-1:] or [""])[0].lower() in recipients:
        return "Felles"  # "Kommunen og UNN bør samarbeide …"
    names = sorted((m.start(), m.end(), party) for party, rx in _HOLDER_RX for m in rx.finditer(text))
    found, last_end, last_recipient = set(), -1, False
    for start, end, party in names:
        if start < last_end:
            continue  # inside a longer name ("behandler i sykehuset")
        before = [w.lower() for w in re.findall(r"[\w-]+", text[max(last_end, 0):start])]
        if before in (["og"], ["eller"]):
            recipient = last_recipient  # "til kommunen og fastlegen": both receive
        else:
            while before and before[-1] in _DETERMINER:
                before.pop()
            # only determiners since the last name: as that one ("til kommunen, den aktuelle …")
            recipient = before[-1] in recipients if before else (last_end >= 0 and last_recipient)
            if recipient and before[-2:-1] and before[-2] in _REFERS:
                recipient = False  # "… viser til kommunens plikt": whose the duty is, not who receives
        if not recipient:
            found.add(party)
        last_end, last_recipient = end, recipient
    if "Felles" in found:
        return "Felles"
    return next(iter(found)) if len(found) == 1 else None


def _card(question: Question, sentences: tuple[CardSentence, ...], index, main: Candidate) -> Card:
    first = sentences[0].text
    # The card's deadline is its answer's: a supporting sentence of another party gives its own
    # ("Kommunen: Sikre trygg barselomsorg …" is not due "før utskrivning" because UNN's is).
    own = [s for s in sentences if sentences[0].party is None or s.party in (None, sentences[0].party)]
    deadline = next((d for s in own if (d := find_deadline(s.text) or _duration_of(s.text))), None)
    paragraph = find_legal_ref(first)
    heading = None
    if "legal_basis" in question.asks:
        # The section heading names the paragraph the section is about ("2. SPESIALISTHELSE-
        # TJENESTELOVEN § 6-3"); a paragraph the sentence cites in passing comes after it.
        section = index.sections.get(main.chunk.section_id)
        for title in reversed(section.path if section else ()):
            if ref := find_legal_ref(title):
                if ref != paragraph:
                    paragraph, heading = ref, title
                break
        paragraph = paragraph or next((r for s in sentences if (r := find_legal_ref(s.text))), None)
    amount_match = SUPPLIES["amount"].search(first) if "amount" in question.asks else None
    amount = amount_match.group(0).strip() if amount_match and re.search(r"kr|kroner|NOK|%|prosent|,-", amount_match.group(0), re.I) else None
    return Card(asks=question.asks, sentences=sentences, party=sentences[0].party, deadline=deadline,
                paragraph=paragraph, amount=amount, heading=heading)


# A span after a comparison is a threshold the rule depends on ("reisevei lenger enn 90
# minutter", "brukere under 67 år"), not a time limit for doing it.
_THRESHOLD = re.compile(r"\b(?:(?:lenger|lengre|mer|mindre|kortere|færre|flere)\s+enn|over|under|minst|opptil)\s*$", re.I)


def _duration_of(text: str) -> str | None:
    return next((m.group(0) for m in DURATION.finditer(text) if not _THRESHOLD.search(text[:m.start()])), None)


def card_text(card: Card | None, english: bool = False) -> str:
    """The card as the `answer` string: each sentence with its label and party, followed by its
    citation number, the asked-for sentence first."""
    if card is None:
        return ""
    parts = []
    if card.heading:
        parts.append(f"{'Section' if english else 'Avsnitt'} «{card.heading}» [{card.sentences[0].rank}]:")
    for s in card.sentences:
        lead = f"[{s.label}] " if s.label else ""
        party = f"{s.party}: " if s.party and not subject_party(s.text) else ""
        parts.append(f"{lead}{party}{s.text} [{s.rank}]")
    return " ".join(parts)
