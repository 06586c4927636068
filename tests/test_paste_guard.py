"""A paste that holds terminal escapes reaches the question field whole and in order, however
the terminal splits it between reads; keys outside a paste are untouched."""

from __future__ import annotations

import pytest
from textual import events

from assistant.tui.paste_guard import END, START, PasteFilter, install

TEXT = "Kven skal sende \x1b[31mepikrise\x1b[0m til fastlegen?\x1b]0;tittel\x07 Og når?"
CLEAN = "Kven skal sende epikrise til fastlegen? Og når?"


def _feed_in_pieces(data: str, size: int) -> list:
    from textual._xterm_parser import XTermParser

    install()
    parser = XTermParser()
    out = []
    for start in range(0, len(data), size):
        out.extend(parser.feed(data[start:start + size]))
    return out


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 1000])
def test_a_paste_with_escapes_is_one_paste_in_order(size):
    """Before the guard, Textual's parser sent "[31mepikrise…" as keys ahead of the paste."""
    events_ = _feed_in_pieces(f"abc{START}{TEXT}{END}x", size)
    pastes = [e.text for e in events_ if isinstance(e, events.Paste)]
    keys = [e.character for e in events_ if isinstance(e, events.Key)]
    assert pastes == [CLEAN]
    assert keys == ["a", "b", "c", "x"]


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 6, 1000])
def test_the_filter_passes_keys_and_markers_and_drops_escapes_inside_a_paste(size):
    guard = PasteFilter()
    data = f"\x1b[A{START}{TEXT}{END}\x1b[B{START}ren tekst{END}"
    passed = "".join(guard(data[i:i + size]) for i in range(0, len(data), size))
    assert passed == f"\x1b[A{START}{CLEAN}{END}\x1b[B{START}ren tekst{END}"
    assert not guard.in_paste


def test_a_lone_escape_key_outside_a_paste_is_passed_at_once():
    """Esc empties the question field: it must not wait for the next key."""
    guard = PasteFilter()
    assert guard("\x1b") == "\x1b"
    assert guard("q") == "q"
