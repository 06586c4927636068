"""The command's help is complete and Norwegian, and the index progress bar's time estimate
is sensible from its first reading."""

from __future__ import annotations

import argparse
import re

from assistant.cli.main import build_parser


def all_parsers(parser: argparse.ArgumentParser):
    yield parser.prog, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield name, sub


def test_every_argument_of_every_command_has_norwegian_help():
    missing = []
    for name, parser in all_parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction) or action.help == argparse.SUPPRESS:
                continue
            if not action.help:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert not missing, missing


def test_version_help_is_in_norwegian(capsys):
    text = build_parser().format_help()
    version = next(line for line in text.splitlines() if line.strip().startswith("--version"))
    assert "vis versjonsnummeret" in version and "show program" not in text


def test_the_time_left_is_reckoned_from_the_first_finished_step(monkeypatch, capsys):
    """The first step of an encoding also loads the model; counting it made the first
    estimate read "57:27" for a build of under a minute."""
    import time

    from assistant.cli.commands import _progress_bar

    clock = iter([0.0, 60.0, 61.0, 62.0])
    monkeypatch.setattr(time, "monotonic", lambda: next(clock))
    report = _progress_bar()
    report("språkmodell", 0, 1000)
    report("språkmodell", 10, 1000)  # 60 s: the model loaded, then one batch
    report("språkmodell", 20, 1000)  # one more batch in a second
    text = capsys.readouterr().err
    estimates = re.findall(r"ca\. (\d\d:\d\d) igjen", text)
    assert estimates[-1] == "01:38"  # 980 texts at 10 a second, not at 10 a minute
    assert "beregner tid igjen" in text
