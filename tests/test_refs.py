"""refs: what a user types ("rl 2 punkt 4.1", "§ 6-2 punkt 5", "tjenesteavtale 5", a section id)
resolves to one section of the real corpus; an unknown reference gets the closest matches."""

from __future__ import annotations

import pytest

from assistant.corpus.refs import descendants, resolve, suggest
from assistant.errors import ReferenceNotFound, UsageError


@pytest.fixture(scope="module")
def documents(real_corpus):
    return real_corpus.documents


@pytest.mark.parametrize("reference, section_id", [
    ("Retningslinje 2 4.1", "rl2:4.1"),
    ("rl 2 punkt 4.1", "rl2:4.1"),
    ("rl 2 pkt 4.1", "rl2:4.1"),
    ("retningslinje 2, 4.1.3", "rl2:4.1.3"),
    ("Retningslinje nr. 2 punkt 4.1.3", "rl2:4.1.3"),
    ("RL2 4.1.3", "rl2:4.1.3"),
    ("rl2:4.1.3", "rl2:4.1.3"),
    ("  rl2:4.1.3  ", "rl2:4.1.3"),
    ("rl2:4.1.3/unn", "rl2:4.1.3/unn"),
    ("rl 9 5.4", "rl9:5.4"),
    ("veiledningsplikt 3", "rundskriv-veiledningsplikt:3"),
    ("veiledningsplikt kapittel 3", "rundskriv-veiledningsplikt:3"),
    ("§ 6-2 punkt 5", "veileder-samarbeidsavtaler:punkt-5"),
    ("§6-2 pkt 5", "veileder-samarbeidsavtaler:punkt-5"),
    ("punkt 13", "veileder-samarbeidsavtaler:punkt-13"),
    ("§ 6-1", "veileder-samarbeidsavtaler:6-1"),
    ("§ 6-2", "veileder-samarbeidsavtaler:6-2"),
    ("del 1 § 8", "avtale-del1:8"),
    ("Del 1 punkt 12", "avtale-del1:12"),
    ("del 2 2.3", "avtale-del2:2.3"),
    ("rapport 4.3", "rapport-2006:4.3"),
    ("sak 37/23", "ssu-saker:sak-37-23"),
])
def test_references_resolve(documents, reference, section_id):
    assert resolve(reference, documents).section.id == section_id


@pytest.mark.parametrize("reference, actor, section_id", [
    ("rl2 4.1 kommunen", "Kommunen", "rl2:4.1/kommunen"),
    ("Retningslinje 2 4.1.3 UNN", "UNN", "rl2:4.1.3/unn"),
    ("rl 2 5.2 felles", "Felles", "rl2:5.2/felles"),
])
def test_a_party_name_picks_its_duty_block(documents, reference, actor, section_id):
    found = resolve(reference, documents)
    assert found.section.id == section_id and found.section.actor == actor


def test_old_service_agreement_number_points_to_its_guideline_with_a_note(documents):
    found = resolve("tjenesteavtale 5", documents)
    assert found.document.id == "rl2"
    assert "Tjenesteavtale 5" in found.note and "Retningslinje 2" in found.note
    found = resolve("tjenesteavtale 5 4.1", documents)
    assert found.section.id == "rl2:4.1" and found.note
    assert resolve("tjenesteavtale 11", documents).document.id == "rl9"


def test_a_document_alone_gives_its_first_section(documents):
    found = resolve("Retningslinje 2", documents)
    assert found.document.id == "rl2" and found.section is found.document.sections[0]


def test_unknown_number_in_a_known_document_suggests_its_neighbours(documents):
    with pytest.raises(ReferenceNotFound) as info:
        resolve("retningslinje 2 9.9", documents)
    assert info.value.suggestions == ["Retningslinje 2 9. Uenighet (rl2:9)"]
    with pytest.raises(ReferenceNotFound) as info:
        resolve("rl2 4.1.9", documents)
    assert all("(rl2:4.1" in s for s in info.value.suggestions)


@pytest.mark.parametrize("reference, expected", [
    ("rl2:9.9", "rl2:9"), ("retningslinje 2 9.9", "rl2:9"), ("pasienttransport", "rl2:2.3"),
    ("epikrise", "rl2:4.1.1/unn"),  # not a heading anywhere: the sections whose text names it
    ("retnigslinje 2 4.1.9", "rl2:4.1"),  # a typo in the document's name
])
def test_unknown_reference_suggests_relevant_sections(documents, reference, expected):
    with pytest.raises(ReferenceNotFound) as info:
        resolve(reference, documents)
    err = info.value
    assert 1 <= len(err.suggestions) <= 3
    assert any(f"({expected}" in s for s in err.suggestions), err.suggestions
    assert f"«{reference}»" in err.message and "Mente du" in err.message


@pytest.mark.parametrize("reference", ["blåbærsyltetøy", "kreditnota", "finnes ikke i det hele tatt 12.7"])
def test_unknown_reference_without_a_relevant_section_suggests_nothing(documents, reference):
    """Nothing is better than a section that merely shares letters with the reference
    (epikrise once got the statutes of a prize): the message says how references are written."""
    with pytest.raises(ReferenceNotFound) as info:
        resolve(reference, documents)
    assert info.value.suggestions == []
    assert "Retningslinje 2 4.1" in info.value.message and "avtale ask" in info.value.message


def test_epikrise_never_suggests_the_prize_statutes(documents):
    with pytest.raises(ReferenceNotFound) as info:
        resolve("epikrise", documents)
    assert not any("amhandlingspris" in s for s in info.value.suggestions)


def test_a_guideline_number_that_does_not_exist_lists_those_that_do(documents):
    with pytest.raises(ReferenceNotFound) as info:
        resolve("retningslinje 10", documents)
    assert info.value.message.endswith("Korpuset har retningslinje 1–9.")


def test_empty_reference_is_a_usage_error(documents):
    with pytest.raises(UsageError):
        resolve("   ", documents)


def test_descendants_are_the_section_and_its_blocks(documents):
    found = resolve("rl2 4.1", documents)
    ids = [s.id for s in descendants(found.section, found.document)]
    assert ids[0] == "rl2:4.1"
    assert {"rl2:4.1/unn", "rl2:4.1/kommunen", "rl2:4.1.3", "rl2:4.1.3/unn"} <= set(ids)
    assert not any(i.startswith("rl2:5") for i in ids)


def test_suggest_returns_labels_with_ids(documents):
    hits = suggest("pasienttransport ved utskriving", documents)
    assert any("(rl2:4.1.3)" in h for h in hits)


# -- through the command --------------------------------------------------------------------
def test_show_prints_the_section_with_its_citation(run_cli, bundled_corpus_dir):
    result = run_cli("show", "Retningslinje 2 4.1.3", "--corpus", bundled_corpus_dir)
    assert result.code == 0, result
    out = result.out
    assert "Retningslinje 2: Samarbeid omkring behandlingsforløp" in out
    assert "[forslag – revidert etter høringsrunde, xx.xx.2023]" in out
    assert "4.1.3 Pasienttransport ved utskriving" in out
    # the source named as `ask` names it, not as an absolute path on this machine
    assert "Kilde: corpus/ssu-2023-06-01-samarbeidsavtale-unn-kommunene.txt, linje " in out
    assert "UNNs ansvar (UNN)" in out and "Rekvirere pasienttransport" in out
    assert result.err == ""


def test_show_old_agreement_number_prints_the_note(run_cli):
    result = run_cli("show", "tjenesteavtale 5")
    assert result.code == 0, result
    assert result.out.startswith("Tjenesteavtale 5 er erstattet av Retningslinje 2")


def test_show_unknown_reference_fails_cleanly(run_cli):
    result = run_cli("show", "retningslinje 2 9.9")
    assert result.code != 0
    assert result.out == ""
    assert result.err.startswith("avtale: Fant ingen seksjon for «retningslinje 2 9.9»")
    assert "rl2:9" in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_show_unknown_reference_in_a_real_process(run_avtale):
    result = run_avtale("show", "finnes ikke i det hele tatt 12.7")
    assert result.code == 6
    assert "Fant ingen seksjon" in result.err and "Skriv f.eks." in result.err
    assert "Traceback" not in result.err and result.out == ""
