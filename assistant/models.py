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
    # Whose duty the whole document is about ("Spesialisthelsetjenestens veiledningsplikt …":
    # UNN) and the beginnings of that duty's words ("veiled"): an answer sentence of the
    # document that names no party but speaks of the duty is that party's.
    duty_holder: str = ""
    duty_topic: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "duty_topic", tuple(self.duty_topic))  # a list when read from JSON

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
class QueryWords:
    """The word-level reading of a text to search: glossary expansions, nynorsk words in the
    bokmål form the corpus has, spelling fixes, and the stemmed terms the word search uses."""

    text: str
    glossary: tuple[tuple[str, str], ...] = ()  # (term, expansion) of each glossary term found
    forms: tuple[tuple[str, str], ...] = ()  # (nynorsk word, bokmål form)
    fixes: tuple[tuple[str, str], ...] = ()  # (misspelt word, corpus word)
    terms: tuple[str, ...] = ()  # with the expansions, forms and fixes
    own_terms: tuple[str, ...] = ()  # of the text alone
    known_share: float = 1.0  # share of its content words the corpus knows
    english: bool = False

    @property
    def expansions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(expansion for _, expansion in self.glossary))

    @property
    def matched(self) -> tuple[str, ...]:
        """The glossary terms found in the text."""
        return tuple(dict.fromkeys(term for term, _ in self.glossary))

    @property
    def added(self) -> list[str]:
        """What the search adds to the text: expansions, bokmål forms, spelling fixes."""
        return [*self.expansions, *(f for _, f in self.forms), *(f for _, f in self.fixes)]


@dataclass(frozen=True)
class Focus:
    """A content word of a question, and how the documents know it: as written ("") or through
    the glossary, a nynorsk form or a spelling fix; `known` False when they never mention it."""

    word: str
    known: bool
    via: str = ""


# What a question asks for: a party (who), a party's duties (what must X do), a deadline or
# time (when), a duration (how long: a number of days or hours), an amount, whether or who pays, a legal basis, what something must contain, whether
# something is allowed or required, yes/no, a definition, a phone number or address, a procedure.
ANSWER_TYPES = ("party", "duty", "deadline", "duration", "amount", "cost", "legal_basis", "content", "permission", "yesno",
                "definition", "contact", "procedure")


@dataclass(frozen=True)
class Question:
    """What a question asks, read once (`assistant.answer.understand`) and used by retrieval and
    by the answer: its language, the kinds of answer it asks for (main first), the party it is
    about and the side it is asked from, its focus words, and for a follow-up how it was read."""

    text: str
    words: QueryWords  # of the text searched: the question, or the follow-up as interpreted
    lang: str = "nb"  # "nb", "nn" or "en"
    asks: tuple[str, ...] = ()
    own_asks: tuple[str, ...] = ()  # the kinds a follow-up asks in its own words (the question's asks otherwise)
    party: str | None = None  # whose duty or role the question is about
    speaker: str | None = None  # the side it is asked from ("vi på sengeposten": UNN)
    focus: tuple[Focus, ...] = ()
    history: tuple[str, ...] = ()
    interpreted: str | None = None  # a follow-up as read with its conversation
    maybe_follow_up: bool = False  # it may lean on its conversation: worth searching both ways
    turns_to_party: bool = False  # a follow-up that names, in its own words, the party it asks about
    names_duty: bool = False  # it speaks of a duty or a responsibility ("Har vi plikt til …")

    @property
    def search_text(self) -> str:
        return self.words.text

    @property
    def unknown(self) -> list[str]:
        return [f.word for f in self.focus if not f.known]


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
class CardSentence:
    """One sentence of the answer card, copied from excerpt `rank`: its party (from the sentence
    or its duty block), a label where the source binds no one ("brev – ikke bindende: …"), and
    its role: the answer, a second part of the question, an exception beside the rule, the text
    a pointer leads to, or support."""

    text: str
    rank: int
    party: str | None = None
    label: str = ""
    role: str = "answer"  # answer, part, exception, pointer, support
    chunk_id: str = ""  # the passage it was copied from (not in the JSON)


@dataclass(frozen=True)
class Card:
    """The answer card: what was asked for, stated first, then at most two more sentences."""

    asks: tuple[str, ...]
    sentences: tuple[CardSentence, ...]
    party: str | None = None
    deadline: str | None = None
    paragraph: str | None = None
    amount: str | None = None
    heading: str | None = None  # the section heading that gives the paragraph, when it is not in the sentence

    @property
    def citation(self) -> int | None:
        return self.sentences[0].rank if self.sentences else None

    def to_json(self) -> dict:
        return {"asks": list(self.asks), "party": self.party, "deadline": self.deadline, "paragraph": self.paragraph,
                "amount": self.amount, "citation": self.citation,
                "sentences": [{k: v for k, v in asdict(s).items() if k != "chunk_id"} for s in self.sentences]}


@dataclass(frozen=True)
class Answer:
    question: str
    abstained: bool
    answer: str
    excerpts: tuple[Excerpt, ...]
    responsibilities: tuple[Duty, ...] = ()
    timing_ms: dict = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    card: Card | None = None
    interpreted: str | None = None  # how a follow-up was read, else None
    abstain_reason: str | None = None  # unknown_terms, missing_detail or low_similarity when abstained
    unknown_terms: tuple[str, ...] = ()  # the question's words the documents never mention
    lang: str = "nb"

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
            "interpreted": self.interpreted,
            "abstain_reason": self.abstain_reason,
            "unknown_terms": list(self.unknown_terms),
            "card": self.card.to_json() if self.card else None,
            "notices": list(self.notices),
        }
