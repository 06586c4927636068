"""'Not covered' from what the question asks: words the documents never mention are named, a
detail they do not give is said to be missing (with what they do say), and covered questions
that only mention such things are still answered; with or without the list of topics."""

from __future__ import annotations

import pytest

from assistant.answer.compose import compose
from assistant.answer.coverage import Verdict, not_covered_text
from assistant.answer.understand import understand
from assistant.models import Focus, QueryWords, Question

pytestmark = pytest.mark.slow


def test_a_question_about_something_the_documents_never_mention_names_it(real_assistant):
    answer = real_assistant.ask("Hva er maks døgndose paracetamol for en skrøpelig eldre pasient?")
    assert answer.abstained and answer.abstain_reason == "unknown_terms"
    assert "paracetamol" in answer.unknown_terms and "«paracetamol»" in answer.answer
    assert answer.answer.startswith("Dokumentene nevner ikke") and answer.card is None and answer.excerpts


def test_a_detail_the_documents_do_not_give_is_said_to_be_missing(real_assistant):
    answer = real_assistant.ask("Hvor mye koster et døgn for en utskrivningsklar pasient i kroner?")
    assert answer.abstained and answer.abstain_reason == "missing_detail"
    assert "men oppgir ikke noe beløp" in answer.answer and "Det de sier: «" in answer.answer


@pytest.mark.parametrize("question", [
    "Hvor mange praksisplasser for sykepleierstudenter må UNN stille til disposisjon hvert år?",
    "Hvor mye får kommunen i kompensasjon fra UNN for hver cytostatikakur hjemmesykepleien gir?",
])
def test_a_number_about_another_matter_does_not_answer_a_how_many(real_assistant, question):
    """The sections are about the matter, but their only figures are of something else (the
    days of an invoice objection, a chapter number): the asked number is said to be missing."""
    answer = real_assistant.ask(question)
    assert answer.abstained and answer.abstain_reason == "missing_detail", answer.answer
    assert "men oppgir ikke noe beløp eller tall" in answer.answer


@pytest.mark.parametrize("question", [
    "Hvem må fortelle sykehuset hvor lenge beboeren beholder korttidsplassen sin?",
    "Hvem skal holde oversikten over antall ØHD-senger oppdatert?",
])
def test_a_who_question_is_not_refused_for_the_detail_it_only_mentions(real_assistant, question):
    """"Hvem må fortelle … hvor lenge" asks who, not how long: no number of days is missing. The
    party who does it is the card's, or its duty is among the duty table's first three rows (the
    second question's answer, "Kommunene er ansvarlig for oppdatering av informasjonen", stands
    in a sibling section of the national guide that the table reads and the card does not)."""
    answer = real_assistant.ask(question)
    assert not answer.abstained, answer.answer
    assert answer.card.party == "Kommunen" or any(d.actor == "Kommunen" for d in answer.responsibilities[:3])


def test_a_how_many_days_answered_only_by_hours_of_another_deadline_is_missing_its_detail(real_assistant):
    answer = real_assistant.ask("Hvor mange døgn kan en pasient ligge på ø-hjelpsplassen i kommunen før han må sendes videre?")
    assert answer.abstained and answer.abstain_reason == "missing_detail", answer.answer


def test_the_number_asked_for_is_answered(real_assistant):
    answer = real_assistant.ask("Hvor mange dager har kommunen på seg til å protestere på en faktura?")
    assert not answer.abstained and "innen 30 dager" in answer.answer


@pytest.mark.parametrize("question", [
    "Hvem sender tidligmelding ved innleggelse?",
    "Hvem skal holde telefonlisten til helsestasjonene oppdatert?",
    "Kan sykehuset ta betalt for å lære hjemmesykepleien vanlig sårstell?",
    "When must the municipality answer a message about a patient who is ready for discharge?",
    "Hjemmesykepleien fikk pasienten hjem uten oppdatert medisinliste – han står på Marevan. Hvem skulle sendt den?",
])
def test_covered_questions_are_answered_even_when_they_mention_unknown_things(real_assistant, question):
    answer = real_assistant.ask(question)
    assert not answer.abstained, answer.answer


def test_the_method_works_without_the_topic_list(real_assistant):
    question = understand("Hva er maks døgndose paracetamol for en skrøpelig eldre pasient?",
                          real_assistant.index.lexical)
    result = real_assistant.retriever.search(question)
    without = compose(result, real_assistant.index, question=question, use_topics=False)
    assert without.abstained and without.abstain_reason == "unknown_terms"


def test_the_not_covered_message_is_in_the_question_s_language():
    english = Question("What is the daily rate?", QueryWords("What is the daily rate?"), lang="en", asks=("amount",))
    text = not_covered_text(Verdict(False, "missing_detail", detail="amount"), english, "Kommunen betaler.", 1,
                            "Faktureringsveileder › 3")
    assert text.startswith("The documents cover this (Faktureringsveileder › 3), but do not give an amount")
    assert "What they say: «Kommunen betaler.» [1]" in text
    assert not_covered_text(Verdict(False, "unknown_terms", unknown=("marevan", "inr")), english, None, None, None) \
        == "The documents do not mention «marevan» or «inr»."


def test_the_json_says_why_a_question_is_not_covered(avtale_env):
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "assistant", "ask", "--json", "--lexical", "Hvem vant fotball-VM i 1998?"],
                          capture_output=True, text=True, timeout=120)
    data = json.loads(proc.stdout)
    assert data["abstained"] and data["abstain_reason"] == "unknown_terms" and "fotball" in data["unknown_terms"]
    assert data["card"] is None and data["interpreted"] is None


@pytest.mark.parametrize("question, sentence, kind, states", [
    ("Hvor mye koster et døgn for en utskrivningsklar pasient?", "Kommunen betaler fra første virkedag, 30 dager.", "amount", False),
    ("Hvor mye penger får vinneren av prisen?", "Prisen består av et diplom og 50.000 kroner.", "amount", True),
    ("Hva er egenandelen på korttidsplass?", "Egenandelen er 200 kr per døgn.", "amount", True),
    ("Hvor mange kommuner er med i helsefellesskapet?", "Helsefellesskapet har 19 kommuner.", "amount", True),
    ("Hvor mange fakturainnsigelser fikk UNN i fjor?", "Fakturainnsigelser sendes innen 30 dager.", "amount", False),
    ("Kor mange ambulante rehabiliteringsteam finst det?", "Helse Nord har sju ambulante team.", "amount", True),
    ("Hvor mange ØHD-senger må kommunen ha?", "Kommunen skal ha 4 senger for øyeblikkelig hjelp.", "amount", True),
    # a compound whose first part is derived has a two-part root ("utskriv*klar")
    ("Hvor mange utskrivningsklare lå på UNN i mars?", "I mars lå 12 utskrivingsklare på UNN.", "amount", True),
    ("Hva er døgnsatsen for en utskrivningsklar pasient?", "Døgnprisen fastsettes i statsbudsjettet.", "amount", False),
    # how much is paid, charged or earned asks money too: a number of days does not answer it
    ("Hvor mye får kommunen betalt fra UNN per cytostatikakur?", "Det tilstrebes 30 dagers betalingsforfall.", "amount", False),
    ("Hvor mye kan kommunen fakturere UNN per time for ledsageren?", "Ledsager dekkes med 450 kr per time.", "amount", True),
    ("How much does UNN pay the municipality per treatment day?", "Fakturaen betales innen 30 dager.", "amount", False),
    ("Hva er telefonnummeret til pasientreisekontoret?", "Ring pasientreiser på 05515.", "contact", True),
    ("Hva er telefonnummeret til koordinerende enhet?", "Kommunen skal ha en koordinerende enhet.", "contact", False),
    # a phone number asked: an e-mail address does not answer it, though it answers "hvilken adresse"
    ("Hva er direktenummeret til seksjon for samhandling?", "Forslag sendes på e-post til post@unn.no", "contact", False),
    ("Hvilken e-postadresse sender vi forslaget til?", "Forslag sendes på e-post til post@unn.no", "contact", True),
    ("Hvilket nummer ringer vi ved nedetid?", "Ring kundesenteret på 77 62 60 00.", "contact", True),
    ("Hvor lenge har kommunen på seg?", "Innsigelser sendes innen 30 dager fra mottatt faktura.", "duration", True),
    ("Hvor lenge har kommunen på seg?", "Kommunen skal svare så snart som mulig.", "duration", False),
    ("Hvor lenge varer sykehusets ansvar under transporten?",
     "Ved transport til privat hjem gjelder ansvaret inntil pasienten har kommet inn i hjemmet.", "duration", True),
    ("Når skal vi ta i bruk nye meldingstyper?", "Ta i bruk nye meldingstyper etter hvert som de blir godkjent.",
     "deadline", True),
    # "how many days" needs a number of days: hours of another deadline do not answer it
    ("Hvor mange døgn kan pasienten ligge på KAD?", "Tidligmelding sendes innen 24 timer etter innleggelse.",
     "duration", False),
    ("Hvor mange dager har vi på oss?", "Innsigelser sendes innen 30 dager fra mottatt faktura.", "duration", True),
    ("How many days does the hospital have to reply?", "Innsigelsen behandles innen 30 dager.", "duration", True),
    ("Kor mange timar etter samarbeidsmøtet må oppsummeringa sendast?", "Svar innen 3 virkedager.", "duration", False),
    ("Innen hvor mange timer må vi svare?", "Meldingen besvares innen 2 timer.", "deadline", True),
])
def test_a_detail_counts_only_when_a_sentence_states_it(question, sentence, kind, states):
    """A money question needs an amount of money, a "how many" a number, a phone number a
    number, a "how long" a number of days or hours: another figure does not answer it."""
    from assistant.answer.card import Candidate
    from assistant.answer.coverage import _states, asked_detail
    from assistant.models import Chunk

    chunk = Chunk("x#0", "x", "x", sentence, 1, 1)
    assert _states(kind, Candidate(sentence, 1, chunk, 0, None, None, 1.0), None, asked_detail(question)) is states


def test_a_sentence_pointing_back_is_about_what_the_sentence_before_names():
    """"Dette utvalget er etablert i 70 prosent av kommunene" answers a question about the
    local cooperation committee named in the sentence before it: its focus counts there."""
    from assistant.answer.card import Candidate
    from assistant.answer.coverage import _focus_share
    from assistant.models import Chunk

    class Index:
        def derived(self, name, build):
            return {}

    text = "Lokalt samarbeidsutvalg er et forum for fastlegene og kommunen. Dette utvalget er etablert i 70 prosent av kommunene."
    chunk = Chunk("x#0", "x", "x", text, 1, 1)
    question = Question(text="Hvor mange kommuner har lokalt samarbeidsutvalg?",
                        words=QueryWords(text="Hvor mange kommuner har lokalt samarbeidsutvalg?"), lang="nb",
                        focus=(Focus("lokalt", True), Focus("samarbeidsutvalg", True)))
    pointing = Candidate("Dette utvalget er etablert i 70 prosent av kommunene.", 1, chunk, 1, None, None, 1.0)
    alone = Candidate("Dette utvalget er etablert i 70 prosent av kommunene.", 1, chunk, 0, None, None, 1.0)
    assert _focus_share(question, pointing, Index()) == 1.0
    assert _focus_share(question, alone, Index()) == 0.0


def test_the_words_of_the_asked_time_do_not_make_a_sentence_about_the_matter():
    """"Innen hvor mange timer må vi returnere en feilsendt melding?": a sentence on another
    matter that says "innen 24 timer" holds the question's "innen" and "timer", but says
    nothing about returning a misdirected message."""
    from assistant.answer.card import Candidate
    from assistant.answer.coverage import _focus_share
    from assistant.models import Chunk

    class Index:
        def derived(self, name, build):
            return {}

    text = "Tidligmelding skal sendes til kommunen innen 24 timer etter innleggelse."
    question = Question(text="Innen hvor mange timer må vi returnere en feilsendt melding?",
                        words=QueryWords(text="Innen hvor mange timer må vi returnere en feilsendt melding?"), lang="nb",
                        focus=(Focus("innen", True), Focus("timer", True), Focus("returnere", True),
                               Focus("feilsendt", True), Focus("melding", True)))
    other = Candidate(text, 1, Chunk("x#0", "x", "x", text, 1, 1), 0, None, None, 1.0)
    assert _focus_share(question, other, Index()) == 0.0


def test_the_forms_of_one_word_count_as_the_question_s_focus():
    """"Hvor ofte skal UNN evaluere ø-hjelpssengene?" is about the sentence on "en årlig faglig
    evaluering av driften ved ø-hjelpsengene": a derivation ending and a linking letter do not
    make the sentence look like it is about something else. A compound is not its first part."""
    from assistant.answer.card import Candidate
    from assistant.answer.coverage import _focus_share, same_word
    from assistant.models import Chunk

    class Index:
        def derived(self, name, build):
            return {}

    text = "UNN forplikter seg til å delta i en årlig faglig evaluering av driften ved ø-hjelpsengene."
    asked = "Hvor ofte skal UNN evaluere driften?"
    question = Question(text=asked, words=QueryWords(text=asked), lang="nb",
                        focus=(Focus("evaluere", True), Focus("driften", True)))
    sentence = Candidate(text, 1, Chunk("x#0", "x", "x", text, 1, 1), 0, None, None, 1.0)
    assert _focus_share(question, sentence, Index()) == 1.0
    assert same_word("hjelpsseng", "hjelpseng")  # "ø-hjelpssengene" / "ø-hjelpsengene"
    assert same_word("samarbeidsutval", "samarbeidsutvalg")  # nynorsk
    assert not same_word("samarbeid", "samarbeidsavtal") and not same_word("plan", "planer")


@pytest.mark.parametrize("question, sentence, kind, states", [
    ("Hvor ofte skal ROS-analysen gjennomgås?", "Analysen gjennomgås en gang pr. år.", "deadline", True),
    ("Kor ofte skal planen reviderast?", "Planen revideres hvert år, eller oftere ved behov.", "deadline", True),
    ("Hvor ofte skal planen revideres?", "Planen skal revideres ved behov.", "deadline", False),
    ("Hvor mange hovedprinsipper bygger arbeidet på?", "Arbeidet bygger på de fire hovedprinsippene:", "amount", True),
])
def test_a_frequency_or_a_number_in_words_states_the_detail(question, sentence, kind, states):
    """"Hvor ofte?" is answered by "en gang pr. år" and "hvert år", not only by "årlig"; "how
    many" by "fire" as well as by "4"."""
    from assistant.answer.card import Candidate, supplies
    from assistant.models import Chunk

    chunk = Chunk("x#0", "x", "x", sentence, 1, 1)
    assert supplies(Candidate(sentence, 1, chunk, 0, None, None, 1.0), kind, None) is states


def test_a_nynorsk_question_s_focus_is_held_by_the_bokmal_sentence(real_assistant):
    """The share of the question's focus a sentence holds is counted in the documents' form:
    "rettleiing" and "spesialisthelsetenesta" are held by a sentence on "veiledning" from
    "spesialisthelsetjenesten" (otherwise a nynorsk question looks less covered than the same
    question in bokmål)."""
    from assistant.answer.card import Candidate
    from assistant.answer.coverage import _focus_share

    index = real_assistant.index
    chunk = next(c for c in index.chunks if "veiledning" in c.text)
    sentence = Candidate("Spesialisthelsetjenesten skal gi råd og veiledning til den kommunale helse- og "
                         "omsorgstjenesten.", 1, chunk, 99, "UNN", None, 1.0)

    def share(text):
        return _focus_share(understand(text, index.lexical, real_assistant.retriever.glossary), sentence, index)

    nynorsk = share("Har spesialisthelsetenesta plikt til å gi råd og rettleiing til heimetenesta?")
    bokmal = share("Har spesialisthelsetjenesten plikt til å gi råd og veiledning til hjemmetjenesten?")
    assert nynorsk > 0.5 and abs(nynorsk - bokmal) < 0.25


def test_a_follow_up_asking_its_own_kind_is_not_judged_on_the_earlier_question_s_detail(real_assistant):
    """"Kva skal den innehalde?" after "… hva sender vi tilbake, og hvor fort?" asks what the
    report must contain: an answer without a time is no missing detail."""
    from assistant.answer.coverage import _detail_kind

    lexical = real_assistant.index.lexical
    earlier = "Vi fikk en logistikkmelding om at en bruker er lagt inn på UNN. Hva sender vi tilbake, og hvor fort?"
    q = understand("Kva skal den innehalde?", lexical, history=[earlier])
    assert q.interpreted and "deadline" in q.asks
    assert _detail_kind(q) is None
    assert _detail_kind(understand(earlier, lexical)) == "deadline"


@pytest.mark.parametrize("earlier, follow_up, reason", [
    ("Hvilken dose Marevan skal pasienten ha etter utskrivning?", "og kommunen?", "unknown_terms"),
    ("Hvor ofte skal PICC-line skylles hos pasienter utskrevet fra UNN?", "Hva med hjemmesykepleien?", "missing_detail"),
])
def test_asking_a_not_covered_question_of_another_party_is_not_covered_either(real_assistant, earlier, follow_up,
                                                                               reason):
    """"og kommunen?" after a question the documents do not answer asks the same thing of the
    municipality: it gets the same "not covered", not the municipality's unrelated duties."""
    assert real_assistant.ask(earlier).abstain_reason == reason
    answer = real_assistant.ask(follow_up, history=[earlier])
    assert answer.interpreted and answer.abstained and answer.abstain_reason == reason, answer.answer
    assert answer.card is None and not answer.responsibilities


def test_a_follow_up_of_a_covered_question_asked_of_another_party_is_still_answered(real_assistant):
    earlier = "Hvem skal sende epikrise når pasienten skrives ut fra UNN?"
    answer = real_assistant.ask("og kommunen?", history=[earlier])
    assert answer.interpreted and not answer.abstained, answer.answer
