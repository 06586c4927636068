"""The `avtale` command. Thin: parse arguments, call one pipeline function, print.

Errors from `assistant.errors` become one Norwegian line on standard error and a non-zero exit
code; nothing reaches the user as a traceback (set AVTALE_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import sys
from pathlib import Path

from assistant import __version__
from assistant.cli.output import say, say_json
from assistant.errors import AvtaleError
from assistant.terminal import visible

# argparse's own error messages, in Norwegian (the rest of its text is ours).
_ARGPARSE_ERRORS = [
    (re.compile(r"argument (\S+): invalid int value: '(.*)'"), r"\1 må være et heltall, ikke «\2»."),
    (re.compile(r"argument (\S+): invalid float value: '(.*)'"), r"\1 må være et tall, ikke «\2»."),
    (re.compile(r"argument (\S+): invalid choice: '(.*)' \(choose from (.*)\)"), r"ugyldig valg «\2» for \1; velg blant \3."),
    (re.compile(r"argument (\S+): expected one argument"), r"\1 trenger en verdi."),
    (re.compile(r"unrecognized arguments: (.*)"), r"ukjente argumenter: \1."),
    (re.compile(r"the following arguments are required: (.*)"), r"mangler: \1."),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"), r"\1 kan ikke brukes sammen med \2."),
]


class NorwegianParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are in Norwegian, on one line after the usage."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "vis denne hjelpen og avslutt"

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", "bruk: ", 1)

    def format_help(self) -> str:
        text = super().format_help().replace("usage: ", "bruk: ", 1)
        return text.replace("\npositional arguments:\n", "\nargumenter:\n").replace("\noptions:\n", "\nvalg:\n")

    def error(self, message: str):
        for pattern, norwegian in _ARGPARSE_ERRORS:
            if pattern.search(message):
                message = pattern.sub(norwegian, message)
                break
        self.print_usage(sys.stderr)
        # The message may quote what was typed ("ukjente argumenter: …"): never raw to the terminal.
        self.exit(2, visible(f"{self.prog}: {message} Se «{self.prog} --help».", one_line=True) + "\n")


def build_parser() -> argparse.ArgumentParser:
    def path_options(default) -> argparse.ArgumentParser:
        options = NorwegianParser(add_help=False, argument_default=default)
        options.add_argument("--corpus", metavar="MAPPE", help="korpusmappe (standard: AVTALE_CORPUS, ellers prosjektets "
                             "corpus/, eller i en installert kopi ~/.local/share/avtale/corpus)")
        options.add_argument("--index", metavar="MAPPE", help="indeksmappe (standard: AVTALE_INDEX, ellers prosjektets "
                             "index/, eller i en installert kopi ~/.cache/avtale/index)")
        return options

    # Subcommands get SUPPRESS defaults, so "avtale --corpus X show …" keeps the X given before
    # the subcommand; the top-level parser supplies the None defaults.
    common = path_options(argparse.SUPPRESS)

    parser = NorwegianParser(
        prog="avtale",
        description="Offline assistent for samarbeidsavtalen mellom UNN og kommunene. Uten kommando åpnes appen.",
        parents=[path_options(None)],
    )
    parser.add_argument("--version", action="version", version=f"avtale {__version__}", help="vis versjonsnummeret og avslutt")
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO")

    p = sub.add_parser("corpus", parents=[common], help="list dokumentene i korpuset")
    p.add_argument("--stats", action="store_true", help="vis også hva rensingen fjernet, og antall tekstbiter")
    p.add_argument("--json", action="store_true", help="skriv JSON")

    p = sub.add_parser("show", parents=[common], help="vis en seksjon med full kildehenvisning")
    p.add_argument("reference", metavar="REFERANSE", help='f.eks. "Retningslinje 2 4.1" eller "rl2:4.1.3"')

    p = sub.add_parser("ingest", parents=[common], help="legg til PDF-, tekst- eller Markdown-filer i korpuset")
    p.add_argument("files", nargs="+", metavar="FIL", help="PDF-, tekst- eller Markdown-filer som skal legges til")
    p.add_argument("--title", help="tittel (standard: fra PDF-metadata eller første linje)")
    p.add_argument("--kind", help="type: avtale, retningslinje, veileder, rundskriv, rapport, møtedokument")
    p.add_argument("--date", help="dato eller år")
    p.add_argument("--publisher", help="utgiver")
    p.add_argument("--status", help='status, f.eks. "forslag" eller "vedtatt"')
    p.add_argument("--id", dest="doc_id", help="dokument-id (standard: fra filnavnet)")
    p.add_argument("--hospital", help="helseforetakets kortnavn i avtalen (standard: UNN)")
    p.add_argument("--national", action="store_true", help="nasjonal veiledning, ikke lokal avtale")
    p.add_argument("--encoding", help="tegnsett for tekstfiler som ikke er UTF-8, f.eks. cp1252")
    p.add_argument("--password", help="passord for en kryptert PDF")

    p = sub.add_parser("ask", parents=[common], help="still et spørsmål og få svar med kildehenvisninger")
    p.add_argument("question", nargs="?", metavar="SPØRSMÅL",
                   help='spørsmålet, i anførselstegn, f.eks. "Hvem sender tidligmelding ved innleggelse?"')
    p.add_argument("--json", action="store_true", help="skriv ett JSON-objekt (kontrakten i README)")
    p.add_argument("--jsonl", action="store_true", help="les ett spørsmål per linje fra standard inn, skriv JSON per linje")
    p.add_argument("--top-k", type=int, default=5, metavar="N", help="antall utdrag (standard 5)")
    p.add_argument("--lexical", action="store_true", help="bare ordsøk, uten språkmodell")

    p = sub.add_parser("ansvar", parents=[common], help="hvem gjør hva: plikttabell for et tema eller en seksjon")
    p.add_argument("topic", nargs="?", metavar="TEMA", help='f.eks. "utskrivning", "ØHD", "Retningslinje 2 4.1"')
    p.add_argument("--actor", choices=["UNN", "Kommunen", "Felles"], help="vis bare én part")
    p.add_argument("--json", action="store_true", help="skriv tabellen som JSON (samme felter som «responsibilities» i ask --json)")
    p.add_argument("--lexical", action="store_true", help="bare ordsøk, uten språkmodell")

    p = sub.add_parser("frister", parents=[common], help="alle frister i avtalen og retningslinjene, etter tema")
    p.add_argument("--json", action="store_true", help="skriv fristene som JSON")

    p = sub.add_parser("index", parents=[common], help="bygg søkeindeksen (gjøres ellers automatisk ved behov)")
    p.add_argument("--force", action="store_true", help="bygg på nytt selv om indeksen er oppdatert")
    p.add_argument("--lexical", action="store_true", help="bare ordsøk, uten språkmodell")

    sub.add_parser("doctor", parents=[common], help="sjekk installasjonen (offline): modell, prosessor, korpus, indeks")

    p = sub.add_parser("history", parents=[common], help="vis spørsmålshistorikken (bare med history = true)")
    p.add_argument("--clear", action="store_true", help="slett historikken")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except AvtaleError as exc:
        say(f"avtale: {exc.message}", err=True, one_line=True)
        return exc.exit_code
    except KeyboardInterrupt:
        say("avtale: avbrutt.", err=True)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file the system will not let us read or write: name it
        if os.environ.get("AVTALE_DEBUG"):
            raise
        say(f"avtale: {os_problem(exc)}", err=True, one_line=True)
        return 4 if _under(exc.filename, paths_index(args)) else 3
    except Exception as exc:  # the last guard: one line, never a traceback
        if os.environ.get("AVTALE_DEBUG"):
            raise
        say(f"avtale: uventet feil ({type(exc).__name__}: {exc}). Kjør med AVTALE_DEBUG=1 for detaljer.",
            err=True, one_line=True)
        return 1


# Commands whose modules load the search stack: imported only when used, so `avtale corpus`
# and `avtale show` stay light.
_LAZY_COMMANDS = {
    "ask": ("assistant.cli.commands", "cmd_ask"),
    "ansvar": ("assistant.cli.commands", "cmd_ansvar"),
    "frister": ("assistant.cli.commands", "cmd_frister"),
    "index": ("assistant.cli.commands", "cmd_index"),
    "doctor": ("assistant.cli.doctor", "cmd_doctor"),
    "history": ("assistant.cli.history", "cmd_history"),
}


def _dispatch(args: argparse.Namespace) -> int:
    from assistant import paths

    if args.command in ("corpus", "show", "ingest"):
        command = {"corpus": _cmd_corpus, "show": _cmd_show, "ingest": _cmd_ingest}[args.command]
        return command(paths.corpus_dir(args.corpus), args)
    if args.command in _LAZY_COMMANDS:
        import importlib

        module, name = _LAZY_COMMANDS[args.command]
        return getattr(importlib.import_module(module), name)(args)
    from assistant.tui.app import run_app

    paths.index_dir(args.index), paths.corpus_dir(args.corpus)  # a mistyped folder: one line here, not in the app
    return run_app(corpus=args.corpus, index=args.index)


def _cmd_corpus(corpus_dir: Path, args) -> int:
    from assistant.cli.render import corpus_table
    from assistant.corpus.documents import build_corpus

    corpus = build_corpus(corpus_dir)
    if args.json:
        say_json([{**d.info.__dict__, "sections": len(d.sections)} for d in corpus.documents], indent=2)
        return 0
    say(corpus_table(corpus, stats=args.stats))
    return 0


def _cmd_show(corpus_dir: Path, args) -> int:
    from assistant.cli.render import section_text
    from assistant.corpus.documents import build_corpus
    from assistant.corpus.refs import resolve

    corpus = build_corpus(corpus_dir)
    found = resolve(args.reference, corpus.documents)
    say(section_text(found))
    return 0


def _cmd_ingest(corpus_dir: Path, args) -> int:
    from assistant.corpus.ingest import IngestOptions, ingest

    options = IngestOptions(
        title=args.title, kind=args.kind, date=args.date, publisher=args.publisher, status=args.status,
        doc_id=args.doc_id, hospital=args.hospital, national=args.national, encoding=args.encoding,
        password=args.password,
    )
    def waiting() -> None:
        say(f"Venter på at en annen «avtale ingest» skal bli ferdig med å skrive til {corpus_dir} …",
            err=True, one_line=True, flush=True)

    for item in ingest([Path(f) for f in args.files], corpus_dir, options, on_wait=waiting):
        say(f"La til {item.file} som «{item.title}» (id {item.doc_id}, {item.kind or 'dokument'}, "
            f"{item.date or 'uten dato'}): {item.sections} seksjoner.", one_line=True)
    say("Indeksen bygges på nytt ved neste søk.")
    return 0


_OS_PROBLEMS = {
    errno.EACCES: "mangler tilgang til", errno.EPERM: "mangler tilgang til",
    errno.EROFS: "kan ikke skrive til (skrivebeskyttet filsystem)", errno.ENOSPC: "disken er full ved",
    errno.ENAMETOOLONG: "filnavnet er for langt:", errno.ENOENT: "finner ikke", errno.EISDIR: "er en mappe, ikke en fil:",
    errno.ENOTDIR: "en del av stien er ikke en mappe:",
}


def os_problem(exc: OSError) -> str:
    """One Norwegian line naming the file the system refused, and what to do."""
    what = _OS_PROBLEMS.get(exc.errno, "kunne ikke lese eller skrive")
    name = exc.filename if exc.filename is not None else "en fil"
    if exc.errno in (errno.EACCES, errno.EPERM):
        remedy = "Gi brukeren lese- og skrivetilgang (chmod), eller bruk --corpus/--index til en mappe du eier."
    elif exc.errno == errno.ENOSPC:
        remedy = "Frigjør plass og prøv igjen."
    else:
        remedy = "Sjekk stien, eller kjør «avtale doctor»."
    return f"{what} {name}. {remedy}"


def paths_index(args) -> Path | None:
    try:
        from assistant import paths

        return paths.index_dir(getattr(args, "index", None))
    except Exception:  # settings themselves unreadable: no index to compare with
        return None


def _under(filename, folder: Path | None) -> bool:
    if filename is None or folder is None:
        return False
    try:
        return Path(os.fsdecode(filename)).resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False
