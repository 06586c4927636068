"""`avtale ansvar TEMA` matches a topic by word family and meaning: the spellings clinicians use
for one topic give the same rows, the topic's own sections first."""

from __future__ import annotations

import pytest

from assistant.answer.ansvar import duties_for_topic
from assistant.service import Assistant


@pytest.fixture(scope="module")
def lexical_assistant(tmp_path_factory, bundled_corpus_dir):
    return Assistant.open(bundled_corpus_dir, tmp_path_factory.mktemp("index"), use_encoder=False)


@pytest.mark.parametrize("spellings", [
    ["utskrivning", "utskriving", "utskrivelse", "Utskrivning"],
    ["barn som pårørende", "barn som pårørande"],
    ["individuell plan", "individuelle planer"],
    ["pasienttransport", "pasienttransporten", "pasientransport"],
    ["utskrivningsklar", "utskrivingsklar", "utskrivningsklare"],  # a derived first part of a compound
    ["jordmor", "jordmødre"],  # an irregular plural
    ["fakturering", "faktura", "fakturaer"],  # a derivation, when few rows name it and meaning adds rows
])
def test_every_spelling_of_a_topic_gives_the_same_first_rows(lexical_assistant, spellings):
    firsts = [[(r.section_id, r.duty) for r in duties_for_topic(lexical_assistant, t)[0][:10]] for t in spellings]
    assert firsts[0] and all(f == firsts[0] for f in firsts)


def test_a_topic_s_own_sections_come_first(lexical_assistant):
    rows, note = duties_for_topic(lexical_assistant, "utskriving")
    assert "utskriving" in note
    assert rows[0].section_id.startswith("rl2:4.")  # Retningslinje 2, 4. Utskriving etter døgnopphold
    assert len(rows) > 20


def test_an_abbreviation_meets_the_documents_word_for_it(lexical_assistant):
    rows, _ = duties_for_topic(lexical_assistant, "ØHD")
    assert rows and all(r.doc_id in ("rl3", "veileder-samarbeidsavtaler", "rl2", "avtale-del1") for r in rows)
    assert any(r.doc_id == "rl3" for r in rows)  # Retningslinje 3: døgnopphold for øyeblikkelig hjelp


def test_a_compound_topic_keeps_both_its_parts(lexical_assistant):
    """"utskrivingsklar" is about patients ready for discharge, not every row on discharge."""
    rows, _ = duties_for_topic(lexical_assistant, "utskrivingsklar")
    everything, _ = duties_for_topic(lexical_assistant, "utskriving")
    assert rows and len(rows) < len(everything)
    assert any("utskrivningsklar" in r.duty for r in rows[:10])
