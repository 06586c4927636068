"""The sources panel: the excerpts of the selected answer, with the question's words highlighted.
Enter on an excerpt opens the whole section in the reader."""

from __future__ import annotations

from dataclasses import dataclass

from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from assistant.tui.format import excerpt_prompt, question_terms

EMPTY = "Ingen kilder ennå. Kildene til svaret du velger vises her."


class SourcesPanel(Vertical):
    ALLOW_MAXIMIZE = True  # F5 gives the sources the whole screen
    @dataclass
    class OpenExcerpt(Message):
        excerpt: object
        wanted: frozenset

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.answer = None
        self.wanted: frozenset[str] = frozenset()

    def compose(self):
        yield Label("Kilder", id="sources-title", markup=False)
        yield OptionList(id="sources-list", markup=False)

    def on_mount(self) -> None:
        self.show(None)

    def show(self, answer, number: int | None = None, prompts: tuple = ()) -> None:
        """Show the excerpts of `answer` (None: nothing selected yet). `prompts` are the entries
        already made by the search worker; they are made here when missing."""
        self.answer = answer
        options = self.query_one("#sources-list", OptionList)
        options.clear_options()
        title = self.query_one("#sources-title", Label)
        if answer is None or not answer.excerpts:
            title.update("Kilder" if answer is None else f"Kilder til spørsmål {number}: ingen")
            options.add_option(Option(EMPTY if answer is None else "Fant ingen avsnitt.", disabled=True))
            return
        kind = "Nærmeste avsnitt" if answer.abstained else "Kilder"
        title.update(f"{kind} til spørsmål {number} · Enter: åpne avsnittet")
        self.wanted = question_terms(answer.question)
        if len(prompts) != len(answer.excerpts):
            prompts = [excerpt_prompt(excerpt, self.wanted) for excerpt in answer.excerpts]
        options.add_options([Option(prompt, id=f"excerpt-{excerpt.rank}")
                             for prompt, excerpt in zip(prompts, answer.excerpts)])  # one call, one layout
        options.highlighted = 0

    def excerpt(self, rank: int):
        if self.answer is None:
            return None
        return next((e for e in self.answer.excerpts if e.rank == rank), None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id.startswith("excerpt-"):
            excerpt = self.excerpt(int(event.option.id.split("-", 1)[1]))
            if excerpt is not None:
                self.post_message(self.OpenExcerpt(excerpt, self.wanted))
