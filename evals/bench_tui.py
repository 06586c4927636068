"""Speed of the Textual app, headless under Pilot: time from launch to interactive, to word
search ready and to the language model ready, and time from Enter to the answer on screen.

    python -m evals.bench_tui [--runs 5] [--questions 20] [--index DIR] [--json out.json]

Every measure is taken at both terminal sizes the app is designed for, 80×24 and 120×40.

Launch is measured in a fresh process per run (Python start, imports, first frame, question field
focused), timed by this process from spawn to the child's report; a warm launch (app built and
mounted in a process that has imported everything) is measured in-process. Enter → answer is the
time from pressing Enter to the answer being painted, next to the engine's own retrieval time
(`timing_ms.total`): the difference is what the app adds. The targets: interactive ≤ 0.8 s
after launch; answer on screen within 100 ms of the retrieval finishing.

The index is built once in a temporary folder (or taken from --index). With the encoder
available the app's first run also adds vectors to it in the background (about two minutes);
pass --index with a hybrid index to measure the language-model path without that wait.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZES = ((80, 24), (120, 40))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return round(ordered[k], 1)


def summary(name: str, values_ms: list[float]) -> dict:
    row = {"name": name, "n": len(values_ms), "p50_ms": pct(values_ms, 50), "p95_ms": pct(values_ms, 95),
           "mean_ms": round(statistics.fmean(values_ms), 1)}
    print(f"  {name:<44} p50 {row['p50_ms']:>8.1f} ms   p95 {row['p95_ms']:>8.1f} ms   (n={row['n']})")
    return row


def questions(limit: int) -> list[str]:
    rows = [json.loads(line) for line in (HERE / "dev.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["question"] for r in rows][:limit]


# -- child process: one cold launch --------------------------------------------------------------
async def _child_launch(index: str, wait_model: bool, size: tuple[int, int]) -> None:
    from assistant.tui.app import READY, READY_LEXICAL, create_app

    app = create_app(corpus=ROOT / "corpus", index=index, use_encoder=wait_model)
    async with app.run_test(size=size) as pilot:
        while app.focused is None:
            await pilot.pause(0.001)
        print("interactive", flush=True)
        deadline = time.monotonic() + 300
        while app.assistant is None and time.monotonic() < deadline:
            await pilot.pause(0.005)
        print("word-search", flush=True)
        while wait_model and app.status not in (READY, READY_LEXICAL) and time.monotonic() < deadline:
            await pilot.pause(0.01)
        print(f"model {app.status}", flush=True)


def cold_launch(index: str, wait_model: bool, size: tuple[int, int]) -> dict[str, float]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "evals.bench_tui", "--child", "--index", index,
                             "--size", f"{size[0]}x{size[1]}"] + (["--model"] if wait_model else []),
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marks: dict[str, float] = {}
    for line in proc.stdout:
        marks[line.split()[0]] = (time.perf_counter() - t0) * 1000
        if line.startswith("model"):
            marks["status"] = line.split(" ", 1)[1].strip()
    proc.wait()
    if proc.returncode != 0 or "interactive" not in marks:
        raise SystemExit(f"launch failed: {proc.stderr.read()[-800:]}")
    return marks


# -- in process ----------------------------------------------------------------------------------
async def warm_launch(assistant, size: tuple[int, int]) -> float:
    from assistant.tui.app import create_app

    t0 = time.perf_counter()
    app = create_app(assistant=assistant)
    async with app.run_test(size=size) as pilot:
        while app.focused is None:
            await pilot.pause(0.001)
        return (time.perf_counter() - t0) * 1000


async def enter_to_answer(assistant, asked: list[str], size: tuple[int, int],
                          fresh: bool = False) -> tuple[list[float], list[float]]:
    """(Enter → answer painted, engine retrieval total) per question, in ms. Enter is the question
    field's submit action (what the key is bound to), not `pilot.press`, which also waits for the
    app to go idle; "painted" is the first screen refresh after the answer was put on its card.
    The arrival of the answer is caught by wrapping the screen's handler, not by polling, so the
    measuring takes no time from the app's thread. `fresh`: each question starts a new
    conversation (else they pile up in one, as in a long session)."""
    from assistant.tui.app import create_app
    from assistant.tui.screens.main import MainScreen

    answered = asyncio.Event()
    handlers = {name: getattr(MainScreen, name) for name in ("on_search_done", "on_search_failed")}

    def wrap(handler):
        def handle(screen, message):
            handler(screen, message)
            answered.set()
        return handle

    for name, handler in handlers.items():
        setattr(MainScreen, name, wrap(handler))
    on_screen, engine = [], []
    try:
        app = create_app(assistant=assistant)
        async with app.run_test(size=size) as pilot:
            field = app.main.query_one("#question")
            for question in asked:
                if fresh:
                    app.main.chat.clear()
                await pilot.pause()
                field.value = question
                answered.clear()
                painted = asyncio.Event()
                t0 = time.perf_counter()
                await field.action_submit()
                await answered.wait()
                app.call_after_refresh(painted.set)
                await painted.wait()
                on_screen.append((time.perf_counter() - t0) * 1000)
                card = app.main.chat.cards[-1]
                if card.answer is not None:
                    engine.append(float(card.answer.timing_ms.get("total", 0.0)))
    finally:
        for name, handler in handlers.items():
            setattr(MainScreen, name, handler)
    return on_screen, engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="cold and warm launches (default 5)")
    parser.add_argument("--questions", type=int, default=20, help="questions from evals/dev.jsonl (default 20)")
    parser.add_argument("--index", help="index folder to use (default: a fresh one in a temp folder)")
    parser.add_argument("--model", action="store_true", help=argparse.SUPPRESS)  # child: wait for the model
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", default="80x24", help=argparse.SUPPRESS)  # child: terminal size
    parser.add_argument("--json", metavar="FIL", help="write the numbers as JSON")
    args = parser.parse_args(argv)
    if args.child:
        width, height = (int(n) for n in args.size.split("x"))
        asyncio.run(_child_launch(args.index, args.model, (width, height)))
        return 0

    from assistant.service import Assistant, load_encoder_or_notice

    tmp = tempfile.TemporaryDirectory(prefix="avtale-bench-tui-")
    index = args.index or str(Path(tmp.name) / "index")
    t0 = time.perf_counter()
    lexical = Assistant.open(ROOT / "corpus", index, use_encoder=False)
    print(f"Index ready in {time.perf_counter() - t0:.1f} s ({index}); {os.cpu_count()} CPU(s)")
    results: dict = {"cpus": os.cpu_count(), "rows": []}

    encoder, notice = load_encoder_or_notice()
    modes = [("ordsøk", lexical)]
    if encoder is not None and lexical.index.vectors is not None:
        modes.append(("hybrid", Assistant.open(ROOT / "corpus", index, encoder=encoder)))
    elif encoder is None:
        print(f"\n(no language model: {notice})")
    else:
        print("\n(the index has no vectors: pass --index with a hybrid index to time the hybrid path)")
    asked = questions(args.questions)
    for size in SIZES:
        at = f"{size[0]}×{size[1]}"
        print(f"\nLaunch at {at} (fresh process: Python start, imports, first frame, question field focused)")
        launches = [cold_launch(index, False, size) for _ in range(args.runs)]
        results["rows"].append(summary(f"launch → interactive, {at}", [m["interactive"] for m in launches]))
        results["rows"].append(summary(f"launch → word search ready, {at}", [m["word-search"] for m in launches]))
        warm = [asyncio.run(warm_launch(lexical, size)) for _ in range(args.runs)]
        results["rows"].append(summary(f"warm launch → interactive (in process), {at}", warm))
        if len(modes) > 1:
            with_model = [cold_launch(index, True, size) for _ in range(args.runs)]
            results["rows"].append(summary(f"launch → language model ready, {at}", [m["model"] for m in with_model]))
            print(f"  (status then: {with_model[-1].get('status')})")
        for label, assistant in modes:
            print(f"\nEnter → answer on screen at {at}, {label} ({len(asked)} questions from evals/dev.jsonl)")
            asyncio.run(enter_to_answer(assistant, asked[:2], size))  # warm up caches
            for fresh, kind in ((True, "new conversation each"), (False, "one long conversation")):
                on_screen, engine = asyncio.run(enter_to_answer(assistant, asked, size, fresh))
                overhead = [s - e for s, e in zip(on_screen, engine)]
                print(f" {kind}:")
                results["rows"].append(summary(f"Enter → answer on screen ({label}, {at})", on_screen))
                results["rows"].append(summary(f"engine retrieval total ({label}, {at})", engine))
                results["rows"].append(summary(f"app overhead after retrieval ({label}, {at})", overhead))

    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
