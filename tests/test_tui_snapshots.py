"""Snapshot tests (pytest-textual-snapshot) of each screen at 80×24 and 120×40: the conversation
with an answer, the reader, help and the command palette. Deterministic: a fixed theme, word
search only, no timings on screen. Update with `pytest tests/test_tui_snapshots.py --snapshot-update`
after checking the new pictures."""

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

    app = create_app(assistant=assistant, plain=plain)
    app.theme = "textual-dark"
    return app


async def steady(pilot) -> None:
    """No blinking cursors: a snapshot must not depend on when it is taken."""
    from textual.widgets import Input

    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


async def answered(pilot, question: str = TIDLIGMELDING) -> None:
    app = pilot.app
    app.main.query_one("#question").value = question
    await pilot.press("enter")
    deadline = time.monotonic() + 10
    while app.main.chat.cards[-1].state != "done":
        assert time.monotonic() < deadline, "no answer"
        await pilot.pause(0.02)
    await steady(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_with_answer(snap_compare, snapshot_assistant, size):
    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=answered)


@pytest.mark.parametrize("size", SIZES)
def test_reader(snap_compare, snapshot_assistant, size):
    async def open_reader(pilot):
        from assistant.tui.screens.reader import ReaderScreen

        await answered(pilot)
        pilot.app.main.query_one("#sources-list").focus()
        await pilot.press("enter")
        while not isinstance(pilot.app.screen, ReaderScreen):
            await pilot.pause(0.02)
        await pilot.pause(0.2)

    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=open_reader)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, snapshot_assistant, size):
    async def open_help(pilot):
        await steady(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=open_help)


@pytest.mark.parametrize("size", SIZES)
def test_palette(snap_compare, snapshot_assistant, size):
    async def open_palette(pilot):
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await steady(pilot)

    assert snap_compare(app_for(snapshot_assistant), terminal_size=size, run_before=open_palette)


def test_plain_mode_main_screen(snap_compare, snapshot_assistant):
    assert snap_compare(app_for(snapshot_assistant, plain=True), terminal_size=(80, 24), run_before=answered)
