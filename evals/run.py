"""Quality eval on a golden set: recall@1/3/5, MRR@10, abstention precision/recall and
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


def evaluate(assistant, questions: list[dict], mode: str, use_history: bool = True) -> list[dict]:
    from dataclasses import replace

    from assistant.answer.card import candidates, rank_sentences
    from assistant.answer.compose import _excerpt, compose, decide, group_hits
    from assistant.service import prepare_question

    rows = []
    for q in questions:
        cleaned, _ = prepare_question(q["question"])
        history = q.get("history", []) if use_history else []
        understood, result = assistant.search(cleaned, history, top_k=10, mode=mode)
        shown = [_excerpt(i, g, assistant.index).text for i, g in enumerate(group_hits(result.hits)[:10], start=1)]
        rank = first_relevant(shown, q.get("gold", [])) if q["answerable"] else None
        full = mode == "hybrid" and use_history
        has_dense = assistant.encoder is not None
        answer = compose(result, assistant.index, top_k=5, has_dense=has_dense, question=understood) if full else None
        if full:
            cands = candidates(group_hits(result.hits)[:5], assistant.index)
            scores = rank_sentences(understood, cands, result, assistant.index)
            verdict = decide(understood, result, cands, scores, assistant.index, has_dense)
            alone = decide(understood, replace(result, top_out_of_scope=None), cands, scores, assistant.index, has_dense)
        row = {
            "id": q["id"], "lang": q["lang"], "kinds": q["kinds"], "answerable": q["answerable"], "rank": rank,
            "asks": q.get("asks"), "follow_up": bool(q.get("history")),
            "interpreted": understood.interpreted is not None,
            "top_dense": result.top_dense, "coverage": result.coverage, "english": result.english,
            "out_of_scope": result.top_out_of_scope,
            "abstained": answer.abstained if answer else None,
            "reason": answer.abstain_reason if answer else None,
            "p_not_covered": verdict.probability if full else None,
            "abstained_no_topics": (not alone.covered) if full else None,
            "p_not_covered_no_topics": alone.probability if full else None,
            "actor_ok": _actor_ok(q, answer) if answer else None,
            "answer_ok": _answer_ok(q, answer.answer) if answer and q["answerable"] else None,
        }
        if answer and q["answerable"]:
            row["table_shown"] = bool(answer.responsibilities)
            if q.get("actor"):
                top = [d for d in answer.responsibilities[:3] if _sentence_ok(q, d.duty)]
                row["table_top3_ok"] = bool(top)
                from evals.baseline_answer import responsibilities

                old_rows = responsibilities(result.question, [g[0] for g in group_hits(result.hits)[:5]], assistant.index)
                row["baseline_table_top3_ok"] = any(_sentence_ok(q, d.duty) for d in old_rows[:3])
                if top:
                    row["table_party_ok"] = top[0].actor == q["actor"]
            first = answer.card.sentences[0].text if answer.card and answer.card.sentences else ""
            row["card_first_ok"] = bool(first) and _sentence_ok(q, first)
            if q.get("actor"):
                row["card_party_ok"] = bool(answer.card) and answer.card.party == q["actor"]
            old = _baseline_answer(result, answer.excerpts, assistant.index)
            row["baseline_answer_ok"] = _answer_ok(q, old)
            row["baseline_first_ok"] = bool(old) and _sentence_ok(q, re.split(r"\[\d+\]", old)[0])
        rows.append(row)
    return rows


def _baseline_answer(result, excerpts, index) -> str:
    """The short answer as the composer before the answer card gave it (evals/baseline_answer.py)."""
    from evals.baseline_answer import short_answer

    actors = {e.rank: index.sections[e.section_id].actor for e in excerpts
              if e.section_id in index.sections and index.sections[e.section_id].actor}
    return short_answer(result.question, excerpts, result.query_terms, actors, result.sentence_match,
                        result.answer_spans)


def _sentence_ok(q: dict, sentence: str) -> bool:
    """Does one quoted sentence hold gold evidence (a gold string in it, or it inside a gold
    string)?"""
    body = norm(re.sub(r"^[^:]{1,40}: ", "", sentence))
    keys = [norm(g) for g in q["gold"]]
    return any(k and (k in body or (len(body) > 25 and body in k)) for k in keys)


def _answer_ok(q: dict, answer: str) -> bool:
    """Does the answer quote gold evidence (a gold string in it, or one of its sentences
    inside a gold string)?"""
    body = norm(answer)
    keys = [norm(g) for g in q["gold"]]
    parts = [norm(p) for p in re.split(r"\[\d+\]", answer) if len(norm(p)) > 25]
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


def card_report(rows: list[dict]) -> dict:
    """The answer card against the composer before it, over the answerable questions: its first
    sentence holds gold evidence; anywhere in the answer; its party is the gold party (duty
    questions); per kind of answer asked (where the set says)."""
    judged = [r for r in rows if "card_first_ok" in r]
    party = [r for r in judged if "card_party_ok" in r]
    by_asks: dict[str, list] = defaultdict(list)
    for r in judged:
        by_asks[r["asks"] or "-"].append(r["card_first_ok"])
    return {
        "n": len(judged),
        "first_quotes_gold": _mean(r["card_first_ok"] for r in judged),
        "answer_quotes_gold": _mean(r["answer_ok"] for r in judged),
        "baseline_first_quotes_gold": _mean(r["baseline_first_ok"] for r in judged),
        "baseline_answer_quotes_gold": _mean(r["baseline_answer_ok"] for r in judged),
        "n_party": len(party), "party_right": _mean(r["card_party_ok"] for r in party),
        "first_in_top1": _mean(r["card_first_ok"] for r in judged if r["rank"] == 1),
        "n_top1": sum(1 for r in judged if r["rank"] == 1),
        "by_asks": {k: {"n": len(v), "first_quotes_gold": _mean(v)} for k, v in sorted(by_asks.items())},
    }


def table_report(rows: list[dict]) -> dict:
    """The duty table: on duty questions, the gold row among its first three rows and the
    right party on that row; on the other answerable questions, how often a table is shown."""
    duty = [r for r in rows if "table_top3_ok" in r]
    found = [r for r in duty if r["table_top3_ok"]]
    other = [r for r in rows if "table_shown" in r and "table_top3_ok" not in r]
    return {"n_duty": len(duty), "gold_row_in_top3": _mean(r["table_top3_ok"] for r in duty),
            "baseline_gold_row_in_top3": _mean(r["baseline_table_top3_ok"] for r in duty),
            "party_right_on_that_row": _mean(r["table_party_ok"] for r in found),
            "n_other": len(other), "table_on_other_questions": _mean(r["table_shown"] for r in other)}


def follow_up_report(rows: list[dict], alone: list[dict]) -> dict:
    """Follow-up questions read with their conversation, against the same questions alone; and
    how often a question that stands alone was merged with the one before."""
    fu = [r for r in rows if r["follow_up"] and not ({"standalone"} & set(r["kinds"]))]
    fu_alone = [a for a, r in zip(alone, rows) if r in fu]
    standalone = [r for r in rows if r["follow_up"] and "standalone" in r["kinds"]]
    judged = [r for r in fu if "card_first_ok" in r]
    return {
        "n": len(fu), "read_as_follow_up": _mean(r["interpreted"] for r in fu),
        "recall@5": metrics(fu)["recall@5"], "recall@5_alone": metrics(fu_alone)["recall@5"],
        "card_first_quotes_gold": _mean(r["card_first_ok"] for r in judged),
        "card_answer_quotes_gold": _mean(r["answer_ok"] for r in judged),
        "n_standalone_after_history": len(standalone),
        "standalone_merged": _mean(r["interpreted"] for r in standalone),
    }


def _print_cards(assistant, questions: list[dict], rows: list[dict]) -> None:
    by_id = {q["id"]: q for q in questions}
    for r in rows:
        if r.get("card_first_ok") is False:
            q = by_id[r["id"]]
            answer = assistant.ask(q["question"], history=q.get("history", []))
            print(f"\nCARD {r['id']} rank={r['rank']} asks={q.get('asks')}/{answer.card.asks if answer.card else None} "
                  f"party={q.get('actor')}/{answer.card.party if answer.card else None}\n  Q: {q['question'][:200]}"
                  f"\n  A: {answer.answer[:300]}\n  G: {q['gold'][0][:200]}")


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


def tradeoff(rows: list[dict], key: str = "p_not_covered") -> list[dict]:
    """Abstention recall and false-abstention rate at each threshold of the "not covered"
    model's probability (the product's threshold is in assistant/data/coverage_model.json)."""
    grid = []
    for t in [round(0.5 + 0.025 * i, 3) for i in range(19)]:
        sim = [dict(r, abstained=r[key] is not None and r[key] >= t) for r in rows]
        grid.append({"threshold": t, **abstention(sim)})
    return grid


def reasons(rows: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        if r["abstained"]:
            counts[f"{'not_covered' if not r['answerable'] else 'covered'}:{r['reason']}"] += 1
    return dict(sorted(counts.items()))


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
    parser.add_argument("--cards", action="store_true",
                        help="list the answer cards whose first sentence misses the gold evidence (for dev and calibration sets)")
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
    report["abstention_no_topics"] = abstention([dict(r, abstained=r["abstained_no_topics"]) for r in hybrid])
    report["abstain_reasons"] = reasons(hybrid)
    report["actor"] = actor_accuracy(hybrid)
    report["answer_quotes_gold"] = _mean([r["answer_ok"] for r in hybrid if r["answer_ok"] is not None])
    report["card"] = card_report(hybrid)
    report["table"] = table_report(hybrid)
    if any(r["follow_up"] for r in hybrid):
        alone = evaluate(assistant, questions, "hybrid", use_history=False)
        report["follow_up"] = follow_up_report(hybrid, alone)
    report["tradeoff"] = tradeoff(hybrid)
    report["tradeoff_no_topics"] = tradeoff(hybrid, "p_not_covered_no_topics")
    report["seconds"] = round(time.perf_counter() - t0, 1)
    _print(report)
    if args.misses:
        for r in hybrid:
            if r["answerable"] and (r["rank"] is None or r["rank"] > 5):
                q = next(q for q in questions if q["id"] == r["id"])
                print(f"MISS {r['id']} rank={r['rank']} {q['question'][:100]}")
            if r["actor_ok"] is False:
                print(f"WRONG ACTOR {r['id']}")
    if args.cards:
        _print_cards(assistant, questions, hybrid)
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
    a, b = report["abstention"], report["abstention_no_topics"]
    print(f"\nAbstention: precision {a['precision']:.2f}, recall {a['recall']:.2f}, false abstentions {a['false_abstention']:.3f}; "
          f"with the topic list emptied: precision {b['precision']:.2f}, recall {b['recall']:.2f}, "
          f"false {b['false_abstention']:.3f}; reasons: {report['abstain_reasons']}")
    a = report["actor"]
    print(f"Actor accuracy: {a['accuracy']} over the {a['n']} of {a['asked']} duty questions whose answer shows a "
          f"duty row matching the gold evidence (coverage {a['coverage']})")
    c = report["card"]
    print(f"Answer card (n={c['n']}): first sentence quotes gold {c['first_quotes_gold']} (composer before: "
          f"{c['baseline_first_quotes_gold']}); anywhere in the answer {c['answer_quotes_gold']} (before: "
          f"{c['baseline_answer_quotes_gold']}); party right {c['party_right']} of {c['n_party']} duty questions; "
          f"first sentence right when the gold is excerpt 1: {c['first_in_top1']} of {c['n_top1']}")
    tb = report["table"]
    print(f"Duty table: gold row in the first 3 rows {tb['gold_row_in_top3']} of {tb['n_duty']} duty questions (before: "
          f"{tb['baseline_gold_row_in_top3']}), right party "
          f"on it {tb['party_right_on_that_row']}; a table on {tb['table_on_other_questions']} of the {tb['n_other']} "
          f"other answerable questions (lower is better)")
    print("  by kind asked: " + ", ".join(f"{k} {v['first_quotes_gold']} (n={v['n']})" for k, v in c["by_asks"].items()))
    if "follow_up" in report:
        f = report["follow_up"]
        print(f"Follow-ups (n={f['n']}): read as follow-ups {f['read_as_follow_up']}, recall@5 {f['recall@5']} "
              f"(alone: {f['recall@5_alone']}), card first sentence {f['card_first_quotes_gold']}, "
              f"anywhere {f['card_answer_quotes_gold']}; stand-alone questions after a history merged: "
              f"{f['standalone_merged']} of {f['n_standalone_after_history']}")
    print("Not covered: model probability threshold → caught (recall) / covered refused, with the topic list | without:")
    for with_t, without in zip(report["tradeoff"], report["tradeoff_no_topics"]):
        print(f"  ≥{with_t['threshold']:<6} {with_t['recall']:.2f} / {with_t['false_abstention']:.3f}   |   "
              f"{without['recall']:.2f} / {without['false_abstention']:.3f}")
    print(f"({report['seconds']} s)")


if __name__ == "__main__":
    sys.exit(main())
