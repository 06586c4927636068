"""Plain text for the clipboard and Markdown for export: an answer with its citations, ready to
paste into a record or an e-mail. No Textual here. The conversation is written only where and
when the user asks (patient privacy: nothing is saved on its own), into the user's documents
folder unless they name another, readable by the user alone (0600), never over an existing file."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from assistant.answer.labels import labels, without_nearest
from assistant.models import Answer, Excerpt
from assistant.tui.format import duty_source, location


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def citation_line(excerpt: Excerpt) -> str:
    status = f" ({excerpt.status})" if excerpt.status else ""
    return (f"[{excerpt.rank}] {excerpt.doc_title}{status}. {excerpt.section}. "
            f"{excerpt.source_file}, {location(excerpt)}.")


def _answer_lines(answer: Answer) -> list[str]:
    names = labels(answer)
    interpreted = getattr(answer, "interpreted", None)
    lines = [f"{names['interpreted']}: {_one_line(interpreted)}"] if interpreted else []
    if answer.abstained:
        return lines + [f"{names['not_covered_title']}: {without_nearest(answer)}"]
    return lines + [f"{names['answer']}: {_one_line(answer.answer)}"]


def clipboard_text(answer: Answer) -> str:
    """The question, the short answer, who does what, and the full citations."""
    names = labels(answer)
    _, _, frist, kilde = names["columns"]
    lines = [f"Spørsmål: {_one_line(answer.question)}", *_answer_lines(answer)]
    if answer.responsibilities:
        lines += ["", names["duties"]]
        for duty in answer.responsibilities:
            deadline = f" {frist}: {duty.deadline}." if duty.deadline else ""
            lines.append(f"- {duty.actor}: {_one_line(duty.duty)}{deadline} "
                         f"{kilde}: {duty_source(duty, answer.excerpts)}")
    if answer.excerpts:
        lines += ["", names["nearest"] if answer.abstained else f"{names['sources']}:"]
        lines += [citation_line(e) for e in answer.excerpts]
    lines += ["", "Utdrag fra samarbeidsavtalen UNN–kommunene (avtale). Kontroller mot kilden."]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


def _quote(text: str) -> list[str]:
    """The excerpt as a block quote, one paragraph per source paragraph (a plain line break
    inside a quote would run the paragraphs together when the Markdown is rendered)."""
    out: list[str] = []
    for line in (ln.strip() for ln in text.split("\n")):
        if line:
            out += [">", f"> {line}"] if out else [f"> {line}"]
    return out


def answer_markdown(number: int, answer: Answer) -> list[str]:
    lines = [f"## {number}. {_one_line(answer.question)}", ""]
    lines += [f"**{line.split(': ', 1)[0]}:** {line.split(': ', 1)[1]}" for line in _answer_lines(answer)]
    names = labels(answer)
    if answer.responsibilities:
        lines += ["", "| " + " | ".join(names["columns"]) + " |", "| --- | --- | --- | --- |"]
        for duty in answer.responsibilities:
            lines.append(f"| {_cell(duty.actor)} | {_cell(duty.duty)} | {_cell(duty.deadline or '–')} | "
                         f"{_cell(duty_source(duty, answer.excerpts))} |")
    if answer.excerpts:
        lines += ["", "### " + (names["nearest"].rstrip(":") if answer.abstained else names["sources"])]
        for excerpt in answer.excerpts:
            lines += ["", citation_line(excerpt), "", *_quote(excerpt.text)]
    return lines + [""]


def conversation_markdown(answers: list[Answer], when: datetime | None = None) -> str:
    when = when or datetime.now()
    lines = [f"# Samtale med avtale, {when:%d.%m.%Y %H:%M}", "",
             "Svarene er utdrag fra samarbeidsavtalen mellom UNN og kommunene og dokumentene knyttet "
             "til den. Kontroller alltid mot kilden.", ""]
    for number, answer in enumerate(answers, start=1):
        lines += answer_markdown(number, answer)
    return "\n".join(lines).rstrip() + "\n"


def default_export_name(when: datetime | None = None) -> str:
    return f"avtale-samtale-{(when or datetime.now()):%Y%m%d-%H%M}.md"


EXPORT_DIR_ENV = "AVTALE_EXPORT_DIR"
PRIVACY_REMINDER = "Filen kan inneholde pasientopplysninger. Lagre den bare på et trygt sted."


def export_dir() -> Path:
    """Where an export goes when the user names only a file: AVTALE_EXPORT_DIR, else the user's
    documents folder (XDG_DOCUMENTS_DIR, e.g. ~/Dokumenter), else the home folder; never the
    folder the app happened to be started from (often /tmp or a shared folder)."""
    if env := os.environ.get(EXPORT_DIR_ENV, "").strip():
        return Path(env).expanduser()
    from platformdirs import user_documents_dir

    documents = Path(user_documents_dir())
    return documents if documents.is_dir() else Path.home()


def export_path(name: str, folder: Path | None = None) -> Path:
    """The file `name` stands for: an absolute path or ~ as given, else inside `folder`
    (default `export_dir()`); '.md' added when it has no suffix."""
    path = Path(os.path.expanduser(name.strip()))
    if not path.is_absolute():
        path = (folder or export_dir()) / path
    if path.suffix == "":
        path = path.with_suffix(".md")
    return path


def write_export(name: str, answers: list[Answer], folder: Path | None = None) -> Path:
    """Write the conversation to `name` (see `export_path`), mode 0600 whatever the umask. The
    folder is made (0700) if missing. Refuses to overwrite an existing file; raises OSError
    (FileExistsError …) for the caller to report."""
    path = export_path(name, folder)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # the umask may have taken bits away; never added any
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fd = -1
            fh.write(conversation_markdown(answers))
    except BaseException:
        if fd >= 0:
            os.close(fd)
        path.unlink(missing_ok=True)
        raise
    return path.resolve()
