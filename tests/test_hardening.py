"""Hardening: the bad inputs, bad questions and damaged states that tests/test_ingest.py,
tests/test_index.py and tests/test_ask.py do not already cover, and the security rules (no
pickle or eval in the package; ingest never writes outside the corpus folder).

Every refusal must be one Norwegian line on standard error naming the file and what to do,
with the right exit code, no traceback, and the corpus, manifest and index left as they were.
"""

from __future__ import annotations

import json
import os
import time
import tokenize
import unicodedata
from pathlib import Path

import pytest

from assistant.corpus.documents import build_corpus
from assistant.corpus.manifest import load_manifest
from assistant.search.encoders import FakeEncoder
from assistant.search.index import build_index, current_build, load_index
from assistant.service import Assistant

REPO = Path(__file__).resolve().parent.parent
SMALL_SOURCE = "rundskriv-veiledningsplikt-shtjl-6-3.txt"
SOURCE_EXIT = 3  # SourceFileError / ManifestError


def assert_refused(result, name: str, hint: str, code: int = SOURCE_EXIT) -> None:
    """One clean Norwegian line that names the file: never a traceback or the catch-all."""
    assert result.code == code, result
    err = result.err
    assert err.startswith("avtale: ") and len(err.strip().splitlines()) == 1, err
    assert name in err and hint in err, err
    assert "Traceback" not in err and "uventet feil" not in err


def tree_listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def around(corpus: Path) -> dict[str, bytes]:
    """Every file next to the corpus folder, with its content; the corpus itself left out."""
    return {str(p.relative_to(corpus.parent)): p.read_bytes() for p in sorted(corpus.parent.rglob("*"))
            if p.is_file() and corpus not in p.parents}




# == 1. bad input: sizes and limits ============================================================
@pytest.fixture(scope="module")
def pdf_500_pages(tmp_path_factory) -> Path:
    """500 pages: 50 chapters of 10 numbered sections, one section a page (about a second)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for n in range(1, 501):
        chapter, section = (n - 1) // 10 + 1, (n - 1) % 10 + 1
        heading = f"{chapter}. Kapittel {chapter}\n" if section == 1 else ""
        pdf.add_page()
        pdf.multi_cell(0, 6, f"{heading}{chapter}.{section} Oppgave {n}\n"
                             f"UNN skal sende melding til kommunen innen {n % 48 + 1} timer.")
    path = tmp_path_factory.mktemp("pdf500") / "stor avtale 500 sider.pdf"
    path.write_bytes(bytes(pdf.output()))
    return path


def test_pdf_with_500_pages_is_ingested_with_its_page_numbers(run_cli, corpus_copy, pdf_500_pages):
    t0 = time.perf_counter()
    result = run_cli("ingest", pdf_500_pages, "--corpus", corpus_copy, "--id", "stor")
    assert result.code == 0, result
    assert time.perf_counter() - t0 < 30
    doc = build_corpus(corpus_copy).document("stor")
    pages = {s.number: s.page_start for s in doc.sections if s.number}
    assert (pages["1.1"], pages["25.10"], pages["50.10"]) == (1, 250, 500)
    assert (corpus_copy / "stor-avtale-500-sider.pdf").read_bytes() == pdf_500_pages.read_bytes()


def test_pdf_over_the_page_limit_is_refused(run_cli, corpus_copy, pdf_500_pages, fingerprint, monkeypatch):
    monkeypatch.setattr("assistant.corpus.pdf.MAX_PDF_PAGES", 400)
    before = fingerprint(corpus_copy)
    result = run_cli("ingest", pdf_500_pages, "--corpus", corpus_copy)
    assert_refused(result, pdf_500_pages.name, "500 sider; grensen er 400")
    assert "Del dokumentet opp" in result.err
    assert fingerprint(corpus_copy) == before


def _ten_megabytes_of_agreement(path: Path) -> Path:
    """About 10 MB of realistic text: numbered chapters and sections, wrapped paragraphs."""
    sentence = ("Kommunen og UNN skal samarbeide om utskrivning av pasienter, og UNN skal sende epikrise til "
                "fastlegen og kommunen innen 24 timer etter utskrivning. ")
    paragraph = "\n".join([sentence.strip()] * 3)
    parts, size, n = ["Samarbeidsavtale for hele regionen\n"], 0, 0
    while size < 10 * 1024 * 1024:
        n += 1
        chapter = f"\n{n % 60 + 1}. Kapittel {n}\n\n" + "\n".join(
            f"{n % 60 + 1}.{k} Del {k}\n\n{paragraph}\n\n{paragraph}\n" for k in range(1, 6))
        parts.append(chapter)
        size += len(chapter.encode("utf-8"))
    path.write_text("".join(parts), encoding="utf-8")
    return path


def test_ten_megabyte_text_file_is_ingested(run_cli, corpus_copy, tmp_path):
    """10 MB (a few thousand pages) is inside the limits (50 MB, 20 million characters):
    it must work, and in reasonable time."""
    big = _ten_megabytes_of_agreement(tmp_path / "regionavtale.txt")
    assert big.stat().st_size >= 10 * 1024 * 1024
    t0 = time.perf_counter()
    result = run_cli("ingest", big, "--corpus", corpus_copy)
    elapsed = time.perf_counter() - t0
    assert result.code == 0, result
    assert elapsed < 30, f"ingesting 10 MB took {elapsed:.1f} s"  # 35 s before links were attached in log time
    assert (corpus_copy / "regionavtale.txt").read_bytes() == big.read_bytes()
    assert any(e.file == "regionavtale.txt" for e in load_manifest(corpus_copy))


def test_links_of_ten_thousand_sections_land_in_their_own_section_quickly():
    """Attaching each link to its section was a scan of all sections per link (5 s for this
    document, minutes for a big one); it must stay linear and exact."""
    from assistant.corpus.manifest import _parse_document
    from assistant.corpus.structure import structure_document
    from assistant.models import SourceLine

    lines, links = [], {}
    for k in range(1, 100):
        for m in range(1, 100):
            lines.append(SourceLine(f"{k}.{m} Oppgave {k}-{m}", len(lines) + 1, None))
            lines.append(SourceLine("Kommunen skal svare.", len(lines) + 1, None))
            links[len(lines)] = [f"https://example.no/{k}/{m}"]
    spec = _parse_document(Path("stor.txt"), "stor.txt", {"id": "stor"})
    t0 = time.perf_counter()
    doc = structure_document(spec, lines, links)
    assert time.perf_counter() - t0 < 4
    assert len(doc.sections) == 99 * 99
    assert all(s.links == (f"https://example.no/{s.number.replace('.', '/')}",) for s in doc.sections)


def test_file_over_the_size_limit_is_refused_before_it_is_read(run_cli, corpus_copy, tmp_path, fingerprint):
    big = tmp_path / "for stor.txt"
    with big.open("wb") as fh:  # sparse: 51 MB on paper, nothing on disk
        fh.truncate(51 * 1024 * 1024)
    before = fingerprint(corpus_copy)
    result = run_cli("ingest", big, "--corpus", corpus_copy)
    assert_refused(result, big.name, "grensen er 50 MB")
    assert "Del den opp" in result.err
    assert fingerprint(corpus_copy) == before


def test_text_over_the_character_limit_is_refused(run_cli, corpus_copy, tmp_path, fingerprint, monkeypatch):
    monkeypatch.setattr("assistant.corpus.load.MAX_TEXT_CHARS", 1000)
    long_text = tmp_path / "lang.md"
    long_text.write_text("# Lang\n\n" + "Kommunen skal svare innen 24 timer.\n" * 200, encoding="utf-8")
    before = fingerprint(corpus_copy)
    assert_refused(run_cli("ingest", long_text, "--corpus", corpus_copy), "lang.md", "for mye tekst")
    assert fingerprint(corpus_copy) == before


# == 1. bad input: encodings, vanishing and unreadable files, folders, odd paths ================
def test_utf8_bom_with_windows_line_endings_keeps_titles_and_line_numbers_clean(run_cli, corpus_copy, tmp_path):
    text = "Avtale om pårørende\r\n\r\n1. Formål\r\nKommunen skal varsle pårørende.\r\n"
    path = tmp_path / "bom-crlf.md"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert run_cli("ingest", path, "--corpus", corpus_copy).code == 0
    doc = build_corpus(corpus_copy).document("bom-crlf")
    assert doc.info.title == "Avtale om pårørende"
    section = next(s for s in doc.sections if s.number == "1.")
    assert (section.line_start, section.text) == (3, "Kommunen skal varsle pårørende.")
    assert not any("\ufeff" in s.text or "\ufeff" in s.title for s in doc.sections)


@pytest.fixture
def note(tmp_path) -> Path:
    path = tmp_path / "notat om utskrivning.txt"
    path.write_text("Notat om utskrivning\n\n1. Formål\nKommunen skal svare innen 24 timer.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("change", ["deleted", "replaced", "moved"])
def test_file_that_changes_during_ingest_is_refused(change, run_cli, corpus_copy, note, fingerprint, monkeypatch):
    """Between the check and the copy the file vanishes or is swapped: nothing unchecked
    may reach the corpus."""
    import assistant.corpus.ingest as ingest

    real_load = ingest.load_source

    def load_then_change(path, **kwargs):
        lines = real_load(path, **kwargs)
        if change == "deleted":
            Path(path).unlink()
        elif change == "replaced":
            Path(path).write_bytes(b"\x00\x01 ikke lenger tekst \x02" * 50)
        else:
            Path(path).rename(Path(path).with_name("flyttet.txt"))
        return lines

    monkeypatch.setattr(ingest, "load_source", load_then_change)
    before = fingerprint(corpus_copy)
    result = run_cli("ingest", note, "--corpus", corpus_copy)
    assert_refused(result, note.name, "mens den ble lest")
    assert "prøv igjen" in result.err
    assert fingerprint(corpus_copy) == before


def test_unreadable_file_with_real_permissions(run_cli, corpus_copy, note, fingerprint):
    if os.geteuid() == 0:
        pytest.skip("running as root: file permissions do not stop root from reading (simulated below)")
    note.chmod(0)
    try:
        before = fingerprint(corpus_copy)
        assert_refused(run_cli("ingest", note, "--corpus", corpus_copy), note.name, "Mangler tilgang")
        assert fingerprint(corpus_copy) == before
    finally:
        note.chmod(0o600)


def test_unreadable_file_simulated(run_cli, corpus_copy, note, fingerprint, monkeypatch):
    real_open = Path.open

    def guarded_open(self, *args, **kwargs):
        if Path(self).resolve() == note.resolve():
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded_open)
    before = fingerprint(corpus_copy)
    result = run_cli("ingest", note, "--corpus", corpus_copy)
    assert_refused(result, note.name, "Mangler tilgang")
    assert "filrettighetene" in result.err
    assert fingerprint(corpus_copy) == before


def test_disk_full_while_copying_leaves_nothing_behind(run_cli, corpus_copy, note, fingerprint, monkeypatch):
    """The disk fills up while the copy is written (ENOSPC surfaces at the latest when it is
    flushed to disk): no half-written copy or temporary file stays, the manifest is as it was."""
    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("assistant.locks.os.fsync", full_disk)
    before = fingerprint(corpus_copy)
    result = run_cli("ingest", note, "--corpus", corpus_copy)
    assert_refused(result, note.name, "Kunne ikke skrive til korpusmappen")
    assert "No space left" in result.err and "diskplass" in result.err
    assert fingerprint(corpus_copy) == before


@pytest.mark.parametrize("name", ["mappe", "notater.txt", "avtaler æøå.md"])
def test_directory_given_as_a_file_is_refused(name, run_cli, corpus_copy, tmp_path, fingerprint):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "inni.txt").write_text("Tekst\n", encoding="utf-8")
    before = fingerprint(corpus_copy)
    assert_refused(run_cli("ingest", folder, "--corpus", corpus_copy), name, "mappe")
    assert fingerprint(corpus_copy) == before


def test_corpus_and_index_folders_with_spaces_and_norwegian_letters(run_cli, tmp_path, bundled_corpus_dir, note):
    corpus = tmp_path / "Min korpus – Bådø & Øksnes" / "dokumenter (2024)"
    corpus.mkdir(parents=True)
    (corpus / SMALL_SOURCE).write_bytes((bundled_corpus_dir / SMALL_SOURCE).read_bytes())
    (corpus / "manifest.toml").write_text(f'[[source]]\nfile = "{SMALL_SOURCE}"\nid = "rundskriv"\n', encoding="utf-8")
    index = tmp_path / "søkeindeks med mellomrom"
    assert run_cli("ingest", note, "--corpus", corpus).code == 0
    result = run_cli("ask", "Hvem skal svare innen 24 timer?", "--lexical", "--json", "--corpus", corpus, "--index", index)
    assert result.code == 0, result
    assert json.loads(result.out)["excerpts"]
    assert current_build(index) is not None


# == 1 + 8. names that try to leave the corpus folder ============================================
@pytest.mark.parametrize("options", [
    ["--id", "../../utenfor"],
    ["--id", "/tmp/avtale-absolutt/sti"],
    ["--title", "../../../etc/passwd", "--publisher", "/etc/shadow", "--status", "../x.pdf"],
])
def test_hostile_ids_and_metadata_never_write_outside_the_corpus(options, run_cli, corpus_copy, tmp_path):
    source = tmp_path / "kilde" / "..x.txt"
    source.parent.mkdir()
    source.write_text("Avtale om utskrivning\n\n1. Formål\nKommunen skal svare.\n", encoding="utf-8")
    files_before, next_door, here = set(os.listdir(corpus_copy)), around(corpus_copy), around(source.parent)
    result = run_cli("ingest", source, "--corpus", corpus_copy, *options)
    assert result.code == 0, result
    assert set(os.listdir(corpus_copy)) - files_before == {"x.txt"}  # a plain, visible name inside
    assert around(corpus_copy) == next_door and around(source.parent) == here
    assert not Path("/tmp/avtale-absolutt").exists()
    assert any(e.file == "x.txt" for e in load_manifest(corpus_copy))
    assert build_corpus(corpus_copy).documents  # the manifest still reads


def test_relative_path_up_a_folder_is_read_but_stored_inside(run_cli, corpus_copy, tmp_path, monkeypatch):
    (tmp_path / "arbeid").mkdir()
    (tmp_path / "x.txt").write_text("Avtale X\n\n1. Formål\nTekst.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "arbeid")
    next_door = around(corpus_copy)
    assert run_cli("ingest", "../x.txt", "--corpus", corpus_copy).code == 0
    assert (corpus_copy / "x.txt").is_file() and around(corpus_copy) == next_door


@pytest.mark.parametrize("name", ["../utenfor.txt", "/etc/passwd", "undermappe/fil.txt"])
def test_manifest_paths_outside_the_corpus_are_refused(name, run_cli, corpus_copy, note, fingerprint):
    with (corpus_copy / "manifest.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'\n[[source]]\nfile = "{name}"\nid = "utenfor"\n')
    before = fingerprint(corpus_copy)
    parent_before = tree_listing(corpus_copy.parent)
    result = run_cli("ingest", note, "--corpus", corpus_copy)
    assert_refused(result, "manifest.toml", "bare filnavn")
    assert fingerprint(corpus_copy) == before and tree_listing(corpus_copy.parent) == parent_before
    assert_refused(run_cli("corpus", "--corpus", corpus_copy), "manifest.toml", "bare filnavn")


def test_manifest_entry_naming_the_parent_folder_gives_a_clear_error(run_cli, corpus_copy, note, tmp_path):
    """`file = ".."` is refused by the manifest reader itself: a clear message naming the
    manifest, for ingest and ask alike, and nothing written next to the corpus."""
    with (corpus_copy / "manifest.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[source]]\nfile = ".."\nid = "forelder"\n')
    next_door = around(corpus_copy)
    result = run_cli("ingest", note, "--corpus", corpus_copy)
    assert_refused(result, "manifest.toml", "file")
    assert around(corpus_copy) == next_door
    asked = run_cli("ask", "Hvem skal svare?", "--lexical", "--corpus", corpus_copy, "--index", tmp_path / "idx")
    assert_refused(asked, "manifest.toml", "file")


# == 2. questions through the CLI and the service =============================================
LONG = "Hvem sender tidligmelding ved innleggelse? " * 240  # 10,080 characters
QUESTIONS = {
    "empty": ("", "usage"),
    "whitespace": (" \t\n  ", "usage"),
    "10000-chars": (LONG[:10_000], "answer"),
    "punctuation": ("?!?!... ,;:-–—«»()[]{}", "usage"),
    "emoji": ("🙂🏥💊🚑", "usage"),
    "markup-bold": ("[bold]x[/]", "answer"),
    "markup-link": ("[link=http://x]y[/link] tidligmelding", "answer"),
    "ansi": ("\x1b[31mHvem\x1b[0m sender \x1b]0;tittel\x07tidligmelding?\x1b[2J", "answer"),
    "control": ("Hvem\x00 sender\x07\x08 tidligmelding\x7f\u200b\u202e?", "answer"),
    "only-control": ("\x00\x01\x07\x08\x7f\x1b", "usage"),
    "sql": ("'; DROP TABLE pasienter; -- Hvem sender tidligmelding?", "answer"),
    "shell": ("$(rm -rf /) `cat /etc/passwd` | tee x && Hvem sender tidligmelding? > /dev/null", "answer"),
    "leading-dash-number": ("-1 døgn før utskrivning: hvem varsler?", "answer"),
}


@pytest.fixture(scope="module")
def shared_index(tmp_path_factory, bundled_corpus_dir) -> Path:
    """A lexical index of the bundled corpus, built once for this module."""
    index = tmp_path_factory.mktemp("hardening-index")
    build_index(bundled_corpus_dir, index, None)
    return index


@pytest.fixture(scope="module")
def lexical_assistant(shared_index, bundled_corpus_dir) -> Assistant:
    return Assistant.open(bundled_corpus_dir, shared_index, use_encoder=False)


def _no_terminal_controls(text: str) -> bool:
    return not any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text)


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_bad_question_through_the_cli(name, run_cli, shared_index, bundled_corpus_dir, fingerprint):
    question, expected = QUESTIONS[name]
    before = fingerprint(shared_index)
    common = ["--lexical", "--corpus", bundled_corpus_dir, "--index", shared_index]
    for extra in ([], ["--json"]):
        result = run_cli("ask", *common, *extra, "--", question)
        assert "Traceback" not in result.err and "uventet feil" not in result.err, result
        if expected == "usage":
            assert result.code == 2, result
            assert result.out == "" and "Spørsmålet" in result.err and len(result.err.strip().splitlines()) == 1
            continue
        assert result.code == 0, result
        assert _no_terminal_controls(result.err) and "\x1b" not in result.out
        if not extra:  # nothing the user typed reaches the terminal as a control sequence
            assert _no_terminal_controls(result.out)
        if extra:
            data = json.loads(result.out)
            assert data["question"] == question and isinstance(data["excerpts"], list)
            if len(question) > 2000:
                assert any("kortet ned til 2000 tegn" in n for n in data["notices"])
        elif len(question) > 2000:
            assert "Merk: Spørsmålet var for langt og ble kortet ned til 2000 tegn." in result.out
    assert fingerprint(shared_index) == before  # asking never writes to the index


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_bad_question_through_the_service(name, lexical_assistant):
    from assistant.errors import UsageError

    question, expected = QUESTIONS[name]
    if expected == "usage":
        with pytest.raises(UsageError) as raised:
            lexical_assistant.ask(question)
        assert raised.value.message.startswith("Spørsmålet")
        return
    answer = lexical_assistant.ask(question, top_k=3)
    assert len(answer.excerpts) <= 3
    assert json.dumps(answer.to_json(), ensure_ascii=False)  # always serialisable
    assert (len(question) > 2000) == any("kortet ned" in n for n in answer.notices)


def test_bad_lines_in_jsonl_are_answered_one_by_one(run_cli, shared_index, bundled_corpus_dir, monkeypatch):
    import io

    lines = "\n".join(q.replace("\n", " ") for q, _ in QUESTIONS.values()) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    result = run_cli("ask", "--jsonl", "--lexical", "--corpus", bundled_corpus_dir, "--index", shared_index)
    assert result.code == 1, result  # some lines have no words; each of them gets its own error
    rows = [json.loads(line) for line in result.out.splitlines()]
    # blank lines are skipped; punctuation, emoji and control characters alone get an error each
    assert sum("error" in r for r in rows) == 3
    assert sum("excerpts" in r for r in rows) == len(QUESTIONS) - 5


# == 3. damaged state gaps ======================================================================
class OtherEncoder(FakeEncoder):
    def __init__(self):
        super().__init__()
        self.model_id = "fake/another-model"


def _edit_manifest(folder: Path, **changes) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def _open_and_check(corpus: Path, index: Path, encoder, notice: str) -> Assistant:
    assistant = Assistant.open(corpus, index, encoder=encoder)
    assert any(notice in n for n in assistant.notices), assistant.notices
    assert any("bygget på nytt" in n for n in assistant.notices)
    assert assistant.ask("Kan det kreves betaling for veiledning?").excerpts
    return assistant


def test_index_without_manifest_is_rebuilt_and_the_user_told(small_corpus, tmp_path):
    index = tmp_path / "index"
    old = build_index(small_corpus, index, FakeEncoder())
    (old / "manifest.json").unlink()
    assistant = _open_and_check(small_corpus, index, FakeEncoder(), "mangler manifest")
    assert assistant.index.folder != old and not old.exists()


@pytest.mark.parametrize("field,value", [("format", 0), ("chunker", "0-old"), ("pipeline", "older-code")])
def test_index_from_another_version_is_rebuilt(field, value, small_corpus, tmp_path):
    index = tmp_path / "index"
    old = build_index(small_corpus, index, FakeEncoder())
    _edit_manifest(old, **{field: value})
    assistant = _open_and_check(small_corpus, index, FakeEncoder(), "annen versjon")
    assert assistant.index.manifest[field] != value


def test_index_from_another_model_is_rebuilt_with_this_one(small_corpus, tmp_path):
    index = tmp_path / "index"
    build_index(small_corpus, index, FakeEncoder())
    assistant = _open_and_check(small_corpus, index, OtherEncoder(), "annen språkmodell")
    assert assistant.index.encoder_id == "fake/another-model" and assistant.encoder is not None


def test_current_pointing_at_a_missing_folder_is_rebuilt_and_the_user_told(small_corpus, tmp_path):
    index = tmp_path / "index"
    build_index(small_corpus, index, FakeEncoder())
    (index / "CURRENT").write_text("build-finnes-ikke", encoding="utf-8")
    _open_and_check(small_corpus, index, FakeEncoder(), "ufullstendig")


@pytest.mark.parametrize("pointer", [b"build-x/../../utenfor", b"../utenfor", b"\xff\xfe\x00garbage"])
def test_current_never_leads_out_of_the_index_folder(pointer, small_corpus, tmp_path):
    index = tmp_path / "index"
    build_index(small_corpus, index, FakeEncoder())
    (index / "build-x").mkdir()
    outside = tmp_path / "utenfor"
    outside.mkdir()
    (outside / "manifest.json").write_text("{}", encoding="utf-8")
    (index / "CURRENT").write_bytes(pointer)
    assert current_build(index) is None
    _open_and_check(small_corpus, index, FakeEncoder(), "ufullstendig")
    assert (outside / "manifest.json").read_text(encoding="utf-8") == "{}"


def test_old_index_stays_usable_until_the_new_one_is_complete(small_corpus, tmp_path):
    """While a stale index (another model) is rebuilt, a second reader still loads the old one,
    whole and checked; the switch happens only when the new build is complete."""
    index = tmp_path / "index"
    old = build_index(small_corpus, index, FakeEncoder())
    seen: list[tuple[str, str]] = []

    def progress(stage, done, total):
        loaded = load_index(index)  # verifies every checksum
        seen.append((loaded.folder.name, loaded.encoder_id))

    assistant = Assistant.open(small_corpus, index, progress=progress, encoder=OtherEncoder())
    assert seen and set(seen) == {(old.name, "fake/trigram-hash")}
    assert assistant.index.folder != old and assistant.index.encoder_id == "fake/another-model"
    assert any("annen språkmodell" in n for n in assistant.notices)


def test_corpus_manifest_missing_is_a_clear_error_and_the_index_is_kept(run_cli, small_corpus, tmp_path, fingerprint):
    index = tmp_path / "index"
    build_index(small_corpus, index, None)
    before = fingerprint(index)
    (small_corpus / "manifest.toml").unlink()
    result = run_cli("ask", "Hvem veileder kommunen?", "--lexical", "--corpus", small_corpus, "--index", index)
    assert_refused(result, "manifest.toml", "fant ikke korpusmanifestet")
    assert fingerprint(index) == before


def test_index_folder_that_is_a_file_is_a_clear_error(run_cli, small_corpus, tmp_path):
    not_a_folder = tmp_path / "indeks.txt"
    not_a_folder.write_text("ikke en mappe\n", encoding="utf-8")
    result = run_cli("ask", "Hvem veileder kommunen?", "--lexical", "--corpus", small_corpus, "--index", not_a_folder)
    assert_refused(result, "indeks.txt", "kunne ikke bygge søkeindeksen", code=4)
    assert not_a_folder.read_text(encoding="utf-8") == "ikke en mappe\n"


def test_disk_full_during_an_index_build_keeps_the_old_index(run_cli, small_corpus, tmp_path, monkeypatch):
    import assistant.search.index as index_module

    index = tmp_path / "index"
    old = build_index(small_corpus, index, None)
    (small_corpus / "manifest.toml").write_text(
        (small_corpus / "manifest.toml").read_text(encoding="utf-8") + 'status = "endret"\n', encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(index_module, "_write_jsonl", full)
    result = run_cli("ask", "Hvem veileder kommunen?", "--lexical", "--corpus", small_corpus, "--index", index)
    assert_refused(result, str(index), "No space left on device", code=4)
    assert current_build(index) == old and load_index(index).chunks
    assert not [p for p in index.glob("build-*") if p != old]  # the half-built folder is gone


# == 8. security ================================================================================
FORBIDDEN_NAMES = {"pickle", "cPickle", "cloudpickle", "dill", "shelve", "marshal", "joblib"}


def _code_tokens(path: Path):
    with path.open("rb") as fh:
        return [t for t in tokenize.tokenize(fh.readline) if t.type not in (tokenize.COMMENT, tokenize.STRING)]


def test_package_has_no_pickle_eval_or_exec():
    """Index files are plain numpy/json/faiss; nothing the package loads can run code."""
    problems = []
    for path in sorted((REPO / "assistant").rglob("*.py")):
        tokens = _code_tokens(path)
        for i, tok in enumerate(tokens):
            where = f"{path.relative_to(REPO)}:{tok.start[0]}"
            nxt = tokens[i + 1].string if i + 1 < len(tokens) else ""
            prev = tokens[i - 1].string if i else ""
            if tok.type != tokenize.NAME:
                continue
            if tok.string in FORBIDDEN_NAMES:
                problems.append(f"{where}: {tok.string}")
            if tok.string in ("eval", "exec") and nxt == "(" and prev != ".":
                problems.append(f"{where}: {tok.string}(")
            if tok.string == "allow_pickle" and nxt == "=" and tokens[i + 2].string != "False":
                problems.append(f"{where}: allow_pickle={tokens[i + 2].string}")
    assert not problems, problems
    # and the raw text, for anything tokenize would hide (e.g. built with getattr and a string)
    for path in (REPO / "assistant").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import pickle" not in text and "__import__(" not in text, path


@pytest.mark.parametrize("errno_, words", [(13, "mangler tilgang til"), (36, "filnavnet er for langt"), (28, "disken er full")])
def test_a_file_the_system_refuses_is_named_in_norwegian(monkeypatch, capsys, tmp_path, errno_, words):
    """An unreadable corpus, a read-only index or a too-long CURRENT name: one line naming the
    file, exit 4 for the index folder and 3 for anything else; never 'uventet feil'."""
    from assistant.cli import main as cli

    index = tmp_path / "index"
    for target, code in ((index / "build-x" / "chunks.jsonl", 4), (tmp_path / "corpus" / "manifest.toml", 3)):
        def refuse(args, target=target):
            raise OSError(errno_, os.strerror(errno_), str(target))

        monkeypatch.setattr(cli, "_dispatch", refuse)
        assert cli.main(["--index", str(index), "corpus"]) == code
        err = capsys.readouterr().err
        assert words in err and str(target) in err and "uventet" not in err


def test_a_corpus_without_documents_says_so(run_cli, tmp_path):
    corpus = tmp_path / "tom"
    corpus.mkdir()
    (corpus / "manifest.toml").write_text("# ingen dokumenter ennå\n", encoding="utf-8")
    for command in (["index"], ["ask", "Hvem sender tidligmelding?"], ["frister"]):
        result = run_cli("--corpus", corpus, "--index", tmp_path / "index", *command)
        assert result.code == 3 and "ingen dokumenter" in result.err and "uventet" not in result.err, (command, result)


@pytest.mark.parametrize("manifest", [
    'source = "x"\n', '[source]\nfile = "a.txt"\n', '[[source]]\nfile = "a.txt"\ndocument = "x"\n',
    '[[source]]\nfile = "a.txt"\ndocument = [1]\n', '[[source]]\nfile = "a.txt"\nstart = 5\n',
    '[[source]]\nfile = "a.txt"\nduty_holder = "Sykehuset"\n', '[[source]]\nfile = "a.txt"\nduty_topic = "veiled"\n',
])
def test_a_manifest_value_of_the_wrong_type_is_named(run_cli, tmp_path, manifest):
    corpus = tmp_path / "korpus"
    corpus.mkdir()
    (corpus / "manifest.toml").write_text(manifest, encoding="utf-8")
    (corpus / "a.txt").write_text("Avtale\n\n1. Formål\nTekst.\n", encoding="utf-8")
    result = run_cli("--corpus", corpus, "corpus")
    assert result.code == 3 and "manifest.toml" in result.err and "uventet" not in result.err, result


@pytest.mark.parametrize("args, words", [
    (["ask", "x", "--top-k", "abc"], "--top-k må være et heltall, ikke «abc»"),
    (["ansvar", "--actor", "Foo", "x"], "ugyldig valg «Foo» for --actor"),
    (["nokommando"], "ugyldig valg «nokommando»"),
    (["ask", "x", "--bogus"], "ukjente argumenter: --bogus"),
])
def test_usage_errors_are_in_norwegian(run_cli, args, words):
    result = run_cli(*args)
    assert result.code == 2 and words in result.err
    assert "invalid" not in result.err and "usage:" not in result.err and "error:" not in result.err


def test_an_empty_folder_option_is_refused_not_taken_for_the_default(run_cli):
    for option, command in (("--corpus", ["corpus"]), ("--index", ["ask", "Hvem sender tidligmelding?", "--lexical"])):
        result = run_cli(option, "", *command)
        assert result.code == 2 and f"{option} er tom" in result.err, result
