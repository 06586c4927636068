"""Everything the CLI prints goes through here, so no character from a document, a file name or
a question can move the terminal's cursor or change its state (see `assistant.terminal`).
tests/test_attack.py checks that no other module of the CLI calls print()."""

from __future__ import annotations

import sys

from assistant.terminal import json_text, visible


def say(text: str = "", *, err: bool = False, one_line: bool = False, flush: bool = False) -> None:
    """Print `text` on standard output (or standard error), made safe for a terminal. A message
    (`one_line`) also shows a newline or tab inside it as a symbol, so it stays one line."""
    print(visible(text, one_line=one_line), file=sys.stderr if err else sys.stdout, flush=flush)


def note(text: str) -> None:
    """'Merk: …' on standard error: something the user should know, on one line."""
    say(f"Merk: {text}", err=True, one_line=True)


def say_json(data, indent: int | None = None, flush: bool = False) -> None:
    """Print `data` as JSON: every character kept, the unsafe ones as \\u escapes."""
    print(json_text(data, indent=indent), flush=flush)
