"""Is the question covered? Decided from what it asks, not from a list of topics.

A question is answerable when the shown sentences supply the kind of thing it asks for about
its focus: a dose or an amount needs a number, "how many days" needs a time, "which law" a
paragraph, "who" a party, a phone number a number. Its focus words may be unknown to the
documents (after the glossary, nynorsk forms and spelling correction: "Marevan"), or the
documents may cover the matter but not the asked detail. A logistic model over these signals
and the search's own (how close the best passage and sentence are, how many of the question's
words they hold, and, where the topic list has entries, how close the question is to a topic
the documents do not cover) decides; its weights are data (`assistant/data/coverage_model.json`),
fitted by `python -m evals.train_coverage` on the tuning sets (dev and calibration).

The verdict says why, in the clinician's language: which words the documents never mention,
or which detail they do not give (and what they do say), or that nothing matched well.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

import numpy as np

from assistant.answer.card import (FREE_OF_CHARGE, Candidate, match_terms, referent, sentence_terms, stem_idf,
                                   supplies)
from assistant.answer.understand import answer_types, ask_part, bare_party
from assistant.corpus.supplies import NUMBER
from assistant.models import Question
from assistant.search.lexical import with_forms, words

FEATURES = ("bias", "unknown_ask", "unknown_share_ask", "unknown_share", "top_dense", "coverage", "english",
            "out_of_scope", "best_score", "best_focus", "detail_missing", "asks_detail", "detail_gap", "detail_focus",
            "top_question", "out_of_scope_question", "lexical_only", "specific_missing", "answer_cos",
            "answer_cos_top", "answer_focus")
DETAIL_GAP_CAP = 5.0
# The kinds of answer whose detail a sentence either states or not.
DETAIL_KINDS = ("amount", "duration", "deadline", "legal_basis", "contact")
_PHONE = re.compile(r"\b\d{2}\s?\d{2}\s?\d{2}\s?\d{2}\b|\+47|\b0\d{4}\b")
_CONTACT = re.compile(rf"{_PHONE.pattern}|@")
# A question that asks for a phone number: an e-mail address does not answer it.
_PHONE_ASKED = re.compile(r"\b(?:telefon\w*|tlf|direktenummer\w*|nummeret|nummer|ringe|ring|phone|telephone|call)\b", re.I)
# A person's name (two capitalised words), for "who is the leader of …".
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÆØÅ][a-zæøåé]+ [A-ZÆØÅ][a-zæøåé]+\b")
# How much of the question's focus a sentence must hold for its detail to count as the answer.
DETAIL_FOCUS = 0.3

MISSING = {
    "nb": {"amount": "noe beløp eller tall for dette", "deadline": "noen frist eller tid for dette",
           "duration": "hvor lang tid (dager eller timer) dette gjelder",
           "legal_basis": "hvilken lov eller paragraf dette bygger på", "contact": "noe navn, telefonnummer eller noen adresse",
           "party": "hvem som har ansvaret for dette"},
    "en": {"amount": "an amount or number for this", "deadline": "a deadline or time for this",
           "duration": "how long (days or hours) this is",
           "legal_basis": "which law or section this rests on", "contact": "a name, phone number or address",
           "party": "who is responsible for this"},
}


@dataclass(frozen=True)
class Verdict:
    covered: bool
    reason: str | None = None  # unknown_terms, missing_detail or low_similarity
    unknown: tuple[str, ...] = ()  # focus words the documents never mention
    detail: str | None = None  # the kind of answer the shown sentences do not give
    probability: float = 0.0  # the model's probability that the documents do not answer it


def signals(question: Question, result, cands: list[Candidate], scores: np.ndarray, index,
            has_dense: bool) -> dict[str, float | None]:
    """The model's inputs for one question (see FEATURES); None where a signal is unknown."""
    ask = set(words(ask_part(question.search_text)))
    focus = list(question.focus)
    unknown_ask = [f for f in focus if not f.known and f.word in ask]
    focus_ask = [f for f in focus if f.word in ask] or focus
    kind = _detail_kind(question)
    best = int(np.argmax(scores)) if len(scores) else None
    top = [int(i) for i in np.argsort(-scores, kind="stable")[:3]] if len(scores) else []
    # Without a topic list (or a language model), the topic margins are unknown: None, which the
    # model reads as its average, so they weigh nothing either way.
    oos = result.top_out_of_scope - result.top_dense if result.top_out_of_scope is not None and has_dense else None
    asked = asked_detail(ask_part(question.search_text))
    supplying = _supplying(question, kind, cands, index, asked)
    gap, detail_focus = _detail_support(question, kind, cands, scores, supplying, index)
    # The nearest stored passage question (corpus/questions.jsonl): the language model compares
    # question to question more sharply than question to passage.
    top_question = max(result.answer_spans.values(), default=result.top_dense) if has_dense else 0.0
    oos_question = (result.top_out_of_scope - top_question if result.top_out_of_scope is not None and has_dense
                    else None)
    return {
        "bias": 1.0,
        "unknown_ask": min(len(unknown_ask), 3) / 3,
        "unknown_share_ask": len(unknown_ask) / (len(focus_ask) or 1),
        "unknown_share": sum(not f.known for f in focus) / (len(focus) or 1),
        "top_dense": result.top_dense if has_dense else 0.0,
        "coverage": result.coverage,
        "english": float(result.english),
        "out_of_scope": max(oos, -0.05) if oos is not None else None,
        "best_score": float(scores[best]) if best is not None else 0.0,
        "best_focus": max((_focus_share(question, cands[i], index) for i in top), default=0.0),
        "detail_missing": float(kind is not None and not _detail_given(question, cands, top, supplying, index)),
        "asks_detail": float(kind is not None),
        "detail_gap": gap,
        "detail_focus": detail_focus,
        "top_question": top_question,
        "out_of_scope_question": max(oos_question, -0.1) if oos_question is not None else None,
        "lexical_only": float(not has_dense),
        "specific_missing": _specific_missing(question, cands, top),
        **_answer_match(question, result, cands, supplying, top, index, has_dense),
    }


def _supplying(question: Question, kind: str | None, cands: list[Candidate], index, asked: Asked) -> list[int]:
    """The sentences that supply what the question asks for: the detail it asks (a number of
    days for "how many days"), else the kind of its first ask (a party for "who"); every
    sentence when it asks no kind."""
    ask = kind or (question.asks[0] if question.asks else None)
    return [i for i, c in enumerate(cands)
            if ask is None or (_states(ask, c, index, asked) if kind else supplies(c, ask, index))]


def _answer_match(question: Question, result, cands: list[Candidate], supplying: list[int], top: list[int], index,
                  has_dense: bool) -> dict[str, float | None]:
    """How well the sentences that supply what the question asks for match it: the language
    model's best match among them, and among the three best-ranked sentences, and the most of
    the question's focus one holds. A stated detail about another matter ("innen 30 dager fra
    mottatt faktura" for a question on how long a decision may take) matches the question worse
    than the detail asked for."""
    focus = max((_focus_share(question, cands[i], index) for i in supplying), default=0.0)
    if not has_dense:
        return {"answer_cos": None, "answer_cos_top": None, "answer_focus": focus}
    match = result.sentence_match
    floor = min(match.values(), default=0.0)
    cos = [(i, match[cands[i].text]) for i in supplying if cands[i].text in match]
    return {"answer_cos": max((v for _, v in cos), default=floor),
            "answer_cos_top": max((v for i, v in cos if i in top), default=floor),
            "answer_focus": focus}


def _detail_kind(question: Question) -> str | None:
    """The detail the question asks for that a sentence either states or not. After "who" it
    is part of the matter, not the thing asked ("Kven må opplyse sjukehuset om kor lenge ho
    held på plassen?" asks a party). A follow-up that asks a kind of its own asks only that
    ("Kva skal den innehalde?" after "… og hvor fort?" asks the content, not the time)."""
    for kind in (question.interpreted and question.own_asks) or question.asks:
        if kind in DETAIL_KINDS:
            return kind
        if kind in ("party", "duty"):
            return None
    return None


def _detail_given(question: Question, cands: list[Candidate], top: list[int], stating: list[int], index) -> bool:
    """Whether one of the best sentences about the question's focus states the asked detail."""
    return any(i in stating and _focus_share(question, cands[i], index) >= DETAIL_FOCUS for i in top)


def _detail_support(question: Question, kind: str | None, cands: list[Candidate], scores: np.ndarray,
                    stating: list[int], index) -> tuple[float, float]:
    """For a question that asks for a detail: how far below the best sentence the best one
    stating that detail ranks (capped), and how much of the question's focus it holds."""
    if kind is None or not len(scores):
        return 0.0, 0.0
    if not stating:
        return DETAIL_GAP_CAP, 0.0
    best = max(stating, key=lambda i: scores[i])
    return min(float(scores.max() - scores[best]), DETAIL_GAP_CAP), _focus_share(question, cands[best], index)


_MONEY_ASKED = re.compile(r"\b(?:kroner|kr|nok|\w*(?:pris|sats|lønn|stønad|honorar|godtgjør|takst|gebyr|avgift|"
                          r"egenandel|eigendel|kompensasjon|refusjon)\w*|koster|kostar|cost|costs|price|fee|salary|wage|"
                          r"rate|pay|pays|paid|earns?|money|penger|pengar|"
                          # how much is paid, charged or earned: "Hvor mye får kommunen betalt …", "… fakturere …"
                          r"betal\w*|fakturer\w*|tjener|tener|tjene|tene)\b", re.I)
_MONEY_STATED = re.compile(r"\d[\d .]*(?:,-|\s?kr\b|\s?kroner\b|\s?NOK\b)|\bkr\.?\s?\d", re.I)


@dataclass(frozen=True)
class Asked:
    """What the question's detail must be: an amount of money ("hva koster", "døgnsatsen"),
    or a number of a thing counted ("hvor mange senger": the roots of "senger"), or a phone
    number ("direktenummeret til …")."""

    money: bool = False
    counted: tuple[str, ...] = ()
    phone: bool = False


_COUNTED = re.compile(r"\b(?:hvor|kor|how) (?:mange|many) ((?:[\w-]+ )?[\w-]+)|\b(?:antall|antallet|talet på|the number of) "
                      r"((?:[\w-]+ )?[\w-]+)", re.I)


def asked_detail(ask: str) -> Asked:
    """What the asking sentence's detail must be (see Asked)."""
    from assistant.answer.ansvar import word_root

    money = bool(_MONEY_ASKED.search(ask))
    m = _COUNTED.search(ask)
    counted = ()
    if m and not money:
        # The counted thing: the words after "hvor mange", each part of a hyphenated compound
        # ("ØHD-senger": "senger"); an adjective before the noun does no harm.
        phrase = (m.group(1) or m.group(2)).lower()
        counted = tuple(dict.fromkeys(word_root(w) for w in re.split(r"[\s-]+", phrase) if len(w) >= 3))
    return Asked(money, counted, bool(_PHONE_ASKED.search(ask)))


# The units of time a question may count ("hvor mange døgn", "how many days"), each with the
# documents' words for it: a number of days is stated as "30 dager", "tre døgn", "5 virkedager".
_TIME_UNITS = (
    (("døgn", "dag", "day", "virkedag", "virkedøgn"), ("døgn", "dag", "virkedag", "virkedøgn", "arbeidsdag")),
    (("time", "timar", "hour"), ("time", "timar")),
    (("uke", "veke", "week"), ("uke", "veke")),
    (("måned", "månad", "month"), ("måned", "månad")),
)


@lru_cache(maxsize=256)
def counted_units(counted: tuple[str, ...]) -> tuple[str, ...]:
    """The documents' words for the unit of time a "how many" question counts ("hvor mange
    døgn", "how many days"), or () when it counts no unit of time."""
    return tuple(word for asked, said in _TIME_UNITS
                 if any(root.startswith(a) or (len(root) >= 3 and a.startswith(root)) for root in counted for a in asked)
                 for word in said)


def _states(kind: str, c: Candidate, index, asked: Asked = Asked()) -> bool:
    """Whether a sentence states the kind of detail asked for: an amount of money when the
    question asks what something costs or pays, a number of the thing counted when it asks
    "how many" ("19 kommuner" for "hvor mange kommuner", not "innen 30 dager"), a number of
    the unit of time it counts ("30 dager" for "hvor mange dager", not "innen 24 timer")."""
    if kind in ("duration", "deadline") and (units := counted_units(asked.counted)):
        return counts(c.text, units)
    if kind == "contact":
        if asked.phone:
            return bool(_PHONE.search(c.text))
        return bool(_CONTACT.search(c.text) or _NAME.search(c.text))
    if kind == "amount":
        if asked.money:  # an amount of money, or that nothing may be charged
            return bool(_MONEY_STATED.search(c.text) or FREE_OF_CHARGE.search(c.text))
        if asked.counted:
            return counts(c.text, asked.counted)
        return bool(NUMBER.search(c.text))
    return supplies(c, kind, index)


COUNT_WINDOW = 3  # a number counts a thing when the thing's word comes at most this many words after it


def counts(text: str, roots: tuple[str, ...]) -> bool:
    from assistant.answer.ansvar import starts

    tokens = re.findall(r"[\wæøåÆØÅ]+", text.lower())
    for i, token in enumerate(tokens):
        if NUMBER.fullmatch(token) or token.isdigit():
            after = tokens[i + 1: i + 1 + COUNT_WINDOW]
            if any(starts(w, root) for w in after for root in roots):
                return True
    return False


# A year, or a name (a capitalised word inside the sentence): a question about "2022" or
# "Helse Bergen" is answered by a passage that names it.
_SPECIFIC = re.compile(r"\b(?:19|20)\d{2}\b|(?<![.!?:]\s)(?<!^)\b[A-ZÆØÅ][a-zæøå]{2,}\w*")


def _specific_missing(question: Question, cands: list[Candidate], top: list[int]) -> float:
    """The share of the years and names the question asks about that none of the best
    sentences' passages (with their headings) holds."""
    named = {m.group(0).lower() for m in _SPECIFIC.finditer(ask_part(question.text))}
    named -= _GENERIC_NAMES
    if not named or not top:
        return 0.0
    shown = " ".join(f"{cands[i].chunk.text} {cands[i].chunk.context}" for i in top).lower()
    return sum(not re.search(rf"\b{re.escape(n[:max(4, len(n) - 2)])}", shown) for n in named) / len(named)


# Names of the parties and of the agreement itself name nothing specific.
_GENERIC_NAMES = frozenset({"unn", "kommunen", "kommunene", "sykehuset", "helseforetaket", "universitetssykehuset",
                          "helsefellesskapet", "samarbeidsavtalen", "retningslinje", "retningslinjen"})


def _focus_share(question: Question, c: Candidate, index) -> float:
    """The share of the question's asking words (by rarity) that a sentence holds, each word in
    the documents' form (a nynorsk word in bokmål, a misspelt one as the corpus spells it:
    "rettleiing" is held by a sentence on "veiledning")."""
    wanted = _asking_focus(question.search_text, " ".join(f.word for f in question.focus),
                           (*question.words.forms, *question.words.fixes))
    if not wanted:
        return 0.0
    idf = stem_idf(index)
    have = set(sentence_terms(c.text))
    if (before := referent(c)) is not None:
        have |= set(sentence_terms(before))  # a sentence that points back is about what it points to
    total = sum(idf.get(s, 8.0) for s in wanted)
    starts = {h[:3] for h in have}
    held = [s for s in wanted
            if s in have or (s[:3] in starts and any(h[:3] == s[:3] and same_word(s, h) for h in have))]
    return sum(idf.get(s, 8.0) for s in held) / total


RELATED_ENDING = 4  # letters a derivation may add to a stem ("evaluer" → "evaluering", "kommun" → "kommunal")
RELATED_SIMILARITY = 90  # rapidfuzz ratio of two long stems that differ by a letter ("hjelpsseng" / "hjelpseng")


@lru_cache(maxsize=65536)
def same_word(a: str, b: str) -> bool:
    """Whether two stems are forms of one word: one is the other with a derivation ending
    ("evaluere" / "evaluering", nynorsk "samarbeidsutval" / "samarbeidsutvalg"), or two long
    stems differ by a linking letter ("ø-hjelpssengene" / "ø-hjelpsengene"). A compound does not
    count as its first part ("samarbeid" / "samarbeidsavtal")."""
    from rapidfuzz import fuzz

    short, long_ = sorted((a, b), key=len)
    if len(short) < 5:
        return False
    if long_.startswith(short) and len(long_) - len(short) <= RELATED_ENDING:
        return True
    return len(short) >= 8 and fuzz.ratio(a, b) >= RELATED_SIMILARITY


# The words of the asked detail itself ("innen hvor mange timer", "how many days"): any
# sentence that states a time holds them, so they tell nothing about its matter.
_DETAIL_WORDS = ("innen innan timer timar time dager dagar dag døgn virkedager virkedagar uker veker uke veke måneder "
                 "månader måned hours hour days day weeks week months month")


@lru_cache(maxsize=1)
def _detail_terms() -> frozenset[str]:
    return frozenset(match_terms(_DETAIL_WORDS))  # on first use: the stemmer is not loaded at import


@lru_cache(maxsize=256)
def _asking_focus(search_text: str, focus: str, forms: tuple[tuple[str, str], ...] = ()) -> frozenset[str]:
    """The question's focus words that stand in its asking sentence (as search terms), in the
    documents' `forms` (word, form), without the words of the detail it asks. Cached: asked once
    per sentence the question is weighed against."""
    forms_ = dict(forms)
    search_text, focus = with_forms(search_text, forms_), with_forms(focus, forms_)
    return (frozenset(match_terms(ask_part(search_text))) & frozenset(match_terms(focus))) - _detail_terms()


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> dict:
    if path:
        return json.loads(open(path, encoding="utf-8").read())
    return json.loads(resources.files("assistant.data").joinpath("coverage_model.json").read_text(encoding="utf-8"))


def judge(question: Question, result, cands: list[Candidate], scores: np.ndarray, index, has_dense: bool,
          model: dict | None = None) -> Verdict:
    """Whether the documents answer the question, and if not, why. A follow-up that carries the
    earlier question's words the documents never mention ("og kommunen?" after a question on a
    dose of Marevan) is not covered when the question it was read as is not, for that reason:
    asking it of another party does not make the matter known."""
    model = model or load_model()
    verdict = _judge(question, result, cands, scores, index, has_dense, model)
    if not verdict.covered or not question.interpreted:
        return verdict
    bare = bare_party(question.text) is not None
    own = set(words(question.text))
    if not bare and all(word in own for word in _unknown_asked(question)):
        return verdict  # the follow-up's own unknown words: judged as it was asked
    standalone = replace(question, text=question.interpreted, asks=answer_types(question.interpreted),
                         own_asks=(), interpreted=None, turns_to_party=False)
    alone = _judge(standalone, result, cands, scores, index, has_dense, model)
    return alone if alone.reason == "unknown_terms" or (bare and alone.reason == "missing_detail") else verdict


def _unknown_asked(question: Question) -> tuple[str, ...]:
    """The focus words of the question's asking sentence that the documents never mention."""
    ask = set(words(ask_part(question.search_text)))
    return tuple(f.word for f in question.focus if not f.known and f.word in ask)


def _judge(question: Question, result, cands: list[Candidate], scores: np.ndarray, index, has_dense: bool,
           model: dict) -> Verdict:
    if not result.hits or not cands:
        return Verdict(False, "low_similarity", probability=1.0)
    values = signals(question, result, cands, scores, index, has_dense)
    # The topic list is optional data: without it (or without a language model) the model
    # fitted without the topic signals decides.
    part = model["with_topics"] if values["out_of_scope"] is not None else model["without_topics"]
    weights, mean, scale = part["weights"], model.get("mean", {}), model.get("scale", {})
    z = sum(weights.get(name, 0.0) * (value - mean.get(name, 0.0)) / (scale.get(name, 1.0) or 1.0)
            for name, value in values.items() if value is not None)
    p = 1.0 / (1.0 + np.exp(-z))
    if p < part["threshold"]:
        return Verdict(True, probability=float(p))
    unknown = _unknown_asked(question)
    if unknown and values["unknown_share_ask"] >= model.get("unknown_share_for_reason", 0.25):
        return Verdict(False, "unknown_terms", unknown=unknown, probability=float(p))
    if values["detail_missing"]:
        return Verdict(False, "missing_detail", detail=_detail_kind(question), probability=float(p))
    if question.asks and question.asks[0] == "party" and not any(c.party for c in cands[:5]):
        return Verdict(False, "missing_detail", detail="party", probability=float(p))
    return Verdict(False, "low_similarity", unknown=unknown, probability=float(p))


def not_covered_text(verdict: Verdict, question: Question, best_sentence: str | None, best_rank: int | None,
                     topic: str | None) -> str:
    """The "not covered" answer: why, in the clinician's language (the question's)."""
    english = question.lang == "en"
    if verdict.reason == "unknown_terms" and verdict.unknown:
        names = _join([f"«{w}»" for w in verdict.unknown[:3]], english)
        return f"The documents do not mention {names}." if english else f"Dokumentene nevner ikke {names}."
    if verdict.reason == "missing_detail" and verdict.detail:
        missing = MISSING["en" if english else "nb"][verdict.detail]
        where = f" ({topic})" if topic else ""
        said = (f" What they say: «{best_sentence}» [{best_rank}]" if english else
                f" Det de sier: «{best_sentence}» [{best_rank}]") if best_sentence else ""
        if english:
            return f"The documents cover this{where}, but do not give {missing}.{said}"
        return f"Dokumentene beskriver dette{where}, men oppgir ikke {missing}.{said}"
    return "The documents do not seem to answer this." if english else "Dokumentene ser ikke ut til å svare på dette."


def _join(items: list[str], english: bool) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" or " if english else " eller ") + items[-1]
