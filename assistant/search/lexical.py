"""Word search: Norwegian tokenising and stemming for BM25 (bm25s + PyStemmer), with the
glossary and fuzzy spelling expansion of the question.

Snowball's Norwegian stemmer treats inflections of one compound differently
("utskrivningsklar" → "utskrivningskl", "utskrivningsklare" → "utskrivningsklar"), so long
stems also index their first and last characters as extra terms: two forms of a compound, or
two compounds sharing a part, then still meet.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable

import numpy as np

from assistant.models import QueryWords

_WORD = re.compile(r"[a-zæøåéüö0-9]+(?:-[a-zæøåéüö0-9]+)*")
_EXTRA_STOPWORDS = {
    "hvem", "hva", "hvor", "hvordan", "når", "kven", "kva", "korleis", "kor", "kvar", "ikkje", "eg", "ein",
    "eit", "dei", "dykk", "frå", "berre", "vi", "oss", "dere", "jeg", "meg", "må", "skal", "kan", "bør",
    "the", "a", "an", "of", "to", "in", "is", "are", "who", "what", "when", "how", "must", "does", "do",
    "for", "on", "and", "or", "by", "we", "our", "it", "be", "should", "can", "with", "at", "from", "that",
    "this", "there", "which", "if", "any", "has", "have", "få", "fått", "gjøre", "noe", "sånn", "slik",
    "egentlig", "liksom", "da", "nå", "hei", "lurer", "lure", "lurte", "spørsmål", "altså",
}
COMPOUND_MIN = 10
COMPOUND_PART = 7


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_NORWEGIAN

    return frozenset(STOPWORDS_NORWEGIAN) | _EXTRA_STOPWORDS


# English function words that are not also Norwegian words ("i", "for", "at", "be" are both).
_ENGLISH = frozenset(
    "the of and is are was were what which who whom whose when where why how does do did can could "
    "should would will with from our we my you your it its this that these those they their there "
    "about after before must has have".split()
)


def looks_english(question: str) -> bool:
    """Whether a question is written in English (a fifth or more of its words are English
    function words): the language model then matches Norwegian text with lower cosines."""
    found = re.findall(r"[a-zæøå']+", question.lower())
    return bool(found) and sum(w in _ENGLISH for w in found) / len(found) >= 0.2


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("norwegian")


def words(text: str) -> list[str]:
    out = []
    for token in _WORD.findall(text.lower()):
        out.extend(part for part in token.split("-") if part)
    return out


# A verb with its particle names what the documents' noun names: "pasienten skrives ut" is the
# patient's "utskrivning", not "skrive en oppsummering"; "legges inn" is "innleggelse", not
# "legge til rette"; "følges opp" is "oppfølging", not "følger av". The card and the coverage
# check compare a question's words with a sentence's through this fold (retrieval does not).
_PARTICLE_VERBS = ((re.compile(r"\b(?:skriv|skrev)\w*\s+ut\b", re.I), "utskrivning"),
                   (re.compile(r"\b(?:legg\w*|lagt)\s+inn\b", re.I), "innleggelse"),
                   (re.compile(r"\b(?:følg\w*|fulgt|fylgj\w*)\s+opp\b", re.I), "oppfølging"))


def fold_particle_verbs(text: str) -> str:
    """The text with each verb-and-particle replaced by the documents' noun for it."""
    for pattern, noun in _PARTICLE_VERBS:
        text = pattern.sub(noun, text)
    return text


def terms(text: str) -> list[str]:
    """Index terms of a text: stems of its content words, plus compound parts of long stems."""
    stop = stopwords()
    content = [w for w in words(text) if w not in stop and (len(w) > 1 or w.isdigit())]
    stems = _stemmer().stemWords(content)
    out: list[str] = []
    for stem in stems:
        out.append(stem)
        if len(stem) >= COMPOUND_MIN:
            out.append(f"{stem[:COMPOUND_PART]}>")
            out.append(f"<{stem[-COMPOUND_PART:]}")
    return out


COMPOUND_HEAD_MIN = 6  # a glossary word this long also matches as the last part of a compound


@dataclass(frozen=True)
class Glossary:
    entries: dict[str, str]

    def expand(self, question: str) -> list[tuple[str, str]]:
        """The (term, expansion) pairs the question mentions, longest phrases first.

        A term matches as written, in another inflection (its words compared by stem:
        "legevakta" and "legevakten" meet the key "legevakt"), and a one-word term of six
        letters or more also as the last part of a compound ("beredskapsøvelse" meets
        "øvelse"): Norwegian inflects and compounds freely, and a clinician rarely types the
        form the glossary lists."""
        tokens = re.findall(r"[\wæøå/-]+", question.lower())
        stems = _stemmer().stemWords(tokens)
        by_first, heads = self._keys
        matches = []  # (term, first token) of every place a term matches
        parts = []  # terms met by a part of a hyphenated word
        for start, (token, stem) in enumerate(zip(tokens, stems)):
            candidates = by_first.get(token, []) + by_first.get(stem, []) + _compound_heads(token, heads)
            for rank, term, key_words, key_stems in candidates:
                end = _match_end(tokens, stems, start, key_words, key_stems)
                if end is not None:
                    matches.append((-len(term), rank, start, end, term))
            if "-" in token:
                # A part of a hyphenated word ("KAD-sengene", "ØHD-plass", "IP-koordinator")
                # meets a one-word term as it would standing alone; its last part, the head
                # of the compound, only a term long enough to be a compound's head, as when
                # the word is written without the hyphen.
                pieces = [p for p in token.split("-") if p]
                for n, part in enumerate(pieces):
                    part_stem = _stemmer().stemWord(part)
                    for rank, term, key_words, key_stems in by_first.get(part, []) + by_first.get(part_stem, []):
                        head_too_short = n == len(pieces) - 1 and len(term) < COMPOUND_HEAD_MIN
                        if len(key_words) == 1 and not head_too_short and _same_word(part, part_stem, key_words[0],
                                                                                       key_stems[0]):
                            parts.append((rank, term))
        found: dict[str, str] = {}
        used = [False] * len(tokens)
        for _, _, start, end, term in sorted(set(matches)):  # longest first, then in glossary order
            span = range(start, end)
            if term in found or any(used[i] for i in span):
                continue
            found[term] = self.entries[term]
            for i in span:
                used[i] = True
        for _, term in sorted(set(parts)):
            found.setdefault(term, self.entries[term])
        return list(found.items())

    @cached_property
    def _keys(self) -> tuple[dict[str, list], dict[str, list]]:
        """Terms by the surface form and the stem of their first word, and the one-word terms
        long enough to be a compound's last part, by stem."""
        by_first: dict[str, list] = {}
        heads: dict[str, list] = {}
        for rank, term in enumerate(self.entries):
            key_words = term.split()
            key_stems = _stemmer().stemWords(key_words)
            entry = (rank, term, key_words, key_stems)
            for form in dict.fromkeys((key_words[0], key_stems[0])):
                by_first.setdefault(form, []).append(entry)
            if len(key_words) == 1 and len(term) >= COMPOUND_HEAD_MIN:
                heads.setdefault(key_stems[0], []).append(entry)
        return by_first, heads


# An article a clinician puts inside a phrase the glossary lists without it ("klage på en
# faktura" for "klage på faktura").
_ARTICLES = frozenset({"en", "et", "ei", "ein", "eit", "den", "det", "a", "an", "the"})


def _match_end(tokens: list[str], stems: list[str], start: int, key_words: list[str],
               key_stems: list[str]) -> int | None:
    """Where a term that matches at `start` ends (an article inside it skipped), or None."""
    i = start
    for n, (w, k) in enumerate(zip(key_words, key_stems)):
        if n and i < len(tokens) and tokens[i] in _ARTICLES and w not in _ARTICLES:
            i += 1
        if i >= len(tokens) or not _same_word(tokens[i], stems[i], w, k):
            return None
        i += 1
    return i


def _compound_heads(token: str, heads: dict[str, list]) -> list:
    """One-word terms whose stem ends this word, followed by at most an inflection ending."""
    out = []
    for cut in range(3, len(token) - 2):
        for ending in range(0, 4):
            out.extend(heads.get(token[cut:len(token) - ending], ()))
    return out


INFLECTION_MAX = 3  # letters an inflection adds to a word ("-ene", "-er", "-a")


def _same_word(token: str, token_stem: str, key: str, key_stem: str) -> bool:
    if token == key:
        return True
    if token_stem == key_stem:
        # Same stem, and each word only an inflection ending past what they share: the stemmer
        # also cuts derivations ("turnuslege" → "turnus", "vaktlegen" → "vakt"), which are
        # other words ("turnusen" is a rota, not a junior doctor).
        shared = len(os.path.commonprefix([token, key]))
        return max(len(token), len(key)) - shared <= INFLECTION_MAX
    if len(key) < COMPOUND_HEAD_MIN or len(token) <= len(key) + 2:
        return False
    # The stemmer cuts compounds inconsistently, so look for the key's stem near the end of the
    # word as typed, followed by at most an inflection ending ("-en", "-ene", "-er").
    at = token.rfind(key_stem)
    return at >= 3 and len(token) - at - len(key_stem) <= 3


@lru_cache(maxsize=4)
def load_glossary(path: str | None = None) -> Glossary:
    if path:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    else:
        data = tomllib.loads(resources.files("assistant.data").joinpath("glossary.toml").read_text(encoding="utf-8"))
    entries: dict[str, str] = {}
    for table in data.values():
        for key, value in table.items():
            entries[key.lower()] = value
    return Glossary(entries)


MAX_NYNORSK_WORDS = 40  # bounds the work on an enormous question


@lru_cache(maxsize=1)
def _nynorsk_rules() -> tuple[tuple[re.Pattern, str], ...]:
    data = tomllib.loads(resources.files("assistant.data").joinpath("nynorsk.toml").read_text(encoding="utf-8"))
    return tuple((re.compile(pattern), replacement) for pattern, replacement in data["rules"])


def bokmal_forms(question: str, knows: Callable[[str], int], depth: int = 3) -> dict[str, str]:
    """Nynorsk words of the question the corpus lacks, mapped to a bokmål form it knows
    ("heimesjukepleie" → "hjemmesykepleie", "tapar" → "taper"); `knows(word)` says how well
    (0: not at all). Words the corpus knows, bokmål ones among them, are left alone."""
    stop = stopwords()
    found: dict[str, str] = {}
    unknown = [w for w in dict.fromkeys(words(question)) if len(w) >= 3 and w not in stop and not knows(w)]
    for word in unknown[:MAX_NYNORSK_WORDS]:
        frontier = {word}
        for _ in range(depth):
            frontier = {rx.sub(rep, form, count=1) for form in frontier for rx, rep in _nynorsk_rules() if rx.search(form)}
            scored = [(knows(form), form) for form in frontier if form != word and len(form) >= 2]
            best = max(scored, default=(0, ""))
            if best[0]:
                found[word] = best[1]
                break
    return found


SPELLING_CUTOFF = 84  # fuzz.ratio a corpus word needs to be taken as the question word's fix


def spelling_fixes(question: str, vocabulary: dict[str, int], limit: int = 4,
                   choices: "SpellingChoices | None" = None) -> list[tuple[str, str]]:
    """(word, corpus word) for question words the corpus does not contain that are close to one
    it does (typos); `choices` are the vocabulary's words that may be a fix (see SpellingChoices)."""
    from rapidfuzz import fuzz, process

    stop = stopwords()
    candidates = [w for w in words(question) if len(w) >= 5 and w not in stop and w not in vocabulary]
    if not candidates:
        return []
    choices = SpellingChoices(vocabulary) if choices is None else choices
    fixes = []
    for word in candidates[:8]:
        best = process.extractOne(word, choices.near(len(word)), scorer=fuzz.ratio, score_cutoff=SPELLING_CUTOFF)
        if best and best[0] != word:
            fixes.append((word, best[0]))
    return fixes[:limit]


class SpellingChoices:
    """The vocabulary's words that may be a fix (five letters or more), by the length of the word
    to fix: fuzz.ratio is at most 100 × (1 − |a − b| / (a + b)) for lengths a and b, so only words
    whose length is close enough can reach the cutoff. The same best fix as comparing with every
    word (the order is kept, so ties go the same way), in under half the time."""

    def __init__(self, vocabulary: dict[str, int]):
        self.words = [w for w in vocabulary if len(w) >= 5]
        self._near: dict[int, list[str]] = {}

    def near(self, length: int) -> list[str]:
        if length not in self._near:
            slack = (100 - SPELLING_CUTOFF) / 100
            self._near[length] = [w for w in self.words if abs(len(w) - length) <= slack * (len(w) + length) + 1e-9]
        return self._near[length]


def fuzzy_corrections(question: str, vocabulary: dict[str, int], limit: int = 4) -> list[str]:
    """Corpus words closest to question words the corpus does not contain (typos)."""
    return [fix for _, fix in spelling_fixes(question, vocabulary, limit)]


MAX_SHARE_WORDS = 60


def known_share(question: str, knows: Callable[[str], int]) -> float:
    """Share of the question's content words the corpus knows (as written, by stem or as a
    compound): an English question knows few, a bokmål one nearly all."""
    stop = stopwords()
    content = [w for w in dict.fromkeys(words(question)) if len(w) > 2 and w not in stop][:MAX_SHARE_WORDS]
    if not content:
        return 1.0
    return sum(bool(knows(w)) for w in content) / len(content)


def with_forms(question: str, forms: dict[str, str]) -> str:
    """The question with its nynorsk words in their bokmål form."""
    for word, form in forms.items():
        question = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", form, question, flags=re.I)
    return question


def read_words(text: str, lexical: "LexicalIndex", glossary: Glossary | None = None) -> QueryWords:
    """The word-level reading of a text to search, done once per question: glossary expansions
    (of the text and of its bokmål form), nynorsk words the corpus lacks in the bokmål form it
    has, spelling fixes, and the stemmed terms of all of them."""
    glossary = glossary or load_glossary()
    forms = bokmal_forms(text, lexical.knows)
    bokmal = with_forms(text, forms)
    matched = tuple(dict.fromkeys(pair for source in (text, bokmal) for pair in glossary.expand(source)))
    expansions = list(dict.fromkeys(exp for _, exp in matched))
    fixes = [(w, f) for w, f in spelling_fixes(text, lexical.vocabulary, choices=lexical.spelling_choices)
             if f not in forms.values()]
    added = [*expansions, *forms.values(), *(f for _, f in fixes)]
    return QueryWords(
        text=text, glossary=matched, forms=tuple(forms.items()), fixes=tuple(fixes),
        terms=tuple(terms(" ".join([text, *added]))), own_terms=tuple(terms(text)),
        known_share=known_share(text, lexical.knows), english=looks_english(text),
    )


class LexicalIndex:
    """BM25 over chunk texts, saved as a folder of numpy/json files (no pickles)."""

    def __init__(self, retriever, vocabulary: dict[str, int]):
        self._bm25 = retriever
        self.vocabulary = vocabulary  # surface words of the corpus, for spelling correction
        # One question asks about the same words several times (nynorsk forms, the share of
        # known words), and clinicians reuse their words across questions.
        self.knows = lru_cache(maxsize=8192)(self._knows)

    @classmethod
    def build(cls, texts: list[str], extra: list[str] | None = None) -> "LexicalIndex":
        """BM25 over `texts`; `extra[i]`, if given, is searched as part of text i (the questions
        a passage answers) but is not the documents' own vocabulary: spelling correction and
        "does the corpus know this word" still read only the documents."""
        import bm25s

        retriever = bm25s.BM25(k1=1.2, b=0.75)
        extra = extra or [""] * len(texts)
        corpus_terms = [terms(f"{t}\n{e}" if e else t) or ["∅"] for t, e in zip(texts, extra)]
        retriever.index(corpus_terms, show_progress=False)
        vocabulary: dict[str, int] = {}
        for text in texts:
            for w in words(text):
                vocabulary[w] = vocabulary.get(w, 0) + 1
        return cls(retriever, vocabulary)

    @cached_property
    def spelling_choices(self) -> SpellingChoices:
        """The words a misspelt question word may be corrected to (computed once)."""
        return SpellingChoices(self.vocabulary)

    @cached_property
    def _stems(self) -> frozenset[str]:
        return frozenset(_stemmer().stemWords(list(self.vocabulary)))

    def _knows(self, word: str) -> int:
        """How well the corpus knows a word: 3 as written, 2 by its stem, 1 as a compound of a
        word it has and a stem it has ("hjemmesykepleie" = "hjemme" + "sykeplei-"), 0 not at all."""
        if word in self.vocabulary:
            return 3
        stem, stems = _stemmer().stemWord, self._stems
        if stem(word) in stems:
            return 2
        return int(any(word[:i] in self.vocabulary and stem(word[i:]) in stems for i in range(3, len(word) - 2)))

    def asked(self, word: str) -> bool:
        """Whether the stored passage questions (corpus/questions.jsonl, searched as part of
        their passages) use the word: users ask about what the documents cover with it, though
        the documents' own, more formal text may not."""
        return _stemmer().stemWord(word) in self._bm25.vocab_dict

    def scores(self, query_terms: list[str]) -> np.ndarray:
        known = [t for t in query_terms if t in self._bm25.vocab_dict]
        n_docs = int(self._bm25.scores["num_docs"])
        if not known:
            return np.zeros(n_docs, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def save(self, folder: Path) -> None:
        import json

        folder.mkdir(parents=True, exist_ok=True)
        self._bm25.save(str(folder), allow_pickle=False)
        (folder / "vocabulary.json").write_text(json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        import json

        import bm25s

        retriever = bm25s.BM25.load(str(folder), allow_pickle=False, load_corpus=False)
        vocabulary = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        return cls(retriever, vocabulary)
