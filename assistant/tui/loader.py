"""What the app's background worker does at start: open word search first (seconds at most, with
index-building progress), then load the language model and switch to hybrid search. Runs in a
thread; reports only by posting messages. The search stack is imported here, never at app import.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

from assistant.tui.messages import (
    AssistantDone,
    AssistantFailed,
    EncoderDone,
    EncoderFailed,
    EncoderStarted,
    IndexProgress,
)

Post = Callable[[object], object]
NO_ENCODER = "Språkmodellen er ikke installert her; søket bruker bare ordsøk."


def throttled_progress(post: Post, interval: float = 0.1):
    """A progress callback that posts at most one message per `interval` per stage (plus the last)."""
    last: dict[str, float] = {}

    def report(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - last.get(stage, 0.0) >= interval:
            last[stage] = now
            post(IndexProgress(stage, done, total))

    return report


def _problem(exc: Exception) -> str:
    from assistant.errors import AvtaleError

    if isinstance(exc, AvtaleError):
        return exc.message
    return f"uventet feil ({type(exc).__name__}: {exc})"


def open_word_search(post: Post, corpus=None, index=None):
    """Open the assistant without the language model; builds the index if it must."""
    try:
        from assistant.service import Assistant

        assistant = Assistant.open(corpus, index, progress=throttled_progress(post), use_encoder=False)
    except Exception as exc:  # reported on screen; the app stays usable for help and quitting
        post(AssistantFailed(_problem(exc)))
        return None
    post(AssistantDone(assistant))
    return assistant


def add_language_model(post: Post, assistant) -> None:
    """Load the encoder and attach it to a copy of the assistant, so the copy in use is never
    changed under a running search; the app swaps the copy in when it arrives."""
    post(EncoderStarted())
    try:
        from assistant.service import load_encoder_or_notice

        encoder, notice = load_encoder_or_notice()
    except ImportError:
        encoder, notice = None, NO_ENCODER
    except Exception as exc:
        encoder, notice = None, f"Språkmodellen kunne ikke lastes: {_problem(exc)}"
    if encoder is None:
        post(EncoderFailed(notice or NO_ENCODER))
        return
    try:
        hybrid = dataclasses.replace(assistant, notices=list(assistant.notices))
        hybrid.attach_encoder(encoder, progress=throttled_progress(post))
    except Exception as exc:
        post(EncoderFailed(f"Språkmodellen kunne ikke tas i bruk: {_problem(exc)}"))
        return
    if hybrid.encoder is None:
        post(EncoderFailed("Søkeindeksen har ingen vektorer; søket bruker bare ordsøk."))
        return
    post(EncoderDone(hybrid))
