"""The app's side of start-up: a loader thread opens the engine (see `loader.py`) and the
status line says at each stage what is happening. A mixin of the app, so `app.py` stays wiring."""

from __future__ import annotations

import threading
import time

from assistant.tui.messages import (
    AssistantDone,
    AssistantFailed,
    EncoderDone,
    EncoderFailed,
    EncoderStarted,
    IndexProgress,
)

LOADING_MODEL = "Laster språkmodell … spørsmål besvares med ordsøk imens"
READY = "Klar"
READY_LEXICAL = "Klar · bare ordsøk"


class Startup:
    """Expects the app's `status` and `progress` reactives, `assistant`, `main` and friends."""

    def start_loading(self) -> None:
        self.status = "Åpner søkeindeksen …"
        self._opened_at = self._progress_at = time.monotonic()
        self._wait_timer = self.set_interval(1.0, self._show_waiting)
        # Not a Textual thread worker: those run on asyncio's default executor, which is joined
        # at exit, so quitting during a first-run build would hang until it finished. This
        # thread, like a worker, only posts messages; run_app ends the process if it still runs.
        threading.Thread(target=self._load, name="avtale-loader", daemon=True).start()

    def _show_waiting(self) -> None:
        """Opening normally takes a second or two; when it takes longer with no progress,
        another process is most likely building the same index (the build lock)."""
        if self.assistant is not None or self.load_error:
            self._wait_timer.stop()
        elif time.monotonic() - self._progress_at >= 3:
            waited = round(time.monotonic() - self._opened_at)
            self.status = f"Åpner søkeindeksen … {waited} s (venter trolig på at en annen prosess bygger den)"

    # -- background loading --------------------------------------------------------------------
    def _load(self) -> None:
        from assistant.tui.loader import add_language_model, open_word_search

        try:
            assistant = open_word_search(self.post_message, self.corpus, self.index_dir)
            if assistant is not None and self.use_encoder:
                add_language_model(self.post_message, assistant)
        finally:
            self.loading_finished.set()

    def on_index_progress(self, message: IndexProgress) -> None:
        self._progress_at = time.monotonic()
        percent = round(100 * message.done / max(message.total, 1))
        if self.assistant is None:
            self.status = f"Bygger søkeindeksen (bare første gang): {message.stage} {percent} %"
        else:
            self.status = f"Legger språkmodellen til søkeindeksen: {message.stage} {percent} % · ordsøk imens"
        self.progress = (message.done, message.total) if message.done < message.total else None

    def on_assistant_done(self, message: AssistantDone) -> None:
        self.assistant = message.assistant
        self.progress = None
        self.status = READY_LEXICAL if not self.use_encoder else "Søkeindeksen er åpnet"
        # The loader goes on to the model at once; say so now, not when EncoderStarted arrives:
        # a queued question's answer (posted to the screen's queue) may be handled before that.
        self.encoder_loading = self.use_encoder
        for notice in self.assistant.notices:
            self.notify(notice, markup=False, timeout=6)
        self.main.assistant_ready()

    def on_assistant_failed(self, message: AssistantFailed) -> None:
        self.load_error = message.message
        self.progress = None
        self.status = "Kan ikke søke: " + message.message
        self.notify(message.message, title="Søkeindeksen", severity="error", markup=False, timeout=15)
        self.main.assistant_ready()

    def on_encoder_started(self, _message: EncoderStarted) -> None:
        self.encoder_loading = True
        self.status = LOADING_MODEL

    def on_encoder_done(self, message: EncoderDone) -> None:
        self.encoder_loading = False
        self.assistant = message.assistant
        self.progress = None
        self.status = READY

    def on_encoder_failed(self, message: EncoderFailed) -> None:
        self.encoder_loading = False
        self.progress = None
        self.status = READY_LEXICAL
        self.notify(message.message, title="Språkmodellen", severity="warning", markup=False, timeout=8)

