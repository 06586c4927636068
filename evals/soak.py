"""Soak run: many questions through one `avtale ask --jsonl` while another process adds documents
and rebuilds the index, reporting answers returned, errors, peak memory and how memory grew.

    python -m evals.soak [--questions 10000] [--rebuilds 2] [--lexical] [--json out.json]

A copy of the bundled corpus and a fresh index go to a temporary folder (the first build
encodes the corpus, about 45 s). One `avtale ask --jsonl` process then answers `--questions`
lines: the dev, held-out and abstention questions in turn, every tenth as a follow-up with its
conversation. When a share of the answers is in, another process runs `avtale ingest` with a new
document (about 150,000 characters, so each build has some 600 new texts to encode) and then
`avtale index`, `--rebuilds` times, evenly spread: the search process keeps answering from the
index it opened while the builds replace it and remove older ones.

Memory is the search process's resident set, read from /proc every 0.2 s. Growth compares
the mean over the last tenth of the run with the mean just after the first tenth (warm-up:
the first questions fill the caches a session keeps).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from evals import hostile  # noqa: E402
from evals.run import load_set  # noqa: E402

REBUILD_CHARS = 150_000  # each added document: about 150 passages and 450 sentences to encode


def questions(n: int) -> list[str]:
    """`n` input lines: the eval sets' questions in turn, every tenth a follow-up (JSON)."""
    asked = [q["question"] for name in ("dev.jsonl", "heldout.jsonl", "abstain.jsonl") for q in load_set(HERE / name)]
    lines = []
    for k in range(n):
        question = asked[k % len(asked)]
        if k % 10 == 9:
            lines.append(json.dumps({"question": "og hva med kommunen?", "history": [question]}, ensure_ascii=False))
        else:
            lines.append(question.replace("\n", " "))
    return lines


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Soak:
    def __init__(self, args, work: Path):
        self.args, self.work = args, work
        self.corpus, self.index = work / "corpus", work / "index"
        self.env = {**os.environ, "AVTALE_CORPUS": str(self.corpus), "AVTALE_INDEX": str(self.index),
                    "AVTALE_CONFIG": str(work / "config.toml"), "AVTALE_CACHE": str(work / "vectors"),
                    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        self.answers = self.errors = self.broken = 0
        self.error_samples: list[str] = []
        self.memory: list[tuple[int, float]] = []  # (answers so far, RSS MB)
        self.rebuilds: list[dict] = []
        self.done = threading.Event()
        self.search_options = ["--lexical"] if args.lexical else []

    def avtale(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "assistant", *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True)

    def prepare(self) -> float:
        self.corpus.mkdir(parents=True)
        for item in (ROOT / "corpus").iterdir():
            if item.is_file():
                shutil.copy2(item, self.corpus / item.name)
        t0 = time.perf_counter()
        built = self.avtale("index", *self.search_options)
        if built.returncode != 0:
            raise SystemExit(f"avtale index failed: {built.stderr[-500:]}")
        return time.perf_counter() - t0

    def rebuild(self, number: int) -> None:
        """Another user adds a document, and the index is built again, while questions flow."""
        doc = self.work / f"tilleggsavtale-{number}.txt"
        hostile.agreement_text(doc, REBUILD_CHARS)
        text = doc.read_text(encoding="utf-8").replace("Samarbeidsavtale for hele regionen",
                                                       f"Tilleggsavtale nummer {number} om samarbeid")
        doc.write_text(text.replace("Kapittel", f"Kapittel {number}-"), encoding="utf-8")
        started, at = time.perf_counter(), self.answers
        ingested = self.avtale("ingest", str(doc))
        built = self.avtale("index", *self.search_options)
        self.rebuilds.append({
            "at_answer": at, "ingest_exit": ingested.returncode, "index_exit": built.returncode,
            "seconds": round(time.perf_counter() - started, 1), "answers_meanwhile": self.answers - at,
            "stderr": (ingested.stderr + built.stderr).strip()[-300:] if ingested.returncode or built.returncode else "",
        })

    def run(self) -> dict:
        build_seconds = self.prepare()
        lines = questions(self.args.questions)
        cmd = [sys.executable, "-m", "assistant", "ask", "--jsonl", *self.search_options]
        proc = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, encoding="utf-8")

        def feed():
            for line in lines:
                proc.stdin.write(line + "\n")
            proc.stdin.close()

        def watch():
            while not self.done.is_set():
                if (mb := rss_mb(proc.pid)) is not None:
                    self.memory.append((self.answers, mb))
                time.sleep(0.2)

        marks = [round(len(lines) * (k + 1) / (self.args.rebuilds + 1)) for k in range(self.args.rebuilds)]
        rebuilder = None
        threading.Thread(target=feed, daemon=True).start()
        threading.Thread(target=watch, daemon=True).start()
        t0 = time.perf_counter()
        for out in proc.stdout:
            try:
                row = json.loads(out)
            except ValueError:
                self.broken += 1
                continue
            if "error" in row:
                self.errors += 1
                if len(self.error_samples) < 5:
                    self.error_samples.append(row["error"])
            elif isinstance(row.get("excerpts"), list):
                self.answers += 1
            else:
                self.broken += 1
            seen = self.answers + self.errors + self.broken
            if seen % 1000 == 0:
                print(f"{seen} svar, {self.errors} feil, {len(self.rebuilds)} nybygg ferdig", file=sys.stderr, flush=True)
            if marks and seen >= marks[0] and (rebuilder is None or not rebuilder.is_alive()):
                marks.pop(0)
                rebuilder = threading.Thread(target=self.rebuild, args=(len(self.rebuilds) + 1,))
                rebuilder.start()
        seconds = time.perf_counter() - t0
        exit_code = proc.wait()
        stderr = proc.stderr.read()
        self.done.set()
        if rebuilder is not None:
            rebuilder.join()
        return self.report(len(lines), seconds, exit_code, stderr, build_seconds)

    def report(self, asked: int, seconds: float, exit_code: int, stderr: str, build_seconds: float) -> dict:
        tenth = max(1, asked // 10)
        warm = [mb for n, mb in self.memory if tenth <= n < 2 * tenth] or [mb for _, mb in self.memory]
        late = [mb for n, mb in self.memory if n >= asked - tenth] or [self.memory[-1][1]]
        start, end = statistics.mean(warm), statistics.mean(late)
        return {
            "questions": asked, "answered": self.answers, "errors": self.errors, "broken_lines": self.broken,
            "error_samples": self.error_samples, "exit_code": exit_code,
            "tracebacks": stderr.count("Traceback"), "uventet_feil": stderr.count("uventet feil"),
            "seconds": round(seconds, 1), "questions_per_second": round(asked / seconds, 1),
            "first_build_seconds": round(build_seconds, 1),
            "rss_mb": {"after_warmup": round(start, 1), "end": round(end, 1),
                       "peak": round(max(mb for _, mb in self.memory), 1)},
            "memory_growth_percent": round(100 * (end - start) / start, 1),
            "rebuilds": self.rebuilds, "lexical": self.args.lexical,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--rebuilds", type=int, default=2)
    parser.add_argument("--lexical", action="store_true", help="word search only (no language model)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpus and index")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="avtale-soak-"))
    try:
        report = Soak(args, work).run()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    ok = (report["answered"] == report["questions"] and not report["tracebacks"] and not report["uventet_feil"]
          and all(r["ingest_exit"] == 0 and r["index_exit"] == 0 and r["answers_meanwhile"] > 0
                  for r in report["rebuilds"])
          and len(report["rebuilds"]) == args.rebuilds and report["memory_growth_percent"] <= 10)
    print(f"\n{report['answered']}/{report['questions']} besvart, {report['errors']} feil, "
          f"{len(report['rebuilds'])} nybygg under kjøringen, topp {report['rss_mb']['peak']} MB, "
          f"vekst {report['memory_growth_percent']} %: {'OK' if ok else 'IKKE OK'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
