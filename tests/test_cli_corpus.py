"""`avtale corpus`: every logical document with title, publisher, kind, date, status and section
count; `--json` for tools; `--stats` for what the cleaner did; paths from options or environment."""

from __future__ import annotations

import json

import pytest

from assistant.corpus.manifest import load_manifest


def test_corpus_lists_every_document(run_cli, bundled_corpus_dir, real_corpus):
    result = run_cli("corpus", "--corpus", bundled_corpus_dir)
    assert result.code == 0 and result.err == ""
    lines = result.out.splitlines()
    assert lines[0].split()[:5] == ["ID", "TYPE", "DATO", "STATUS", "SEKSJ."]
    for doc in real_corpus.documents:
        row = next(line for line in lines if line.startswith(doc.id + " "))
        info = doc.info
        assert info.title in row and info.kind in row and info.date in row and f" {len(doc.sections)} " in row
        assert (info.status or "–") in row
        assert info.publisher in row
    total = sum(len(d.sections) for d in real_corpus.documents)
    assert f"22 dokumenter, {total} seksjoner, 5 kildefiler." in result.out


def test_corpus_rows_for_the_draft_agreement(run_cli):
    out = run_cli("corpus").out  # AVTALE_CORPUS points at a copy of the bundled corpus
    rl2 = next(line for line in out.splitlines() if line.startswith("rl2 "))
    assert "forslag – revidert etter høringsrunde" in rl2 and "xx.xx.2023" in rl2 and "retningslinje" in rl2
    guide = next(line for line in out.splitlines() if line.startswith("veileder-samarbeidsavtaler "))
    assert "høringsutkast" in guide and "Helsedirektoratet" in guide


def test_corpus_json_is_valid_and_complete(run_cli, bundled_corpus_dir, real_corpus):
    result = run_cli("corpus", "--json", "--corpus", bundled_corpus_dir)
    assert result.code == 0
    rows = json.loads(result.out)
    ids = [d.info.id for e in load_manifest(bundled_corpus_dir) for d in e.documents]
    assert [r["id"] for r in rows] == ids
    for row, doc in zip(rows, real_corpus.documents):
        assert {"id", "title", "short_title", "publisher", "kind", "date", "status", "source_file", "sections"} <= set(row)
        assert row["sections"] == len(doc.sections) > 0
    rl2 = rows[ids.index("rl2")]
    assert rl2["status"].startswith("forslag") and rl2["date"] == "xx.xx.2023"
    assert rl2["source_file"] == "ssu-2023-06-01-samarbeidsavtale-unn-kommunene.txt"


def test_corpus_stats_report_removed_lines_by_kind_and_chunks(run_cli, real_corpus):
    out = run_cli("corpus", "--stats").out
    assert "tekstbiter for søk." in out
    removed = out.split("Linjer rensingen fjernet")[1].split("Reparasjoner")[0]
    for kind in ("url", "hearing_mark", "toc", "page_number", "running_head", "letterhead"):
        assert f"  {kind} " in removed
        assert f"  {kind} " not in out.split("Reparasjoner")[1]
    repaired = out.split("Reparasjoner i teksten")[1]
    for kind in ("hyphenation", "url_encoding", "footnote_marker"):
        assert f"  {kind} " in repaired
    counts = {line.split()[0]: int(line.split()[1]) for line in removed.splitlines()[1:] if line.strip()}
    assert counts == {k: v for k, v in real_corpus.cleaning.items() if k in counts}


def test_corpus_option_before_or_after_the_command(run_cli, tmp_path):
    missing = tmp_path / "finnes-ikke"
    for args in (("--corpus", missing, "corpus"), ("corpus", "--corpus", missing)):
        result = run_cli(*args)
        assert result.code == 3, args
        assert str(missing) in result.err and "manifest" in result.err


def test_corpus_from_the_environment(run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("AVTALE_CORPUS", str(tmp_path / "annen"))
    result = run_cli("corpus")
    assert result.code != 0 and str(tmp_path / "annen") in result.err


def test_broken_manifest_is_a_clean_error(run_cli, corpus_copy):
    (corpus_copy / "manifest.toml").write_text("[[source]\nfile = \n", encoding="utf-8")
    result = run_cli("corpus", "--corpus", corpus_copy)
    assert result.code == 3 and "manifest" in result.err and "Traceback" not in result.err


def test_missing_source_file_is_a_clean_error(run_cli, corpus_copy):
    (corpus_copy / "rapport-2006-samhandling-organisatoriske-tiltak.txt").unlink()
    result = run_cli("corpus", "--corpus", corpus_copy)
    assert result.code == 3
    assert "rapport-2006-samhandling-organisatoriske-tiltak.txt" in result.err and "finnes ikke" in result.err


def test_wrong_document_start_pattern_is_a_clean_error(run_cli, corpus_copy):
    manifest = corpus_copy / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("^RETNINGSLINJE nr\\. 9:", "^RETNINGSLINJE nr\\. 99:"),
                        encoding="utf-8")
    result = run_cli("corpus", "--corpus", corpus_copy)
    assert result.code == 3 and "rl9" in result.err and "start" in result.err


@pytest.mark.parametrize("args", [("corpus",), ("corpus", "--json"), ("corpus", "--stats")])
def test_corpus_in_a_real_process(run_avtale, args):
    result = run_avtale(*args)
    assert result.code == 0 and result.err == ""
    assert "rl2" in result.out


def test_corpus_is_read_only(run_cli, corpus_copy, fingerprint):
    before = fingerprint(corpus_copy)
    assert run_cli("corpus", "--stats", "--corpus", corpus_copy).code == 0
    assert run_cli("show", "rl2:4.1.3", "--corpus", corpus_copy).code == 0
    assert fingerprint(corpus_copy) == before
