"""The standing attack suite, round two: what an attack on ingest, the build and the output broke
after round one (issue 18), each reproduced, and kept fixed. Round one's attacks, which held, are
in tests/test_hardening.py; generated input (damaged files, any text, any question) is in
tests/test_fuzz.py. Add each new break here, with the attack that found it.

Every refusal is one Norwegian line naming the file and what to do: no traceback, no
"uventet feil", and the corpus and the index as they were. Sizes scale with the profile:
HYPOTHESIS_PROFILE=thorough runs the size attacks ten times larger.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
import unicodedata
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.corpus.manifest import load_manifest
from evals import hostile

REPO = Path(__file__).resolve().parent.parent
SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def assert_refused(result, name: str, hint: str, code: int = 3) -> None:
    assert result.code == code, result
    assert result.err.startswith("avtale: ") and len(result.err.strip().splitlines()) == 1, result.err
    assert name in result.err and hint in result.err, result.err
    assert "Traceback" not in result.err and "uventet feil" not in result.err


def terminal_controls(text: str) -> list[str]:
    """Characters a terminal would act on (independent of the code under test): controls other
    than newline and tab, C1 controls, bidirectional overrides, lone surrogates."""
    return [ch for ch in text if (unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t") or ch in BIDI]


@contextmanager
def within(seconds: float, what: str):
    """Fail (instead of hanging for minutes) when the block runs past `seconds`. Limits are
    generous, many times the time it takes: they catch work that grows faster than the input."""
    def ring(signum, frame):
        raise AssertionError(f"{what} took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def python(code: str, *args: str, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=REPO, env={**os.environ, **(env or {})})


# == 1. AES-encrypted PDFs ======================================================================
def test_aes256_pdf_needs_its_password_and_is_stored_without_it(run_cli, corpus_copy, tmp_path, fingerprint):
    pdf = hostile.encrypted_pdf(tmp_path / "aes256.pdf", "AES-256", "hemmelig")
    before = fingerprint(corpus_copy)
    assert_refused(run_cli("ingest", pdf, "--corpus", corpus_copy), "aes256.pdf", "kryptert")
    assert_refused(run_cli("ingest", pdf, "--corpus", corpus_copy, "--password", "feil"), "aes256.pdf", "Feil passord")
    assert fingerprint(corpus_copy) == before
    result = run_cli("ingest", pdf, "--corpus", corpus_copy, "--password", "hemmelig")
    assert result.code == 0, result
    from pypdf import PdfReader

    assert not PdfReader(corpus_copy / "aes256.pdf").is_encrypted
    assert run_cli("show", "aes256:1.", "--corpus", corpus_copy).out.count("innen 24 timer") == 1


def test_aes128_pdf_with_an_empty_user_password_opens_without_one(run_cli, corpus_copy, tmp_path):
    pdf = hostile.encrypted_pdf(tmp_path / "aes128.pdf", "AES-128", "")
    result = run_cli("ingest", pdf, "--corpus", corpus_copy)
    assert result.code == 0 and result.err == "", result
    assert "innen 24 timer" in run_cli("show", "aes128:1.", "--corpus", corpus_copy).out


MISSING_CRYPTO = """
import sys
sys.modules["cryptography"] = sys.modules["Crypto"] = None  # as if neither were installed
from assistant.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("algorithm,password", [("AES-256", "hemmelig"), ("AES-128", "")])
def test_a_missing_crypto_package_is_named_as_such(algorithm, password, corpus_copy, tmp_path, fingerprint):
    pdf = hostile.encrypted_pdf(tmp_path / "kryptert.pdf", algorithm, password)
    before = fingerprint(corpus_copy)
    for extra in ([], ["--password", password] if password else []):
        proc = python(MISSING_CRYPTO, "ingest", str(pdf), "--corpus", str(corpus_copy), *extra)
        assert proc.returncode == 3, proc
        assert "kryptert med AES" in proc.stderr and "«cryptography»" in proc.stderr and "skadet" not in proc.stderr
        assert "uventet feil" not in proc.stderr and "Traceback" not in proc.stderr
    assert fingerprint(corpus_copy) == before


def test_the_package_pypdf_needs_for_aes_is_one_of_ours():
    import tomllib

    from assistant.cli.doctor import REQUIRED

    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert any(d.startswith("cryptography") for d in dependencies) and "cryptography" in REQUIRED


# == 2. cleaning linear in the input ============================================================
def test_a_one_megabyte_word_is_ingested_listed_and_searched_quickly(run_cli, small_corpus, tmp_path):
    """1 MB took 71 s to ingest, 74 s for every `avtale corpus` and 102 s for the first ask."""
    word = hostile.one_word_text(tmp_path / "ord.txt", 1_000_000 * SCALE)
    with within(20 * SCALE, "ingest"):
        assert run_cli("ingest", word, "--corpus", small_corpus).code == 0
    with within(20 * SCALE, "corpus"):
        assert run_cli("corpus", "--corpus", small_corpus).code == 0
    with within(40 * SCALE, "the first search"):
        result = run_cli("ask", "Hva skal kommunen?", "--lexical", "--json", "--corpus", small_corpus,
                         "--index", tmp_path / "index")
    assert result.code == 0 and json.loads(result.out)["excerpts"], result


@pytest.mark.parametrize("shape", sorted(hostile.LINE_SHAPES))
def test_hostile_lines_are_cleaned_and_structured_in_linear_time(shape):
    """A 200 KB line of each shape (2 MB under the thorough profile) goes through every stage
    of ingest in well under its limit: a line of 20,000 dots and a letter took 25 s."""
    from assistant.corpus.chunk import chunk_documents, chunk_sentences
    from assistant.corpus.clean import clean_lines
    from assistant.corpus.duties import extract_duties
    from assistant.corpus.manifest import _parse_document
    from assistant.corpus.structure import structure_document
    from assistant.models import SourceLine

    text = hostile.hostile_line(shape, 200_000 * SCALE)
    lines = [SourceLine("1. Formål", 1, None), SourceLine(text, 2, None), SourceLine(text[:5000], 3, None)]
    with within(10 * SCALE, f"a line of {shape}"):
        cleaned = clean_lines(lines)
        spec = _parse_document(Path("x.txt"), "x.txt", {"id": "x"})
        doc = structure_document(spec, cleaned.lines, cleaned.links, cleaned.footnotes)
        for chunk in chunk_documents([doc]):
            chunk_sentences(chunk.text)
        extract_duties([doc])


@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory) -> tuple[Path, Path]:
    """The small corpus with a document of each hostile line shape (200 KB each; 2 MB under the
    thorough profile) and one 1 MB word, indexed for word search once."""
    from assistant.corpus.ingest import IngestOptions, ingest
    from assistant.search.index import build_index

    base = tmp_path_factory.mktemp("hostile")
    corpus = base / "corpus"
    corpus.mkdir()
    source = REPO / "corpus" / "rundskriv-veiledningsplikt-shtjl-6-3.txt"
    (corpus / source.name).write_bytes(source.read_bytes())
    (corpus / "manifest.toml").write_text(f'[[source]]\nfile = "{source.name}"\nid = "rundskriv"\n', encoding="utf-8")
    files = [hostile.one_word_text(base / "ord.txt", 1_000_000 * SCALE)]
    for n, shape in enumerate(sorted(hostile.LINE_SHAPES)):
        path = base / f"form{n}.txt"
        path.write_text(f"Avtale {n}\n\n1. Formål\n{hostile.hostile_line(shape, 200_000 * SCALE)}\n"
                        "Kommunen skal svare innen 24 timer.\n", encoding="utf-8")
        files.append(path)
    ingest(files, corpus, IngestOptions())
    build_index(corpus, base / "index", None)
    return corpus, base / "index"


@pytest.mark.parametrize("question", ["Hvem skal svare innen 24 timer?", "Hva skal kommunen?", "Hvem betaler, og når?",
                                      "777777 timer før 1.1.1.1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"])
def test_questions_over_hostile_documents_are_answered_quickly(question, hostile_corpus):
    """Sentences of 200,000 digits or dots reached the answer card, whose patterns for amounts
    and deadlines tried every digit as a start (one question ran past 300 s), and a 1 MB word
    gave the word-family set every one of its beginnings (a MemoryError)."""
    from assistant.service import Assistant

    corpus, index = hostile_corpus
    assistant = Assistant.open(corpus, index, use_encoder=False)
    with within(20 * SCALE, f"the question {question!r}"):
        answer = assistant.ask(question)
    assert answer.excerpts and json.dumps(answer.to_json(), ensure_ascii=False)


def test_an_endless_sentence_is_read_in_bounded_pieces():
    from assistant.corpus.sentences import MAX_SENTENCE_CHARS, split_sentences

    pieces = split_sentences("Kommunen skal " + "7" * 10_000 + " svare. Neste setning.")
    assert all(len(p) <= MAX_SENTENCE_CHARS for p in pieces) and pieces[-1] == "Neste setning."
    assert "".join(pieces[:-1]).replace(" ", "") == ("Kommunen skal " + "7" * 10_000 + " svare.").replace(" ", "")


def test_no_passage_costs_the_encoder_more_than_a_few_windows():
    """A ten-megabyte passage (one endless word, a paragraph without a full stop) was encoded
    window by window, for minutes; only its start is encoded."""
    from assistant.search.encoders import MAX_EMBED_CHARS, _clean

    assert len(_clean("a" * 10_000_000)) == MAX_EMBED_CHARS < 10_000


# == 3. PDF reading within a budget, without holding the corpus lock ============================
def test_pages_sharing_one_huge_stream_are_refused_at_once(run_cli, corpus_copy, tmp_path, fingerprint):
    """A 700 KB PDF whose pages all draw one 70 MB stream ran past 150 s with no output."""
    pdf = hostile.shared_stream_pdf(tmp_path / "tung.pdf", pages=300 * SCALE, content_bytes=70 * 1024 * 1024)
    before = fingerprint(corpus_copy)
    with within(20, "refusing the PDF"):
        result = run_cli("ingest", pdf, "--corpus", corpus_copy)
    assert_refused(result, "tung.pdf", "for mye tegneinnhold")
    assert "ved side 1" in result.err and "Lagre den på nytt som PDF" in result.err
    assert fingerprint(corpus_copy) == before


def test_a_pdf_past_its_time_is_refused_with_a_message(run_cli, corpus_copy, tmp_path, fingerprint, monkeypatch):
    """Pages of text operations that pypdf reads at 0.2 MB a second: stopped when the time is
    up (45 s at ingest; 1 s here), wherever pypdf is, with a message that says so."""
    monkeypatch.setattr("assistant.corpus.ingest.READ_SECONDS", 1.0)
    pdf = hostile.shared_stream_pdf(tmp_path / "treg.pdf", pages=40, content_bytes=1_500_000)
    before = fingerprint(corpus_copy)
    t0 = time.monotonic()
    result = run_cli("ingest", pdf, "--corpus", corpus_copy)
    assert time.monotonic() - t0 < 10
    assert_refused(result, "treg.pdf", "Det tok for lang tid å lese PDF-en: mer enn 1 s (stoppet ved side ")
    assert fingerprint(corpus_copy) == before


def test_a_text_past_its_time_is_refused_with_a_message(run_cli, corpus_copy, tmp_path, fingerprint, monkeypatch):
    """The same limit holds for every file, whatever stage it is in when the time is up."""
    monkeypatch.setattr("assistant.corpus.ingest.READ_SECONDS", 0.2)
    big = hostile.agreement_text(tmp_path / "stor.txt", 5_000_000)
    before = fingerprint(corpus_copy)
    result = run_cli("ingest", big, "--corpus", corpus_copy)
    assert_refused(result, "stor.txt", "Det tok for lang tid å lese filen: mer enn 0.2 s")
    assert "Del den opp" in result.err and fingerprint(corpus_copy) == before


def test_a_file_of_too_many_lines_is_refused_before_they_are_made(run_cli, corpus_copy, tmp_path, fingerprint):
    """5 million lines of "1." (15 MB) ran for 19 minutes and took 2.2 GB: now refused at once."""
    from assistant.corpus.load import MAX_LINES

    many = tmp_path / "linjer.txt"
    many.write_text("1.\n" * (MAX_LINES + 1), encoding="utf-8")
    before = fingerprint(corpus_copy)
    with within(10, "refusing the file"):
        result = run_cli("ingest", many, "--corpus", corpus_copy)
    assert_refused(result, "linjer.txt", "for mange linjer")
    assert fingerprint(corpus_copy) == before


def test_a_pdf_already_in_the_corpus_is_read_without_a_time_limit(tmp_path, monkeypatch):
    """Builds read the corpus again: a busy machine must not make a document it accepted fail."""
    from assistant.corpus.load import load_source

    monkeypatch.setattr("assistant.corpus.ingest.READ_SECONDS", 0.0)
    pdf = tmp_path / "avtale.pdf"
    pdf.write_bytes(hostile.agreement_pdf(pages=3))
    assert len([line for line in load_source(pdf) if "24 timer" in line.text]) == 3


def test_the_corpus_is_not_locked_while_a_document_is_read(run_cli, corpus_copy, tmp_path, monkeypatch):
    import fcntl

    import assistant.corpus.ingest as ingest

    real_load, free = ingest.load_source, []

    def load_and_try_the_lock(path, **kwargs):
        fd = os.open(corpus_copy, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another ingest would get it now
            free.append(True)
        except BlockingIOError:
            free.append(False)
        finally:
            os.close(fd)
        return real_load(path, **kwargs)

    monkeypatch.setattr(ingest, "load_source", load_and_try_the_lock)
    note = tmp_path / "notat.txt"
    note.write_text("Notat\n\n1. Formål\nKommunen skal svare innen 24 timer.\n", encoding="utf-8")
    assert run_cli("ingest", note, "--corpus", corpus_copy).code == 0
    assert free == [True]


def test_an_ingest_waiting_for_another_says_so_and_then_adds_its_file(corpus_copy, tmp_path):
    from assistant.locks import FolderLock

    note = tmp_path / "notat.txt"
    note.write_text("Notat om venting\n\n1. Formål\nKommunen skal svare innen 24 timer.\n", encoding="utf-8")
    with FolderLock(corpus_copy):  # another ingest, writing
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "ingest", str(note), "--corpus", str(corpus_copy)],
                                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(proc.stderr.readline()), daemon=True)
        reader.start()
        reader.join(timeout=30)  # a silent wait would never give a line
        first = lines[0] if lines else ""
    out, err = proc.communicate(timeout=60)
    assert "Venter på at en annen «avtale ingest»" in first and proc.returncode == 0, (first, err)
    assert any(e.file == "notat.txt" for e in load_manifest(corpus_copy))


# == 4. several files: all or nothing ==========================================================
@pytest.fixture
def two_files(tmp_path, make_pdf) -> list[Path]:
    pdf = make_pdf("a.pdf", ["Avtale A\n1. Formål\nUNN skal sende epikrise innen 24 timer."])
    text = tmp_path / "b.txt"
    text.write_text("Avtale B\n\n1. Formål\nKommunen skal svare innen 24 timer.\n", encoding="utf-8")
    return [pdf, text]


def _disk_full_at(monkeypatch, call: int) -> None:
    """The disk fills up at the `call`-th flush to disk (ENOSPC surfaces there at the latest)."""
    real, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) >= call:
            raise OSError(28, "No space left on device")
        return real(fd)

    monkeypatch.setattr("assistant.locks.os.fsync", fsync)


@pytest.mark.parametrize("call,named", [(2, "b.txt"), (3, "manifest.toml")])
def test_a_failed_write_adds_none_of_the_files(call, named, run_cli, corpus_copy, two_files, fingerprint, monkeypatch):
    """`ingest a.pdf b.txt` where writing b.txt (or the manifest) fails: a.pdf had been added and
    recorded, and no line said so. Now neither is, and the message says so."""
    before = fingerprint(corpus_copy)
    _disk_full_at(monkeypatch, call)
    result = run_cli("ingest", *two_files, "--corpus", corpus_copy)
    assert_refused(result, named, "Ingen av filene ble lagt til")
    assert "disk" in result.err
    assert fingerprint(corpus_copy) == before


def test_files_added_together_are_recorded_together(run_cli, corpus_copy, two_files):
    result = run_cli("ingest", *two_files, "--corpus", corpus_copy)
    assert result.code == 0 and result.out.count("La til ") == 2, result
    files = {e.file for e in load_manifest(corpus_copy)}
    assert {"a.pdf", "b.txt"} <= files and all((corpus_copy / f).is_file() for f in files)


# == 5. thread counts clamped to the machine ====================================================
def test_thread_counts_are_clamped_to_the_cores():
    from assistant.config import machine_cores, usable_threads

    cores = machine_cores()
    assert usable_threads(0) == cores and usable_threads(1) == 1
    assert usable_threads(40_000) == usable_threads(99999999999999999999) == cores


ENCODE = """
import sys
from assistant.config import load_settings
from assistant.search.encoders import load_encoder
encoder = load_encoder(load_settings())
print(encoder.encode_passages(["Kommunen skal svare innen 24 timer."] * 40).shape)
"""


@pytest.mark.parametrize("threads,environment", [("40000", {}), ("99999999999999999999", {}),
                                                 ("0", {"OMP_NUM_THREADS": "ingen"})])
def test_absurd_thread_settings_encode_without_a_crash_or_a_warning(threads, environment, tmp_path):
    """`threads = 40000` crashed the build (segmentation fault, exit 139); a number too large for
    OpenMP printed its English warning three times."""
    config = tmp_path / "config.toml"
    config.write_text(f"threads = {threads}\n", encoding="utf-8")
    proc = python(ENCODE, env={"AVTALE_CONFIG": str(config), **environment})
    assert proc.returncode == 0, proc
    assert proc.stdout.strip() == "(40, 384)" and proc.stderr == "", proc


def test_doctor_says_the_thread_count_is_clamped(run_cli, avtale_env):
    avtale_env["AVTALE_CONFIG"].write_text("threads = 40000\n", encoding="utf-8")
    from assistant.cli.doctor import check_settings
    from assistant.config import machine_cores

    check, settings = check_settings()
    assert check.status == "ADVARSEL" and f"bruker {machine_cores()}" in check.detail and settings.threads == 40000


# == 6. nothing from a document reaches the terminal as a control sequence =====================
@pytest.fixture
def escaped_corpus(run_cli, small_corpus, tmp_path) -> Path:
    doc = hostile.escape_document(tmp_path / "varsling.txt")
    assert run_cli("ingest", doc, "--corpus", small_corpus, "--id", "varsling").code == 0
    return small_corpus


def test_escapes_in_a_document_reach_no_text_output(run_cli, escaped_corpus, tmp_path):
    """`show` and `ask` printed "\\e[2K\\e[1G" raw: the deadline read "innen 14 dager" where the
    document said "innen 24 timer". Every text surface shows it as symbols instead."""
    where = ["--corpus", escaped_corpus, "--index", tmp_path / "index"]
    outputs = {
        "show": run_cli("show", "varsling:1.", *where),
        "show 2": run_cli("show", "varsling:2.", *where),
        "ask": run_cli("ask", "Hvem skal varsle kommunen innen 24 timer?", "--lexical", *where),
        "ansvar": run_cli("ansvar", "varsle kommunen", "--lexical", *where),
        "frister": run_cli("frister", *where),
        "corpus": run_cli("corpus", "--stats", *where),
    }
    for name, result in outputs.items():
        assert result.code == 0, (name, result)
        assert not terminal_controls(result.out + result.err), (name, terminal_controls(result.out + result.err))
    for name in ("show", "ask"):
        assert "innen 24 timer␛[2K␛[1Ginnen 14 dager" in outputs[name].out, outputs[name].out
    # (the carriage return ended a line when the file was read, as in any text file)
    assert "svare␛]0;tittel␇ innen to\ufffd2J virkedager␇ , og UNN skal␈ ringe\ufffd tilbake␛c." in outputs["show 2"].out


def test_json_keeps_the_text_and_escapes_what_a_terminal_acts_on(run_cli, escaped_corpus, tmp_path):
    where = ["--corpus", escaped_corpus, "--index", tmp_path / "index"]
    result = run_cli("ask", "Hvem skal varsle kommunen innen 24 timer?", "--lexical", "--json", *where)
    assert result.code == 0 and not terminal_controls(result.out), terminal_controls(result.out)
    data = json.loads(result.out)
    assert any("innen 24 timer\x1b[2K\x1b[1Ginnen 14 dager" in e["text"] for e in data["excerpts"])
    listing = run_cli("corpus", "--json", *where)
    assert not terminal_controls(listing.out) and json.loads(listing.out)


@pytest.mark.parametrize("name", ["linje\nskift.txt", "esc\x1b[2Jape.txt", "bidi\u202etxt.md", "c1\x9b31m.txt"])
def test_file_names_in_messages_stay_on_one_line_and_inert(name, run_cli, corpus_copy, tmp_path):
    path = tmp_path / name
    path.write_bytes(b"")  # empty: refused, and named in the message
    result = run_cli("ingest", path, "--corpus", corpus_copy)
    assert result.code == 3 and len(result.err.splitlines()) == 1, result
    assert not terminal_controls(result.err) and "Filen er tom" in result.err


def test_a_file_name_that_is_not_utf8_is_named_without_a_crash(run_cli, corpus_copy, tmp_path):
    path = Path(os.fsdecode(bytes(tmp_path) + b"/ikke-utf8-\xff\xfe.txt"))
    path.write_bytes(b"")
    result = run_cli("ingest", path, "--corpus", corpus_copy)
    assert result.code == 3 and "ikke-utf8-\ufffd\ufffd.txt" in result.err and "Filen er tom" in result.err, result


def test_usage_errors_quote_what_was_typed_inertly(run_cli):
    result = run_cli("corpus", "\x1b]0;tittel\x07\x1b[2J")
    assert result.code == 2 and not terminal_controls(result.err) and "␛]0;tittel␇␛[2J" in result.err


def test_every_line_the_cli_prints_goes_through_one_function():
    """The CLI prints only through assistant/cli/output.py, which uses assistant.terminal."""
    import ast

    offenders = []
    for path in sorted((REPO / "assistant" / "cli").glob("*.py")):
        if path.name == "output.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr == "write" and getattr(node.value, "attr", "") in (
                    "stdout", "stderr"):
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, offenders


def test_the_app_uses_the_same_rule():
    from assistant.terminal import visible
    from assistant.tui.format import plain, safe

    text = "".join(hostile.ESCAPES)
    assert safe(text) == visible(text) and not terminal_controls(plain(text).plain)


# == 7. the smaller ones ========================================================================
def test_pypdf_repair_notes_stay_off_standard_error(run_cli, corpus_copy, tmp_path):
    """'incorrect startxref pointer(3)' reached stderr (from reading the title a second time)."""
    result = run_cli("ingest", hostile.repaired_pdf(tmp_path / "reparert.pdf"), "--corpus", corpus_copy)
    assert result.code == 0 and result.err == "", result
    assert "La til reparert.pdf som «Avtale om varsling»" in result.out


def test_pypdf_is_quiet_in_every_use(capfd, tmp_path):
    from assistant.corpus.pdf import pdf_title, read_pdf

    damaged = hostile.repaired_pdf(tmp_path / "reparert.pdf")
    assert read_pdf(damaged, None) and pdf_title(damaged.read_bytes()) == ""
    assert capfd.readouterr().err == ""


BUILD_ON_A_SMALL_DISK = """
import resource, signal, sys
from pathlib import Path
from assistant.errors import AvtaleError
from assistant.search.encoders import FakeEncoder
from assistant.search.index import build_index
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), resource.RLIM_INFINITY))
try:
    build_index(Path(sys.argv[1]), Path(sys.argv[2]), FakeEncoder(dim=384))
except AvtaleError as exc:
    print(exc.message)
    sys.exit(exc.exit_code)
"""


@pytest.mark.parametrize("limit", [40_000, 200_000])
def test_a_build_that_runs_out_of_room_leaves_nothing_and_says_so(limit, small_corpus, tmp_path):
    """A build on a full disk left a 3.3 MB .tmp.npy and numpy's English message ("… requested
    and … written"). Here the operating system refuses to let any file grow past `limit` bytes:
    at 40 KB the word index fails, at 200 KB the vector cache."""
    from assistant import paths
    from assistant.search.index import build_index

    index = tmp_path / "index"
    old = build_index(small_corpus, index, None)
    proc = python(BUILD_ON_A_SMALL_DISK, str(small_corpus), str(index), str(limit))
    assert proc.returncode == 4, proc
    assert "kunne ikke bygge søkeindeksen (filen ble for stor" in proc.stdout and "requested" not in proc.stdout, proc
    assert proc.stderr == ""
    leftovers = [p.name for folder in (index, paths.vector_cache_dir()) for p in folder.rglob("*")
                 if ".tmp" in p.name or (p.name.startswith("build-") and p != old)]
    assert not leftovers and (index / "CURRENT").read_text(encoding="utf-8") == old.name


def test_an_errno_less_short_write_is_named_in_norwegian():
    from assistant.errors import os_error_text

    assert os_error_text(OSError("1915008 requested and 309216 written")).startswith("skrivingen stoppet")
    assert os_error_text(OSError(28, "No space left on device")) == "disken er full: No space left on device"


@pytest.mark.parametrize("encoding", ["rot13", "base64", "zlib_codec", "ingen-slik"])
def test_a_codec_that_is_not_a_text_encoding_is_named_unknown(encoding, run_cli, corpus_copy, tmp_path):
    path = tmp_path / "tekst.txt"
    path.write_text("Avtale\n\n1. Formål\nKommunen skal svare.\n", encoding="utf-8")
    assert_refused(run_cli("ingest", path, "--corpus", corpus_copy, "--encoding", encoding), "tekst.txt",
                   f"Ukjent tegnsett «{encoding}»")


def test_a_configuration_path_that_is_a_folder_is_refused(run_cli, tmp_path, small_corpus, monkeypatch):
    folder = tmp_path / "config.toml"
    folder.mkdir()
    monkeypatch.setenv("AVTALE_CONFIG", str(folder))
    result = run_cli("ask", "Hvem veileder kommunen?", "--corpus", small_corpus, "--index", tmp_path / "index")
    assert_refused(result, str(folder), "er en mappe, ikke en fil", code=2)
    from assistant.cli.doctor import check_settings

    assert check_settings()[0].status == "FEIL"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_ingest_keeps_the_manifests_mode_and_gives_new_files_the_usual_one(mode, run_cli, corpus_copy, tmp_path):
    manifest = corpus_copy / "manifest.toml"
    manifest.chmod(mode)
    note = tmp_path / "notat.txt"
    note.write_text("Notat\n\n1. Formål\nKommunen skal svare innen 24 timer.\n", encoding="utf-8")
    previous = os.umask(0o022)
    try:
        assert run_cli("ingest", note, "--corpus", corpus_copy).code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(manifest.stat().st_mode) == mode
    assert stat.S_IMODE((corpus_copy / "notat.txt").stat().st_mode) == 0o644


def test_what_a_killed_build_left_is_removed_at_start(run_cli, small_corpus, tmp_path):
    """A build killed midway left its build-* folder until the next successful build."""
    from assistant.search.index import build_index, current_build

    index = tmp_path / "index"
    previous = build_index(small_corpus, index, None)
    current = build_index(small_corpus, index, None)  # `previous` stays for readers of a moment ago
    killed = index / "build-killed"
    (killed / "bm25").mkdir(parents=True)
    (killed / "chunks.jsonl").write_text("{}\n", encoding="utf-8")
    almost = index / "build-almost"  # killed after its manifest, before CURRENT pointed at it
    almost.mkdir()
    (almost / "manifest.json").write_text("{}", encoding="utf-8")
    result = run_cli("ask", "Hvem veileder kommunen?", "--lexical", "--corpus", small_corpus, "--index", index)
    assert result.code == 0, result
    assert sorted(p.name for p in index.glob("build-*")) == sorted([previous.name, current.name])
    assert current_build(index) == current


def test_a_vector_cache_file_a_killed_build_was_writing_is_removed(small_corpus, tmp_path):
    from assistant import paths
    from assistant.search.encoders import FakeEncoder
    from assistant.search.index import build_index

    build_index(small_corpus, tmp_path / "index", FakeEncoder())
    cache = paths.vector_cache_dir()
    (stored,) = cache.glob("*.npz")
    leftover = cache / f".{stored.name}.killed.tmp"
    leftover.write_bytes(b"PK half a file")
    build_index(small_corpus, tmp_path / "index", FakeEncoder(dim=48))  # another model: the cache is written
    assert not leftover.exists()


def test_a_killed_build_is_swept_while_no_build_runs_only(small_corpus, tmp_path):
    from assistant.locks import FolderLock
    from assistant.search.index import build_index, sweep_if_idle

    index = tmp_path / "index"
    build_index(small_corpus, index, None)
    building = index / "build-running"
    building.mkdir()
    with FolderLock(index / ".lock"):  # another process is building right now
        swept = threading.Thread(target=sweep_if_idle, args=(index,))
        swept.start()
        swept.join()
        assert building.is_dir()
    sweep_if_idle(index)
    assert not building.exists()
