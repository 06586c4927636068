"""Duty tables as the app shows them: Part | Plikt | Frist | Kilde, each deadline on its own
duty's line, for the answer card, the duty table of a topic and the list of deadlines (F4).
No Textual here; the rows are made in a worker, with the stems the filter reads.

In plain mode (screen readers) a row is one line of text read in order ("UNN: … Frist: … Kilde:
…") rather than columns, which a screen reader would read across.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from assistant.tui.filtering import row_terms
from assistant.tui.format import plain, safe

COLUMNS = ("Part", "Plikt", "Frist", "Kilde")
PART_WIDTH = 10  # "Kommunen", "(nasjonal)"
FRIST_WIDTH = 16
KILDE_WIDTH = 17  # "Samarbeidsavtalen"
EMPTY_CELL = "–"  # no deadline, no known party
PARTIES = ("UNN", "Kommunen", "Felles")


@dataclass(frozen=True)
class TableRow:
    """One duty (or one sentence with a deadline) of a listing."""

    group: str | None  # heading the row is listed under (F4: the document and section), or None
    actor: str
    duty: str
    deadline: str
    source: str
    section_id: str
    terms: frozenset[str] = frozenset()  # stems for type-to-filter


def section_source(breadcrumb: str) -> str:
    """'Retningslinje 2 › 4. Utskriving … › 4.1 Planlegge … › UNNs ansvar' → 'Retningslinje 2
    4.1': the document and the number of the deepest numbered section. Unnumbered steps (a duty
    block's name, a table's header row such as 'Term Definisjon') are left out."""
    parts = [p for p in breadcrumb.split(" › ") if p]
    if not parts:
        return ""
    numbers = [p.split(" ", 1)[0].rstrip(".") for p in parts[1:] if p[:1].isdigit()]
    return f"{parts[0]} {numbers[-1]}" if numbers else parts[0]


def _row(group, actor, duty, deadline, section_id, breadcrumb) -> TableRow:
    source = section_source(breadcrumb)
    deadline = deadline or EMPTY_CELL
    searchable = " ".join(p for p in (group or "", actor, duty, deadline, breadcrumb) if p)
    return TableRow(group, actor or EMPTY_CELL, duty, deadline, source, section_id, row_terms(searchable))


def deadline_rows(deadlines) -> list[TableRow]:
    """F4: every sentence with a deadline, under its document and top section."""
    return [_row(d.topic, d.actor if d.actor not in ("", "–") else "", d.text, d.deadline, d.section_id, d.section)
            for d in deadlines]


def duty_rows(duties) -> list[TableRow]:
    """A topic's duty table: UNN's rows, then Kommunen's, then Felles' (each in the order found),
    then any other party's."""
    order = {actor: i for i, actor in enumerate(PARTIES)}
    ranked = sorted(enumerate(duties), key=lambda item: (order.get(item[1].actor, len(order)), item[0]))
    return [_row(None, _party(d), d.duty, d.deadline, d.section_id, d.section) for _, d in ranked]


def _party(duty) -> str:
    return duty.actor + ("\n(nasjonal)" if getattr(duty, "national", False) else "")


def grid(widths: tuple[int, int, int] = (PART_WIDTH, FRIST_WIDTH, KILDE_WIDTH)) -> Table:
    """An empty table with Part, Frist and Kilde at fixed widths and Plikt taking the rest, so
    a header and rows made separately line up."""
    part, frist, kilde = widths
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(width=part)
    table.add_column(ratio=1)
    table.add_column(width=frist)
    table.add_column(width=kilde)
    return table


def fitted_widths(rows: list[tuple[str, str, str, str]], columns: tuple[str, str, str, str] = COLUMNS
                  ) -> tuple[int, int, int]:
    """Part, Frist and Kilde as narrow as these rows and their headers allow (at most the
    listing's widths), so the duty text gets the room in a narrow answer card."""
    def fit(values, least: int, most: int) -> int:
        longest = max((len(line) for value in values for line in value.split("\n")), default=0)
        return max(least, min(most, longest))

    return (fit([r[0] for r in rows], len(columns[0]), PART_WIDTH),
            fit([r[2] for r in rows], len(columns[2]), FRIST_WIDTH),
            fit([r[3] for r in rows], len(columns[3]), KILDE_WIDTH))


def add_header(table: Table, columns: tuple[str, str, str, str] = COLUMNS) -> Table:
    table.add_row(*(Text(name, style="bold underline") for name in columns))
    return table


def add_row(table: Table, actor: str, duty: str, deadline: str, source: str) -> None:
    table.add_row(plain(actor, "bold"), plain(duty), plain(deadline or EMPTY_CELL), plain(source))


def row_line(actor: str, duty: str, deadline: str, source: str, columns: tuple[str, str, str, str] = COLUMNS) -> Text:
    """A row as one line of text (plain mode)."""
    party = actor.replace("\n", " ")
    text = f"{party}: {duty.rstrip()}" if party not in ("", EMPTY_CELL) else duty.rstrip()
    if deadline and deadline != EMPTY_CELL:
        text += f" {columns[2]}: {deadline}."
    return Text(safe(text + f" {columns[3]}: {source}."))


def table_row(row: TableRow, plain_mode: bool) -> RenderableType:
    """One listing row, as grid columns (or one line in plain mode)."""
    if plain_mode:
        return row_line(row.actor, row.duty, row.deadline, row.source)
    table = grid()
    add_row(table, row.actor, row.duty, row.deadline, row.source)
    return table


def duty_table(duties, excerpts, plain_mode: bool, names: dict | None = None) -> RenderableType:
    """The answer card's "Hvem gjør hva" (`names`: the card's labels, English for an English
    question): the duties in the order the answer ranked them, the source as the excerpt's
    number [n] where the duty comes from a cited section."""
    from rich.console import Group

    from assistant.answer.labels import LABELS
    from assistant.tui.format import duty_source

    names = names or LABELS["nb"]
    rows = [(_party(d), d.duty, d.deadline or EMPTY_CELL, duty_source(d, excerpts)) for d in duties]
    title = Text(names["duties"].rstrip(":"), style="bold")
    if plain_mode:
        return Group(title, *(Text("- ") + row_line(*row, names["columns"]) for row in rows))
    table = add_header(grid(fitted_widths(rows, names["columns"])), names["columns"])
    for row in rows:
        add_row(table, *row)
    return Group(title, table)
