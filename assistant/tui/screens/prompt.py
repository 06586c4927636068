"""A small dialog that asks for one line of text (a file name, a topic)."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PromptScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Avbryt")]

    def __init__(self, title: str, hint: str, default: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.hint, self.default = title, hint, default

    def compose(self):
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            yield Label(self.hint, id="dialog-hint", markup=False)
            yield Input(self.default, id="dialog-input", select_on_focus=False)
            yield Label("Enter: OK · Esc: avbryt", id="dialog-keys", markup=False)

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.focus()
        field.cursor_position = len(field.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
