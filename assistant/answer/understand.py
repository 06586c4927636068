"""Understand a question once: its language, the kinds of answer it asks for, the party it is
about and the side it is asked from, its focus words and whether the documents know them, and,
given the conversation's earlier questions, what an elliptical follow-up means.

The result (`models.Question`) is what retrieval searches for and what the answer card, the
duty table and the "not covered" decision read; nothing further down re-reads the question.
The rules are word patterns of bokmål, nynorsk and English questions as clinicians type them;
they name kinds of question, never particular questions.
"""

from __future__ import annotations

import re

from assistant.corpus.sentences import split_sentences
from assistant.models import Focus, QueryWords, Question
from assistant.search.lexical import fold_particle_verbs, looks_english, read_words, stopwords, terms, words

# --- the kinds of answer asked for ---------------------------------------------------------
# Each pattern finds the place in the question where that kind is asked; the kinds are
# ordered by where they are asked, so "Hva må sykehuset sende, og når?" asks content, then a
# deadline. "når"/"when" asks for a time only as a question word (followed by a verb), not as
# the conjunction of a situation ("Hva gjør vi når pasienten …").
_VERB_AFTER_WHEN = (r"(?:må|skal|kan|bør|er|var|blir|får|gjelder|starter|begynner|skjer|går|trer|overtar|tar|"
                    r"sender|sendes|kommer|slutter|opphører|skjer|kjem|vert|byrjar|må|is|are|does|do|must|should|"
                    r"will|can|did|has|have|\w+es\b)")
_ASKS = {
    # How long something takes or may take: a number of days or hours answers it, "as soon as
    # possible" does not.
    "duration": r"\b(?:hvor lenge|kor lenge|how long|hvor lang tid|kor lang tid|innen hvor|within how|"
                r"hvor lang (?:frist|\w+frist|\w+tid)|kor lang (?:frist|\w+frist|\w+tid)|"
                # "Hvor lang er oppsigelsestiden?": how long, asked of a period named after it
                r"(?:hvor|kor) lang (?=[^?.!]*?\w(?:tid|tida|tiden|frist|fristen|periode|perioden)\b)|"
                r"(?:hvor|kor|how) mange (?:dager|dagar|timer|timar|døgn|uker|veker|måneder|månader|virkedager|"
                r"days|hours|weeks|months)|how many (?:days|hours|weeks))\b",
    "party": r"\b(?:hvem|kven|who|whose|whom|hvilken part|hvilke parter|kva part|kven av|hvem av|which party|"
             r"hvilken instans|kva instans|hvem sitt|kven sitt|hvem sin|hvem betaler|kven betalar)\b|"
             # which of the actors: "Which municipality has to pay …?", "Hvilket organ avgjør …?"
             r"\b(?:hvilken|hvilket|kva|which)\s+(?:\w+\s+)?(?:kommune|kommunar?|sykehus|sjukehus|helseforetak|enhet|"
             r"eining|instans|organ|avdeling|municipality|hospital|health trust|body|unit|department|authority)\b|"
             r"\b(?:hvilken plikt|hvilket ansvar|kva plikt|kva ansvar|what duty|which duty|what responsibility)\b|"
             r"\b(?:er det|is it)\s+(?:\w+\s+){0,2}(?:kommunen|unn|sykehuset|sjukehuset|vi|oss|we|us|the hospital|the municipality)"
             r"\s+(?:eller|or)\s+(?:\w+\s+){0,2}(?:kommunen|unn|sykehuset|sjukehuset|vi|oss|we|us|the hospital|the municipality)\b|"
             r"\b(?:kommunen|unn|sykehuset|sjukehuset|fastlegen)\s+eller\s+(?:kommunen|unn|sykehuset|sjukehuset|fastlegen)\s*\?",
    "duty": r"\b(?:hva|kva|what)\s+(?:må|skal|bør|plikter|pliktar|gjør|gjer|har|kan|must|should|shall|does|do|can)\s+"
            r"(?:\w+\s+){0,1}(?:unn|sykehuset|sjukehuset|helseforetaket|spesialisthelsetjenesten|kommunen|kommuna|kommunene|"
            r"kommunane|fastlegen|hjemmetjenesten|hjemmesykepleien|heimesjukepleia|partene|partnerne|begge|the hospital|"
            r"the municipality|the gp|both parties)\b|"
            r"\b(?:hva|kva|what)\s+(?:må|skal|bør|plikter|gjør|gjer|must|should|does|do)\s+(?!vi\b|we\b|eg\b|jeg\b|det\b)"
            r"(?:\w+\s+){0,2}(?:gjøre|gjere|do|sørge for|bidra med|ha ansvar for)\b|"
            r"\b(?:hva|kva|what)\s+(?:er|is|are|var)\s+(?:\w+\s+){0,1}(?:\w+s|\w+'s|sitt|deres|dykkar|their|its)\s+"
            r"(?:ansvar|oppgåver|oppgaver|plikt\w*|rolle|del|delen|jobb|responsibilit\w*|duties|role|tasks|part)\b|"
            r"\b(?:ansvar|oppgaver|oppgåver|plikter|pliktar|rolle|responsibilit\w*|duties)\s+(?:har|har\s+\w+|ligger|has|have)\b",
    "deadline": rf"\b(?:når|kor tid|when)\s+{_VERB_AFTER_WHEN}|(?:^|[,.;:]\s*|\bog\s+|\band\s+)(?:når|kor tid|when)\s*\??\s*$|"
                r"^(?:og\s+|and\s+)?(?:når|kor tid|when)\b|\b(?:innen når|by when|frist\w*|deadline\w*|time limit|"
                r"hvor (?:fort|raskt|lenge|snart|tidlig|sent|lang tid)|kor (?:fort|raskt|lenge|snøgt|snart|tidleg|seint|lang tid)|"
                r"how (?:fast|quickly|soon|long|late|early)|within how|"
                r"(?:hvor|kor|how) mange (?:dager|dagar|timer|timar|døgn|uker|veker|måneder|månader|virkedager|days|hours|weeks|months)|"
                r"(?:hvor|kor) ofte|how often|how frequently|hvilken dag|kva dag|which day|which date|fra når|frå når|from when|"
                r"senest|seinast|klokka|klokken|what time|kva tid|hvilken tid|(?:noe|noko|hvilket|kva|eit|et)\s+(?:\w+\s+)?tidspunkt|"
                r"(?:et|eit|en|ein|ei|noen|nokon|noe|noko)\s+(?:bestemt|bestemte|fast|faste|spesiell|spesielt|spesifikk|spesifikt|"
                r"konkret|særskilt|eksakt)\s+(?:dag|dagar|dager|ukedag|klokkeslett|tid)|"
                r"(?:a|any)\s+(?:set|specific|particular|fixed|certain)\s+(?:time|day|hour)|time of (?:the )?day|"
                r"tid på (?:dagen|døgnet)|åpningstid\w*|opningstid\w*|besøkstid\w*|"
                r"opening hours|visiting hours|har \w+ åpent|er \w+ åpen)\b|\w+frist\w*",
    "amount": r"\b(?:hvor mye|hvor mykje|kor mykje|kor mye|how much|hva koster|kva kostar|what does \w+ cost|"
              r"(?:hva|kva|what) (?:er|is) (?:\w+ ){0,2}\w*(?:prisen|satsen|taksten|egenandelen|eigendelen|lønna|lønnen|gebyret|"
              r"avgifta|avgiften|honoraret|beløpet|summen|rate|price|fee|cost|salary|wage|charge|pay)|"
              r"(?:hvilken|hvilke|kva|what|which) (?:\w+ )?\w*(?:pris|sats|takst|honorar|rate|price|fee)\w*|"
              r"hvor mange kroner|kor mange kroner|how many kroner|dose\w*|døgndose\w*|\w+dose|mg|ml|"
              r"(?:hvilken|hvilke|kva|what|which) (?:alder|aldersgrense|age|age limit)|hvor gammel|kor gammal|how old|"
              r"(?:hvor|kor|how) (?:lang|langt|lange|stor|store|høy|høg|høyt|far|big|high|large)(?!\s+(?:tid|frist|\w+frist|\w+tid|varsel))|"
              r"\w*grense\w*|\w*målområde\w*|\w*normalområde\w*|minimumskrav\w*|\w*bemanning\w*|lønnssteg\w*|"
              r"threshold|maximum|minimum|antall|talet på|the number of|"
              r"(?:hvor|kor) mange (?!(?:dager|dagar|timer|timar|døgn|uker|veker|måneder|månader|virkedager)\b)\w+|"
              r"how many (?!(?:days|hours|weeks|months|working days)\b)\w+)\b",
    "cost": r"\b(?:koster det|kostar det|kostnad\w*|betale|betala|betaler|betalar|betales|betalast|gratis|free of charge|"
            r"ta betalt|tar betalt|ta seg betalt|kreve betaling|vederlag|fakturere|fakturerer|fakturert|fakturera|charge|charged|pay|pays|paid|"
            r"bill|billed|billing|invoice|invoiced|invoicing|fee|fees|costs?|"
            r"dekke\w* (?:utgift|kostnad)\w*|dekker|refusjon|refundert|egenandel)\b",
    "legal_basis": r"\b(?:paragraf\w*|hjemmel\w*|lovhjemmel|heimel\w*|lovheimel|hvilken lov|hvilke lover|kva lov|"
                   r"i loven|loven sier|lova seier|lovgrunnlag|rettsgrunnlag|regelverk\w*|forskrift\w*|rundskriv\w*|"
                   r"which laws?|what laws?|which sections?|what sections?|which acts?|legal basis|statutes?|regulations?|by law|"
                   r"circulars?|"
                   r"hvor står det|kvar står det|where does it say|hjemlet|heimla|\w*lovbestemmelse\w*|"
                   r"in the law|which provision|what provision|lovverket|(?:hvilket|hvilke|kva|which) (?:punkt|clause|point)\w*)\b|§",
    "content": r"\b(?:inneholde\w*|innehalde\w*|innhold\w*|innhald\w*|hva skal stå|hva må stå|kva skal stå|kva må stå|"
               r"hvilke opplysninger|kva opplysningar|hvilke dokumenter|kva dokument|hvilke papirer|"
               r"hva (?:skal|må) (?:\w+ ){0,2}(?:sende|sendes|ha med|beskrive|omfatte|dekke)|"
               r"kva (?:skal|må) (?:\w+ ){0,2}(?:sende|sendast|ha med|skildre|omfatte)|"
               r"what (?:must|should|does|do) (?:\w+ ){0,3}(?:contain|include|send|cover|describe)|contain\w*|"
               r"what information|which documents|hvilke (?:punkter|tema|temaer|forhold|elementer|krav)|opplyse om|"
               r"(?:hvilke|kva for|which|what) \w+ (?:skal|må|er|bør|kan|must|should|are)\b|"
               r"(?:hva|kva|what) (?:gjelder|gjeld|applies) (?:særskilt|spesielt|særleg|specifically)|"
               # what goes into it: "hva må være med i den?", "kva bør vere med i det?", "what has to be in it?"
               r"(?:hva|kva|what) (?:\w+ ){0,2}(?:være|vere|be) (?:med )?(?:i|in) (?:den|det|dei|de|it|them|\w+en|\w+et)|"
               r"(?:hva|kva) (?:skal|må|bør) med|"
               # what it takes in: "Hva omfatter bistanden?", "Kva omfattar den?"
               r"(?:hva|kva|what) (?:\w+ ){0,2}(?:omfatter|omfattar|omfattes))\b",
    "definition": r"\b(?:hva (?:betyr|menes|meinast|innebærer|er definisjonen)|kva (?:betyr|tyder|meiner ein|er meint|inneber)|"
                  r"menes med|meint med|definisjon\w*|definert|defineres|definerer|define|defines|defined|definition|"
                  r"what (?:does|do) (?:[\w'’\"«»-]+ ){1,8}?mean|what is meant|what is (?:a|an) \w+\s*\?\s*$|"
                  r"regnes som|reknast som|rekna som|counts as|(?:hva|kva) går (?:\w+ ){0,3}ut på|"
                  # what it is for: answered by the documents' "Formålet med … er …", "Hensikten er …"
                  r"(?:hva|kva|what) (?:er|is) (?:egentlig |eigentleg )?(?:poenget|hensikten|formålet|føremålet|målet|"
                  r"the point|the purpose|the aim)|hva er (?:en|et|ei) \w+\s*\?\s*$|kva er (?:ein|eit|ei) \w+\s*\?\s*$)",
    "contact": r"\b(?:telefonnummer\w*|telefonnr|tlf\.?\s*(?:nr|nummer)\w*|direktenummer\w*|nummeret til|"
               r"e-?postadresse\w*|mailadresse\w*|phone number|telephone number|e-?mail address|"
               r"(?:hva|kva|what)\s+(?:er|is)\s+(?:\w+\s+){0,3}(?:adressen|adresse|address|e-?posten|mailen|nummeret)|"
               r"(?:hvem|kven|who)\s+(?:er|is)\s+(?:\w+\s+){0,1}(?:\w*leder\w*|\w*leiar\w*|kontaktperson\w*|sekretær\w*|"
               r"\w*direktør\w*|director|head|leader|chair\w*|contact person)|(?:hvem|kven|who)\s+(?:leder|leiar|leier|leads|"
               r"chairs|heads)\s+(?:det\s+|the\s+)?(?:\w+\s+){0,2}(?:FSU|SSU|\w*utval\w*|\w*nettverk\w*|rådet|\w*gruppa|"
               r"\w*gruppen|styret|committee|board|group|network)|"
               # a person's name: "Hva heter adm. dir. i UNN?", "what is the name of the chair …"
               r"(?:hva|kva) (?:heter|heiter) (?:\w+\.?\s+){0,2}(?:\w*direktør\w*|dir\b|\w*leder\w*|\w*leiar\w*|"
               r"sjef\w*|ordfør\w*|kontaktperson\w*|rådmann\w*)|"
               r"what is the name of (?:\w+\s+){0,2}(?:\w*director|head|leader|chair\w*|mayor|contact person))\b",
    "procedure": r"\b(?:hvordan|korleis|how (?:do|does|should|must|can|to|is|are|will)|hva gjør vi|kva gjer vi|"
                 r"hva (?:skal|må|bør) (?:vi|jeg|man|en) gjøre|kva (?:skal|må|bør) (?:vi|eg|ein) gjere|"
                 r"what (?:should|must|do) we do|(?:hva|kva|what) (?:skjer|hender|happens)|fremgangsmåte\w*|framgangsmåte\w*|rutine\w*|prosedyre\w*|"
                 r"hvilken vei|kva veg|steps|process for|(?:hvor|kvar|where) (?:sender|send|skal|må|melder|henvender|søker|"
                 r"finner|do|should|can)|hva kan (?:\w+ ){0,2}gjøre|kva kan (?:\w+ ){0,2}gjere|what can (?:\w+ ){0,2}do|"
                 r"hva (?:skal|må|bør) (?:vi|jeg|man|en) (?:\w+ ){0,3}gjøre|kva (?:skal|må|bør) (?:vi|eg|ein) (?:\w+ ){0,3}gjere)\b",
}
_ASKS_RX = {kind: re.compile(pattern, re.I) for kind, pattern in _ASKS.items()}
# A question that opens with a verb asks yes or no ("Kan fastlegen kreve …?", "Gjelder det i
# helgene?"); with a modal verb or words of permission it asks whether something is allowed
# or required.
_FINITE_VERB = re.compile(
    r"(?:^|[.?!]\s+|,\s*)(?:og |men |så |eller |and |but |or )?(kan|må|skal|får|bør|er|har|gjelder|trenger|treng|plikter|"
    r"pliktar|finnes|fins|finst|blir|vert|stemmer|kjem|kommer|hører|høyrer|holder|held|dekker|dekkjer|"
    r"is|are|can|may|must|should|do|does|did|will|could|has|have|would|[A-ZÆØÅa-zæøå]\w+es)\b", re.I)
_PERMISSION = re.compile(r"\b(?:kan|må|skal|får|bør|lov|lovlig|tillatt|tillate|plikt\w*|krav på|rett til|"
                         r"nødvendig|påkrevd|obligatorisk|allowed|permitted|may|can|must|required|obliged|have to|"
                         r"has to|need to|entitled)\b", re.I)


# A sentence that opens with a "when" clause and asks after its comma (or dash, or colon): the
# clause is the situation, not a question of time.
_SITUATION_FIRST = re.compile(rf"\W*(?:når|when)\b(?!\s+{_VERB_AFTER_WHEN})[^?,:–—]*?(?:,|:|\s[–—-]\s)\s*(?:og\s+|and\s+)?(?:hvem|kven|hva|kva|hvor|kor|kvar|hvordan|"
                              r"korleis|hvilk\w*|kva for|who|what|how|which|where|må|skal|kan|har|gjelder|får|"
                              r"must|should|can|does|do|is|are)\b", re.I)
_FALLBACK_ASKS = (
    ("content", re.compile(r"\b(?:hva|kva|what) (?:\w+ ){0,4}(?:ha med|få med|ta med|være på plass|vere på plass|"
                           r"go with|have in place|be in place|include|bring)\b|\b(?:hvilken|hvilket|kva|which|what) "
                           r"(?:informasjon|opplysning\w*|dokumentasjon|mal|malen|skjema|information|template|form)\b", re.I)),
    ("deadline", re.compile(r"\b(?:hvilket|kva|which|what) (?:tidspunkt|time)\b", re.I)),
    ("party", re.compile(r"\b(?:hvilken|kva|which) (?:kommune|part|instans|municipality)\b", re.I)),
    ("definition", re.compile(r"^\W*(?:(?:og|and|men|but)\s+)?(?:hva|kva|what) (?:er|is|var|was)\b|"
                              r"\b(?:hva|kva) går (?:det|den|dette) ut på|\bkva meiner (?:\w+ ){0,3}med|"
                              r"\bwhat does (?:\w+ ){0,6}mean\b", re.I)),
)


# "Is there a …?" ("Er det noe …", "Finnes det en …", "Is there any …"): what follows is the
# thing asked for, when it is a kind of answer (a time, a limit, an amount) named within a few words.
_THERE_IS = re.compile(r"(?:er|finnes|fins|finst|is|are)\s+(?:det|der|there)\s+(?:\w+\s+)?"
                       r"(?:noe|noen|noko|nokon|et|en|ei|ein|eit|any|a|an|some)\s+", re.I)
_THERE_REACH = 25
# "Er det noe (spesielt) vi må …?": anything a party must do, tell or bring.
_THING_TO_DO = re.compile(r"(?:\w+\s+)?(?:vi|eg|jeg|man|ein|en|dere|de|dei|we|I|you|kommunen|sykehuset|sjukehuset|unn)"
                          r"\s+(?:må|skal|bør|treng|trenger|must|should|need)\b", re.I)


_CONTRACTED = re.compile(r"\b(what|who|where|when|how|which|that|it|there)['’]s\b", re.I)


def answer_types(text: str) -> tuple[str, ...]:
    """The kinds of answer a question asks for, in the order it asks them."""
    ask = _CONTRACTED.sub(r"\1 is", ask_part(text))  # "what's the hospital's role?"
    found: dict[str, int] = {}
    for kind, rx in _ASKS_RX.items():
        m = rx.search(ask)
        if m:
            found[kind] = m.start()
    if "party" not in found and (which := _WHICH_PARTY.search(ask)):
        # asked where the asking sentence starts: "Er det X eller Y?" asks the party, not yes/no
        found["party"] = max(ask.rfind(end, 0, which.start()) for end in ".?!") + 1
    verb = _FINITE_VERB.search(ask)
    there = _THERE_IS.match(ask, verb.start(1)) if verb else None
    if there and "content" not in found and _THING_TO_DO.match(ask, there.end()):
        found["content"] = there.end()  # "Er det noe spesielt vi må opplyse om?" asks what
    if verb and not ({"party", "deadline", "amount", "definition", "procedure", "content"} & set(found)
                     and min(found.values()) <= verb.start()):
        kind = "permission" if _PERMISSION.search(ask[verb.start():]) else "yesno"
        # "Er det noe tidspunkt …?", "Finnes det en grense for …?" ask for the thing first: its
        # answer says yes or no as well.
        asked = there is not None and any(there.start() < at <= there.end() + _THERE_REACH for at in found.values())
        found.setdefault(kind, len(ask) if asked else verb.start())
    if not found:
        # Nothing more specific asked: "Hva er egentlig PKO?" and "Hva går det ut på?" ask what
        # something is; "Hva må vi få med …?" and "What do we need to have in place?" what it takes.
        for kind, rx in _FALLBACK_ASKS:
            if m := rx.search(ask):
                found[kind] = m.start()
                break
    if found.get("deadline") == 0 and _SITUATION_FIRST.match(ask):
        del found["deadline"]  # "Når kommunen har tatt over en oppgave, hvem …?" sets the scene
    if ("definition" in found and "procedure" in found and found["procedure"] <= found["definition"]
            and not re.search(r"[,;?]", ask[found["procedure"]:found["definition"]])):
        del found["procedure"]  # "how does the agreement define …" asks what a word means
    if "cost" in found and "amount" in found:
        del found["cost"]  # "hva koster det" asks the amount itself
    if "duration" in found:
        found.pop("deadline", None)  # "hvor lenge" asks how long, a kind of time limit
        found.pop("amount", None)
    if "contact" in found and "party" in found and found["contact"] <= found["party"]:
        del found["party"]  # "hvem er leder for …" asks for the person, a name or a number
    if "duty" in found and "party" in found and found["party"] < found["duty"]:
        del found["duty"]  # "hvem har ansvaret …" asks the party
    if "duty" in found and "content" in found and found["content"] <= found["duty"]:
        del found["duty"]  # "hva må sykehuset sende …" asks what is sent
    wh = _CLAUSE_QUESTION.search(ask)
    if wh is not None and not _ASKS_ALREADY.search(ask[:wh.start()]):
        # A word of a kind in the scene before the question ("… fikk råd om dosering – hvem har
        # ansvaret?") is asked after what the question word asks; a first question before it
        # ("Hvem kaller inn, og når …?", "Må vi drøfte det, og hvordan …?") keeps its place.
        start = wh.start("wh")
        found = {k: (v if v >= start else v + len(ask)) for k, v in found.items()}
    return tuple(sorted(found, key=lambda k: found[k]))


# A question word opening a clause after a dash, colon or comma: what the sentence asks, unless
# what comes before it asks too (a question word, or a verb opening the sentence).
_QUESTION_WORD = r"hvem|kven|who|hvor|kor|how|når|when|hvilk\w*|which|hva|kva|what|hvordan|korleis"
_ASKS_ALREADY = re.compile(rf"\b(?:{_QUESTION_WORD}|kvar|why|hvorfor|kvifor)\b|(?:^|[.?!]\s+)\W*(?:kan|må|skal|får|"
                           r"bør|er|har|gjelder|gjeld|trenger|treng|holder|finnes|is|are|can|may|must|should|do|does|"
                           r"will|has|have)\b", re.I)
_CLAUSE_QUESTION = re.compile(rf"(?:\s[–—-]\s|[:,]\s)\s*(?:og\s+|and\s+|men\s+)?(?P<wh>{_QUESTION_WORD})\b", re.I)


def ask_part(text: str) -> str:
    """The sentences that ask: a long situational question describes the case first and asks
    last ("Vi har en pasient som … . Hvem skal …?")."""
    sentences = split_sentences(text.strip())
    asking = [s for s in sentences if s.endswith("?")]
    if asking:
        return " ".join(asking)
    return sentences[-1] if sentences else text


# --- parties ---------------------------------------------------------------------------------
_UNN_WORDS = (r"unn|unn hf|sykehuset|sjukehuset|sykehus|sjukehus|sykehusets|sjukehusets|unns|helseforetaket|"
              r"helseforetakets|helseføretaket|spesialisthelsetjenesten|spesialisthelsetenesta|spesialisthelsetjenestens|"
              r"sengeposten|sengepost|avdelingen|avdelinga|posten|poliklinikken|dps|"
              r"the hospital|hospital|the hospital's|the trust|specialist health service|the ward|ward")
_MUNI_WORDS = (r"kommunen|kommuna|kommunens|kommunane|kommunene|kommunehelsetjenesten|kommunehelsetenesta|"
               # a municipal role named by a compound: "kommunejordmora", "kommunelegen"
               r"kommune(?:jordm\w+|lege\w*|overlege\w*|psykolog\w*|fysioterapeut\w*|sykepleier\w*|sjukepleiar\w*)|"
               r"hjemmetjenesten|heimetenesta|hjemmesykepleien|heimesjukepleia|heimesjukepleien|sykehjemmet|"
               r"sjukeheimen|sykehjem|sjukeheim|fastlegen|fastlege|fastlegane|fastlegene|legevakten|legevakta|"
               r"helsestasjonen|tildelingskontoret|tildelingskontor|saksbehandlertjenesten|koordinerende enhet|"
               r"the municipality|municipality|the municipalities|municipalities|municipal|the municipality's|the gp|gp|gps|home care|nursing home")
_BOTH_WORDS = r"begge|begge parter|partene|partane|partnerne|partnarane|felles|sammen|saman|both|jointly|together|both parties"
_PARTY_WORDS = (("UNN", _UNN_WORDS), ("Kommunen", _MUNI_WORDS), ("Felles", _BOTH_WORDS))
_PARTY_RX = [(party, re.compile(rf"\b(?:{words_})\b", re.I)) for party, words_ in _PARTY_WORDS]
_MODAL = r"(?:må|skal|kan|bør|plikter|pliktar|har|gjør|gjer|sender|melder|betaler|betalar|dekker|tar|must|should|shall|has|have|does|do|can|pays)"
_SELF = r"(?:vi|oss|jeg|eg|meg|we|us|i)"
# A question that asks which party without "who": a cleft ("Er det vi som skal …?", "Må det være
# legen på sykehuset som gir den?") or parties offered as alternatives at its end ("… – hos oss i
# kommunen eller på UNN?", "er det bare kommunen, eller sykehuset også?"). The asker's own words
# are _SELF's without "i" and "meg", which in Norwegian are no party ("eller i kommunen").
_ALTERNATIVE = rf"(?:vi|oss|jeg|eg|we|us|{_UNN_WORDS}|{_MUNI_WORDS})"
_WHICH_PARTY = re.compile(
    rf"(?:^|[.?!,:;–—]\s*)(?:og\s+|men\s+|and\s+)?(?:er|må|skal|blir|is)\s+det\s+"
    rf"(?:(?:være|vere|virkelig|verkeleg|egentlig|eigentleg|bare|berre|alltid|da|nå)\s+)*"
    rf"(?!(?:noe|noko|noen|nokon|mulig|mogleg|lov|greit|riktig|rett|vanlig|nødvendig)\b)(?:[\w/-]+\s+){{1,4}}?som\s+\w|"
    rf"\b{_ALTERNATIVE}(?:\s+(?:også|og|selv|sjølv))?\s*,?\s+(?:eller|or)\s+(?:(?:på|hos|i|ved|fra|frå|at)\s+)?"
    rf"(?:\w+\s+)?{_ALTERNATIVE}(?:\s+(?:også|og|selv|sjølv|too))?\s*\?", re.I)
# English "at" only before "the": Norwegian "at" is "that" ("Kan vi kreve at sykehuset …" is asked
# by the municipality, of the hospital).
_AT_THE = r"at(?=\s+the\b)"
# A person's role, after the side it belongs to ("kommunal koordinator", "municipal case worker").
_ROLE_NOUN = (r"(?:coordinator|nurse|doctor|physician|case ?worker|midwife|therapist|physiotherapist|manager|"
              r"koordinator|sykepleier|sjukepleiar|lege|saksbehandler|jordmor|fysioterapeut|ergoterapeut|leder|leiar)")
_SPEAKER = [
    ("UNN", re.compile(rf"\b{_SELF}\s+(?:\w+\s+){{0,2}}(?:på|i|ved|on|in|{_AT_THE})\s+(?:\w+\s+)?(?:sykehuset|sjukehuset|"
                       rf"sengeposten|sengepost|avdelingen|avdelinga|posten|poliklinikken|intensiv\w*|medisinsk|kirurgisk|"
                       rf"unn|the hospital|the ward|ward|dps)\b|\b(?:sykehuslege|sjukehuslege|sykepleier på sykehuset|"
                       rf"hospital doctor|hospital nurse|ward nurse)\b|\b(?:vår|vår|our)\s+(?:avdeling|sengepost|post|ward)\b", re.I)),
    ("Kommunen", re.compile(rf"\b{_SELF}\s+(?:\w+\s+){{0,2}}(?:på|i|ved|in|from|{_AT_THE})\s+(?:\w+\s+)?(?:kommunen|kommuna|"
                            rf"hjemmetjenesten|heimetenesta|hjemmesykepleien|heimesjukepleia|sykehjemmet|sjukeheimen|"
                            rf"helsestasjonen|legevakten|legevakta|tildelingskontoret|the municipality|home care|"
                            rf"the nursing home|nursing home)\b|\b(?:som|as an?|i'm an?|i am an?|jeg er|eg er)\s+"
                            rf"(?:fastlege|kommunelege|helsesykepleier|helsesjukepleiar|saksbehandler|gp|municipal)\b|"
                            # "As the municipal coordinator …", "Som kommunal koordinator …"
                            rf"\b(?:som|as(?: the| an?)?|i'm(?: the| an?)?|i am(?: the| an?)?|jeg er|eg er)\s+"
                            rf"(?:municipal|kommunal|kommunale)\s+(?:\w+\s+)?{_ROLE_NOUN}\b|"
                            rf"\b(?:vår|vår|our)\s+(?:kommune|municipality)\b", re.I)),
]


def party_mentions(text: str) -> list[tuple[int, str]]:
    """(position, party) of every party the text names."""
    found = [(m.start(), party) for party, rx in _PARTY_RX for m in rx.finditer(text)]
    return sorted(found)


# Where the asker works, named without "vi i …": "Hjemmesykepleien fikk melding … brukerne våre",
# "Som fastlege lurer jeg på …". A unit of one side only, and the asker speaking of itself.
_UNITS = (("UNN", re.compile(r"\b(?:sengeposten|sengepost|på posten|[a-zæøå]{2,}-post(?:en)?|avdelingen|avdelinga|"
                             r"poliklinikken|barselavdelingen|føden|"
                             r"intensiv\w*|sykehuslegen?|the ward|ward nurses?)\b", re.I)),
          ("Kommunen", re.compile(r"\b(?:hjemmesykepleien|heimesjukepleia|heimesjukepleien|hjemmetjenesten|heimetenesta|"
                                  r"sykehjemmet|sjukeheimen|helsestasjonen|tildelingskontoret|legevakten|legevakta|"
                                  r"fastlege|fastlegen|kommunelege|legekontoret|legekontor|home care|nursing home|gp)\b",
                                  re.I)))
_TOWARDS = re.compile(r"\b(?:til|fra|frå|mot|hos|med|overfor|to|from|with)\s+$", re.I)  # just before a unit
_FIRST_PERSON = re.compile(r"\b(?:vi|oss|vår|våre|vårt|jeg|eg|meg|min|mine|mitt|we|us|our|i|my)\b", re.I)


def speaker_side(text: str) -> str | None:
    for party, rx in _SPEAKER:
        if rx.search(text):
            return party
    if _FIRST_PERSON.search(text):
        # Not a unit the asker writes to or hears from ("sende en mail til sengeposten", "svar
        # fra sengeposten"): that is the other side.
        sides = {party for party, rx in _UNITS for m in rx.finditer(text) if not _TOWARDS.search(text[:m.start()])}
        if len(sides) == 1:
            return sides.pop()
    return None


def asked_party(text: str, speaker: str | None) -> str | None:
    """The party whose duty or role the question is about: the subject of its asking clause
    ("Hva må sykehuset sende …", "Skal kommunen …", "kommunens ansvar"), "vi" for the side it is
    asked from, or None (a "who" question, or none named). A sentence that sets the scene and
    asks after a dash or a colon ("Pasienten ble lagt inn i går – hvor lang tid har sykehuset på
    å sende tidligmelding?") is read whole first, then from its question word."""
    ask = ask_part(text)
    if _RECEIVES.search(ask):
        # "Does the hospital need to be told anything?", "Må kommunen få beskjed?": the party
        # named is the one told, not the one whose duty it is.
        return None
    party = _subject_party(ask, speaker)
    wh = _CLAUSE_QUESTION.search(ask)
    if party is None and wh is not None and not _ASKS_ALREADY.search(ask[:wh.start()]):
        party = _subject_party(ask[wh.start("wh"):], speaker)
    return party


# Being told rather than telling: the subject is the receiving side.
_RECEIVES = re.compile(r"\b(?:be|get|being)\s+(?:told|informed|notified|warned|sent)\b|"
                       r"\b(?:bli|blir|vert|verte)\s+(?:informert|varslet|varsla|orientert|tilsendt)\b|"
                       r"\b(?:få|får)\s+(?:beskjed|vite|melding|informasjon|varsel)\b", re.I)


def _subject_party(ask: str, speaker: str | None) -> str | None:
    for party, words_ in _PARTY_WORDS:
        if re.search(rf"\b(?:{words_})s?\s+(?:ansvar|oppgåver|oppgaver|plikt\w*|rolle|del|delen|jobb|responsibilit\w*|duties|role|tasks|part)\b|"
                     rf"\b(?:{words_})\s+(?:sitt|sine|si)\s+(?:ansvar|oppgåver|oppgaver|plikt\w*|rolle)\b", ask, re.I):
            return party
    # "Må både kommunen og UNN …", "Skal sykehuset og kommunen …": both sides together.
    pair = re.search(rf"\b{_MODAL}\s+(?:både\s+|baade\s+|both\s+)?(?P<one>{_UNN_WORDS}|{_MUNI_WORDS})\s+(?:og|and)\s+"
                     rf"(?P<two>{_UNN_WORDS}|{_MUNI_WORDS})\b", ask, re.I)
    if pair and {party for _, party in party_mentions(pair.group("one"))} != {party for _, party in
                                                                              party_mentions(pair.group("two"))}:
        return "Felles"
    subject = re.search(rf"\b{_MODAL}\s+(?:da\s+|så\s+|også\s+|egentlig\s+|eigentleg\s+)?(?P<who>\w+(?:\s+\w+)?)", ask, re.I)
    candidates = []
    if subject:
        candidates.append(subject.group("who"))
    lead = re.search(rf"(?:^|[.?!,]\s*)(?:og\s+|men\s+|and\s+)?(?P<who>\w+(?:\s+\w+)?)\s+{_MODAL}\b", ask, re.I)
    if lead:
        candidates.append(lead.group("who"))
    # A duty reported from a document: "What does the agreement say UNN must provide …?", "Hva
    # sier veilederen at kommunen skal …?" ask of the party after "say", not of the document.
    reported = re.search(rf"\b(?:say|says|state|states|sier|seier|står det|stend det)\s+(?:(?:\w+\s+){0,3}?(?:at|that)\s+)?"
                         rf"(?P<who>\w+(?:\s+\w+)?)\s+{_MODAL}\b", ask, re.I)
    if reported:
        candidates.append(reported.group("who"))
    # An embedded question: "… lurer jeg på om jeg må skrive rekvisisjon".
    embedded = re.search(rf"\b(?:om|at|hvis|dersom|whether|if)\s+(?P<who>{_SELF})\s+{_MODAL}\b", ask, re.I)
    if embedded:
        candidates.append(embedded.group("who"))
    # The asker as the subject inside the question: "Er det noe spesielt vi må opplyse om?"
    inside = re.search(rf"\b(?P<who>{_SELF})\s+{_MODAL}\b", ask, re.I)
    if inside:
        candidates.append(inside.group("who"))
    # The next modal's subject, where the first modal is the asked thing's noun ("Kva plikter
    # har UNN …": "plikter" is the duties, "har UNN" the clause).
    if re.search(r"\b(?:hva|kva|hvilke|which|what)\s+(?:plikter|pliktar)\s", ask, re.I):
        candidates.extend(m.group("who") for m in
                          list(re.finditer(rf"\b{_MODAL}\s+(?=(?P<who>\w+(?:\s+\w+)?))", ask, re.I))[1:2])
    for who in candidates:
        if re.match(rf"{_SELF}\b", who, re.I):
            return speaker
        for party, rx in _PARTY_RX:
            if rx.match(who):
                return party
    return None


# --- focus words -------------------------------------------------------------------------
# Words that say what kind of question it is, or who asks, not what it is about.
_NOT_FOCUS = frozenset("""
hvem kven who whose whom hva kva what hvilken hvilke hvilket kva kor hvor how when når why hvorfor kvifor
ansvar ansvaret ansvarlig ansvarleg responsible responsibility frist fristen deadline paragraf lov loven
skal må kan bør får gjør gjøre gjere do does must should can may will would could shall need needs trenger
pasient pasienten pasientar pasienter pasientane pasientene patient patients bruker brukeren
spørsmål lurer lurte wonder please takk thanks hei hallo
maks maksimal maksimalt minimum minst mest ca cirka omtrent vanlig vanleg typisk normalt egentlig eigentleg
mulig mogleg ofte lenge mange mye mykje stor store lang lange langt
innan tid tida tiden dagen døgnet tidspunkt tidspunktet stedet staden instead
forskrift forskriften forskrifta hjemmel hjemmelen hjemlet heimel heimla lovhjemmel lovheimel
heter heiter navn navnet namn namnet name
many much long often
mens medan hos imot overfor etterpå fortsatt framleis likevel selve faktisk gjerne snart allerede alltid aldri
igjen enda ennå helt heilt veldig ganske litt mer meir hele heile gjennom rundt inne ute våre vårt vår dykkar
dersom fordi sidan siden nok neste
about after before between while during still also already again then some every each into than just only
even really actually anyway too very more next such other another
she he her him his they them their you your was were been being got gets
""".split())
# Light verbs name no topic ("Hva gjelder når pasienten ligger på sykehuset?" is about the stay),
# so they are no focus words; but they make a question of their own: "Når går ansvaret over til
# kommunen – hva må UNN gjøre da?" asks more than "og UNN?" (see bare_party).
_LIGHT_VERBS = frozenset("""
gjelder gjeld kommer kjem går står ligger ligg sier seier fikk fekk mener meiner vet veit spør tar tek gir
holder held finnes finst skjer
""".split())


def focus_words(reading: QueryWords, knows, stop=None, family: frozenset[str] | None = None,
                asked=None) -> tuple[Focus, ...]:
    """The question's content words, each with how the documents know it: as written, by
    stem, in the glossary, in its bokmål form, by a spelling fix, in the same word family (a
    word the documents have that differs only in its ending: "koster" – "kostnad"), or as a
    word clinicians use in the stored questions about what the documents cover."""
    stop = stop or stopwords()
    party_words = {w for _, words_ in _PARTY_WORDS for w in words_.replace("'", " ").split("|") if " " not in w}
    forms = dict(reading.forms)
    fixes = dict(reading.fixes)
    glossary_words = {w for term in reading.matched for w in words(term)}
    out: dict[str, Focus] = {}
    for word in words(fold_particle_verbs(reading.text)):
        if (len(word) < 3 or word in stop or word in _NOT_FOCUS or word in _LIGHT_VERBS or word in party_words
                or word.isdigit() or word in out):
            continue
        if knows(word):
            out[word] = Focus(word, True)
        elif word in glossary_words:
            out[word] = Focus(word, True, "ordliste")
        elif word in forms:
            out[word] = Focus(word, True, "nynorsk")
        elif word in fixes:
            out[word] = Focus(word, True, "stavekontroll")
        elif word.endswith("s") and len(word) > 2 and knows(word[:-1]):
            out[word] = Focus(word, True, "ordfamilie")  # a passive or a genitive: "gås", "rådets"
        elif family is not None and _in_family(word, family):
            out[word] = Focus(word, True, "ordfamilie")
        elif asked is not None and asked(word):
            out[word] = Focus(word, True, "spørsmål")
        else:
            out[word] = Focus(word, False)
    return tuple(out.values())


FAMILY_MIN = 4  # letters a word must share with a documents' word to be of its family
FAMILY_ENDING = 3  # letters after the shared part that may differ
FAMILY_MAX = 60  # longest beginning kept: the corpus's longest word has 38 letters, and a
# document holding one 1 MB "word" made this set of beginnings quadratic (a MemoryError)


def word_family(vocabulary) -> frozenset[str]:
    """Every beginning (of FAMILY_MIN to FAMILY_MAX letters) of the documents' words."""
    return frozenset(w[:k] for w in vocabulary for k in range(FAMILY_MIN, min(len(w), FAMILY_MAX) + 1))


def _in_family(word: str, family: frozenset[str]) -> bool:
    return len(word) > FAMILY_MIN and word[:max(FAMILY_MIN, len(word) - FAMILY_ENDING)] in family


def _family_of(lexical) -> frozenset[str]:
    cached = lexical.__dict__.get("_word_family")
    if cached is None:
        cached = lexical.__dict__["_word_family"] = word_family(lexical.vocabulary)
    return cached


# --- language ------------------------------------------------------------------------------
_NYNORSK_STRONG = re.compile(r"\b(?:kva|kven|korleis|kvifor|kvar|ikkje|eg|frå|berre|noko|nokon|mykje|meir|sjølv|"
                             r"sjukehus\w*|sjukeheim\w*|heimesjuke\w*|teneste\w*|vert|dykk|òg|gjeld|vere|seie|"
                             r"korkje|heilt|fekk|tek|høyrer|kvart|følgje|sørgje\w*|ein|eit|dei|kor)\b", re.I)
_NYNORSK_WEAK = re.compile(r"\b(?:ei|ho|gjere|treng|kjem|liggje\w*|pasientane|kommunane|tilsette|skriven)\b", re.I)
_ENGLISH_WORDS = re.compile(r"\b(?:the|of|and|is|are|was|what|what's|which|who|whom|whose|when|where|why|how|does|do|"
                            r"can|could|should|would|will|with|from|our|we|my|you|your|it|it's|this|that|these|they|"
                            r"their|there|about|after|before|must|has|have|if|on|in|to|a|an|i'm)\b", re.I)
_NORWEGIAN_WORDS = re.compile(r"\b(?:og|er|det|som|på|ikke|ikkje|jeg|eg|vi|har|skal|må|hva|kva|hvem|kven|når|til|"
                              r"med|av|for|en|ei|ein|et|eit|den|de|dei|om|fra|frå|hvis|viss|kan|blir|vert|pasienten)\b", re.I)


def language(text: str) -> str:
    """"en", "nn" or "nb": by the function words a question uses."""
    if looks_english(text) or len(_ENGLISH_WORDS.findall(text)) > len(_NORWEGIAN_WORDS.findall(text)):
        return "en"
    if _NYNORSK_STRONG.search(text) or len(_NYNORSK_WEAK.findall(text)) >= 2:
        return "nn"
    return "nb"


# --- follow-ups ----------------------------------------------------------------------------
_CONTINUES = re.compile(r"^\s*(?:og|men|så|eller|enn|også|and|but|so|or|also|what about|how about|hva med|kva med|"
                        r"hvordan med|korleis med|hva om|kva om|what if|same for)\b", re.I)
# Words that point back: "gjelder det …?", "hvem betaler da?", "hvor raskt må den sendes?".
_POINTS_BACK = re.compile(r"\b(?:gjelder det|gjeld det|gjelder dette|gjeld dette|gjelder den|does that|does this|"
                          r"does the same|is that|is this|i så fall|in that case|in this case|det der|den der|"
                          r"(?:de|dei|den|det|han|ho|hun|they|it)\s+(?:da|då|også|òg))\b", re.I)
# Ending on "da", "også", "i stedet" ("Hun skal på sykehjem i stedet.", "She is going to a nursing
# home instead.") or on a place named before ("… mens de ligger der?") leans on what was said.
_THEN_LAST = re.compile(r"\b(?:da|då|then|etterpå|også|òg|too|as well|likevel|anyway|i stedet|i staden|istedenfor|"
                        r"isteden|instead|der|dar|there)\s*[?.!]*\s*$", re.I)
_THEN = re.compile(r"\b(?:da|då|then|også|òg|likevel|still)\b", re.I)
# A modal before a person named before ("må dei", "should they"): the person is its subject.
_MODAL_BEFORE_PERSON = r"må|skal|kan|bør|får|vil|must|should|can|do|does|will"
_PERSON = r"de|dei|han|ho|hun|they|he|she"
_PRONOUN = re.compile(r"\b(?:den|det|dette|denne|disse|de|dei|dem|han|ho|hun|henne|ham|it|that|this|they|them|those)\b"
                      r"(?=\s*[?.,!]|\s*$|\s+(?:må|skal|kan|bør|er|var|blir|vert|gjelder|gjeld|gis|sendes|sendast|"
                      r"\w+es|\w+ast|være|vere|own|must|should|be|is|are|apply|applies|mean|cover|covers|"
                      r"da|då|også|òg|der|then|also|too)\b)|"
                      r"\b(?:den|denne|dette|disse|that|this|those)\s+(?:\w+en|\w+et|\w+ene|\w+a|plikt\w*|duty|rule|regel)\b|"
                      # a person named before, asked about after a modal: "Innan kva tid må dei svare?"
                      rf"\b(?:{_MODAL_BEFORE_PERSON})\s+(?:{_PERSON})\b",
                      re.I)
_VERB = re.compile(r"\b(?:er|var|har|hadde|må|skal|kan|bør|får|gjør|gjer|blir|vert|gjelder|gjeld|is|are|was|has|have|"
                   r"do|does|must|should|can|will|(?!etter|over|under|hver|eller|heller|sammen|inne|oppe|ute)\w{3,}(?:er|es|ar|ast|te|de))\b",
                   re.I)
FOLLOW_UP_SCORE = 3


# A question that opens with a modal and a personal pronoun as its subject ("Må dei vere
# tilgjengelege …?", "Kan de delegere …?", "Should they …?") asks about someone named before.
_OPENS_ON_PERSON = re.compile(rf"^\W*(?:(?:og|men|and|but)\s+)?"
                              rf"(?:{_MODAL_BEFORE_PERSON}|gjer|gjør|har|er|have|has|are|is)\s+(?:{_PERSON})\b", re.I)


_OPENS_ON_PARTY = re.compile(rf"^\W*(?:{_MODAL_BEFORE_PERSON}|har|er|gjelder|gjeld|plikter|pliktar|has|is|are)\s+"
                            rf"(?:{dict(_PARTY_WORDS)['UNN']}|{dict(_PARTY_WORDS)['Kommunen']})\b", re.I)


def follow_up_score(text: str, focus: tuple[Focus, ...]) -> int:
    """How strongly a question leans on the one before it: it opens as a continuation ("og",
    "hva med", "what about"), points back ("gjelder det", "hvem betaler da?", "må den …"), is a
    fragment without a verb, and has few topic words of its own; a question with many is one
    of its own."""
    topic = len(focus)
    n_words = len(words(text))
    score = 4 * bool(_CONTINUES.search(text)) + 3 * bool(_POINTS_BACK.search(text))
    score += 2 if _THEN_LAST.search(text) else bool(_THEN.search(text))
    score += 2 if _OPENS_ON_PERSON.search(text) else bool(_PRONOUN.search(text))
    score += n_words <= 6 and not _VERB.search(text)
    score += {0: 2, 1: 2, 2: 1, 3: 0}.get(topic, -1 if topic < 6 else -2)
    score += n_words <= 8
    # "Kan sykehuset ta betalt for å veilede hjemmesykepleien?" opens on its own subject, a party
    # named, not on one pointed back to ("Kan de …"): a question of its own.
    score -= bool(_OPENS_ON_PARTY.match(text))
    return score


def is_follow_up(text: str, focus: tuple[Focus, ...]) -> bool:
    return follow_up_score(text, focus) >= FOLLOW_UP_SCORE


# The other side of the agreement from each party (the two parties together have none).
OTHER_SIDE = {"UNN": "Kommunen", "Kommunen": "UNN"}


def _swap_parties(text: str, new: str | None) -> str | None:
    """The earlier question asked of another party: in its asking sentence, the party it asks
    about becomes `new` (None: the other side of UNN and the municipality) and `new`, where that
    sentence names it as the other party, the old one: "Hva må sykehuset sende til kommunen …"
    followed by "og kommunen?" reads "Hva må kommunen sende til UNN …". None when the earlier
    question asks about no party."""
    old = asked_party(text, speaker_side(text))
    if new is None:
        new = OTHER_SIDE.get(old or "")
    if old is None or not new or old == new:
        return None
    ask = ask_part(text)
    at = text.rfind(ask)
    words_of = dict(_PARTY_WORDS)
    old_rx = re.compile(rf"\b(?:{words_of[old]})\b", re.I)
    new_rx = re.compile(rf"\b(?:{words_of[new]})s?\b", re.I)
    if at < 0 or not old_rx.search(ask):
        return None
    english = language(text) == "en"
    swapped = new_rx.sub("\x00", ask)
    swapped = old_rx.sub(lambda m: _party_name(new, m.group(0), english), swapped, count=1)
    swapped = swapped.replace("\x00", (_PARTY_NAME_EN if english else _PARTY_NAME)[old])
    return text[:at] + swapped + text[at + len(ask):]


_PARTY_NAME = {"UNN": "UNN", "Kommunen": "kommunen", "Felles": "begge partene"}
_PARTY_NAME_EN = {"UNN": "UNN", "Kommunen": "the municipality", "Felles": "both parties"}


def _party_name(party: str, replaced: str, english: bool = False) -> str:
    """The party's name in the language and form of the word it replaces (possessive
    "kommunens", "UNNs", "the municipality's")."""
    name = (_PARTY_NAME_EN if english else _PARTY_NAME)[party]
    lower = replaced.lower()
    if lower.endswith("'s"):
        name = f"{name}'s"
    elif lower.endswith("s") and lower not in ("begge parter", "partnerne", "partene", "gps", "both parties"):
        name = "UNNs" if party == "UNN" else f"{name}s" if party == "Kommunen" and not english else name
    capital = replaced[:1].isupper() and not replaced.isupper()  # "Sykehuset" starts a sentence, "UNN" need not
    return name[0].upper() + name[1:] if capital and party != "UNN" else name


_DESTINATION = re.compile(r"\b(?:til|to|into)\s+(?:(?:et|ei|en|eit|ein|a|an|the)\s+)?$", re.I)


def bare_party(text: str) -> str | None:
    """The party a follow-up names when it asks nothing else ("og kommunen?", "hva med UNN?",
    "what about the GP?", "Hva har UNN ansvar for her?")."""
    core = _CONTINUES.sub("", text).strip(" ?.!,")
    # A place the patient goes to names no party asked about: "Hva om han skal til sykehjem
    # da?" asks the earlier question for another destination, not what the municipality does.
    mentions = [(at, party) for at, party in party_mentions(core) if not _DESTINATION.search(core[:at])]
    if not mentions:
        return None
    stop = stopwords()
    rest = [w for w in words(core) if w not in stop and w not in _NOT_FOCUS and w not in ("her", "der", "då", "da")
            and not any(rx.fullmatch(w) for _, rx in _PARTY_RX)]
    parties = {party for _, party in mentions}
    return mentions[0][1] if not rest and len(parties) == 1 else None


# A follow-up that asks the earlier question the other way round.
REVERSE = re.compile(r"\b(?:motsatt vei|motsett veg|motsatt veg|andre veien|andre vegen|omvendt|"
                      r"(?:the )?other way(?: round| around)?|vice versa|the reverse|conversely)\b", re.I)


def interpret(text: str, earlier: str) -> str:
    """A follow-up read with the question before it: a bare party ("og kommunen?", "what about
    the GP?") asks the earlier question of that party; a party's duties asked after a narrower
    question ("og hva er kommunens ansvar?" after "Hva må sykehuset sende … før utskrivning?")
    ask that on the earlier topic ("Hva er kommunens ansvar før utskrivning?"); anything else
    is the earlier question with the follow-up joined on ("Når må kommunen svare … – gjelder
    det i helgene også?")."""
    if REVERSE.search(text) and (swapped := _swap_parties(earlier, None)):
        # "Gjeld det motsett veg òg?" asks the earlier question with its parties the other way
        # round: what UNN must do for the municipality becomes what the municipality must do for UNN.
        return swapped
    party = bare_party(text)
    broader = bool(party) and "duty" in answer_types(text) and "duty" not in answer_types(earlier)
    if party and not broader and (swapped := _swap_parties(earlier, party)):
        return swapped
    # A follow-up that asks its own question of the other side ("Og hva må kommunen ha på
    # plass?" after "Hva er UNN sitt ansvar når det gjelder smittevern …?") asks it on the
    # earlier topic with the earlier question turned to that side, so the earlier party's
    # words do not pull the answer back to it.
    if not party and (own := asked_party(text, speaker_side(text))) in OTHER_SIDE:
        earlier = _swap_parties(earlier, own) or earlier
    follow = re.sub(r"^\s*(?:og|men|så|and|but|so)\b[\s,]*", "", text.strip(), flags=re.I)
    if broader and follow and (topic := _topic_phrase(earlier)):
        # The scene the earlier question set before asking ("I'm on the emergency preparedness
        # team at UNN.") stays: it says what the topic is about.
        ask = ask_part(earlier)
        at = earlier.rfind(ask) if ask else -1
        scene = earlier[:at].strip() if at > 0 else ""
        return f"{scene} {follow[0].upper()}{follow[1:].rstrip('?.! ')} {topic}?".lstrip()
    earlier = earlier.strip().rstrip("?.! ")
    if not follow:
        return earlier + "?"
    if not re.match(r"(?:UNN|KAD|ØHD|USK|IP|KE|GP|PLO|I)\b", follow):
        follow = follow[0].lower() + follow[1:]
    if not follow.endswith("?"):
        follow = follow.rstrip(".!…;: ") + "?"
    return f"{earlier} – {follow}"


_PREPOSITION = re.compile(r"\b(?:før|ved|etter|under|om|for|av|med|i|på|fra|frå|til|when|before|after|during|for|of|"
                          r"about|at|on|in|from|to|with)\b", re.I)


def _topic_phrase(question: str) -> str | None:
    """What an earlier question was about, as its phrases after a preposition that name more
    than a party ("Hva må sykehuset sende til kommunen før utskrivning?" → "før utskrivning")."""
    ask = ask_part(question).strip().rstrip("?.! ")
    starts = [m.start() for m in _PREPOSITION.finditer(ask)]
    phrases = [ask[a:b].strip(" ,") for a, b in zip(starts, starts[1:] + [len(ask)])]
    stop = stopwords()
    kept = [p for p in phrases
            if [w for w in words(p)[1:] if w not in stop and not any(rx.fullmatch(w) for _, rx in _PARTY_RX)]]
    return " ".join(kept) or None


# A question that scores this far below FOLLOW_UP_SCORE (but not below it by more) may still be
# a follow-up: the service searches it both ways and keeps the reading that finds a nearer
# stored question (see Question.maybe_follow_up).
MAYBE_FOLLOW_UP_SCORE = 1


# A question that speaks of a duty or a responsibility ("Har vi plikt til …", "Er det bare
# lederne som har ansvar …"), in bokmål, nynorsk or English. "må" and "skal" are not enough:
# "Hva må skje før …" asks a procedure.
_DUTY_WORDS = re.compile(r"\b(?:\w*plikt\w*|\w*ansvar\w*|forplikt\w*|responsib\w*|obliged|duty|duties)\b", re.I)


def understand(text: str, lexical, glossary=None, history: tuple[str, ...] | list[str] = (),
               as_follow_up: bool | None = None) -> Question:
    """Read a question once (with the conversation's earlier questions, oldest first);
    `as_follow_up` True or False overrides the decision whether it leans on them."""
    history = tuple(h for h in history if h and h.strip())
    stop = stopwords()
    own = read_words(text, lexical, glossary)
    family = _family_of(lexical)
    asked = getattr(lexical, "asked", None)
    own_focus = focus_words(own, lexical.knows, stop, family, asked)
    lang = language(text)
    interpreted = None
    reading, focus = own, own_focus
    score = follow_up_score(text, own_focus) + _shares_topic(own_focus, history[-1], lexical) if history else 0
    follow = as_follow_up if as_follow_up is not None else score >= FOLLOW_UP_SCORE
    maybe = bool(history) and as_follow_up is None and not follow and score >= MAYBE_FOLLOW_UP_SCORE
    if history and follow:
        earlier = _resolve(history, lexical, glossary)
        interpreted = interpret(text, earlier)
        reading = read_words(interpreted, lexical, glossary)
        focus = focus_words(reading, lexical.knows, stop, family, asked)
    asks = own_asks = answer_types(text)
    bare = bare_party(text) if interpreted else None
    if bare:
        asks = ("duty",) + answer_types(interpreted)  # "og kommunen?": what must the municipality do
    elif interpreted:
        asks = asks + answer_types(interpreted)
    asks = tuple(dict.fromkeys(asks))
    speaker = speaker_side(" ".join((*history, text)) if interpreted else text)
    own = own_party(text, speaker) if interpreted else asked_party(text, speaker)
    party = own or (asked_party(interpreted, speaker) if interpreted else None)
    return Question(text=text, words=reading, lang=lang, asks=asks, own_asks=own_asks, party=party, speaker=speaker,
                    focus=focus,
                    history=history, interpreted=interpreted, maybe_follow_up=maybe,
                    turns_to_party=bool(interpreted and own and own != "Felles"),
                    names_duty=bool(_DUTY_WORDS.search(text)))


# How a follow-up may open before what it names: "og …", "men hva med …", "and what about …".
_FOLLOW_UP_OPENING = r"^\W*(?:(?:og|men|ok|okei|så|and|but)\s+)?(?:(?:hva|kva) med\s+|what about\s+)?"
_FRONTED = re.compile(rf"{_FOLLOW_UP_OPENING}(?P<party>[\w ]{{2,30}}?)\s*[,–-]\s*\S", re.I)


def own_party(text: str, speaker: str | None) -> str | None:
    """The party a follow-up names in its own words: alone ("og kommunen?"), as the subject of
    its question ("hva er kommunens del av det?"), put before it ("og kommunen, kva må dei …")
    or as the side its people come from ("og for de som kommer fra sykehuset?")."""
    return (bare_party(text) or asked_party(text, speaker) or _named_in(_FRONTED, text)
            or _named_in(_PEOPLE_OF, text))


# The side a follow-up's people come from: "og for de som kommer fra sykehuset?", "og dei
# tilsette i kommunen?", "and those from UNN?".
_PEOPLE_OF = re.compile(rf"{_FOLLOW_UP_OPENING}(?:for\s+|om\s+)?"
                        r"(?:de|dei|dem|those|the ones|the staff|staff|personellet|personell|de ansatte|dei tilsette|"
                        r"ansatte|tilsette)(?:\s+som\s+(?:kommer|kjem|er|jobber|arbeider|comes?|is|are|works?))?\s+"
                        r"(?:fra|frå|i|på|from|at|in)\s+(?P<party>[\w ]{2,30}?)\s*[?.!]*\s*$", re.I)


def _named_in(rx: re.Pattern, text: str) -> str | None:
    """The one party named in the `party` group of a follow-up's opening pattern (the party put
    before its question, "og kommunen, kva må dei sikre …?", or the side its people come from)."""
    m = rx.match(text)
    mentions = party_mentions(m.group("party")) if m else []
    return mentions[0][1] if len({party for _, party in mentions}) == 1 else None


TOPIC_STEM_MIN = 4  # letters a stem must have to tie a question to the one before it
# A word the documents use this often ("samhandling", "kommunen") names no one topic: a question
# that shares only such a word with the one before it may be about something else.
TOPIC_MAX_COUNT = 40


def _shares_topic(focus: tuple[Focus, ...], earlier: str, lexical) -> bool:
    """Whether a question's focus words name what the question before it was about ("Kven
    betaler for øvingane?" after "… planleggje beredskapsøvingar saman?"): a stem of one inside
    a rarer word of the other."""
    vocabulary = getattr(lexical, "vocabulary", {})
    before = [t for w in words(earlier) if vocabulary.get(w, 0) <= TOPIC_MAX_COUNT
              for t in terms(w) if len(t) >= TOPIC_STEM_MIN]
    for f in focus:
        for stem in terms(f.word):
            if len(stem) >= TOPIC_STEM_MIN and any(stem in t or t in stem for t in before):
                return True
    return False


def _resolve(history: tuple[str, ...], lexical, glossary) -> str:
    """The last earlier question as it was meant: itself a follow-up of the ones before it."""
    last = history[-1]
    if len(history) == 1:
        return last
    own = read_words(last, lexical, glossary)
    if not is_follow_up(last, focus_words(own, lexical.knows, family=_family_of(lexical),
                                          asked=getattr(lexical, "asked", None))):
        return last
    return interpret(last, _resolve(history[:-1], lexical, glossary))
