"""Quality eval on the dev golden set: recall@1/3/5, MRR@10, abstention precision/recall and
false-abstention rate, per language and kind, for the full system and for the BM25-only and
dense-only baselines in the same run; actor accuracy for duty questions; and the abstention
threshold trade-off.

    python -m evals.run [--set evals/dev.jsonl] [--json out.json]

Evidence is matched on lowercase letters and digits only, against the excerpt text the user
sees (one excerpt per section, as in the answer).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODES = ("hybrid", "bm25", "dense")


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9æøåéü]", "", text.lower())


def load_set(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def first_relevant(texts: list[str], gold: list[str]) -> int | None:
    keys = [norm(g) for g in gold]
    for rank, text in enumerate(texts, start=1):
        body = norm(text)
        if any(k and k in body for k in keys):
            return rank
    return None


def evaluate(assistant, questions: list[dict], mode: str) -> list[dict]:
    from assistant.answer.compose import (
        _excerpt,
        compose,
        group_hits,
        missing_answer_type,
    )
    from assistant.service import prepare_question

    rows = []
    for q in questions:
        cleaned, _ = prepare_question(q["question"])
        result = assistant.retriever.search(cleaned, top_k=10, mode=mode)
        shown = [_excerpt(i, g, assistant.index).text for i, g in enumerate(group_hits(result.hits)[:10], start=1)]
        rank = first_relevant(shown, q.get("gold", [])) if q["answerable"] else None
        answer = compose(result, assistant.index, top_k=5, has_dense=assistant.encoder is not None) if mode == "hybrid" else None
        rows.append({
            "id": q["id"], "lang": q["lang"], "kinds": q["kinds"], "answerable": q["answerable"], "rank": rank,
            "top_dense": result.top_dense, "coverage": result.coverage, "english": result.english,
            "out_of_scope": result.top_out_of_scope,
            "type_missing": bool(answer and answer.excerpts and missing_answer_type(cleaned, answer.excerpts)),
            "abstained": answer.abstained if answer else None,
            "actor_ok": _actor_ok(q, answer) if answer else None,
            "answer_ok": _answer_ok(q, answer) if answer and q["answerable"] else None,
        })
    return rows


def _answer_ok(q: dict, answer) -> bool:
    """Does the short answer quote gold evidence (a gold string in it, or one of its sentences
    inside a gold string)?"""
    body = norm(answer.answer)
    keys = [norm(g) for g in q["gold"]]
    parts = [norm(p) for p in re.split(r"\[\d+\]", answer.answer) if len(norm(p)) > 25]
    return any(k in body for k in keys) or any(p in k or k in p for p in parts for k in keys)


def _actor_ok(q: dict, answer) -> bool | None:
    if not q.get("actor") or not q["answerable"]:
        return None
    keys = [norm(g) for g in q["gold"]]
    for duty in answer.responsibilities:
        body = norm(duty.duty)
        if any(k in body or (len(body) > 30 and body in k) for k in keys):
            return duty.actor == q["actor"]
    return "no_row"


def metrics(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    out = {"n": len(answerable)}
    for k in (1, 3, 5):
        out[f"recall@{k}"] = _mean([r["rank"] is not None and r["rank"] <= k for r in answerable])
    out["mrr@10"] = _mean([1 / r["rank"] if r["rank"] else 0.0 for r in answerable])
    return out


def abstention(rows: list[dict]) -> dict:
    unanswerable = [r for r in rows if not r["answerable"]]
    answerable = [r for r in rows if r["answerable"]]
    tp = sum(1 for r in unanswerable if r["abstained"])
    fp = sum(1 for r in answerable if r["abstained"])
    return {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / len(unanswerable) if unanswerable else 0.0,
        "false_abstention": fp / len(answerable) if answerable else 0.0,
    }


def actor_accuracy(rows: list[dict]) -> dict:
    """Over duty questions whose answer shows a duty row matching the gold evidence: the share
    whose first such row names the right party; `coverage` is how many answers show such a row."""
    asked = [r for r in rows if r["actor_ok"] is not None]
    judged = [r for r in asked if r["actor_ok"] != "no_row"]
    return {"n": len(judged), "asked": len(asked), "coverage": _mean([len(judged) / len(asked)] if asked else []),
            "accuracy": _mean([r["actor_ok"] is True for r in judged])}


def tradeoff(rows: list[dict]) -> list[dict]:
    """Abstention recall and false-abstention rate over a grid of the three thresholds (an
    English question's dense floor keeps the product's offset below the others'; a margin of
    None turns the out-of-scope topics off). The answer-type rule (an amount or a contact
    address that no excerpt states) has no threshold and always applies."""
    from assistant.answer.compose import DENSE_FLOOR, DENSE_FLOOR_ENGLISH

    offset = DENSE_FLOOR - DENSE_FLOOR_ENGLISH
    grid = []
    for margin in [None, 0.0, 0.005, 0.01, 0.0125, 0.015, 0.02, 0.03]:
        for dense_floor in [0.78, 0.80, 0.82, 0.825, 0.83, 0.835, 0.84, 0.845, 0.85, 0.86, 0.87]:
            for coverage_floor in [0.3, 0.5, 0.7, 0.8, 0.9, 1.01]:
                sim = [dict(r, abstained=(r["top_dense"] < dense_floor - offset * r["english"]
                                          and r["coverage"] < coverage_floor) or _beyond(r, margin)
                                         or r["type_missing"]) for r in rows]
                grid.append({"out_of_scope_margin": margin, "dense_floor": dense_floor,
                             "coverage_floor": coverage_floor, **abstention(sim)})
    return grid


def _beyond(row: dict, margin: float | None) -> bool:
    return margin is not None and row["out_of_scope"] is not None and row["out_of_scope"] - row["top_dense"] > margin


def by_group(rows: list[dict]) -> dict[str, dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[f"lang:{r['lang']}"].append(r)
        for kind in r["kinds"]:
            groups[f"kind:{kind}"].append(r)
    return {name: metrics(items) for name, items in sorted(groups.items()) if any(i["answerable"] for i in items)}


def _mean(values) -> float:
    values = list(values)
    return round(sum(float(v) for v in values) / len(values), 3) if values else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default=str(HERE / "dev.jsonl"))
    parser.add_argument("--corpus")
    parser.add_argument("--index")
    parser.add_argument("--json", help="write all numbers to this file")
    parser.add_argument("--misses", action="store_true", help="list the questions the full system misses")
    args = parser.parse_args(argv)

    from assistant.service import Assistant

    questions = load_set(Path(args.set))
    t0 = time.perf_counter()
    assistant = Assistant.open(args.corpus, args.index)
    report = {"set": args.set, "questions": len(questions), "encoder": getattr(assistant.encoder, "model_id", None)}
    all_rows = {}
    for mode in MODES:
        if mode == "dense" and assistant.encoder is None:
            continue
        rows = evaluate(assistant, questions, mode)
        all_rows[mode] = rows
        report[mode] = {"overall": metrics(rows), "groups": by_group(rows)}
    hybrid = all_rows["hybrid"]
    report["abstention"] = abstention(hybrid)
    report["actor"] = actor_accuracy(hybrid)
    report["answer_quotes_gold"] = _mean([r["answer_ok"] for r in hybrid if r["answer_ok"] is not None])
    report["tradeoff"] = tradeoff(hybrid)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    _print(report)
    if args.misses:
        for r in hybrid:
            if r["answerable"] and (r["rank"] is None or r["rank"] > 5):
                q = next(q for q in questions if q["id"] == r["id"])
                print(f"MISS {r['id']} rank={r['rank']} {q['question'][:100]}")
            if r["actor_ok"] is False:
                print(f"WRONG ACTOR {r['id']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def _print(report: dict) -> None:
    print(f"Eval: {report['set']} ({report['questions']} spørsmål), modell: {report['encoder']}")
    print(f"{'':24} {'recall@1':>9} {'recall@3':>9} {'recall@5':>9} {'MRR@10':>8}")
    for mode in MODES:
        if mode in report:
            m = report[mode]["overall"]
            print(f"{mode:24} {m['recall@1']:>9} {m['recall@3']:>9} {m['recall@5']:>9} {m['mrr@10']:>8}")
    print("\nFull system per group (n, recall@5, MRR@10); baselines: bm25 / dense recall@5")
    for name, m in report["hybrid"]["groups"].items():
        base = " / ".join(str(report[b]["groups"].get(name, {}).get("recall@5", "-")) for b in ("bm25", "dense") if b in report)
        print(f"  {name:24} n={m['n']:<3} r@5={m['recall@5']:<6} mrr={m['mrr@10']:<6} baselines r@5: {base}")
    a = report["abstention"]
    print(f"\nAbstention: precision {a['precision']:.2f}, recall {a['recall']:.2f}, false abstentions {a['false_abstention']:.3f}")
    a = report["actor"]
    print(f"Actor accuracy: {a['accuracy']} over the {a['n']} of {a['asked']} duty questions whose answer shows a "
          f"duty row matching the gold evidence (coverage {a['coverage']})")
    print(f"Short answer quotes gold evidence: {report['answer_quotes_gold']} of answerable questions")
    best = [t for t in report["tradeoff"] if t["false_abstention"] <= 0.05]
    best.sort(key=lambda t: (-t["recall"], t["false_abstention"]))
    print("Abstention trade-off (best settings with ≤5% false abstentions):")
    for t in best[:5]:
        margin = "off" if t["out_of_scope_margin"] is None else f">{t['out_of_scope_margin']}"
        print(f"  dense<{t['dense_floor']} and coverage<{t['coverage_floor']}, out-of-scope margin {margin}: recall {t['recall']:.2f}, "
              f"false {t['false_abstention']:.3f}, precision {t['precision']:.2f}")
    print(f"({report['seconds']} s)")


if __name__ == "__main__":
    sys.exit(main())
