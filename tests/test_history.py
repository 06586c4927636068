"""Privacy: by default no question and no answer is written anywhere on disk. History is opt-in
(`history = true`), kept in one file readable by the user alone (0600), listed with
`avtale history` and deleted with `avtale history --clear`."""

from __future__ import annotations

import io
import json
import os
import stat
import tempfile
from pathlib import Path

import pytest

from assistant.cli import history

# Patient details a clinician might type: must never reach the disk unless history is on.
SECRET = "Kari Nordmann-Zqxv f. 01.02.1950 innlagt med pankreatitt, hvem sender tidligmelding"
DIAGNOSIS = "pankreatitt"  # a word the bundled corpus does not hold (checked below)
SECRET_MARK = "zqxv"


@pytest.fixture
def private_home(tmp_path, monkeypatch) -> Path:
    """HOME, every XDG folder and the temp folder inside tmp_path, so we can walk all of it."""
    home = tmp_path / "hjem"
    for name, sub in {"HOME": "", "XDG_DATA_HOME": ".local/share", "XDG_CONFIG_HOME": ".config",
                      "XDG_CACHE_HOME": ".cache", "XDG_STATE_HOME": ".local/state", "TMPDIR": "tmp"}.items():
        folder = home / sub
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(home / "tmp"))
    monkeypatch.delenv("AVTALE_HISTORY", raising=False)
    return home


def files_mentioning(folders, needle: str) -> list[str]:
    needle_b = needle.lower().encode("utf-8")
    hits = []
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes().lower()
                if needle_b in data or needle.lower().encode("utf-16-le") in data:
                    hits.append(str(path))
    return hits


def ask_every_way(run_cli, run_avtale, monkeypatch, question: str) -> str:
    """The CLI (readable, --json, --jsonl), a real process and the service; returns one answer."""
    from assistant.service import Assistant

    assert run_cli("ask", question, "--lexical").code == 0
    result = run_cli("ask", question, "--lexical", "--json")
    assert result.code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(question + "\n"))
    assert run_cli("ask", "--jsonl", "--lexical").code == 0
    assert run_avtale("ask", question, "--lexical", "--json").code == 0
    Assistant.open(use_encoder=False).ask(question)
    return json.loads(result.out)["answer"]


def test_by_default_no_question_or_answer_reaches_the_disk(private_home, avtale_env, run_cli, run_avtale,
                                                           monkeypatch, tmp_path):
    answer = ask_every_way(run_cli, run_avtale, monkeypatch, SECRET)
    folders = [private_home, avtale_env["AVTALE_INDEX"], avtale_env["AVTALE_CACHE"], avtale_env["AVTALE_CORPUS"], tmp_path]
    assert Path(avtale_env["AVTALE_INDEX"], "CURRENT").is_file()  # the walk covers a real index
    assert files_mentioning(folders, SECRET_MARK) == []
    assert files_mentioning([avtale_env["AVTALE_CORPUS"]], DIAGNOSIS) == []  # else the walk below proves nothing
    assert files_mentioning(folders, DIAGNOSIS) == []
    assert answer and not history.history_file().exists()
    assert run_cli("history").out.startswith("Historikken er av")
    history.record(SECRET)  # the walk does see a question once one is stored
    assert set(files_mentioning(folders, SECRET_MARK)) == {str(history.history_file())}


@pytest.fixture
def history_on(avtale_env) -> Path:
    avtale_env["AVTALE_CONFIG"].write_text("history = true\n", encoding="utf-8")
    return avtale_env["AVTALE_CONFIG"]


def test_opt_in_history_is_private_listed_and_cleared(private_home, history_on, run_cli):
    assert run_cli("ask", "Hvem sender tidligmelding?", "--lexical").code == 0
    answer = run_cli("ask", SECRET, "--lexical", "--json")
    path = private_home / ".local/share/avtale/history.jsonl"  # the user's data folder (XDG)
    assert history.history_file() == path and path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["question"] for r in rows] == ["Hvem sender tidligmelding?", SECRET]
    stored = path.read_text(encoding="utf-8")
    assert json.loads(answer.out)["answer"][:60] not in stored  # questions only, never answers

    listed = run_cli("history")
    assert listed.code == 0 and listed.out.splitlines()[-1].endswith(SECRET)
    assert len(listed.out.splitlines()) == 2

    cleared = run_cli("history", "--clear")
    assert cleared.code == 0 and "Slettet historikken (2 spørsmål)" in cleared.out
    assert not path.exists()
    assert run_cli("history").out.startswith("Historikken er tom")
    assert run_cli("history", "--clear").out.startswith("Ingen historikk å slette")


def test_history_file_from_the_environment(private_home, history_on, run_cli, tmp_path, monkeypatch):
    target = tmp_path / "annet sted" / "mine spørsmål.jsonl"
    monkeypatch.setenv("AVTALE_HISTORY", str(target))
    assert run_cli("ask", "Hvem rekvirerer transport?", "--lexical").code == 0
    assert target.is_file() and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not (private_home / ".local/share/avtale/history.jsonl").exists()


def test_an_existing_history_readable_by_others_is_tightened(private_home, history_on, run_cli):
    path = history.history_file()
    path.parent.mkdir(parents=True)
    path.write_text("", encoding="utf-8")
    path.chmod(0o644)
    assert run_cli("ask", "Hvem sender tidligmelding?", "--lexical").code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_symlinked_history_file_is_not_followed(private_home, history_on, run_cli, tmp_path):
    elsewhere = tmp_path / "andres-fil.txt"
    elsewhere.write_text("ikke din\n", encoding="utf-8")
    path = history.history_file()
    path.parent.mkdir(parents=True)
    path.symlink_to(elsewhere)
    result = run_cli("ask", "Hvem sender tidligmelding?", "--lexical")
    assert result.code == 0 and "Merk: Kunne ikke lagre spørsmålet" in result.err
    assert elsewhere.read_text(encoding="utf-8") == "ikke din\n"


def test_terminal_escapes_in_a_stored_question_are_not_replayed(private_home, history_on, run_cli):
    assert run_cli("ask", "\x1b[2J\x1b]0;x\x07Hvem sender tidligmelding?\x00", "--lexical").code == 0
    listed = run_cli("history")
    assert "\x1b" not in listed.out and "\x00" not in listed.out and "Hvem sender tidligmelding?" in listed.out


def test_failing_to_record_never_loses_the_answer(private_home, history_on, run_cli, tmp_path, monkeypatch):
    blocker = tmp_path / "en fil"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("AVTALE_HISTORY", str(blocker / "history.jsonl"))  # a folder that is a file
    result = run_cli("ask", "Hvem sender tidligmelding?", "--lexical")
    assert result.code == 0 and result.out.startswith(("Svar:", "Ikke dekket:"))
    assert "Merk: Kunne ikke lagre spørsmålet i historikken" in result.err and "Traceback" not in result.err


def test_broken_configuration_keeps_the_history_off(private_home, avtale_env, run_cli):
    avtale_env["AVTALE_CONFIG"].write_text("history = ja\n", encoding="utf-8")  # not TOML
    assert run_cli("ask", "Hvem sender tidligmelding?", "--lexical").code == 0
    assert not history.history_file().exists()


def test_batch_questions_are_not_recorded(private_home, history_on, run_cli, monkeypatch):
    """--jsonl is the evals' and tools' interface, not a person asking: it stays out of history."""
    monkeypatch.setattr("sys.stdin", io.StringIO("Hvem sender tidligmelding?\n"))
    assert run_cli("ask", "--jsonl", "--lexical").code == 0
    assert not history.history_file().exists()


def test_damaged_lines_in_the_history_are_skipped_and_counted(private_home, run_cli):
    path = history.history_file()
    path.parent.mkdir(parents=True)
    path.write_text('{"time": "2024-01-02T03:04:05", "question": "Første"}\n{ødelagt\n[1, 2]\n', encoding="utf-8")
    listed = run_cli("history")
    assert listed.code == 0 and "2024-01-02 03:04:05  Første" in listed.out
    assert "2 linjer" in listed.err and "Historikken er av" in listed.err
    assert os.path.exists(path)
