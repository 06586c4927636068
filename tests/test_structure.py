"""structure: headings at every depth, footnotes and list items that only look like headings,
the guideline documents, the national guide's § / Punkt parts, the circular's capital headings,
and duty blocks that know which party they speak for. Synthetic texts first, then the real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.corpus.clean import clean_lines
from assistant.corpus.manifest import SourceEntry, _parse_document
from assistant.corpus.structure import (
    actor_of_label,
    split_documents,
    structure_document,
)
from assistant.errors import ManifestError
from assistant.models import SourceLine


def spec(headings: str = "numbered", hospital: str = "UNN", **extra):
    raw = {"id": "doc", "title": "Testdokument", "short_title": "Test", "headings": headings, "hospital": hospital}
    raw.update(extra)
    return _parse_document(Path("manifest.toml"), "test.txt", raw)


def source(text: str) -> list[SourceLine]:
    return [SourceLine(t, i + 1) for i, t in enumerate(text.split("\n"))]


def structure(text: str, headings: str = "numbered", hospital: str = "UNN"):
    cleaned = clean_lines(source(text))
    return structure_document(spec(headings, hospital), cleaned.lines, cleaned.links, cleaned.footnotes)


def numbers(doc) -> list[str]:
    return [s.number for s in doc.sections if s.number]


def by_number(doc, number: str):
    return next(s for s in doc.sections if s.number.rstrip(".") == number)


# -- numbered headings -----------------------------------------------------------------------
DEEP = """\
1. Forankring
Denne retningslinjen er laget i samarbeid.

2. Formål
Formålet er å sikre samarbeid.
2.1 Generelt
Generell tekst.

3. Ansvar
Tekst om ansvar.
3.1 Utskriving
3.1.1 Planlegging
Planlegging av utskriving.
3.1.2 Pasienttransport ved utskriving
Transport bestilles.
3.2 Barn og unge
3.2.1 Koordinering
3.2.1.1 Samarbeid med andre velferdstjenester
Tekst om velferd.
3.2.1.2 Barnekoordinator
Tekst om barnekoordinator.
4. Avvik
Meld avvik."""


def test_numbered_headings_at_every_depth():
    doc = structure(DEEP)
    assert numbers(doc) == ["1.", "2.", "2.1", "3.", "3.1", "3.1.1", "3.1.2", "3.2", "3.2.1", "3.2.1.1", "3.2.1.2", "4."]
    deepest = by_number(doc, "3.2.1.2")
    assert deepest.depth == 4
    assert deepest.path == ("Test", "3. Ansvar", "3.2 Barn og unge", "3.2.1 Koordinering", "3.2.1.2 Barnekoordinator")
    assert deepest.text == "Tekst om barnekoordinator."
    assert by_number(doc, "3.1.2").title == "Pasienttransport ved utskriving"


def test_section_line_ranges_follow_the_source():
    doc = structure(DEEP)
    s = by_number(doc, "3.1.2")
    assert (s.line_start, s.line_end) == (14, 15)
    assert s.spans == ((15, 15),)


def test_long_paragraph_is_cut_at_sentences_with_exact_lines():
    sentences = [f"Setning nummer {n} handler om utskrivning av pasienter fra sykehuset til kommunen." for n in range(1, 31)]
    body = "\n".join(" ".join(sentences[k:k + 2]) for k in range(0, 30, 2))  # two sentences a line
    doc = structure(f"1. Formål\n{body}")
    sec = by_number(doc, "1")
    paras = sec.text.split("\n")
    assert len(paras) > 2 and " ".join(paras) == " ".join(sentences)
    for para, (start, end) in zip(paras, sec.spans):
        first = int(para.split()[2])  # "Setning nummer N …"
        last = int(para.split("Setning nummer ")[-1].split()[0])
        assert start == 2 + (first - 1) // 2 and end == 2 + (last - 1) // 2


def test_a_heading_alone_between_blank_lines_may_be_long():
    # Web pages (the rehab chapter) put each paragraph on one line and each heading on its own.
    text = ("1. Samarbeid\n\nKoordinerende enhet for habilitering og rehabilitering sin rolle i arbeidet\n\n"
            "Enhetene bør delta i arbeidet.\n\nDette er en lang linje uten punktum som fortsetter\nneste linje.")
    doc = structure(text)
    assert [s.title for s in doc.sections] == ["Samarbeid", "Koordinerende enhet for habilitering og rehabilitering sin rolle i arbeidet"]
    assert doc.sections[1].text.startswith("Enhetene bør delta i arbeidet.")


def test_heading_wrapped_onto_the_next_line_is_joined():
    doc = structure("1. Formål\nTekst.\n\n2. Beskrivelse av kommunens tilbud om døgnopphold for\nøyeblikkelig hjelp\n\nTekst om tilbudet.")
    assert by_number(doc, "2").title == "Beskrivelse av kommunens tilbud om døgnopphold for øyeblikkelig hjelp"
    assert by_number(doc, "2").text == "Tekst om tilbudet."


def test_numbers_out_of_sequence_are_not_headings():
    doc = structure("1. Formål\nTekst.\n3.4 Dette er ikke en overskrift\n2. Ansvar\nTekst.")
    assert numbers(doc) == ["1.", "2."]
    assert "3.4 Dette er ikke en overskrift" in by_number(doc, "1").text


def test_a_document_may_start_deeper_than_1():
    # Del 2 of the agreement starts at 2.1; the rehab chapter of the national guide at 11.
    doc = structure("Innledende tekst.\n\n2.1 Oppgave- og ansvarsfordeling\nTekst.\n\n2.2 Samarbeid omkring behandlingsforløp\nTekst.")
    assert numbers(doc) == ["2.1", "2.2"]
    doc = structure("11. Habilitering og rehabilitering i lovpålagte samarbeidsavtaler\n\nLovgrunnlaget\n\nTekst om loven.")
    assert numbers(doc) == ["11."]


def test_a_section_hangs_only_under_its_own_number():
    # A paper that quotes another report's chapters: 6.1, then 6.2.1 without a 6.2.
    doc = structure("6.1 Bakgrunn\nTekst.\n\n6.2.1 Allmennlegetjenesten\nTekst om fastleger.")
    assert [s.path[1:] for s in doc.sections] == [("6.1 Bakgrunn",), ("6.2.1 Allmennlegetjenesten",)]


FOOTNOTES = """\
1. Forankring
Tekst.

2. Dokumentasjon
Relevant informasjon gitt til pårørende, inkludert barn som pårørende1, skal dokumenteres.
Behandlingshjelpemidler2
UNNs ansvar:
• Sørge for opplæring.

1 I henhold til retningslinje for barn som pårørende
2 Se nettsiden for behandlingshjelpemidler

3. Avvik
Meld avvik."""


def test_footnote_texts_are_not_headings():
    doc = structure(FOOTNOTES)
    assert numbers(doc) == ["1.", "2.", "3."]
    block = next(s for s in doc.sections if s.actor == "UNN")
    assert block.text.split("\n") == [
        "• Sørge for opplæring.",
        "1 I henhold til retningslinje for barn som pårørende",
        "2 Se nettsiden for behandlingshjelpemidler",
    ]


def test_footnote_that_looks_like_the_next_heading_is_not_one():
    # "2 Se nettsiden …" would be a plausible section 2 after section 1, but it is the text
    # of footnote 2, whose marker ("hjelpemidler2") came just before.
    text = "1 Innledning\nVi bruker hjelpemidler2 i hjemmet.\n\n2 Se nettsiden for behandlingshjelpemidler\n\n2 Bakgrunn\nTekst."
    doc = structure(text)
    assert numbers(doc) == ["1.", "2."]
    assert by_number(doc, "2").title == "Bakgrunn"
    assert "2 Se nettsiden for behandlingshjelpemidler" in by_number(doc, "1").text


@pytest.mark.parametrize("gap", ["\n", "\n\n"])
def test_numbered_list_items_are_not_headings(gap):
    items = gap.join(["1. Sende epikrise til fastlegen", "2. Ringe hjemmetjenesten", "3. Bestille transport"])
    doc = structure(f"1. Formål\nUNN skal gjøre dette:\n{items}\n\n2. Avvik\nMeld avvik.")
    assert numbers(doc) == ["1.", "2."]
    assert by_number(doc, "2").title == "Avvik"
    assert "2. Ringe hjemmetjenesten" in by_number(doc, "1").text


def test_a_heading_after_a_numbered_list_is_still_a_heading():
    doc = structure("1. Formål\nListe:\n1. Første punkt\n2. Andre punkt\n\n2. Ansvar\nTekst om ansvar.")
    assert numbers(doc) == ["1.", "2."]
    assert by_number(doc, "2").title == "Ansvar"


def test_sentences_starting_with_a_number_are_not_headings():
    doc = structure("1. Formål\nTekst.\n2. Kommunen skal betale for pasienter. Dette gjelder fra første døgn.\nMer tekst.")
    assert numbers(doc) == ["1."]


# -- duty blocks ---------------------------------------------------------------------------
@pytest.mark.parametrize("label, actor", [
    ("UNNs ansvar og oppgaver", "UNN"),
    ("UNNs ansvar:", "UNN"),
    ("Spesialisthelsetjenesten sitt ansvar", "UNN"),
    ("Helseforetakets ansvar", "UNN"),
    ("Kommunens ansvar", "Kommunen"),
    ("Kommunens ansvar og oppgaver:", "Kommunen"),
    ("Kommunehelsetjenestens ansvar og oppgaver", "Kommunen"),
    ("Kommunen sitt ansvar", "Kommunen"),
    ("Felles ansvar", "Felles"),
    ("Felles ansvar og oppgaver", "Felles"),
    ("Partnernes felles forpliktelser", "Felles"),
    ("Partnerne skal:", "Felles"),
    ("Partnernes skal", "Felles"),
    ("UNN skal", "UNN"),
    ("Kommunen skal", "Kommunen"),
    ("UNN og kommunene skal", "Felles"),
])
def test_duty_labels_name_their_party(label, actor):
    assert actor_of_label(label, "UNN", whole_line=True) == actor


@pytest.mark.parametrize("label", [
    "Kommunens ansvar for å planlegge utskrivning når en pasient innlegges i helseinstitusjon",
    "Ansvar og oppgaver",
    "Kommunikasjon",
])
def test_sentences_and_neutral_labels_are_not_duty_blocks(label):
    assert actor_of_label(label, "UNN", whole_line=True) is None


def test_another_health_trust_takes_unns_place():
    assert actor_of_label("Helse Bergens ansvar og oppgaver", "Helse Bergen", whole_line=True) == "UNN"
    assert actor_of_label("UNNs ansvar", "Helse Bergen", whole_line=True) is None


DUTIES = """\
1. Henvisning og innleggelse
1.1 Innleggelsesrutiner
UNNs ansvar og oppgaver
• Sende tidligmelding til kommunen innen 24 timer.

Kommunens ansvar og oppgaver
• Sende innleggelsesrapport.

2. Utskriving
2.1 Koordinerende enheter
Felles ansvar
Partnerne har felles ansvar.
Kommunehelsetjenestens ansvar og oppgaver
• Kommunen melder behov.
3. Ansvar og oppgaver
3.1 Partnernes felles forpliktelser
Partnerne skal samarbeide.
3.2 UNN skal
• veilede kommunen
3.3 Kommunen skal
• ta imot pasienten
3.4 Partnerne skal
• evaluere avtalen
4. Samarbeid
Partnerne skal:
• møtes årlig"""


def test_duty_blocks_become_sections_with_their_actor():
    doc = structure(DUTIES)
    blocks = [(s.path[1:], s.actor) for s in doc.sections if s.actor]
    assert blocks == [
        (("1. Henvisning og innleggelse", "1.1 Innleggelsesrutiner", "UNNs ansvar og oppgaver"), "UNN"),
        (("1. Henvisning og innleggelse", "1.1 Innleggelsesrutiner", "Kommunens ansvar og oppgaver"), "Kommunen"),
        (("2. Utskriving", "2.1 Koordinerende enheter", "Felles ansvar"), "Felles"),
        (("2. Utskriving", "2.1 Koordinerende enheter", "Kommunehelsetjenestens ansvar og oppgaver"), "Kommunen"),
        (("3. Ansvar og oppgaver", "3.1 Partnernes felles forpliktelser"), "Felles"),
        (("3. Ansvar og oppgaver", "3.2 UNN skal"), "UNN"),
        (("3. Ansvar og oppgaver", "3.3 Kommunen skal"), "Kommunen"),
        (("3. Ansvar og oppgaver", "3.4 Partnerne skal"), "Felles"),
        (("4. Samarbeid", "Partnerne skal"), "Felles"),
    ]
    unn = next(s for s in doc.sections if s.actor == "UNN")
    assert unn.text == "• Sende tidligmelding til kommunen innen 24 timer."
    assert unn.id == "doc:1.1/unn"


def test_numbers_skipping_a_level_are_not_headings():
    doc = structure("1. Formål\nTekst.\n1.2 Ikke en overskrift\n2. Ansvar")
    assert numbers(doc) == ["1.", "2."]


def test_a_subheading_ends_the_duty_block_before_it():
    text = "1. Hjelpemidler\nUNNs ansvar:\n• Sørge for utstyr.\n\nElektroniske hjelpemidler\nPartnerne forplikter seg til å samarbeide."
    doc = structure(text)
    sub = next(s for s in doc.sections if s.title == "Elektroniske hjelpemidler")
    assert sub.actor is None
    assert "Partnerne forplikter" in sub.text


# -- the guideline documents and the other heading styles --------------------------------------
def test_split_documents_at_each_guideline():
    text = ("Møtepapirer.\nRETNINGSLINJE nr. 1:\nOppgave- og ansvarsfordeling\n1. Forankring\nTekst.\n"
            "RETNINGSLINJE nr. 2:\nSamarbeid omkring behandlingsforløp\n1. Forankring og formål\nTekst.")
    docs = (spec(id="rl1", start=r"^RETNINGSLINJE nr\. 1:"), spec(id="rl2", start=r"^RETNINGSLINJE nr\. 2:"))
    parts = split_documents(SourceEntry("ssu.txt", docs), clean_lines(source(text)).lines)
    assert [(s.info.id, lines[0].text, lines[-1].line) for s, lines in parts] == [
        ("rl1", "RETNINGSLINJE nr. 1:", 5), ("rl2", "RETNINGSLINJE nr. 2:", 9)]
    rl2 = structure_document(parts[1][0], parts[1][1], {})
    assert rl2.sections[0].title == "Innledning" and "Samarbeid omkring behandlingsforløp" in rl2.sections[0].text
    assert rl2.sections[1].id == "rl2:1" and rl2.sections[1].title == "Forankring og formål"


def test_missing_document_start_is_a_manifest_error():
    docs = (spec(id="rl1", start=r"^RETNINGSLINJE nr\. 1:"), spec(id="rl9", start=r"^RETNINGSLINJE nr\. 9:"))
    with pytest.raises(ManifestError, match="rl9"):
        split_documents(SourceEntry("ssu.txt", docs), source("RETNINGSLINJE nr. 1:\nTekst."))


GUIDE = """\
Regelverk (lov eller forskrift)

§ 6-1 Plikt til å inngå samarbeidsavtale
Ekstern høring:

§ 6-1. Plikt til å inngå samarbeidsavtale
Kommunestyret skal selv inngå samarbeidsavtale.

Veiledning
Avtalen bør forankres politisk.

Regelverk (lov eller forskrift)

Krav til avtalens innhold
Ekstern høring:

§ 6-2. Krav til avtalens innhold
Avtalen skal som et minimum omfatte:

Regelverk (lov eller forskrift)

Punkt 5: Utskrivningsklare pasienter
Ekstern høring:

retningslinjer for samarbeid om utskrivningsklare pasienter,
Kilde: lovdata.no

Kommentar
https://lovdata.no/dokument/NL/lov/2011-06-24-30/KAPITTEL_6#%C2%A76-6
Ansvarsforhold ved samarbeidstiltak må klargjøres, jf. %C2%A7 6-2.

Veiledning
Samarbeidsavtalen bør beskrive varslingsrutiner.

Regelverk (lov eller forskrift)

Punkt 6: Kunnskapsoverføring og informasjonsutveksling
retningslinjer for gjensidig kunnskapsoverføring,"""


def test_national_guide_paragraphs_and_points_with_their_parts():
    doc = structure(GUIDE, headings="guide")
    heads = [s.path[1:] for s in doc.sections if s.title != "Innledning"]
    assert heads == [
        ("§ 6-1 Plikt til å inngå samarbeidsavtale",),
        ("§ 6-1 Plikt til å inngå samarbeidsavtale", "Regelverk (lov eller forskrift)"),
        ("§ 6-1 Plikt til å inngå samarbeidsavtale", "Veiledning"),
        ("§ 6-2 Krav til avtalens innhold",),
        ("§ 6-2 Krav til avtalens innhold", "Regelverk (lov eller forskrift)"),
        ("Punkt 5 Utskrivningsklare pasienter",),
        ("Punkt 5 Utskrivningsklare pasienter", "Regelverk (lov eller forskrift)"),
        ("Punkt 5 Utskrivningsklare pasienter", "Kommentar"),
        ("Punkt 5 Utskrivningsklare pasienter", "Veiledning"),
        ("Punkt 6 Kunnskapsoverføring og informasjonsutveksling",),
        ("Punkt 6 Kunnskapsoverføring og informasjonsutveksling", "Regelverk (lov eller forskrift)"),
    ]
    comment = next(s for s in doc.sections if s.path[1:] == ("Punkt 5 Utskrivningsklare pasienter", "Kommentar"))
    assert comment.text == "Ansvarsforhold ved samarbeidstiltak må klargjøres, jf. § 6-2."
    assert comment.links == ("https://lovdata.no/dokument/NL/lov/2011-06-24-30/KAPITTEL_6#§6-6",)
    assert comment.id == "doc:punkt-5/kommentar"


CIRCULAR = """\
SPESIALISTHELSETJENESTENS VEILEDNINGSPLIKT OVERFOR DEN
KOMMUNALE HELSE- OG OMSORGSTJENESTEN

1. INNLEDNING

I helse- og omsorgstjenesten er det etablert et prinsipp.

2. SPESIALISTHELSETJENESTELOVEN § 6-3

Spesialisthelsetjenesteloven § 6-3 lyder som følger:

3. PLIKT TIL VEILEDNING KNYTTET TIL ENKELTPASIENTER

Tekst om enkeltpasienter."""


def test_circular_numbered_capital_headings():
    doc = structure(CIRCULAR)
    assert [(s.number, s.title) for s in doc.sections if s.number] == [
        ("1.", "INNLEDNING"), ("2.", "SPESIALISTHELSETJENESTELOVEN § 6-3"),
        ("3.", "PLIKT TIL VEILEDNING KNYTTET TIL ENKELTPASIENTER")]


def test_meeting_cases_are_sections():
    text = "Sak: 32/23\nTittel: Innkalling og dagsorden\nForslag til vedtak godkjennes.\n\nSak: 33/23\nTittel: Referatsaker\nTekst."
    doc = structure(text, headings="sak")
    assert [(s.number, s.title) for s in doc.sections if s.number] == [
        ("Sak 32/23", "Innkalling og dagsorden"), ("Sak 33/23", "Referatsaker")]
    assert doc.sections[0].id == "doc:sak-32-23"


def test_section_ids_are_unique():
    doc = structure("1. A\nFelles ansvar\nTekst.\nFelles ansvar\nMer tekst.\nUNNs ansvar\nTekst.")
    ids = [s.id for s in doc.sections]
    assert len(ids) == len(set(ids))


# -- the real corpus ---------------------------------------------------------------------------
def _doc(real_corpus, doc_id):
    return real_corpus.document(doc_id)


def test_real_rl2_has_every_heading_of_its_table_of_contents(real_corpus):
    rl2 = _doc(real_corpus, "rl2")
    expected = ["1.", "2.", "2.1", "2.2", "2.3", "3.", "3.1", "3.2", "3.2.1", "3.2.2", "3.2.3", "3.2.4", "4.", "4.1",
                "4.1.1", "4.1.2", "4.1.3", "5.", "5.1", "5.1.1", "5.1.1.1", "5.1.1.2", "5.1.1.3", "5.1.2", "5.2",
                "6.", "7.", "8.", "9.", "10."]
    assert numbers(rl2) == expected
    assert by_number(rl2, "5.1.1.2").title == "Barnekoordinator"


def test_real_rl2_footnotes_are_not_sections(real_corpus):
    rl2 = _doc(real_corpus, "rl2")
    assert not any(s.title.startswith(("I henhold til", "Se nettsiden")) for s in rl2.sections)
    texts = "\n".join(s.text for s in rl2.sections).split("\n")
    assert "1 I henhold til retningslinje for barn som pårørende" in texts


def test_real_agreement_part2_has_its_nine_points(real_corpus):
    assert numbers(_doc(real_corpus, "avtale-del2")) == [f"2.{n}" for n in range(1, 10)]


def test_real_agreement_part1_has_17_articles(real_corpus):
    assert numbers(_doc(real_corpus, "avtale-del1")) == [f"{n}." for n in range(1, 18)]


@pytest.mark.parametrize("doc_id, number, actor", [
    ("rl4", "4.1", "Felles"), ("rl4", "4.2", "UNN"), ("rl4", "4.3", "Kommunen"),
    ("rl5", "4.1", "Felles"), ("rl6", "4.1", "Felles"), ("rl6", "4.2", "UNN"), ("rl6", "4.3", "Kommunen"),
    ("rl9", "5.2", "UNN"), ("rl9", "5.3", "Kommunen"), ("rl9", "5.4", "Felles"),
    ("rl3", "4", "Kommunen"), ("rl3", "5", "UNN"), ("rl8", "7", "Kommunen"), ("rl8", "8", "UNN"),
])
def test_real_numbered_duty_sections(real_corpus, doc_id, number, actor):
    assert by_number(_doc(real_corpus, doc_id), number).actor == actor


def test_real_rl2_blocks_under_their_sections(real_corpus):
    rl2 = _doc(real_corpus, "rl2")
    blocks = {(s.path[-2].split()[0], s.actor) for s in rl2.sections if s.actor and not s.number}
    assert {("2.1", "Kommunen"), ("2.1", "UNN"), ("2.2", "UNN"), ("2.2", "Kommunen"), ("3.2.1", "Felles"),
            ("3.2.3", "UNN"), ("3.2.3", "Kommunen"), ("4.1", "UNN"), ("4.1", "Kommunen"), ("4.1.3", "UNN"),
            ("5.2", "Felles"), ("5.2", "UNN"), ("5.2", "Kommunen"), ("6.", "Felles")} <= blocks


def test_real_national_guide_has_paragraphs_and_13_points(real_corpus):
    guide = _doc(real_corpus, "veileder-samarbeidsavtaler")
    tops = [s.number for s in guide.sections if s.depth == 1 and s.number]
    # Source order: § 6-2 is discussed with the 13 points, after §§ 6-3 to 6-6.
    assert tops == ["§ 6-1", "§ 6-3", "§ 6-4", "§ 6-5", "§ 6-6", "§ 6-2"] + [f"Punkt {n}" for n in range(1, 14)]
    point5 = [s.title for s in guide.sections if s.path[1] == "Punkt 5 Utskrivningsklare pasienter"]
    assert point5[:4] == ["Utskrivningsklare pasienter", "Regelverk (lov eller forskrift)", "Kommentar", "Veiledning"]


def test_real_circular_has_its_five_chapters(real_corpus):
    circ = _doc(real_corpus, "rundskriv-veiledningsplikt")
    assert [s.number for s in circ.sections if s.number] == ["1.", "2.", "3.", "4.", "5."]
    assert by_number(circ, "3").title == "PLIKT TIL VEILEDNING KNYTTET TIL ENKELTPASIENTER"


def test_real_rehab_chapter_is_chapter_11_with_subsections(real_corpus):
    rehab = _doc(real_corpus, "veileder-rehabilitering")
    chapter = by_number(rehab, "11")
    assert chapter.title.startswith("Habilitering og rehabilitering i lovpålagte samarbeidsavtaler")
    subs = [s.title for s in rehab.sections if s.depth == 2]
    assert subs == [
        "Lovgrunnlaget for lovpålagte samarbeidsavtaler",
        "Koordinerende enhet for habilitering og rehabilitering sin rolle i arbeidet med samarbeidsavtaler",
        "Implementering av samarbeidsavtaler",
        "Beskrivelse av habilitering og rehabilitering i avtalene mellom helseforetak og kommuner",
        "Avklaring av ansvar og oppgaver mellom helseforetak og kommuner",
        "Retningslinjer for samarbeid om habilitering og rehabilitering, individuell plan og koordinator",
        "Samarbeid om kompetanse og forskning",
        "Regionale og lokale nettverk",
    ]


def test_real_report_footnotes_are_not_headings(real_corpus):
    report = _doc(real_corpus, "rapport-2006")
    assert [s.number for s in report.sections if s.depth == 1 and s.number] == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert not any(s.title.startswith(("Konsultasjonsordningen er", "Prosjektgruppens medlemmer")) for s in report.sections)


# -- end to end: the whole bundled corpus, structured and chunked ---------------------------------
def test_real_corpus_has_22_documents_with_the_manifest_ids(real_corpus, bundled_corpus_dir):
    from assistant.corpus.manifest import load_manifest

    ids = [d.info.id for entry in load_manifest(bundled_corpus_dir) for d in entry.documents]
    assert len(ids) == 22
    assert [d.id for d in real_corpus.documents] == ids
    assert {"avtale-del1", "avtale-del2", *(f"rl{n}" for n in range(1, 10)), "veileder-samarbeidsavtaler",
            "veileder-rehabilitering", "rundskriv-veiledningsplikt", "rapport-2006"} <= set(ids)
    assert all(d.sections for d in real_corpus.documents)


def test_real_rl2_4_1_3_is_patient_transport_with_an_unn_block(real_corpus):
    rl2 = real_corpus.document("rl2")
    section = by_number(rl2, "4.1.3")
    assert section.title == "Pasienttransport ved utskriving"
    assert real_corpus.document("rl2").info.title.startswith("Samarbeidsavtale UNN–kommune – Retningslinje 2")
    blocks = [s for s in rl2.sections if s.path[:-1] == section.path and s.actor]
    assert [b.actor for b in blocks] == ["UNN"]
    assert "Rekvirere pasienttransport" in blocks[0].text


def test_real_rl2_admission_duties_sit_with_the_right_party(real_corpus):
    rl2 = real_corpus.document("rl2")
    early = [s for s in rl2.sections if "tidligmelding" in s.text.lower()]
    report = [s for s in rl2.sections if "innleggelsesrapport" in s.text.lower()]
    assert early and all(s.actor == "UNN" and s.path[2].startswith("2.2 ") for s in early)
    assert report and all(s.actor == "Kommunen" and s.path[2].startswith("2.2 ") for s in report)


@pytest.mark.parametrize("bad", ["%C2%A7", "Side 3 av", "Ekstern høring", "Vedlegg til samarbeidsavtale kommunen og UNN –",
                                 "Kommune-våpen", "våpen + navn", "http://", "https://"])
def test_real_section_texts_are_free_of_furniture(real_corpus, bad):
    hits = [s.id for s in real_corpus.sections() if bad.lower() in s.text.lower()]
    assert hits == []


def test_real_section_texts_have_no_dot_leader_lines(real_corpus):
    import re

    leader = re.compile(r"(\.\s?){5,}\s*\d*\s*$")
    hits = [(s.id, p) for s in real_corpus.sections() for p in s.text.split("\n") if leader.search(p)]
    assert hits == []


def test_real_agreement_sections_carry_the_draft_status(real_corpus):
    agreement = [d for d in real_corpus.documents if d.id.startswith(("avtale-del", "rl"))]
    assert len(agreement) == 11
    for doc in agreement:
        assert "forslag" in doc.info.status_label and "xx.xx.2023" in doc.info.status_label
        assert all(s.doc_id == doc.id for s in doc.sections)


def test_real_sections_are_well_formed(real_corpus):
    for doc in real_corpus.documents:
        ids = [s.id for s in doc.sections]
        assert len(ids) == len(set(ids)), doc.id
        for s in doc.sections:
            assert s.path[0] == doc.info.short_title
            assert s.line_start <= s.line_end
            assert len(s.spans) == len(s.text.split("\n")) or not s.text
            assert all(s.line_start <= a <= b <= s.line_end for a, b in s.spans), s.id
            assert s.actor in (None, "UNN", "Kommunen", "Felles")


def test_real_chunks_stay_inside_one_section(real_corpus):
    from assistant.corpus.chunk import chunk_documents

    sections = {s.id: s for s in real_corpus.sections()}
    chunks = chunk_documents(real_corpus.documents)
    assert len(chunks) > 400
    for chunk in chunks:
        section = sections[chunk.section_id]
        assert chunk.doc_id == section.doc_id
        assert section.line_start <= chunk.line_start <= chunk.line_end <= section.line_end, chunk.id
        assert chunk.text and chunk.text in section.text
        assert chunk.actor == section.actor and chunk.context == section.breadcrumb


def test_real_chunk_citations_point_at_the_source_lines(real_corpus, bundled_corpus_dir):
    """A chunk's first words are on its first cited line, its last words on its last one
    (compared on letters only, so hyphenation and bullets do not matter)."""
    import re

    from assistant.corpus.chunk import chunk_documents
    from assistant.corpus.load import load_source

    def letters(text: str) -> str:
        return re.sub(r"[^a-zæøåäöüé]", "", text.lower())

    raw: dict[str, dict[int, str]] = {}
    docs = {d.id: d for d in real_corpus.documents}
    wrong = []
    for chunk in chunk_documents(real_corpus.documents):
        name = docs[chunk.doc_id].info.source_file
        if name not in raw:
            raw[name] = {ln.line: ln.text for ln in load_source(bundled_corpus_dir / name)}
        source = raw[name]
        paras = chunk.text.split("\n")
        head, tail = letters(paras[0])[:12], letters(paras[-1])[-12:]
        after = [source[n] for n in range(chunk.line_start, chunk.line_end + 1) if source.get(n, "").strip()][:2]
        # the last line may end in a hyphenated word completed on the next source line
        before = [source[n] for n in range(chunk.line_start, chunk.line_end + 2) if source.get(n, "").strip()][-3:]
        if not letters(source.get(chunk.line_start, "")) or head not in letters(" ".join(after)) \
                or tail not in letters(" ".join(before)):
            wrong.append(chunk.id)
    assert wrong == []
