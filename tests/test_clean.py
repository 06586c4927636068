"""clean: one test per problem measured in the source files (issue 2), on small synthetic texts
shaped like the real ones, plus checks against the real corpus where the problem lives."""

from __future__ import annotations

import pytest

from assistant.corpus.clean import clean_lines
from assistant.corpus.load import load_source
from assistant.corpus.structure import paragraph_spans
from assistant.models import SourceLine


def clean(text: str):
    return clean_lines([SourceLine(t, i + 1) for i, t in enumerate(text.split("\n"))])


def kept(text: str) -> list[str]:
    return [ln.text for ln in clean(text).lines if ln.text]


def paragraphs(text: str) -> list[str]:
    return [p for p, _, _ in paragraph_spans(clean(text).lines)]


# -- hyphenation -----------------------------------------------------------------------------
def test_hyphenation_across_lines_is_joined():
    out = paragraphs("Pasienten henvises til spesialist-\nhelsetjenesten ved behov.")
    assert out == ["Pasienten henvises til spesialisthelsetjenesten ved behov."]


def test_hyphenation_joined_across_a_blank_line():
    out = paragraphs("Pasienten henvises til spesialist-\n\nhelsetjenesten ved behov.")
    assert out == ["Pasienten henvises til spesialisthelsetjenesten ved behov."]


@pytest.mark.parametrize("text", [
    "Kommunen yter helse- \nog omsorgstjenester til alle.",
    "Kommunen yter helse-\nog omsorgstjenester til alle.",
    "Kommunen yter helse- og omsorgstjenester til alle.",
])
def test_suspended_hyphen_before_og_stays(text):
    assert paragraphs(text) == ["Kommunen yter helse- og omsorgstjenester til alle."]


@pytest.mark.parametrize("word", ["eller", "og/eller"])
def test_suspended_hyphen_before_other_conjunctions_stays(word):
    assert paragraphs(f"Det gjelder en langtids-\n{word} korttidsplass.") == [f"Det gjelder en langtids- {word} korttidsplass."]


@pytest.mark.parametrize("broken, whole", [
    ("Universitetssykehuset Nord-\nNorge HF har ansvaret.", "Universitetssykehuset Nord-Norge HF har ansvaret."),
    ("Bruken av IKT-\nsystemene skal økes.", "Bruken av IKT-systemene skal økes."),
    ("Det gjelder samarbeidet på NAV-\nområdet.", "Det gjelder samarbeidet på NAV-området."),
    ("Send forslag til riktig e-\npostadresse i kommunen.", "Send forslag til riktig e-postadresse i kommunen."),
    ("Høringssvar til Wisløff-\nutvalget kom i fjor.", "Høringssvar til Wisløff-utvalget kom i fjor."),
    ("Kommunens plikt til øyeblikkelig-hjelp-\ndøgnopphold gjelder.", "Kommunens plikt til øyeblikkelig-hjelp-døgnopphold gjelder."),
])
def test_line_end_hyphen_that_belongs_to_the_word_is_kept(broken, whole):
    # Acronyms, one-letter prefixes (e-post), proper names and words already hyphenated
    # keep their hyphen: joining them would invent words ("IKTsystemene", "epostadresse").
    assert paragraphs(broken) == [whole]


def test_hyphenation_is_counted():
    assert clean("spesialist-\nhelsetjenesten").stats["hyphenation"] == 1


# -- blank lines and very long lines -------------------------------------------------------------
def test_blank_lines_inside_a_sentence_do_not_split_the_paragraph():
    text = "Behovet for oppfølging skal vurderes med\n\n\nutgangspunkt i pasientens funksjonsnivå.\n\nNeste avsnitt."
    assert paragraphs(text) == [
        "Behovet for oppfølging skal vurderes med utgangspunkt i pasientens funksjonsnivå.",
        "Neste avsnitt.",
    ]


def test_page_break_inside_a_sentence_is_bridged():
    text = ("UNN skal varsle kommunen om\n\nSide 3 av 12\n"
            "Vedlegg til samarbeidsavtale kommunen og UNN – Retningslinje 2, oppdatert xx.xx.2023\n\n"
            "utskrivningsklare pasienter.")
    assert paragraphs(text) == ["UNN skal varsle kommunen om utskrivningsklare pasienter."]


def test_blank_line_after_a_full_stop_ends_the_paragraph():
    assert paragraphs("Første avsnitt slutter her.\n\nAndre avsnitt.") == ["Første avsnitt slutter her.", "Andre avsnitt."]


def test_very_long_single_line_paragraphs_are_kept():
    # The rehab chapter has whole paragraphs on one line: cleaning keeps them intact, and the
    # paragraph builder cuts them at sentence ends into passage-sized pieces of that one line.
    long_para = " ".join(["Kommuner og helseforetak må sikre implementering av samarbeidsavtalene."] * 40)
    text = f"Implementering av samarbeidsavtaler\n\n{long_para}\n\nNeste avsnitt."
    assert kept(text) == ["Implementering av samarbeidsavtaler", long_para, "Neste avsnitt."]
    pieces = paragraph_spans(clean(text).lines)[1:-1]
    assert " ".join(p for p, _, _ in pieces) == long_para
    assert all(len(p) <= 700 for p, _, _ in pieces) and len(pieces) >= 4
    assert {(a, b) for _, a, b in pieces} == {(3, 3)}


# -- page furniture ------------------------------------------------------------------------------
@pytest.mark.parametrize("line, kind", [
    ("Side 3 av 12", "page_number"),
    ("side 10 av 12 ", "page_number"),
    ("Page 2 of 9", "page_number"),
    ("7", "page_number"),
    ("Ekstern høring:", "hearing_mark"),
    ("Ekstern høring", "hearing_mark"),
    ("Vedlegg til samarbeidsavtale kommunen og UNN – Retningslinje 2, oppdatert xx.xx.2023", "running_head"),
    ("Vedlegg til samarbeidsavtale kommunen og UNN - Retningslinje 9, oppdatert 01.06.2023", "running_head"),
    ("VEDLEGG TIL SAMARBEIDSAVTALE MELLOM KOMMUNENE OG UNN", "running_head"),
    ("Sist oppdatert: xx.xx.2023", "running_head"),
    ("FORSLAG – revidert etter høringsrunde", "status_mark"),
    ("Kilde: lovdata.no", "source_note"),
    ("____________________", "separator"),
])
def test_page_furniture_line_is_removed_and_counted(line, kind):
    out = clean(f"Første setning.\n{line}\nSiste setning.")
    assert [ln.text for ln in out.lines if ln.text] == ["Første setning.", "Siste setning."]
    assert out.stats[kind] == 1


def test_lone_list_number_after_links_is_removed_but_a_sentence_end_stays():
    out = clean("Tekst.\nhttps://lovdata.no/lov\n 1.  \n\nNeste avsnitt.")
    assert [ln.text for ln in out.lines if ln.text] == ["Tekst.", "Neste avsnitt."]
    assert out.stats["list_marker"] == 1
    assert kept("etter lov om voldgift av 14. mai 2004 nr.\n25.\n") == ["etter lov om voldgift av 14. mai 2004 nr.", "25."]


def test_municipal_letterhead_is_removed():
    text = "Kommune-\nvåpen + navn\n\nkommune\n\nRETNINGSLINJE nr. 2:"
    out = clean(text)
    assert kept(text) == ["RETNINGSLINJE nr. 2:"]
    assert out.stats["letterhead"] == 3


def test_the_word_kommune_alone_is_kept_outside_a_letterhead():
    assert kept("Avtalen gjelder for\nkommune\nog helseforetak.") == ["Avtalen gjelder for", "kommune", "og helseforetak."]


def test_table_of_contents_with_dot_leaders_is_removed():
    text = "\n".join([
        "Innhold",
        "RETNINGSLINJE nr. 2: .............................................. 1",
        "1. Forankring og formål ........................................... 2",
        "2.1 Henvisningsrutiner ............................................ 3",
        "UNNs ansvar og oppgaver ........................................... 8",
        "5.1.1 Koordinering omkring barn som mottar flere tjenester fra spesialisthelsetjenesten og",
        "kommunen (samarbeid med andre velferdstjenester) .................. 9",
        "",
        "1. Forankring og formål",
        "Denne retningslinjen er laget i samarbeid.",
    ])
    out = clean(text)
    assert [ln.text for ln in out.lines if ln.text] == ["1. Forankring og formål", "Denne retningslinjen er laget i samarbeid."]
    assert out.stats["toc"] == 7


def test_an_ellipsis_in_the_text_is_not_a_table_of_contents():
    assert kept("Han nølte … og fortsatte.") == ["Han nølte … og fortsatte."]


# -- URLs and URL-encoding -----------------------------------------------------------------------
def test_percent_encoded_paragraph_sign_is_decoded():
    out = clean("jf. %C2%A7 6-2 Krav til avtalens innhold")
    assert out.lines[0].text == "jf. § 6-2 Krav til avtalens innhold"
    assert out.stats["url_encoding"] == 1


def test_decoded_paragraph_sign_glued_to_a_word_gets_a_space():
    assert clean("finansiering av samarbeidstiltaket må%C2%A7 6-2 Krav").lines[0].text == \
        "finansiering av samarbeidstiltaket må § 6-2 Krav"


def test_invalid_percent_sequence_is_left_alone():
    assert clean("Andelen økte med 50 %ZZ i fjor").lines[0].text == "Andelen økte med 50 %ZZ i fjor"


def test_bare_url_lines_become_links_and_leave_the_text():
    text = "Se retningslinjen.\nhttps://lovdata.no/dokument/NL/lov/2011-06-24-30/KAPITTEL_6#%C2%A76-6\nwww.unn.no/samhandling\nNeste setning."
    out = clean(text)
    assert kept(text) == ["Se retningslinjen.", "Neste setning."]
    assert out.links[2] == ["https://lovdata.no/dokument/NL/lov/2011-06-24-30/KAPITTEL_6#§6-6"]
    assert out.links[3] == ["www.unn.no/samhandling"]
    assert out.stats["url"] == 2


def test_inline_url_is_moved_to_links():
    out = clean("Forskrift om IKT-standarder: https://lovdata.no/dokument/SF/forskrift/2015-07-01-853")
    assert out.lines[0].text == "Forskrift om IKT-standarder:"
    assert out.links[1] == ["https://lovdata.no/dokument/SF/forskrift/2015-07-01-853"]


def test_url_wrapped_at_a_hyphen_is_rejoined_and_its_tail_leaves_the_text():
    text = (" https://unn.no/rutiner-og-retningslinjer#retningslinjer-for-kommunalt-\n"
            "ansatt-ledsager-for-pasienter-i-sykehuset. Skjema for vurdering, plan og avtale om ledsager")
    out = clean(text)
    assert out.links[1] == ["https://unn.no/rutiner-og-retningslinjer#retningslinjer-for-kommunalt-ansatt-ledsager-for-pasienter-i-sykehuset"]
    assert kept(text) == ["Skjema for vurdering, plan og avtale om ledsager"]


def test_link_text_glued_to_the_next_word_is_split():
    # The PDF glued the link text "kommunen" onto "utskrivningsklare"; real compounds stay whole.
    filler = "\n".join([
        "Kommunen skal varsles. Kommunen svarer. Kommunen tar imot.",
        "Utskrivningsklare pasienter skal meldes. Utskrivningsklare pasienter venter.",
        "Etter sykehusinnleggelsen skal pasienten hjem.",
        "Sykehus og innleggelsen er ord i teksten, sykehus og innleggelsen igjen, og sykehus.",
    ])
    out = clean(f"{filler}\nplikt til å varsle kommunenutskrivningsklare pasienter")
    texts = [ln.text for ln in out.lines]
    assert texts[-1] == "plikt til å varsle kommunen utskrivningsklare pasienter"
    assert "Etter sykehusinnleggelsen skal pasienten hjem." in texts
    assert out.stats["glued_link_text"] == 1


# -- footnote markers ------------------------------------------------------------------------
@pytest.mark.parametrize("raw, clean_text", [
    ("Samarbeid om barn som pårørende1, og deres familie.", "Samarbeid om barn som pårørende, og deres familie."),
    ("• Følge Normen1 og anbefalinger gitt i nasjonale veiledere", "• Følge Normen og anbefalinger gitt i nasjonale veiledere"),
    ("forskrift om betaling for utskrivningsklare pasienter5.", "forskrift om betaling for utskrivningsklare pasienter."),
])
def test_footnote_markers_are_removed(raw, clean_text):
    out = clean(raw)
    assert out.lines[0].text == clean_text
    assert out.stats["footnote_marker"] == 1


@pytest.mark.parametrize("text", ["LIS1 og ALIS", "ØH-døgn i 2023", "§ 6-2 punkt 5", "versjon 2.1 av avtalen", "Covid-19"])
def test_numbers_that_are_not_footnote_markers_stay(text):
    assert clean(text).lines[0].text == text


# -- source line numbers survive cleaning ------------------------------------------------------
def test_kept_lines_keep_their_source_line_numbers():
    out = clean("Side 1 av 2\n\nFørste setning om\nspesialist-\nhelsetjenesten.")
    assert [(ln.line, ln.text) for ln in out.lines if ln.text] == [(3, "Første setning om"), (4, "spesialisthelsetjenesten.")]


# -- the real files --------------------------------------------------------------------------
def _clean_file(corpus_dir, name):
    return clean_lines(load_source(corpus_dir / name))


def test_real_guide_has_no_percent_encoding_left(bundled_corpus_dir):
    out = _clean_file(bundled_corpus_dir, "veileder-samarbeidsavtaler-horingsutkast.txt")
    assert not any("%C2%A7" in ln.text for ln in out.lines)
    assert not any("%C2%A7" in url for urls in out.links.values() for url in urls)
    assert any("§ 6-2" in ln.text for ln in out.lines)


def test_real_agreement_furniture_is_gone(bundled_corpus_dir):
    out = _clean_file(bundled_corpus_dir, "ssu-2023-06-01-samarbeidsavtale-unn-kommunene.txt")
    texts = [ln.text for ln in out.lines]
    assert not any(t.startswith("Side ") and " av " in t and len(t) < 14 for t in texts)
    assert not any(t.startswith("Vedlegg til samarbeidsavtale kommunen og UNN –") for t in texts)
    assert not any("....." in t for t in texts)
    assert not any(t.startswith(("http://", "https://")) for t in texts)
    assert out.stats["running_head"] >= 5 and out.stats["toc"] >= 20 and out.stats["letterhead"] >= 2


def test_real_rehab_chapter_long_lines_survive(bundled_corpus_dir):
    raw = load_source(bundled_corpus_dir / "veileder-rehabilitering-kap11-samarbeidsavtaler.txt")
    longest = max(raw, key=lambda ln: len(ln.text))
    assert len(longest.text) > 400
    out = clean_lines(raw)
    assert any(ln.line == longest.line and len(ln.text) > 400 for ln in out.lines)


def test_a_sentence_end_alone_after_a_blank_line_is_joined():
    text = ("Avtalen kan sies opp med ett års frist. Når en av partene sier opp avtalen, skal det regionale\n"
            "helseforetaket varsle\n\nHelsedirektoratet.\n\nNeste avsnitt.")
    assert paragraphs(text)[0].endswith("skal det regionale helseforetaket varsle Helsedirektoratet.")
    assert paragraphs("Samarbeid om oppfølging\n\nKommunen.") == ["Samarbeid om oppfølging", "Kommunen."]


def test_a_letters_closing_and_signature_are_removed_and_the_text_after_kept():
    """The circular ends "Med vennlig hilsen" with its signers' names and titles: an excerpt of
    its last paragraph must not end on them. A line of text after the signature is kept."""
    text = ["utover det som fremgår av inngått samarbeidsavtale med kommunen.", "", "Med vennlig hilsen", "", "",
            "Elisabeth Salvesen e.f.", "fung. ekspedisjonssjef", " Pia Grude", " seniorrådgiver", "",
            "Kopi til Helsedirektoratet og alle statsforvalterne, som orienteres om rundskrivet."]
    out = clean_lines([SourceLine(t, i + 1, 1) for i, t in enumerate(text)])
    kept = [line.text for line in out.lines if line.text]
    assert kept == [text[0], text[-1]]
    assert out.stats["signature"] == 5
    # "Hilsen" inside a sentence is text
    line = "Vi sender en hilsen til alle som har bidratt i arbeidet med avtalen."
    assert [x.text for x in clean_lines([SourceLine(line, 1, 1)]).lines] == [line]
