"""Facts about the documents' own sentences that answering reads for every sentence it shows:
what kinds of answer a sentence supplies (`supplies.traits`), the party it names as its subject,
its deadline and its paragraph. They are computed when the index is built and stored in it
(`facts.json`), so a question does not pay for the first reading of each sentence it shows.

The functions that compute them stay the one source: a stored fact is only their result,
looked up before they are called, and an index built by other code is rebuilt (the pipeline
fingerprint covers this module and the ones it reads).
"""

from __future__ import annotations

from typing import Iterable

FORMAT = 1
MISSING = object()
# Function name → {its arguments: its result}, for the sentences of every index loaded.
_STORED: dict[str, dict[tuple, object]] = {"traits": {}, "subject_party": {}, "deadline": {}, "legal_ref": {}}


def stored(name: str, *key):
    """The stored result of `name` for these arguments, or MISSING."""
    return _STORED[name].get(key, MISSING)


def lookup(name: str, compute, *key):
    """The stored result of `name` for these arguments, else `compute(*key)`."""
    known = _STORED[name].get(key, MISSING)
    return compute(*key) if known is MISSING else known


def compute(sentences: Iterable[tuple[str, str]]) -> dict:
    """The facts of each (sentence, hospital of its document), as written to `facts.json`."""
    from assistant.corpus.duties import find_deadline, find_legal_ref, subject_party
    from assistant.corpus.supplies import traits

    rows, seen = [], set()
    for sentence, hospital in sentences:
        if (sentence, hospital) in seen:
            continue
        seen.add((sentence, hospital))
        kinds = [kind for kind, value in traits(sentence).items() if value]
        rows.append([sentence, hospital, kinds, subject_party(sentence, hospital), find_deadline(sentence),
                     find_legal_ref(sentence)])
    return {"format": FORMAT, "rows": rows}


def preload(data: dict) -> None:
    """Make an index's stored facts the functions' answers for its sentences. Raises ValueError
    on a table of another shape (the index is then treated as damaged and rebuilt)."""
    from assistant.corpus.supplies import TRAITS

    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("rows"), list):
        raise ValueError("facts")
    for row in data["rows"]:
        sentence, hospital, kinds, party, deadline, legal = row
        if not isinstance(sentence, str) or not isinstance(kinds, list):
            raise ValueError("facts")
        present = set(kinds)
        _STORED["traits"][(sentence,)] = {kind: float(kind in present) for kind in TRAITS}
        _STORED["subject_party"][(sentence, hospital)] = party
        _STORED["deadline"][(sentence,)] = deadline
        _STORED["legal_ref"][(sentence,)] = legal
