"""Speed benchmark: cold `avtale ask`, warm per-question latency, index build time (fresh and
unchanged), peak memory, and how build time and query latency grow at 10× and 100× corpus size.

    python -m evals.bench [--quick] [--scales 10,100] [--json out.json]

The scale runs copy every source file N times under new names, and the questions file with
them. Their passages and questions are identical to the bundled ones, so their vectors come from
the vector cache (no re-encoding): those numbers measure structuring, word index, faiss and
search, with encoding cost shown by the fresh build. The run has a vector cache of its own
(AVTALE_CACHE in a temp folder), so the fresh build is fresh whatever the user's cache holds.
The fresh build reads the stored questions' vectors from the corpus's seed, as a user's first
build does; it is measured again without the seed (every text encoded: the cost of a corpus
that brings none).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.search.questions import SEED_NAME

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return round(ordered[k], 1)


def run(cmd: list[str], env: dict) -> tuple[float, str]:
    seconds, stdout, _ = run_measured(cmd, env)
    return seconds, stdout


def run_measured(cmd: list[str], env: dict) -> tuple[float, str, float]:
    """Wall seconds, stdout and this command's own peak RSS in MB (RUSAGE_CHILDREN would give
    the largest of every child so far, such as the build before it)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t0
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {stderr.strip()[-500:]}")
    return seconds, stdout, round(usage.ru_maxrss / 1024, 1)


def scaled_corpus(source: Path, target: Path, copies: int) -> None:
    """`copies` copies of every source file, each a [[source]] of its own with fresh ids."""
    target.mkdir(parents=True, exist_ok=True)
    manifest = (source / "manifest.toml").read_text(encoding="utf-8")
    blocks = re.split(r"(?m)^(?=\[\[source\]\])", manifest)
    header, sources = blocks[0], blocks[1:]
    out = [header]
    for n in range(copies):
        for block in sources:
            file = re.search(r'^file = "(.+?)"', block, re.M).group(1)
            new_file = f"k{n:03d}-{file}"
            if not (target / new_file).exists():
                os.link(source / file, target / new_file) if _same_fs(source, target) else shutil.copy(source / file, target / new_file)
            text = block.replace(f'file = "{file}"', f'file = "{new_file}"')
            text = re.sub(r'(?m)^(\s*)id = "(.+?)"', lambda m: f'{m.group(1)}id = "k{n:03d}-{m.group(2)}"', text)
            if not re.search(r'(?m)^id = ', text) and "[[source.document]]" not in text:
                text = text.replace(f'file = "{new_file}"', f'file = "{new_file}"\nid = "k{n:03d}-{Path(file).stem}"', 1)
            out.append(text)
    (target / "manifest.toml").write_text("".join(out), encoding="utf-8")
    asked = source / "questions.jsonl"
    if asked.is_file():  # each copy's passages get the bundled questions too (vectors cached)
        lines = [json.loads(line) for line in asked.read_text(encoding="utf-8").splitlines() if line.strip()]
        with (target / "questions.jsonl").open("w", encoding="utf-8") as fh:
            for n in range(copies):
                for row in lines:
                    fh.write(json.dumps(dict(row, doc=f"k{n:03d}-{row['doc']}", section=f"k{n:03d}-{row.get('section', '')}"),
                                        ensure_ascii=False) + "\n")


def _same_fs(a: Path, b: Path) -> bool:
    return os.stat(a).st_dev == os.stat(b.parent if not b.exists() else b).st_dev


def warm_latency(corpus: Path, index: Path, questions: list[str]) -> dict:
    from assistant.service import Assistant

    assistant = Assistant.open(corpus, index)
    timings = {"encode": [], "retrieve": [], "compose": [], "total": []}
    for q in questions:
        answer = assistant.ask(q)
        for key in timings:
            timings[key].append(answer.timing_ms.get(key, 0.0))
    return {k: {"p50": pct(v, 50), "p95": pct(v, 95)} for k, v in timings.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench")
    parser.add_argument("--scales", default="10,100")
    parser.add_argument("--quick", action="store_true", help="skip the fresh build and the 100× run")
    parser.add_argument("--json")
    args = parser.parse_args(argv)

    env = dict(os.environ, HF_HUB_OFFLINE="1")
    corpus = ROOT / "corpus"
    questions = [json.loads(l)["question"] for l in (HERE / "dev.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    report: dict = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                    f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GB, Python {platform.python_version()}"}
    avtale = [sys.executable, "-m", "assistant"]
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        env["AVTALE_CACHE"] = str(Path(tmp) / "vectors")
        if not args.quick:
            secs, _, rss = run_measured(avtale + ["index", "--corpus", str(corpus), "--index", str(index)], env)
            report["build_fresh_s"], report["peak_rss_mb_build"] = round(secs, 1), rss
            unseeded = Path(tmp) / "corpus-unseeded"
            shutil.copytree(corpus, unseeded, ignore=shutil.ignore_patterns(SEED_NAME))
            secs, _, _ = run_measured(avtale + ["index", "--corpus", str(unseeded), "--index", str(Path(tmp) / "index-unseeded")],
                                      dict(env, AVTALE_CACHE=str(Path(tmp) / "vectors-unseeded")))
            report["build_fresh_unseeded_s"] = round(secs, 1)
        else:
            run(avtale + ["index", "--corpus", str(corpus), "--index", str(index)], env)
        secs, _ = run(avtale + ["index", "--corpus", str(corpus), "--index", str(index)], env)
        report["index_unchanged_s"] = round(secs, 2)
        secs, _ = run(avtale + ["index", "--force", "--corpus", str(corpus), "--index", str(index)], env)
        report["rebuild_cached_vectors_s"] = round(secs, 2)
        secs, _ = run(avtale + ["index", "--corpus", str(corpus), "--index", str(Path(tmp) / "index-second")], env)
        report["second_index_folder_s"] = round(secs, 2)
        colds = [run_measured(avtale + ["ask", "Hvem sender tidligmelding ved innleggelse?", "--json", "--corpus",
                                        str(corpus), "--index", str(index)], env) for _ in range(3)]
        report["cold_ask_s"] = round(statistics.median(c[0] for c in colds), 2)
        report["peak_rss_mb_cli"] = max(c[2] for c in colds)
        report["warm_ms"] = warm_latency(corpus, index, questions)
        report["peak_rss_mb_warm"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        scales = [int(s) for s in args.scales.split(",") if s]
        if args.quick:
            scales = [s for s in scales if s <= 10]
        report["scale"] = {}
        for copies in scales:
            big = Path(tmp) / f"corpus-{copies}x"
            scaled_corpus(corpus, big, copies)
            big_index = Path(tmp) / f"index-{copies}x"  # identical passages: vectors from the shared cache
            secs, _ = run(avtale + ["index", "--corpus", str(big), "--index", str(big_index)], env)
            probe = subprocess.run(
                [sys.executable, "-c", _PROBE, str(big), str(big_index), json.dumps(questions[:40])],
                env=env, capture_output=True, text=True,
            )
            if probe.returncode != 0:
                raise SystemExit(probe.stderr[-800:])
            report["scale"][f"{copies}x"] = {"build_s": round(secs, 1), **json.loads(probe.stdout)}
    _print(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


_PROBE = """
import json, resource, sys, time
from evals.bench import warm_latency, pct
from assistant.service import Assistant
t0 = time.perf_counter(); a = Assistant.open(sys.argv[1], sys.argv[2]); load = time.perf_counter() - t0
lat = warm_latency(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))
print(json.dumps({"chunks": len(a.index.chunks), "load_s": round(load, 2), "retrieve_ms": lat["retrieve"],
                  "total_ms": lat["total"], "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


def _print(r: dict) -> None:
    print(f"Benchmark {r['date']} on {r['machine']}")
    if "build_fresh_s" in r:
        print(f"  index build, fresh:                 {r['build_fresh_s']} s (peak RSS {r['peak_rss_mb_build']} MB)")
        print(f"  index build, fresh, no seed:        {r['build_fresh_unseeded_s']} s (every question encoded)")
    print(f"  `avtale index`, nothing changed:    {r['index_unchanged_s']} s")
    print(f"  forced rebuild, cached vectors:     {r['rebuild_cached_vectors_s']} s")
    print(f"  a second index folder, same corpus: {r['second_index_folder_s']} s")
    print(f"  cold `avtale ask --json`:           {r['cold_ask_s']} s (peak RSS {r['peak_rss_mb_cli']} MB)")
    w = r["warm_ms"]
    print(f"  warm per question (ms), p50/p95:    encode {w['encode']['p50']}/{w['encode']['p95']}, "
          f"retrieve {w['retrieve']['p50']}/{w['retrieve']['p95']}, compose {w['compose']['p50']}/{w['compose']['p95']}, "
          f"total {w['total']['p50']}/{w['total']['p95']}  (peak RSS {r['peak_rss_mb_warm']} MB)")
    for name, s in r.get("scale", {}).items():
        print(f"  {name:>4}: {s['chunks']} chunks, build {s['build_s']} s, load {s['load_s']} s, retrieve p50/p95 "
              f"{s['retrieve_ms']['p50']}/{s['retrieve_ms']['p95']} ms, total p50/p95 {s['total_ms']['p50']}/{s['total_ms']['p95']} ms, "
              f"peak RSS {s['peak_rss_mb']} MB")


if __name__ == "__main__":
    sys.exit(main())
