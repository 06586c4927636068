"""The vector cache (`index/cache/`): vectors keyed by model and text hash, kept across builds,
so an unchanged corpus never re-encodes and a new file encodes only its own text."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np

from assistant.corpus.manifest import atomic_write_text, write_temp

Progress = Callable[[str, int, int], None]  # (stage, done, total)
KEEP = 50_000  # vectors of texts no longer in the corpus kept for a later build


def encode_with_cache(encoder, passages: list[str], cache_dir: Path, report: Progress,
                      questions: list[str] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Vectors of `passages` and of `questions` (encoded as queries), each in order; only texts
    the cache has not seen are encoded."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    tag = hashlib.sha256(encoder.model_id.encode()).hexdigest()[:16]
    keys_path, vecs_path = cache_dir / f"{tag}.keys.json", cache_dir / f"{tag}.vectors.npy"
    cached: dict[str, np.ndarray] = {}
    try:
        keys = json.loads(keys_path.read_text(encoding="utf-8"))
        stored = np.load(vecs_path, allow_pickle=False)
        if (isinstance(keys, list) and stored.ndim == 2 and len(keys) == len(stored)
                and stored.shape[1] == encoder.dim):
            # The cache has no checksum: a damaged row (NaN, or not of unit length) is dropped
            # and its text encoded again, never carried into the index.
            sound = np.isfinite(stored).all(axis=1) & (np.abs(np.linalg.norm(stored, axis=1) - 1.0) < 1e-3)
            cached = {key: row for key, row, ok in zip(keys, stored, sound) if ok and isinstance(key, str)}
    except (OSError, ValueError, EOFError):
        cached = {}
    # A question is keyed apart from the same text as a passage: the model reads it differently.
    kinds = {"passage": ("", encoder.encode_passages, passages), "question": ("question\0", encoder.encode_questions, questions)}
    hashes = {kind: [hashlib.sha256((salt + text).encode("utf-8")).hexdigest() for text in texts]
              for kind, (salt, _, texts) in kinds.items()}
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
    if total:
        wanted = set(hashes["passage"]) | set(hashes["question"])
        keep = sorted(wanted | set(list(cached)[-KEEP:]))
        _atomic_save(keys_path, vecs_path, keep, np.stack([cached[k] for k in keep]))
    report("språkmodell", total, total)

    def rows(kind: str) -> np.ndarray:
        if not hashes[kind]:
            return np.zeros((0, encoder.dim), np.float32)
        return np.stack([cached[h] for h in hashes[kind]]).astype(np.float32)

    return rows("passage"), rows("question")


def _atomic_save(keys_path: Path, vecs_path: Path, keys: list[str], vectors: np.ndarray) -> None:
    tmp = write_temp(vecs_path.parent, lambda fh: save_array(fh, vectors), f".{vecs_path.name}.", ".tmp")
    try:
        os.replace(tmp, vecs_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    atomic_write_text(keys_path, json.dumps(keys))


class _Chunks:
    """Hands numpy an object that is not a real file, so it writes with `write()` in chunks:
    a full disk is then an OSError that says so (ENOSPC), not numpy's own English message
    ("1915008 requested and 309216 written") from writing straight to the file."""

    def __init__(self, fh: BinaryIO):
        self.write = fh.write


def save_array(fh: BinaryIO, array: np.ndarray) -> None:
    """`np.save` into an open file, never with pickle."""
    np.save(_Chunks(fh), array, allow_pickle=False)
