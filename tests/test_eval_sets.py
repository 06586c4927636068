"""The golden sets stay honest: every gold string is copied from the bundled documents (after the
eval's own normalisation), ids are unique, and a question has gold exactly when it is answerable.
A typo in a new entry, or a corpus change that drops the quoted text, fails here instead of
silently lowering the measured quality."""

from pathlib import Path

import pytest

from evals.run import load_set, norm

ROOT = Path(__file__).resolve().parent.parent
SETS = ["dev.jsonl", "heldout.jsonl", "abstain.jsonl", "calibration.jsonl", "followup.jsonl", "followup_dev.jsonl",
        "training.jsonl", "training2.jsonl", "abstain2.jsonl",
        "notcovered.jsonl", "heldout2.jsonl", "notcovered2.jsonl", "followup3.jsonl", "heldout3.jsonl",
        "followup4.jsonl", "followup5.jsonl", "heldout4.jsonl", "followup6.jsonl"]
KEYS = {"id", "question", "lang", "kinds", "answerable", "gold", "doc_id", "actor"}
# Added by the later sets: the kind of answer asked for, why a question is not covered, and a
# follow-up's earlier questions with (where the writer gave one) its stand-alone reading.
OPTIONAL = {"asks", "why", "history", "interpreted"}
ASKS = {"party", "deadline", "amount", "legal_basis", "content", "permission", "definition", "procedure", "other",
        # the later sets name the finer kinds the question understanding reads
        "duty", "duration", "cost", "yesno", "contact"}


@pytest.fixture(scope="module")
def corpus_text() -> str:
    return "".join(norm(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "corpus").glob("*.txt")))


@pytest.mark.parametrize("name", SETS)
def test_every_gold_string_is_quoted_from_the_documents(name, corpus_text):
    rows = load_set(ROOT / "evals" / name)
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert KEYS <= set(row) <= KEYS | OPTIONAL, row["id"]
        assert row.get("asks", "other") in ASKS, row["id"]
        assert "interpreted" not in row or "history" in row, row["id"]
        assert all(isinstance(h, str) and h.strip() for h in row.get("history", [])), row["id"]
        assert row["lang"] in {"nb", "nn", "en"}, row["id"]
        assert bool(row["gold"]) == row["answerable"], row["id"]
        missing = [g for g in row["gold"] if norm(g) not in corpus_text]
        assert not missing, f"{row['id']}: not in the corpus: {missing}"
