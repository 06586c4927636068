"""Extract duty rows from the text at index time: who (UNN, Kommunen, Felles) must do what, by
when, under which law, and where it says so. Nothing here is hand-written per clause.

Two sources: every item under a duty block ("UNNs ansvar og oppgaver", "5.3 Kommunen skal" …),
and sentences elsewhere whose subject is a party and whose verb is an obligation ("UNN skal …",
"Kommunen har ansvar for …", "skal UNN …"). Duties in the national guide and the circular are
marked `national`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.corpus import facts
from assistant.corpus.sentences import split_sentences
from assistant.models import Document, DocumentInfo, Duty, Section

_SUBBULLET = "  – "
# A sentence in a duty block whose subject is neither a party nor an implied one (imperative
# items such as "Delta i samarbeidsmøter …" have none) states context unless it obliges someone.
_CONTEXT = re.compile(r"^(?:Det|Dette|Denne|Disse|Den|Pasienten|Pasientene|Her|Se)\b")
_OBLIGATION = re.compile(r"\b(skal|må|plikter|plikt|ansvar(?:et|lig)?|forplikter|sørge for|sørger for|har ansvar)\b", re.I)
_DEADLINES = [
    r"(?:(?:senest|seinest|så snart som mulig,? og seinest|så snart som mulig, og senest)\s*)?innen (?:\d+|en|ett|ei|to|tre|fire|fem|seks|sju|syv|åtte|ti|fjorten)\s*(?:timer|time|dager|dag|døgn|uker|uke|måneder|måned|virkedager|virkedag)s?\b(?: etter [^.,;]{3,40})?",
    r"innen (?:utgangen av|fristen|\d{1,2}\.\d{1,2}\.\d{2,4})[^.,;]{0,25}",
    r"på virkedager mellom (?:kl\.? ?)?\d{1,2}(?:[.:]\d{2})?\s*[-–]\s*\d{1,2}(?:[.:]\d{2})?",
    r"(?:fortrinnsvis )?mellom kl\.? ?\d{1,2}(?:[.:]\d{2})?\s*[-–]\s*\d{1,2}(?:[.:]\d{2})?(?: på virkedag(?:er)?)?",
    r"(?:ett|to|tre|seks|(?<!\d)\d+) (?:års|måneders) oppsigelsesfrist",  # a run of digits tried from its start only
    r"(?:minimum|minst) (?:én|en|1) gang (?:per|pr\.?|i) år",
    r"\bårlig(?:e|t)?\b",
    r"\bomgående\b",
    r"\bsnarest(?: mulig)?\b",
    r"\bstraks\b",
    r"så (?:tidlig|snart|raskt) som mulig",
    r"i god tid før [a-zæøå]+",
    r"før (?:pasienten er utskrivningsklar|utskrivning|utskrivelse|endringer foretas|en oppgave overføres)",
    r"\bsenest\b[^.,;]{0,30}",
]
_DEADLINE = re.compile("|".join(f"(?:{p})" for p in _DEADLINES), re.I)
# Every pattern above holds one of these words: a sentence without any is passed over at the
# cost of one plain scan instead of trying every pattern at every position.
_DEADLINE_HINT = re.compile(r"innen|mellom|oppsigelsesfrist|gang|årlig|omgående|snarest|straks|så|før|senest", re.I)
_LEGAL = re.compile(
    r"(?:(?:hotjl|shtjl|helse- og omsorgstjenestelov(?:en|s)?|spesialisthelsetjenestelov(?:en)?|"
    r"pasient- og brukerrettighetslov(?:en)?|helsepersonellov(?:en)?|psykisk helsevernlov(?:en)?|"
    r"helseberedskapslov(?:en)?|smittevernlov(?:en)?|forskrift[a-zæøå ]{0,60}?)\.?\s*)?§§?\s*\d+(?:\s*-\s*\d+)?(?:\s?[a-f]\b)?"
    r"(?:\s*(?:første|andre|tredje|fjerde) ledd)?",
    re.I,
)


@lru_cache(maxsize=8)
def _party_patterns(hospital: str) -> list[tuple[str, re.Pattern]]:
    h = re.escape(hospital)
    # The regional health authority (RHF) alone is not the hospital trust: "skal det regionale
    # helseforetaket varsle Helsedirektoratet" is no duty of UNN's. Beside the municipalities it
    # stands for the hospital side of the agreement (`hosps`, in `both`).
    # A unit of the hospital acts for it ("Utskrivende post gjennomgår og sørger for …",
    # "Utskrivende enhet i UNN skal …"), a GP for the municipality ("Fastlegen har et samlet
    # ansvar for …") and its mayor or chief executive; "Helseforetak/det regionale helseforetak
    # har ansvar …" is the hospital side.
    hosp = (rf"(?:(?:{h}|helseforetak(?:et|ene)?|foretaket|helseinstitusjonen|sykehuset|spesialisthelsetjenesten)"
            rf"(?:/(?:det )?regionale helseforetak(?:et)?)?|(?:utskrivende|behandlende) (?:post|enhet|avdeling|lege)"
            rf"(?: i (?:{h}|sykehuset))?)")
    muni = (r"(?:kommunen|kommunene|kommunehelsetjenesten|den kommunale helse- og omsorgstjenesten|kommunestyret|"
            r"fastlegen|fastlegene|ordfører(?:en)?|kommunedirektør(?:en)?|rådmann(?:en)?|kommuneoverlege(?:n)?)")
    munis = r"(?:kommunen[e]?|kommuner)"
    hosps = (rf"(?:(?:det enkelte |de enkelte )?(?:{h}|helseforetak(?:et|ene)?)|(?:de |det )?regionale helseforetak(?:et|ene)?|"
             rf"RHF(?:-ene|-et)?|spesialisthelsetjenesten|sykehuset)")
    # "Partneren som avgir oppgaven plikter …" binds whichever partner hands a task over: both.
    both = rf"(?:partnerne|partnere|partene|begge partnere|partneren som \w+(?: \w+)?|{munis} og {hosps}|{hosps} og {munis})"
    verbs = (r"(?:skal|plikter|må|har (?:et |det )?(?:\w+ )?(?:ansvar|plikt)|forplikter|har ansvaret|har plikt|"
             r"er ansvarlige?|sørger for|dekker|betaler)")
    verb = rf"(?:\s+\w+(?:\s+og)?)?\s+{verbs}\b"  # "… gjennomgår og sørger for"
    inverted = r"\b(?:skal|plikter|må|dekker|betaler)"
    # A sentence that allocates a responsibility without naming the party first: "Det er
    # kommunen som har systemansvar …", "Ansvaret ligger hos UNN …", "Arbeidsgiveransvaret for
    # personell fra UNN … ligger hos UNN", "Plikten til å inngå … påhviler kommunene og det
    # enkelte helseforetak", "Betalingsplikten gjelder for den kommunen …".
    cleft = r"^(?:det er|det blir|det vil være)(?:\s+(?:derfor|da|altså|likevel|også|dermed|normalt|vanligvis))?\s+"
    lies = (r"\b\w*(?:ansvaret|plikten|oppgaven)\b(?:\s+[\w/-]+){0,12}?\s+(?:ligger|hviler|er plassert|påhviler|"
            r"tilligger|(?:er )?lagt til|gjelder for)(?:\s+(?:hos|på|i))?\s+(?:den |det |de |det enkelte )?")
    # A passive sentence names its party as the agent: "Fakturainnsigelser skal sendes fra
    # kommunen til UNN", "Innsigelsen behandles av utskrivende enhet i UNN".
    party_word = rf"(?:kommune\w*|{h}|sykehus\w*|helseforetak\w*|spesialisthelsetjenesten|partne\w*|parte\w*)\b"
    agent = rf"\b\w+(?:es|s)\s+(?:av|fra)\s+(?:(?!{party_word})\w+\s+){{0,3}}?"
    shapes = (
        lambda who: rf"{cleft}{who}\s+som\b|{lies}{who}\b",
        lambda who: rf"{agent}{who}\b",
        # … or before a relative clause that says which of them: "Partnere som utveksler
        # sensitive pasientdata utenfor helsenettet, må inngå …".
        lambda who: rf"^{who}{verb}|^{who}\s+som\b(?:\s+[^\s.;:]+){{1,12}}?,?\s+{verbs}\b",
        lambda who: rf"{inverted} {who}\b",
        # The subject's second verb is the duty: "Ordfører er kommunens rettslige representant,
        # og skal signere avtalen …".
        lambda who: rf"^{who}\b[^.;]{{0,80}}?,? og (?:skal|må|plikter)\b",
    )
    return [(party, re.compile(shape(who), re.I)) for shape in shapes
            for party, who in (("Felles", both), ("UNN", hosp), ("Kommunen", muni))]


@lru_cache(maxsize=8)
def _party_hint(hospital: str) -> re.Pattern:
    """A word every pattern of _party_patterns holds, at least in part."""
    return re.compile(rf"{re.escape(hospital)}|foretak|helseinstitusjon|sykehus|spesialisthelsetjenest|utskrivende|"
                      r"behandlende|kommun|fastlege|ordfører|rådmann|partne|parte|RHF", re.I)


# The first shapes of _party_patterns (a cleft or a responsibility placed with a party, a
# passive's agent, a subject before its verb) name the party that does the duty, not one merely
# mentioned; each shape has a pattern for each of the three parties.
LEADING_SHAPES = 3


def subject_party(sentence: str, hospital: str = "UNN") -> str | None:
    """The party a sentence names as its subject ("Kommunen skal …", "skal UNN …"), if any."""
    return facts.lookup("subject_party", _subject_party, sentence, hospital)


@lru_cache(maxsize=16384)
def _subject_party(sentence: str, hospital: str) -> str | None:
    if not _party_hint(hospital).search(sentence):
        return None  # names no party at all (most sentences): no pattern can match
    return party_of(sentence, _party_patterns(hospital))


def party_of(sentence: str, patterns) -> str | None:
    for actor, pattern in patterns:
        if pattern.search(sentence):
            return actor
    return None


def split_clauses(sentence: str) -> list[str]:
    """'Kommunen dekker X, og UNN dekker Y.' → two clauses, each with its own subject."""
    parts = re.split(r", og (?=(?:UNN|kommunen|kommunene|partnerne|helseforetaket)\b)|; ", sentence)
    return [p.strip() for p in parts if p.strip()] if len(parts) > 1 else [sentence]


def find_deadline(text: str) -> str | None:
    """The deadline a sentence states ("innen 24 timer", "før utskrivning"), if any."""
    return facts.lookup("deadline", _find_deadline, text)


@lru_cache(maxsize=16384)
def _find_deadline(text: str) -> str | None:
    m = _DEADLINE.search(text) if _DEADLINE_HINT.search(text) else None
    return m.group(0).strip(" ,") if m else None


def find_legal_ref(text: str) -> str | None:
    """The paragraph a sentence cites ("helse- og omsorgstjenesteloven § 6-2"), if any."""
    return facts.lookup("legal_ref", _find_legal_ref, text)


@lru_cache(maxsize=16384)
def _find_legal_ref(text: str) -> str | None:
    m = _LEGAL.search(text)
    return re.sub(r"\s+", " ", m.group(0)).strip() if m else None


# A template's blank for the municipality to fill in: "XX kommune", "(KOMMUNENS BESKRIVELSE AV
# TILBUDET)", not an abbreviation in brackets ("(GDPR)"). Such a line describes no duty.
PLACEHOLDER = re.compile(r"\bX{2,}\b|\((?:[A-ZÆØÅ]{2,}[ .,/-]+)+[A-ZÆØÅ]{2,}\)")


def extract_duties(documents: list[Document]) -> list[Duty]:
    rows: list[Duty] = []
    for doc in documents:
        if doc.info.background:
            continue
        patterns = _party_patterns(doc.info.hospital)
        for section in doc.sections:
            if section.actor:
                rows.extend(_block_duties(section, doc, patterns))
            else:
                rows.extend(_sentence_duties(section, doc, patterns))
    return [row for row in rows if not PLACEHOLDER.search(row.duty)]


def _items(section: Section) -> list[str]:
    """Bullets with their sub-bullets folded in, and the other paragraphs as they are."""
    items: list[str] = []
    for para in section.text.split("\n"):
        if para.startswith(_SUBBULLET) and items:
            items[-1] = f"{items[-1]} – {para[len(_SUBBULLET):].strip()}"
        elif para.strip():
            items.append(para.strip())
    return items


def _block_duties(section: Section, doc: Document, patterns) -> list[Duty]:
    """Every item of a duty block is a duty of the block's party, unless a sentence names
    another party as its subject ("Partnerne har et gjensidig ansvar …" under a municipal block)."""
    rows = []
    for item in _items(section):
        if item.startswith("• ") or re.match(r"^[a-z]\)", item):
            text = item.lstrip("• ").strip()
            rows.append(duty_row(_leading_party(text, patterns) or section.actor, text, section, doc.info))
            continue
        for sentence in split_sentences(item):
            if _CONTEXT.match(sentence) and not _OBLIGATION.search(sentence):
                continue  # "Pasienten søker selv …", "Det er også utarbeidet …": context, not a duty
            rows.append(duty_row(_leading_party(sentence, patterns) or section.actor, sentence, section, doc.info))
    return [r for r in rows if is_duty_text(r.duty)]


def _leading_party(sentence: str, patterns) -> str | None:
    """A party named as the subject at the start of a sentence (not one merely mentioned)."""
    return party_of(sentence, patterns[:3 * LEADING_SHAPES])


def _sentence_duties(section: Section, doc: Document, patterns) -> list[Duty]:
    rows = []
    for item in _items(section):
        for sentence in split_sentences(item.lstrip("• ")):
            clauses = split_clauses(sentence)
            for clause in clauses:
                actor = party_of(clause, patterns)
                text = clause if len(clauses) > 1 else sentence
                if actor and is_duty_text(text):
                    rows.append(duty_row(actor, text, section, doc.info))
    return rows + _listed_duties(section, doc, patterns, rows)


_TASK_LEAD_IN = re.compile(r"\b(?:å|skal|må|plikter|forplikter seg til)\s*:$", re.I)


def _listed_duties(section: Section, doc: Document, patterns, found: list[Duty]) -> list[Duty]:
    """The items of a list whose lead-in gives a party a task ("Partnerne skal bidra til … ved
    å:" – "Invitere hverandre inn i kriseledelsen …"): each item, and each of its sub-items, is
    a duty of that party, unless it names its own subject."""
    rows, lead = [], None
    seen = [d.duty for d in found]
    for para in section.text.split("\n"):
        if not para.strip():
            continue
        if not (para.startswith(_SUBBULLET) or para.lstrip().startswith("• ")):
            stripped = para.strip()
            # Only a lead-in whose items go on its verb ("… ved å:", "… skal:") lists tasks;
            # "Avtalen skal omfatte:" lists topics.
            lead = party_of(stripped, patterns) if _TASK_LEAD_IN.search(stripped) else None
            continue
        text = para.strip().lstrip("•–- ").strip()
        if lead and is_duty_text(text) and not any(text in duty or duty in text for duty in seen):
            rows.append(duty_row(_leading_party(text, patterns) or lead, text, section, doc.info))
            seen.append(text)
    return rows


_LEAD_IN_ENDS = (":", " å", " til", " og", " skal", " sørge for", " bør", " må")
_FOOTNOTE = re.compile(r"^\d{1,2}\s+[A-ZÆØÅ]")


def is_duty_text(text: str) -> bool:
    """A whole statement, not a heading ("Faglige nettverk"), a lead-in to a list ("UNN og
    kommunene skal", "… forplikter seg til å") or a footnote ("1 I henhold til …")."""
    text = text.rstrip()
    return (len(text.split()) >= 4 and len(text) >= 20 and not text.endswith(_LEAD_IN_ENDS)
            and not _FOOTNOTE.match(text))


def duty_row(actor: str, text: str, section: Section, info: DocumentInfo) -> Duty:
    """A sentence of a section as the duty row of `actor` (at index time, and for the card's
    answer when it was not extracted as one)."""
    return Duty(
        actor=actor,
        duty=text.strip().lstrip("•–- ").strip(),
        deadline=find_deadline(text),
        section_id=section.id,
        doc_id=section.doc_id,
        section=section.breadcrumb,
        legal_ref=find_legal_ref(text),
        national=info.national,
    )
