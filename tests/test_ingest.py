"""`avtale ingest`: PDFs, text and Markdown join the corpus with the same cleaning and structure
as the bundled documents; every unusable file gets one Norwegian message naming the file and
what to do, a non-zero exit, no traceback, and leaves the corpus folder byte-for-byte as it was.
The PDFs are made by the tests (fpdf2)."""

from __future__ import annotations

import json

import pytest

from assistant.corpus.documents import build_corpus
from assistant.corpus.manifest import load_manifest

AGREEMENT_PAGES = [
    "Lokal avtale om utskrivning\nDato: 01.02.2024\n\n1. Formål\n"
    "Avtalen skal sikre gode pasientforløp for pasienter og pårørende.\n\n2. Ansvar og oppgaver",
    "2.1 UNN skal\n- sende epikrise til fastlegen innen 24 timer\n\n2.2 Kommunen skal\n- ta imot pasienten samme dag\n\nSide 2 av 3",
    "3. Avvik\nAvvik meldes til samhandlingsavdelingen i spesialist-\nhelsetjenesten.",
]


def manifest_entry(corpus, doc_id):
    return next(d.info for e in load_manifest(corpus) for d in e.documents if d.info.id == doc_id)


# -- PDFs that work --------------------------------------------------------------------------
def test_multi_page_pdf_is_ingested_with_page_numbers(run_cli, corpus_copy, make_pdf):
    pdf = make_pdf("lokal-avtale.pdf", AGREEMENT_PAGES, title="Lokal avtale om utskrivning 2024")
    result = run_cli("ingest", pdf, "--corpus", corpus_copy)
    assert result.code == 0, result
    assert "La til lokal-avtale.pdf" in result.out and "«Lokal avtale om utskrivning 2024»" in result.out
    assert (corpus_copy / "lokal-avtale.pdf").read_bytes() == pdf.read_bytes()

    info = manifest_entry(corpus_copy, "lokal-avtale")
    assert (info.title, info.kind, info.date, info.source_file) == (
        "Lokal avtale om utskrivning 2024", "avtale", "01.02.2024", "lokal-avtale.pdf")
    doc = build_corpus(corpus_copy).document("lokal-avtale")
    pages = {s.number: (s.page_start, s.page_end) for s in doc.sections if s.number}
    assert pages == {"1.": (1, 1), "2.": (1, 1), "2.1": (2, 2), "2.2": (2, 2), "3.": (3, 3)}
    actors = {s.number: s.actor for s in doc.sections if s.number}
    assert actors["2.1"] == "UNN" and actors["2.2"] == "Kommunen"
    avvik = next(s for s in doc.sections if s.number == "3.")
    assert avvik.text == "Avvik meldes til samhandlingsavdelingen i spesialisthelsetjenesten."
    assert not any("Side 2 av 3" in s.text for s in doc.sections)


def test_ingested_pdf_is_listed_and_shown(run_cli, corpus_copy, make_pdf):
    pdf = make_pdf("lokal-avtale.pdf", AGREEMENT_PAGES)
    assert run_cli("ingest", pdf, "--corpus", corpus_copy).code == 0
    listing = run_cli("corpus", "--corpus", corpus_copy)
    assert listing.code == 0 and "lokal-avtale" in listing.out and "23 dokumenter" in listing.out
    rows = json.loads(run_cli("corpus", "--json", "--corpus", corpus_copy).out)
    assert rows[-1]["id"] == "lokal-avtale" and rows[-1]["sections"] >= 5
    shown = run_cli("show", "lokal-avtale:2.1", "--corpus", corpus_copy)
    assert shown.code == 0, shown
    assert "s. 2" in shown.out and "sende epikrise til fastlegen innen 24 timer" in shown.out


def test_encrypted_pdf_with_the_right_password_is_stored_without_it(run_cli, corpus_copy, make_pdf):
    pdf = make_pdf("hemmelig.pdf", AGREEMENT_PAGES, password="s3cret")
    result = run_cli("ingest", pdf, "--password", "s3cret", "--corpus", corpus_copy)
    assert result.code == 0, result
    # the corpus is rebuilt later without the password, so it must hold an open copy
    doc = build_corpus(corpus_copy).document("hemmelig")
    assert any("sende epikrise" in s.text for s in doc.sections)
    assert run_cli("corpus", "--corpus", corpus_copy).code == 0


def test_options_override_what_is_inferred(run_cli, corpus_copy, make_pdf):
    pdf = make_pdf("lokal-avtale.pdf", AGREEMENT_PAGES)
    result = run_cli("ingest", pdf, "--corpus", corpus_copy, "--title", "Avtale om utskrivning, Tromsø",
                     "--kind", "retningslinje", "--date", "2024", "--status", "vedtatt", "--id", "tromso-utskrivning",
                     "--publisher", "Tromsø kommune", "--hospital", "UNN")
    assert result.code == 0, result
    info = manifest_entry(corpus_copy, "tromso-utskrivning")
    assert (info.title, info.kind, info.date, info.status, info.publisher) == (
        "Avtale om utskrivning, Tromsø", "retningslinje", "2024", "vedtatt", "Tromsø kommune")
    shown = run_cli("show", "tromso-utskrivning:2.2", "--corpus", corpus_copy)
    assert "[vedtatt, 2024]" in shown.out


# -- text and Markdown -----------------------------------------------------------------------
def test_markdown_file_is_ingested_with_inferred_title_kind_and_date(run_cli, corpus_copy, tmp_path):
    md = tmp_path / "rutine-utskriving.md"
    md.write_text("# Retningslinje for utskriving av pasienter\n\nVedtatt 15.03.2024.\n\n"
                  "1. Formål\nSikre trygg utskriving.\n\n2. Ansvar\nUNNs ansvar og oppgaver\n"
                  "• Melde pasienten utskrivningsklar.\n", encoding="utf-8")
    result = run_cli("ingest", md, "--corpus", corpus_copy)
    assert result.code == 0, result
    info = manifest_entry(corpus_copy, "rutine-utskriving")
    assert info.title == "Retningslinje for utskriving av pasienter"
    assert info.kind == "retningslinje" and info.date == "15.03.2024"
    assert (corpus_copy / "rutine-utskriving.md").read_bytes() == md.read_bytes()
    doc = build_corpus(corpus_copy).document("rutine-utskriving")
    block = next(s for s in doc.sections if s.actor == "UNN")
    assert block.path[-2:] == ("2. Ansvar", "UNNs ansvar og oppgaver")


def test_text_file_gets_the_same_cleaning(run_cli, corpus_copy, tmp_path):
    txt = tmp_path / "notat.txt"
    txt.write_text("Notat om samarbeid\n\n1. Bakgrunn\nSamarbeidet med spesialist-\nhelsetjenesten skal\n\n"
                   "Side 1 av 2\nstyrkes.\n%C2%A7 6-2 gjelder.\n", encoding="utf-8")
    assert run_cli("ingest", txt, "--corpus", corpus_copy).code == 0
    doc = build_corpus(corpus_copy).document("notat")
    section = next(s for s in doc.sections if s.number == "1.")
    assert section.text == "Samarbeidet med spesialisthelsetjenesten skal styrkes. § 6-2 gjelder."


def test_utf8_with_bom_is_accepted(run_cli, corpus_copy, tmp_path):
    txt = tmp_path / "bom.txt"
    txt.write_bytes("\ufeffAvtale om pårørende\n\n1. Formål\nTekst om pårørende.\n".encode("utf-8"))
    assert run_cli("ingest", txt, "--corpus", corpus_copy).code == 0
    assert build_corpus(corpus_copy).document("bom").info.title == "Avtale om pårørende"


def test_cp1252_with_encoding_option_is_stored_as_utf8(run_cli, corpus_copy, tmp_path):
    text = "Avtale om pårørende – «utskrivningsklare» pasienter\n\n1. Formål\nSikre god utskriving.\n"
    txt = tmp_path / "windows.txt"
    txt.write_bytes(text.encode("cp1252"))
    result = run_cli("ingest", txt, "--encoding", "cp1252", "--corpus", corpus_copy)
    assert result.code == 0, result
    stored = (corpus_copy / "windows.txt").read_bytes()
    assert stored.decode("utf-8").splitlines() == text.splitlines()
    assert build_corpus(corpus_copy).document("windows").info.title.startswith("Avtale om pårørende – «utskrivningsklare»")


def test_utf16_text_is_stored_as_utf8(run_cli, corpus_copy, tmp_path):
    txt = tmp_path / "notepad.txt"
    txt.write_bytes("Avtale om pårørende\n\n1. Formål\nTekst.\n".encode("utf-16"))
    assert run_cli("ingest", txt, "--corpus", corpus_copy).code == 0
    assert (corpus_copy / "notepad.txt").read_bytes().decode("utf-8").startswith("Avtale om pårørende")


def test_path_with_spaces_and_norwegian_letters(run_cli, corpus_copy, tmp_path, make_pdf):
    folder = tmp_path / "mappe med æøå"
    folder.mkdir()
    txt = folder / "Avtale for Bådø og Øksnes kommune.txt"
    txt.write_text("Avtale for Bådø og Øksnes\n\n1. Formål\nSamarbeid.\n", encoding="utf-8")
    pdf = make_pdf("Retningslinje ÆØÅ 2024.pdf", AGREEMENT_PAGES, folder=folder)
    result = run_cli("ingest", txt, pdf, "--corpus", corpus_copy)
    assert result.code == 0, result
    assert (corpus_copy / "avtale-for-bado-og-oksnes-kommune.txt").is_file()
    assert (corpus_copy / "retningslinje-aeoa-2024.pdf").is_file()
    ids = {d.id for d in build_corpus(corpus_copy).documents}
    assert {"avtale-for-bado-og-oksnes-kommune", "retningslinje-aeoa-2024"} <= ids


def test_same_file_twice_is_refused(run_cli, corpus_copy, tmp_path, fingerprint):
    txt = tmp_path / "notat.txt"
    txt.write_text("Notat\n\n1. Formål\nTekst.\n", encoding="utf-8")
    assert run_cli("ingest", txt, "--corpus", corpus_copy).code == 0
    before = fingerprint(corpus_copy)
    again = run_cli("ingest", txt, "--corpus", corpus_copy)
    assert again.code != 0 and "finnes allerede" in again.err and "notat.txt" in again.err
    copy = tmp_path / "kopi.txt"
    copy.write_bytes(txt.read_bytes())  # same content under another name
    assert "finnes allerede" in run_cli("ingest", copy, "--corpus", corpus_copy).err
    assert fingerprint(corpus_copy) == before


def test_same_cp1252_file_twice_is_refused(run_cli, corpus_copy, tmp_path):
    txt = tmp_path / "windows.txt"
    txt.write_bytes("Avtale om pårørende\n\n1. Formål\nTekst.\n".encode("cp1252"))
    assert run_cli("ingest", txt, "--encoding", "cp1252", "--corpus", corpus_copy).code == 0
    again = run_cli("ingest", txt, "--encoding", "cp1252", "--corpus", corpus_copy)
    assert again.code != 0 and "finnes allerede" in again.err


def test_bundled_document_cannot_be_ingested_again(run_cli, corpus_copy, bundled_corpus_dir, tmp_path):
    source = tmp_path / "rundskriv.txt"
    source.write_bytes((bundled_corpus_dir / "rundskriv-veiledningsplikt-shtjl-6-3.txt").read_bytes())
    result = run_cli("ingest", source, "--corpus", corpus_copy)
    assert result.code != 0 and "rundskriv-veiledningsplikt-shtjl-6-3.txt" in result.err


def test_a_stray_file_with_the_same_name_is_not_overwritten(run_cli, corpus_copy, tmp_path, fingerprint):
    (corpus_copy / "notat.txt").write_text("Noe annet som ligger i mappen.\n", encoding="utf-8")
    before = fingerprint(corpus_copy)
    txt = tmp_path / "notat.txt"
    txt.write_text("Notat\n\n1. Formål\nTekst.\n", encoding="utf-8")
    result = run_cli("ingest", txt, "--corpus", corpus_copy)
    assert result.code != 0 and "notat.txt" in result.err
    assert fingerprint(corpus_copy) == before


# -- files that must be refused, leaving the corpus untouched -------------------------------------
def _garbage_pdf(tmp_path, **_):
    path = tmp_path / "skadet.pdf"
    path.write_bytes(b"%PDF-1.7\n dette er ikke en ekte pdf \x00\x01\x02" * 40)
    return path, "skadet"


def _truncated_pdf(tmp_path, make_pdf, **_):
    data = make_pdf("hel.pdf", AGREEMENT_PAGES * 4).read_bytes()
    path = tmp_path / "avkortet.pdf"
    path.write_bytes(data[: len(data) // 3])
    return path, "PDF"


def _encrypted_pdf(tmp_path, make_pdf, **_):
    return make_pdf("kryptert.pdf", AGREEMENT_PAGES, password="s3cret"), "kryptert"


def _empty_pdf(tmp_path, make_empty_pdf, **_):
    return make_empty_pdf("ingen-sider.pdf"), "ingen sider"


def _zero_byte_pdf(tmp_path, **_):
    path = tmp_path / "null.pdf"
    path.write_bytes(b"")
    return path, "tom"


def _image_only_pdf(tmp_path, make_pdf, **_):
    return make_pdf("skannet.pdf", image_only=True), "tekstlag"


def _binary_txt(tmp_path, **_):
    path = tmp_path / "bilde.txt"
    path.write_bytes(bytes(range(256)) * 64)
    return path, "binær"


def _latin1_txt(tmp_path, **_):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Avtale om pårørende og blåresept\n1. Formål\n".encode("latin-1"))
    return path, "--encoding"


def _cp1252_txt(tmp_path, **_):
    path = tmp_path / "cp1252.txt"
    path.write_bytes("Avtale – «pårørende»\n1. Formål\n".encode("cp1252"))
    return path, "UTF-8"


def _directory(tmp_path, **_):
    path = tmp_path / "en mappe.pdf"
    path.mkdir()
    return path, "mappe"


def _missing(tmp_path, **_):
    return tmp_path / "finnes-ikke.pdf", "finnes ikke"


def _word_file(tmp_path, **_):
    path = tmp_path / "avtale.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    return path, ".docx"


def _blank_text(tmp_path, **_):
    path = tmp_path / "blank.md"
    path.write_text("\n  \n\t\n", encoding="utf-8")
    return path, "ingen tekst"


BAD_FILES = {
    "garbage-pdf": _garbage_pdf, "truncated-pdf": _truncated_pdf, "encrypted-pdf": _encrypted_pdf,
    "empty-pdf": _empty_pdf, "zero-byte-pdf": _zero_byte_pdf, "image-only-pdf": _image_only_pdf,
    "binary-txt": _binary_txt, "latin1-txt": _latin1_txt, "cp1252-txt": _cp1252_txt, "directory": _directory,
    "missing": _missing, "docx": _word_file, "blank-md": _blank_text,
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_unusable_file_is_refused_and_the_corpus_is_unchanged(kind, run_cli, corpus_copy, tmp_path, make_pdf,
                                                              make_empty_pdf, fingerprint):
    path, hint = BAD_FILES[kind](tmp_path=tmp_path, make_pdf=make_pdf, make_empty_pdf=make_empty_pdf)
    before = fingerprint(corpus_copy)
    result = run_cli("ingest", path, "--corpus", corpus_copy)
    assert result.code not in (0, 1), result  # 1 is the catch-all for unexpected errors
    assert result.out == ""
    err = result.err
    assert err.startswith("avtale: ") and len(err.strip().splitlines()) == 1
    assert path.name in err and hint in err
    assert "Traceback" not in err and "uventet feil" not in err
    assert fingerprint(corpus_copy) == before


def test_wrong_password_is_refused(run_cli, corpus_copy, make_pdf, fingerprint):
    pdf = make_pdf("kryptert.pdf", AGREEMENT_PAGES, password="s3cret")
    before = fingerprint(corpus_copy)
    result = run_cli("ingest", pdf, "--password", "feil", "--corpus", corpus_copy)
    assert result.code != 0 and "Feil passord" in result.err and "kryptert.pdf" in result.err
    assert fingerprint(corpus_copy) == before


def test_one_bad_file_among_good_ones_adds_nothing(run_cli, corpus_copy, tmp_path, make_pdf, fingerprint):
    good = tmp_path / "god.txt"
    good.write_text("God fil\n\n1. Formål\nTekst.\n", encoding="utf-8")
    bad = tmp_path / "darlig.txt"
    bad.write_bytes("Pårørende\n".encode("latin-1"))
    before = fingerprint(corpus_copy)
    result = run_cli("ingest", good, make_pdf("ok.pdf", AGREEMENT_PAGES), bad, "--corpus", corpus_copy)
    assert result.code != 0 and "darlig.txt" in result.err
    assert fingerprint(corpus_copy) == before


def test_ingest_into_a_folder_without_manifest_is_refused(run_cli, tmp_path):
    txt = tmp_path / "notat.txt"
    txt.write_text("Notat\n", encoding="utf-8")
    empty = tmp_path / "tom-korpusmappe"
    empty.mkdir()
    result = run_cli("ingest", txt, "--corpus", empty)
    assert result.code != 0 and "manifest.toml" in result.err
    assert list(empty.iterdir()) == []


def test_id_option_with_several_files_is_refused(run_cli, corpus_copy, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("A\n\n1. Formål\nTekst.\n", encoding="utf-8")
    b.write_text("B\n\n1. Formål\nTekst.\n", encoding="utf-8")
    result = run_cli("ingest", a, b, "--id", "x", "--corpus", corpus_copy)
    assert result.code == 2 and "--id" in result.err


def test_refusal_in_a_real_process_has_no_traceback(run_avtale, corpus_copy, tmp_path, fingerprint):
    bad = tmp_path / "skadet fil æøå.pdf"
    bad.write_bytes(bytes((i * 37) % 256 for i in range(3000)))  # no header, no EOF marker
    before = fingerprint(corpus_copy)
    result = run_avtale("ingest", bad, "--corpus", corpus_copy)
    assert result.code == 3
    assert "skadet fil æøå.pdf" in result.err and "Hent en ny kopi" in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err  # pypdf's own warnings stay quiet
    assert "Traceback" not in result.err and result.out == ""
    assert fingerprint(corpus_copy) == before


def test_ingest_uses_avtale_corpus_from_the_environment(run_avtale, corpus_copy, tmp_path):
    txt = tmp_path / "miljo.txt"
    txt.write_text("Miljøtest\n\n1. Formål\nTekst.\n", encoding="utf-8")
    result = run_avtale("ingest", txt)  # no --corpus: AVTALE_CORPUS (set by conftest) is this copy
    assert result.code == 0, result
    assert (corpus_copy / "miljo.txt").is_file()


def test_ingest_refuses_a_pipe_without_reading_it(run_cli, corpus_copy, tmp_path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    before = (corpus_copy / "manifest.toml").read_bytes()
    result = run_cli("ingest", fifo, "--corpus", corpus_copy)  # would hang forever if it read first
    assert result.code == 3 and "ikke en vanlig fil" in result.err
    assert (corpus_copy / "manifest.toml").read_bytes() == before


def test_ingests_at_the_same_time_keep_every_entry(corpus_copy, tmp_path):
    """Six processes adding a file each: every one must end up in the manifest (each reads the
    manifest, checks, and writes it; without a lock some entries were lost)."""
    import subprocess
    import sys

    files = []
    for i in range(6):
        path = tmp_path / f"avtale{i}.txt"
        path.write_text(f"Avtale nummer {i} om samarbeid\n\n1. Formål\nKommunen og UNN skal samarbeide om tema {i}.\n",
                        encoding="utf-8")
        files.append(path)
    procs = [subprocess.Popen([sys.executable, "-m", "assistant", "--corpus", str(corpus_copy), "ingest", str(f)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for f in files]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    manifest = (corpus_copy / "manifest.toml").read_text(encoding="utf-8")
    assert all(f'file = "{f.name}"' in manifest for f in files)
