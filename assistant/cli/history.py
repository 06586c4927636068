"""Opt-in question history: off unless the user turns it on.

Clinicians type patient details, so by default nothing a user asks, and no answer, is ever
written to disk. With `history = true` in the configuration, each question asked with
`avtale ask` is appended as one JSON line to `history.jsonl` in the user's data folder (or the
file named by `AVTALE_HISTORY`), created readable by the user alone (0600). Answers are never
stored. `avtale history` lists the questions; `avtale history --clear` deletes the file.
"""

from __future__ import annotations

import json
import os
import time
import unicodedata
from pathlib import Path

from assistant.cli.output import note, say
from assistant.errors import UsageError

FILE_NAME = "history.jsonl"
MAX_STORED_CHARS = 2000  # the same cut as the search (retrieve.MAX_QUESTION_CHARS)


def history_file() -> Path:
    """Where the history lives: AVTALE_HISTORY, else the user's data folder (resolved now)."""
    if env := os.environ.get("AVTALE_HISTORY"):
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("avtale")) / FILE_NAME


def enabled() -> bool:
    """True only when the configuration asks for a history. A configuration that cannot be
    read keeps the history off: failing closed is the private choice."""
    from assistant.config import load_settings

    try:
        return load_settings().history
    except UsageError:
        return False


def _plain(text: str) -> str:
    """One line without control characters, so listing the history never replays terminal
    escape sequences someone typed or pasted."""
    kept = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return " ".join(kept.split())[:MAX_STORED_CHARS]


def record(question: str) -> str | None:
    """Append the question to the history file; on failure return a Norwegian notice instead
    of raising (the answer has already been given and must not be lost over this)."""
    path = history_file()
    row = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "question": _plain(question)}, ensure_ascii=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            if os.fstat(fd).st_mode & 0o077:  # a file made by hand or another tool: tighten it
                os.fchmod(fd, 0o600)
            os.write(fd, (row + "\n").encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as exc:
        return f"Kunne ikke lagre spørsmålet i historikken {path} ({exc.strerror or exc})."
    return None


def entries(path: Path | None = None) -> tuple[list[dict], int]:
    """The stored questions, oldest first, and how many lines could not be read."""
    path = path or history_file()
    if not path.is_file():
        return [], 0
    rows, broken = [], 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append({"time": str(row.get("time", "")), "question": _plain(str(row["question"]))})
        except (ValueError, KeyError, TypeError, AttributeError):
            broken += 1
    return rows, broken


def clear(path: Path | None = None) -> int:
    """Delete the history file; return how many questions it held."""
    path = path or history_file()
    if not path.exists() and not path.is_symlink():
        return 0
    count = len(entries(path)[0]) if path.is_file() else 0
    path.unlink()
    return count


def cmd_history(args) -> int:
    from assistant.paths import config_file

    path = history_file()
    if args.clear:
        existed = path.exists() or path.is_symlink()
        try:
            count = clear(path)
        except OSError as exc:
            raise UsageError(f"Kunne ikke slette historikken {path} ({exc.strerror or exc}).") from None
        say(f"Slettet historikken ({count} spørsmål) i {path}." if existed else "Ingen historikk å slette.", one_line=True)
        return 0
    try:
        rows, broken = entries(path)
    except OSError as exc:
        raise UsageError(f"Kunne ikke lese historikken {path} ({exc.strerror or exc}).") from None
    if not enabled():
        say(f"Historikken er av: ingen spørsmål lagres. Slå den på med «history = true» i {config_file()}.",
            err=bool(rows), one_line=True)
    if not rows:
        if enabled():
            say(f"Historikken er tom ({path}).", one_line=True)
        return 0
    for row in rows:
        say(f"{row['time'].replace('T', ' ')}  {row['question']}", one_line=True)
    if broken:
        note(f"{broken} linjer i {path} kunne ikke leses.")
    return 0
