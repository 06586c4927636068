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
    ("toc", re.compile(r"(?<!\.)\.{5,}+\s*+\d*+$")),  # possessive, from a run's first dot: linear
    ("toc", re.compile(r"^(innhold|innholdsfortegnelse)$", re.I)),
]
_LONE_NUMBER = re.compile(r"^\d{1,2}\.$")
_TOC_ENTRY_START = re.compile(r"^\d+(\.\d+)*\.? \S")
_URL_LINE = re.compile(r"^(?:https?://|www\.|mailto:)\S+$", re.I)
_URL_IN_TEXT = re.compile(r"(?:https?://|mailto:|\bwww\.)\S+", re.I)
_URL_TAIL = re.compile(r"^[a-z0-9][\w\-.~/#%?=&+]*(?=\s|$)")
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_HYPHEN_END = re.compile(r"([A-Za-zÆØÅæøåé])-$")
_FIRST_WORD = re.compile(r"^(\S+)\s*(.*)$", re.S)  # re.S: a line may hold a stray line break
_KEEP_HYPHEN_BEFORE = {"og", "eller", "samt", "til", "og/eller"}
_FOOTNOTE_MARK = re.compile(r"(?<=[a-zæøå]{3})\d(?=[\s,.;:)]|$)")
_FOOTNOTE_TEXT = re.compile(r"^(\d) \S")
FOOTNOTE_REACH = 150  # source lines between a footnote marker and the footnote's text (a page or so)
_SPACE_AFTER_COMMA = re.compile(r"(?<=[a-zæøå]),(?=[a-zæøå]{2})")
_GLUED_PARAGRAPH_SIGN = re.compile(r"(?<=[A-Za-zÆØÅæøå.,;:])§")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f]+")
_CHAR_MAP = str.maketrans({"\u2010": "-", "\u2011": "-", "\u00ad": None, "\ufeff": None, "\u2028": " "})
_INFLECTED_END = ("en", "et", "ene")
_LETTERS = re.compile(r"[A-Za-zÆØÅæøå]+")
_GLUED_CANDIDATE = re.compile(r"[A-Za-zÆØÅæøå]{12,}")
MAX_GLUED_CHARS = 64  # two long words glued together; "kommunenutskrivningsklare" has 25 letters
MAX_FURNITURE_CHARS = 300  # page numbers, running heads and contents lines are short


# Kinds of `Cleaned.stats` that count whole lines taken out of the text; the other kinds count
# repairs (joined hyphenation, decoded characters, removed footnote markers …).
REMOVED_KINDS = frozenset({kind for kind, _ in _FURNITURE} | {"letterhead", "list_marker", "url", "signature"})

# A letter's closing: the greeting, then the signers' names and titles on short lines ("Elisabeth
# Salvesen e.f.", "fung. ekspedisjonssjef"). Neither says anything an answer could quote.
_CLOSING = re.compile(r"^(?:med\s+)?(?:vennlig|venleg|venlig)\s+hilsen?$|^med\s+(?:vennlig\s+)?hilsen$|"
                      r"^(?:kind\s+|best\s+)?regards,?$", re.I)
SIGNATURE_LINES = 8  # lines after the greeting that may still be names and titles
# A signer's name ("Elisabeth Salvesen e.f.", "Ingvild Kjerkol") or title ("fung. ekspedisjonssjef",
# "seniorrådgiver"); anything else (a heading, a link, a sentence) ends the signature.
_SIGNER = re.compile(r"^(?:[A-ZÆØÅ][\w-]+\.?)(?:\s+[A-ZÆØÅ][\w-]+\.?){1,3}(?:\s+e\.\s?f\.?)?$|"
                     r"^[a-zæøå][\w.-]*(?:\s+[a-zæøå][\w.-]*){0,2}$")


@dataclass
class Cleaned:
    lines: list[SourceLine]
    links: dict[int, list[str]] = field(default_factory=dict)
    stats: Counter = field(default_factory=Counter)
    footnotes: set[int] = field(default_factory=set)  # source lines that hold a footnote's text


def clean_lines(lines: list[SourceLine]) -> Cleaned:
    out = Cleaned(lines=[])
    walk = _Walk(out)
    for line in lines:
        walk.step(line)
    kept = _join_hyphenation(walk.kept, out.stats)
    out.lines = _split_glued_words(kept, out.stats)
    return out


@dataclass
class _Walk:
    """Line-by-line cleaning, with the little state that spans lines."""

    out: Cleaned
    letterhead_tail: int = 0  # lines after "Kommune-" in which a lone "kommune" is letterhead
    signature_tail: int = 0  # lines after a letter's closing greeting that may be its signature
    after_removed: bool = False  # the last non-blank line was furniture or a bare URL
    wrapped_url: tuple[int, int] | None = None  # (line, index) of a link the PDF broke at a hyphen
    open_notes: dict[str, int] = field(default_factory=dict)  # footnote number → line of its marker
    kept: list[SourceLine] = field(default_factory=list)

    def step(self, line: SourceLine) -> None:
        markers: list[str] = []
        text = _normalise(line.text, self.out.stats, markers)
        if self._is_furniture(text):
            return
        text = self._take_links(text, line.line)
        if text is None:
            return
        if _is_footnote_text(text, line.line, self.open_notes):
            self.out.footnotes.add(line.line)
            self.out.stats["footnote_text"] += 1
        self.open_notes.update((n, line.line) for n in markers)
        self.kept.append(SourceLine(text, line.line, line.page))

    def _is_furniture(self, text: str) -> bool:
        stats = self.out.stats
        if self._is_signature(text):
            stats["signature"] += 1
            return True
        if self.letterhead_tail and text.lower() == "kommune":
            stats["letterhead"] += 1
            self.letterhead_tail = 0
            return True
        kind = _furniture_kind(text)
        if not kind and self.after_removed and _LONE_NUMBER.match(text):
            kind = "list_marker"  # a web page's list number left behind by the links it numbered
        if text:
            self.after_removed = bool(kind) or bool(_URL_LINE.match(text))
        if kind == "toc" and self.kept and _TOC_ENTRY_START.match(self.kept[-1].text):
            self.kept.pop()  # the first half of a wrapped table-of-contents entry
            stats["toc"] += 1
        self.letterhead_tail = 4 if kind == "letterhead" else max(0, self.letterhead_tail - 1)
        if kind:
            stats[kind] += 1
        return bool(kind)

    def _is_signature(self, text: str) -> bool:
        """A letter's closing greeting, or a name or title on the short lines after it."""
        if _CLOSING.match(text):
            self.signature_tail = SIGNATURE_LINES
            return True
        if not self.signature_tail or not text:
            return False
        self.signature_tail -= 1
        line = text.strip()
        if not _SIGNER.match(line) or _URL_LINE.match(line):
            self.signature_tail = 0
            return False
        return True

    def _take_links(self, text: str, line_no: int) -> str | None:
        """Move URLs from the text to `links`; None when nothing but a link was on the line."""
        links, stats = self.out.links, self.out.stats
        if self.wrapped_url and text:
            text = _continue_url(text, self.wrapped_url, self.out)
            self.wrapped_url = None
            if not text:
                stats["url"] += 1  # the line held only the rest of the link
                return None
        if _URL_LINE.match(text):
            links.setdefault(line_no, []).append(unquote(text))
            stats["url"] += 1
            self.wrapped_url = (line_no, len(links[line_no]) - 1) if text.endswith("-") else None
            return None
        if (m := _URL_IN_TEXT.search(text)) and m.end() == len(text) and text.endswith("-"):
            self.wrapped_url = (line_no, len(links.get(line_no, [])) + len(_URL_IN_TEXT.findall(text)) - 1)
        return _extract_inline_urls(text, line_no, self.out)


def _normalise(text: str, stats: Counter, markers: list[str]) -> str:
    """Normalise spaces and repair the text around (never inside) URLs; footnote numbers whose
    markers were removed are appended to `markers`."""
    text = text.translate(_CHAR_MAP)
    text = _SPACES.sub(" ", text).strip()
    if _URL_LINE.match(text):
        return text
    parts = _URL_IN_TEXT.split(text)
    urls = _URL_IN_TEXT.findall(text)
    repaired = [_repair_prose(part, stats, markers) for part in parts]
    return "".join(p + u for p, u in zip(repaired, urls + [""])).strip()


def _repair_prose(text: str, stats: Counter, markers: list[str]) -> str:
    if "%" in text:
        decoded = text
        # "%25C2%25A7" is "%C2%A7" encoded once more: decode until plain, at most ten layers
        # deep (each pass is linear; unbounded, a hostile line of "%2525…" would be quadratic).
        for _ in range(10):
            again = _PERCENT.sub(lambda m: _decode_percent(m.group(0)), decoded)
            if again == decoded:
                break
            decoded = again
        if decoded != text:
            stats["url_encoding"] += 1
            text = decoded
    text = _GLUED_PARAGRAPH_SIGN.sub(" §", text)
    found = _FOOTNOTE_MARK.findall(text)
    if found:
        stats["footnote_marker"] += 1
        markers.extend(found)
        text = _FOOTNOTE_MARK.sub("", text)
    spaced = _SPACE_AFTER_COMMA.sub(", ", text)
    if spaced != text:
        stats["missing_space"] += 1
        text = spaced
    return text


def _is_footnote_text(text: str, line_no: int, open_notes: dict[str, int]) -> bool:
    """'1 I henhold til …' is the text of footnote 1 when a marker 1 ('pårørende1,') came
    shortly before it: then it is neither a heading nor part of the sentence around it."""
    m = _FOOTNOTE_TEXT.match(text)
    if not m or m.group(1) not in open_notes or line_no - open_notes[m.group(1)] > FOOTNOTE_REACH:
        return False
    del open_notes[m.group(1)]
    return True


def _decode_percent(encoded: str) -> str:
    """Decode a run of %XX escapes as UTF-8. A byte that is not UTF-8 keeps its escape as
    written, and only it: one stray "%FF" must not leave a whole "%C2%A7" undecoded."""
    data = bytes(int(encoded[i + 1:i + 3], 16) for i in range(0, len(encoded), 3))
    out, start = [], 0
    while start < len(data):
        try:
            out.append(data[start:].decode("utf-8"))
            break
        except UnicodeDecodeError as exc:
            bad = start + exc.start
            out.append(data[start:bad].decode("utf-8") + encoded[3 * bad:3 * bad + 3])
            start = bad + 1
    return "".join(out)


def _furniture_kind(text: str) -> str | None:
    if not text or len(text) > MAX_FURNITURE_CHARS:
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
        out.stats["inline_url"] += 1
    return _SPACES.sub(" ", _URL_IN_TEXT.sub("", text)).strip()


def _continue_url(text: str, wrapped: tuple[int, int], out: Cleaned) -> str:
    """Glue the head of `text` back onto a link the PDF broke at a hyphen; return the rest."""
    m = _URL_TAIL.match(text)
    if not m:
        return text
    line_no, index = wrapped
    tail = m.group(0).rstrip(".,;:)")
    out.links[line_no][index] += unquote(tail)
    return text[m.end():].strip()


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
        keep = word[0].isupper() or _hyphen_belongs_to_word(line.text)
        joined = line.text + word if keep else line.text[:-1] + word
        result[i] = SourceLine(joined, line.line, line.page)
        result[j] = SourceLine(rest, result[j].line, result[j].page)
        if not rest:
            emptied.add(j)
        stats["hyphenation"] += 1
    return [line for k, line in enumerate(result) if k not in emptied]


def _hyphen_belongs_to_word(text: str) -> bool:
    """True where a line-end hyphen is part of the word, not a line break: after an acronym
    ("IKT-systemene", "NAV-området"), a one-letter prefix ("e-post"), a word already
    hyphenated ("øyeblikkelig-hjelp-døgnopphold") or a name inside a sentence ("Wisløff-utvalget")."""
    words = text[:-1].split()
    left = words[-1].lstrip("(«\"'") if words else ""
    if not left:
        return False
    if len(left) == 1 or "-" in left or (len(left) >= 2 and left.isupper()):
        return True
    sentence_start = len(words) == 1 or words[-2].endswith((".", "!", "?", ":", "•"))
    return left[0].isupper() and not sentence_start


def _split_glued_words(lines: list[SourceLine], stats: Counter) -> list[SourceLine]:
    """Split a link text that a PDF glued onto the next word ('kommunenutskrivningsklare').

    Only a word seen once is split, only where both halves are common words of the same file
    and the left half ends in an inflection (compounds join stems, not inflected forms), so
    real compounds such as 'sykehusinnleggelse' stay whole. Only words of at most
    MAX_GLUED_CHARS letters are tried, and each line is rewritten in one pass: the work stays
    linear in the text (a one-megabyte "word" took 71 s when every cut of it was tried).
    """
    counts: Counter = Counter()
    for line in lines:
        counts.update(w.lower() for w in _LETTERS.findall(line.text))

    def split(match: re.Match) -> str:
        word = match.group()
        if len(word) > MAX_GLUED_CHARS or counts[word.lower()] != 1:
            return word
        cut = _best_split(word, counts)
        if cut is None:
            return word
        stats["glued_link_text"] += 1
        return f"{word[:cut]} {word[cut:]}"

    repaired: list[SourceLine] = []
    for line in lines:
        text = _GLUED_CANDIDATE.sub(split, line.text)
        repaired.append(SourceLine(text, line.line, line.page) if text != line.text else line)
    return repaired


def _best_split(word: str, counts: Counter) -> int | None:
    lower = word.lower()
    for cut in range(5, len(word) - 4):
        left, right = lower[:cut], lower[cut:]
        if left.endswith(_INFLECTED_END) and counts[left] >= 3 and counts[right] >= 2:
            return cut
    return None
