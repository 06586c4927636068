"""The conversation screen's commands (keys and palette): copy, export, new conversation,
document filter, deadlines and the duty table for a topic. A mixin, so `main.py` keeps to the
conversation itself."""

from __future__ import annotations

from textual import work
from textual.command import CommandPalette

from assistant.tui.messages import ListingDone, ListingFailed


class MainActions:
    def _selected_answer(self):
        card = self.chat.selected
        return card.answer if card is not None and card.state == "done" else None

    def _ready(self) -> bool:
        if self.app.assistant is None:
            self.notify("Søkeindeksen er ikke klar ennå. Prøv igjen om litt.", timeout=4)
            return False
        return True

    def action_copy_answer(self) -> None:
        from assistant.tui.export import clipboard_text

        answer = self._selected_answer()
        if answer is None:
            self.notify("Ingen svar å kopiere. Still et spørsmål, eller velg et svar i samtalen.", timeout=4)
            return
        self.app.copy_to_clipboard(clipboard_text(answer))
        self.notify("Svaret er kopiert til utklippstavlen, med kildehenvisninger.", timeout=4)

    def action_export(self) -> None:
        from assistant.tui.export import (
            PRIVACY_REMINDER,
            default_export_name,
            export_dir,
            write_export,
        )
        from assistant.tui.screens.prompt import PromptScreen

        answers = [c.answer for c in self.chat.cards if c.state == "done"]
        if not answers:
            self.notify("Samtalen har ingen svar å eksportere ennå.", timeout=4)
            return
        folder = export_dir()

        def write(name: str | None) -> None:
            if not name:
                return
            try:
                path = write_export(name, answers, folder)
            except FileExistsError as exc:
                self.notify(f"Filen finnes fra før: {exc.filename}. Velg et annet navn (F3).",
                            severity="error", markup=False, timeout=8)
            except OSError as exc:
                self.notify(f"Kunne ikke lagre samtalen: {exc}", severity="error", markup=False, timeout=8)
            else:
                self._saved_answers = answers
                self.notify(f"Samtalen er lagret i {path} (bare du kan lese filen).",
                            markup=False, timeout=8)

        self.app.push_screen(PromptScreen(
            "Eksporter samtalen som Markdown",
            f"Filnavn. Uten mappe lagres filen i {folder}",
            default_export_name(),
            warning=PRIVACY_REMINDER,
        ), write)

    def action_new_conversation(self) -> None:
        """Ctrl+N: start over at once (typing can go on), and keep what was cleared for Ctrl+Z
        until the next question is asked."""
        self.workers.cancel_group(self, "search")
        self._waiting.clear()
        field = self.typing_field()
        if self.chat.cards:
            self._undo = (self.chat.snapshot(), list(field.history))
            self.chat.clear()
            field.forget()
            self.refresh_bindings()
            self.notify("Ny samtale. Ctrl+Z henter tilbake den forrige.", timeout=6)
        self.set_focus(field)

    def action_undo_new_conversation(self) -> None:
        if self._undo is None:
            return
        cards, history = self._undo
        self._undo = None
        self.chat.restore(cards)
        field = self.typing_field()
        field.history[:0] = history
        field.remember("")
        self.refresh_bindings()
        self.notify("Samtalen er hentet tilbake.", timeout=3)

    def forget_undo(self) -> None:
        """A new question starts the new conversation for real: the old one is dropped."""
        if self._undo is not None:
            self._undo = None
            self.refresh_bindings()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "undo_new_conversation":
            return self._undo is not None
        return True

    def action_escape(self) -> None:
        """Esc: a first press empties the question field (↑ brings the text back); with the
        field empty it cancels a search that is running."""
        field = self.typing_field()
        if field.value.strip():
            field.action_clear_draft()
            self.set_focus(field)
            return
        self.action_cancel_search()

    def action_toggle_maximize(self) -> None:
        """F5: the pane with focus fills the screen (the conversation when the question field has
        focus); F5 or Esc again restores both."""
        if self.maximized is not None:
            self.minimize()
            return
        pane = self.query_one("#sources") if self.query_one("#sources-list").has_focus else self.chat
        self.maximize(pane, container=False)
        if not pane.has_focus_within:
            self.set_focus(self.query_one("#sources-list") if pane.id == "sources" else self.chat)

    # -- document filter -----------------------------------------------------------------------
    def action_filter(self) -> None:
        from assistant.tui.commands import document_provider

        if not self._ready():
            return
        documents = [(d.id, d.short_title or d.id, d.title) for d in self.app.assistant.index.documents.values()]
        self.app.push_screen(CommandPalette(providers=[document_provider(documents, self.set_filter)],
                                            placeholder="Søk bare i dokumentet … (skriv for å finne det)"))

    def set_filter(self, doc_id: str | None, label: str | None = None) -> None:
        self.doc_filter = ({doc_id}, label or doc_id) if doc_id else None
        self.query_one("#status").show_filter(label if doc_id else None)
        if doc_id:
            self.notify(f"Søker bare i {label}. Fjern filteret i Ctrl+P.", markup=False, timeout=4)

    def action_clear_filter(self) -> None:
        self.set_filter(None)
        self.notify("Søker i alle dokumentene.", timeout=3)

    # -- listings ------------------------------------------------------------------------------
    def action_deadlines(self) -> None:
        if self._ready():
            self._listing(self.app.assistant, None)

    def action_duties(self) -> None:
        from assistant.tui.screens.prompt import PromptScreen

        if not self._ready():
            return

        def show(topic: str | None) -> None:
            if topic and topic.strip():
                self._listing(self.app.assistant, topic.strip())

        self.app.push_screen(PromptScreen("Plikttabell for et tema",
                                          "Tema eller seksjon, f.eks. «utskrivning», «ØHD» eller «Retningslinje 2 4.1».",
                                          ""), show)

    @work(thread=True, group="listing", exclusive=True, exit_on_error=False)
    def _listing(self, assistant, topic: str | None) -> None:
        try:
            if topic is None:
                from assistant.answer.ansvar import deadlines
                from assistant.tui.tables import deadline_rows

                rows = deadline_rows(deadlines(assistant.index))
                self.post_message(ListingDone("Frister i avtalen og retningslinjene", None, rows))
            else:
                from assistant.answer.ansvar import duties_for_topic
                from assistant.tui.tables import duty_rows

                duties, note = duties_for_topic(assistant, topic)
                self.post_message(ListingDone(f"Hvem gjør hva: {topic}", note, duty_rows(duties)))
        except Exception as exc:
            from assistant.errors import AvtaleError

            text = exc.message if isinstance(exc, AvtaleError) else f"uventet feil ({type(exc).__name__}: {exc})"
            self.post_message(ListingFailed(text))

    def on_listing_done(self, message: ListingDone) -> None:
        from assistant.tui.screens.listing import ListingScreen

        self.app.push_screen(ListingScreen(message.title, message.note, message.rows, self.plain_mode))

    def on_listing_failed(self, message: ListingFailed) -> None:
        self.notify(message.message, severity="error", markup=False, timeout=8)
