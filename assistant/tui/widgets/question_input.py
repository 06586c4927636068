"""The question field, with ↑/↓ through this session's questions. The history lives in memory
only and is never written to disk: questions may hold patient details.

Its keys act in the order typed (see typing.py): Enter asks exactly what was typed before it and
empties the field at once, so the next question can be typed straight after; Esc empties a
draft (↑ brings it back) and, on an empty field, goes on to the screen (cancel a search)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message

from assistant.tui.typing import InOrderInput, one_line, type_into


class QuestionInput(InOrderInput):
    BINDINGS = [
        Binding("up", "history(-1)", "Forrige spørsmål", show=False),
        Binding("down", "history(1)", "Neste spørsmål", show=False),
        Binding("escape", "clear_draft", "Tøm feltet", show=False),
    ]

    @dataclass
    class Asked(Message):
        """Enter on a question that is not blank."""

        question: str

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="Skriv et spørsmål og trykk Enter (F1: hjelp)", select_on_focus=False, **kwargs)
        self.history: list[str] = []
        self._position = 0
        self._draft = ""

    def on_mount(self) -> None:
        if getattr(self.app, "plain", False):
            self.cursor_blink = False  # no animation in plain mode

    def _on_paste(self, event: events.Paste) -> None:
        """A paste of several lines (a question copied from a record) is kept whole, as one
        line; Textual's Input would keep only its first line."""
        event.stop()
        event.prevent_default()  # not the Input's own handler as well
        if text := one_line(event.text):
            type_into(self, text)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "clear_draft":
            return bool(self.value.strip())  # an empty field lets Esc through to the screen
        return True

    async def action_submit(self) -> None:
        question = self.value.strip()
        if question:
            self.remember(question)
            self.value = ""
            self.post_message(self.Asked(question))

    def action_clear_draft(self) -> None:
        self.remember(self.value.strip())
        self.value = ""

    def remember(self, question: str) -> None:
        if question and (not self.history or self.history[-1] != question):
            self.history.append(question)
        self._position = len(self.history)
        self._draft = ""

    def forget(self) -> None:
        self.history.clear()
        self._position = 0
        self._draft = ""

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._position == len(self.history):
            self._draft = self.value
        self._position = max(0, min(len(self.history), self._position + step))
        self.value = self._draft if self._position == len(self.history) else self.history[self._position]
        self.cursor_position = len(self.value)
