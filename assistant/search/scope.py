"""The topics the documents do not cover (`assistant/data/out_of_scope.txt`), one per line.

The index embeds them beside the passages; a question the language model places closer to one
of them than to any passage is answered "not covered" (see `assistant.answer.compose`).
"""

from __future__ import annotations

from importlib import resources


def topics_text() -> str:
    """The topic file as shipped; its bytes are part of the index's pipeline fingerprint."""
    return resources.files("assistant.data").joinpath("out_of_scope.txt").read_text(encoding="utf-8")


def out_of_scope_topics(text: str | None = None) -> list[str]:
    """The topics, one per non-empty line; a line starting with # is a comment."""
    lines = (line.strip() for line in (topics_text() if text is None else text).splitlines())
    return [line for line in lines if line and not line.startswith("#")]
