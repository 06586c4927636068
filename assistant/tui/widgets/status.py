"""The status line: what the app is doing (opening or building the index, loading the language
model, ready), the document filter, and a progress bar while the index is built."""

from __future__ import annotations

from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from assistant.terminal import visible


class StatusLine(Horizontal):
    def __init__(self, plain_mode: bool, **kwargs) -> None:
        super().__init__(**kwargs)
        self.plain_mode = plain_mode

    def compose(self):
        yield Label("", id="status-text", markup=False)
        yield ProgressBar(id="status-bar", show_eta=False, show_percentage=False)
        yield Label("", id="status-filter", markup=False)

    def on_mount(self) -> None:
        self.query_one("#status-bar").display = False
        self.watch(self.app, "status", self._show_status)
        self.watch(self.app, "progress", self._show_progress)

    def _show_status(self, status: str) -> None:
        self.query_one("#status-text", Label).update(visible(status, one_line=True))

    def _show_progress(self, progress: tuple[int, int] | None) -> None:
        bar = self.query_one("#status-bar", ProgressBar)
        bar.display = progress is not None and not self.plain_mode
        if progress is not None:
            bar.update(total=max(progress[1], 1), progress=progress[0])

    def show_filter(self, label: str | None) -> None:
        self.query_one("#status-filter", Label).update(visible(f"Filter: {label}", one_line=True) if label else "")
