"""The index: built atomically, checked on load, rebuilt when stale, recovered when damaged,
and vectors reused from the cache so an unchanged corpus never re-encodes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from assistant.search.encoders import FakeEncoder
from assistant.search.index import (
    IndexDamaged,
    build_index,
    current_build,
    is_stale,
    load_index,
    sha256_file,
)

from tests.test_questions import QuestionCounter

SMALL_SOURCE = "rundskriv-veiledningsplikt-shtjl-6-3.txt"


class CountingEncoder(FakeEncoder):
    """A fake encoder that counts passages and can fail after a number of them."""

    def __init__(self, fail_after: int | None = None):
        super().__init__()
        self.encoded = 0
        self.fail_after = fail_after

    def encode_passages(self, texts, progress=None):
        if self.fail_after is not None and self.encoded + len(texts) > self.fail_after:
            raise RuntimeError("simulated crash during encoding")
        self.encoded += len(texts)
        return super().encode_passages(texts, progress)




def _add_document(corpus: Path) -> None:
    (corpus / "ny.md").write_text("# Ny avtale\n\n1. Formål\n\nKommunen skal sende melding innen 48 timer.\n",
                                  encoding="utf-8")
    with (corpus / "manifest.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[source]]\nfile = "ny.md"\nid = "ny"\ntitle = "Ny avtale"\n')


def test_build_writes_a_complete_checked_index(small_corpus, tmp_path):
    index = tmp_path / "index"
    folder = build_index(small_corpus, index, FakeEncoder())
    assert current_build(index) == folder
    names = {p.name for p in folder.iterdir()}
    assert {"chunks.jsonl", "sections.jsonl", "documents.json", "duties.jsonl", "bm25", "vectors.npy",
            "dense.faiss", "sentence_vectors.npy", "sentence_owner.npy", "facts.json", "manifest.json"} <= names
    loaded = load_index(index)
    assert len(loaded.chunks) == loaded.vectors.shape[0] == loaded.dense.ntotal > 0
    assert loaded.encoder_id == "fake/trigram-hash"
    assert not list(Path(folder).rglob("*.pkl"))


def test_sentence_vectors_belong_to_their_chunks(small_corpus, tmp_path):
    from assistant.corpus.chunk import chunk_sentences

    index = tmp_path / "index"
    build_index(small_corpus, index, FakeEncoder())
    loaded = load_index(index)
    owner = loaded.sentence_owner
    assert len(owner) == len(loaded.sentence_vectors) > len(loaded.chunks) // 2
    assert np.all(np.diff(owner) >= 0)
    encoder = FakeEncoder()
    for number in sorted(set(owner.tolist()))[:10]:
        expected = encoder.encode_passages(chunk_sentences(loaded.chunks[number].text))
        assert np.allclose(loaded.sentence_vectors[owner == number], expected)


def test_a_question_matching_one_sentence_of_a_chunk_finds_it_through_that_sentence(small_corpus, tmp_path):
    from assistant.search.retrieve import Retriever

    index = tmp_path / "index"
    build_index(small_corpus, index, FakeEncoder())
    loaded = load_index(index)
    long_chunk = max(range(len(loaded.chunks)), key=lambda i: len(np.flatnonzero(loaded.sentence_owner == i)))
    sentence_ids = np.flatnonzero(loaded.sentence_owner == long_chunk)
    assert len(sentence_ids) >= 3
    query = FakeEncoder().encode_queries([str(loaded.chunks[long_chunk].text).split(".")[0]])[0]
    retriever = Retriever(loaded, FakeEncoder())
    blended, chunk_cosine, *_ = retriever._dense_scores(query, len(loaded.chunks))
    best_sentence = float((loaded.sentence_vectors[sentence_ids] @ query).max())
    assert blended[long_chunk] > chunk_cosine[long_chunk]
    assert np.isclose(blended[long_chunk], (chunk_cosine[long_chunk] + best_sentence) / 2, atol=1e-5)


def test_damaged_sentence_vectors_are_detected(small_corpus, tmp_path):
    from assistant.service import Assistant

    index = tmp_path / "index"
    folder = build_index(small_corpus, index, FakeEncoder())
    np.save(folder / "sentence_owner.npy", np.zeros(3, dtype=np.int32))
    assistant = Assistant.open(small_corpus, index, encoder=FakeEncoder())
    assert any("skadet" in n for n in assistant.notices)
    assert assistant.index.sentence_owner is not None and len(assistant.index.sentence_owner) > 3


def test_stored_sentence_facts_are_what_the_functions_compute(small_corpus, tmp_path):
    """The facts stored at build time (what a sentence supplies, its subject party, deadline and
    paragraph) are exactly the computing functions' results, for every sentence shown."""
    from assistant.corpus import facts
    from assistant.corpus.chunk import chunk_sentences
    from assistant.corpus.duties import _find_deadline, _find_legal_ref, _subject_party, find_deadline, subject_party
    from assistant.corpus.supplies import _traits, traits

    index = tmp_path / "index"
    build_index(small_corpus, index, FakeEncoder())
    loaded = load_index(index)
    sentences = [s for chunk in loaded.chunks for s in chunk_sentences(chunk.text)]
    assert len(sentences) > 20
    for sentence in sentences:
        assert facts.stored("traits", sentence) is not facts.MISSING
        assert traits(sentence) == _traits.__wrapped__(sentence)
        assert subject_party(sentence) == _subject_party.__wrapped__(sentence, "UNN")
        assert find_deadline(sentence) == _find_deadline.__wrapped__(sentence)
        assert facts.stored("legal_ref", sentence) == _find_legal_ref.__wrapped__(sentence)
    assert any(find_deadline(s) for s in sentences) and any(subject_party(s) for s in sentences)
    # A sentence no index holds is computed as before.
    assert facts.stored("traits", "Kommunen skal svare innen 3 virkedager.") is facts.MISSING
    assert find_deadline("Kommunen skal svare innen 3 virkedager.") == "innen 3 virkedager"


@pytest.mark.parametrize("table", ["[]", '{"format": 1, "rows": [["bare en setning"]]}', '{"format": 99, "rows": []}'])
def test_a_sentence_facts_table_of_another_shape_is_damage(small_corpus, tmp_path, table):
    """A facts file that is not ours (even with a checksum to match) sets the build aside."""
    index = tmp_path / "index"
    folder = build_index(small_corpus, index, FakeEncoder())
    (folder / "facts.json").write_text(table, encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["facts.json"] = sha256_file(folder / "facts.json")
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexDamaged):
        load_index(index)


def test_out_of_scope_topics_are_embedded_and_a_changed_list_rebuilds_cheaply(small_corpus, tmp_path, monkeypatch):
    from assistant.search import scope

    topics = scope.out_of_scope_topics()
    assert len(topics) > 30 and not any(t.startswith("#") for t in topics)
    index = tmp_path / "index"
    build_index(small_corpus, index, FakeEncoder())
    assert np.allclose(load_index(index).out_of_scope, FakeEncoder().encode_passages(topics))
    monkeypatch.setattr(scope, "topics_text", lambda: "# kommentar\nParkering ved sykehuset: avgifter og plasser.\n")
    assert is_stale(index, small_corpus, "fake/trigram-hash") == "Søkeindeksen er laget av en annen versjon"
    counting = CountingEncoder()
    build_index(small_corpus, index, counting)
    assert counting.encoded == 1  # only the new topic; every passage comes from the cache
    assert load_index(index).out_of_scope.shape == (1, FakeEncoder().dim)


def test_staleness(small_corpus, tmp_path):
    index = tmp_path / "index"
    assert is_stale(index, small_corpus, "fake/trigram-hash") == "Fant ingen søkeindeks"
    build_index(small_corpus, index, FakeEncoder())
    assert is_stale(index, small_corpus, "fake/trigram-hash") is None
    assert is_stale(index, small_corpus, None) is None  # word search can use any index
    assert "språkmodell" in is_stale(index, small_corpus, "another/model")
    with (small_corpus / SMALL_SOURCE).open("a", encoding="utf-8") as fh:
        fh.write("\nEn ny setning om veiledning.\n")
    assert "endret" in is_stale(index, small_corpus, "fake/trigram-hash")


def test_unchanged_corpus_reencodes_nothing_and_new_file_only_its_chunks(small_corpus, tmp_path):
    index = tmp_path / "index"
    first = CountingEncoder()
    build_index(small_corpus, index, first)
    assert first.encoded > 10
    again = CountingEncoder()
    build_index(small_corpus, index, again)
    assert again.encoded == 0
    _add_document(small_corpus)
    third = CountingEncoder()
    build_index(small_corpus, index, third)
    added = [c for c in load_index(index).chunks if c.doc_id == "ny"]
    assert 0 < third.encoded == len(added)


def test_failed_build_leaves_previous_index_usable(small_corpus, tmp_path):
    index = tmp_path / "index"
    good = build_index(small_corpus, index, FakeEncoder())
    _add_document(small_corpus)
    with pytest.raises(RuntimeError):
        build_index(small_corpus, index, CountingEncoder(fail_after=0))
    assert current_build(index) == good
    assert [p.name for p in index.glob("build-*")] == [good.name]
    assert len(load_index(index).chunks) > 0


def test_killed_build_leaves_previous_index_usable(small_corpus, tmp_path, avtale_env):
    index = tmp_path / "index"
    good = build_index(small_corpus, index, FakeEncoder())
    _add_document(small_corpus)
    script = textwrap.dedent(f"""
        import time, sys
        from assistant.search.encoders import FakeEncoder
        from assistant.search.index import build_index
        class Slow(FakeEncoder):
            def encode_passages(self, texts, progress=None):
                print("encoding", flush=True)
                time.sleep(60)
        build_index({str(small_corpus)!r}, {str(index)!r}, Slow())
    """)
    # a new passage must be encoded, so the build blocks in the slow encoder; kill it there
    for cached in avtale_env["AVTALE_CACHE"].glob("*.npz"):
        cached.unlink()
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "encoding"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert current_build(index) == good
    assert len(load_index(index).chunks) > 0
    new = build_index(small_corpus, index, FakeEncoder())  # the stray folder is cleaned up by the next build
    # what stays: the new build and the one it replaced (a reader may still be loading that)
    assert {p.name for p in index.glob("build-*")} == {new.name, good.name}


def test_two_builders_at_once_both_finish_with_one_valid_index(small_corpus, tmp_path):
    index = tmp_path / "index"
    errors = []

    def build():
        try:
            build_index(small_corpus, index, FakeEncoder())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert len(list(index.glob("build-*"))) <= 2  # the current build and the one it replaced
    assert len(load_index(index).chunks) > 0


def test_a_reader_of_the_replaced_build_is_not_broken_by_the_rebuild(small_corpus, tmp_path):
    """A rebuild while another process loads the index: the build it was reading stays until
    the next rebuild, and a build that vanished is not mistaken for a damaged one."""
    from assistant.service import Assistant

    index = tmp_path / "index"
    first = build_index(small_corpus, index, FakeEncoder())
    second = build_index(small_corpus, index, FakeEncoder())
    assert first.is_dir() and current_build(index) == second
    assert len(load_index(index).chunks) > 0
    third = build_index(small_corpus, index, FakeEncoder())
    assert not first.exists() and second.is_dir() and current_build(index) == third
    # a damaged-looking read of a build that is no longer current: reload the current one
    import assistant.service as service

    real = service.load_index
    calls = []

    def racing(folder_dir):
        calls.append(1)
        if len(calls) == 1:
            raise IndexDamaged(second, "chunks.jsonl")
        return real(folder_dir)

    service.load_index = racing
    try:
        assistant = Assistant.open(small_corpus, index, encoder=FakeEncoder())
    finally:
        service.load_index = real
    assert not any("skadet" in n for n in assistant.notices)
    assert second.is_dir() and not list(index.glob("damaged-*"))


@pytest.mark.parametrize("damage", ["truncate_vectors", "delete_chunks", "garble_manifest", "manifest_null",
                                    "manifest_list", "files_list"])
def test_damaged_index_is_detected(small_corpus, tmp_path, damage):
    index = tmp_path / "index"
    folder = build_index(small_corpus, index, FakeEncoder())
    if damage == "truncate_vectors":
        data = (folder / "vectors.npy").read_bytes()
        (folder / "vectors.npy").write_bytes(data[: len(data) // 2])
    elif damage == "delete_chunks":
        (folder / "chunks.jsonl").unlink()
    elif damage == "garble_manifest":
        (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    elif damage == "files_list":
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        (folder / "manifest.json").write_text(json.dumps({**manifest, "files": []}), encoding="utf-8")
    else:  # valid JSON that is not an object
        (folder / "manifest.json").write_text("null" if damage == "manifest_null" else "[]", encoding="utf-8")
    with pytest.raises(IndexDamaged):
        load_index(index)
    if damage.startswith(("manifest", "files")):
        assert is_stale(index, small_corpus, FakeEncoder().model_id)  # and so it is rebuilt


def test_assistant_sets_damaged_index_aside_rebuilds_and_says_so(small_corpus, tmp_path):
    from assistant.service import Assistant

    index = tmp_path / "index"
    folder = build_index(small_corpus, index, FakeEncoder())
    (folder / "vectors.npy").write_bytes(b"garbage")
    assistant = Assistant.open(small_corpus, index, encoder=FakeEncoder())
    assert any("skadet" in n for n in assistant.notices)
    assert list(index.glob("damaged-*"))
    answer = assistant.ask("Kan det kreves betaling for veiledning?")
    assert answer.excerpts


def test_cached_vectors_match_fresh_ones(small_corpus, tmp_path):
    index = tmp_path / "index"
    build_index(small_corpus, index, FakeEncoder())
    first = load_index(index).vectors.copy()
    build_index(small_corpus, index, FakeEncoder())
    assert np.allclose(first, load_index(index).vectors)


@pytest.mark.parametrize("damage", ["nan rows", "keys not a list", "vectors not a matrix"])
def test_a_damaged_vector_cache_is_never_carried_into_the_index(small_corpus, tmp_path, damage, avtale_env):
    """The cache has no checksum: rows that are not unit vectors, or files of the wrong shape,
    are encoded again instead of giving every question a NaN score."""
    index = tmp_path / "index"
    build_index(small_corpus, index, FakeEncoder())
    good = load_index(index).vectors.copy()
    cache_file = next(avtale_env["AVTALE_CACHE"].glob("*.npz"))
    with np.load(cache_file) as data:
        keys, stored = data["keys"], data["vectors"]
    if damage == "nan rows":
        stored[::2] = np.nan
        np.savez(cache_file, keys=keys, vectors=stored)
    elif damage == "keys not a list":
        np.savez(cache_file, keys=np.array(3), vectors=stored)
    else:
        np.savez(cache_file, keys=keys, vectors=np.zeros(3, np.float32))
    build_index(small_corpus, index, FakeEncoder())
    rebuilt = load_index(index).vectors
    assert np.isfinite(rebuilt).all() and np.allclose(rebuilt, good)


@pytest.mark.parametrize("damage", ["folder", "long name", "garbled"])
def test_a_damaged_current_pointer_heals_on_the_next_build(small_corpus, tmp_path, damage):
    index = tmp_path / "index"
    build_index(small_corpus, index, FakeEncoder())
    pointer = index / "CURRENT"
    pointer.unlink()
    if damage == "folder":
        pointer.mkdir()
    else:
        pointer.write_text("build-" + "x" * 5000 if damage == "long name" else "\x00\xff../..", encoding="utf-8")
    assert current_build(index) is None
    assert is_stale(index, small_corpus, FakeEncoder().model_id)
    folder = build_index(small_corpus, index, FakeEncoder())
    assert current_build(index) == folder and len(load_index(index).chunks) > 0
    assert not (index / ".CURRENT.tmp").exists()


# -- the one vector cache per user ------------------------------------------------------------
def encoded(counter: QuestionCounter) -> int:
    return counter.passages + counter.questions


def test_a_second_index_folder_reuses_the_users_vectors(small_corpus, tmp_path, avtale_env):
    """A new --index folder over the same corpus (or a rebuild after its index was lost)
    encodes nothing: the cache lives in the user's cache folder, not in the index folder."""
    first = QuestionCounter()
    build_index(small_corpus, tmp_path / "en", first)
    assert encoded(first) > 0
    assert not (tmp_path / "en" / "cache").exists()
    assert list(avtale_env["AVTALE_CACHE"].glob("*.npz"))
    second = QuestionCounter()
    build_index(small_corpus, tmp_path / "to", second)
    assert encoded(second) == 0
    assert np.allclose(load_index(tmp_path / "en").vectors, load_index(tmp_path / "to").vectors)


def test_builds_in_two_index_folders_at_once_share_the_cache_safely(small_corpus, tmp_path, avtale_env):
    """Two processes building different index folders take turns on the cache: both finish,
    and the cache holds every vector of both corpora, readable."""
    other = tmp_path / "annen"
    other.mkdir()
    for item in small_corpus.iterdir():
        (other / item.name).write_bytes(item.read_bytes())
    _add_document(other)
    script = textwrap.dedent("""
        import sys
        from assistant.search.encoders import FakeEncoder
        from assistant.search.index import build_index
        build_index(sys.argv[1], sys.argv[2], FakeEncoder())
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(corpus), str(tmp_path / name)])
             for corpus, name in ((small_corpus, "i1"), (other, "i2"))]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    counting = QuestionCounter()
    build_index(other, tmp_path / "i3", counting)
    build_index(small_corpus, tmp_path / "i4", counting)
    assert encoded(counting) == 0


def test_a_cache_folder_whose_parent_is_missing_is_refused(small_corpus, tmp_path, monkeypatch):
    from assistant.errors import UsageError

    monkeypatch.setenv("AVTALE_CACHE", str(tmp_path / "finnes-ikke" / "vektorer"))
    with pytest.raises(UsageError, match="AVTALE_CACHE"):
        build_index(small_corpus, tmp_path / "index", FakeEncoder())
    assert not (tmp_path / "finnes-ikke").exists()


def test_an_index_folders_old_cache_moves_into_the_users_cache(small_corpus, tmp_path, avtale_env):
    """Earlier versions kept the vectors in index/cache/: the first build after the update
    adopts them (no re-encoding) and removes the folder."""
    import hashlib
    import json as json_

    index = tmp_path / "index"
    build_index(small_corpus, index, FakeEncoder())
    cache_file = next(avtale_env["AVTALE_CACHE"].glob("*.npz"))
    with np.load(cache_file) as data:
        keys, vectors = [k.decode() for k in data["keys"]], data["vectors"]
    cache_file.unlink()
    legacy = index / "cache"
    legacy.mkdir()
    tag = hashlib.sha256(FakeEncoder().model_id.encode()).hexdigest()[:16]
    (legacy / f"{tag}.keys.json").write_text(json_.dumps(keys), encoding="utf-8")
    np.save(legacy / f"{tag}.vectors.npy", vectors)
    counting = QuestionCounter()
    build_index(small_corpus, index, counting)
    assert encoded(counting) == 0
    assert not legacy.exists() and cache_file.is_file()
