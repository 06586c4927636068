"""The app: wires the conversation screen, the background loading of the engine, the command
palette and help. `create_app` is the one factory the CLI, the tests and the benchmark use.

Start-up is fast because nothing heavy happens here: the app is on screen at once, a loader
thread opens word search (building the index if it must, with progress), then loads the language
model and swaps in hybrid search. Questions asked meanwhile are answered with word search.
"""

from __future__ import annotations

import os
import sys
import threading

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette
from textual.reactive import reactive
from textual.screen import Screen

from assistant.terminal import visible
from assistant.tui.commands import AvtaleCommands
from assistant.tui.screens.main import MainScreen
from assistant.tui.startup import READY, READY_LEXICAL, Startup
from assistant.tui.theme import APP_THEME, AVTALE, ThemeProvider, key_display
from assistant.tui.typing import route_typing

__all__ = ["AvtaleApp", "READY", "READY_LEXICAL", "create_app", "run_app"]


class AvtaleApp(Startup, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "avtale"
    SUB_TITLE = "Samarbeidsavtalen UNN–kommunene"
    COMMANDS = {AvtaleCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("ctrl+p", "command_palette", "Meny", priority=True),
        Binding("f1", "help", "Hjelp"),
        Binding("question_mark", "help", "Hjelp", show=False),
        Binding("ctrl+q", "request_quit", "Avslutt", show=False, priority=True),
        # Tab moves focus the moment it is typed, not after the keys typed behind it (typing.py).
        Binding("tab", "focus_next", "Neste felt", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "Forrige felt", show=False, priority=True),
    ]

    status: reactive[str] = reactive("Starter …")
    progress: reactive[tuple[int, int] | None] = reactive(None)

    def __init__(self, corpus=None, index=None, assistant=None, plain: bool = False, use_encoder: bool = True) -> None:
        super().__init__()
        self.corpus, self.index_dir, self.use_encoder = corpus, index, use_encoder
        self.assistant = assistant
        self.plain = plain
        self.load_error: str | None = None
        self.encoder_loading = False
        self.loading_finished = threading.Event()
        if assistant is not None:
            self.loading_finished.set()
        self.main = MainScreen(plain)
        self._start_with_app_theme()
        if plain:
            self.animation_level = "none"

    def _start_with_app_theme(self) -> None:
        """The app's own theme from the first frame. Not `self.theme = …`: its watcher would
        parse all the CSS a second time after start-up (about 40 ms of the launch); here the
        stylesheet, not parsed yet, gets the theme's variables and the app the theme's classes."""
        self.register_theme(AVTALE)
        self.set_reactive(AvtaleApp.theme, APP_THEME)
        self.stylesheet.set_variables(self.get_css_variables())
        classes = {name: False for name in self.classes if name.startswith("-theme-")}
        classes.update({f"-theme-{APP_THEME}": True, "-dark-mode": AVTALE.dark, "-light-mode": not AVTALE.dark})
        self.update_classes(classes, update=False)

    def get_default_screen(self) -> Screen:
        return self.main

    def on_mount(self) -> None:
        self.set_class(self.plain, "-plain")
        if self.assistant is not None:
            self.status = READY if self.assistant.encoder is not None else READY_LEXICAL
            return
        self.start_loading()

    async def on_event(self, event: events.Event) -> None:
        # Typing that would reach no text field goes to the question (see typing.py); this is
        # the one place keys are taken in the order they were typed.
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded and await route_typing(self, event):
            return
        await super().on_event(event)

    def return_to_conversation(self):
        """Close the reader, help or a listing and give the question field (for typing there)."""
        while len(self.screen_stack) > 1 and self.screen is not self.main:
            self.pop_screen()
        return self.main.typing_field()

    def get_key_display(self, binding: Binding) -> str:
        return binding.key_display or key_display(binding.key)

    def notify(self, message: str, **options) -> None:
        """Every pop-up message, the screens' too, made safe for the terminal here, once: it may
        hold a file name, a document's title or an error's text."""
        super().notify(visible(message, one_line=True), **options)

    # -- commands ------------------------------------------------------------------------------
    def action_help(self) -> None:
        from assistant.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder="Søk etter kommandoer …"))

    def action_help_quit(self) -> None:
        self.notify("Trykk Ctrl+Q for å avslutte.", title="Vil du avslutte?", timeout=4)

    def action_request_quit(self) -> None:
        """Ctrl+Q: quit at once when there is nothing to lose (no answers, or all just saved with
        F3), else ask first (a second Ctrl+Q in the question quits)."""
        from assistant.tui.screens.prompt import ConfirmScreen

        answers = self.main.unsaved_answers()
        if isinstance(self.screen, ConfirmScreen) and self.screen.purpose == "quit" or not answers:
            self.exit()
            return
        self.push_screen(ConfirmScreen(
            "Avslutte avtale?",
            f"Samtalen ({answers} svar) lagres ikke og blir borte når appen lukkes. "
            "Vil du ta vare på den, velg Bli og trykk F3 (lagre).",
            yes="Avslutt", no="Bli", purpose="quit",
        ), lambda quit_now: self.exit() if quit_now else None)

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else APP_THEME

    def search_themes(self) -> None:
        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder="Søk etter fargetema …"))


def plain_from_env() -> bool:
    return os.environ.get("AVTALE_PLAIN", "").strip().lower() not in ("", "0", "false", "nei", "no")


def create_app(corpus=None, index=None, assistant=None, plain: bool = False, use_encoder: bool = True) -> AvtaleApp:
    """The app. With `assistant`, that engine is used as is (tests); otherwise it is opened in the
    background from `corpus` and `index` (the CLI)."""
    return AvtaleApp(corpus, index, assistant, plain or plain_from_env(), use_encoder)


def run_app(corpus=None, index=None, plain: bool = False) -> int:
    from assistant.tui import paste_guard

    paste_guard.install()  # a paste holding terminal escapes stays one paste, in order
    app = create_app(corpus=corpus, index=index, plain=plain)
    app.run()
    code = app.return_code or 0
    if not app.loading_finished.is_set():
        # A worker thread is still building the index or loading the model and cannot be
        # interrupted; don't make the user wait for it. Builds are atomic, so stopping is safe.
        print("avtale: avsluttet mens søkeindeksen ble bygget; byggingen fortsetter neste gang.", file=sys.stderr)
        sys.stdout.flush()
        os._exit(code)
    return code
