"""The Textual app, driven as a user would with Pilot: ask, read the answer and the duty table,
open the cited section, history, palette, copy, export, cancel, plain mode, and safe rendering.

Fast and offline: one real assistant, opened with word search only (no language model) on the
bundled corpus with its index in a session tmp dir (about a second to build)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from assistant.models import Answer, Excerpt

REPO = Path(__file__).resolve().parent.parent
TIDLIGMELDING = "Hvem skal sende tidligmelding ved innleggelse?"
OFF_TOPIC = "Hva er maks døgndose paracetamol?"
BOX_DRAWING = {chr(c) for c in range(0x2500, 0x2580)}


@pytest.fixture(scope="session")
def lexical_assistant(tmp_path_factory):
    from assistant.service import Assistant

    return Assistant.open(REPO / "corpus", tmp_path_factory.mktemp("tui-index"), use_encoder=False)


def run(coro):
    return asyncio.run(coro)


def screen_text(app) -> str:
    """What the terminal shows, as plain text (what a user would read)."""
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())


async def wait_for(pilot, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)
    await pilot.pause()


async def ask(pilot, app, question: str, typed: bool = False):
    """Type (or paste) a question, press Enter, wait until its card is answered."""
    field = app.main.query_one("#question")
    field.focus()
    if typed:
        await pilot.press(*question)
    else:
        field.value = question
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.main.chat.cards and app.main.chat.cards[-1].state not in ("searching", "waiting"))
    return app.main.chat.cards[-1]


def make_app(assistant, **kwargs):
    from assistant.tui.app import create_app

    return create_app(assistant=assistant, **kwargs)


# -- asking --------------------------------------------------------------------------------------
def test_answer_cites_guideline_2_with_unn_duty(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(100, 40)) as pilot:
            assert app.focused is app.main.query_one("#question")
            card = await ask(pilot, app, TIDLIGMELDING, typed=True)
            assert card.state == "done" and not card.answer.abstained
            assert any(e.doc_id == "rl2" for e in card.answer.excerpts)
            assert any(d.actor == "UNN" for d in card.answer.responsibilities)
            text = screen_text(app)
            assert "Retningslinje 2" in text and "[1]" in text
            assert "Hvem gjør hva" in text and "UNN" in text
            assert "Kilder til spørsmål 1" in text
            assert "Klar · bare ordsøk" in text

    run(scenario())


def test_not_covered_answer(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            card = await ask(pilot, app, OFF_TOPIC)
            assert card.answer.abstained
            assert "Ikke dekket av dokumentene" in screen_text(app)

    run(scenario())


def test_follow_up_questions_and_selection(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            second = await ask(pilot, app, "Hva må sykehuset sende kommunen før utskrivning?")
            assert [c.number for c in app.main.chat.cards] == [1, 2]
            assert app.main.chat.selected is second
            app.main.chat.focus()
            await pilot.press("up")
            assert app.main.chat.selected.number == 1
            assert "Kilder til spørsmål 1" in screen_text(app)

    run(scenario())


def test_history_up_and_down(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            await ask(pilot, app, OFF_TOPIC)
            field = app.main.query_one("#question")
            field.focus()
            await pilot.press("u", "p")
            await pilot.press("up")
            assert field.value == OFF_TOPIC
            await pilot.press("up")
            assert field.value == TIDLIGMELDING
            await pilot.press("down", "down")
            assert field.value == "up"  # the draft comes back

    run(scenario())


def test_question_with_markup_and_escape_shows_literally(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(100, 30)) as pilot:
            card = await ask(pilot, app, "[bold]x[/] \x1b[31m hvem sender tidligmelding?")
            assert card.state in ("done", "failed")
            text = screen_text(app)
            assert "[bold]x[/] ␛[31m" in text

    run(scenario())


def test_document_text_with_markup_is_not_interpreted(lexical_assistant):
    excerpt = Excerpt(1, "rl2", "Dok [bold]tittel[/]", "Retningslinje 2 › 2.2 [red]Seksjon[/]", "rl2:2.2/unn",
                      "Tekst med [bold]klammer[/] og [/] og \x1b[31m escape.", 0.5, "corpus/x.txt", None, 1, 2)
    answer = Answer("Hva med [link=x]lenker[/link]?", False, "Svar [b]her[/b] [1]", (excerpt,))

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(120, 40)) as pilot:
            card = app.main.chat.add_card(answer.question)
            card.show("done", answer)
            app.main.chat.select(card)
            await pilot.pause()
            text = screen_text(app)
            assert "Svar [b]her[/b] [1]" in text
            assert "Tekst med [bold]klammer[/] og [/] og ␛[31m escape." in text
            assert "[link=x]lenker[/link]" in text

    run(scenario())


def test_escape_cancels_a_running_search(lexical_assistant):
    started = threading.Event()
    release = threading.Event()

    class Slow:
        """A search that runs until the test lets it finish: no race with the clock."""

        encoder = None
        index = lexical_assistant.index

        def ask(self, question, top_k=5, doc_ids=None):
            started.set()
            release.wait(timeout=30)
            return lexical_assistant.ask(question, top_k, doc_ids)

    async def scenario():
        app = make_app(Slow())
        async with app.run_test(size=(80, 24)) as pilot:
            app.main.query_one("#question").value = TIDLIGMELDING
            await pilot.press("enter")
            await wait_for(pilot, lambda: started.is_set() and app.main.chat.cards
                           and app.main.chat.cards[-1].state == "searching")
            await pilot.press("escape")
            assert app.main.chat.cards[-1].state == "cancelled"
            first = app.main.chat.cards[-1]
            release.set()  # the cancelled search now finishes in the background
            await pilot.pause(0.3)
            assert first.state == "cancelled"  # the late answer is dropped
            assert "Søket ble avbrutt." in screen_text(app)
            card = await ask(pilot, app, OFF_TOPIC)  # and the next question still works
            assert card.state == "done"

    run(scenario())


def test_typing_elsewhere_goes_to_the_question_field(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            app.main.query_one("#sources-list").focus()
            await pilot.press(*"hva nå?")
            field = app.main.query_one("#question")
            assert app.focused is field and field.value == "hva nå?"

    run(scenario())


# -- sources and reader --------------------------------------------------------------------------
def test_enter_on_citation_opens_the_section_in_the_reader(lexical_assistant):
    from assistant.tui.screens.reader import ReaderScreen

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            card = await ask(pilot, app, TIDLIGMELDING)
            first = card.answer.excerpts[0]
            app.main.query_one("#sources-list").focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen)
                           and "tidligmelding" in screen_text(app).lower())
            text = screen_text(app)
            assert "Retningslinje 2" in text
            assert "tidligmelding" in text.lower()
            assert app.screen.query(".-excerpt"), "the cited paragraphs are marked"
            tree = app.screen.query_one("#reader-tree")
            assert tree.cursor_node is not None and tree.cursor_node.data == first.section_id
            await pilot.press("escape")
            assert app.screen is app.main

    run(scenario())


def test_reader_tree_browses_other_sections(lexical_assistant):
    from assistant.tui.screens.reader import ReaderScreen

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(120, 40)) as pilot:
            app.main.open_section("rl2:2.2/unn")
            await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen))
            tree = app.screen.query_one("#reader-tree")
            tree.focus()
            await pilot.pause(0.1)
            assert "Rekvisisjon for pasientreise" not in screen_text(app)
            tree.move_cursor(tree.node_of["rl2:2.3"])
            await pilot.press("enter")
            await wait_for(pilot, lambda: "Rekvisisjon for pasientreise" in screen_text(app))

    run(scenario())


def test_number_key_in_conversation_opens_that_source(lexical_assistant):
    from assistant.tui.screens.reader import ReaderScreen

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            app.main.chat.focus()
            await pilot.press("2")
            await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen))

    run(scenario())


# -- commands --------------------------------------------------------------------------------------
def test_palette_opens_and_shows_deadlines(lexical_assistant):
    from textual.command import CommandPalette

    from assistant.tui.screens.listing import ListingScreen

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette)
                           and "Ny samtale" in screen_text(app))
            await pilot.press(*"frister")
            await wait_for(pilot, lambda: "Vis frister" in screen_text(app))
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ListingScreen))
            text = screen_text(app)
            assert "Frister i avtalen" in text and "innen 24 timer" in text

    run(scenario())


def test_duty_table_for_a_topic(lexical_assistant):
    from assistant.tui.screens.listing import ListingScreen

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(100, 30)) as pilot:
            app.main._listing(lexical_assistant, "Retningslinje 2 4.1")
            await wait_for(pilot, lambda: isinstance(app.screen, ListingScreen))
            text = screen_text(app)
            assert "Hvem gjør hva: Retningslinje 2 4.1" in text and "UNN" in text

    run(scenario())


def test_document_filter_limits_the_search(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(100, 30)) as pilot:
            app.main.set_filter("rl3", "Retningslinje 3")
            card = await ask(pilot, app, "Hva må sykehuset sende kommunen før utskrivning?")
            assert card.answer.excerpts and {e.doc_id for e in card.answer.excerpts} == {"rl3"}
            assert "Filter: Retningslinje 3" in screen_text(app)

    run(scenario())


def test_copy_puts_answer_and_citations_on_the_clipboard(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            card = await ask(pilot, app, TIDLIGMELDING)
            await pilot.press("f2")
            clip = app.clipboard
            assert "Spørsmål: " + TIDLIGMELDING in clip
            assert card.answer.answer.split(" [1]")[0] in clip
            assert "[1] Samarbeidsavtale UNN–kommune – Retningslinje 2" in clip
            assert "linje " in clip

    run(scenario())


def test_export_writes_markdown_with_citations(lexical_assistant, tmp_path):
    from assistant.tui.screens.prompt import PromptScreen

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            await ask(pilot, app, OFF_TOPIC)
            await pilot.press("f3")
            await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
            field = app.screen.query_one("#dialog-input")
            assert field.value.startswith("avtale-samtale-") and field.value.endswith(".md")
            field.value = str(tmp_path / "samtale")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is app.main)
            return app

    app = run(scenario())
    written = (tmp_path / "samtale.md").read_text(encoding="utf-8")
    assert written.startswith("# Samtale med avtale")
    assert f"## 1. {TIDLIGMELDING}" in written
    assert "| Part | Plikt | Frist | Kilde |" in written and "| UNN |" in written
    assert "[1] Samarbeidsavtale UNN–kommune – Retningslinje 2" in written
    assert "**Ikke dekket av dokumentene:**" in written
    assert any("samtale.md" in n.message for n in app._notifications)


def test_new_conversation_clears_answers_and_history(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert app.main.chat.cards == []
            assert app.main.query_one("#question").history == []

    run(scenario())


def test_help_with_f1_and_question_mark_but_not_while_typing(lexical_assistant):
    from assistant.tui.screens.help import HelpScreen

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f1")
            assert isinstance(app.screen, HelpScreen)
            assert "Eksempelspørsmål" in screen_text(app)
            await pilot.press("escape")
            await pilot.press("h", "v", "a", "?")
            assert app.screen is app.main and app.main.query_one("#question").value == "hva?"
            app.main.chat.focus()
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)

    run(scenario())


# -- start-up, themes and accessibility ------------------------------------------------------------
def test_starts_before_the_engine_and_answers_when_ready(tmp_path, monkeypatch):
    """No assistant given: the app is interactive at once, builds the index in a worker with
    progress, answers a question asked meanwhile, and says when the model is missing."""
    from assistant import service
    from assistant.tui.app import READY_LEXICAL, create_app

    release = threading.Event()

    def no_encoder():  # "loads" until the test has seen the lexical answer
        release.wait(30)
        return None, "Ingen språkmodell i testen."

    monkeypatch.setattr(service, "load_encoder_or_notice", no_encoder)
    statuses: list[str] = []

    async def scenario():
        app = create_app(corpus=REPO / "corpus", index=tmp_path / "index")
        async with app.run_test(size=(80, 24)) as pilot:
            try:
                await answered_while_loading(app, pilot)
            finally:
                release.set()
            await wait_for(pilot, lambda: app.status == READY_LEXICAL, timeout=10)
            assert any("Ingen språkmodell" in n.message for n in app._notifications)

    async def answered_while_loading(app, pilot):
        assert app.assistant is None and app.focused is app.main.query_one("#question")
        app.watch(app, "status", lambda status: statuses.append(status))
        app.main.query_one("#question").value = TIDLIGMELDING
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.chat.cards[-1].state == "done", timeout=60)
        card = app.main.chat.cards[-1]
        assert app.status.startswith("Laster språkmodell")
        assert card.note.startswith("Besvart med ordsøk")  # marked: the model was still loading
        assert "Besvart med ordsøk" in screen_text(app)

    run(scenario())
    assert any(s.startswith("Bygger søkeindeksen") for s in statuses), statuses  # progress was shown


def test_plain_mode_has_no_box_drawing(lexical_assistant, monkeypatch):
    from assistant.tui.screens.reader import ReaderScreen

    monkeypatch.setenv("AVTALE_PLAIN", "1")

    async def scenario():
        app = make_app(lexical_assistant)
        assert app.plain
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            assert not BOX_DRAWING & set(screen_text(app))
            app.main.open_excerpt(app.main.chat.cards[-1].answer.excerpts[0])
            await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen) and "» " in screen_text(app))
            text = screen_text(app)
            assert not BOX_DRAWING & set(text) and "» " in text

    run(scenario())


@pytest.mark.parametrize("theme", ["textual-light", "textual-dark"])
def test_themes_and_no_color(lexical_assistant, monkeypatch, theme):
    monkeypatch.setenv("NO_COLOR", "1")

    async def scenario():
        app = make_app(lexical_assistant)
        assert app.no_color
        async with app.run_test(size=(80, 24)) as pilot:
            app.theme = theme
            card = await ask(pilot, app, TIDLIGMELDING)
            assert card.state == "done" and "Hvem gjør hva" in screen_text(app)
            app.action_toggle_dark()
            await pilot.pause()
            assert app.theme != theme

    run(scenario())


# -- the pure parts ----------------------------------------------------------------------------
def test_safe_makes_control_characters_visible():
    from assistant.tui.format import safe

    assert safe("a\x1b[31mb\x07") == "a␛[31mb␇"
    assert safe("tekst\u202eomvendt") == "tekst�omvendt"
    assert safe("linje 1\nlinje 2") == "linje 1\nlinje 2"


def test_highlight_marks_the_question_words():
    from assistant.tui.format import HIGHLIGHT, highlighted, question_terms

    text = highlighted("UNN sender tidligmelding til kommunen.", question_terms("Hvem sender tidligmelding?"))
    marked = {text.plain[span.start:span.end] for span in text.spans if span.style == HIGHLIGHT}
    assert marked == {"sender", "tidligmelding"}
