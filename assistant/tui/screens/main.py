"""The conversation screen: answers on the left (or above at 80 columns), the selected answer's
sources beside them, the question field at the bottom, the status line on top."""

from __future__ import annotations

import threading

from textual import work
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import get_current_worker

from assistant.tui.format import excerpt_prompt, question_terms
from assistant.tui.messages import SearchDone, SearchFailed
from assistant.tui.screens.actions import MainActions
from assistant.tui.widgets.chat import ChatLog, Welcome
from assistant.tui.widgets.question_input import QuestionInput
from assistant.tui.widgets.sources import SourcesPanel
from assistant.tui.widgets.status import StatusLine

LOADING_NOTE = "Besvart med ordsøk (språkmodellen lastes fortsatt)."


def ask_in_conversation(assistant, question: str, doc_ids, earlier: list[str]):
    """Ask, with the conversation's earlier questions where the engine takes them (a
    `history` parameter of `ask`, for resolving follow-ups), else the question alone."""
    import inspect

    try:
        takes_history = "history" in inspect.signature(assistant.ask).parameters
    except (TypeError, ValueError):
        takes_history = False
    if takes_history and earlier:
        return assistant.ask(question, doc_ids=doc_ids, history=list(earlier))
    return assistant.ask(question, doc_ids=doc_ids)


class MainScreen(MainActions, Screen):
    AUTO_FOCUS = "#question"
    # A maximised pane (F5) keeps the status line, the question field and the keys in view.
    ALLOW_IN_MAXIMIZED_VIEW = "StatusLine, QuestionInput, Footer"
    BINDINGS = [
        Binding("f1", "app.help", "Hjelp"),
        Binding("f2", "copy_answer", "Kopier"),
        Binding("f3", "export", "Lagre"),
        Binding("f4", "deadlines", "Frister"),
        Binding("f5", "toggle_maximize", "Forstørr"),
        Binding("ctrl+n", "new_conversation", "Ny samtale"),
        Binding("ctrl+z", "undo_new_conversation", "Angre", show=False),  # the notice says so
        Binding("escape", "escape", "Tøm / avbryt", show=False),
    ]

    def __init__(self, plain_mode: bool = False) -> None:
        super().__init__(id="main")
        self.plain_mode = plain_mode
        self.doc_filter: tuple[set[str], str] | None = None
        self._waiting: list[str] = []
        self._ask_lock = threading.Lock()
        self._undo: tuple[list, list[str]] | None = None  # the conversation Ctrl+N cleared
        self._saved_answers: list = []  # the answers the last export (F3) wrote

    def compose(self):
        yield StatusLine(self.plain_mode, id="status")
        with Container(id="panes"):
            yield ChatLog(self.plain_mode, id="chat")
            yield SourcesPanel(id="sources")
        yield QuestionInput(id="question")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def chat(self) -> ChatLog:
        return self.query_one(ChatLog)

    def typing_field(self) -> QuestionInput:
        """Where typing goes when focus is on the conversation or the sources (see typing.py)."""
        return self.query_one(QuestionInput)

    def unsaved_answers(self) -> int:
        """Answers that quitting would lose: none right after F3 saved them all."""
        answers = [card.answer for card in self.chat.cards if card.state == "done"]
        return 0 if answers == self._saved_answers else len(answers)

    def earlier_questions(self, card) -> list[str]:
        """The questions asked before `card` in this conversation, oldest first, for resolving
        a follow-up ("og hva med kommunen?"): answered ones and those still being searched (a
        follow-up typed before the answer above it came means that question too); not a failed
        or cancelled one. In memory only; Ctrl+N forgets them."""
        return [c.question for c in self.chat.cards
                if c.number < card.number and c.state in ("done", "searching", "waiting")]

    # -- asking --------------------------------------------------------------------------------
    def on_question_input_asked(self, event: QuestionInput.Asked) -> None:
        event.stop()
        self.ask(event.question)

    def on_welcome_chosen(self, event: Welcome.Chosen) -> None:
        """An example question chosen on the start screen is asked as if typed."""
        event.stop()
        field = self.typing_field()
        field.remember(event.question)
        self.set_focus(field)
        self.ask(event.question)

    def ask(self, question: str) -> None:
        self.forget_undo()
        card = self.chat.add_card(question)
        self._start(card)

    def _start(self, card) -> None:
        assistant = self.app.assistant
        if assistant is None:
            if self.app.load_error:
                card.show("failed", note=self.app.load_error)
            else:
                card.show("waiting")
                self._waiting.append(card.id)
            return
        card.show("searching")
        doc_ids = self.doc_filter[0] if self.doc_filter else None
        self._search(card.id, card.question, assistant, doc_ids, self.earlier_questions(card))

    def assistant_ready(self) -> None:
        """Called by the app when word search is ready: answer the questions that waited."""
        waiting, self._waiting = self._waiting, []
        for card_id in waiting:
            card = self.chat.card(card_id)
            if card is not None and card.state == "waiting":
                self._start(card)

    @work(thread=True, group="search", exit_on_error=False)
    def _search(self, card_id: str, question: str, assistant, doc_ids, earlier: list[str]) -> None:
        worker = get_current_worker()
        with self._ask_lock:  # one search at a time: the engine is not shared between threads
            if worker.is_cancelled:
                return
            try:
                answer = ask_in_conversation(assistant, question, doc_ids, earlier)
                wanted = question_terms(answer.question)
                prompts = tuple(excerpt_prompt(e, wanted) for e in answer.excerpts)
            except Exception as exc:
                from assistant.errors import AvtaleError

                text = exc.message if isinstance(exc, AvtaleError) else f"uventet feil ({type(exc).__name__}: {exc})"
                self.post_message(SearchFailed(card_id, text))
                return
        if not worker.is_cancelled:
            self.post_message(SearchDone(card_id, answer, assistant.encoder is None, prompts))

    def on_search_done(self, message: SearchDone) -> None:
        card = self.chat.card(message.card_id)
        if card is None or card.state != "searching":
            return  # cancelled, or the conversation was cleared
        # The model is still to come: loading, or about to (its start message may not be here yet).
        model_pending = self.app.encoder_loading or (self.app.use_encoder and not self.app.loading_finished.is_set())
        note = LOADING_NOTE if message.lexical and model_pending else ""
        card.prompts = message.prompts
        card.show("done", message.answer, note)
        if self.chat.selected is card:
            self.chat.select(card)

    def on_search_failed(self, message: SearchFailed) -> None:
        card = self.chat.card(message.card_id)
        if card is not None and card.state == "searching":
            card.show("failed", note=message.message)

    def action_cancel_search(self) -> None:
        running = [c for c in self.chat.cards if c.state in ("searching", "waiting")]
        if not running:
            return
        self.workers.cancel_group(self, "search")
        self._waiting.clear()
        for card in running:
            card.show("cancelled")
        self.notify("Søket ble avbrutt.", timeout=3)

    # -- selection and sources -----------------------------------------------------------------
    def on_chat_log_selected(self, event: ChatLog.Selected) -> None:
        card = event.card
        answer = card.answer if card is not None and card.state == "done" else None
        self.query_one(SourcesPanel).show(answer, card.number if card else None, getattr(card, "prompts", ()))

    def on_chat_log_open_citation(self, event: ChatLog.OpenCitation) -> None:
        answer = event.card.answer
        excerpt = next((e for e in answer.excerpts if e.rank == event.rank), None) if answer else None
        if excerpt is None:
            self.notify(f"Svaret har ingen kilde [{event.rank}].", timeout=3)
            return
        self.open_excerpt(excerpt, question_terms(answer.question))

    def on_sources_panel_open_excerpt(self, event: SourcesPanel.OpenExcerpt) -> None:
        self.open_excerpt(event.excerpt, event.wanted)

    def open_excerpt(self, excerpt, wanted=frozenset()) -> None:
        self.open_section(excerpt.section_id, (excerpt.line_start, excerpt.line_end), wanted)

    def open_section(self, section_id: str, lines=None, wanted=frozenset()) -> None:
        from assistant.tui.screens.reader import ReaderScreen

        if self.app.assistant is None:
            self.notify("Søkeindeksen er ikke klar ennå.", timeout=3)
            return
        self.app.push_screen(ReaderScreen(self.app.assistant.index, section_id, lines, wanted, self.plain_mode))
