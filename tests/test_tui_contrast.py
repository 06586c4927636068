"""Text is readable on a ward PC: every text colour of the app's default theme against every
background it is drawn on has a contrast of at least 4.5:1 (WCAG 2.1 AA), checked on the theme's
colours and, cell by cell, on every screen as drawn at 80×24 and 120×40, in plain mode and with
NO_COLOR too. Box drawing, scrollbars and block elements are not text and are left out."""

from __future__ import annotations

import asyncio
import time
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
AA = 4.5


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_wcag_examples():
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert round(contrast((118, 118, 118), (255, 255, 255)), 2) == 4.54  # #767676, the AA grey
    assert contrast((119, 119, 119), (255, 255, 255)) < AA  # #777 on white fails (4.48)


# Text colours and the backgrounds each is drawn on, by the theme's variable names.
TEXT_PAIRS = [
    (text, ground)
    for text in ("text", "text-muted", "text-disabled", "foreground", "foreground-muted")
    for ground in ("background", "surface", "panel")
] + [
    ("block-cursor-foreground", "block-cursor-background"),  # the highlighted row of a list
    ("block-cursor-blurred-foreground", "block-cursor-blurred-background"),
    ("footer-key-foreground", "footer-background"),
    ("footer-description-foreground", "footer-background"),
    ("text-warning", "surface"),
    ("text-error", "surface"),
    ("text-success", "surface"),
    ("text-accent", "surface"),
]


def test_default_theme_text_pairs_meet_aa():
    from textual.color import Color

    from assistant.tui.theme import APP_THEME, AVTALE

    colours = AVTALE.to_color_system().generate()
    failing = []
    for text, ground in TEXT_PAIRS:
        background = Color.parse(colours[ground])
        background = Color.parse(colours["background"]).blend(background, background.a)  # alpha over the screen
        foreground = background.blend(Color.parse(colours[text]), Color.parse(colours[text]).a)
        ratio = contrast(foreground.rgb, background.rgb)
        if ratio < AA:
            failing.append((text, ground, round(ratio, 2)))
    assert not failing, f"theme {APP_THEME}: {failing}"


# -- what is on screen -------------------------------------------------------------------------
def is_text(ch: str) -> bool:
    box_or_block = 0x2500 <= ord(ch) <= 0x259F
    return unicodedata.category(ch)[0] in "LNPS" and not box_or_block and ord(ch) < 0x1F000


def low_contrast_cells(app, region=None) -> list[tuple]:
    """(ratio, row, text) of each run of text on screen under 4.5:1, once per colour pair."""
    found: dict[tuple, tuple] = {}
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        x = 0
        for segment in strip:
            style = segment.style
            for ch in segment.text:
                inside = region is None or region.contains(x, y)
                x += 1
                if not (inside and is_text(ch) and style and style.color and style.bgcolor):
                    continue
                fg, bg = tuple(style.color.get_truecolor()), tuple(style.bgcolor.get_truecolor())
                ratio = contrast(fg, bg)
                if ratio < AA or style.dim:
                    found.setdefault((fg, bg), (round(ratio, 2), y, segment.text.strip()[:40]))
    return list(found.values())


@pytest.fixture(scope="module")
def contrast_assistant(tmp_path_factory):
    from assistant.service import Assistant

    return Assistant.open(REPO / "corpus", tmp_path_factory.mktemp("contrast-index"), use_encoder=False)


async def _until(pilot, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.02)
    await pilot.pause()


async def visit_every_screen(app, pilot):
    """Yield (name, region to check) with each screen on display; modal screens are checked
    inside their frame (the dimmed screen behind them is not meant to be read)."""
    def screen_name() -> str:
        return type(app.screen).__name__

    yield "start", None
    app.screen.set_focus(app.main.query_one("#examples"))
    await pilot.pause()
    yield "start, examples", None
    app.main.typing_field().value = "Hva må sykehuset sende kommunen før utskrivning, og når?"
    app.screen.set_focus(app.main.typing_field())
    await pilot.press("enter")
    await _until(pilot, lambda: app.main.chat.cards and app.main.chat.cards[-1].state == "done")
    yield "answer", None
    for pane in ("#chat", "#sources-list"):
        app.screen.set_focus(app.main.query_one(pane))
        await pilot.pause()
        yield f"answer, {pane} focused", None
    await pilot.press("f5")
    await pilot.pause()
    yield "sources maximised", None
    await pilot.press("f5")
    await pilot.press("f1")
    await pilot.pause()
    yield "help", app.screen.query_one("#help").region
    await pilot.press("escape")
    await pilot.press("f4")
    await _until(pilot, lambda: screen_name() == "ListingScreen")
    yield "deadlines", None
    await pilot.press(*"kommunen svar")
    await pilot.pause()
    yield "deadlines, filtered", None
    await pilot.press("escape", "escape")
    for key, frame in (("ctrl+p", "#--container"), ("f3", "#dialog"), ("ctrl+q", "#dialog")):
        await pilot.press(key)
        await pilot.pause(0.2)
        yield key, app.screen.query_one(frame).region
        await pilot.press("escape")
    app.screen.set_focus(app.main.query_one("#sources-list"))
    await pilot.press("enter")
    await _until(pilot, lambda: screen_name() == "ReaderScreen" and app.screen.query(".reader-para"))
    yield "reader", None
    app.screen.set_focus(app.screen.query_one("#reader-tree"))
    await pilot.pause()
    yield "reader, contents focused", None


@pytest.mark.parametrize("size, mode", [((80, 24), "default"), ((120, 40), "default"),
                                        ((80, 24), "plain"), ((80, 24), "NO_COLOR")])
def test_every_screen_meets_aa(contrast_assistant, monkeypatch, size, mode):
    from assistant.tui.app import create_app

    if mode == "NO_COLOR":
        monkeypatch.setenv("NO_COLOR", "1")

    async def scenario():
        app = create_app(assistant=contrast_assistant, plain=mode == "plain")
        failing, seen = {}, []
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            async for name, region in visit_every_screen(app, pilot):
                seen.append(name)
                if cells := low_contrast_cells(app, region):
                    failing[name] = cells
        return failing, seen

    failing, seen = asyncio.run(scenario())
    assert len(seen) == 14, seen
    assert not failing, failing
