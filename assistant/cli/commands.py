"""The CLI commands that answer questions and build the index (kept apart from cli.py so the
argument parser stays small and `avtale corpus` never imports the search stack)."""

from __future__ import annotations

import json
import sys

from assistant.cli.output import note, say, say_json
from assistant.errors import UsageError


def _progress_bar():
    """A tqdm progress bar per build stage, on standard error. The time left is reckoned from
    the pace since a stage's first step finished, not from its start: the first step of the
    encoding also loads the language model, and counting that gave a first estimate of "57:27"
    for a build of under a minute."""
    import time

    from tqdm import tqdm

    bars: dict[str, tqdm] = {}
    first_step: dict[str, tuple[float, int]] = {}  # stage → (time, done) when its first step finished

    def report(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=max(total, 1), desc=f"Bygger indeks: {stage}", unit="", file=sys.stderr,
                                     leave=False, disable=not sys.stderr.isatty() and total <= 1,
                                     bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}{postfix}]")
        now = time.monotonic()
        if done > 0 and stage not in first_step:
            first_step[stage] = (now, done)
            bar.set_postfix_str("beregner tid igjen", refresh=False)
        elif stage in first_step and done > first_step[stage][1]:
            then, done_then = first_step[stage]
            left = (total - done) * (now - then) / (done - done_then)
            bar.set_postfix_str(f"ca. {tqdm.format_interval(left)} igjen", refresh=False)
        bar.total = max(total, 1)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return report


def open_assistant(args):
    from assistant.service import Assistant

    return Assistant.open(args.corpus, args.index, progress=_progress_bar(), use_encoder=not getattr(args, "lexical", False))


def cmd_ask(args) -> int:
    if args.top_k < 1 or args.top_k > 50:
        raise UsageError("--top-k må være mellom 1 og 50.")
    if args.jsonl:
        if args.question is not None:
            raise UsageError("Med --jsonl leses spørsmålene fra standard inn, ett per linje; ta bort spørsmålet "
                             "på kommandolinjen, eller ta bort --jsonl.")
        return _ask_jsonl(args)
    if args.question is None:
        raise UsageError('Skriv et spørsmål, f.eks. avtale ask "Hvem sender tidligmelding ved innleggelse?"')
    question = _valid_text(args.question)
    assistant = open_assistant(args)
    for notice in assistant.notices:
        note(notice)
    answer = assistant.ask(question, top_k=args.top_k)
    if args.json:
        say_json(_with_notices(answer.to_json(), assistant.notices))
    else:
        from assistant.answer.render_answer import answer_text

        say(answer_text(answer))
    from assistant.cli import history  # opt-in (history = true); nothing is stored otherwise
    if history.enabled() and (problem := history.record(question)):
        note(problem)
    return 0


def _valid_text(text: str) -> str:
    """A command-line question as valid text: bytes that were not UTF-8 reach Python as lone
    surrogates, which would make the JSON output invalid; they become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _with_notices(data: dict, opening: list[str]) -> dict:
    """The answer's JSON with what opening the index told the user (a rebuild, word search
    only) first among its notices: a program reading only stdout must learn it too."""
    return {**data, "notices": [*opening, *[n for n in data.get("notices", []) if n not in opening]]}


def _ask_jsonl(args) -> int:
    from assistant.errors import AvtaleError

    assistant = open_assistant(args)
    for notice in assistant.notices:
        note(notice)
    failures = 0
    # Bytes, decoded line by line: one line that is not UTF-8 must not end the batch.
    lines = (raw.decode("utf-8", "replace") for raw in sys.stdin.buffer) if hasattr(sys.stdin, "buffer") else sys.stdin
    for line in lines:
        question = line.rstrip("\r\n")
        if not question.strip():  # a blank line asks nothing: no object (each object names its question)
            continue
        try:
            question, history = _jsonl_request(question)
            answer = assistant.ask(question, top_k=args.top_k, history=history)
            say_json(_with_notices(answer.to_json(), assistant.notices), flush=True)
        except AvtaleError as exc:
            failures += 1
            say_json({"question": question, "error": exc.message}, flush=True)
    return 1 if failures else 0


MAX_HISTORY_ITEMS = 50


def _jsonl_request(line: str) -> tuple[str, list[str]]:
    """A --jsonl line: a plain question, or a JSON object {"question": "…", "history": ["earlier
    question", …]} whose follow-up is read against its conversation (oldest first)."""
    if not line.lstrip().startswith("{"):
        return line, []
    try:
        data = json.loads(line)
    except ValueError:
        return line, []  # not JSON after all: a question that opens with a brace
    if not isinstance(data, dict):
        return line, []
    question, history = data.get("question"), data.get("history", [])
    if not isinstance(question, str):
        raise UsageError('Linjen er et JSON-objekt uten "question" som tekst. Skriv {"question": "…", '
                         '"history": ["tidligere spørsmål", …]}, eller bare spørsmålet.')
    if history is None:
        history = []
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise UsageError('"history" må være en liste med tidligere spørsmål som tekst, eldste først.')
    return question, history[-MAX_HISTORY_ITEMS:]


def cmd_index(args) -> int:
    import time

    from assistant import paths
    from assistant.search.index import build_index, is_stale
    from assistant.service import load_encoder_or_notice

    corpus_dir, index_dir = paths.corpus_dir(args.corpus), paths.index_dir(args.index)
    encoder, notice = (None, "Bare ordsøk (--lexical).") if args.lexical else load_encoder_or_notice()
    if notice:
        note(notice)
    reason = is_stale(index_dir, corpus_dir, getattr(encoder, "model_id", None))
    if not reason and not args.force:
        say(f"Søkeindeksen i {index_dir} er oppdatert.", one_line=True)
        return 0
    t0 = time.perf_counter()
    folder = build_index(corpus_dir, index_dir, encoder, _progress_bar())
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    engine = getattr(encoder, "build_engine", "")
    ran_on = f" (kodet med {engine})" if engine.startswith("torch") else ""
    say(f"Søkeindeks bygget i {index_dir} på {time.perf_counter() - t0:.1f} s: {manifest['n_chunks']} tekstbiter, "
        f"modell: {manifest['encoder'] or 'ingen (bare ordsøk)'}{ran_on}.", one_line=True)
    return 0


def cmd_ansvar(args) -> int:
    from dataclasses import asdict

    from assistant.answer.ansvar import duties_for_topic
    from assistant.answer.render_answer import duty_table

    assistant = open_assistant(args)
    rows, topic_note = duties_for_topic(assistant, args.topic, args.actor)
    if args.json:
        say_json({"topic": args.topic, "note": topic_note, "responsibilities": [asdict(r) for r in rows]}, indent=1)
        return 0
    if topic_note:
        say(topic_note)
    say(duty_table(rows) if rows else "Fant ingen plikter for dette temaet.")
    return 0


def cmd_frister(args) -> int:
    from dataclasses import asdict

    from assistant.answer.ansvar import deadlines
    from assistant.answer.render_answer import deadline_table

    args.lexical = True  # listing deadlines needs no language model
    assistant = open_assistant(args)
    rows = deadlines(assistant.index)
    if args.json:
        say_json([asdict(r) for r in rows], indent=1)
        return 0
    say(deadline_table(rows))
    return 0
