"""A pasted text that holds terminal escapes arrives as one paste, in the order it was copied.

Textual's input parser reads an escape sequence inside a bracketed paste as key presses and
sends them ahead of the paste they stood in: "Kven skal \\x1b[31mRØD …" reached the question
field as "^[31mRØD …Kven skal". Text copied from a terminal or a record system may carry such
bytes; they are never meant as keys. The guard removes escape sequences between a paste's start
and end markers before the parser reads them. Keys typed outside a paste pass untouched, and
nothing is held back there (a lone Esc must act at once); inside a paste, an escape sequence
or end marker split between two reads is held until the rest arrives.
"""

from __future__ import annotations

import re

START = "\x1b[200~"
END = "\x1b[201~"
# A complete escape sequence: CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), or a
# two-byte escape.
_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\^_])")
_ESC = "\x1b"


class PasteFilter:
    """Feed it every chunk the terminal sends, in order; it returns what the parser should read."""

    def __init__(self) -> None:
        self.in_paste = False
        self._held = ""  # inside a paste: the start of an escape sequence not yet complete
        self._tail = ""  # outside a paste: the last characters passed, to see a split start marker

    def __call__(self, data: str) -> str:
        out: list[str] = []
        if self.in_paste:
            data = self._held + data
            self._held = ""
        else:
            # A start marker split between reads: its first part has gone to the parser already.
            seen = self._tail + data
            at = seen.find(START)
            if 0 <= at < len(self._tail):
                passed = len(self._tail) - at  # characters of the marker already sent
                out.append(data[:len(START) - passed])
                data = data[len(START) - passed:]
                self.in_paste = True
        while data:
            if not self.in_paste:
                at = data.find(START)
                if at < 0:
                    out.append(data)
                    break
                out.append(data[:at + len(START)])
                data = data[at + len(START):]
                self.in_paste = True
                continue
            at = data.find(END)
            if at >= 0:
                out.append(_clean(data[:at]) + END)
                data = data[at + len(END):]
                self.in_paste = False
                continue
            body, self._held = _split_incomplete(data)
            out.append(_clean(body))
            break
        passed = "".join(out)
        self._tail = (self._tail + passed)[-(len(START) - 1):] if not self.in_paste else ""
        return passed


def _split_incomplete(data: str) -> tuple[str, str]:
    """(text to pass, the escape sequence at its end that is not complete yet)."""
    last = data.rfind(_ESC)
    if last < 0 or _SEQUENCE.match(data, last) or len(data) - last > 64:
        return data, ""
    return data[:last], data[last:]


def _clean(text: str) -> str:
    return _SEQUENCE.sub("", text).replace(_ESC, "")


def install() -> bool:
    """Put the guard in front of Textual's terminal input parser (every parser made after
    this call). False when this Textual has no such parser; the app then runs without it."""
    try:
        from textual._xterm_parser import XTermParser
    except ImportError:
        return False
    if getattr(XTermParser.feed, "_avtale_paste_guard", False):
        return True
    original = XTermParser.feed

    def feed(self, data: str):
        guard = self.__dict__.get("_avtale_paste_filter")
        if guard is None:
            guard = self.__dict__["_avtale_paste_filter"] = PasteFilter()
        passed = guard(data)
        if data and not passed:
            return ()  # all held for the next read; an empty feed would tell the parser "end of input"
        return original(self, passed)

    feed._avtale_paste_guard = True
    XTermParser.feed = feed
    return True
