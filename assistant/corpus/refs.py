"""Resolve what a user types to a section: "Retningslinje 2 4.1", "rl 2 punkt 4.1",
"retningslinje 2, 4.1.3", "del 1 § 8", "veiledningsplikt 3", "§ 6-2 punkt 5",
"tjenesteavtale 5", or a section id such as "rl2:4.1.3". Unknown references get the
closest matches."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.errors import ReferenceNotFound, UsageError
from assistant.models import Document, Section

_GUIDELINE = re.compile(r"\b(?:retningslinje|retningslinjer|retn|rl)\.?\s*(?:nr\.?\s*)?(\d{1,2})\b", re.I)
_LONG_WORD = re.compile(r"[^\W\d_]{9,}")
_PART = re.compile(r"\bdel\s*([12])\b", re.I)
_OLD_AGREEMENT = re.compile(r"\btjenesteavtale(?:n|r)?\s*(?:nr\.?\s*)?(\d{1,2})\b", re.I)
_GUIDE_POINT = re.compile(r"(?:§\s*6-2\s*)?\b(?:punkt|pkt)\.?\s*(\d{1,2})\b", re.I)
_CASE = re.compile(r"\bsak\s*(\d{1,3})\s*/\s*(\d{2})\b", re.I)
_FILLER = re.compile(r"\b(?:kapittel|kap|avsnitt|seksjon|nr)\b\.?", re.I)
_PARAGRAPH = re.compile(r"§\s*(\d+-\d+[a-z]?)", re.I)
_NUMBER = re.compile(r"\b(\d{1,2}(?:\.\d{1,2}){0,4})\b")
_ACTOR_WORDS = {"unn": "UNN", "kommunen": "Kommunen", "kommune": "Kommunen", "felles": "Felles"}


@dataclass(frozen=True)
class Resolved:
    section: Section
    document: Document
    note: str = ""


def resolve(reference: str, documents: list[Document]) -> Resolved:
    ref = reference.strip()
    if not ref:
        raise UsageError("Oppgi hvilken seksjon du vil se, f.eks. «Retningslinje 2 4.1» eller «rl2:4.1.3».")
    by_id = {s.id: (s, d) for d in documents for s in d.sections}
    if ref in by_id:
        return Resolved(*by_id[ref])
    if m := _CASE.search(ref):
        wanted = f"Sak {int(m.group(1)):02d}/{m.group(2)}"
        found = next(((s, d) for d in documents for s in d.sections if s.number == wanted), None)
        if found:
            return Resolved(*found)
    ref = _LONG_WORD.sub(_spelled_guideline, ref)
    if (m := _GUIDELINE.search(ref)) and not any(d.id == f"rl{m.group(1)}" for d in documents):
        numbers = sorted(int(d.id[2:]) for d in documents if re.fullmatch(r"rl\d{1,2}", d.id))
        listed = f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)) \
            else ", ".join(map(str, numbers))
        have = f"Korpuset har retningslinje {listed}." if numbers else "Korpuset har ingen retningslinjer."
        raise ReferenceNotFound(reference, [], have)
    doc, rest, note = _find_document(ref, documents)
    if doc is not None:
        section = _find_section(doc, rest)
        if section is not None:
            return Resolved(section, doc, note)
        nearby = _same_branch(doc, rest)
        if nearby:
            raise ReferenceNotFound(reference, nearby)
    raise ReferenceNotFound(reference, suggest(reference, [doc] if doc else documents))


def _spelled_guideline(match: re.Match) -> str:
    """"retnigslinje", "retningslinej" → "retningslinje": the word every guideline reference starts with."""
    from rapidfuzz import fuzz

    return "retningslinje" if fuzz.ratio(match.group(0).lower(), "retningslinje") >= 85 else match.group(0)


def _same_branch(doc: Document, rest: str, limit: int = 3) -> list[str]:
    """For '… 4.9' that does not exist: 4's own sub-sections, then 4 itself."""
    m = _NUMBER.search(rest)
    if not m:
        return []
    parts = m.group(1).split(".")
    for size in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:size])
        near = [s for s in doc.sections if s.number.rstrip(".") == prefix or s.number.startswith(prefix + ".")]
        if near:
            return [f"{doc.info.short_title} {s.heading} ({s.id})" for s in near[:limit]]
    return []


def _find_document(ref: str, documents: list[Document]) -> tuple[Document | None, str, str]:
    docs = {d.id: d for d in documents}
    if m := _GUIDELINE.search(ref):
        return docs.get(f"rl{m.group(1)}"), _cut(ref, m), ""
    if m := _OLD_AGREEMENT.search(ref):
        number = m.group(1)
        for doc in documents:
            if re.search(rf"\b(tjenesteavtale|tjenesteavtaler)\b[^.]*\b{number}\b", doc.info.replaces):
                note = f"Tjenesteavtale {number} er erstattet av {doc.info.short_title} ({doc.info.replaces})."
                return doc, _cut(ref, m), note
    if m := _PART.search(ref):
        return docs.get(f"avtale-del{m.group(1)}"), _cut(ref, m), ""
    if (m := _GUIDE_POINT.search(ref)) and "veileder-samarbeidsavtaler" in docs:
        return docs["veileder-samarbeidsavtaler"], f"Punkt {m.group(1)}", ""
    if (m := _PARAGRAPH.search(ref)) and "veileder-samarbeidsavtaler" in docs and not _NUMBER.search(_cut(ref, m)):
        return docs["veileder-samarbeidsavtaler"], f"§ {m.group(1)}", ""
    words = _FILLER.sub(" ", _NUMBER.sub(" ", ref)).strip(" ,.:")
    ref = _FILLER.sub(" ", ref).strip()
    if words:
        doc = _fuzzy_document(words, documents)
        if doc is not None:
            return doc, ref[len(words):] if ref.startswith(words) else ref, ""
    return None, ref, ""


def _cut(text: str, match: re.Match) -> str:
    return (text[: match.start()] + " " + text[match.end():]).strip()


def _fuzzy_document(words: str, documents: list[Document]) -> Document | None:
    from rapidfuzz import fuzz, process

    choices = {d.id: f"{d.info.short_title} {d.info.title} {d.id}".lower() for d in documents}
    best = process.extractOne(words.lower(), choices, scorer=fuzz.partial_ratio, score_cutoff=80)
    return next(d for d in documents if d.id == best[2]) if best else None


def _find_section(doc: Document, rest: str) -> Section | None:
    rest_l = rest.lower()
    actor = next((a for w, a in _ACTOR_WORDS.items() if re.search(rf"\b{w}\b", rest_l)), None)
    has_points = any(s.number.startswith("Punkt") for s in doc.sections)
    if has_points and (m := re.search(r"punkt\s*(\d{1,2})\b", rest, re.I)):
        number = f"Punkt {m.group(1)}"
    elif m := re.search(r"§\s*(\d+-\d+[a-z]?)", rest):
        number = f"§ {m.group(1)}"
    elif m := _NUMBER.search(rest):
        number = m.group(1)
    else:
        return doc.sections[0] if doc.sections else None
    wanted = number.rstrip(".")
    matches = [s for s in doc.sections if s.number.rstrip(".") == wanted]
    if not matches:
        return None
    head = matches[0]
    if actor:
        blocks = [s for s in doc.sections if s.path[: len(head.path)] == head.path and s.actor == actor]
        if blocks:
            return blocks[0]
    return head


def descendants(section: Section, document: Document) -> list[Section]:
    """The section and everything under it (its duty blocks and sub-sections), in order."""
    n = len(section.path)
    return [s for s in document.sections if s.path[:n] == section.path]


_WORD = re.compile(r"[^\W\d_]{3,}")
SUGGEST_CUTOFF = 80  # rapidfuzz WRatio: a typo or a part of a heading, not a shared letter or two


def suggest(reference: str, documents: list[Document], limit: int = 3) -> list[str]:
    """Sections the user may have meant, or none: headings whose words are close to the
    reference's words (numbers in the reference break ties), else sections whose text names
    them. "epikrise" gets the sections about the discharge summary, not whatever heading
    happens to share the most letters."""
    from rapidfuzz import fuzz, process

    words = " ".join(_WORD.findall(reference.lower()))
    numbers = set(_NUMBER.findall(reference))
    labels = {s.id: (f"{d.info.short_title} {s.heading}", s, d) for d in documents for s in d.sections
              if s.number or s.actor is None}
    if not words:  # only numbers: the sections so numbered
        hits = [key for key, (_, s, _) in labels.items() if s.number.rstrip(".") in numbers]
        return [f"{labels[key][0]} ({key})" for key in hits[:limit]]
    wording = {key: " ".join(_WORD.findall(label.lower())) for key, (label, _, _) in labels.items()}
    scored = process.extract(words, wording, scorer=fuzz.WRatio, score_cutoff=SUGGEST_CUTOFF, limit=None)
    if scored:
        def rank(hit):
            label = labels[hit[2]][0]
            return -hit[1] - 10 * len(numbers & set(_NUMBER.findall(label)))
        return [f"{labels[key][0]} ({key})" for _, _, key in sorted(scored, key=rank)[:limit]]
    return mentioning(words.split(), documents, limit)


def mentioning(words: list[str], documents: list[Document], limit: int = 3) -> list[str]:
    """Sections whose heading or text names every one of `words`, the most mentions first; a
    duty block is named with the section it belongs to ("4.1.1 Dokumentasjon … › UNNs ansvar")."""
    counts = []
    for d in documents:
        for s in d.sections:
            text = f"{s.heading}\n{s.text}".lower()
            if all(w in text for w in words):
                heading = " › ".join(s.path[-2:]) if s.actor and len(s.path) > 1 else s.heading
                counts.append((-sum(text.count(w) for w in words), f"{d.info.short_title} {heading} ({s.id})"))
    return [label for _, label in sorted(counts)[:limit]]
