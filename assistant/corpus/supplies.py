"""What a sentence of the documents supplies, by kind of answer: a deadline, an amount, a cost, a
legal basis, what something contains, a permission, a definition, a procedure, a duty. These read
the documents' sentences, not the question (the question's kinds come from
`assistant.answer.understand`); the answer card matches the two.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.corpus import facts
from assistant.corpus.duties import find_deadline, find_legal_ref

SUPPLIES = {
    "deadline": re.compile(r"\b(?:innen|senest|seinast|snarest|straks|omgående|umiddelbart|frist\w*|dager|døgn|timer|"
                           r"uker|måneder|virkedager?|klokken|kl\.|årlig|hvert år|en gang|så snart|før|etter at|"
                           r"fra og med|til og med|samme dag|dagen)\b|\d{1,2}[.:]\d{2}|\d+\s*-\s*\d+", re.I),
    "amount": re.compile(r"\d[\d .]*(?:,-|\s?kr\b|\s?kroner\b|\s?NOK\b|\s?%|\s?prosent)|\bkr\.?\s?\d|\b\d+\b|"
                         r"\b(?:tre|fire|fem|seks|sju|syv|åtte|tolv|femten|tjue|tretti|hundre|tusen)\b", re.I),
    "cost": re.compile(r"\b(?:betal\w*|vederlag\w*|kostnad\w*|utgift\w*|faktur\w*|refusjon\w*|gratis|"
                       r"egenandel\w*|pris\w*|finansier\w*|økonomisk\w*|kompens\w*|godtgjør\w*|kroner)\b|"
                       r"\b(?:dekke|dekker|dekkes|dekket)\s+(?:\w+\s+){0,3}?(?:kostnad|utgift|omkostning)\w*", re.I),
    "legal_basis": re.compile(r"§|\b(?:lov(?:en)?|forskrift\w*|\w+loven|\w+lova|lovens|hjemmel|hjemlet|ledd)\b", re.I),
    "content": re.compile(r":\s*$|\b(?:inneholde\w*|følgende|opplysninger\w*|omfatte\w*|beskrive\w*|"
                          r"informasjon om|blant annet|herunder|som for eksempel|slik som)\b", re.I),
    "permission": re.compile(r"\b(?:kan|kan ikke|ikke|skal|må|bør|tillatt|plikt\w*|rett til|adgang|krav på|"
                             r"forutsetter|forutsetning|anledning|gjelder)\b", re.I),
    "definition": re.compile(r"\b(?:menes|defineres|definert|definisjon|betyr|forstås|regnes som|innebærer|er en|er et|"
                             r"er ei|omfatter|vil si)\b", re.I),
    "procedure": re.compile(r"\b(?:sendes|sende|meldes|melde|via|gjennom|kontakt\w*|rekvirer\w*|registrer\w*|"
                            r"elektronisk\w*|rutine\w*|skjema|meldingen|henvend\w*|avklar\w*|vurder\w*|følge\w*|"
                            r"innkall\w*|varsle\w*)\b", re.I),
    "duty": re.compile(r"\b(?:skal|må|plikter|ansvar\w*|sørge for|sørger for|har ansvaret)\b", re.I),
}
SUPPLIES["yesno"] = SUPPLIES["permission"]


NEGATION = re.compile(r"\b(?:ikke|ikkje|ingen|aldri|unntak\w*|unntatt)\b", re.I)


# A pointer to another place in the documents instead of the rule itself.
POINTER = re.compile(
    r"\b(?:se|jf\.?|jfr\.?|viser til|beskrevet i|omtalt i|nærmere i|regulert i|følger av|i henhold til)\s+"
    r"(?P<where>(?:(?:del|retningslinje|rl)\s*(?:nr\.?\s*)?\d\s*,?\s*)?(?:punkt|pkt\.?|kapittel|kap\.?|avsnitt)\s*"
    r"\d+(?:\.\d+)*|(?:del|retningslinje|rl)\s*(?:nr\.?\s*)?\d)", re.I)


# A piece of a list rather than a statement: it opens in lower case or ends in a comma.
FRAGMENT = re.compile(r"^[a-zæøå(]|[,;]\s*$|\b(?:og|eller|samt)\s*$")


# A number, in digits or words ("de fire hovedprinsippene"); "en"/"ett" are articles as often.
NUMBER = re.compile(r"\d|\b(?:to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|elleve|tolv|femten|tjue|tretti|hundre|tusen)\b",
                    re.I)


DURATION = re.compile(r"\b(?:\d+|ett|en|én|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|tolv|fjorten|tretti)\s*"
                       r"(?:års?|måneders?|ukers?|dagers?|døgns?|timers?|virkedagers?|minutters?|"
                       r"år|måneder|uker|dager|døgn|timer|virkedager|minutter|dagar|veker|månader|timar)\b", re.I)


def traits(text: str) -> dict[str, float]:
    """Which kinds of answer a sentence supplies (1.0) or not (0.0), and whether it negates, is a
    piece of a list or points elsewhere: the answer card's features of the sentence itself."""
    return facts.lookup("traits", _traits, text)


@lru_cache(maxsize=8192)
def _traits(text: str) -> dict[str, float]:
    found = {kind: float(bool(rx.search(text))) for kind, rx in SUPPLIES.items()}
    found["deadline"] = max(found["deadline"], float(find_deadline(text) is not None))
    found["duration"] = float(bool(DURATION.search(text)))
    found["legal_basis"] = max(found["legal_basis"], float(find_legal_ref(text) is not None))
    found["negation"] = float(bool(NEGATION.search(text)))
    found["fragment"] = float(FRAGMENT.search(text) is not None)
    found["pointer"] = float(bool(POINTER.search(text)))
    return found


# Every key of a sentence's traits, in a fixed order.
TRAITS = tuple(SUPPLIES) + ("duration", "negation", "fragment", "pointer")
