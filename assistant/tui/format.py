"""Turn answers into Rich text for the app. No Textual here, and never markup: every string that
comes from a document or from the user goes through `Text(...)` as plain text, with control
characters made visible, so "[bold]", "[/]" or an escape sequence shows as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from assistant.answer.labels import labels, without_nearest
from assistant.models import Answer, Duty, Excerpt
from assistant.terminal import visible

HIGHLIGHT = "bold underline"
CITATION = re.compile(r"\[\d+\]")
_WORD = re.compile(r"[A-Za-zÆØÅæøåÉéÜüÖö0-9]+")


def safe(text: str | None) -> str:
    """The text with control characters (ESC, bell, bidi overrides …) shown as visible symbols:
    the same rule as the CLI's (`assistant.terminal.visible`)."""
    return visible(text)


def plain(text: str | None, style: str = "") -> Text:
    return Text(safe(text), style=style)


@lru_cache(maxsize=1)
def _terms():
    from assistant.search.lexical import terms

    return terms


@lru_cache(maxsize=4096)
def _word_terms(word: str) -> frozenset[str]:
    return frozenset(_terms()(word))


def question_terms(question: str) -> frozenset[str]:
    """The search terms of a question (stems, as the word search uses them)."""
    return frozenset(_terms()(question or ""))


def highlighted(text: str, wanted: frozenset[str], style: str = "") -> Text:
    """Plain text with the words that match the question's terms in bold and underlined."""
    out = plain(text, style)
    if wanted:
        for match in _WORD.finditer(out.plain):
            if _word_terms(match.group().lower()) & wanted:
                out.stylize(HIGHLIGHT, match.start(), match.end())
    return out


def cited(text: str, style: str = "") -> Text:
    """Answer text with its citation numbers [1] [2] in bold."""
    out = plain(text, style)
    for match in CITATION.finditer(out.plain):
        out.stylize("bold", match.start(), match.end())
    return out


def short_section(breadcrumb: str) -> str:
    """'Retningslinje 2 › 2. Henvisning … › 2.2 Innleggelsesrutiner › UNNs ansvar' → the document,
    then only the last two steps, so a citation fits on one line at 80 columns."""
    parts = [p for p in breadcrumb.split(" › ") if p]
    if len(parts) <= 3:
        return " › ".join(parts)
    return " › ".join([parts[0], *parts[-2:]])


def location(excerpt: Excerpt) -> str:
    where = f"linje {excerpt.line_start}–{excerpt.line_end}"
    return f"s. {excerpt.page}, {where}" if excerpt.page else where


def duty_source(duty: Duty, excerpts: tuple[Excerpt, ...]) -> str:
    """'[1]' when the duty comes from a cited section, else the document and section number."""
    for excerpt in excerpts:
        if excerpt.section_id == duty.section_id:
            return f"[{excerpt.rank}]"
    parts = duty.section.split(" › ")
    numbers = [p.split(" ", 1)[0] for p in parts[1:] if p[:1].isdigit()]
    return f"{parts[0]} {numbers[-1].rstrip('.')}" if numbers else parts[0]


def answer_body(answer: Answer, plain_mode: bool) -> list[RenderableType]:
    """The short answer, the duty table and the list of sources, as shown in the conversation."""
    parts: list[RenderableType] = []
    names = labels(answer)
    if answer.abstained:
        parts.append(Text(names["not_covered_title"] + ".", style="bold"))
        parts.append(plain(without_nearest(answer)))
        if answer.excerpts:
            parts.append(Text(names["nearest"]))
            parts.append(source_list(answer.excerpts[:3]))
        return parts
    parts.append(cited(answer.answer or "–"))
    if answer.responsibilities:
        parts.append(Text(""))
        from assistant.tui.tables import duty_table

        parts.append(duty_table(answer.responsibilities, answer.excerpts, plain_mode, names))
    if answer.excerpts:
        parts.append(Text(f"{names['sources']}:", style="bold"))
        parts.append(source_list(answer.excerpts))
    return parts


def source_list(excerpts) -> Table:
    """'[1] Retningslinje 2 › 2.2 … › UNNs ansvar', wrapped lines indented under the text."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(width=5, justify="right")
    grid.add_column(ratio=1)
    for excerpt in excerpts:
        grid.add_row(Text(f"[{excerpt.rank}]"), plain(short_section(excerpt.section)))
    return grid


def excerpt_prompt(excerpt: Excerpt, wanted: frozenset[str]) -> Text:
    """One entry of the sources panel: citation and section, the text, then document, status
    and place. The text comes before the details, so a short panel (80×24) shows its first
    lines."""
    out = Text()
    out.append(f"[{excerpt.rank}] ", style="bold")
    out.append(safe(short_section(excerpt.section)), style="bold")
    out.append("\n")
    out.append_text(highlighted(excerpt.text.strip(), wanted))
    out.append("\n")
    details = [d for d in (excerpt.doc_title, excerpt.status, location(excerpt)) if d]
    out.append(safe(" · ".join(details)), style="italic")
    out.append("\n")  # a blank line between excerpts
    return out


def interpretation(answer) -> Text | None:
    """'Tolket som: …' when the engine resolved a follow-up against the conversation (the
    answer's `interpreted`, from the answer-card work; absent or empty otherwise)."""
    interpreted = getattr(answer, "interpreted", None)
    if not interpreted or " ".join(interpreted.split()) == " ".join((answer.question or "").split()):
        return None
    return Text.assemble((f"{labels(answer)['interpreted']}: ", "bold"), plain(interpreted, "italic"))


def answer_glance(answer) -> Text | None:
    """The answer card's party and deadline on one line, to be seen at a glance (the answer's
    `card`, from the answer-card work: its `actor` or `party`, and `deadline`)."""
    card = getattr(answer, "card", None)
    if card is None or answer.abstained:
        return None
    party = getattr(card, "actor", None) or getattr(card, "party", None)
    deadline = getattr(card, "deadline", None)
    names = labels(answer)
    bits = [(label, value) for label, value in ((names["party"], party), (names["columns"][2], deadline)) if value]
    if not bits:
        return None
    out = Text()
    for i, (label, value) in enumerate(bits):
        out.append(" · " if i else "")
        out.append(f"{label}: ", style="bold")
        out.append(safe(str(value)), style="bold")
    return out
