"""Messages the background workers post to the app. Workers never touch widgets; the handlers of
these messages run on the main thread and do."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class IndexProgress(Message):
    """The search index is being built (first start, or the corpus changed)."""

    stage: str
    done: int
    total: int


@dataclass
class AssistantDone(Message):
    """Word search is ready: questions can be answered from now on."""

    assistant: object


@dataclass
class AssistantFailed(Message):
    message: str


class EncoderStarted(Message):
    """The language model is loading; questions are answered with word search meanwhile."""


@dataclass
class EncoderDone(Message):
    """A copy of the assistant with hybrid search, to swap in on the main thread."""

    assistant: object


@dataclass
class EncoderFailed(Message):
    message: str


@dataclass
class SearchDone(Message):
    """An answer, with its sources panel entries already laid out (highlighting is done in the
    worker, off the main thread)."""

    card_id: str
    answer: object
    lexical: bool
    prompts: tuple = ()


@dataclass
class SearchFailed(Message):
    card_id: str
    message: str


@dataclass
class ListingDone(Message):
    """Rows for a listing screen (deadlines, a duty table for a topic), computed in a worker."""

    title: str
    note: str | None
    rows: list


@dataclass
class ListingFailed(Message):
    message: str
