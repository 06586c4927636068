"""Type to filter a table (deadlines, a duty table) by the words' stems and meaning, the way the
word search reads a question. No Textual here.

A filter keeps the rows that match every word typed (stop words such as "og" and "hva" are
ignored). A word matches a row when one of the row's stems starts with the word's stem
("ansvar" meets "ansvarlig", "utskr" meets "utskrivning" while it is being typed), or ends with
it, for words of five letters or more (the last part of a compound: "avtale" meets
"samarbeidsavtalen"), or when the row has the first two words of a meaning the glossary gives
the word ("usk" meets "utskrivningsklare pasienter", "øhd" meets "døgnopphold for øyeblikkelig
hjelp"). A word's middle never counts: "skriv" does not meet "utskrivning".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

COMPOUND_TAIL_MIN = 5  # a stem this long also matches as a compound's last part
MEANING_WORDS = 2  # a glossary meaning is its first words ("døgnopphold for øyeblikkelig hjelp …")


def _is_marker(term: str) -> bool:
    """The word search's compound markers ('utskriv>', '<ngsklar') are not stems."""
    return term.startswith("<") or term.endswith(">")


def row_terms(text: str) -> frozenset[str]:
    """The stems of a row's text (with the word search's compound parts), computed once."""
    from assistant.search.lexical import terms

    return frozenset(terms(text))


def _has(stem: str, terms: frozenset[str]) -> bool:
    """One of the row's stems starts with `stem`, or ends with it (a long one)."""
    for term in terms:
        if _is_marker(term):
            continue
        if term.startswith(stem) or (len(stem) >= COMPOUND_TAIL_MIN and term.endswith(stem)):
            return True
    return False


@dataclass(frozen=True)
class WordTest:
    stem: str
    meanings: tuple[tuple[str, ...], ...] = ()  # the leading stems of the glossary's meanings of this word

    def matches(self, terms: frozenset[str]) -> bool:
        return _has(self.stem, terms) or any(all(_has(stem, terms) for stem in meaning) for meaning in self.meanings)


@lru_cache(maxsize=256)
def compile_filter(query: str) -> tuple[WordTest, ...]:
    """The tests a row must pass for `query` (none: every row passes)."""
    from assistant.search.lexical import load_glossary, stopwords, terms, words

    stop = stopwords()
    expansions = load_glossary().expand(query)
    tests = []
    for word in words(query):
        if word in stop:
            continue
        stems = [t for t in terms(word) if not _is_marker(t)]
        if not stems:
            continue
        meanings = tuple(tuple([t for t in terms(expansion) if not _is_marker(t)][:MEANING_WORDS])
                         for term, expansion in expansions if word in words(term))
        tests.append(WordTest(stems[0], meanings))
    return tuple(tests)


def keeps(tests: tuple[WordTest, ...], terms: frozenset[str]) -> bool:
    return all(test.matches(terms) for test in tests)
