"""Questions a passage answers (corpus/questions.jsonl): checked when read, attached to their
passage by quote, searched with it, embedded as questions, and part of the index's staleness."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.corpus.chunk import chunk_documents
from assistant.errors import ManifestError
from assistant.models import Chunk
from assistant.search.encoders import FakeEncoder
from assistant.search.index import build_index, is_stale, load_index
from assistant.search.questions import PassageQuestions, attach, load_questions
from assistant.search.retrieve import QUESTION_WEIGHT, Retriever, model_text
from assistant.search.vector_cache import seed_precision

QUOTE = "Det kan ikke kreves vederlag for den veiledning"
# Everyday words the circular itself never uses: only the stored question connects them to it.
ASKED = "Kan sykehuset fakturere kommunen for opplæringen av hjemmesykepleierne?"


def write_questions(corpus: Path, *rows: dict | str) -> Path:
    path = corpus / "questions.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


class QuestionCounter(FakeEncoder):
    def __init__(self):
        super().__init__()
        self.passages = self.questions = 0

    def encode_passages(self, texts, progress=None):
        self.passages += len(texts)
        return super().encode_passages(texts, progress)

    def encode_questions(self, texts, progress=None):
        self.questions += len(texts)
        return super().encode_passages(texts, progress)


def _chunk(number: int, section: str, text: str, doc: str = "avtale") -> Chunk:
    return Chunk(f"{doc}:{section}#{number}", f"{doc}:{section}", doc, text, 1, 2)


def test_a_quote_finds_its_passage_across_line_breaks_and_its_section_among_identical_ones():
    same = "Partene skal avklare arbeidsgiveransvar,\norganisering og finansiering."
    chunks = [_chunk(0, "1", "Innledning."), _chunk(1, "2", same), _chunk(2, "3", same),
              _chunk(3, "4", "Kommunen skal sende melding innen 48 timer.", doc="annen")]
    entries = [
        PassageQuestions("avtale", "avklare arbeidsgiveransvar, organisering", ("Hvem er arbeidsgiver?",), "avtale:3"),
        PassageQuestions("avtale", "avklare arbeidsgiveransvar, organisering", ("Hvem betaler?",)),
        PassageQuestions("avtale", "Kommunen skal sende melding innen 48 timer", ("Frist?",)),  # another document's text
    ]
    attached = attach(entries, chunks)
    assert list(zip(attached.owner, attached.texts)) == [(1, "Hvem betaler?"), (2, "Hvem er arbeidsgiver?")]
    assert attached.unanchored == 1
    assert attached.by_chunk(4) == ["", "Hvem betaler?", "Hvem er arbeidsgiver?", ""]


@pytest.mark.parametrize("line, problem", [
    ('{"doc": "rundskriv", "quote": "for kort", "questions": ["Hva?"]}', "quote"),
    ('{"doc": "rundskriv", "quote": "Det kan ikke kreves vederlag", "questions": []}', "questions"),
    ('{"quote": "Det kan ikke kreves vederlag", "questions": ["Hva?"]}', "doc"),
    ('{"doc": "rundskriv", "quote": "Det kan ikke kreves vederlag", "questions": ["Hva?"]', "JSON"),
    ('["en liste"]', "JSON-objekt"),
])
def test_a_bad_line_is_an_error_naming_the_file_and_line(tmp_path, line, problem):
    path = write_questions(tmp_path, {"doc": "rundskriv", "quote": QUOTE, "questions": ["Hva?"]}, line)
    with pytest.raises(ManifestError) as raised:
        load_questions(tmp_path)
    assert f"{path}, linje 2" in raised.value.message and problem in raised.value.message


def test_a_bad_questions_file_stops_the_index_command_with_one_message(small_corpus, tmp_path, run_cli):
    (small_corpus / "questions.jsonl").write_bytes(b"\xff\xfe not utf-8\n")
    result = run_cli("index", "--corpus", str(small_corpus), "--index", str(tmp_path / "index"))
    assert result.code == 3
    assert "questions.jsonl" in result.err and "UTF-8" in result.err and "Traceback" not in result.err


def test_without_a_questions_file_there_are_none(tmp_path):
    assert load_questions(tmp_path) == []


def test_every_bundled_question_finds_its_passage(real_corpus, bundled_corpus_dir):
    entries = load_questions(bundled_corpus_dir)
    assert len(entries) > 500
    chunks = chunk_documents(real_corpus.documents)
    attached = attach(entries, chunks)
    assert attached.unanchored == 0
    assert len(attached.texts) == sum(len(e.questions) for e in entries)
    assert {chunks[n].doc_id for n in attached.owner} == {d.id for d in real_corpus.documents}  # every document


def test_a_stored_question_lets_the_word_search_find_its_passage(small_corpus, tmp_path):
    index = tmp_path / "index"
    build_index(small_corpus, index)
    plain = Retriever(load_index(index))
    target = next(i for i, c in enumerate(plain.index.chunks) if QUOTE in " ".join(c.text.split()))
    assert "fakturere" not in plain.index.lexical.vocabulary
    assert target not in [plain.index.chunks.index(h.chunk) for h in plain.search(ASKED, mode="bm25").hits[:1]]

    write_questions(small_corpus, {"doc": "rundskriv", "quote": QUOTE, "questions": [ASKED]})
    assert is_stale(index, small_corpus, None) == "Dokumentene er endret siden søkeindeksen ble laget"
    build_index(small_corpus, index)
    loaded = load_index(index)
    assert loaded.manifest["questions"] == {"attached": 1, "unanchored": 0, "lost": []}
    hits = Retriever(loaded).search("Får sykehuset fakturere for opplæringen?", mode="bm25").hits
    assert hits[0].chunk == loaded.chunks[target]
    # The excerpt is the passage's own text, and spelling correction knows only the documents.
    assert "fakturere" not in hits[0].chunk.text and "fakturere" not in loaded.lexical.vocabulary


def test_question_vectors_are_built_cached_and_lift_their_passage(small_corpus, tmp_path):
    write_questions(small_corpus, {"doc": "rundskriv", "quote": QUOTE, "questions": [ASKED, "Koster veiledningen noe?"]})
    index = tmp_path / "index"
    counter = QuestionCounter()
    build_index(small_corpus, index, counter)
    loaded = load_index(index)
    assert counter.questions == 2
    target = int(loaded.question_owner[0])
    assert loaded.question_owner.tolist() == [target, target]
    # Kept at the precision a seed stores them in (test_a_seed_gives_…).
    np.testing.assert_allclose(loaded.question_vectors,
                               seed_precision(FakeEncoder().encode_queries([ASKED, "Koster veiledningen noe?"])), atol=1e-6)
    assert loaded.question_quotes == [QUOTE, QUOTE]
    found = Retriever(loaded, FakeEncoder()).search(ASKED)
    assert target in [loaded.chunks.index(h.chunk) for h in found.hits]
    assert found.answer_spans[QUOTE] > 0.9  # the quote answering its near-twin (the search adds glossary words)

    query = FakeEncoder().encode_queries([ASKED])[0]
    blended, chunk_cosine, *_ = Retriever(loaded, FakeEncoder())._dense_scores(query, len(loaded.chunks))
    without = Retriever(load_index(index), FakeEncoder())
    without.index.question_vectors = without.index.question_vectors[:0]
    without.index.question_owner = without.index.question_owner[:0]
    before, *_ = without._dense_scores(query, len(loaded.chunks))
    assert np.isclose(blended[target], (1 - QUESTION_WEIGHT) * before[target] + QUESTION_WEIGHT * 1.0, atol=1e-3)
    others = np.arange(len(loaded.chunks)) != target
    np.testing.assert_allclose(blended[others], before[others])  # never touches another passage

    # A new question re-encodes only itself; everything else comes from the cache.
    write_questions(small_corpus, {"doc": "rundskriv", "quote": QUOTE,
                                   "questions": [ASKED, "Koster veiledningen noe?", "Is guidance free?"]})
    again = QuestionCounter()
    build_index(small_corpus, index, again)
    assert (again.passages, again.questions) == (0, 1)
    assert len(load_index(index).question_vectors) == 3


@pytest.mark.parametrize("damage", ["owner", "quotes"])
def test_damaged_question_files_are_detected_and_rebuilt(small_corpus, tmp_path, damage):
    from assistant.service import Assistant

    write_questions(small_corpus, {"doc": "rundskriv", "quote": QUOTE, "questions": [ASKED]})
    index = tmp_path / "index"
    folder = build_index(small_corpus, index, FakeEncoder())
    if damage == "owner":
        np.save(folder / "question_owner.npy", np.array([10_000], dtype=np.int32))
    else:
        (folder / "question_quotes.json").write_text("[]", encoding="utf-8")
    assistant = Assistant.open(small_corpus, index, encoder=FakeEncoder())
    assert any("skadet" in n for n in assistant.notices)
    assert len(assistant.index.question_owner) == 1 and assistant.index.question_owner[0] < len(assistant.index.chunks)


def test_a_follow_up_matches_the_stored_questions_with_its_own_words_too(small_corpus, tmp_path):
    """"Kan kommunen klage på en faktura …? – hvor lang frist har vi?" is searched as read with
    its conversation, but the stored questions are matched with the mean of that reading and the
    follow-up's own words, so a stored question like the earlier one does not outweigh one like
    the follow-up."""
    from assistant.answer.understand import understand

    write_questions(small_corpus, {"doc": "rundskriv", "quote": QUOTE, "questions": [ASKED, "Koster veiledningen noe?"]})
    index = tmp_path / "index"
    build_index(small_corpus, index, FakeEncoder())
    loaded = load_index(index)
    retriever = Retriever(loaded, FakeEncoder())
    follow_up = understand("Og koster den noe?", loaded.lexical, retriever.glossary, ["Har UNN plikt til å veilede kommunen?"])
    assert follow_up.interpreted
    found = retriever.search(follow_up)
    encoder = FakeEncoder()
    merged = encoder.encode_queries([model_text(follow_up.words)])[0]
    own = encoder.encode_queries([follow_up.text])[0]
    both = (merged + own) / np.linalg.norm(merged + own)
    np.testing.assert_allclose(found.question_cosines, loaded.question_vectors @ both, atol=1e-5)
    # A question that stands alone matches them with itself.
    asked = understand("Koster veiledningen noe?", loaded.lexical, retriever.glossary)
    alone = retriever.search(asked)
    vector = encoder.encode_queries([model_text(asked.words)])[0]
    np.testing.assert_allclose(alone.question_cosines, loaded.question_vectors @ vector, atol=1e-5)



def test_a_question_encoded_a_moment_ago_is_not_encoded_again(small_corpus, tmp_path):
    """A follow-up that may stand alone is searched both ways, and its own words are read in
    both: the language model runs once per distinct text."""
    build_index(small_corpus, tmp_path / "index", FakeEncoder())

    class Counting(FakeEncoder):
        calls = 0

        def encode_queries(self, texts):
            Counting.calls += len(texts)
            return super().encode_queries(texts)

    retriever = Retriever(load_index(tmp_path / "index"), Counting())
    first = retriever.search("Hvem sender tidligmelding?")
    again = retriever.search("Hvem sender tidligmelding?")
    assert Counting.calls == 1
    assert [h.chunk.id for h in first.hits] == [h.chunk.id for h in again.hits]


# -- the questions' vectors shipped beside them (questions.vectors.npz) -------------------------
def test_a_seed_gives_the_questions_vectors_and_the_same_index_as_encoding_them(small_corpus, tmp_path, avtale_env,
                                                                                 monkeypatch):
    """A fresh build reads the questions' vectors from the corpus's seed instead of encoding
    them, and the index it makes is the one a build that encodes them makes."""
    from assistant.search.questions import seed_path
    from assistant.search.vector_cache import write_seed

    asked = [ASKED, "Koster veiledningen noe?"]
    write_questions(small_corpus, {"doc": "rundskriv", "quote": QUOTE, "questions": asked})
    write_seed(seed_path(small_corpus), FakeEncoder().model_id, asked, FakeEncoder().encode_queries(asked))
    seeded = QuestionCounter()
    build_index(small_corpus, tmp_path / "seeded", seeded)
    assert (seeded.questions, seeded.passages > 0) == (0, True)

    seed_path(small_corpus).unlink()
    monkeypatch.setenv("AVTALE_CACHE", str(tmp_path / "empty-cache"))
    encoded = QuestionCounter()
    build_index(small_corpus, tmp_path / "encoded", encoded)
    assert encoded.questions == 2
    assert np.array_equal(load_index(tmp_path / "seeded").question_vectors, load_index(tmp_path / "encoded").question_vectors)


@pytest.mark.parametrize("seed", ["other model", "damaged", "nan rows", "lacks a question"])
def test_a_seed_that_does_not_fit_is_passed_over_and_its_questions_encoded(small_corpus, tmp_path, seed):
    from assistant.search.questions import seed_path
    from assistant.search.vector_cache import write_seed

    asked = [ASKED, "Koster veiledningen noe?"]
    write_questions(small_corpus, {"doc": "rundskriv", "quote": QUOTE, "questions": asked})
    path = seed_path(small_corpus)
    vectors = FakeEncoder().encode_queries(asked)
    if seed == "other model":
        write_seed(path, "another/model", asked, vectors)
    elif seed == "damaged":
        path.write_bytes(b"PK\x03\x04 not really a zip")
    elif seed == "nan rows":
        write_seed(path, FakeEncoder().model_id, asked, np.full_like(vectors, np.nan))
    else:
        write_seed(path, FakeEncoder().model_id, asked[:1], vectors[:1])
    counter = QuestionCounter()
    build_index(small_corpus, tmp_path / "index", counter)
    assert counter.questions == (1 if seed == "lacks a question" else 2)
    loaded = load_index(tmp_path / "index").question_vectors
    assert np.isfinite(loaded).all()
    np.testing.assert_allclose(loaded, seed_precision(vectors), atol=1e-6)


@pytest.mark.slow
def test_the_bundled_seed_holds_every_bundled_question_as_the_encoder_reads_it(bundled_corpus_dir):
    """The shipped seed is current: made with the default model, one row per bundled question,
    and those rows are what the model gives the questions now (checked on a sample)."""
    from assistant.search.encoders import cpu_supports_avx2, load_encoder
    from assistant.search.questions import seed_path
    from assistant.search.vector_cache import load_seed, question_key

    if not cpu_supports_avx2():
        pytest.skip("the CPU lacks AVX2")
    texts = [q for line in load_questions(bundled_corpus_dir) for q in line.questions]
    encoder = load_encoder()
    seed = load_seed(seed_path(bundled_corpus_dir), encoder.model_id, encoder.dim, {question_key(t) for t in texts})
    assert {question_key(t) for t in texts} == set(seed)
    sample = texts[:: max(len(texts) // 12, 1)]
    fresh = encoder.encode_questions(sample)
    stored = np.stack([seed[question_key(t)] for t in sample])
    assert (np.sum(fresh * stored, axis=1) > 0.999).all()
