"""The app's own colour theme, the theme picker in Norwegian, and how keys are written.

Textual's default dark theme puts muted text (placeholders, headings of grouped lists, the
sources' empty state) at about 3.4:1 against its background, under the 4.5:1 that WCAG AA asks
of text; a ward PC's screen in a bright room makes that worse. The `avtale` theme keeps Textual's
look but sets every text colour the app uses to at least 4.5:1 (tests/test_tui_contrast.py checks
what is on screen, cell by cell).
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.theme import Theme

APP_THEME = "avtale"

AVTALE = Theme(
    name=APP_THEME,
    primary="#2b6cb0",
    secondary="#4a7fb5",
    accent="#f0b35a",
    warning="#f0b35a",
    error="#ff7b72",
    success="#5fbf77",
    foreground="#e6e9ee",
    background="#101418",
    surface="#171c22",
    panel="#1f2731",
    dark=True,
    variables={
        "text": "#e6e9ee",
        "text-muted": "#b4bcc7",
        "text-disabled": "#a3acb8",
        "foreground-muted": "#b4bcc7",
        "block-cursor-foreground": "#ffffff",
        "block-cursor-background": "#215a96",
        "block-cursor-blurred-foreground": "#e6e9ee",
        "block-cursor-blurred-background": "#26394f",
        "input-selection-background": "#2b6cb0 60%",
        "footer-key-foreground": "#f0b35a",
        "footer-description-foreground": "#e6e9ee",
        "footer-background": "#1f2731",
        "footer-item-background": "#1f2731",
        "scrollbar": "#3b4a5c",
        "scrollbar-hover": "#4d6178",
        "scrollbar-active": "#6b86a6",
        "scrollbar-background": "#171c22",
    },
)

# The themes Textual ships, with a word on each for the picker (their names are their own).
THEME_NOTES = {
    APP_THEME: "appens eget tema, god kontrast (standard)",
    "textual-dark": "mørkt",
    "textual-light": "lyst",
    "textual-ansi": "terminalens egne farger",
}


def theme_label(name: str, dark: bool) -> str:
    return THEME_NOTES.get(name, "mørkt" if dark else "lyst")


class ThemeProvider(Provider):
    """The themes for the palette, the app's own first, described in Norwegian."""

    def _themes(self) -> list[tuple[str, str]]:
        themes = self.app.available_themes
        names = [APP_THEME] + sorted(n for n in themes if n != APP_THEME)
        return [(name, theme_label(name, themes[name].dark)) for name in names if name in themes]

    def _choose(self, name: str) -> None:
        self.app.theme = name

    async def discover(self) -> Hits:
        for name, note in self._themes():
            yield DiscoveryHit(Content(name), partial(self._choose, name), text=name, help=note)

    async def search(self, query: str) -> Hits:
        from assistant.tui.commands import no_match

        matcher = self.matcher(query)
        found = False
        for name, note in self._themes():
            score = max(matcher.match(name), matcher.match(note) * 0.8)
            if score > 0:
                found = True
                yield Hit(score, matcher.highlight(name), partial(self._choose, name), text=name, help=note)
        if not found:
            yield no_match(query)


KEY_NAMES = {
    "escape": "Esc", "enter": "Enter", "tab": "Tab", "space": "Mellomrom", "up": "↑", "down": "↓",
    "left": "←", "right": "→", "home": "Home", "end": "End", "pageup": "PgUp", "pagedown": "PgDn",
    "question_mark": "?", "delete": "Del", "backspace": "Tilbake",
}


def key_display(key: str) -> str:
    """'ctrl+n' → 'Ctrl+N', 'f4' → 'F4', 'escape' → 'Esc': keys as they are printed on the
    keyboard, not Textual's '^n'."""
    parts = key.split("+")
    mods = {"ctrl": "Ctrl", "shift": "Shift", "alt": "Alt"}
    out = [mods.get(p, p) for p in parts[:-1]]
    last = parts[-1]
    if last in KEY_NAMES:
        out.append(KEY_NAMES[last])
    elif len(last) == 1:
        out.append(last.upper() if out else last)
    else:
        out.append(last.upper() if last[:1] == "f" and last[1:].isdigit() else last.capitalize())
    return "+".join(out)
