"""The labels an answer is shown with, in the text output and the app: an English question gets
them in English (the quoted text stays Norwegian; the app's own controls stay in bokmål). No
imports beyond the standard library, so the app can read them before the engine has loaded."""

from __future__ import annotations

LABELS = {
    "nb": {"answer": "Svar", "not_covered": "Ikke dekket", "interpreted": "Tolket som", "duties": "Hvem gjør hva:",
           "excerpts": "Utdrag:", "nearest": "Nærmeste avsnitt:", "deadline": "frist", "note": "Merk",
           "line": "linje", "page": "s.",
           # the app's answer card
           "party": "Part", "sources": "Kilder", "not_covered_title": "Ikke dekket av dokumentene",
           "columns": ("Part", "Plikt", "Frist", "Kilde")},
    "en": {"answer": "Answer", "not_covered": "Not covered", "interpreted": "Interpreted as",
           "duties": "Who does what:", "excerpts": "Excerpts:", "nearest": "Nearest sections:", "deadline": "deadline",
           "note": "Note", "line": "line", "page": "p.",
           "party": "Party", "sources": "Sources", "not_covered_title": "Not covered by the documents",
           "columns": ("Party", "Duty", "Deadline", "Source")},
}


def labels(answer) -> dict:
    """The labels for an answer, by the language of its question."""
    return LABELS["en" if getattr(answer, "lang", "nb") == "en" else "nb"]


def nearest_suffix(nearest: str, english: bool) -> str:
    """What a not-covered answer's text ends with: the sections nearest to the question."""
    return f" {LABELS['en' if english else 'nb']['nearest']} {nearest}."


def without_nearest(answer) -> str:
    """A not-covered answer's text without its list of nearest sections (shown apart)."""
    return answer.answer.split(f" {labels(answer)['nearest']}")[0]
