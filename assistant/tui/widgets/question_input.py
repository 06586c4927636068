"""The question field, with ↑/↓ through this session's questions. The history lives in memory
only and is never written to disk: questions may hold patient details."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class QuestionInput(Input):
    BINDINGS = [
        Binding("up", "history(-1)", "Forrige spørsmål", show=False),
        Binding("down", "history(1)", "Neste spørsmål", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="Skriv et spørsmål og trykk Enter (F1: hjelp)", select_on_focus=False, **kwargs)
        self.history: list[str] = []
        self._position = 0
        self._draft = ""

    def on_mount(self) -> None:
        if getattr(self.app, "plain", False):
            self.cursor_blink = False  # no animation in plain mode

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
