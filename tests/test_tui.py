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


def words_on_screen(app) -> str:
    """The screen's words in reading order, without frames: text that wraps inside a card
    reads as one line."""
    return " ".join("".join(" " if 0x2500 <= ord(ch) <= 0x259F else ch for ch in screen_text(app)).split())


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


async def save_with_f3(pilot, app, name: str | None = None) -> str:
    """F3, optionally a file name, Enter; returns the dialog's text as shown."""
    from assistant.tui.screens.prompt import PromptScreen

    await pilot.press("f3")
    await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
    shown = " ".join(str(label.render()) for label in app.screen.query("Label"))
    if name is not None:
        app.screen.query_one("#dialog-input").value = name
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen is app.main)
    return shown


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

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            await ask(pilot, app, OFF_TOPIC)
            await save_with_f3(pilot, app, str(tmp_path / "samtale"))
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
            app.screen.set_focus(app.main.query_one("#examples"))  # outside the field, ? is help
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
            assert card.state == "done" and card.answer.responsibilities and "Spørsmål 1" in screen_text(app)
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


# -- ward PC: exports, losing a conversation, 80×24, tables, small things -----------------------
def test_export_goes_to_the_documents_folder_private_with_a_reminder(lexical_assistant, tmp_path, monkeypatch):
    """F3 writes to AVTALE_EXPORT_DIR (else the user's documents folder), never the folder the
    app was started from; mode 0600 whatever the umask; the dialog names the real folder and
    says the file may hold patient details."""
    import os
    import stat

    from assistant.tui.export import PRIVACY_REMINDER

    documents = tmp_path / "Dokumenter"
    monkeypatch.setenv("AVTALE_EXPORT_DIR", str(documents))
    started_in = tmp_path / "startmappe"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    old_umask = os.umask(0o022)

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            shown = await save_with_f3(pilot, app)
            return shown, [n.message for n in app._notifications]

    try:
        shown, notices = run(scenario())
    finally:
        os.umask(old_umask)
    assert f"lagres filen i {documents}" in shown and PRIVACY_REMINDER in shown
    written = list(documents.glob("avtale-samtale-*.md"))
    assert len(written) == 1 and not list(started_in.iterdir())
    assert stat.S_IMODE(written[0].stat().st_mode) == 0o600
    assert any(str(written[0]) in n for n in notices)


def test_export_dir_default_is_the_xdg_documents_folder(tmp_path, monkeypatch):
    from assistant.tui.export import export_dir, export_path

    home = tmp_path / "home"
    (home / "Dokumenter").mkdir(parents=True)
    (home / ".config").mkdir()
    (home / ".config" / "user-dirs.dirs").write_text('XDG_DOCUMENTS_DIR="$HOME/Dokumenter"\n', encoding="utf-8")
    monkeypatch.delenv("AVTALE_EXPORT_DIR", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    assert export_dir() == home / "Dokumenter"
    assert export_path("samtale") == home / "Dokumenter" / "samtale.md"
    assert export_path(str(tmp_path / "annet.md")) == tmp_path / "annet.md"


def test_export_never_overwrites_and_leaves_no_partial_file(tmp_path):
    from assistant.tui.export import write_export

    answer = Answer("Spørsmål?", False, "Svar [1]", ())
    first = write_export("samtale", [answer], tmp_path)
    with pytest.raises(FileExistsError):
        write_export("samtale.md", [answer], tmp_path)
    assert first.read_text(encoding="utf-8").startswith("# Samtale med avtale")


def test_ctrl_n_clears_at_once_and_ctrl_z_brings_the_conversation_back(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            await ask(pilot, app, OFF_TOPIC)
            await pilot.press("ctrl+n")
            assert app.main.chat.cards == [] and app.focused is app.main.typing_field()
            assert any("Ctrl+Z" in n.message for n in app._notifications)
            await pilot.press("ctrl+z")
            await pilot.pause()
            assert [c.question for c in app.main.chat.cards] == [TIDLIGMELDING, OFF_TOPIC]
            assert all(c.state == "done" for c in app.main.chat.cards)
            assert "Kilder til spørsmål 2" in screen_text(app)
            field = app.main.typing_field()
            await pilot.press("up")
            assert field.value == OFF_TOPIC  # the question history came back too
            field.value = ""
            await pilot.press("ctrl+n")
            await ask(pilot, app, TIDLIGMELDING)  # a new question: the old conversation is gone for good
            await pilot.press("ctrl+z")
            assert [c.question for c in app.main.chat.cards] == [TIDLIGMELDING]

    run(scenario())


def test_ctrl_q_asks_before_losing_answers(lexical_assistant):
    from assistant.tui.screens.prompt import ConfirmScreen

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            await pilot.press("ctrl+q")
            assert isinstance(app.screen, ConfirmScreen) and "Avslutte avtale?" in screen_text(app)
            await pilot.press("escape")
            assert app.screen is app.main and app.is_running
            await pilot.press("ctrl+q")
            await pilot.press("ctrl+q")  # a second Ctrl+Q in the question quits
            await pilot.pause()
            assert not app.is_running

    run(scenario())


def test_ctrl_q_quits_at_once_with_nothing_to_lose(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert not app.is_running

    run(scenario())


def test_ctrl_q_quits_at_once_right_after_the_conversation_was_saved(lexical_assistant):
    from assistant.tui.screens.prompt import ConfirmScreen

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            await save_with_f3(pilot, app)
            await ask(pilot, app, OFF_TOPIC)  # a new answer is not saved yet
            await pilot.press("ctrl+q")
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("escape")
            await save_with_f3(pilot, app, "andre")
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert not app.is_running

    run(scenario())


def test_at_80x24_the_sources_show_the_excerpt_text_and_f5_maximises(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            card = await ask(pilot, app, TIDLIGMELDING)
            first_words = " ".join(card.answer.excerpts[0].text.split()[:4])
            sources = app.main.query_one("#sources")
            assert first_words in words_on_screen(app)
            app.screen.set_focus(app.main.query_one("#sources-list"))
            await pilot.press("f5")
            assert app.main.maximized is sources and sources.region.height >= 18
            assert app.main.typing_field().region.height >= 1  # the question field stays
            await pilot.press("f5")
            assert app.main.maximized is None
            app.screen.set_focus(app.main.typing_field())
            await pilot.press("f5")
            assert app.main.maximized is app.main.chat
            await pilot.press("escape")
            assert app.main.maximized is None

    run(scenario())


def test_end_shows_the_true_bottom_of_the_last_card(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            await ask(pilot, app, "Hva må sykehuset sende kommunen før utskrivning, og når?")
            chat = app.main.chat
            app.screen.set_focus(chat)
            await pilot.press("home")
            await pilot.pause()
            assert chat.scroll_y == 0 and chat.selected is chat.cards[0]
            await pilot.press("end")
            await pilot.pause(0.1)
            last = chat.cards[-1]
            assert chat.selected is last
            assert chat.scroll_y == chat.max_scroll_y > 0
            assert last.region.bottom <= chat.region.bottom  # its last line is on screen

    run(scenario())


def test_escape_clears_the_question_then_cancels(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            field = app.main.typing_field()
            await pilot.press(*"hvem sender")
            await pilot.press("escape")
            assert field.value == ""
            await pilot.press("up")
            assert field.value == "hvem sender"  # ↑ brings the cleared text back

    run(scenario())


def test_start_screen_examples_can_be_chosen(lexical_assistant):
    from assistant.tui.widgets.chat import EXAMPLES

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            assert EXAMPLES[1] in screen_text(app)
            await pilot.press("tab")  # from the question field to the examples
            assert app.focused is app.main.query_one("#examples")
            await pilot.press("down", "enter")
            await wait_for(pilot, lambda: app.main.chat.cards and app.main.chat.cards[-1].state == "done")
            assert app.main.chat.cards[-1].question == EXAMPLES[1]
            assert app.focused is app.main.typing_field()

    run(scenario())


def test_footer_shows_keys_as_printed_and_plain_mode_has_a_divider(lexical_assistant, monkeypatch):
    monkeypatch.setenv("AVTALE_PLAIN", "1")

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            lines = screen_text(app).splitlines()
            footer = lines[-1]
            assert "Ctrl+N Ny samtale" in footer and "^" not in footer
            title = app.main.query_one("#sources-title")
            assert "reverse" in str(title.rich_style) and lines[title.region.y].startswith(" Kilder til")

    run(scenario())


def test_theme_picker_in_norwegian_with_the_apps_own_theme_first(lexical_assistant):
    from textual.command import CommandPalette

    from assistant.tui.theme import APP_THEME

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            assert app.theme == APP_THEME
            app.search_themes()
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette) and "appens eget" in screen_text(app))
            text = screen_text(app)
            assert "Søk etter fargetema" in text and "Search" not in text
            assert text.index(APP_THEME) < text.index("textual-dark") if "textual-dark" in text else True
            await pilot.press(*"lyst")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause()
            assert not app.current_theme.dark

    run(scenario())


def test_palette_says_no_match_in_norwegian(lexical_assistant):
    from textual.command import CommandPalette

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
            await pilot.press(*"qqxz")
            await wait_for(pilot, lambda: "Ingen treff" in screen_text(app))
            await pilot.pause(0.7)  # past Textual's own "no matches" delay
            return screen_text(app)

    text = run(scenario())
    assert "Ingen treff for «qqxz»" in text and "No matches" not in text


def test_remove_filter_is_in_the_palette_without_typing(lexical_assistant):
    from textual.command import CommandPalette

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            app.main.set_filter("rl3", "Retningslinje 3")
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette) and "Ny samtale" in screen_text(app))
            assert "Fjern filteret" in screen_text(app)
            await pilot.press("enter")  # it is the first command
            await pilot.pause()
            assert app.main.doc_filter is None

    run(scenario())


def test_enter_on_the_documents_name_in_the_reader_opens_its_beginning(lexical_assistant):
    from assistant.tui.screens.reader import ReaderScreen

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            app.main.open_section("rl2:4.1")
            await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen))
            tree = app.screen.query_one("#reader-tree")
            app.screen.set_focus(tree)
            tree.move_cursor(tree.root)
            await pilot.press("enter")
            await pilot.pause(0.2)
            head = " ".join(str(app.screen.query_one("#reader-head").render()).split())
            first = tree.root.data
            assert first and lexical_assistant.index.sections[first].title.split()[0] in head

    run(scenario())


def test_reader_tree_cuts_long_labels_with_an_ellipsis(lexical_assistant):
    from assistant.tui.screens.reader import ReaderScreen

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            app.main.open_section("rl2:4.1")
            await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen))
            await pilot.pause(0.2)
            tree = app.screen.query_one("#reader-tree")
            rows = [line[tree.region.x:tree.region.right] for line in screen_text(app).splitlines()[tree.region.y:]]
            return rows

    rows = run(scenario())
    assert any(row.rstrip(" ▕").endswith("…") for row in rows)
    assert not any("Kommunens ansvar og be" in row and "…" not in row for row in rows)


def test_help_fits_at_80x24_with_its_close_line_in_view(lexical_assistant):
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f1")
            await pilot.pause()
            return screen_text(app)

    assert "Esc eller F1: lukk hjelpen" in run(scenario())


# -- tables ----------------------------------------------------------------------------------
def test_deadlines_table_has_columns_and_filters_by_stem(lexical_assistant):
    from assistant.tui.screens.listing import ListingScreen

    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f4")
            await wait_for(pilot, lambda: isinstance(app.screen, ListingScreen))
            listing = app.screen
            header = screen_text(app).splitlines()[3].split()
            total = len(listing.shown)
            await pilot.press(*"kommunen svar")  # typed on the table: goes to the filter
            await pilot.pause()
            kept = [(r.actor, r.duty, r.deadline) for r in listing.shown]
            text = screen_text(app)
            await pilot.press("escape")
            cleared = len(listing.shown)
            await pilot.press("enter")  # opens the first row's section
            await pilot.pause(0.3)
            return header, total, kept, text, cleared, type(app.screen).__name__

    header, total, kept, text, cleared, after = run(scenario())
    assert header == ["Part", "Plikt", "Frist", "Kilde"]
    assert 0 < len(kept) < total and cleared == total
    answer_by = "Kommunen skal svare på mottatt melding om utskrivningsklar pasient på virkedager mellom 08-15."
    assert ("Kommunen", answer_by, "på virkedager mellom 08-15") in kept
    row = next(line for line in text.splitlines() if line.lstrip().startswith("Kommunen   Kommunen skal svare"))
    assert "på virkedager" in row  # the deadline is on its own duty's line
    assert "reisevei" not in " ".join(d for _, d, _ in kept)
    assert after == "ReaderScreen"


def test_filter_matches_stems_compounds_and_glossary_not_substrings():
    from assistant.tui.filtering import compile_filter, keeps, row_terms

    rows = {
        "a": row_terms("Kommunen har ansvar for å svare på melding om utskrivningsklare pasienter."),
        "b": row_terms("Samarbeidsavtalen gjelder til den sies opp."),
        "c": row_terms("UNN er ansvarlig for å sende epikrisen."),
        "d": row_terms("Meldingen om innleggelse."),
    }

    def kept(query):
        return sorted(k for k, terms in rows.items() if keeps(compile_filter(query), terms))

    assert kept("ansvar") == ["a", "c"]  # ansvar, ansvarlig
    assert kept("avtale") == ["b"]  # the last part of a compound
    assert kept("utskr") == ["a"]  # a word being typed
    assert kept("usk") == ["a"]  # the glossary: utskrivningsklar pasient
    assert kept("skriv") == []  # not the middle of a word (utskrivningsklare)
    assert kept("kommunen svar") == ["a"] and kept("unn svar") == []
    assert kept("hva og") == ["a", "b", "c", "d"]  # stop words filter nothing


def test_duty_table_columns_and_source_labels():
    from assistant.models import Duty
    from assistant.tui.tables import duty_rows, section_source

    assert section_source("Retningslinje 2 › 4. Utskriving › 4.1 Planlegge › UNNs ansvar") == "Retningslinje 2 4.1"
    assert section_source("Retningslinje 9 › 9. Varighet, revisjon og oppsigelse › Term Definisjon") == "Retningslinje 9 9"
    duties = [Duty("Felles", "Samarbeide.", None, "x:1", "x", "Dok › 1. A"),
              Duty("UNN", "Sende epikrise.", "straks", "x:2", "x", "Dok › 2. B"),
              Duty("Kommunen", "Svare.", "innen 24 timer", "x:3", "x", "Dok › 3. C")]
    rows = duty_rows(duties)
    assert [r.actor for r in rows] == ["UNN", "Kommunen", "Felles"]
    assert [r.deadline for r in rows] == ["straks", "innen 24 timer", "–"]
    assert rows[0].source == "Dok 2"


# -- follow-ups and the answer card (from the answer-card work) ------------------------------
def _words_of_a_shown_card(lexical_assistant, question: str, answer, size: tuple[int, int]) -> str:
    """The words on screen when `answer` is shown as the answer to `question` and selected."""
    async def scenario():
        app = make_app(lexical_assistant)
        async with app.run_test(size=size) as pilot:
            card = app.main.chat.add_card(question)
            card.show("done", answer)
            app.main.chat.select(card)
            await pilot.pause()
            return words_on_screen(app)

    return run(scenario())


def test_interpretation_and_card_glance_are_shown_when_the_answer_has_them(lexical_assistant):
    import dataclasses

    from assistant.models import Card, CardSentence

    base = lexical_assistant.ask(TIDLIGMELDING)
    answer = dataclasses.replace(
        base, interpreted="Hvem skal sende tidligmelding ved innleggelse, kommunen eller UNN?",
        card=Card(("party",), (CardSentence("Tidligmelding sendes innen 24 timer etter innleggelse.", 1, "UNN"),),
                  party="UNN", deadline="innen 24 timer etter innleggelse"))

    text = _words_of_a_shown_card(lexical_assistant, "og kommunen?", answer, (80, 24))
    assert "Tolket som: Hvem skal sende tidligmelding ved innleggelse, kommunen eller UNN?" in text
    assert "Part: UNN · Frist: innen 24 timer etter innleggelse" in text


def test_an_english_question_gets_the_answer_card_s_labels_in_english(lexical_assistant):
    """As in `avtale ask`: "Answer:", "Party", "Who does what" for an English question (the
    quoted text stays Norwegian, the app's own controls stay in bokmål); a not-covered English
    answer lists its nearest sections once."""
    import dataclasses

    from assistant.models import Card, CardSentence, Duty
    from assistant.tui.format import answer_body

    base = lexical_assistant.ask(TIDLIGMELDING)
    answer = dataclasses.replace(
        base, lang="en", interpreted="Who must send the early notice, the municipality or UNN?",
        responsibilities=(Duty("UNN", "Sende tidligmelding.", "innen 24 timer", "x:1", "x", "Dok › 1. A"),),
        card=Card(("party",), (CardSentence("Tidligmelding sendes innen 24 timer etter innleggelse.", 1, "UNN"),),
                  party="UNN", deadline="innen 24 timer etter innleggelse"))

    text = _words_of_a_shown_card(lexical_assistant, "and the municipality?", answer, (100, 40))
    assert "Interpreted as: Who must send" in text and "Party: UNN · Deadline: innen 24 timer" in text
    assert "Answer: " in text and "Who does what" in text and "Svar:" not in text
    assert "Deadline" in text and "Source" in text  # the headers fit their columns
    refused = dataclasses.replace(base, lang="en", abstained=True, card=None, responsibilities=(),
                                  answer="The documents do not seem to answer this. Nearest sections: A [1].")
    shown = " ".join(str(part) for part in answer_body(refused, plain_mode=True) if hasattr(part, "plain"))
    assert shown.count("Nearest sections") == 1 and "Nærmeste" not in shown
    from assistant.tui.export import answer_markdown, clipboard_text

    copied = clipboard_text(answer)
    assert "Interpreted as: Who must send" in copied and "Who does what:" in copied and "Svar:" not in copied
    assert "| Party | Duty | Deadline | Source |" in answer_markdown(1, answer)
    assert clipboard_text(refused).count("Nearest sections") == 1


def test_earlier_questions_go_to_an_engine_that_takes_them(lexical_assistant):
    asked = []

    class WithHistory:
        encoder = None
        index = lexical_assistant.index

        def ask(self, question, top_k=5, doc_ids=None, history=None):
            asked.append((question, history))
            return lexical_assistant.ask(question, top_k, doc_ids)

    async def scenario():
        app = make_app(WithHistory())
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, app, TIDLIGMELDING)
            await ask(pilot, app, "og kommunen?")
            await pilot.press("ctrl+n")
            await ask(pilot, app, "og UNN?")

    run(scenario())
    assert asked == [(TIDLIGMELDING, None), ("og kommunen?", [TIDLIGMELDING]), ("og UNN?", None)]


def test_a_follow_up_typed_before_the_answer_above_it_came_is_read_with_it(lexical_assistant):
    """Typing fast: "og kommunen?" sent while the question before it is still being searched
    goes to the engine with that question as its history, not alone."""
    import threading

    asked = []
    first_may_finish = threading.Event()

    class Slow:
        encoder = None
        index = lexical_assistant.index

        def ask(self, question, top_k=5, doc_ids=None, history=None):
            asked.append((question, history))
            if question == TIDLIGMELDING:
                first_may_finish.wait(5)
            return lexical_assistant.ask(question, top_k, doc_ids)

    async def scenario():
        app = make_app(Slow())
        async with app.run_test(size=(80, 24)) as pilot:
            field = app.main.query_one("#question")
            field.focus()
            field.value = TIDLIGMELDING
            await pilot.press("enter")
            await wait_for(pilot, lambda: len(asked) == 1)
            field.value = "og kommunen?"
            await pilot.press("enter")
            await wait_for(pilot, lambda: len(asked) == 2)
            first_may_finish.set()
            await wait_for(pilot, lambda: all(c.state == "done" for c in app.main.chat.cards))

    run(scenario())
    assert asked == [(TIDLIGMELDING, None), ("og kommunen?", [TIDLIGMELDING])]


def test_a_copied_or_exported_follow_up_says_how_it_was_read(lexical_assistant):
    from assistant.tui.export import clipboard_text, conversation_markdown

    answer = lexical_assistant.ask("og hva med kommunen?",
                                   history=["Hvem skal rekvirere pasienttransport når pasienten skrives ut?"])
    assert answer.interpreted
    copied = clipboard_text(answer)
    assert f"Tolket som: {answer.interpreted}" in copied.splitlines()[1]
    assert f"**Tolket som:** {answer.interpreted}" in conversation_markdown([answer])


def test_every_pop_up_message_is_made_safe_for_the_terminal(monkeypatch):
    """A notification may hold a document's title, a file name or an error's text: the app
    shows its escapes and newlines as visible characters, whichever screen sends it."""
    from textual.app import App

    from assistant.tui.app import AvtaleApp

    shown = []
    monkeypatch.setattr(App, "notify", lambda self, message, **options: shown.append((message, options)))
    app = AvtaleApp.__new__(AvtaleApp)  # the method alone: no terminal needed
    app.notify("Søker bare i \x1b[2Jtittel\nmed linjeskift.", markup=False, timeout=4)
    message, options = shown[0]
    assert "\x1b" not in message and "\n" not in message and "tittel" in message
    assert options == {"markup": False, "timeout": 4}
