"""The vector cache: vectors keyed by model and text hash, one cache per user (see
`paths.vector_cache_dir`), shared by every index folder. An unchanged corpus never re-encodes,
a new file encodes only its own text, and a second index folder, a second corpus holding the
same documents or a rebuild after a damaged index reuses what any earlier build computed.

One file per model (`<model hash>.npz`: the text hashes and their vectors together), written
atomically under the cache's lock: builds in two index folders at once take turns, and the
second finds the first one's vectors instead of encoding them again.

A corpus may bring its questions' vectors with it (`questions.vectors.npz` beside
`questions.jsonl`, written by `python -m evals.question_vectors`): a seed read before encoding,
for the model it was made with. It stores each vector in 8 bits (3.7 MB for 8,000 questions; a
cosine moves by 0.00015 on average), and question vectors are kept at that precision on every
path (seeded, cached or just encoded), so a build from the seed and one that encodes everything
give the same index.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np

from assistant.locks import FolderLock, atomic_write, remove_leftover_temps

Progress = Callable[[str, int, int], None]  # (stage, done, total)
# Vectors kept at most (about 600 MB at 384 dimensions): the least recently used go first.
MAX_VECTORS = 400_000


def encode_with_cache(encoder, passages: list[str], cache_dir: Path, report: Progress,
                      questions: list[str] = (), legacy_dir: Path | None = None,
                      seed: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Vectors of `passages` and of `questions` (encoded as queries), each in order; only texts
    neither the cache nor the `seed` file holds are encoded. `legacy_dir` is an index folder's
    own cache of earlier versions (`index/cache/`): its vectors move into the user's cache, then
    it is removed."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tag = hashlib.sha256(encoder.model_id.encode()).hexdigest()[:16]
    path = cache_dir / f"{tag}.npz"
    kinds = {"passage": (passage_key, encoder.encode_passages, passages),
             "question": (question_key, encoder.encode_questions, questions)}
    hashes = {kind: [key(text) for text in texts] for kind, (key, _, texts) in kinds.items()}
    with FolderLock(cache_dir / ".lock", on_wait=lambda: report("venter på en annen prosess som bruker vektorlageret", 0, 1)):
        remove_leftover_temps(path)  # only a writer holding this lock makes one: this one's was killed
        cached = _load(path, encoder.dim)
        adopted = _adopt_legacy(legacy_dir, tag, encoder.dim, cached)
        seeded = load_seed(seed, encoder.model_id, encoder.dim, {h for h in hashes["question"] if h not in cached})
        cached.update(seeded)
        missing = {kind: sorted({h for h in hashes[kind] if h not in cached}) for kind in kinds}
        total, done = sum(map(len, missing.values())), 0
        report("språkmodell", 0, total)

        def step(n: int) -> None:
            nonlocal done
            done += n
            report("språkmodell", done, total)

        for kind, (_, encode, texts) in kinds.items():
            if missing[kind]:
                by_hash = dict(zip(hashes[kind], texts))
                fresh = encode([by_hash[h] for h in missing[kind]], progress=step)
                cached.update(zip(missing[kind], np.asarray(fresh, dtype=np.float32)))
        wanted = dict.fromkeys(hashes["passage"] + hashes["question"])
        if total or adopted or seeded or not _recent_at_end(cached, wanted):
            # This build's texts move to the end: the cache is kept in order of last use.
            older = [k for k in cached if k not in wanted]
            room = max(MAX_VECTORS - len(wanted), 0)
            order = older[len(older) - room:] if room else []
            _save(path, order + list(wanted), cached)
        if adopted:
            shutil.rmtree(legacy_dir, ignore_errors=True)
    report("språkmodell", total, total)

    def rows(kind: str) -> np.ndarray:
        if not hashes[kind]:
            return np.zeros((0, encoder.dim), np.float32)
        stacked = np.stack([cached[h] for h in hashes[kind]]).astype(np.float32)
        return seed_precision(stacked) if kind == "question" else stacked

    return rows("passage"), rows("question")


def passage_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def question_key(text: str) -> str:
    """A question's key in the cache and the seed: apart from the same text as a passage, which
    the model reads differently."""
    return hashlib.sha256(("question\0" + text).encode("utf-8")).hexdigest()


def _to_int8(rows: np.ndarray) -> np.ndarray:
    """Each row in 8 bits, scaled so its largest component is ±127 (a row that is not finite
    becomes zeros, which stand for nothing)."""
    rows = np.asarray(rows, dtype=np.float32)
    rows = np.where(np.isfinite(rows).all(axis=1, keepdims=True), rows, 0.0)
    peak = np.abs(rows).max(axis=1, keepdims=True)
    return np.round(rows * (127.0 / np.where(peak > 0, peak, 1.0))).astype(np.int8)


def _from_int8(stored: np.ndarray) -> np.ndarray:
    """The unit vectors 8-bit rows stand for (the scale cancels out)."""
    rows = stored.astype(np.float32)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def seed_precision(rows: np.ndarray) -> np.ndarray:
    """Rows at the precision a seed stores them (unchanged by a second pass)."""
    return _from_int8(_to_int8(rows))


def load_seed(path: Path | None, model_id: str, dim: int, wanted: set[str]) -> dict[str, np.ndarray]:
    """The `wanted` question vectors a seed file holds, when it was made with `model_id`; a
    missing, damaged or other model's seed gives none (those questions are encoded)."""
    if path is None or not wanted or not Path(path).is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            model, keys, stored = str(data["model"]), data["keys"], data["vectors"]
        if (model != model_id or keys.ndim != 1 or stored.ndim != 2 or len(keys) != len(stored)
                or stored.shape[1] != dim or stored.dtype != np.int8):
            return {}
    except (OSError, ValueError, KeyError, EOFError, TypeError, zipfile.BadZipFile):
        return {}
    rows = _from_int8(stored)
    sound = _sound(rows)  # an all-zero row stands for nothing
    found = {}
    for key, row, ok in zip(keys, rows, sound):
        name = key.decode("ascii", "replace")
        if ok and name in wanted:
            found[name] = row
    return found


def write_seed(path: Path, model_id: str, questions: list[str], vectors: np.ndarray) -> None:
    """Write a seed: each question's key and its vector in 8 bits."""
    buffer = io.BytesIO()
    np.savez(buffer, model=np.array(model_id), keys=np.array([question_key(q).encode("ascii") for q in questions], dtype="S64"),
             vectors=_to_int8(vectors))
    atomic_write(Path(path), buffer.getvalue())


def _recent_at_end(cached: dict[str, np.ndarray], wanted: dict[str, None]) -> bool:
    """True when the texts of this build are already the most recently used ones (nothing to
    write: an unchanged rebuild stays read-only)."""
    tail = list(cached)[-len(wanted):] if wanted else []
    return set(tail) == set(wanted)


def _adopt_legacy(legacy_dir: Path | None, tag: str, dim: int, cached: dict[str, np.ndarray]) -> bool:
    """Add the vectors of an index folder's own cache (keys as JSON beside a .npy, as earlier
    versions kept them) to `cached`; True when there was one to adopt."""
    if legacy_dir is None or not (Path(legacy_dir) / f"{tag}.keys.json").is_file():
        return False
    try:
        keys = json.loads((Path(legacy_dir) / f"{tag}.keys.json").read_text(encoding="utf-8"))
        stored = np.load(Path(legacy_dir) / f"{tag}.vectors.npy", allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return True  # unreadable: nothing to adopt, and nothing worth keeping
    if isinstance(keys, list) and stored.ndim == 2 and len(keys) == len(stored) and stored.shape[1] == dim:
        for key, row in zip(keys, stored):
            if isinstance(key, str) and _sound(row[None, :])[0]:
                cached.setdefault(key, row)
    return True


def _sound(rows: np.ndarray) -> np.ndarray:
    return np.isfinite(rows).all(axis=1) & (np.abs(np.linalg.norm(rows, axis=1) - 1.0) < 1e-3)


def _load(path: Path, dim: int) -> dict[str, np.ndarray]:
    """The cached vectors by text hash, in order of last use. The cache has no checksum: a
    damaged file is read as empty and a damaged row (NaN, or not of unit length) is dropped,
    its text encoded again, never carried into the index."""
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, stored = data["keys"], data["vectors"]
        if keys.ndim != 1 or stored.ndim != 2 or len(keys) != len(stored) or stored.shape[1] != dim:
            return {}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return {}
    sound = _sound(stored)
    return {key.decode("ascii", "replace"): row for key, row, ok in zip(keys, stored, sound) if ok}


def _save(path: Path, order: list[str], cached: dict[str, np.ndarray]) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, keys=np.array([k.encode("ascii") for k in order], dtype="S64"),
             vectors=np.stack([cached[k] for k in order]).astype(np.float32))
    atomic_write(path, buffer.getvalue())
