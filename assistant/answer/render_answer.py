"""Readable plain-text output of an answer for the terminal (the CLI's default for `ask`)."""

from __future__ import annotations

import shutil
import textwrap

from assistant.answer.duty_table import restates
from assistant.answer.labels import labels
from assistant.models import Answer, Duty

ACTOR_LABEL = {"UNN": "UNN", "Kommunen": "Kommunen", "Felles": "Felles"}


def _width() -> int:
    return max(60, min(shutil.get_terminal_size((100, 24)).columns, 110))


def duty_rows(duties: tuple[Duty, ...] | list[Duty], width: int, deadline_word: str = "frist") -> list[str]:
    """Rows of 'actor · duty · frist · kilde' that fit the width."""
    lines = []
    for duty in duties:
        actor = duty.actor + (" (nasjonal veiledning)" if duty.national else "")
        head = f"• {actor}: "
        body = duty.duty
        if duty.deadline:
            body += f"  [{deadline_word}: {duty.deadline}]"
        source = duty.section.split(" › ")
        body += f"  ({source[0]} {' › '.join(s for s in source[1:] if s and s[0].isdigit())})".rstrip()
        lines.append(textwrap.fill(body, width, initial_indent=head, subsequent_indent="    "))
    return lines


def answer_text(answer: Answer) -> str:
    width = _width()
    out = []
    words = labels(answer)
    if answer.interpreted:
        out.append(textwrap.fill(answer.interpreted, width, initial_indent=f"{words['interpreted']}: ",
                                 subsequent_indent="  "))
    label = words["not_covered"] if answer.abstained else words["answer"]
    out.append(textwrap.fill(answer.answer or "–", width, initial_indent=f"{label}: ", subsequent_indent="  "))
    # A row that restates a card sentence is printed once, in the card.
    rows = [d for d in answer.responsibilities if not restates(d, answer.card)]
    if rows:
        out.append("")
        out.append(words["duties"])
        out.extend(duty_rows(rows, width, words["deadline"]))
    if answer.excerpts:
        out.append("")
        out.append(words["nearest"] if answer.abstained else words["excerpts"])
    for e in answer.excerpts:
        out.append("")
        out.append(textwrap.fill(e.section, width, initial_indent=f"[{e.rank}] ", subsequent_indent="    "))
        where = f"{words['line']} {e.line_start}–{e.line_end}" + (f", {words['page']} {e.page}" if e.page else "")
        status = f" ({e.status})" if e.status else ""
        out.append(textwrap.fill(f"{e.doc_title}{status}. {e.source_file}, {where}", width,
                                 initial_indent="    ", subsequent_indent="    "))
        for para in e.text.split("\n"):
            out.append(textwrap.fill(para.strip(), width, initial_indent="    ", subsequent_indent="      "))
    for notice in answer.notices:
        out.append(f"\n{words['note']}: {notice}")
    return "\n".join(out)


def duty_table(duties) -> str:
    """Duties grouped by party: UNN, Kommunen, Felles."""
    width = _width()
    out = []
    for actor in ("UNN", "Kommunen", "Felles"):
        rows = [d for d in duties if d.actor == actor]
        if not rows:
            continue
        out.append(f"\n{actor} ({len(rows)})")
        out.extend(duty_rows(rows, width))
    return "\n".join(out).lstrip("\n")


def deadline_table(rows) -> str:
    width = _width()
    out, topic = [], None
    for row in rows:
        if row.topic != topic:
            topic = row.topic
            out.append(f"\n{topic}")
        head = f"• {row.deadline} – {row.actor}: " if row.actor != "–" else f"• {row.deadline}: "
        out.append(textwrap.fill(f"{row.text} ({row.section.split(' › ')[-1]})", width,
                                 initial_indent=head, subsequent_indent="    "))
    return "\n".join(out).lstrip("\n")
