"""Fit the "not covered" model (assistant/answer/coverage.py) on the tuning sets.

Each question of evals/dev.jsonl, calibration.jsonl, followup_dev.jsonl and abstain.jsonl (read
while developing; never the held-out or blind sets) is asked as the product asks it, and the model's
signals are recorded with whether the documents answer it. A logistic regression (L2) is fitted;
its threshold is the lowest probability that refuses at most MAX_FALSE of the covered questions
in cross-validation, so that the figure holds for questions the model did not see. The
trade-off curve is printed, with and without the out-of-scope topic list, and the model is
written to assistant/data/coverage_model.json.

    python -m evals.train_coverage
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# abstain.jsonl is no longer blind: rules were written after reading it (2026-12-02).
TUNING_SETS = ("dev.jsonl", "calibration.jsonl", "followup_dev.jsonl", "abstain.jsonl")
MAX_FALSE = 0.02
LAMBDAS = (0.001, 0.003, 0.01, 0.03, 0.1)


def collect(assistant) -> list[tuple[str, dict, bool]]:
    """(id, signals, not covered) for every tuning question, also with the topic list emptied."""
    from assistant.answer.card import candidates, rank_sentences
    from assistant.answer.compose import group_hits
    from assistant.answer.coverage import signals
    from assistant.answer.understand import understand
    from assistant.service import prepare_question
    from evals.run import load_set

    rows = []
    for name in TUNING_SETS:
        for q in load_set(ROOT / "evals" / name):
            cleaned, _ = prepare_question(q["question"])
            understood = understand(cleaned, assistant.index.lexical, assistant.retriever.glossary, q.get("history", []))
            result = assistant.retriever.search(understood, top_k=5)
            cands = candidates(group_hits(result.hits)[:5], assistant.index)
            scores = rank_sentences(understood, cands, result, assistant.index)
            values = signals(understood, result, cands, scores, assistant.index, assistant.encoder is not None)
            rows.append((f"{name}:{q['id']}", values, not q["answerable"]))
    return rows


def fit(X: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    from scipy.optimize import minimize

    # Both classes count equally: there are about three covered questions to one not covered.
    a = np.where(y, 0.5 / max(y.sum(), 1), 0.5 / max((~y).sum(), 1))

    def loss(w):
        z = X @ w
        p = 1 / (1 + np.exp(-z))
        eps = 1e-9
        value = -(a * (y * np.log(p + eps) + (~y) * np.log(1 - p + eps))).sum() + lam * (w[1:] @ w[1:])
        grad = X.T @ (a * (p - y)) + 2 * lam * np.r_[0, w[1:]]
        return value, grad

    return minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B").x


def curve(p: np.ndarray, y: np.ndarray) -> list[dict]:
    out = []
    for t in np.round(np.arange(0.05, 0.96, 0.025), 3):
        refuse = p >= t
        out.append({"threshold": float(t), "caught": float(refuse[y].mean()) if y.any() else 0.0,
                    "false": float(refuse[~y].mean()) if (~y).any() else 0.0})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.train_coverage", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "assistant" / "data" / "coverage_model.json"))
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)

    from assistant.answer.coverage import FEATURES
    from assistant.service import Assistant

    assistant = Assistant.open()
    rows = collect(assistant)
    X = np.array([[values[f] if values[f] is not None else np.nan for f in FEATURES] for _, values, _ in rows])
    # An unknown signal (no topic list) is set to the average: after standardising it weighs nothing.
    X = np.where(np.isnan(X), np.nanmean(X, axis=0), X)
    y = np.array([not_covered for *_, not_covered in rows])
    # Standardised, so that the penalty weighs every signal alike (a cosine varies by hundredths,
    # a share by tenths); the bias column stays 1.
    mean, scale = X.mean(axis=0), X.std(axis=0)
    mean[0], scale[0] = 0.0, 1.0
    scale[scale < 1e-9] = 1.0
    X = (X - mean) / scale
    rng = random.Random(11)
    fold = np.array([rng.randrange(args.folds) for _ in rows])
    topic_cols = [FEATURES.index(name) for name in ("out_of_scope", "out_of_scope_question")]
    with_topics = select(X, y, fold, args.folds, FEATURES, "with the topic list")
    keep = [i for i in range(len(FEATURES)) if i not in topic_cols]
    without = select(X[:, keep], y, fold, args.folds, [FEATURES[i] for i in keep], "without the topic list")
    w = np.zeros(len(FEATURES))
    w[keep] = without["w"]
    without["weights"] = {name: round(float(v), 4) for name, v in zip(FEATURES, w)}
    model = {
        "note": "Fitted by python -m evals.train_coverage on the tuning sets; do not edit by hand.",
        "questions": len(y), "not_covered": int(y.sum()),
        "mean": {name: round(float(v), 6) for name, v in zip(FEATURES, mean)},
        "scale": {name: round(float(v), 6) for name, v in zip(FEATURES, scale)},
        "unknown_share_for_reason": 0.25,
        "with_topics": {k: v for k, v in with_topics.items() if k != "w"},
        "without_topics": {k: v for k, v in without.items() if k != "w"},
    }
    Path(args.out).write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for part in ("with_topics", "without_topics"):
        print(part, json.dumps({k: v for k, v in model[part].items() if k not in ("weights", "curve_cv")}))
    return 0


def select(X: np.ndarray, y: np.ndarray, fold: np.ndarray, folds: int, names, label: str) -> dict:
    """The regularisation and threshold that catch the most uncovered questions in
    cross-validation while refusing at most MAX_FALSE of the covered ones; then the fit on all."""
    best = None
    for lam in LAMBDAS:
        p = np.zeros(len(y))
        for k in range(folds):
            w = fit(X[fold != k], y[fold != k], lam)
            p[fold == k] = 1 / (1 + np.exp(-(X[fold == k] @ w)))
        points = [c for c in curve(p, y) if c["false"] <= MAX_FALSE]
        point = max(points, key=lambda c: (c["caught"], -c["threshold"])) if points else None
        print(f"{label}, lambda {lam}: cross-validated, at most {MAX_FALSE:.0%} refused: {point}", file=sys.stderr)
        if point and (best is None or point["caught"] > best[1]["caught"]):
            best = (lam, point, p)
    lam, point, p_cv = best
    w = fit(X, y, lam)
    return {"lambda": lam, "threshold": point["threshold"], "cv_caught": round(point["caught"], 3),
            "cv_false": round(point["false"], 3), "w": w,
            "weights": {name: round(float(v), 4) for name, v in zip(names, w)}, "curve_cv": curve(p_cv, y)}


if __name__ == "__main__":
    sys.exit(main())
