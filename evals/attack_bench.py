"""Worst cases for ingest: how long `avtale ingest` takes on the largest and most hostile files
inside the size limits, each added to a fresh copy of the bundled corpus in its own process.

    python -m evals.attack_bench [--only NAME] [--json out.json]

The target (issue 18): every file up to the size limit is added or refused within 60 s.
Each line gives the case, the wall time, the exit code (0 added, 3 refused) and the message.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from assistant.corpus.load import MAX_FILE_BYTES, MAX_LINES, MAX_TEXT_CHARS  # noqa: E402
from assistant.corpus.pdf import MAX_PDF_PAGES  # noqa: E402
from evals import hostile  # noqa: E402

MB = 1024 * 1024
CHARS = MAX_TEXT_CHARS - 100_000  # just under the limit
TARGET_SECONDS = 60


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _pdf_pages(path: Path, pages: int, text: str) -> Path:
    path.write_bytes(hostile.agreement_pdf(text, pages))
    return path


CASES = {
    "text: 20 M characters of agreement (largest accepted)": lambda d: hostile.agreement_text(d / "stor.txt", CHARS),
    "text: 50 MB file (size limit), too many characters": lambda d: hostile.agreement_text(d / "femti.txt", MAX_FILE_BYTES - 4096),
    "text: one word of 20 M letters": lambda d: hostile.one_word_text(d / "ord.txt", CHARS - 20),
    "text: one line of 20 M dots and a letter": lambda d: _text(d / "prikker.txt", "Innhold\n" + "." * (CHARS - 20) + "x\n"),
    "text: one line of 20 M digits": lambda d: _text(d / "sifre.txt", "Kommunen skal " + "7" * (CHARS - 20) + "\n"),
    "text: 5 M lines of '1.'": lambda d: _text(d / "nummer.txt", "1.\n" * 5_000_000),
    "text: 499,999 short lines (line limit)": lambda d: _text(d / "linjer.txt", "Kommunen skal svare.\n" * (MAX_LINES - 1)),
    "text: 240,000 numbered sections": lambda d: _text(
        d / "seksjoner.txt", "".join(f"{i // 100 + 1}.{i % 100 + 1} Del {i}\nKommunen skal svare innen {i % 48 + 1} timer.\n"
                                     for i in range(240_000))),
    "pdf: 3,000 pages drawing one 70 MB stream": lambda d: hostile.shared_stream_pdf(d / "delt.pdf", MAX_PDF_PAGES, 70 * MB),
    "pdf: 3,000 pages drawing one 21 KB stream of text operations":
        lambda d: hostile.shared_stream_pdf(d / "tegn.pdf", MAX_PDF_PAGES, 21_000),
    "pdf: one page of 8 MB of text operations": lambda d: hostile.shared_stream_pdf(d / "side.pdf", 1, 8 * MB),
    "pdf: 3,000 pages of ordinary text (page limit)":
        lambda d: _pdf_pages(d / "tusen.pdf", MAX_PDF_PAGES, "1. Formål\n" + "UNN skal sende epikrise innen 24 timer. " * 60),
}


def measure(name: str, make, work: Path) -> dict:
    case = work / "case"
    case.mkdir()
    corpus = work / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    try:
        path = make(case)
        size = path.stat().st_size
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "AVTALE_CONFIG": str(work / "config.toml")}
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "assistant", "ingest", str(path), "--corpus", str(corpus)],
                              capture_output=True, text=True, env=env, cwd=ROOT)
        seconds = time.perf_counter() - t0
    finally:
        shutil.rmtree(case, ignore_errors=True)
        shutil.rmtree(corpus, ignore_errors=True)
    message = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
    return {"case": name, "bytes": size, "seconds": round(seconds, 1), "exit": proc.returncode,
            "message": (message[0] if message else "")[:220],
            "traceback": "Traceback" in proc.stderr, "uventet_feil": "uventet feil" in proc.stderr}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="run only the cases whose name contains this")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="avtale-attack-") as tmp:
        for name, make in CASES.items():
            if args.only and args.only not in name:
                continue
            row = measure(name, make, Path(tmp))
            rows.append(row)
            print(f"{row['seconds']:6.1f} s  exit {row['exit']}  {name}: {row['message']}", flush=True)
    worst = max(rows, key=lambda r: r["seconds"])
    bad = [r for r in rows if r["traceback"] or r["uventet_feil"] or r["exit"] not in (0, 3)]
    print(f"\nverste: {worst['seconds']} s ({worst['case']}); mål ≤ {TARGET_SECONDS} s; "
          f"{len(bad)} med traceback, «uventet feil» eller uventet kode")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if worst["seconds"] <= TARGET_SECONDS and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
