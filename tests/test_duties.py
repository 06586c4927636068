"""Duty rows extracted from the real agreement text name the right party and deadline."""

from __future__ import annotations

import re

import pytest

from assistant.corpus.duties import extract_duties, find_deadline, find_legal_ref, subject_party


@pytest.fixture(scope="module")
def duties(real_corpus):
    return extract_duties(real_corpus.documents)


def _rows(duties, pattern: str, doc_id: str | None = None):
    rx = re.compile(pattern, re.I)
    return [d for d in duties if rx.search(d.duty) and (doc_id is None or d.doc_id == doc_id)]


@pytest.mark.parametrize(
    "pattern, doc_id, actor, deadline",
    [
        (r"sendes tidligmelding", "rl2", "UNN", r"innen 24 timer"),
        (r"Innleggelsesrapport skal sendes", "rl2", "Kommunen", r"innen 24 timer"),
        (r"svare på mottatt melding om utskrivningsklar", "rl2", "Kommunen", r"virkedager mellom 08-15"),
        (r"Rekvirere pasienttransport", "rl2", "UNN", None),
        (r"kommunen oppnevne en barnekoordinator", "rl2", "Kommunen", None),
        (r"Yte smittevernbistand", "rl8", "UNN", None),
        (r"årlig faglig evaluering av driften ved ø-hjelpsengene", "rl3", "UNN", r"årlig"),
        (r"sendes fortrinnsvis mellom kl\. 8-14", "rl2", "UNN", r"8-14"),
        # A responsibility placed with a party later in the sentence ("… ligger hos UNN",
        # "… påhviler kommunene og det enkelte helseforetak", "… gjelder for den kommunen …").
        (r"^Arbeidsgiveransvaret for personell fra UNN", None, "UNN", None),
        (r"^Plikten til å inngå overordnet samarbeidsavtale", None, "Felles", None),
        (r"^Betalingsplikten gjelder for den kommunen", None, "Kommunen", None),
        # A hospital unit acts for the hospital, a cleft may hold an adverb, a subject may carry
        # two verbs, and the hospital side may be named with the regional authority beside it.
        (r"^Utskrivende post gjennomgår og sørger for kvalitetssikring", None, "UNN", None),
        (r"^Utskrivende enhet i UNN skal bruke malen", None, "UNN", None),
        (r"^Det er derfor kommunestyret som selv inngår", None, "Kommunen", None),
        # the mayor acts for the municipality, and a subject's second verb is the duty
        (r"^Ordfører er kommunens rettslige representant, og skal signere", None, "Kommunen", None),
        # a sub-item of a list whose lead-in gives the parties the task ("Partnerne skal … ved å:")
        (r"^Invitere hverandre inn i kriseledelsen", "rl9", "Felles", None),
    ],
)
def test_known_duties_have_the_right_party(duties, pattern, doc_id, actor, deadline):
    rows = _rows(duties, pattern, doc_id)
    assert rows, f"no duty row matches {pattern!r}"
    assert {r.actor for r in rows} == {actor}
    if deadline:
        assert any(r.deadline and re.search(deadline, r.deadline) for r in rows)


def test_the_hospital_side_named_with_the_regional_authority_is_the_hospital():
    from assistant.corpus.duties import subject_party
    assert subject_party("Helseforetak/det regionale helseforetak har ansvar for å publisere avtalene.") == "UNN"
    assert subject_party("Det regionale helseforetaket skal varsle Helsedirektoratet.") is None


def test_a_list_of_topics_is_no_list_of_duties(duties):
    """Items under "Avtalen skal omfatte:" name topics; only a lead-in whose items go on its
    verb ("… ved å:") lists tasks."""
    assert not _rows(duties, r"^Rapportering og tilgang til DIPS Arena$")


def test_koordinerende_enheter_are_a_shared_duty(duties):
    rows = _rows(duties, r"Ha gjensidig kontakt og samarbeid gjennom faste kontaktpunkter", "rl2")
    assert rows and all(r.actor == "Felles" for r in rows)


def test_sentence_duty_outside_blocks_gets_its_subject(duties):
    rows = _rows(duties, r"^Partnerne plikter å gjøre avtalen og retningslinjene kjent", "avtale-del1")
    assert rows and rows[0].actor == "Felles"


def test_national_guidance_duties_are_marked(duties):
    national = [d for d in duties if d.national]
    assert national, "the national guide and circular should yield some duty rows"
    assert all(d.doc_id in {"veileder-samarbeidsavtaler", "veileder-rehabilitering", "rundskriv-veiledningsplikt"}
               for d in national)
    assert not any(d.national for d in duties if d.doc_id.startswith("rl"))


def test_every_row_cites_a_real_section(duties, real_corpus):
    ids = {s.id for s in real_corpus.sections()}
    assert duties and all(d.section_id in ids for d in duties)
    assert all(d.actor in ("UNN", "Kommunen", "Felles") for d in duties)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("skal sendes innen 24 timer etter innleggelse.", "innen 24 timer etter innleggelse"),
        ("svare på virkedager mellom 08-15.", "på virkedager mellom 08-15"),
        ("sendes fortrinnsvis mellom kl. 8-14 på virkedag.", "fortrinnsvis mellom kl. 8-14 på virkedag"),
        ("sier opp avtalen med ett års oppsigelsesfrist, jf.", "ett års oppsigelsesfrist"),
        ("revideres minimum én gang per år.", "minimum én gang per år"),
        ("oversende lenke innen en måned etter signering.", "innen en måned etter signering"),
        ("svare innen to uker.", "innen to uker"),
        # A condition ("when the journey is longer than 90 minutes"), not a time limit.
        ("ledsager ved begynnende fødsel, og reisevei lenger enn 90 minutter.", None),
        ("Kommunen skal tilby tjenester.", None),
    ],
)
def test_deadline_expressions(text, expected):
    assert find_deadline(text) == expected


def test_legal_reference():
    assert find_legal_ref("jf. helse- og omsorgstjenesteloven § 6-5 andre ledd") == "helse- og omsorgstjenesteloven § 6-5 andre ledd"
    assert find_legal_ref("Ingen lov her.") is None


def test_a_reference_abbreviation_does_not_cut_a_duty_in_two(duties):
    rows = _rows(duties, r"^Kommunen skal sørge for at personer som oppholder seg i kommunen", "rl1")
    assert rows and all(not r.duty.endswith("jf.") for r in rows)
    assert any("omsorgstjenesteloven" in r.duty.lower() or "hotjl" in r.duty.lower() for r in rows)
    assert not [d for d in duties if re.search(r"\b(jf|pkt|nr|f\.eks)\.$", d.duty)]


def test_footnotes_and_list_lead_ins_are_not_duties(duties):
    assert not _rows(duties, r"^\d{1,2} (I henhold|Se nettsiden)")
    assert not _rows(duties, r"^UNN og kommunene skal$")
    shared = _rows(duties, r"^tilby lærings- og mestringstilbud", "rl2")
    assert shared and shared[0].actor == "Felles"  # the list items under the lead-in remain


@pytest.mark.parametrize(
    "text, expected",
    [
        ("UNN skal varsle kommunen, jf. Helse- og omsorgstjenesteloven § 3-1. Kommunen svarer.",
         ["UNN skal varsle kommunen, jf. Helse- og omsorgstjenesteloven § 3-1.", "Kommunen svarer."]),
        ("Se pkt. 4.2 og f.eks. Tromsø kommune. Neste.", ["Se pkt. 4.2 og f.eks. Tromsø kommune.", "Neste."]),
        ("Tiltak (jf. Retningslinje 3) skal avtales. Dette gjelder osv. Ny setning!",
         ["Tiltak (jf. Retningslinje 3) skal avtales.", "Dette gjelder osv.", "Ny setning!"]),
        # A stop whose space the PDF's text lost still ends the sentence, but not inside an address.
        ("Avtalen skal være tilgjengelig.Helseforetaket har ansvar for å publisere den.",
         ["Avtalen skal være tilgjengelig.", "Helseforetaket har ansvar for å publisere den."]),
        ("Se www.Helsenorge.no og post@Unn.no om dette. Neste.", ["Se www.Helsenorge.no og post@Unn.no om dette.", "Neste."]),
    ],
)
def test_sentences_are_not_cut_after_abbreviations(text, expected):
    from assistant.corpus.sentences import split_sentences

    assert split_sentences(text) == expected


def test_a_megabyte_of_sentences_glued_without_spaces_is_split_into_them():
    from assistant.corpus.sentences import split_sentences

    # Each glued stop looks a bounded way around itself for an address: this stays linear.
    assert len(split_sentences("Tekst.Neste" * 120_000)) == 120_001


def test_a_duty_after_a_stop_without_space_is_its_own_row(duties):
    rows = _rows(duties, r"^Helseforetak/det regionale helseforetak har ansvar for å publisere")
    assert rows and rows[0].actor == "UNN" and (rows[0].deadline or "").startswith("innen en måned etter")


def test_the_regional_authorities_beside_the_municipalities_are_both_parties():
    from assistant.corpus.duties import subject_party

    assert subject_party("For å sikre offentlig tilgjengelighet skal RHF-ene og kommunene arkivere avtalene.") == "Felles"


def test_the_partner_that_hands_over_a_task_is_either_party(duties):
    rows = _rows(duties, r"^Partneren som avgir oppgaven plikter å bidra til opplæring", "rl1")
    assert rows and rows[0].actor == "Felles"


def test_a_reference_number_wrapped_onto_the_next_line_stays_in_the_duty(duties):
    rows = _rows(duties, r"benytte helseforetakets tilbud om smittevernbistand", "rl8")
    assert rows and "(beskrevet i pkt. 7)" in rows[0].duty


def test_context_sentences_in_a_duty_block_are_not_duties(duties):
    assert not _rows(duties, r"^Pasienten søker selv om kommunale helsetjenester", "rl2")
    assert not _rows(duties, r"^Det er også utarbeidet et e-læringskurs", "rl2")
    assert _rows(duties, r"^Delta i samarbeidsmøter og koordinere", "rl2")  # an imperative item stays


def test_municipalities_and_regional_health_authorities_together_are_shared(duties):
    rows = _rows(duties, r"skal kommunene og de regionale helseforetakene sikre")
    assert rows and {r.actor for r in rows} == {"Felles"}


def test_the_regional_health_authority_alone_is_not_the_hospital(duties):
    """Helse Nord RHF is not UNN: its own duty ("varsle Helsedirektoratet") is nobody's row."""
    assert not _rows(duties, r"skal det regionale helseforetaket varsle Helsedirektoratet")


def test_a_template_blank_is_not_a_duty(duties):
    assert not _rows(duties, r"XX kommune|KOMMUNENS BESKRIVELSE")
    assert _rows(duties, r"^Kommunen har ansvar for at det finnes et tilbud", "rl3")  # the real ØHD duty stays


def test_an_abbreviation_in_brackets_is_no_template_blank(duties):
    """"(GDPR)" is an abbreviation, not a blank like "(SETT INN DATO)": the row stays."""
    rows = _rows(duties, r"^Partnere som utveksler sensitive pasientdata", "rl7")
    assert rows and rows[0].actor == "Felles"


@pytest.mark.parametrize("sentence, party", [
    ("Partnere som utveksler sensitive pasientdata utenfor helsenettet, må inngå spesifikke avtaler.", "Felles"),
    ("Kommunen som mottar pasienten skal sende innleggelsesrapport.", "Kommunen"),
    ("Pasienter som trenger det skal få tilbud om oppfølging.", None),
])
def test_a_party_before_a_relative_clause_is_the_subject(sentence, party):
    assert subject_party(sentence) == party
