"""The conversation: one card per question, the selected one's sources shown beside it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from assistant.tui.format import answer_body, plain

WELCOME = (
    "Spør om samarbeidsavtalen mellom UNN og kommunene og retningslinjene til den. "
    "Svarene er utdrag fra dokumentene, med kildehenvisning.\n\n"
    "Eksempler:\n"
    "  Hvem skal sende tidligmelding ved innleggelse?\n"
    "  Hva må sykehuset sende kommunen før utskrivning, og når?\n"
    "  Hvem har ansvaret for legemiddellisten ved utskrivning?\n\n"
    "F1 eller ?: hjelp · Ctrl+P: kommandoer · Tab: flytt mellom feltene"
)


class AnswerCard(Static):
    """One question and its answer (or its state while it is being answered)."""

    STATES = {
        "waiting": "Venter på søkeindeksen …",
        "searching": "Søker …",
        "cancelled": "Søket ble avbrutt.",
    }

    def __init__(self, number: int, question: str, plain_mode: bool) -> None:
        super().__init__(markup=False, id=f"card-{number}", classes="answer-card")
        self.number = number
        self.question = question
        self.plain_mode = plain_mode
        self.answer = None
        self.prompts: tuple = ()  # the sources panel entries, made by the search worker
        self.state = "waiting"
        self.note = ""

    def on_mount(self) -> None:
        self.show()

    def on_click(self) -> None:
        self.post_message(ChatLog.Clicked(self))

    def show(self, state: str | None = None, answer=None, note: str = "") -> None:
        self.state = state or self.state
        self.answer = answer if answer is not None else self.answer
        self.note = note or self.note
        self.set_class(self.state == "done" and bool(self.answer and self.answer.abstained), "-abstained")
        head = Text(f"Spørsmål {self.number}: ", style="bold")
        head.append_text(plain(self.question, "bold"))
        parts = [head]
        if self.state == "done" and self.answer is not None:
            # How the answer was found and the engine's notices go first, where they are seen.
            notices = [n for n in self.answer.notices if not (self.note and n.startswith("Bare ordsøk"))]
            notes = [plain(f"Merk: {text}", "italic") for text in ([self.note] if self.note else []) + notices]
            body = answer_body(self.answer, self.plain_mode)
            if not self.answer.abstained and body and isinstance(body[0], Text):
                body[0] = Text.assemble(("Svar: ", "bold"), body[0])
            parts += notes + body
        elif self.state == "failed":
            parts.append(plain(f"Kunne ikke svare: {self.note}", "bold"))
        else:
            parts.append(Text(self.STATES.get(self.state, ""), style="italic"))
        self.update(Group(*parts))


class ChatLog(VerticalScroll, can_focus=True):
    """Scrollable conversation. ↑/↓ select an answer, 1–9 open its sources in the reader."""

    BINDINGS = [
        Binding("up", "select_step(-1)", "Forrige svar", show=False),
        Binding("down", "select_step(1)", "Neste svar", show=False),
        Binding("enter", "focus_sources", "Kilder", show=False),
        *[Binding(str(n), f"open_citation({n})", show=False) for n in range(1, 10)],
    ]

    @dataclass
    class Selected(Message):
        card: AnswerCard

    @dataclass
    class Clicked(Message):
        card: AnswerCard

    @dataclass
    class OpenCitation(Message):
        card: AnswerCard
        rank: int

    def __init__(self, plain_mode: bool, **kwargs) -> None:
        super().__init__(**kwargs)
        self.plain_mode = plain_mode
        self.selected: AnswerCard | None = None

    def compose(self):
        yield Static(WELCOME, id="welcome", markup=False)

    @property
    def cards(self) -> list[AnswerCard]:
        return list(self.query(AnswerCard))

    def add_card(self, question: str) -> AnswerCard:
        self.query_one("#welcome").display = False
        number = len(self.cards) + 1
        card = AnswerCard(number, question, self.plain_mode)
        self.mount(card)
        self.select(card)
        return card

    def card(self, card_id: str) -> AnswerCard | None:
        found = [c for c in self.cards if c.id == card_id]
        return found[0] if found else None

    def select(self, card: AnswerCard | None) -> None:
        for other in self.cards:
            other.set_class(other is card, "-selected")
        self.selected = card
        if card is not None:
            self.call_after_refresh(self.scroll_to_widget, card, top=True, animate=False)
        self.post_message(self.Selected(card))

    def clear(self) -> None:
        for card in self.cards:
            card.remove()
        self.selected = None
        self.query_one("#welcome").display = True
        self.post_message(self.Selected(None))

    def on_chat_log_clicked(self, event: Clicked) -> None:
        event.stop()
        self.select(event.card)

    def action_select_step(self, step: int) -> None:
        cards = self.cards
        if not cards:
            return
        index = cards.index(self.selected) + step if self.selected in cards else len(cards) - 1
        self.select(cards[max(0, min(len(cards) - 1, index))])

    def action_focus_sources(self) -> None:
        self.screen.query_one("#sources-list").focus()

    def action_open_citation(self, rank: int) -> None:
        if self.selected is not None:
            self.post_message(self.OpenCitation(self.selected, rank))
