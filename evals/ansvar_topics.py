"""`avtale ansvar TEMA` over spelling variants of one topic: do they give the same first rows?

Each group below is one topic written the ways clinicians write it: bokmål inflections and
derivations, nynorsk, a typo, an abbreviation beside its glossary term. The report gives, per
group, the number of rows for each spelling and whether the first ten rows are the same.

    python -m evals.ansvar_topics [--corpus DIR] [--index DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

GROUPS = [
    ["utskrivning", "utskriving", "utskrivelse", "Utskrivning"],
    ["utskrivningsklar", "utskrivingsklar", "utskrivningsklare"],
    ["innleggelse", "innlegging", "innleggelsen"],
    ["barn som pårørende", "barn som pårørande", "barn som pårørene"],
    ["tidligmelding", "tidlegmelding", "tidligmeldingen"],
    ["hjemmesykepleie", "heimesjukepleie", "hjemmesykepleien"],
    ["individuell plan", "individuelle planer", "Individuell plan"],
    ["pasienttransport", "pasienttransporten", "pasientransport"],
    ["jordmor", "jordmora", "jordmødre"],
    ["beredskap", "beredskapen", "beredskapsplan"],
    ["ØHD", "øhd", "ØH-døgn"],
    ["fakturering", "faktura", "fakturaer"],
    ["hospitering", "hospitere", "hospiteringen"],
    ["veiledningsplikt", "veiledningsplikten", "rettleiingsplikt"],
]
FIRST = 10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.ansvar_topics", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus")
    parser.add_argument("--index")
    parser.add_argument("--json", help="write the numbers to this file")
    args = parser.parse_args(argv)

    from assistant.answer.ansvar import duties_for_topic
    from assistant.service import Assistant

    assistant = Assistant.open(args.corpus, args.index)
    report = []
    for group in GROUPS:
        rows = {topic: duties_for_topic(assistant, topic)[0] for topic in group}
        firsts = [[(r.section_id, r.duty) for r in rows[topic][:FIRST]] for topic in group]
        same = all(f == firsts[0] for f in firsts)
        report.append({"topics": group, "rows": [len(rows[t]) for t in group], "same_first_10": same})
        print(f"{'same' if same else 'DIFF'}  " + ", ".join(f"{t} ({len(rows[t])})" for t in group))
    agree = sum(r["same_first_10"] for r in report)
    print(f"{agree} of {len(report)} topics give the same first {FIRST} rows for every spelling")
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
