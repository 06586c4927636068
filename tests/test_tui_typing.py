"""No lost keystrokes: a question typed or pasted at full speed reaches the question field
whatever has focus, and exactly that question is asked.

"Full speed" means every key of a run (the key that moved focus, the letters, Enter) is queued
before the app handles the first, as when a fast typist or a terminal paste outruns the screen:
the keys go straight to the app's driver, not through `pilot.press`, which waits after each key.
Each place focus can be gets 20 runs, typed and pasted in turn; the engine records what it was
asked."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import pytest
from textual import events
from textual.keys import _character_to_key

REPO = Path(__file__).resolve().parent.parent
RUNS = 20
QUESTIONS = [
    "Hva må sykehuset sende kommunen før utskrivning, og når?",
    "Hvem skal sende tidligmelding innen 24 timer etter innleggelse?",
    "Kan kommunen kreve 1 eller 2 møter? Svar kort, takk.",
    "quo vadis: hvem har ansvaret for legemiddellisten (IP/KE) ved ØHD?",
    "Er æ, ø og å med – og «sitater» – i orden ved 90 minutters reisevei?",
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """The real engine's answer to one question, given back for every question (with that
    question), and a record of what was asked: the runs test the app, not the search."""
    from assistant.service import Assistant

    real = Assistant.open(REPO / "corpus", tmp_path_factory.mktemp("typing-index"), use_encoder=False)
    full = real.ask(QUESTIONS[0])
    # Two sources and two duties: enough for every pane to have something to focus, and quick
    # to draw 220 times.
    answer = dataclasses.replace(full, excerpts=full.excerpts[:2], responsibilities=full.responsibilities[:2])

    class Recording:
        encoder = None
        index = real.index

        def __init__(self):
            self.asked: list[str] = []

        def ask(self, question, top_k=5, doc_ids=None):
            self.asked.append(question)
            return dataclasses.replace(answer, question=question)

    return Recording()


def key_event(key: str) -> events.Key:
    if len(key) == 1:
        return events.Key(key if key.isalnum() else _character_to_key(key), key)
    return events.Key(key, "\r" if key == "enter" else ("\t" if key == "tab" else None))


def burst(app, before: list[str], text: str, paste: bool) -> None:
    """Queue `before` keys, then the text (as keys or one paste), then Enter, all at once."""
    queued = [key_event(k) for k in before]
    queued += [events.Paste(text)] if paste else [key_event(ch) for ch in text]
    queued.append(key_event("enter"))
    for event in queued:
        event.set_sender(app)
        app._driver.send_message(event)


async def settle(pilot, engine, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while len(engine.asked) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.005)


async def reset(pilot, app, with_answer: bool) -> None:
    """Back to the conversation, empty (or with one answer, so the sources can have focus)."""
    from assistant.tui.screens.main import MainScreen

    while not isinstance(app.screen, MainScreen):
        app.pop_screen()
    if app.main.maximized is not None:
        app.main.minimize()
    chat = app.main.chat
    app.main.typing_field().value = ""
    if not with_answer:
        chat.clear()
    elif [c.question for c in chat.cards[:1]] != ["Hvem skal sende tidligmelding?"]:
        chat.clear()
        card = chat.add_card("Hvem skal sende tidligmelding?")
        card.show("done", app.assistant.ask(card.question))
        app.assistant.asked.pop()
    else:
        for card in chat.cards[1:]:
            card.remove()
        del chat._cards[1:]
    if chat.cards:
        chat.select(chat.cards[0])


def focus(selector: str):
    async def put(pilot, app):
        app.screen.set_focus(app.screen.query_one(selector))
        return []
    return put


def keys(*before: str, selector: str = "#question"):
    """Focus `selector`, then let `before` (Ctrl+N, Tab, Enter …) lead the burst."""
    async def put(pilot, app):
        await focus(selector)(pilot, app)
        return list(before)
    return put


async def in_reader(pilot, app, part: str):
    from assistant.tui.screens.reader import ReaderScreen

    app.main.open_excerpt(app.main.chat.cards[-1].answer.excerpts[0])
    while not isinstance(app.screen, ReaderScreen) or not app.screen.query(".reader-para"):
        await pilot.pause(0.01)
    app.screen.set_focus(app.screen.query_one(part))
    await pilot.pause()
    return []


async def in_help(pilot, app):
    await pilot.press("f1")
    return []


async def maximized_sources(pilot, app):
    app.screen.set_focus(app.screen.query_one("#sources-list"))
    await pilot.press("f5")
    return []


PLACES = {
    "question field": (False, focus("#question")),
    "example questions (start screen)": (False, focus("#examples")),
    "conversation": (True, focus("#chat")),
    "sources": (True, focus("#sources-list")),
    "sources, maximised (F5)": (True, maximized_sources),
    "right after Ctrl+N": (True, keys("ctrl+n", selector="#chat")),
    "right after Tab": (True, keys("tab")),
    "right after Enter in the conversation": (True, keys("enter", selector="#chat")),
    "reader's table of contents": (True, lambda pilot, app: in_reader(pilot, app, "#reader-tree")),
    "reader's text": (True, lambda pilot, app: in_reader(pilot, app, "#reader-text")),
    "help": (False, in_help),
}


@pytest.mark.parametrize("place", list(PLACES))
def test_fast_typing_and_pasting_lose_nothing(engine, place):
    from assistant.tui.app import create_app
    from assistant.tui.typing import one_line

    with_answer, put_focus = PLACES[place]

    async def scenario():
        app = create_app(assistant=engine)
        lost, wrong = 0, []
        async with app.run_test(size=(80, 24)) as pilot:
            for run in range(RUNS):
                await reset(pilot, app, with_answer)
                before = await put_focus(pilot, app)
                question = QUESTIONS[run % len(QUESTIONS)]
                paste = run % 2 == 1
                text = question.replace(", ", ",\n") if paste else question  # a paste may span lines
                asked = len(engine.asked)
                burst(app, before, text, paste)
                await settle(pilot, engine, asked + 1)
                got = engine.asked[asked] if len(engine.asked) > asked else ""
                if got != one_line(text):
                    wrong.append((run, "paste" if paste else "typed", got))
                    lost += max(0, len(one_line(text)) - len(got))
                assert app.main.chat.cards and app.main.chat.cards[-1].question == one_line(text)
        return lost, wrong

    lost, wrong = asyncio.run(scenario())
    assert (lost, wrong) == (0, []), f"{place}: {lost} characters lost; {wrong}"


def test_paste_spanning_lines_is_asked_as_one_line(engine):
    """Textual's input keeps only a paste's first line; a question copied from a record may span
    several."""
    from assistant.tui.app import create_app

    async def scenario():
        app = create_app(assistant=engine)
        async with app.run_test(size=(80, 24)) as pilot:
            field = app.main.typing_field()
            app.screen.set_focus(field)
            await pilot.pause()
            asked = len(engine.asked)
            burst(app, [], "Hva skal\nepikrisen\n  inneholde?", paste=True)
            await settle(pilot, engine, asked + 1)
            return engine.asked[asked]

    assert asyncio.run(scenario()) == "Hva skal epikrisen inneholde?"


def test_a_bound_key_is_still_a_command_when_it_comes_first(engine):
    """1–9 in the conversation open that source; typed after a letter, they are text."""
    from assistant.tui.app import create_app
    from assistant.tui.screens.reader import ReaderScreen

    async def scenario():
        app = create_app(assistant=engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await reset(pilot, app, with_answer=True)
            app.screen.set_focus(app.main.chat)
            await pilot.press("2")
            await pilot.pause(0.2)
            opened = isinstance(app.screen, ReaderScreen)
            await reset(pilot, app, with_answer=True)
            app.screen.set_focus(app.main.chat)
            asked = len(engine.asked)
            burst(app, [], "Rad 2 og 3?", paste=False)
            await settle(pilot, engine, asked + 1)
            return opened, app.main.chat.cards[-1].question

    opened, asked = asyncio.run(scenario())
    assert opened and asked == "Rad 2 og 3?"
