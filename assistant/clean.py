"""Clean extracted text line by line: drop page furniture, join hyphenated words, decode
URL-encoded characters, pull bare URLs out as links, split link texts glued to the next word.

Lines keep their source line numbers so every later citation points into the original file.
`clean_lines` returns the kept lines, the links found per source line and a count of what was
removed or repaired, by kind (reported by `avtale corpus --stats`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote

from assistant.models import SourceLine

_FURNITURE = [
    ("page_number", re.compile(r"^(side|page)\s+\d+\s+(av|of)\s+\d+$", re.I)),
    ("page_number", re.compile(r"^\d{1,3}$")),
    ("page_number", re.compile(r"^side \d+\s*/\s*\d+$", re.I)),
    ("hearing_mark", re.compile(r"^ekstern høring:?$", re.I)),
    ("hearing_mark", re.compile(r"^skjema for høringsinnspill og informasjon om høringen$", re.I)),
    ("running_head", re.compile(r"^vedlegg til samarbeidsavtale\b.*\boppdatert\b", re.I)),
    ("running_head", re.compile(r"^samarbeidsavtale mellom kommune og \w+, sist oppdatert", re.I)),
    ("running_head", re.compile(r"^vedlegg til samarbeidsavtale mellom kommunene og \w+$", re.I)),
    ("running_head", re.compile(r"^sist oppdatert:?\s*[\dx.]+$", re.I)),
    ("status_mark", re.compile(r"^forslag\s*[-–]\s*(revidert|uendret) etter høringsrunde$", re.I)),
    ("letterhead", re.compile(r"^kommune-$", re.I)),
    ("letterhead", re.compile(r"^(kommune)?-?våpen \+ navn$", re.I)),
    ("source_note", re.compile(r"^kilde: lovdata\.no$", re.I)),
    ("web_furniture", re.compile(r"^du benytter en nettleser vi ikke støtter", re.I)),
    ("separator", re.compile(r"^[_\-=–]{5,}$")),
    ("toc", re.compile(r"\.{5,}\s*\d*$")),
    ("toc", re.compile(r"^(innhold|innholdsfortegnelse)$", re.I)),
]
_TOC_ENTRY_START = re.compile(r"^\d+(\.\d+)*\.? \S")
_URL_LINE = re.compile(r"^(?:https?://|www\.|mailto:)\S+$", re.I)
_URL_IN_TEXT = re.compile(r"(?:https?://|mailto:)\S+", re.I)
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_HYPHEN_END = re.compile(r"([A-Za-zÆØÅæøåé])-$")
_FIRST_WORD = re.compile(r"^(\S+)\s*(.*)$")
_KEEP_HYPHEN_BEFORE = {"og", "eller", "samt", "til", "og/eller"}
_FOOTNOTE_MARK = re.compile(r"(?<=[a-zæøå]{3})\d(?=[\s,.;:)]|$)")
_SPACE_AFTER_COMMA = re.compile(r"(?<=[a-zæøå]),(?=[a-zæøå]{2})")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f]+")
_CHAR_MAP = str.maketrans({"\u2010": "-", "\u2011": "-", "\u00ad": None, "\ufeff": None, "\u2028": " "})
_INFLECTED_END = ("en", "et", "ene")


@dataclass
class Cleaned:
    lines: list[SourceLine]
    links: dict[int, list[str]] = field(default_factory=dict)
    stats: Counter = field(default_factory=Counter)


def clean_lines(lines: list[SourceLine]) -> Cleaned:
    out = Cleaned(lines=[])
    kept: list[SourceLine] = []
    letterhead_tail = 0
    for line in lines:
        text = _normalise(line.text, out.stats)
        if letterhead_tail and text.lower() == "kommune":
            out.stats["letterhead"] += 1
            letterhead_tail = 0
            continue
        kind = _furniture_kind(text)
        if kind == "toc" and kept and _TOC_ENTRY_START.match(kept[-1].text):
            kept.pop()  # the first half of a wrapped table-of-contents entry
            out.stats["toc"] += 1
        if kind:
            out.stats[kind] += 1
            if kind == "letterhead":
                letterhead_tail = 4
            continue
        letterhead_tail = max(0, letterhead_tail - 1)
        if _URL_LINE.match(text):
            out.links.setdefault(line.line, []).append(unquote(text))
            out.stats["url"] += 1
            continue
        text = _extract_inline_urls(text, line.line, out)
        kept.append(SourceLine(text, line.line, line.page))
    kept = _join_hyphenation(kept, out.stats)
    out.lines = _split_glued_words(kept, out.stats)
    return out


def _normalise(text: str, stats: Counter) -> str:
    text = text.translate(_CHAR_MAP)
    text = _SPACES.sub(" ", text).strip()
    if "%" in text and not _URL_IN_TEXT.search(text):
        decoded = _PERCENT.sub(lambda m: _decode_percent(m.group(0)), text)
        if decoded != text:
            stats["url_encoding"] += 1
            text = decoded
    marked = _FOOTNOTE_MARK.sub("", text)
    if marked != text:
        stats["footnote_marker"] += 1
        text = marked
    spaced = _SPACE_AFTER_COMMA.sub(", ", text)
    if spaced != text:
        stats["missing_space"] += 1
        text = spaced
    return text


def _decode_percent(encoded: str) -> str:
    try:
        return unquote(encoded, errors="strict")
    except UnicodeDecodeError:
        return encoded


def _furniture_kind(text: str) -> str | None:
    if not text:
        return None
    for kind, pattern in _FURNITURE:
        if pattern.search(text):
            return kind
    return None


def _extract_inline_urls(text: str, line_no: int, out: Cleaned) -> str:
    urls = _URL_IN_TEXT.findall(text)
    if not urls:
        return text
    for url in urls:
        out.links.setdefault(line_no, []).append(unquote(url.rstrip(".,;)")))
        out.stats["url"] += 1
    return _SPACES.sub(" ", _URL_IN_TEXT.sub("", text)).strip()


def _join_hyphenation(lines: list[SourceLine], stats: Counter) -> list[SourceLine]:
    """'spesialist-' + 'helsetjenesten' → 'spesialisthelsetjenesten'; 'helse-' + 'og' stays."""
    result = list(lines)
    emptied: set[int] = set()
    for i, line in enumerate(result):
        m = _HYPHEN_END.search(line.text)
        if not m:
            continue
        j = i + 1
        while j < len(result) and j <= i + 2 and not result[j].text:
            j += 1
        if j >= len(result) or not result[j].text:
            continue
        word_match = _FIRST_WORD.match(result[j].text)
        word, rest = word_match.group(1), word_match.group(2)
        if word.lower().strip(",.;:") in _KEEP_HYPHEN_BEFORE or not word[0].isalpha():
            continue
        joined = line.text[:-1] + word if word[0].islower() else line.text + word
        result[i] = SourceLine(joined, line.line, line.page)
        result[j] = SourceLine(rest, result[j].line, result[j].page)
        if not rest:
            emptied.add(j)
        stats["hyphenation"] += 1
    return [line for k, line in enumerate(result) if k not in emptied]


def _split_glued_words(lines: list[SourceLine], stats: Counter) -> list[SourceLine]:
    """Split a link text that a PDF glued onto the next word ('kommunenutskrivningsklare').

    Only a word seen once is split, only where both halves are common words of the same file
    and the left half ends in an inflection (compounds join stems, not inflected forms), so
    real compounds such as 'sykehusinnleggelse' stay whole.
    """
    counts: Counter = Counter()
    for line in lines:
        counts.update(w.lower() for w in re.findall(r"[A-Za-zÆØÅæøå]+", line.text))
    repaired: list[SourceLine] = []
    for line in lines:
        words = re.findall(r"[A-Za-zÆØÅæøå]{12,}", line.text)
        text = line.text
        for word in words:
            if counts[word.lower()] != 1:
                continue
            split = _best_split(word, counts)
            if split:
                text = text.replace(word, f"{split[0]} {split[1]}", 1)
                stats["glued_link_text"] += 1
        repaired.append(SourceLine(text, line.line, line.page) if text != line.text else line)
    return repaired


def _best_split(word: str, counts: Counter) -> tuple[str, str] | None:
    lower = word.lower()
    for cut in range(5, len(word) - 4):
        left, right = lower[:cut], lower[cut:]
        if left.endswith(_INFLECTED_END) and counts[left] >= 3 and counts[right] >= 2:
            return word[:cut], word[cut:]
    return None
