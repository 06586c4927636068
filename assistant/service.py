"""The one `ask` that the CLI, the app, the evals and the benchmarks share.

`Assistant.open()` loads the encoder (or falls back to word search with a notice), makes sure
the index is current (building or rebuilding it, with progress), recovers from a damaged
index by setting it aside and rebuilding, and then answers questions.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from assistant import paths
from assistant.answer.compose import compose
from assistant.errors import EncoderUnavailable, UsageError
from assistant.models import Answer
from assistant.search.index import (
    IndexDamaged,
    build_index,
    current_build,
    is_stale,
    load_index,
    set_aside,
    sweep_if_idle,
)
from assistant.search.retrieve import MAX_QUESTION_CHARS, Retriever

Progress = Callable[[str, int, int], None]


@dataclass
class Assistant:
    corpus_dir: Path
    index_dir: Path
    retriever: Retriever
    encoder: object | None
    notices: list[str] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        corpus: str | Path | None = None,
        index: str | Path | None = None,
        progress: Progress | None = None,
        use_encoder: bool = True,
        encoder=None,
    ) -> "Assistant":
        corpus_dir, index_dir = paths.corpus_dir(corpus), paths.index_dir(index)
        notices: list[str] = []
        if encoder is None and use_encoder:
            encoder, notice = load_encoder_or_notice()
            if notice:
                notices.append(notice)
        loaded = ensure_index(corpus_dir, index_dir, encoder, progress, notices)
        active = encoder if loaded.vectors is not None else None
        return cls(corpus_dir, index_dir, Retriever(loaded, active), active, notices)

    @property
    def index(self):
        return self.retriever.index

    def search(self, question: str, history: list[str] | tuple[str, ...] = (), top_k: int = 5,
               doc_ids: set[str] | None = None, mode: str = "hybrid"):
        """Understand a (cleaned) question with its conversation and search for it: (Question,
        SearchResult). A question that may lean on the one before is searched both ways, and
        read as a follow-up when that finds a clearly nearer stored passage question."""
        from assistant.answer.understand import understand

        t0 = time.perf_counter()
        understood = understand(question, self.index.lexical, self.retriever.glossary, history)
        reading_ms = (time.perf_counter() - t0) * 1000
        result = self.retriever.search(understood, top_k=top_k, doc_ids=doc_ids, mode=mode)
        if understood.maybe_follow_up and self.encoder is not None and mode != "bm25":
            t1 = time.perf_counter()
            other = understand(question, self.index.lexical, self.retriever.glossary, history, as_follow_up=True)
            reading_ms += (time.perf_counter() - t1) * 1000
            other_result = self.retriever.search(other, top_k=top_k, doc_ids=doc_ids, mode=mode)
            if _nearest(other_result) > _nearest(result) + FOLLOW_UP_GAIN:
                understood, result = other, other_result
            else:
                result.timing_ms["encode"] = round(result.timing_ms.get("encode", 0.0)
                                                   + other_result.timing_ms.get("encode", 0.0), 2)
        result.timing_ms["understand"] = round(reading_ms, 2)
        return understood, result

    def attach_encoder(self, encoder, progress: Progress | None = None) -> None:
        """Switch from word search to hybrid search once the encoder has loaded (the app does
        this from a worker). Rebuilds the index first if it was made with another encoder."""
        loaded = self.index
        if loaded.encoder_id != encoder.model_id:
            loaded = ensure_index(self.corpus_dir, self.index_dir, encoder, progress, self.notices)
        self.encoder = encoder if loaded.vectors is not None else None
        self.retriever = Retriever(loaded, self.encoder)

    def ask(self, question: str, top_k: int = 5, doc_ids: set[str] | None = None,
            history: list[str] | tuple[str, ...] = ()) -> Answer:
        """Answer a question; `history` holds the conversation's earlier questions, oldest
        first, against which an elliptical follow-up ("og hva med kommunen?") is read."""
        t0 = time.perf_counter()
        from assistant.answer.ansvar import old_agreement_note

        cleaned, notices = prepare_question(question)
        earlier = _earlier_questions(history)
        note, old_docs = old_agreement_note(cleaned, self.index)
        if note:
            notices.append(note)
            doc_ids = doc_ids or old_docs
        understood, result = self.search(cleaned, earlier, top_k=top_k, doc_ids=doc_ids)
        result.notices = notices + result.notices + ([] if self.encoder else ["Bare ordsøk (språkmodellen er ikke lastet)."])
        answer = compose(result, self.index, top_k=top_k, has_dense=self.encoder is not None, question=understood)
        answer.timing_ms["total"] = round((time.perf_counter() - t0) * 1000, 2)
        return replace(answer, question=question)


# A follow-up is read against at most this many earlier questions of its conversation.
MAX_HISTORY = 5


def _earlier_questions(history) -> list[str]:
    """The conversation's last earlier questions, cleaned like a question; one with no words
    is left out rather than failing the question asked now."""
    out = []
    for text in list(history or ())[-MAX_HISTORY:]:
        try:
            out.append(prepare_question(text)[0])
        except UsageError:
            continue
    return out


# A question that may be a follow-up is read as one when that reading's nearest stored passage
# question is this much nearer than the question alone's. On the tuning sets (followup_dev, the
# calibration set's follow-ups, and each dev question after the one before it): 46 of 47
# follow-ups read, 0 of 125 stand-alone questions merged (3 at 0.0, none at 0.02 but one
# follow-up fewer).
FOLLOW_UP_GAIN = 0.01


def _nearest(result) -> float:
    cosines = result.question_cosines
    return float(cosines.max()) if cosines is not None and len(cosines) else result.top_dense


def load_encoder_or_notice():
    from assistant.config import load_settings
    from assistant.search.encoders import load_encoder

    try:
        return load_encoder(load_settings()), None
    except EncoderUnavailable as exc:
        return None, exc.message


def ensure_index(corpus_dir: Path, index_dir: Path, encoder, progress: Progress | None, notices: list[str]):
    encoder_id = getattr(encoder, "model_id", None)
    reason = is_stale(index_dir, corpus_dir, encoder_id)
    if reason:
        if reason != "Fant ingen søkeindeks":
            notices.append(f"{reason}; søkeindeksen ble bygget på nytt.")
        build_index(corpus_dir, index_dir, encoder, progress)
    else:
        sweep_if_idle(index_dir)  # a build killed midway left its folder: gone without waiting for the next build
    try:
        return load_index(index_dir)
    except IndexDamaged as exc:
        if current_build(index_dir) not in (None, exc.folder):
            return load_index(index_dir)  # another process rebuilt it meanwhile: read the new build
        moved = set_aside(index_dir, exc.folder)
        notices.append(f"Søkeindeksen var skadet og ble satt til side ({moved.name}); den er bygget på nytt.")
        build_index(corpus_dir, index_dir, encoder, progress)
        return load_index(index_dir)


def prepare_question(question: str) -> tuple[str, list[str]]:
    """Strip control characters and cut an over-long question, with a notice."""
    if question is None or not question.strip():
        raise UsageError("Spørsmålet er tomt. Skriv et spørsmål, f.eks. «Hvem sender tidligmelding ved innleggelse?»")
    cleaned = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\n\t" else " " for ch in question)
    cleaned = " ".join(cleaned.split())
    notices = []
    if len(cleaned) > MAX_QUESTION_CHARS:
        cleaned = cleaned[:MAX_QUESTION_CHARS]
        notices.append(f"Spørsmålet var for langt og ble kortet ned til {MAX_QUESTION_CHARS} tegn.")
    if not any(ch.isalnum() for ch in cleaned):
        raise UsageError("Spørsmålet inneholder ingen ord. Skriv et spørsmål med ord.")
    return cleaned, notices
