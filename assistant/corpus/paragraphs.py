"""Rejoin a section's cleaned lines into paragraphs and list items, each with the source lines
it came from (the citation of every passage cut from it)."""

from __future__ import annotations

import re

from assistant.corpus.sentences import sentence_ends
from assistant.models import SourceLine

# A line that starts a list item: a bullet, "a)", "a.", "1)", or "1. " before a capital letter.
BULLET = re.compile(r"^(?:[•●▪■◦o\-–*]\s+|[a-z]\)\s*|[a-z]\.\s+|\d{1,2}\)\s+|\d{1,2}\.\s+(?=[A-ZÆØÅ«]))")
_TERMINAL = (".", "!", "?", ":", "»", "”", '"', ")")
# A line ending in a reference word wraps its number onto the next line ("beskrevet i pkt." /
# "7) Kommunen må …"): that number is not a new list item.
_AWAITS_NUMBER = re.compile(r"(?:\b(?:pkt|nr|kap|jf|jfr)\.?|\b(?:punkt|kapittel|retningslinje)|§)$", re.I)


def paragraphs(lines: list[SourceLine]) -> str:
    return "\n".join(text for text, _, _ in paragraph_spans(lines))


def paragraph_spans(lines: list[SourceLine], breaks: set[int] | frozenset = frozenset()) -> list[tuple[str, int, int]]:
    """Rejoin wrapped lines into paragraphs and list items, one per output line.

    A blank line ends a paragraph only where a sentence could end: a blank line between
    "… vurderes med" and "utgangspunkt i …" is a PDF artefact, not a paragraph break.
    A line in `breaks` (a footnote's text) is a paragraph of its own. A very long paragraph
    is cut at sentence ends, so every passage made from it cites its own lines.
    """
    out: list[tuple[str, int, int]] = []
    current, marks = "", []  # marks: (offset in `current`, source line) of each joined line
    pending_blank = False
    for line in lines:
        text = line.text
        if not text:
            pending_blank = True
            continue
        bullet = BULLET.match(text)
        if bullet and text[0].isdigit() and _AWAITS_NUMBER.search(current):
            bullet = None
        starts_new = bullet is not None or not current or line.line in breaks
        if not starts_new and pending_blank:
            starts_new = current.endswith(_TERMINAL) or not (text[0].islower() or _ends_sentence(current, text))
        if starts_new:
            out.extend(_cut_long(current, marks))
            current, marks = (_normalise_bullet(text) if bullet else text), [(0, line.line)]
        else:
            marks.append((len(current) + 1, line.line))
            current = f"{current} {text}"
        pending_blank = False
    out.extend(_cut_long(current, marks))
    return out


LONG_PARAGRAPH = 1000  # characters; longer paragraphs are cut into pieces of about …
PARAGRAPH_PIECE = 700  # … this size (the chunker's target), at sentence ends


def _ends_sentence(current: str, text: str) -> bool:
    """Whether `text`, a short line after a blank line, is the end of the sentence that a long
    wrapped line broke off ("… skal det regionale helseforetaket varsle" / "Helsedirektoratet.")."""
    return len(text.split()) <= 3 and text.endswith(".") and len(current) >= 60 and not current.endswith(_TERMINAL)


def _cut_long(text: str, marks: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """`text` as one paragraph, or cut at sentence ends into pieces of about PARAGRAPH_PIECE
    characters, each with the source lines it came from."""
    if not text:
        return []
    if len(text) <= LONG_PARAGRAPH:
        return [(text, marks[0][1], marks[-1][1])]

    def line_at(offset: int) -> int:
        return next(line for start, line in reversed(marks) if start <= offset)

    starts = [0] + sentence_ends(text)
    pieces: list[list[int]] = []
    for a, b in zip(starts, starts[1:] + [len(text)]):
        if pieces and b - pieces[-1][0] <= PARAGRAPH_PIECE:
            pieces[-1][1] = b
        else:
            pieces.append([a, b])
    out = []
    for a, b in pieces:
        piece = text[a:b].rstrip()
        out.append((piece, line_at(a), line_at(a + len(piece) - 1)))
    return out


def _normalise_bullet(text: str) -> str:
    if re.match(r"^[•●▪■*\-–]\s+", text):
        return "• " + re.sub(r"^[•●▪■*\-–]\s+", "", text)
    if re.match(r"^[o◦]\s+", text):
        return "  – " + re.sub(r"^[o◦]\s+", "", text)
    return text
