"""A list of rows grouped under headings (deadlines, a duty table for a topic). Each row is
(heading, title, text, section id); Enter on a row opens its section in the reader."""

from __future__ import annotations

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from assistant.tui.format import plain


class ListingScreen(Screen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Tilbake"), Binding("q", "app.pop_screen", "Tilbake", show=False)]

    def __init__(self, title: str, note: str | None, rows: list[tuple[str, str, str, str]]) -> None:
        super().__init__(classes="listing-screen")
        self.title_text, self.note, self.rows = title, note, rows

    def compose(self):
        yield Label(self.title_text, id="listing-title", markup=False)
        count = f"{sum(1 for _ in self.rows)} rader. Enter: åpne avsnittet · Esc: tilbake."
        yield Label(f"{self.note} {count}" if self.note else count, id="listing-note", markup=False)
        options = []
        group = None
        for number, (heading, title, text, _section_id) in enumerate(self.rows):
            if heading != group:
                group = heading
                options.append(Option(plain(heading, "bold underline"), disabled=True))
            lines = ([plain(title, "bold")] if title else []) + [plain(text)]
            options.append(Option(Padding(Group(*lines), (0, 0, 0, 2)), id=f"row-{number}"))
        if not self.rows:
            options.append(Option(Text("Fant ingen rader."), disabled=True))
        yield OptionList(*options, id="listing-list", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id.startswith("row-"):
            section_id = self.rows[int(event.option.id[4:])][3]
            self.app.main.open_section(section_id)
