"""Property tests (hypothesis) of the stages that take text from outside: the loader on damaged
files, the cleaner, the structure parser, the section-reference parser, the query path, and
what reaches a terminal. Part of the standing attack suite with tests/test_hardening.py and
tests/test_attack.py.

Two profiles, chosen with HYPOTHESIS_PROFILE:
  ci        (default) 60 examples per test, derandomized: the same few hundred cases every run;
  thorough  2,000 examples per test, random: over 10,000 cases in all. Run it with
            HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_fuzz.py --hypothesis-show-statistics
"""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from assistant.corpus.clean import clean_lines
from assistant.corpus.manifest import _parse_document
from assistant.corpus.structure import structure_document
from assistant.errors import AvtaleError, ReferenceNotFound, SourceFileError, UsageError
from assistant.models import SourceLine

_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=60, derandomize=True, **_COMMON)
settings.register_profile("thorough", max_examples=2000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Pieces of the documents' own shapes, so the fuzzer reaches the parsers' interesting branches
# (headings, duty blocks, page furniture, links, percent-encoding, hyphenation, footnotes).
FRAGMENTS = [
    "1.", "2.1", "4.1.3", "10.", "3 ", "Sak: 32/23", "Tittel: Utskrivning", "Punkt 5: Samarbeid", "§ 6-2 Avtale",
    "Regelverk", "Kommentar", "Veiledning", "UNNs ansvar og oppgaver", "Kommunens ansvar", "Felles ansvar",
    "5.2 UNN skal", "Partnerne skal", "Side 2 av 9", "12", "Innhold", "Kapittel ....... 4", "Kommune-", "kommune",
    "https://www.helsedirektoratet.no/veiledere/", "www.unn.no/x-", "mailto:post@unn.no", "%C2%A7", "%C2", "%A7",
    "%25C2%25A7", "%FF", "%", "spesialist-", "helsetjenesten", "IKT-", "e-", "og", "pårørende1,", "1 I henhold til",
    "• ", "- ", "a) ", "«", "»", "Ekstern høring", "_____", "\u00ad", "\ufeff", "\u00a0", "\t", "ÆØÅ", "æøå",
    "innen 24 timer", "Kommunen skal", "UNN skal", "RETNINGSLINJE nr. 2:", "Del 2 – Omforente retningslinjer",
]
TEXT_PIECE = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12))
LINE = st.lists(TEXT_PIECE, max_size=6).map(" ".join)
LINES = st.lists(st.one_of(LINE, st.just("")), max_size=40)


def source_lines(texts: list[str], first: int = 1, page: int | None = None) -> list[SourceLine]:
    return [SourceLine(t, first + i, page) for i, t in enumerate(texts)]


# -- loader: damaged files end in SourceFileError, never anything else --------------------------
@pytest.fixture(scope="module")
def valid_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in ("1. Formål\nAvtalen gjelder utskrivning.", "2. Ansvar\nUNN skal sende epikrise innen 24 timer."):
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """A file damaged the ways files are: bytes flipped, cut short, spliced, padded."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete", "duplicate"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 200))]
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 400))]
    return bytes(data)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz-files")


@given(data=st.data())
def test_damaged_pdf_loads_or_gives_a_source_file_error(valid_pdf, scratch, data):
    from assistant.corpus.load import load_source

    path = scratch / "skadet.pdf"
    path.write_bytes(data.draw(damaged(valid_pdf)))
    try:
        lines = load_source(path)
    except SourceFileError as exc:
        assert path.name in exc.message and exc.remedy
        return
    assert all(isinstance(line.text, str) and line.page >= 1 for line in lines)


@given(raw=st.one_of(st.binary(max_size=400), st.text(max_size=200).map(lambda t: t.encode("utf-8"))),
       encoding=st.sampled_from([None, None, "cp1252", "latin-1", "utf-16", "utf-8", "ingen-slik-koding"]))
def test_any_bytes_decode_or_give_a_source_file_error(raw, encoding):
    from assistant.corpus.load import decode_text

    try:
        text = decode_text(Path("fil.txt"), raw, encoding)
    except SourceFileError as exc:
        assert "fil.txt" in exc.message
        return
    assert text.strip()


# -- cleaner -----------------------------------------------------------------------------------
@given(texts=LINES, first=st.integers(1, 5000), page=st.one_of(st.none(), st.integers(1, 400)))
@example(texts=["%25C2%25A7 6-2", "%C2%A7%FF", "x%C2%A7%C2"], first=1, page=None)  # found by this test
@example(texts=["spesialist-", "1. 0\n0"], first=1, page=None)  # found by the thorough profile
def test_cleaner_never_raises_keeps_line_order_and_decodes_percent_signs(texts, first, page):
    lines = source_lines(texts, first, page)
    cleaned = clean_lines(lines)
    numbers = [line.line for line in cleaned.lines]
    assert numbers == sorted(set(numbers)), "line numbers must stay strictly increasing"
    assert set(numbers) <= {line.line for line in lines}
    assert set(cleaned.links) <= {line.line for line in lines}
    assert cleaned.footnotes <= set(numbers)
    for line in cleaned.lines:
        assert "%C2%A7" not in line.text.upper(), line.text
        assert line.page == page


# -- structure parser --------------------------------------------------------------------------
@given(texts=LINES, headings=st.sampled_from(["numbered", "sak", "guide"]), clean=st.booleans(),
       hospital=st.sampled_from(["UNN", "Helgelandssykehuset"]))
def test_structure_never_raises_and_sections_stay_inside_the_input(texts, headings, clean, hospital):
    lines = source_lines(texts, first=7)
    assume(lines)
    links: dict[int, list[str]] = {}
    footnotes: set[int] = set()
    if clean:
        cleaned = clean_lines(lines)
        lines, links, footnotes = cleaned.lines, cleaned.links, cleaned.footnotes
    spec = _parse_document(Path("fuzz.txt"), "fuzz.txt", {"id": "fuzz", "headings": headings, "hospital": hospital})
    doc = structure_document(spec, lines, links, footnotes)
    first, last = 7, 7 + len(texts) - 1
    ids = [s.id for s in doc.sections]
    assert len(ids) == len(set(ids)), "section ids must be unique"
    for section in doc.sections:
        assert first <= section.line_start <= section.line_end <= last, section
        for a, b in section.spans:
            assert first <= a <= b <= last
        assert section.path and section.path[0] == spec.info.short_title
        assert section.doc_id == "fuzz"


# -- section references ------------------------------------------------------------------------
REF_PIECES = ["Retningslinje", "retningslinje", "rl", "RL", "retn.", "nr.", "2", "4.1", "4.1.3", "9", "0", "99.99",
              "del 1", "del 3", "§ 6-2", "§", "punkt 5", "pkt.", "tjenesteavtale 8", "tjenesteavtaler 2", "sak 32/23",
              "sak 999/99", "kapittel", "avsnitt", "UNN", "kommunen", "felles", "rl2:4.1.3", ":", "/", "veiledningsplikt",
              "rundskriv", "Samarbeidsavtalen", ",", ".", "-", " "]


@given(reference=st.one_of(st.lists(st.one_of(st.sampled_from(REF_PIECES), st.text(max_size=8)), max_size=6).map(" ".join),
                           st.text(max_size=40)))
def test_references_resolve_or_raise_only_reference_errors(real_corpus, reference):
    from assistant.corpus.refs import resolve

    try:
        found = resolve(reference, real_corpus.documents)
    except UsageError:
        assert not reference.strip()
        return
    except ReferenceNotFound as exc:
        assert exc.reference == reference and len(exc.suggestions) <= 3
        return
    assert found.section in found.document.sections
    assert found.document in real_corpus.documents


# -- the query path ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lexical_assistant(tmp_path_factory, bundled_corpus_dir):
    from assistant.service import Assistant

    return Assistant.open(bundled_corpus_dir, tmp_path_factory.mktemp("fuzz-index"), use_encoder=False)


QUESTION_PIECES = ["Hvem", "sender", "tidligmelding", "ved", "innleggelse", "?", "ØHD", "UNN", "kommunen", "frist",
                   "innen 24 timer", "tjenesteavtale 8", "discharge", "kven", "[bold]", "[/]", "\x1b[31m", "\x00",
                   "'; DROP TABLE x; --", "$(rm -rf /)", "🙂", "\u202e", "\ufeff", "…", "%C2%A7", "§ 6-2"]


@given(question=st.one_of(st.lists(st.one_of(st.sampled_from(QUESTION_PIECES), st.text(max_size=10)), max_size=12)
                          .map(" ".join), st.text(max_size=300)),
       top_k=st.integers(1, 10))
def test_ask_answers_or_refuses_a_question_without_words(lexical_assistant, question, top_k):
    kept = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in question)
    has_words = any(ch.isalnum() for ch in " ".join(kept.split())[:2000])
    try:
        answer = lexical_assistant.ask(question, top_k=top_k)
    except UsageError:
        assert not has_words, f"refused a question with words: {question!r}"
        return
    except AvtaleError as exc:  # pragma: no cover - reported with the question that caused it
        pytest.fail(f"{type(exc).__name__} for {question!r}: {exc.message}")
    assert has_words
    assert len(answer.excerpts) <= top_k and isinstance(answer.abstained, bool)
    assert [e.rank for e in answer.excerpts] == list(range(1, len(answer.excerpts) + 1))
    assert all(e.line_start <= e.line_end for e in answer.excerpts)
    json.loads(json.dumps(answer.to_json(), ensure_ascii=False))


def test_profiles_are_registered():
    assert settings.get_profile("ci").max_examples * 6 < 1000
    assert settings.get_profile("thorough").max_examples * 6 >= 10_000


# -- what reaches a terminal ---------------------------------------------------------------------
_TERMINAL_PIECES = ["\x1b[2K", "\x1b[1G", "\x1b]0;tittel\x07", "\x9b2J", "\x1bc", "\r", "\x08", "\x7f", "\u202e",
                    "\u2066", "\u200f", "\ud800", "\n", "\t", "innen 24 timer", "␛", "\ufffd", "æøå"]


@given(text=st.one_of(st.text(max_size=200), st.lists(st.one_of(st.sampled_from(_TERMINAL_PIECES), st.text(max_size=5)),
                                                      max_size=20).map("".join)),
       one_line=st.booleans())
def test_visible_text_holds_nothing_a_terminal_acts_on(text, one_line):
    from assistant.terminal import json_text, visible

    shown = visible(text, one_line=one_line)
    kept = "" if one_line else "\n\t"
    assert not [ch for ch in shown if unicodedata.category(ch) in ("Cc", "Cs") and ch not in kept]
    assert not set(shown) & set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert len(shown) == len(text) and visible(shown, one_line=one_line) == shown  # one for one; stable
    written = json_text({"text": text})
    assert visible(written) == written
    # the same text back, a lone surrogate (not UTF-8) as U+FFFD
    assert json.loads(written)["text"] == "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
