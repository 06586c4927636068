"""Snapshot tests (pytest-textual-snapshot) of every screen at 80×24 and 120×40: the start
screen, the conversation with an answer, the sources maximised (F5), the reader, help, the
command palette, the theme picker, the deadlines table (F4) filtered, a duty table, the export
dialog, the question before quitting, and plain mode. Deterministic: the app's own theme, word
search only, no timings, dates or temporary paths on screen. Update with
`pytest tests/test_tui_snapshots.py --snapshot-update` after checking the new pictures."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TIDLIGMELDING = "Hvem skal sende tidligmelding ved innleggelse?"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture(scope="session")
def snapshot_assistant(tmp_path_factory):
    from assistant.service import Assistant

    return Assistant.open(REPO / "corpus", tmp_path_factory.mktemp("tui-snap-index"), use_encoder=False)


def app_for(assistant, plain: bool = False):
    from assistant.tui.app import create_app

    return create_app(assistant=assistant, plain=plain)  # the app's own theme


async def steady(pilot) -> None:
    """No blinking cursors: a snapshot must not depend on when it is taken."""
    from textual.widgets import Input

    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


async def until(pilot, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the app did not get there"
        await pilot.pause(0.02)
    await pilot.pause()


async def answered(pilot, question: str = TIDLIGMELDING) -> None:
    app = pilot.app
    app.main.query_one("#question").value = question
    await pilot.press("enter")
    await until(pilot, lambda: app.main.chat.cards and app.main.chat.cards[-1].state == "done")
    await pilot.pause(0.3)  # the card's and the sources' heights settle (the scrollbars depend on them)
    await steady(pilot)


async def on_screen(pilot, name: str) -> None:
    await until(pilot, lambda: type(pilot.app.screen).__name__ == name)
    await pilot.pause(0.2)
    await steady(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_start_screen(snap_compare, snapshot_assistant, size):
    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=steady)


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_with_answer(snap_compare, snapshot_assistant, size):
    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=answered)


@pytest.mark.parametrize("size", SIZES)
def test_sources_maximised(snap_compare, snapshot_assistant, size):
    async def maximised(pilot):
        await answered(pilot)
        pilot.app.screen.set_focus(pilot.app.main.query_one("#sources-list"))
        await pilot.press("f5")
        await steady(pilot)

    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=maximised)


@pytest.mark.parametrize("size", SIZES)
def test_reader(snap_compare, snapshot_assistant, size):
    async def open_reader(pilot):
        await answered(pilot)
        pilot.app.screen.set_focus(pilot.app.main.query_one("#sources-list"))
        await pilot.press("enter")
        await on_screen(pilot, "ReaderScreen")

    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=open_reader)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, snapshot_assistant, size):
    async def open_help(pilot):
        await steady(pilot)
        await pilot.press("f1")
        await on_screen(pilot, "HelpScreen")

    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=open_help)


@pytest.mark.parametrize("size", SIZES)
def test_palette(snap_compare, snapshot_assistant, size):
    async def open_palette(pilot):
        await steady(pilot)
        pilot.app.main.set_filter("rl2", "Retningslinje 2")  # "Fjern filteret" is listed first
        await pilot.press("ctrl+p")
        await on_screen(pilot, "CommandPalette")

    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=open_palette)


@pytest.mark.parametrize("size", SIZES)
def test_theme_picker(snap_compare, snapshot_assistant, size):
    async def open_picker(pilot):
        pilot.app.search_themes()
        await on_screen(pilot, "CommandPalette")

    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=open_picker)


@pytest.mark.parametrize("size", SIZES)
def test_deadlines_filtered(snap_compare, snapshot_assistant, size):
    async def deadlines(pilot):
        await pilot.press("f4")
        await on_screen(pilot, "ListingScreen")
        await pilot.press(*"utskriv")
        await steady(pilot)

    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=deadlines)


@pytest.mark.parametrize("size", SIZES)
def test_duty_table(snap_compare, snapshot_assistant, size):
    async def duty_table(pilot):
        pilot.app.main._listing(snapshot_assistant, "Retningslinje 2 4.1")
        await on_screen(pilot, "ListingScreen")

    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=duty_table)


@pytest.mark.parametrize("size", SIZES)
def test_export_dialog(snap_compare, snapshot_assistant, monkeypatch, size):
    monkeypatch.setenv("AVTALE_EXPORT_DIR", "/home/sykepleier/Dokumenter")

    async def export(pilot):
        await answered(pilot)
        await pilot.press("f3")
        await on_screen(pilot, "PromptScreen")
        field = pilot.app.screen.query_one("#dialog-input")
        field.value = "avtale-samtale-20261202-1430.md"  # the default name carries today's date
        await steady(pilot)

    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=export)


@pytest.mark.parametrize("size", SIZES)
def test_quit_question(snap_compare, snapshot_assistant, size):
    async def quit_(pilot):
        await answered(pilot)
        await pilot.press("ctrl+q")
        await on_screen(pilot, "ConfirmScreen")

    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=quit_)


@pytest.mark.parametrize("size", SIZES)
def test_plain_mode_main_screen(snap_compare, snapshot_assistant, size):
    assert snap_compare(app_for(snapshot_assistant, plain=True), terminal_size=size, run_before=answered)
