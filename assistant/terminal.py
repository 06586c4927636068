"""What text may reach a terminal: the one place that decides it, for every surface.

Documents, file names and questions come from outside. Printed raw, an escape sequence in them
would move the cursor, erase part of a line or retitle the window: a line reading "innen 24
timer" in the document could show as "innen 14 dager". So every character that can move a
terminal's cursor or change its state is made visible before it is printed, by the CLI, in
error messages and in the app:

- C0 controls and DEL (ESC, BEL, backspace, carriage return …) become their Unicode control
  pictures (ESC → ␛), so "\\x1b[2K" shows as "␛[2K": harmless, and the attempt stays visible;
- C1 controls (U+0080–U+009F; U+009B is a one-character CSI), bidirectional overrides and
  isolates (which reorder what is shown) and lone surrogates (bytes that were not UTF-8, which
  cannot even be written out) become U+FFFD.

Each character becomes exactly one character, so text wraps the same before and after.
Newline and tab are kept, unless the text must stay on one line (a message, a file name).
JSON output keeps every character but writes these as \\u escapes (`json_text`).
"""

from __future__ import annotations

import json
import re

REPLACEMENT = "\ufffd"
# Bidirectional formatting: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069),
# the marks (U+200E, U+200F) and the Arabic letter mark (U+061C).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
_UNSAFE_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")


def _picture(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟: ESC is ␛, newline ␊, tab ␉
    if code == 0x7F:
        return "\u2421"  # ␡
    return REPLACEMENT


def visible(text: str | None, one_line: bool = False) -> str:
    """`text` with every character that could move the cursor or change the terminal's state
    made visible; with `one_line`, newlines and tabs too."""
    if not text:
        return ""
    return (_UNSAFE_ONE_LINE if one_line else _UNSAFE).sub(_picture, text)


def _escape(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    return "\\ufffd" if 0xD800 <= code <= 0xDFFF else f"\\u{code:04x}"


def json_text(data, indent: int | None = None) -> str:
    """`data` as JSON with its text as written (ensure_ascii off), except the characters
    `visible` would change, which are written as \\u escapes: the same data for a program, and
    nothing a terminal acts on when a person prints it. A lone surrogate becomes U+FFFD, so the
    output is always valid UTF-8."""
    return _UNSAFE.sub(_escape, json.dumps(data, ensure_ascii=False, indent=indent))
