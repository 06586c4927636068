"""Sentence boundaries in Norwegian agreement text, aware of the abbreviations it uses.

A full stop followed by a capital ends a sentence, except after an abbreviation that the
documents put before a capital ("jf. Helse- og omsorgstjenesteloven", "pkt. 4.2", "nr. 5",
"f.eks. Tromsø"): cutting there turned one duty into two fragments.
"""

from __future__ import annotations

import re

# Abbreviations that do not end a sentence. "osv.", "mv." and "etc." often do, so they are not here.
ABBREVIATIONS = frozenset({
    "jf", "jfr", "jmf", "pkt", "nr", "ca", "kap", "bl.a", "f.eks", "dvs", "evt", "ref", "kl", "tlf",
    "iht", "ift", "vedr", "avd", "ang", "pr", "s", "st", "dr", "prof", "mht", "vs",
})
# A stop the PDF's text lost the space after ("… tilgjengelig.Helseforetak har ansvar …") ends a
# sentence too when a lower-case word stands before it and a capitalised word after it.
_BOUNDARY = re.compile(r"[.!?](?:\s+(?=[A-ZÆØÅ«\"(•–])|(?<=[a-zæøå]{3}[.!?])(?=[A-ZÆØÅ][a-zæøå]{2}))")
# A "sentence" longer than this (the bundled corpus's longest passage has 1,275 characters) is
# cut into pieces at spaces: each later step (duty rows, the answer card's features) reads a
# sentence with patterns whose work grows faster than its length, so its length is bounded here.
MAX_SENTENCE_CHARS = 2_000


def sentence_ends(text: str) -> list[int]:
    """Offsets where each sentence after the first begins."""
    starts = []
    for match in _BOUNDARY.finditer(text):
        # Only the end of the text before the stop: the word an abbreviation would be.
        if text[match.start()] == "." and _is_abbreviation(text[max(0, match.start() - 32): match.start() + 1]):
            continue
        if match.end() - match.start() == 1 and _in_address(text, match.start()):
            continue  # "www.Helsenorge.no", "post@Unn.no": an address, not two sentences
        starts.append(match.end())
    return starts


def split_sentences(text: str, newlines: bool = False) -> list[str]:
    """The sentences of `text`, in order; with `newlines`, a line break also ends one."""
    parts = text.split("\n") if newlines else [text]
    out = []
    for part in parts:
        bounds = [0, *sentence_ends(part), len(part)]
        for a, b in zip(bounds, bounds[1:]):
            out.extend(_pieces(part[a:b].strip()))
    return [s for s in out if s]


def _pieces(sentence: str) -> list[str]:
    """The sentence, or, past MAX_SENTENCE_CHARS, its pieces cut at the last space before the
    limit (or at the limit, in a text without spaces)."""
    pieces = []
    while len(sentence) > MAX_SENTENCE_CHARS:
        cut = sentence.rfind(" ", MAX_SENTENCE_CHARS // 2, MAX_SENTENCE_CHARS)
        cut = cut if cut > 0 else MAX_SENTENCE_CHARS
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    pieces.append(sentence)
    return pieces


ADDRESS_REACH = 80  # characters looked at either side of a stop for the address it may be in


def _in_address(text: str, stop: int) -> bool:
    """Whether the stop at `stop` lies inside a web or mail address (a run without spaces).
    Only ADDRESS_REACH characters either side are read: a text of one endless "word" stays linear."""
    low, high = max(0, stop - ADDRESS_REACH), min(len(text), stop + ADDRESS_REACH)
    start = max(text.rfind(" ", low, stop), text.rfind("\n", low, stop), low - 1) + 1
    end = min((i for i in (text.find(" ", stop, high), text.find("\n", stop, high)) if i >= 0), default=high)
    token = text[start:end].lower()
    return "www" in token or "://" in token or "@" in token or re.search(r"\.(?:no|com|org|net)\b", token) is not None


def _is_abbreviation(head: str) -> bool:
    """Whether the word ending `head` (with its full stop) is an abbreviation."""
    tokens = head.rsplit(None, 1)
    word = tokens[-1].lower().lstrip("(").removesuffix(".") if tokens else ""
    return word in ABBREVIATIONS or re.fullmatch(r"(?:[a-zæøå]\.)+[a-zæøå]", word) is not None
