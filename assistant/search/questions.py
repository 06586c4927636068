"""Questions users ask that a passage answers: document expansion for retrieval.

`corpus/questions.jsonl` holds, per line, a document id, a quote copied from one of its
passages and the questions that passage answers, in the words clinicians type ("ta betalt",
"ferdigbehandlet", "vi har en pasient som…") rather than the document's own. The index adds
them to that passage's word-search text and embeds them as questions, so a question phrased
far from the document's wording can still meet the passage through one phrased like it.

They only help find a passage: what the user sees is always the passage's own text. A quote
names its passage by content, not by chunk number, so re-chunking keeps it attached; a quote
the documents no longer contain (the document changed) is left out and counted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.errors import ManifestError
from assistant.models import Chunk

QUESTIONS_NAME = "questions.jsonl"
SEED_NAME = "questions.vectors.npz"  # their vectors, made by python -m evals.question_vectors
MAX_QUESTIONS_PER_LINE = 12
MAX_STORED_QUESTION_CHARS = 500


@dataclass(frozen=True)
class PassageQuestions:
    doc: str
    quote: str
    questions: tuple[str, ...]
    section: str = ""  # the section id the quote was taken from; decides between identical passages


@dataclass(frozen=True)
class Attached:
    """The questions that found their passage: `owner[i]` is the chunk number of `texts[i]`,
    ascending; `lost` holds the quotes no passage contains (their document changed)."""

    texts: tuple[str, ...]
    owner: tuple[int, ...]
    lost: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()  # the quote of each question's line: the words that answer it

    @property
    def unanchored(self) -> int:
        return len(self.lost)

    def by_chunk(self, n_chunks: int) -> list[str] | None:
        """Each chunk's questions as one text (for the word search), or None if there are none."""
        if not self.texts:
            return None
        joined = [""] * n_chunks
        for text, owner in zip(self.texts, self.owner):
            joined[owner] = f"{joined[owner]}\n{text}" if joined[owner] else text
        return joined


def questions_path(corpus: Path) -> Path:
    return Path(corpus) / QUESTIONS_NAME


def seed_path(corpus: Path) -> Path:
    return Path(corpus) / SEED_NAME


def load_questions(corpus: Path) -> list[PassageQuestions]:
    """The corpus's questions file, or none if it has no such file. A line that is not a valid
    entry is an error naming the file and line, so a typo never silently drops questions."""
    path = questions_path(corpus)
    if not path.is_file():
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: filen kan ikke leses ({exc}). Lagre den som UTF-8-tekst, eller fjern den.") from None
    entries = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            entries.append(_parse(path, number, line))
    return entries


def _parse(path: Path, number: int, line: str) -> PassageQuestions:
    problem = None
    try:
        raw = json.loads(line)
    except ValueError as exc:
        raw, problem = None, f"ikke gyldig JSON ({exc.msg})"
    if problem is None:
        if not isinstance(raw, dict):
            problem = "ikke et JSON-objekt"
        elif not isinstance(raw.get("doc"), str) or not raw["doc"]:
            problem = "mangler «doc» (dokumentets id fra manifest.toml)"
        elif not isinstance(raw.get("quote"), str) or len(letters(raw["quote"])) < 10:
            problem = "mangler «quote» (et sitat på minst 10 bokstaver fra avsnittet)"
        elif (not isinstance(raw.get("questions"), list) or not raw["questions"]
              or not all(isinstance(q, str) and q.strip() for q in raw["questions"])):
            problem = "mangler «questions» (en liste med spørsmål)"
    if problem:
        raise ManifestError(f"{path}, linje {number}: {problem}. Rett linjen eller fjern den.")
    questions = tuple(" ".join(q.split())[:MAX_STORED_QUESTION_CHARS] for q in raw["questions"][:MAX_QUESTIONS_PER_LINE])
    section = raw.get("section") if isinstance(raw.get("section"), str) else ""
    return PassageQuestions(raw["doc"], raw["quote"], questions, section)


def attach(entries: list[PassageQuestions], chunks: list[Chunk]) -> Attached:
    """Give each entry's questions to the passage of its document that contains its quote
    (compared on letters and digits only, so line breaks and hyphenation do not matter): the
    one in the entry's section where several do (guides repeat a paragraph under many
    headings), else the first."""
    by_doc: dict[str, list[tuple[int, str, str]]] = {}
    for number, chunk in enumerate(chunks):
        by_doc.setdefault(chunk.doc_id, []).append((number, chunk.section_id, letters(chunk.text)))
    pairs: list[tuple[int, str, str]] = []
    lost: list[str] = []
    for entry in entries:
        quote = letters(entry.quote)
        found = [(n, section) for n, section, text in by_doc.get(entry.doc, []) if quote in text]
        if not found:
            lost.append(entry.quote)
            continue
        owner = next((n for n, section in found if section == entry.section), found[0][0])
        pairs.extend((owner, q, entry.quote) for q in entry.questions)
    pairs.sort(key=lambda pair: pair[0])  # stable: each passage keeps its questions' order
    return Attached(tuple(q for _, q, _ in pairs), tuple(n for n, _, _ in pairs), tuple(lost),
                    tuple(quote for *_, quote in pairs))


@lru_cache(maxsize=65536)  # the same passages, sentences and quotes are compared for every question
def letters(text: str) -> str:
    """Lowercase letters and digits only: how quotes are compared with passage text."""
    return re.sub(r"[\W_]+", "", text.lower())
