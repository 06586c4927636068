"""Small dialogs: one line of text (a file name, a topic), or yes / no before something is lost."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from assistant.tui.typing import InOrderInput


class PromptScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Avbryt")]

    def __init__(self, title: str, hint: str, default: str = "", warning: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.hint, self.default, self.warning = title, hint, default, warning

    def compose(self):
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            yield Label(self.hint, id="dialog-hint", markup=False)
            yield InOrderInput(self.default, id="dialog-input", select_on_focus=False)
            if self.warning:
                yield Label(self.warning, id="dialog-warning", markup=False)
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


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question before something is lost. Enter or J: yes; Esc or N: no."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "Nei"),
        Binding("enter,j,y", "answer(True)", "Ja"),
    ]

    def __init__(self, title: str, text: str, yes: str = "Ja", no: str = "Nei", purpose: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.text, self.yes, self.no, self.purpose = title, text, yes, no, purpose

    def compose(self):
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            yield Label(self.text, id="dialog-hint", markup=False)
            yield Label(f"Enter eller J: {self.yes.lower()} · Esc eller N: {self.no.lower()}", id="dialog-keys",
                        markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
