"""The search index: a folder of plainly named files, built atomically and checked on load.

Layout under the index folder:
  CURRENT              name of the complete build in use (replaced atomically, last)
  build-…/             chunks.jsonl, sections.jsonl, documents.json, duties.jsonl, bm25/,
                       vectors.npy, dense.faiss, sentence_vectors.npy + sentence_owner.npy
                       (one vector per sentence and the chunk it belongs to),
                       out_of_scope.npy (the topics of assistant/data/out_of_scope.txt),
                       question_vectors.npy + question_owner.npy + question_quotes.json
                       (corpus/questions.jsonl: the questions each passage answers, the chunk
                       each belongs to, and the quote of the words that answer it),
                       facts.json (what each sentence supplies, its subject party, deadline and
                       paragraph: `assistant.corpus.facts`),
                       manifest.json (with a checksum of each file)
  .lock                held while building, so two processes never build at once

A build writes a new build folder and only then points CURRENT at it, so a build that is killed
midway leaves the previous index usable. A build folder whose checksums do not match is set
aside as damaged-… and rebuilt. Vectors come from the user's one vector cache
(`paths.vector_cache_dir`, see `vector_cache`), shared by every index folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

import numpy as np

from assistant import paths
from assistant.corpus import facts as sentence_facts
from assistant.corpus.chunk import CHUNKER_VERSION, chunk_documents, chunk_sentences
from assistant.errors import IndexError_, ManifestError, os_error_text
from assistant.locks import FolderLock, atomic_write, remove_leftover_temps
from assistant.models import Chunk, DocumentInfo, Section
from assistant.search import questions as passage_questions
from assistant.search import scope
from assistant.search.vector_cache import encode_with_cache

INDEX_FORMAT = 6  # 2: sentence vectors; 3: out-of-scope topic vectors; 4: passage questions; 5: their quotes;
# 6: sentence facts
HNSW_THRESHOLD = 20_000
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class LoadedIndex:
    folder: Path
    manifest: dict
    chunks: list[Chunk]
    sections: dict[str, Section]
    documents: dict[str, DocumentInfo]
    lexical: object
    vectors: np.ndarray | None
    dense: object | None
    duties: list[dict]
    sentence_vectors: np.ndarray | None = None
    sentence_owner: np.ndarray | None = None  # chunk number of each sentence vector, ascending
    out_of_scope: np.ndarray | None = None  # one vector per topic the documents do not cover
    question_vectors: np.ndarray | None = None  # questions each passage answers (corpus/questions.jsonl)
    question_owner: np.ndarray | None = None  # chunk number of each question vector, ascending
    question_quotes: list[str] | None = None  # the words of its passage that answer each question

    @property
    def encoder_id(self) -> str | None:
        return self.manifest.get("encoder")

    @cached_property
    def duties_by_section(self) -> dict[str, list[dict]]:
        grouped: dict[str, list[dict]] = {}
        for row in self.duties:
            grouped.setdefault(row["section_id"], []).append(row)
        return grouped

    @cached_property
    def chunks_by_id(self) -> dict[str, Chunk]:
        return {chunk.id: chunk for chunk in self.chunks}

    def derived(self, name: str, build: Callable[[], object]):
        """A table derived from this index by a later stage (the rarity of each word stem, where
        each duty row stands …), built on first use and kept for the index's lifetime."""
        tables = self.__dict__.setdefault("_derived", {})
        if name not in tables:
            tables[name] = build()
        return tables[name]

    @cached_property
    def chunks_by_section(self) -> dict[str, list[Chunk]]:
        grouped: dict[str, list[Chunk]] = {}
        for chunk in self.chunks:
            grouped.setdefault(chunk.section_id, []).append(chunk)
        return grouped

    @cached_property
    def blocks_by_parent(self) -> dict[tuple, list[str]]:
        """Duty-block section ids keyed by their parent's path, for 'the sibling blocks'."""
        grouped: dict[tuple, list[str]] = {}
        for section in self.sections.values():
            if section.actor:
                grouped.setdefault(section.path[:-1], []).append(section.id)
        return grouped

    def related_sections(self, section_id: str) -> list[str]:
        """The section itself and its sibling duty blocks under the same numbered heading."""
        section = self.sections.get(section_id)
        if section is None:
            return [section_id]
        parent = section.path[:-1] if section.actor else section.path
        return [section_id] + [sid for sid in self.blocks_by_parent.get(parent, []) if sid != section_id]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """Content hash of the manifest, of every file it lists and of the questions file, if any
    (what decides staleness)."""
    from assistant.corpus.manifest import load_manifest, manifest_path

    entries = load_manifest(corpus_dir)  # first: a missing manifest is a ManifestError that says what to do
    prints = {"manifest.toml": sha256_file(manifest_path(corpus_dir))}
    questions = passage_questions.questions_path(corpus_dir)
    if questions.is_file():
        prints[questions.name] = sha256_file(questions)
    for entry in entries:
        path = Path(corpus_dir) / entry.file
        prints[entry.file] = sha256_file(path) if path.is_file() else "missing"
    return prints


_PIPELINE_MODULES = tuple(f"assistant.corpus.{name}" for name in (
    "clean", "structure", "paragraphs", "actors", "chunk", "duties", "load", "pdf", "budget", "manifest", "sentences",
    "facts", "supplies")) + (
    "assistant.search.lexical", "assistant.search.questions", "assistant.search.vector_cache")


def pipeline_fingerprint() -> str:
    """Hash of the code that turns documents into index files: a new version rebuilds the
    index (cheaply: unchanged passages keep their cached vectors)."""
    import importlib.util

    h = hashlib.sha256(str(INDEX_FORMAT).encode())
    h.update(scope.topics_text().encode("utf-8"))
    for name in _PIPELINE_MODULES:
        spec = importlib.util.find_spec(name)
        if spec and spec.origin:
            h.update(Path(spec.origin).read_bytes())
    return h.hexdigest()[:16]


def current_build(index_dir: Path) -> Path | None:
    pointer = Path(index_dir) / "CURRENT"
    if not pointer.is_file():
        return None
    try:
        name = pointer.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:  # unreadable: the same as no pointer, and the build is redone
        return None
    folder = Path(index_dir) / name
    # Only a build folder directly inside the index folder: never follow a path out of it, and
    # no name too long to be one of ours.
    inside = name.startswith("build-") and Path(name).name == name and len(name) < 100
    return folder if inside and folder.is_dir() else None


def is_stale(index_dir: Path, corpus_dir: Path, encoder_id: str | None) -> str | None:
    """Why the index must be rebuilt, in Norwegian, or None when it is current. With no
    encoder (word search only) an index built with any encoder is current."""
    folder = current_build(index_dir)
    if folder is None:
        if (Path(index_dir) / "CURRENT").is_file():  # the pointer is there, its build is not
            return "Søkeindeksen var ufullstendig (mappen den peker på, mangler)"
        return "Fant ingen søkeindeks"
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "Søkeindeksen mangler manifest"
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        return "Søkeindeksens manifest er skadet"
    if (manifest.get("format") != INDEX_FORMAT or manifest.get("chunker") != CHUNKER_VERSION
            or manifest.get("pipeline") != pipeline_fingerprint()):
        return "Søkeindeksen er laget av en annen versjon"
    if encoder_id is not None and manifest.get("encoder") != encoder_id:
        return "Søkeindeksen er laget med en annen språkmodell"
    if manifest.get("corpus") != corpus_fingerprint(corpus_dir):
        return "Dokumentene er endret siden søkeindeksen ble laget"
    return None


def build_index(corpus_dir: Path, index_dir: Path, encoder=None, progress: Progress | None = None) -> Path:
    """Build a complete index of the corpus into a new build folder and make it current.
    A folder that cannot be written (not a folder, read-only, disk full) is an error that
    names it, never a traceback; the previous build stays current."""
    try:
        return _build_index(corpus_dir, index_dir, encoder, progress)
    except OSError as exc:
        raise IndexError_(
            f"{index_dir}: kunne ikke bygge søkeindeksen ({os_error_text(exc)}: {exc.filename or index_dir}). "
            "Sjekk ledig plass og skrivetilgang, eller velg en annen mappe med --index eller AVTALE_INDEX."
        ) from None


def _build_index(corpus_dir: Path, index_dir: Path, encoder, progress: Progress | None) -> Path:
    from assistant.corpus.documents import build_corpus
    from assistant.corpus.duties import extract_duties
    from assistant.search.lexical import LexicalIndex

    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda stage, done, total: None)
    with FolderLock(Path(index_dir) / ".lock", on_wait=lambda: report("venter på en annen prosess som bygger indeksen", 0, 1)):
        sweep_unfinished(index_dir)
        report("struktur", 0, 1)
        corpus = build_corpus(corpus_dir)
        chunks = chunk_documents(corpus.documents)
        if not chunks:
            raise ManifestError(f"{Path(corpus_dir) / 'manifest.toml'}: korpuset har ingen dokumenter med tekst. "
                                "Legg til et dokument med «avtale ingest FIL», eller oppgi riktig mappe med --corpus.")
        sections = [s for d in corpus.documents for s in d.sections]
        asked = passage_questions.attach(passage_questions.load_questions(corpus_dir), chunks)
        report("struktur", 1, 1)
        folder = Path(tempfile.mkdtemp(dir=index_dir, prefix="build-"))
        try:
            _write_jsonl(folder / "chunks.jsonl", (c.to_json() for c in chunks))
            _write_jsonl(folder / "sections.jsonl", (asdict(s) for s in sections))
            (folder / "documents.json").write_text(
                json.dumps([asdict(d.info) for d in corpus.documents], ensure_ascii=False), encoding="utf-8"
            )
            _write_jsonl(folder / "duties.jsonl", (d.to_json() for d in extract_duties(corpus.documents)))
            # Each chunk's sentences, split once: their facts are stored, and their vectors below.
            sentences, owner = [], []
            for number, chunk in enumerate(chunks):
                for sentence in chunk_sentences(chunk.text):
                    sentences.append(sentence)
                    owner.append(number)
            hospital = {d.info.id: d.info.hospital for d in corpus.documents}
            (folder / "facts.json").write_text(json.dumps(sentence_facts.compute(
                (sentence, hospital.get(chunks[number].doc_id, "UNN")) for sentence, number in zip(sentences, owner)),
                ensure_ascii=False), encoding="utf-8")
            report("ordsøk", 0, 1)
            LexicalIndex.build([c.search_text for c in chunks], asked.by_chunk(len(chunks))).save(folder / "bm25")
            report("ordsøk", 1, 1)
            if encoder is not None:
                # The passage alone is embedded (its breadcrumb goes to the word search): measured
                # on the dev set, heading words dilute the language model's match more than help.
                topics = scope.out_of_scope_topics()
                vectors, question_vectors = encode_with_cache(
                    encoder, [c.text for c in chunks] + sentences + topics, paths.vector_cache_dir(), report,
                    questions=list(asked.texts), legacy_dir=index_dir / "cache",
                    seed=passage_questions.seed_path(corpus_dir))
                end = len(chunks) + len(sentences)
                _save_npy(folder / "vectors.npy", vectors[: len(chunks)])
                _save_npy(folder / "sentence_vectors.npy", vectors[len(chunks) : end])
                _save_npy(folder / "out_of_scope.npy", vectors[end:])
                _save_npy(folder / "sentence_owner.npy", np.asarray(owner, dtype=np.int32))
                _save_npy(folder / "question_vectors.npy", question_vectors)
                _save_npy(folder / "question_owner.npy", np.asarray(asked.owner, dtype=np.int32))
                (folder / "question_quotes.json").write_text(json.dumps(asked.quotes, ensure_ascii=False), encoding="utf-8")
                _write_faiss(vectors[: len(chunks)], folder / "dense.faiss")
            manifest = {
                "format": INDEX_FORMAT,
                "chunker": CHUNKER_VERSION,
                "pipeline": pipeline_fingerprint(),
                "encoder": getattr(encoder, "model_id", None),
                "dim": getattr(encoder, "dim", None),
                "corpus": corpus_fingerprint(corpus_dir),
                "n_chunks": len(chunks),
                "questions": {"attached": len(asked.texts), "unanchored": asked.unanchored, "lost": list(asked.lost[:5])},
                "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "files": {str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()},
            }
            (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
            _fsync_tree(folder)
            previous = current_build(index_dir)
            previous = previous if previous and (previous / "manifest.json").is_file() else None
            _point_current(index_dir, folder.name)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        # The build just replaced stays until the next one: a process that read CURRENT a moment
        # ago may still be loading it.
        _remove_old_builds(index_dir, keep={folder.name, previous.name if previous else ""})
    return folder


def load_index(index_dir: Path) -> LoadedIndex:
    """Load the current build, verifying every file's checksum first."""
    from assistant.search.lexical import LexicalIndex

    folder = current_build(index_dir)
    if folder is None:
        raise IndexError_(f"{index_dir}: fant ingen søkeindeks. Kjør «avtale index».")
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        files = manifest["files"] if isinstance(manifest, dict) else None
        if not isinstance(files, dict):
            raise ValueError("manifest.json")
        for name, digest in files.items():
            if sha256_file(folder / name) != digest:
                raise ValueError(name)
        chunks = [Chunk(**row) for row in _read_jsonl(folder / "chunks.jsonl")]
        sections = {}
        for row in _read_jsonl(folder / "sections.jsonl"):
            row["path"] = tuple(row["path"])
            row["links"] = tuple(row["links"])
            row["spans"] = tuple(tuple(s) for s in row["spans"])
            sections[row["id"]] = Section(**row)
        documents = {
            d["id"]: DocumentInfo(**d) for d in json.loads((folder / "documents.json").read_text(encoding="utf-8"))
        }
        duties = list(_read_jsonl(folder / "duties.jsonl"))
        sentence_facts.preload(json.loads((folder / "facts.json").read_text(encoding="utf-8")))
        lexical = LexicalIndex.load(folder / "bm25")
        vectors = dense = sentence_vectors = sentence_owner = out_of_scope = None
        question_vectors = question_owner = question_quotes = None
        if (folder / "vectors.npy").exists():
            import faiss

            vectors = np.load(folder / "vectors.npy", allow_pickle=False)
            dense = faiss.read_index(str(folder / "dense.faiss"))
            if vectors.shape[0] != len(chunks) or dense.ntotal != len(chunks):
                raise ValueError("vectors")
            sentence_vectors = np.load(folder / "sentence_vectors.npy", allow_pickle=False)
            sentence_owner = np.load(folder / "sentence_owner.npy", allow_pickle=False)
            _check_sentences(sentence_vectors, sentence_owner, vectors.shape[1], len(chunks))
            question_vectors = np.load(folder / "question_vectors.npy", allow_pickle=False)
            question_owner = np.load(folder / "question_owner.npy", allow_pickle=False)
            _check_sentences(question_vectors, question_owner, vectors.shape[1], len(chunks), "question")
            question_quotes = json.loads((folder / "question_quotes.json").read_text(encoding="utf-8"))
            if not isinstance(question_quotes, list) or len(question_quotes) != len(question_owner):
                raise ValueError("question_quotes")
            out_of_scope = np.load(folder / "out_of_scope.npy", allow_pickle=False)
            if out_of_scope.ndim != 2 or out_of_scope.shape[1] != vectors.shape[1]:
                raise ValueError("out_of_scope")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RuntimeError) as exc:
        raise IndexDamaged(folder, str(exc)) from None
    return LoadedIndex(folder, manifest, chunks, sections, documents, lexical, vectors, dense, duties,
                       sentence_vectors, sentence_owner, out_of_scope, question_vectors, question_owner,
                       question_quotes)


def _check_sentences(vectors: np.ndarray, owner: np.ndarray, dim: int, n_chunks: int, kind: str = "sentence") -> None:
    """Sentence (or question) vectors pair one-to-one with owners, which name chunks in
    ascending order."""
    if vectors.ndim != 2 or owner.ndim != 1 or len(owner) != len(vectors) or vectors.shape[1] != dim:
        raise ValueError(f"{kind}_vectors")
    if len(owner) and (owner[0] < 0 or owner[-1] >= n_chunks or np.any(np.diff(owner) < 0)):
        raise ValueError(f"{kind}_owner")


class IndexDamaged(IndexError_):
    def __init__(self, folder: Path, detail: str):
        self.folder = folder
        super().__init__(f"{folder}: søkeindeksen er skadet ({detail}). Den settes til side og bygges på nytt.")


def set_aside(index_dir: Path, folder: Path) -> Path:
    """Move a damaged build out of the way (kept for inspection) and clear CURRENT."""
    target = Path(index_dir) / f"damaged-{time.strftime('%Y%m%d-%H%M%S')}-{folder.name}"
    os.replace(folder, target)
    (Path(index_dir) / "CURRENT").unlink(missing_ok=True)
    return target


def _write_faiss(vectors: np.ndarray, path: Path) -> None:
    import faiss

    dim = vectors.shape[1]
    if len(vectors) >= HNSW_THRESHOLD:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = 128
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    # Serialised here and written by us: faiss's own writer reports a full disk as a RuntimeError.
    with path.open("wb") as fh:
        fh.write(faiss.serialize_index(index))


class _Chunks:
    """Hands numpy an object that is not a real file, so it writes with `write()` in chunks:
    a full disk is then an OSError that says so (ENOSPC), not numpy's own English message
    ("1915008 requested and 309216 written") from writing straight to the file."""

    def __init__(self, fh):
        self.write = fh.write


def _save_npy(path: Path, array: np.ndarray) -> None:
    with path.open("wb") as fh:
        np.save(_Chunks(fh), array, allow_pickle=False)


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path):
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())


def _point_current(index_dir: Path, name: str) -> None:
    pointer = index_dir / "CURRENT"
    if pointer.is_dir() and not pointer.is_symlink():  # damage: a folder where the pointer goes
        os.replace(pointer, index_dir / f"damaged-CURRENT-{int(time.time())}")
    atomic_write(pointer, name.encode("utf-8"))


def sweep_unfinished(index_dir: Path) -> None:
    """Remove what a build killed midway left behind: a build folder it never made current, and
    its pointer's temporary file. Called only with the build lock held, so no build is running.
    A build folder made current before the present one is kept (see `build_index`)."""
    index_dir = Path(index_dir)
    pointer = index_dir / "CURRENT"
    current = current_build(index_dir)
    made_current = pointer.stat().st_mtime if pointer.is_file() else float("inf")
    for folder in index_dir.glob("build-*"):
        if folder == current or not folder.is_dir():
            continue
        # Unfinished (no manifest), or written after CURRENT last changed: never made current.
        if not (folder / "manifest.json").is_file() or folder.stat().st_mtime > made_current:
            shutil.rmtree(folder, ignore_errors=True)
    remove_leftover_temps(pointer)
    (index_dir / ".CURRENT.tmp").unlink(missing_ok=True)  # the name versions before 2026-12-06 used


def sweep_if_idle(index_dir: Path) -> None:
    """At start: if no build is running (the build lock is free), sweep what a killed one left."""
    lock = Path(index_dir) / ".lock"
    if not lock.is_file():
        return
    try:
        with FolderLock(lock, wait=False):
            sweep_unfinished(index_dir)
    except OSError:  # a build is running (BlockingIOError), or the folder is read-only: leave it
        pass


def _remove_old_builds(index_dir: Path, keep: set[str]) -> None:
    for folder in index_dir.glob("build-*"):
        if folder.name not in keep and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
