"""The conversation: one card per question, the selected one's sources shown beside it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static

from assistant.answer.labels import labels
from assistant.tui.format import answer_body, answer_glance, interpretation, plain

WELCOME = ("Spør om samarbeidsavtalen mellom UNN og kommunene og retningslinjene til den. "
           "Svarene er utdrag fra dokumentene, med kildehenvisning.")
EXAMPLES = (
    "Hvem skal sende tidligmelding ved innleggelse?",
    "Hva må sykehuset sende kommunen før utskrivning, og når?",
    "Hvem har ansvaret for legemiddellisten ved utskrivning?",
)
WELCOME_KEYS = "Velg et eksempel med Tab og Enter, eller skriv ditt eget spørsmål. F1 eller ?: hjelp · Ctrl+P: meny"


class AnswerCard(Static):
    """One question and its answer (or its state while it is being answered)."""

    STATES = {
        "waiting": "Venter på søkeindeksen …",
        "searching": "Søker …",
        "cancelled": "Søket ble avbrutt.",
    }

    def __init__(self, number: int, question: str, plain_mode: bool, serial: int | None = None) -> None:
        super().__init__(markup=False, id=f"card-{serial or number}", classes="answer-card")
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
            # Follow-ups and the answer card (party, deadline) come first, where they are seen.
            glance = [line for line in (interpretation(self.answer), answer_glance(self.answer)) if line is not None]
            body = answer_body(self.answer, self.plain_mode)
            if not self.answer.abstained and body and isinstance(body[0], Text):
                body[0] = Text.assemble((f"{labels(self.answer)['answer']}: ", "bold"), body[0])
            parts += notes + glance + body
        elif self.state == "failed":
            parts.append(plain(f"Kunne ikke svare: {self.note}", "bold"))
        else:
            parts.append(Text(self.STATES.get(self.state, ""), style="italic"))
        self.update(Group(*parts))


class Welcome(Vertical):
    """The start screen: what the app does, and example questions to choose (Enter or a click
    asks one)."""

    @dataclass
    class Chosen(Message):
        question: str

    def compose(self):
        yield Static(WELCOME, id="welcome-text", markup=False)
        yield Static("Eksempler:", id="welcome-examples-title", markup=False)
        yield OptionList(*EXAMPLES, id="examples", markup=False)
        yield Static(WELCOME_KEYS, id="welcome-keys", markup=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(EXAMPLES[event.option_index]))


class ChatLog(VerticalScroll, can_focus=True):
    """Scrollable conversation. ↑/↓ select an answer, 1–9 open its sources in the reader,
    Home/End the first/last answer (End to the very end of it)."""

    ALLOW_MAXIMIZE = True
    BINDINGS = [
        Binding("up", "select_step(-1)", "Forrige svar", show=False),
        Binding("down", "select_step(1)", "Neste svar", show=False),
        Binding("home", "first", "Første svar", show=False),
        Binding("end", "last", "Siste svar", show=False),
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
        self._cards: list[AnswerCard] = []
        self._serial = 0  # card ids stay unique while cleared cards are still being removed

    def compose(self):
        yield Welcome(id="welcome")

    def allow_focus(self) -> bool:
        return bool(self._cards)  # an empty conversation: Tab goes straight to the examples

    @property
    def cards(self) -> list[AnswerCard]:
        return list(self._cards)

    def add_card(self, question: str) -> AnswerCard:
        self.query_one("#welcome").display = False
        self._serial += 1
        card = AnswerCard(len(self._cards) + 1, question, self.plain_mode, self._serial)
        self._cards.append(card)
        self.mount(card)
        self.select(card)
        return card

    def card(self, card_id: str) -> AnswerCard | None:
        found = [c for c in self.cards if c.id == card_id]
        return found[0] if found else None

    def select(self, card: AnswerCard | None, scroll: bool = True) -> None:
        for other in self.cards:
            other.set_class(other is card, "-selected")
        self.selected = card
        if card is not None and scroll:
            self.call_after_refresh(self.scroll_to_widget, card, top=True, animate=False)
        self.post_message(self.Selected(card))

    def clear(self) -> None:
        for card in self._cards:
            card.remove()
        self._cards.clear()
        self.selected = None
        self.query_one("#welcome").display = True
        self.post_message(self.Selected(None))

    def snapshot(self) -> list[tuple]:
        """What the cards hold (not the widgets), for bringing a cleared conversation back."""
        return [(c.question, c.state, c.answer, c.note, c.prompts, c is self.selected) for c in self.cards]

    def restore(self, saved: list[tuple]) -> None:
        self.clear()
        selected = None
        for question, state, answer, note, prompts, was_selected in saved:
            card = self.add_card(question)
            card.prompts = prompts
            card.state, card.answer, card.note = ("cancelled" if state in ("waiting", "searching") else state), answer, note
            selected = card if was_selected else selected
        self.select(selected or (self.cards[-1] if self.cards else None))

    def on_chat_log_clicked(self, event: Clicked) -> None:
        event.stop()
        self.select(event.card)

    def action_select_step(self, step: int) -> None:
        cards = self.cards
        if not cards:
            return
        index = cards.index(self.selected) + step if self.selected in cards else len(cards) - 1
        self.select(cards[max(0, min(len(cards) - 1, index))])

    def action_first(self) -> None:
        if self.cards:
            self.select(self.cards[0], scroll=False)
        self.scroll_home(animate=False)

    def action_last(self) -> None:
        """The last answer, scrolled to its very end (after the layout has its final height)."""
        if self.cards:
            self.select(self.cards[-1], scroll=False)
        self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    def action_focus_sources(self) -> None:
        self.screen.set_focus(self.screen.query_one("#sources-list"))

    def action_open_citation(self, rank: int) -> None:
        if self.selected is not None:
            self.post_message(self.OpenCitation(self.selected, rank))
