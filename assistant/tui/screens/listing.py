"""A table of duties or deadlines (F4, the duty table of a topic): Part | Plikt | Frist | Kilde,
filtered as the user types (by stem and meaning, see filtering.py). Enter on a row opens its
section in the reader; Esc clears the filter, then goes back."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from assistant.tui.filtering import compile_filter, keeps
from assistant.tui.format import plain
from assistant.tui.tables import TableRow, add_header, grid, table_row
from assistant.tui.typing import InOrderInput

FILTER_HINT = "Skriv for å filtrere, f.eks. «utskrivning» eller «kommunen svar»"


class ListingScreen(Screen):
    AUTO_FOCUS = "#listing-list"
    BINDINGS = [
        Binding("escape", "back", "Tilbake"),
        Binding("down", "move(1)", "Neste rad", show=False),
        Binding("up", "move(-1)", "Forrige rad", show=False),
        Binding("pagedown", "move(10)", show=False),
        Binding("pageup", "move(-10)", show=False),
    ]

    def __init__(self, title: str, note: str | None, rows: list[TableRow], plain_mode: bool = False) -> None:
        super().__init__(classes="listing-screen")
        self.title_text, self.note, self.rows, self.plain_mode = title, note, rows, plain_mode
        self.shown: list[TableRow] = []

    def compose(self):
        yield Label(self.title_text, id="listing-title", markup=False)
        yield Label("", id="listing-note", markup=False)
        yield InOrderInput(placeholder=FILTER_HINT, id="listing-filter", select_on_focus=False)
        if not self.plain_mode:
            yield Static(add_header(grid()), id="listing-header")
        yield OptionList(id="listing-list", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.show_rows("")

    def typing_field(self) -> Input:
        """Typing anywhere on this screen filters the table (see typing.py)."""
        return self.query_one("#listing-filter", Input)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.show_rows(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        table = self.query_one(OptionList)
        if table.highlighted is not None:
            table.action_select()

    def show_rows(self, query: str) -> None:
        tests = compile_filter(query.strip())
        self.shown = [row for row in self.rows if keeps(tests, row.terms)]
        options: list[Option] = []
        group = None
        for number, row in enumerate(self.shown):
            if row.group is not None and row.group != group:
                group = row.group
                options.append(Option(plain(group, "bold"), disabled=True))
            options.append(Option(table_row(row, self.plain_mode), id=f"row-{number}"))
        if not self.shown:
            empty = "Fant ingen rader." if not query.strip() else f"Ingen rader passer «{query.strip()}». Esc tømmer filteret."
            options.append(Option(Text(empty), disabled=True))
        table = self.query_one(OptionList)
        table.clear_options()
        table.add_options(options)
        first = next((i for i, option in enumerate(options) if not option.disabled), None)
        table.highlighted = first
        self._show_count(query.strip())

    def _show_count(self, query: str) -> None:
        total, shown = len(self.rows), len(self.shown)
        count = f"{shown} av {total} rader passer «{query}»." if query else f"{total} rader."
        keys = "Skriv for å filtrere · Enter: åpne avsnittet · Esc: tilbake."
        self.query_one("#listing-note", Label).update(" ".join(p for p in (self.note, count, keys) if p))

    def action_move(self, step: int) -> None:
        table = self.query_one(OptionList)  # the filter has focus: the table has its own keys
        for _ in range(abs(step)):
            table.action_cursor_down() if step > 0 else table.action_cursor_up()

    def action_back(self) -> None:
        field = self.typing_field()
        if field.value:
            field.value = ""
            self.set_focus(self.query_one(OptionList))
        else:
            self.app.pop_screen()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id.startswith("row-"):
            self.app.main.open_section(self.shown[int(event.option.id[4:])].section_id)
