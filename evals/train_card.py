"""Learn the answer card's sentence ranker from the passage questions (corpus/questions.jsonl).

Each of the 1,905 stored questions names the quote that answers it: supervision at sentence
level that no eval set was written from. The questions are split into folds; for each fold an
index is built without that fold's questions (so a question never finds itself), each of its
questions (with the other questions of its line: they share its quote) is asked as a user
would ask it, and every sentence of the shown excerpts becomes a
candidate whose label is whether it holds (or lies inside) the question's quote. The tuning
sets (evals/dev.jsonl, calibration.jsonl, followup_dev.jsonl: clinicians' questions with gold
sentences, read while developing) are added the same way over the full index. A linear listwise
model (softmax over a question's candidates, L2-regularised) is fitted; its regularisation and
the weight of the tuning sets against the stored questions are chosen by cross-validation over
the tuning sets (never the held-out or blind sets), and the weights are written to
assistant/data/card_ranker.json.

    python -m evals.train_card [--folds 5] [--out assistant/data/card_ranker.json]

Vectors come from the index's cache, so the fold indexes build in seconds after the first.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LAMBDAS = (0.0003, 0.001, 0.003, 0.01)
TUNING_WEIGHTS = (1.0, 10.0, 30.0, 100.0)


def fold_questions(path: Path, folds: int, seed: int = 13) -> list[tuple[int, dict, str]]:
    """(fold, line, question) for every stored question. The folds are drawn per line, so the
    questions that share a quote are held out together: otherwise a held-out question's
    siblings would point the ranker to its own quote, which no new question has."""
    rng = random.Random(seed)
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        fold = rng.randrange(folds)
        out.extend((fold, row, question) for question in row["questions"])
    return out


def fold_corpus(corpus: Path, work: Path, held: set[tuple[str, str]]) -> Path:
    """A copy of the corpus folder whose questions file lacks the held-out questions."""
    work.mkdir(parents=True, exist_ok=True)
    for item in corpus.iterdir():
        if item.name != "questions.jsonl" and item.is_file():
            (work / item.name).symlink_to(item.resolve())
    lines = []
    for line in (corpus / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        kept = [q for q in row["questions"] if (row["quote"], q) not in held]
        if kept:
            lines.append(json.dumps(dict(row, questions=kept), ensure_ascii=False))
    (work / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return work


def labels(cands, quote: str) -> np.ndarray:
    from assistant.search.questions import letters

    key = letters(quote)
    out = []
    for c in cands:
        body = letters(c.text)
        out.append(bool(key) and len(body) >= 20 and (key in body or body in key))
    return np.array(out, dtype=bool)


class MemoEncoder:
    """The encoder with its question vectors remembered on disk between runs of this script."""

    def __init__(self, encoder, path: Path):
        self.encoder, self.path = encoder, path
        self.model_id, self.dim = encoder.model_id, encoder.dim
        self.memo: dict[str, np.ndarray] = {}
        if path.is_file():
            data = np.load(path, allow_pickle=False)
            self.memo = dict(zip(data["texts"].tolist(), data["vectors"]))

    def encode_queries(self, texts):
        missing = [t for t in texts if t not in self.memo]
        if missing:
            self.memo.update(zip(missing, self.encoder.encode_queries(missing)))
        return np.stack([self.memo[t] for t in texts])

    def save(self) -> None:
        texts = list(self.memo)
        np.savez(self.path, texts=np.array(texts), vectors=np.stack([self.memo[t] for t in texts]))

    def __getattr__(self, name):
        return getattr(self.encoder, name)


def collect(args) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """(fold, features, labels) of every stored question whose shown excerpts hold its quote."""
    from assistant.answer.card import candidates, feature_matrix
    from assistant.answer.compose import group_hits
    from assistant.answer.understand import understand
    from assistant.search.index import build_index, load_index
    from assistant.search.retrieve import Retriever

    encoder = args.encoder
    stored = fold_questions(Path(args.corpus) / "questions.jsonl", args.folds)
    cache = Path(args.index) / "cache"
    data = []
    with tempfile.TemporaryDirectory() as tmp:
        for fold in range(args.folds):
            held = [(row, q) for f, row, q in stored if f == fold]
            corpus = fold_corpus(Path(args.corpus), Path(tmp) / f"corpus{fold}", {(r["quote"], q) for r, q in held})
            index_dir = Path(tmp) / f"index{fold}"
            if cache.is_dir():
                shutil.copytree(cache, index_dir / "cache")
            build_index(corpus, index_dir, encoder)
            index = load_index(index_dir)
            retriever = Retriever(index, args.memo)
            found = 0
            for row, question in held:
                understood = understand(question, index.lexical, retriever.glossary)
                result = retriever.search(understood, top_k=5)
                cands = candidates(group_hits(result.hits)[:5], index)
                if not cands:
                    continue
                y = labels(cands, row["quote"])
                if not y.any():
                    continue
                X = feature_matrix(understood, cands, result, index)
                data.append((fold, X, y))
                found += 1
            print(f"fold {fold}: {found} of {len(held)} questions have their quote among the shown sentences",
                  file=sys.stderr)
    return data


TUNING_SETS = ("dev.jsonl", "calibration.jsonl", "followup_dev.jsonl", "training.jsonl")


def collect_tuning(args) -> list[tuple]:
    """(question id, features, labels) of the tuning sets' answerable questions whose shown
    excerpts hold a gold sentence, over the full index."""
    from assistant.answer.card import candidates, feature_matrix
    from assistant.answer.compose import group_hits
    from assistant.answer.understand import understand
    from assistant.search.index import load_index
    from assistant.search.retrieve import Retriever
    from assistant.service import ensure_index, prepare_question
    from evals.run import load_set, norm

    ensure_index(Path(args.corpus), Path(args.index), args.encoder, None, [])
    index = load_index(Path(args.index))
    retriever = Retriever(index, args.memo)
    data = []
    for name in TUNING_SETS:
        if not (ROOT / "evals" / name).is_file():
            continue
        for q in load_set(ROOT / "evals" / name):
            if not q["answerable"]:
                continue
            cleaned, _ = prepare_question(q["question"])
            understood = understand(cleaned, index.lexical, retriever.glossary, q.get("history", []))
            result = retriever.search(understood, top_k=5)
            cands = candidates(group_hits(result.hits)[:5], index)
            keys = [norm(g) for g in q["gold"]]
            y = np.array([any(k and (k in norm(c.text) or (len(norm(c.text)) > 25 and norm(c.text) in k)) for k in keys)
                          for c in cands], dtype=bool)
            if len(cands) and y.any():
                X = feature_matrix(understood, cands, result, index)
                data.append((f"{name}:{q['id']}", X, y))
                args.context[f"{name}:{q['id']}"] = (understood, cands)
    args.context_index = index
    print(f"tuning sets: {len(data)} questions have a gold sentence among the shown sentences", file=sys.stderr)
    return data


MARGINS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


def calibrate_margins(args, tuning, scores: dict[str, np.ndarray]) -> dict:
    """The card's margins that make its first sentence hold the gold most often over the tuning
    sets (scores from models that did not see the question), and the support margin that puts
    the gold anywhere in the card most often."""
    from assistant.answer.card import choose_main

    index = args.context_index

    def first_ok(supply: float, party: float) -> float:
        ok = []
        for key, _, y in tuning:
            question, cands = args.context[key]
            i = choose_main(question, cands, scores[key], index, {"supply": supply, "party": party})
            ok.append(bool(y[i]))
        return float(np.mean(ok))

    grid = {(s, p): first_ok(s, p) for s in MARGINS for p in MARGINS}
    supply, party = max(grid, key=lambda k: (grid[k], -k[0], -k[1]))
    print(f"margins: supply {supply}, party {party}: first sentence {grid[(supply, party)]:.3f} "
          f"(none: {grid[(0.0, 0.0)]:.3f})", file=sys.stderr)
    anywhere = {}
    for support in MARGINS:
        ok = []
        for key, _, y in tuning:
            question, cands = args.context[key]
            s = scores[key]
            i = choose_main(question, cands, s, index, {"supply": supply, "party": party})
            shown = [i] + [int(j) for j in np.argsort(-s, kind="stable") if j != i and s[j] >= s[i] - support][:2]
            ok.append(bool(y[shown].any()))
        anywhere[support] = float(np.mean(ok))
    support = min(anywhere, key=lambda k: (-round(anywhere[k], 2), k))
    print(f"support margin {support}: gold anywhere in the card {anywhere[support]:.3f}", file=sys.stderr)
    return {"supply_margin": supply, "party_margin": party, "support_margin": support,
            "tuning_cv_first_sentence": round(grid[(supply, party)], 3), "tuning_cv_anywhere": round(anywhere[support], 3)}


class Stacked:
    """Questions' candidates stacked into one matrix, for a loss over all at once."""

    def __init__(self, data, weights=None):
        self.X = np.vstack([X for _, X, _ in data])
        self.y = np.concatenate([y for _, _, y in data]).astype(np.float64)
        sizes = np.array([len(X) for _, X, _ in data])
        self.starts = np.r_[0, np.cumsum(sizes)[:-1]]
        self.seg = np.repeat(np.arange(len(data)), sizes)
        self.a = np.asarray(weights if weights is not None else np.ones(len(data)), dtype=np.float64)


def loss_and_grad(w: np.ndarray, s: Stacked, lam: float) -> tuple[float, np.ndarray]:
    scores = s.X @ w
    scores = scores - np.maximum.reduceat(scores, s.starts)[s.seg]
    p = np.exp(scores)
    p /= np.add.reduceat(p, s.starts)[s.seg]
    pos = np.maximum(np.add.reduceat(p * s.y, s.starts), 1e-12)
    n = max(s.a.sum(), 1e-9)
    total = -(s.a * np.log(pos)).sum() / n
    # d/dw of -log(sum_pos p) = E_p[x] - E_{p|pos}[x], per question, weighted
    coef = s.a[s.seg] * (p - p * s.y / pos[s.seg])
    return total + lam * float(w @ w), coef @ s.X / n + 2 * lam * w


def fit(data, lam: float, dim: int, weights=None) -> np.ndarray:
    from scipy.optimize import minimize

    stacked = Stacked(data, weights)
    res = minimize(loss_and_grad, np.zeros(dim), args=(stacked, lam), jac=True, method="L-BFGS-B",
                   options={"maxiter": 1000})
    return res.x


def top1(w: np.ndarray, data) -> float:
    return float(np.mean([y[int(np.argmax(X @ w))] for _, X, y in data])) if data else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.train_card", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    parser.add_argument("--index", default=str(ROOT / "index"), help="where the vector cache is (index/cache)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "assistant" / "data" / "card_ranker.json"))
    parser.add_argument("--memo", default=str(Path(tempfile.gettempdir()) / "avtale-train-card-vectors.npz"),
                        help="question vectors kept between runs")
    args = parser.parse_args(argv)

    from assistant.answer.card import FEATURES
    from assistant.search.encoders import load_encoder

    t0 = time.perf_counter()
    args.encoder = load_encoder()
    args.memo = MemoEncoder(args.encoder, Path(args.memo))
    args.memo_path = Path(args.memo.path)
    args.context = {}
    stored = [(f"s{fold}", X, y) for fold, X, y in collect(args)]
    tuning = collect_tuning(args)
    args.memo.save()
    dim = len(FEATURES)
    rng = random.Random(7)
    tune_fold = {key: rng.randrange(args.folds) for key, _, _ in tuning}
    cv = {}
    for lam in LAMBDAS:
        for share in TUNING_WEIGHTS:
            scores = []
            for fold in range(args.folds):
                train = stored + [d for d in tuning if tune_fold[d[0]] != fold]
                weights = [1.0] * len(stored) + [share] * (len(train) - len(stored))
                test = [d for d in tuning if tune_fold[d[0]] == fold]
                scores.append(top1(fit(train, lam, dim, weights), test))
            cv[(lam, share)] = float(np.mean(scores))
            print(f"lambda {lam}, tuning weight {share}: tuning-set cross-validated top-1 {cv[(lam, share)]:.3f}",
                  file=sys.stderr)
    lam, share = max(cv, key=lambda k: (cv[k], k[0]))
    out_of_fold = {}
    for fold in range(args.folds):
        train = stored + [d for d in tuning if tune_fold[d[0]] != fold]
        w_fold = fit(train, lam, dim, [1.0] * len(stored) + [share] * (len(train) - len(stored)))
        out_of_fold.update({key: X @ w_fold for key, X, _ in tuning if tune_fold[key] == fold})
    margins = calibrate_margins(args, tuning, out_of_fold)
    w = fit(stored + tuning, lam, dim, [1.0] * len(stored) + [share] * len(tuning))
    stored_cv = float(np.mean([top1(fit([d for d in stored if d[0] != f"s{k}"] + tuning, lam, dim,
                                        [1.0] * sum(d[0] != f"s{k}" for d in stored) + [share] * len(tuning)),
                                    [d for d in stored if d[0] == f"s{k}"]) for k in range(args.folds)]))
    out = {
        "note": "Learned by python -m evals.train_card from corpus/questions.jsonl and the tuning sets; do not edit by hand.",
        "stored_questions": len(stored), "tuning_questions": len(tuning), "folds": args.folds,
        "lambda": lam, "tuning_weight": share,
        "tuning_cv_top1": round(cv[(lam, share)], 3), "stored_cv_top1": round(stored_cv, 3), **margins,
        "weights": {name: round(float(v), 4) for name, v in zip(FEATURES, w)},
    }
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in out.items() if k != "weights"}), f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
