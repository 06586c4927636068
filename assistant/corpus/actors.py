"""Which party a duty block speaks for: "UNNs ansvar og oppgaver" → UNN, "Kommunens ansvar" →
Kommunen, "Felles ansvar" / "Partnerne skal" → Felles. For an agreement with another health
trust, that trust's short name takes UNN's place (the actor is still reported as "UNN")."""

from __future__ import annotations

import re


def actor_patterns(hospital: str) -> list[tuple[str, re.Pattern]]:
    """Labels that open a duty block, for an agreement with `hospital` (e.g. 'UNN')."""
    h = re.escape(hospital)
    duty = r"(?:ansvar|oppgaver|plikter|forpliktelser|tilbud)"
    rest = rf"(?:\s+og\s+(?:{duty}|beskrivelse av tilbudet))?"
    return [
        ("Felles", re.compile(rf"^(?:felles {duty}|partnernes felles {duty}|felles forpliktelser){rest}", re.I)),
        ("Felles", re.compile(rf"^(?:partnernes?|{h} og kommunen[e]?|kommunen[e]? og {h}) skal\b", re.I)),
        ("UNN", re.compile(
            rf"^(?:{h}s?|{h} sitt|helseforetakets|helseforetaket sitt|spesialisthelsetjenestens|"
            rf"spesialisthelsetjenesten sitt|sykehusets) {duty}{rest}", re.I)),
        ("UNN", re.compile(rf"^{h} skal\b", re.I)),
        ("Kommunen", re.compile(
            rf"^(?:kommunens|kommunen sitt|kommunenes|kommunehelsetjenestens) {duty}{rest}", re.I)),
        ("Kommunen", re.compile(r"^kommunen[e]? skal\b", re.I)),
    ]


def actor_of_label(text: str, hospital: str, whole_line: bool) -> str | None:
    """The party a duty-block label speaks for; `whole_line` demands the label be alone."""
    label = text.strip().rstrip(":").strip()
    if whole_line and len(label.split()) > 7:
        return None
    for actor, pattern in actor_patterns(hospital):
        m = pattern.match(label)
        if m and (not whole_line or m.end() == len(label) or label[m.end():].strip() in ("", ":")):
            return actor
    return None
