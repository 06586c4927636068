"""Typed data passed between the pipeline stages (load → clean → structure → chunk → index →
retrieve → answer). All frozen: a stage never edits what an earlier one produced."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

ACTORS = ("UNN", "Kommunen", "Felles")


@dataclass(frozen=True)
class SourceLine:
    """One line of a source file as loaded: its text, 1-based line number and PDF page."""

    text: str
    line: int
    page: int | None = None


# Kinds of document that bind no one: meeting papers, a consultation response, a prize's
# statutes, letters, a 2006 report. They are searched and cited, but yield no duty rows and rank
# a little below the agreement, its guidelines and the national guidance.
BACKGROUND_KINDS = frozenset({"møtedokument", "høringsinnspill", "statutter", "brev", "rapport"})


@dataclass(frozen=True)
class DocumentInfo:
    """What the manifest says about one logical document."""

    id: str
    title: str
    short_title: str
    source_file: str
    publisher: str = ""
    kind: str = ""
    date: str = ""
    status: str = ""
    national: bool = False
    hospital: str = "UNN"
    replaces: str = ""

    @property
    def background(self) -> bool:
        return self.kind in BACKGROUND_KINDS

    @property
    def status_label(self) -> str:
        """Short status that travels with every citation, e.g. 'forslag, xx.xx.2023'."""
        parts = [p for p in (self.status, self.date) if p]
        return ", ".join(parts)


@dataclass(frozen=True)
class Section:
    """A numbered section, a named part or a duty block of a document, with its own text."""

    id: str
    doc_id: str
    number: str
    title: str
    path: tuple[str, ...]
    text: str
    line_start: int
    line_end: int
    page_start: int | None = None
    page_end: int | None = None
    actor: str | None = None
    links: tuple[str, ...] = ()
    depth: int = 1
    spans: tuple[tuple[int, int], ...] = ()  # source lines of each paragraph of `text`

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def breadcrumb(self) -> str:
        return " › ".join(self.path)

    def location(self) -> str:
        where = f"linje {self.line_start}–{self.line_end}"
        if self.page_start:
            pages = f"s. {self.page_start}"
            if self.page_end and self.page_end != self.page_start:
                pages = f"s. {self.page_start}–{self.page_end}"
            where = f"{pages}, {where}"
        return where


@dataclass(frozen=True)
class Document:
    info: DocumentInfo
    sections: tuple[Section, ...]

    @property
    def id(self) -> str:
        return self.info.id


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: part of exactly one section, never crossing its boundary."""

    id: str
    section_id: str
    doc_id: str
    text: str
    line_start: int
    line_end: int
    page: int | None = None
    actor: str | None = None
    context: str = ""  # the section's breadcrumb, embedded with the text

    @property
    def search_text(self) -> str:
        return f"{self.context}: {self.text}" if self.context else self.text

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Duty:
    """One obligation extracted from the text: who must do what, by when, where it says so."""

    actor: str
    duty: str
    deadline: str | None
    section_id: str
    doc_id: str
    section: str
    legal_ref: str | None = None
    national: bool = False

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None


@dataclass(frozen=True)
class Excerpt:
    rank: int
    doc_id: str
    doc_title: str
    section: str
    section_id: str
    text: str
    score: float
    source_file: str
    page: int | None
    line_start: int
    line_end: int
    status: str = ""

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    question: str
    abstained: bool
    answer: str
    excerpts: tuple[Excerpt, ...]
    responsibilities: tuple[Duty, ...] = ()
    timing_ms: dict = field(default_factory=dict)
    notices: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "abstained": self.abstained,
            "answer": self.answer,
            "excerpts": [e.to_json() for e in self.excerpts],
            "responsibilities": [
                {k: v for k, v in d.to_json().items()} for d in self.responsibilities
            ],
            "timing_ms": self.timing_ms,
            "notices": list(self.notices),
        }
