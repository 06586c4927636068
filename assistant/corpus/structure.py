"""Turn a cleaned source file into logical documents, each a flat list of sections in reading
order whose `path` gives the tree: document › numbered section › part or duty block.

Headings are recognised by their form and checked against the numbering so far: a "3" seen
inside section 4.2 is a footnote or a list item, not a heading. Duty blocks ("UNNs ansvar og
oppgaver", "Kommunens ansvar", "Felles ansvar", "5.2 UNN skal", "Partnerne skal") become
sections of their own that know which party they speak for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.corpus.actors import actor_of_label, actor_patterns  # noqa: F401  (part of this stage's API)
from assistant.corpus.manifest import DocumentSpec, SourceEntry, slug
from assistant.corpus.paragraphs import BULLET as _BULLET
from assistant.corpus.paragraphs import paragraph_spans, paragraphs  # noqa: F401  (part of this stage's API)
from assistant.errors import ManifestError
from assistant.models import Document, Section, SourceLine

_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\s?(\.?)\s+([A-ZÆØÅ«\"(].*)$")
_SAK = re.compile(r"^Sak:\s*(\d{1,3}/\d{2})\b")
_TITTEL = re.compile(r"^Tittel:\s*(.+)$")
_PUNKT = re.compile(r"^Punkt (\d{1,2}):\s*(.+)$")
_PARAGRAF = re.compile(r"^§\s?(\d+-\d+[a-z]?)\.?\s+([A-ZÆØÅ].*)$")
_GUIDE_PART = re.compile(r"^(Regelverk|Kommentar|Veiledning)(?: \(lov eller forskrift\))?$")
_LIST_ITEM = re.compile(r"^(\d{1,2})\.\s")
_TRAILING_FUNCTION_WORDS = {
    "og", "eller", "for", "med", "av", "i", "om", "til", "på", "den", "det", "de", "samt",
    "omkring", "mellom", "ved", "fra", "under", "etter", "en", "et", "som", "å",
}
_SENTENCE_WORDS = re.compile(r"\b(skal|må|kan|er|har|vil|bør|ble|blir|ikke)\b", re.I)


@dataclass
class _Open:
    """A section being filled while the parser walks the lines."""

    number: str
    title: str
    depth: int
    kind: str  # "numbered", "block", "part", "sub", "preamble"
    actor: str | None
    lines: list[SourceLine] = field(default_factory=list)
    first_line: int = 0
    path: tuple[str, ...] = ()
    id: str = ""


def split_documents(entry: SourceEntry, lines: list[SourceLine]) -> list[tuple[DocumentSpec, list[SourceLine]]]:
    """Cut a file's cleaned lines at each logical document's start pattern."""
    if len(entry.documents) == 1 and entry.documents[0].start is None:
        return [(entry.documents[0], lines)]
    cuts: list[int] = []
    position = 0
    for spec in entry.documents:
        if spec.start is None:
            cuts.append(position)
            continue
        found = next((i for i in range(position, len(lines)) if spec.start.search(lines[i].text)), None)
        if found is None:
            raise ManifestError(
                f"{entry.file}: fant ikke starten på «{spec.info.id}» (mønster {spec.start.pattern!r}). "
                "Rett start-mønsteret i manifest.toml."
            )
        cuts.append(found)
        position = found + 1
    bounds = cuts[1:] + [len(lines)]
    return [(spec, lines[a:b]) for spec, a, b in zip(entry.documents, cuts, bounds)]


def structure_document(
    spec: DocumentSpec, lines: list[SourceLine], links: dict[int, list[str]], footnotes: set[int] | frozenset = frozenset()
) -> Document:
    """Build one document's sections. `footnotes` are source lines holding a footnote's text
    (found by the cleaner): never headings, always paragraphs of their own."""
    parser = _Parser(spec, footnotes)
    for i in range(len(lines)):
        parser.feed(i, lines)
    sections = parser.finish(links)
    return Document(info=spec.info, sections=tuple(sections))


class _Parser:
    def __init__(self, spec: DocumentSpec, footnotes: set[int] | frozenset = frozenset()):
        self.spec = spec
        self.footnotes = footnotes
        self.hospital = spec.info.hospital
        self.numbers: list[int] = []
        self.stack: list[_Open] = []
        self.done: list[_Open] = []
        self.skip: set[int] = set()
        self.ids: set[str] = set()
        self.next_suffix: dict[str, int] = {}  # per base id: the suffix to try next
        self.heading_lines: set[int] = set()
        self.page_of: dict[int, int] = {}
        self._open(_Open("", "Innledning", 1, "preamble", None))

    # -- walking -------------------------------------------------------------------------
    def feed(self, i: int, lines: list[SourceLine]) -> None:
        if i in self.skip:
            return
        line = lines[i]
        text = line.text
        if line.page:
            self.page_of[line.line] = line.page  # a heading's page, for sections with no body
        if not text or line.line in self.footnotes:
            self.current.lines.append(line)
            return
        if self._heading(i, lines):
            return
        self.current.lines.append(line)

    @property
    def current(self) -> _Open:
        return self.stack[-1]

    def _heading(self, i: int, lines: list[SourceLine]) -> bool:
        text = lines[i].text
        style = self.spec.headings
        if style == "sak" and (m := _SAK.match(text)):
            title = self._sak_title(i, lines)
            self._open_numbered([int(m.group(1).split("/")[0])], f"Sak {m.group(1)}", title, lines[i], top=True)
            return True
        if style == "guide" and self._guide_heading(i, lines):
            return True
        if style == "numbered" and self._numbered_heading(i, lines):
            return True
        actor = actor_of_label(text, self.hospital, whole_line=True)
        if actor and len(text) <= 70:
            if self.current.kind == "block" and self.current.actor == actor and not _has_text(self.current):
                return False  # "Felles ansvar:" then "UNN og kommunene skal": one block, lead-in kept
            sub = next((s for s in reversed(self.stack) if s.kind == "sub"), None)
            depth = sub.depth + 1 if sub else self._numbered_depth() + 1
            self._open_at(depth, _Open("", text.rstrip(":").strip(), depth, "block", actor, first_line=lines[i].line))
            return True
        if self._looks_like_subheading(i, lines):
            # A sub-heading is a sibling of duty blocks: it ends the block before it, so its
            # text is never credited to a party the heading does not name.
            depth = self._numbered_depth() + 1
            self._open_at(depth, _Open("", text, depth, "sub", self._inherited_actor(depth), first_line=lines[i].line))
            return True
        return False

    def _guide_heading(self, i: int, lines: list[SourceLine]) -> bool:
        """The national guide: '§ 6-2. Krav til avtalens innhold', 'Punkt 5: Utskrivningsklare
        pasienter', and their 'Regelverk' / 'Kommentar' / 'Veiledning' parts."""
        text = lines[i].text
        m = _PUNKT.match(text) or _PARAGRAF.match(text)
        if m and _looks_like_title(m.group(2)) and not _SENTENCE_WORDS.search(m.group(2)):
            label = f"Punkt {m.group(1)}" if text.startswith("Punkt") else f"§ {m.group(1)}"
            top = next((s for s in self.stack if s.kind == "numbered"), None)
            if top is not None and top.number == label:
                self.skip.update(self._title_wrap(i, lines))
                return True  # the law's own heading repeats the page heading
            # The page layout puts "Regelverk (lov eller forskrift)" (and a heading it
            # repeats) before the § or Punkt it belongs to: move those empty parts under it.
            heading_text = [ln for ln in self.current.lines if ln.text]
            if self.current.kind == "part" and [ln.text.lower() for ln in heading_text] == [m.group(2).lower()]:
                self.current.lines = [ln for ln in self.current.lines if not ln.text]
            moved = False
            while self.current.kind in ("part", "sub") and not _has_text(self.current):
                moved = moved or self.current.kind == "part"
                self._discard_current()
            self._open_numbered([0], label, self._wrapped_title(m.group(2), i, lines), lines[i], top=True)
            if moved:
                self._open(_Open("", "Regelverk (lov eller forskrift)", 2, "part", None, first_line=lines[i].line))
            return True
        if m := _GUIDE_PART.match(text):
            self._open_at(2, _Open("", text, 2, "part", self._inherited_actor(2), first_line=lines[i].line))
            return True
        return False

    def _numbered_heading(self, i: int, lines: list[SourceLine]) -> bool:
        m = _NUMBERED.match(lines[i].text)
        if not m:
            return False
        numbers = [int(n) for n in m.group(1).split(".")]
        title = m.group(3).strip()
        if not (self._plausible_number(numbers) and _looks_like_title(title)) or self._in_list(i, lines, numbers):
            return False
        if self._sentence_goes_on(title, i, lines):
            return False
        label = m.group(1) + ("." if len(numbers) == 1 else "")
        self._open_numbered(numbers, label, self._wrapped_title(title, i, lines), lines[i])
        self.heading_lines.add(i)
        return True

    def _sentence_goes_on(self, title: str, i: int, lines: list[SourceLine]) -> bool:
        """'2. Prisen går til et nyskapende tiltak' + 'mellom UNN og kommunene.': a numbered
        sentence (a statute's provision), not a heading that wrapped."""
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        if not nxt or self._title_wrap(i, lines, title) or actor_of_label(title, self.hospital, whole_line=True):
            return False
        return title.split()[-1].lower() in _TRAILING_FUNCTION_WORDS or (nxt[0].islower() and nxt.endswith("."))

    def _in_list(self, i: int, lines: list[SourceLine], numbers: list[int]) -> bool:
        """'2. Ringe hjemmetjenesten' right after item 1 (blank lines between or not), or
        just before item 3, is a list item, not section 2."""
        if len(numbers) != 1:
            return False
        n = numbers[0]
        prev = next((k for k in range(i - 1, max(-1, i - 4), -1) if lines[k].text), None)
        if prev is not None and prev not in self.heading_lines:
            m = _LIST_ITEM.match(lines[prev].text)
            if m and int(m.group(1)) == n - 1:
                return True
        m = _LIST_ITEM.match(lines[i + 1].text) if i + 1 < len(lines) else None
        return bool(m) and int(m.group(1)) == n + 1

    def _sak_title(self, i: int, lines: list[SourceLine]) -> str:
        for j in range(i + 1, min(i + 4, len(lines))):
            if m := _TITTEL.match(lines[j].text):
                self.skip.add(j)
                return m.group(1).strip()
        return ""

    def _wrapped_title(self, title: str, i: int, lines: list[SourceLine]) -> str:
        """Join a heading that the PDF wrapped onto the next line."""
        wrap = self._title_wrap(i, lines, title)
        self.skip.update(wrap)
        return " ".join([title] + [lines[k].text for k in wrap])

    def _title_wrap(self, i: int, lines: list[SourceLine], title: str | None = None) -> list[int]:
        """The index of the line a heading wrapped onto, if it did."""
        if i + 1 >= len(lines):
            return []
        words = (title if title is not None else lines[i].text).split()
        nxt = lines[i + 1].text
        wraps = bool(words) and words[-1].lower() in _TRAILING_FUNCTION_WORDS or (nxt[:1].islower() and len(nxt.split()) <= 4)
        if nxt and wraps and len(nxt) <= 60 and not _BULLET.match(nxt) and not nxt.endswith((".", ",", ";")):
            return [i + 1]
        return []

    def _plausible_number(self, numbers: list[int]) -> bool:
        cur = self.numbers
        if not cur:
            # The first heading: 1., 2., 1.1, a part that starts at 2.1, or a chapter number
            # (the rehab guide's "11.") when nothing but the heading has come yet.
            if len(numbers) == 1:
                return numbers[0] <= 2 or not any(_has_text(s) for s in self.stack + self.done)
            return numbers[-1] == 1 and len(numbers) <= 3
        for k in range(len(cur)):
            if numbers[:k] == cur[:k] and len(numbers) >= k + 1 and numbers[k] == cur[k] + 1:
                if len(numbers) == k + 1 or numbers[k + 1:] == [1]:
                    return True
        if numbers == cur + [1]:
            return True
        # A sub-numbering that starts again at .1 under the same parent ("4.3 Kommunen skal"
        # followed by "4.1 Faglige nettverk"): the source numbered a new part wrongly, but it is
        # still a heading, and treating it as text would credit it to the block before it.
        return len(numbers) >= 2 and numbers[-1] == 1 and numbers[:-1] == cur[: len(numbers) - 1] and cur[len(numbers) - 1] > 1

    def _numbered_depth(self) -> int:
        """Depth of the innermost numbered section (or preamble) that parts and blocks hang under."""
        for sec in reversed(self.stack):
            if sec.kind in ("numbered", "preamble"):
                return sec.depth
        return 0

    def _inherited_actor(self, depth: int) -> str | None:
        for sec in reversed(self.stack):
            if sec.depth < depth and sec.actor:
                return sec.actor
        return None

    def _looks_like_subheading(self, i: int, lines: list[SourceLine]) -> bool:
        text = lines[i].text
        words = text.split()
        prev_blank = i == 0 or not lines[i - 1].text
        # A longer heading must stand alone between blank lines (web pages such as the rehab
        # chapter put every paragraph on one line and every heading on its own).
        alone = prev_blank and (i + 1 >= len(lines) or not lines[i + 1].text)
        short = 1 <= len(words) <= 8 and len(text) <= 60 and "," not in text
        loose = alone and len(words) <= 14 and len(text) <= 110 and "." not in text
        if not ((short or loose) and text[0].isupper()):
            return False
        if text.endswith((",", ";", ".", ":", "!", "?")) or _BULLET.match(text):
            return False
        if words[-1].lower() in _TRAILING_FUNCTION_WORDS or _SENTENCE_WORDS.search(text):
            return False
        if re.search(r"\d|@|:\s|^[(§]", text):
            return False
        nxt = next((ln.text for ln in lines[i + 1 : i + 3] if ln.text), "")
        return prev_blank and bool(nxt) and (nxt[0].isupper() or bool(_BULLET.match(nxt)))

    # -- opening and closing ---------------------------------------------------------------
    def _open_numbered(self, numbers: list[int], label: str, title: str, line: SourceLine, top: bool = False) -> None:
        depth = 1 if top else len(numbers)
        self.numbers = numbers
        actor = actor_of_label(title, self.hospital, whole_line=False)
        if actor is None:
            actor = self._inherited_actor(depth) if depth > 1 else None
        self._open_at(depth, _Open(label, title, depth, "numbered", actor, first_line=line.line))

    def _open_at(self, depth: int, section: _Open) -> None:
        def closes(top: _Open) -> bool:
            # A numbered section hangs only under its own number (6.2.1 not under 6.1), and
            # never under the preamble, even in a document that starts at 2.1.
            if section.kind == "numbered" and top.kind in ("numbered", "preamble"):
                return top.depth >= depth or not _numbered_under(section.number, top.number)
            return top.depth >= depth

        while self.stack and closes(self.stack[-1]):
            if self.stack[-1].kind == "preamble" and not _has_text(self.stack[-1]):
                self._discard_current()
            else:
                self._close()
        self._open(section)

    def _open(self, section: _Open) -> None:
        parent_path = self.stack[-1].path if self.stack else (self.spec.info.short_title,)
        heading = f"{section.number} {section.title}".strip()
        section.path = parent_path + (heading,)
        section.id = self._unique_id(section)
        self.stack.append(section)

    def _unique_id(self, section: _Open) -> str:
        doc = self.spec.info.id
        if section.kind == "numbered":
            base = f"{doc}:{slug(section.number.rstrip('.').replace('/', '-'))}" if not section.number[0].isdigit() \
                else f"{doc}:{section.number.rstrip('.')}"
        elif section.kind == "preamble":
            base = f"{doc}:innledning"
        else:
            parent = self.stack[-1].id if self.stack else doc
            tag = section.actor.lower() if section.kind == "block" and section.actor else slug(section.title)[:30]
            base = f"{parent}/{tag}"
        # Resume the numbering where this base left off: counting from 2 every time was
        # quadratic in a file that repeats its headings (many agreements in one file).
        uid, n = base, self.next_suffix.get(base, 2)
        while uid in self.ids:
            uid, n = f"{base}-{n}", n + 1
        self.next_suffix[base] = n
        self.ids.add(uid)
        return uid

    def _discard_current(self) -> None:
        sec = self.stack.pop()
        self.ids.discard(sec.id)

    def _close(self) -> None:
        self.done.append(self.stack.pop())

    def finish(self, links: dict[int, list[str]]) -> list[Section]:
        while self.stack:
            if self.current.kind == "preamble" and not _has_text(self.current):
                self._discard_current()  # nothing before the first heading
            else:
                self._close()
        opened = sorted(self.done, key=lambda s: (s.first_line or (s.lines[0].line if s.lines else 0), s.depth))
        sections = [_to_section(self.spec, sec, self.footnotes, self.page_of.get(sec.first_line)) for sec in opened]
        return _attach_links(sections, links)


def _numbered_under(number: str, parent: str) -> bool:
    child, above = number.rstrip(".").split("."), parent.rstrip(".").split(".")
    return bool(parent) and parent[0].isdigit() and child[: len(above)] == above


def _has_text(section: _Open) -> bool:
    return any(line.text for line in section.lines)


def _looks_like_title(title: str) -> bool:
    if len(title) > 110 or len(title.split()) > 16:
        return False
    if re.search(r"[a-zæøå]{2}\. [A-ZÆØÅ]", title):
        return False
    return not title.endswith((",", ";"))


def _to_section(spec: DocumentSpec, sec: _Open, footnotes: set[int] | frozenset, heading_page: int | None) -> Section:
    spans = paragraph_spans(sec.lines, footnotes)
    text_lines = [ln for ln in sec.lines if ln.text]
    line_start = sec.first_line or (text_lines[0].line if text_lines else 0)
    line_end = max([ln.line for ln in text_lines] + [line_start])
    pages = [ln.page for ln in sec.lines if ln.page] + ([heading_page] if heading_page else [])
    return Section(
        id=sec.id,
        doc_id=spec.info.id,
        number=sec.number,
        title=sec.title,
        path=sec.path,
        text="\n".join(t for t, _, _ in spans),
        spans=tuple((a, b) for _, a, b in spans),
        line_start=line_start,
        line_end=line_end,
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        actor=sec.actor,
        depth=sec.depth,
    )


def _attach_links(sections: list[Section], links: dict[int, list[str]]) -> list[Section]:
    if not links or not sections:
        return sections
    from bisect import bisect_right
    from dataclasses import replace

    # The link belongs to the last section (by position) that starts at or before its line.
    # Starts are not quite sorted, so search their running minimum from the end, which is
    # sorted and gives the same answer in log time (a scan per link was quadratic on big files).
    floor = [s.line_start for s in sections]
    for k in range(len(floor) - 2, -1, -1):
        floor[k] = min(floor[k], floor[k + 1])
    gathered: dict[int, list[str]] = {}
    for line_no, urls in links.items():
        idx = bisect_right(floor, line_no) - 1
        if idx < 0 or line_no > sections[-1].line_end + 200:
            continue
        for url in urls:
            gathered.setdefault(idx, [])
            if url not in gathered[idx]:
                gathered[idx].append(url)
    return [replace(s, links=tuple(gathered.get(k, ()))) if k in gathered else s for k, s in enumerate(sections)]
