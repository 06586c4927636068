"""The user's route without a checkout: build a wheel, install it into a fresh virtual
environment, and with an empty home folder, from a folder outside the checkout, run what a
user runs: `avtale doctor`, `avtale ask --json` (the first one builds the index, with a progress
bar), `avtale ingest` of a small document and an `ask` that finds it, a second index folder
that reuses the cached vectors, and the app itself in a terminal. Nothing may be written
outside the user's data and cache folders.

Marked `install`: it needs pip to reach a package index (PyPI or a mirror) and takes 2–3
minutes, most of it pip installing torch. `make test` (and so CI) runs it; deselect it with
`-m "not install"`. The venv is genuinely fresh (no --system-site-packages), so a dependency
missing from pyproject.toml or a file missing from the wheel fails here.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.install, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "venv", "index", "build", "dist", "*.egg-info", "__pycache__",
                                    ".pytest_cache", ".hypothesis", "snapshot_report.html")
ROUTINE = """Rutine for kveldsvakt ved Fjellheim sykestue

1. Formål
Rutinen beskriver hvordan kveldsvakten melder fra om innleggelser.

2. Ansvar
Kveldsvakten skal ringe koordinerende enhet i Fjellheim kommune innen klokken 21 når en pasient
legges inn etter klokken 16.
"""


def run(argv, *, env, cwd, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A wheel of this checkout installed into a fresh venv; returns its bin folder."""
    base = tmp_path_factory.mktemp("installed")
    source = base / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)  # so the build leaves nothing in the checkout
    pip_env = {k: v for k, v in os.environ.items() if not k.startswith("AVTALE_")}
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-w", base / "dist",
                 source], env=pip_env, cwd=base)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel = next((base / "dist").glob("avtale-*.whl"))
    made = run([sys.executable, "-m", "venv", base / "venv"], env=pip_env, cwd=base)
    assert made.returncode == 0, made.stderr
    bin_dir = base / "venv" / "bin"
    started = time.monotonic()
    # --no-compile: Python compiles what it imports on first use; byte-compiling all of torch
    # up front took about a third of the install.
    installed = run([bin_dir / "python", "-m", "pip", "install", "--disable-pip-version-check", "--no-compile",
                     "torch==2.13.0", wheel], env=pip_env, cwd=base)
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    print(f"\npip install of the wheel into a fresh venv: {time.monotonic() - started:.0f} s")
    return bin_dir


@pytest.fixture
def user(tmp_path) -> dict:
    """An empty home folder and a working folder outside the checkout; the environment of a
    user who has set nothing (no AVTALE_* or XDG_* variables), offline."""
    home, work = tmp_path / "hjem", tmp_path / "arbeid"
    home.mkdir()
    work.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TERM": "xterm-256color"}
    return {"home": home, "work": work, "env": env}


def test_a_wheel_in_a_fresh_venv_with_an_empty_home_does_the_users_job(installed, user):
    avtale, env, work, home = installed / "avtale", user["env"], user["work"], user["home"]

    doctor = run([avtale, "doctor"], env=env, cwd=work)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "FEIL" not in doctor.stdout and "Traceback" not in doctor.stderr
    assert "kopieres til" in doctor.stdout and "ved første bruk" in doctor.stdout

    question = "Hvem sender tidligmelding ved innleggelse?"
    first = run([avtale, "ask", "--json", question], env=env, cwd=work)
    assert first.returncode == 0, first.stderr[-2000:]
    answer = json.loads(first.stdout)
    assert "tidligmelding" in answer["answer"].lower()
    assert answer["excerpts"] and all(e["source_file"].startswith("corpus/") for e in answer["excerpts"])
    assert "encode" in answer["timing_ms"]  # the language model answered, not word search alone
    assert "Bygger indeks: språkmodell" in first.stderr and "igjen" in first.stderr  # the progress bar

    (work / "rutine.txt").write_text(ROUTINE, encoding="utf-8")
    ingest = run([avtale, "ingest", "rutine.txt", "--title", "Rutine for kveldsvakt"], env=env, cwd=work)
    assert ingest.returncode == 0, ingest.stderr
    found = run([avtale, "ask", "--json", "Når må kveldsvakten ringe koordinerende enhet?"], env=env, cwd=work)
    assert found.returncode == 0, found.stderr[-2000:]
    assert json.loads(found.stdout)["excerpts"][0]["source_file"] == "corpus/rutine.txt"

    # a second index folder over the same corpus takes every vector from the user's cache
    second = run([avtale, "index", "--index", work / "indeks-2"], env=env, cwd=work)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "språkmodell" not in second.stderr  # nothing was encoded
    print(f"\nsecond index folder: {second.stdout.strip()}")

    ready, answered, code = drive_app([str(avtale)], env, work, question, b"Retningslinje 2")
    assert ready and answered and code == 0, (ready, answered, code)

    written = {p.relative_to(home).parts[:3] for p in home.rglob("*") if p.is_file()}
    assert written and written <= {(".local", "share", "avtale"), (".cache", "avtale", "index"),
                                   (".cache", "avtale", "vectors")}, written
    assert sorted(p.name for p in work.iterdir()) == ["indeks-2", "rutine.txt"]


def drive_app(argv: list[str], env: dict, cwd: Path, question: str, expect: bytes) -> tuple[bool, bool, int | None]:
    """Open the real app in an 80×24 pseudo-terminal, wait until it is ready, ask, quit
    (ctrl+q twice: the first asks before the conversation is lost). Returns (ready, answered,
    exit code)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the app
        os.chdir(cwd)
        os.execve(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    shown = b""

    def wait_for(pattern: bytes, seconds: float) -> bool:
        nonlocal shown
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return False
                if not chunk:
                    return False
                shown += chunk
                if re.search(pattern, re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", shown)):
                    return True
        return False

    reaped = False
    try:
        ready = wait_for(rb"Klar", 120)
        os.write(fd, question.encode("utf-8") + b"\r")
        answered = wait_for(expect, 60)
        os.write(fd, b"\x11")  # ctrl+q: the app asks before it discards the conversation …
        wait_for(rb"(?!)", 1.0)
        os.write(fd, b"\x11")  # … and a second ctrl+q quits
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                reaped = True
                return ready, answered, os.waitstatus_to_exitcode(status)
            wait_for(rb"(?!)", 0.2)  # matches nothing: keeps reading, so the app never blocks writing
        return ready, answered, None
    finally:
        if not reaped:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)
