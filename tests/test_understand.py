"""Question understanding: what a question asks is read once, into a typed result: its language,
the kinds of answer it asks for, the party it is about, its focus words and whether the
documents know them, and what an elliptical follow-up means."""

from __future__ import annotations

import pytest

from assistant.answer.understand import (
    answer_types,
    asked_party,
    follow_up_score,
    language,
    speaker_side,
    understand,
)
from assistant.service import Assistant


@pytest.fixture(scope="module")
def lexical(tmp_path_factory, bundled_corpus_dir):
    return Assistant.open(bundled_corpus_dir, tmp_path_factory.mktemp("index"), use_encoder=False).index.lexical


@pytest.mark.parametrize("question, first", [
    ("Hvem sender tidligmelding ved innleggelse?", "party"),
    ("Kven har ansvaret for svangerskapskontrollane – kommunen eller UNN?", "party"),
    ("Er det vi eller sykehuset som skal bestille hjelpemidlene?", "party"),
    ("Når må kommunen svare på meldingen om utskrivningsklar pasient?", "deadline"),
    ("Hvor lang frist har kommunen for å sende fakturainnsigelse?", "duration"),
    ("Hvor lenge har kommunen på seg til å protestere på en faktura?", "duration"),
    ("Hvor lang er oppsigelsestiden for samarbeidsavtalen?", "duration"),
    ("Kor lang er oppseiingstida?", "duration"),
    ("Hvor lang vei er det til sykehuset?", "amount"),
    ("How quickly must the municipality answer?", "deadline"),
    ("Kor ofte skal beredskapsplanen reviderast?", "deadline"),
    ("Hvor mye koster et døgn for en utskrivningsklar pasient?", "amount"),
    ("Hvor mange KAD-senger har Tromsø kommune?", "amount"),
    ("Hvilken paragraf i loven gir kommunen plikt til ØHD?", "legal_basis"),
    ("Hva skal tidligmeldingen inneholde?", "content"),
    ("Kan fastlegen kreve veiledning fra UNN?", "permission"),
    ("Gjelder det i helgene også?", "yesno"),
    ("Hva menes med en utskrivningsklar pasient?", "definition"),
    ("Hvordan sender vi en fakturainnsigelse til UNN?", "procedure"),
    ("Hva er telefonnummeret til koordinerende enhet?", "contact"),
    ("Hva er kommunens ansvar ved utskrivning?", "duty"),
    # a follow-up's own ask, not the earlier question's
    ("og hva må være med i den?", "content"),
    ("and what has to be in it?", "content"),
    ("og hva skjer da?", "procedure"),
    ("Hva er egentlig hensikten med faglige nettverk?", "definition"),
    ("hvilket punkt i avtalen viser de til?", "legal_basis"),
    # a "when" clause that sets the scene before the question
    ("Når kommunen har tatt over en oppgave fra UNN, hvem har da det medisinskfaglige ansvaret?", "party"),
    ("Når en pasient ligger på ØHD i kommunen – hvem har det medisinskfaglige ansvaret?", "party"),
    ("When a patient is in the KAD bed: who pays for it?", "party"),
    ("Når skal epikrisen sendes, og hvem gjør det?", "deadline"),
    # nothing more specific asked
    ("Hva er egentlig PKO/praksiskonsulentordningen?", "definition"),
    ("Kommunen snakker om en progressiv betalingsmodell. Hva går det ut på?", "definition"),
    ("Hva må vi få med om boligen i tidligmeldingen?", "content"),
    ("What do we need to have in place for video consultations?", "content"),
    ("Hvilket tidspunkt på dagen bør sykehuset sende meldingen?", "deadline"),
    ("Hvilken kommune får regningen?", "party"),
    ("Which municipality has to pay for the days she is utskrivningsklar?", "party"),
    ("Hvilket organ avgjør om oppgaven skal overføres?", "party"),
    ("Hva er telefonnummeret til koordinerende enhet?", "contact"),
    # English contractions
    ("And what's the hospital's role?", "duty"),
    ("What’s the deadline for the municipality's reply?", "deadline"),
    # English: a phrase quoted before "mean", a circular
    ("What does 'complex or long-term coordinated services' mean for the coordinator?", "definition"),
    ("What do they mean by ØHD?", "definition"),
    ("Which circular describes the duty to give guidance in more detail?", "legal_basis"),
    # what something takes in
    ("Kva omfattar den bistanden konkret?", "content"),
    ("Hva omfatter smittevernbistanden fra UNN?", "content"),
])
def test_the_kind_of_answer_asked_for(question, first):
    assert answer_types(question)[0] == first


def test_when_as_a_conjunction_asks_for_no_deadline():
    # "når" opens the situation here, not the question: it asks for a party.
    assert answer_types("Hvem har ansvaret når pasienten skrives ut fra UNN?") == ("party",)


def test_a_two_part_question_asks_both_in_order():
    assert answer_types("Hva må sykehuset sende til kommunen før en pasient skrives ut, og når?")[-1] == "deadline"
    assert answer_types("Kan fastlegen kreve veiledning fra UNN, og koster det noe?") == ("permission", "cost")


def test_a_long_situational_question_is_read_by_its_asking_sentence():
    question = ("Vi har en pasient med KOLS som har ligget lenge hos oss, og familien er bekymret for hvordan det skal "
                "gå hjemme. Hvem skal kalle inn til samarbeidsmøte?")
    assert answer_types(question) == ("party",)


@pytest.mark.parametrize("question, first", [
    ("How many beds must the municipality have for acute 24-hour care?", "amount"),
    ("How many days does the municipality have to object to an invoice?", "duration"),
    ("What is the pay for a municipal coordinator?", "amount"),
    ("Kor lange er vaktene på sjukeheimen?", "amount"),
    ("Hvem er leder for det faglige samarbeidsutvalget for beredskap?", "contact"),
    ("Hvem er administrerende direktør i UNN?", "contact"),
    ("Hvem leder FSU barn og unge?", "contact"),
    ("Hva heter adm. dir. i UNN, han som skal skrive under på avtalen?", "contact"),
    ("Kva heiter ordføraren i kommunen vår?", "contact"),
    ("What is the name of the director of UNN?", "contact"),
    ("Hvem leder arbeidet med individuell plan når pasienten er innlagt?", "party"),
    ("What hourly rate can the municipality invoice UNN for an escort?", "amount"),
    ("Which sections of the law set out the hospital's duty to give guidance?", "legal_basis"),
    ("How does the agreement define infection control?", "definition"),
    ("Fra hvilken alder har gravide rett til fosterdiagnostikk?", "amount"),
    ("Until what age?", "amount"),
    ("Hvordan skal vi melde avvik, og hva menes med avvik?", "procedure"),
])
def test_how_many_how_long_the_pay_and_who_heads_ask_for_a_detail(question, first):
    """English "how many <thing>" asks a number as "hvor mange" does; "who is the head of …"
    asks for a person (a name or a number), which the documents state or not; "which
    sections" a paragraph; "how does it define" what a word means."""
    assert answer_types(question)[0] == first


def test_the_name_of_a_thing_is_not_a_contact_detail_and_heter_is_no_focus_word(lexical):
    """"Hva heter meldingen …?" asks what a thing is called, which the documents say, not for
    a person; "heter" is the question's, not a word the documents should hold."""
    assert "contact" not in answer_types("Hva heter meldingen som sendes ved innleggelse?")
    question = understand("Hva heter lederen av SSU?", lexical)
    assert question.asks[0] == "contact"
    assert "heter" not in {f.word for f in question.focus}


def test_a_scene_before_the_question_word_does_not_set_what_is_asked():
    """"… fikk råd om dosering – hvem har ansvaret?" asks who, not a dose; two questions joined
    ("Hvem kaller inn, og når …?", "Må vi drøfte det, og hvordan …?") keep their order."""
    assert answer_types("Som fastlege fikk jeg råd fra en kardiolog på UNN om dosering hos en pasient – "
                        "hvem har det faglige ansvaret for behandlingen?")[0] == "party"
    assert answer_types("Hvem kaller inn til samarbeidsmøte, og når skal det skje?") == ("party", "deadline")
    assert answer_types("Må vi drøfte det med UNN først, og hvordan foregår det?")[0] == "permission"


@pytest.mark.parametrize("question, party", [
    ("Hva må sykehuset sende til kommunen før en pasient skrives ut?", "UNN"),
    ("Hva er kommunens ansvar ved utskrivning?", "Kommunen"),
    ("Skal UNN varsle kommunen om fødselen?", "UNN"),
    ("Må begge partene kartlegge kompetansebehovet?", "Felles"),
    ("Hvem skal sende epikrisen?", None),
    # both sides as the subject: what they must do together
    ("Må både kommunen og UNN kartlegge kompetansebehovet?", "Felles"),
    ("Skal sykehuset og kommunen ha én fast adresse for varsler?", "Felles"),
    ("Must the hospital and the municipality both have a plan?", "Felles"),
    ("Skal sykehuset sende epikrise og legemiddelliste?", "UNN"),
    # the scene first, the question after a dash: its subject, not the scene's
    ("Pasienten ble lagt inn i går og vi i hjemmetjenesten har ikke hørt noe – hvor lang tid har sykehuset på å "
     "sende tidligmelding?", "UNN"),
])
def test_the_party_a_question_is_about(question, party):
    assert asked_party(question, speaker_side(question)) == party


@pytest.mark.parametrize("question", [
    "Pasienten klarer ikke å ta buss. Er det jeg som skal skrive rekvisisjon på pasientreisen, eller sykehuset?",
    "Må det være legen på sykehuset som gir veiledningen, eller kan andre gjøre det?",
    "Er det bare lederne som har ansvar for at avtalene blir brukt?",
    "Hvor skal planen være forankret – hos oss i kommunen eller på UNN?",
    "Hvem har plikt til å inngå avtalen – er det bare kommunen, eller sykehuset også?",
])
def test_a_cleft_or_parties_offered_as_alternatives_ask_which_party(question):
    assert "party" in answer_types(question)
    assert "yesno" not in answer_types(question) and "permission" not in answer_types(question)


@pytest.mark.parametrize("question", [
    "Kan jeg legge pasienten på ø-hjelpssenga i kommunen, eller må han til sykehuset?",
    "Er det noe som hindrer oss i å ringe?",
])
def test_a_place_or_an_existence_question_is_not_read_as_which_party(question):
    assert "party" not in answer_types(question)


def test_we_means_the_side_the_question_is_asked_from():
    ward = "Vi på sengeposten har en pasient som snart er ferdigbehandlet. Hva må vi gjøre før hun drar?"
    assert speaker_side(ward) == "UNN" and asked_party(ward, "UNN") == "UNN"
    municipal = "Vi i kommunen har fått melding om en innlagt pasient. Hva må vi sende?"
    assert speaker_side(municipal) == "Kommunen" and asked_party(municipal, "Kommunen") == "Kommunen"
    # the ward and the GP's office named apart from "vi"; "vi" as the subject inside the question
    assert speaker_side("Vi har ei barselkvinne på posten som trenger oppfølging. Hva må vi gjøre?") == "UNN"
    assert speaker_side("Vi på legekontoret har et forslag. Hvor sender vi det?") == "Kommunen"
    assert speaker_side("Pasient på PHV-post har tvangsmidler i bruk. Kan vi melde ham utskrivningsklar?") == "UNN"
    assert speaker_side("Vi fikk det på e-post. Hva må vi gjøre nå?") is None  # mail, not a ward
    # Norwegian "at" is "that": asked by the municipality, of the hospital
    asking = "Vi i kommunen er uenige. Kan vi kreve at sykehuset begrunner vurderingen?"
    assert speaker_side(asking) == "Kommunen" and asked_party(asking, "Kommunen") == "Kommunen"
    assert speaker_side("We at the hospital have a patient. What must we send?") == "UNN"
    nursing_home = "Pasienten legges inn fra korttidsplass på sykehjemmet vårt. Er det noe vi må opplyse sykehuset om?"
    assert asked_party(nursing_home, speaker_side(nursing_home)) == "Kommunen"
    # an asker who introduces themselves by a municipal role; "municipal" alone is no asker
    role = "As the municipal coordinator I see my client needs one at the hospital. How quickly must I notify UNN?"
    assert speaker_side(role) == "Kommunen" and asked_party(role, "Kommunen") == "Kommunen"
    assert speaker_side("Som kommunal koordinator lurer jeg på hvor raskt jeg må varsle UNN.") == "Kommunen"
    assert speaker_side("Is this counted as the municipal share of the costs?") is None


@pytest.mark.parametrize("question, side", [
    ("Hjemmesykepleien fikk melding om at en av brukerne våre er lagt inn. Hvor lang tid har vi på oss?", "Kommunen"),
    ("Som fastlege lurer jeg på om jeg må skrive rekvisisjon til pasienten.", "Kommunen"),
    ("Barselavdelingen har en mor som skal hjem i morgen. Hva må vi gjøre?", "UNN"),
    # the unit the asker writes to or hears from is the other side's
    ("Kan jeg bare sende en mail til sengeposten når noe gikk galt?", None),
    ("Vi har fått svar fra sengeposten på innsigelsen vår. Hvor kan vi klage?", None),
])
def test_the_side_is_read_from_the_asker_s_own_unit(question, side):
    assert speaker_side(question) == side


def test_an_embedded_we_or_i_is_the_asker_s_side():
    question = "Som fastlege lurer jeg på om jeg må skrive rekvisisjon til pasienten."
    assert asked_party(question, speaker_side(question)) == "Kommunen"


@pytest.mark.parametrize("question, lang", [
    ("Hvem sender tidligmelding?", "nb"),
    ("Kven har ansvaret når ein pasient vert skriven ut?", "nn"),
    ("Kor lenge har kommunen på seg?", "nn"),
    ("Who must send the discharge summary?", "en"),
    ("What's the direct phone number to AMK in Tromsø?", "en"),
])
def test_language(question, lang):
    assert language(question) == lang


def test_focus_words_say_how_the_documents_know_them(lexical):
    q = understand("Hva er maks døgndose Marevan for en pasient med heimesjukepleie og KAD-seng?", lexical)
    known = {f.word: (f.known, f.via) for f in q.focus}
    assert known["marevan"] == (False, "")
    assert known["heimesjukepleie"][0] and known["kad"] == (True, "ordliste")
    assert "marevan" in q.unknown and "hva" not in known  # question words are not focus words
    # "hvor stor", "hvor lang" ask a size or a length: the adjective is part of the question word
    share = understand("Hvor stor andel av kommunene hadde lokalt samarbeidsutvalg?", lexical)
    assert {f.word for f in share.focus} == {"andel", "lokalt", "samarbeidsutvalg"}


def test_passive_colloquial_and_nynorsk_forms_of_known_words_are_not_unknown(lexical):
    # "gås" (passive of "gå"), "sånt" (spoken "slikt"), "gong" (nynorsk "gang"): a question that
    # says them is not about something the documents never mention.
    q = understand("Må planen gås gjennom hver gong, og hvem gjør sånt?", lexical)
    known = {f.word: f.known for f in q.focus}
    assert known.get("gås", True) and known.get("sånt", True) and known.get("gong", True)
    # an unknown word's genitive stays unknown
    assert "marevans" in understand("Hva står i Marevans pakningsvedlegg?", lexical).unknown
    # nynorsk "oppseiing" is bokmål "oppsigelse", in compounds too
    q = understand("Kor lang oppseiingstid har samarbeidsavtalen?", lexical)
    assert {f.word: f.known for f in q.focus}["oppseiingstid"] and "oppseiingstid" not in q.unknown


def test_an_english_question_s_plain_words_are_known_through_the_glossary(lexical):
    """"duty", "notify", "staff", "costs": everyday English words of the domain are read as the
    documents' words ("plikt", "varsle", "personell", "kostnader"), not as unknown terms that
    the card's word match and the coverage check cannot use."""
    from assistant.answer.card import focus_aliases, match_terms

    q = understand("Does the hospital have a duty to notify the municipality when staff are short?", lexical)
    via = {f.word: (f.known, f.via) for f in q.focus}
    assert via["duty"] == (True, "ordliste") and via["notify"] == (True, "ordliste")
    assert via["staff"] == (True, "ordliste")
    aliases = focus_aliases(q)
    assert set(match_terms("varsle")) & set(aliases) and set(match_terms("plikt")) & set(aliases)
    assert understand("Who pays the extra staff costs?", lexical).focus[0].via == "ordliste"
    offer = understand("Does UNN have to offer patients a coordinator?", lexical).words.expansions
    assert any(expansion.startswith("tilby") for expansion in offer)  # the verb, not only "tilbud"


def test_the_forms_of_one_word_give_the_same_terms_to_compare():
    """The stemmer leaves "faktura" as "faktur" but "fakturaen" as "faktura": a question on
    "fakturaen" must still find its word in a sentence on "faktura"."""
    from assistant.answer.card import match_terms

    assert set(match_terms("fakturaen")) == set(match_terms("faktura")) == set(match_terms("fakturaer"))
    assert match_terms("plikten") == match_terms("plikt")


def test_a_verb_with_its_particle_is_compared_as_the_documents_noun(lexical):
    """"Før pasienten skrives ut" is about the patient's discharge ("utskrivning"), not about
    writing a summary; "følge opp barna" about "oppfølging", not "følger av"."""
    from assistant.answer.card import focus_terms, match_terms

    q = understand("Hva må sykehuset sende til kommunen før en pasient skrives ut?", lexical)
    asked = set(focus_terms(q))
    assert asked & set(match_terms("Medisinske opplysninger skal følge pasienten ved utskrivning."))
    assert asked & set(match_terms("Pasienten kan skrives ut etter innleggelse."))
    assert not asked & set(match_terms("UNN har ansvar for å skrive en oppsummering fra møtet.")) - set(match_terms("sende"))
    assert set(match_terms("barna skal følges opp")) & set(match_terms("oppfølging av barn som pårørende"))
    assert not set(match_terms("følge opp")) & set(match_terms("Det følger av loven"))
    assert set(match_terms("når pasienten legges inn")) & set(match_terms("ved innleggelse"))
    assert not set(match_terms("når pasienten legges inn")) & set(match_terms("legge til rette for"))


def test_a_follow_up_naming_another_party_asks_the_earlier_question_of_it(lexical):
    q = understand("og hva med kommunen?", lexical,
                   history=["Hva må sykehuset sende til kommunen før en pasient skrives ut, og når?"])
    assert q.interpreted == "Hva må kommunen sende til UNN før en pasient skrives ut, og når?"
    assert q.party == "Kommunen" and q.search_text == q.interpreted
    assert q.text == "og hva med kommunen?"


def test_a_follow_up_asking_a_party_s_duties_keeps_the_earlier_topic_not_its_narrow_ask(lexical):
    """After "what must the hospital send", "and the municipality's responsibility?" asks the
    municipality's duties on the same matter, not what the municipality must send."""
    q = understand("og hva er kommunens ansvar?", lexical,
                   history=["Hva må sykehuset sende til kommunen før utskrivning?"])
    assert q.interpreted == "Hva er kommunens ansvar før utskrivning?"
    assert q.party == "Kommunen" and q.asks[0] == "duty"


def test_a_follow_up_asking_a_party_s_duties_keeps_the_earlier_scene_and_drops_the_other_party(lexical):
    """The scene before the earlier question ("I'm on the emergency preparedness team") says
    what its topic is about; "with the municipalities" names the party now asked, not a topic."""
    earlier = ("I'm on the emergency preparedness team at UNN. What does the collaboration agreement say UNN "
               "must do about training and exercises with the municipalities?")
    q = understand("And what does the municipality have to do?", lexical, history=[earlier])
    assert q.interpreted == ("I'm on the emergency preparedness team at UNN. What does the municipality have to do "
                             "about training and exercises?")
    assert q.party == "Kommunen"


@pytest.mark.parametrize("follow_up", ["Hva om han skal til sykehjem da?", "And if she goes to a nursing home?"])
def test_a_follow_up_naming_where_the_patient_goes_keeps_the_party_asked_about(lexical, follow_up):
    """A destination ("til sykehjem") is no party turned to: the earlier question is asked again
    for the new place, of the same party."""
    earlier = "Hvor lenge har sykehuset ansvaret for pasienten under transporten når pasienten skrives ut til eget hjem?"
    q = understand(follow_up, lexical, history=[earlier])
    assert q.interpreted and q.interpreted.startswith(earlier.rstrip("?"))
    assert q.party == "UNN" and not q.turns_to_party


@pytest.mark.parametrize("follow_up", ["og kommunen, kva må dei sikre i helg og ferie?",
                                       "Hva er kommunens del av det?"])
def test_a_follow_up_that_names_a_party_in_its_own_words_is_about_that_party(lexical, follow_up):
    """The party put before the question or named as the owner of a part is the party asked
    about, not the one the earlier question named."""
    q = understand(follow_up, lexical,
                   history=["Kva skal UNN gjere før utskriving når ei barselkvinne treng ekstra oppfølging heime?"])
    assert q.interpreted and q.party == "Kommunen"


@pytest.mark.parametrize("follow_up, party", [
    ("og for de som kommer fra sykehuset?", "UNN"),
    ("and those from the hospital?", "UNN"),
    ("og dei tilsette i kommunen?", "Kommunen"),
])
def test_a_follow_up_about_the_people_of_a_side_asks_about_that_side(lexical, follow_up, party):
    q = understand(follow_up, lexical,
                   history=["Hvem har arbeidsgiveransvaret for kommunalt ansatte i felles planleggingsprosesser med UNN?"])
    assert q.interpreted and q.party == party and q.turns_to_party


@pytest.mark.parametrize("earlier, follow_up", [
    ("Kan legen på ØHD-senga hos oss ringje UNN for råd om ein konkret pasient?",
     "Må dei vere tilgjengelege med ein gong, eller kan det vente til neste dag?"),
    ("Our patient is being discharged home from UNN and needs transport. Who is responsible for the trip?",
     "She is going to a nursing home instead."),
])
def test_a_follow_up_about_someone_named_before_or_a_changed_situation_is_read_with_it(real_assistant, earlier,
                                                                                        follow_up):
    """A question that opens on a person named before ("Må dei …") or changes the situation
    ("… instead.") leans on the one before, though it has topic words of its own."""
    lexical = real_assistant.index.lexical
    bare = understand(follow_up.replace("dei ", "legane ").replace(" instead", ""), lexical)
    assert follow_up_score(follow_up, understand(follow_up, lexical).focus) > follow_up_score(bare.text, bare.focus)
    q, _ = real_assistant.search(follow_up, [earlier])
    assert q.interpreted and q.interpreted.startswith(earlier.rstrip("?"))


def test_an_elliptical_follow_up_is_read_with_the_question_before(lexical):
    q = understand("Gjelder det i helgene også?", lexical,
                   history=["Når må kommunen svare på melding om utskrivningsklar pasient?"])
    assert q.interpreted == "Når må kommunen svare på melding om utskrivningsklar pasient – gjelder det i helgene også?"
    who = understand("Hvem betaler da?", lexical, history=["Skal kommunen invitere UNN med på beredskapsøvelser?"])
    assert who.interpreted and "beredskapsøvelser" in who.interpreted and who.asks[0] == "party"


def test_a_short_question_about_what_the_one_before_was_about_is_a_follow_up(lexical):
    # "øvingane" names the "beredskapsøvingar" just asked about; a word as common in the
    # documents as "samhandling" ties nothing.
    q = understand("Kven betaler for øvingane?", lexical, history=["Skal UNN og kommunen planleggje beredskapsøvingar saman?"])
    assert q.interpreted and "beredskapsøvingar" in q.interpreted
    alone = understand("Hvor mye får vinneren av Samhandlingsprisen?", lexical,
                       history=["Dersom seksjon for samhandling overprøver svaret vårt på en innsigelse, hva da?"])
    assert alone.interpreted is None


def test_a_question_that_stands_alone_is_not_rewritten(lexical):
    q = understand("Hvem har ansvaret for å oppnevne barnekoordinator for et barn med alvorlig sykdom?", lexical,
                   history=["Hvor lang frist har kommunen for å sende fakturainnsigelse?"])
    assert q.interpreted is None and q.search_text == q.text
    assert understand("Hvem sender tidligmelding?", lexical).interpreted is None  # no history


def test_a_follow_up_of_a_follow_up_reads_the_whole_conversation(lexical):
    q = understand("Og kommunen?", lexical, history=["Hvem skal rekvirere pasienttransport ved utskrivning?",
                                                     "Når går ansvaret over til kommunen – hva må UNN gjøre da?"])
    assert q.interpreted is not None and "transport" in q.interpreted


@pytest.mark.parametrize("follow_up", ["Gjeld det motsett veg òg?", "Gjelder det omvendt også?", "And the other way round?"])
def test_a_follow_up_asking_the_other_way_round_swaps_the_earlier_question_s_parties(lexical, follow_up):
    """"Gjeld det motsett veg òg?" after what UNN must give the municipality asks what the
    municipality must give UNN; the asked party is found past a first modal that is a noun
    ("Kva plikter har UNN …")."""
    q = understand(follow_up, lexical, history=["Kva plikter har UNN til å gi opplæring til kommunehelsetenesta?"])
    assert q.interpreted == "Kva plikter har kommunen til å gi opplæring til UNN?"
    assert q.party == "Kommunen"


def test_a_follow_up_asking_its_own_question_of_the_other_side_turns_the_earlier_question(lexical):
    """"Og hva må sykehjemmet ha på plass?" after UNN's duty in a case asks the municipality's
    side of that case: the earlier question no longer names UNN as the one asked about."""
    q = understand("Og hva må sykehjemmet ha på plass?", lexical,
                   history=["Vi skal skrive ut en pasient med MRSA til et sykehjem. Hva er UNN sitt ansvar når det "
                            "gjelder smittevern ved utskrivningen?"])
    assert q.interpreted == ("Vi skal skrive ut en pasient med MRSA til et sykehjem. Hva er kommunen sitt ansvar når "
                             "det gjelder smittevern ved utskrivningen – hva må sykehjemmet ha på plass?")
    assert q.party == "Kommunen" and q.turns_to_party


def test_a_duty_reported_from_a_document_is_asked_of_the_party_after_say(lexical):
    """"What does the agreement say UNN must provide …?" asks about UNN, so "And the
    municipality?" asks the same of the municipality, in English."""
    earlier = "What does the agreement say UNN must provide in terms of practice placements?"
    assert asked_party(earlier, None) == "UNN"
    assert asked_party("Hva sier veilederen at kommunen skal gjøre?", None) == "Kommunen"
    q = understand("And the municipality?", lexical, history=[earlier])
    assert q.interpreted == "What does the agreement say the municipality must provide in terms of practice placements?"
    assert q.party == "Kommunen"


def test_a_municipal_role_named_by_a_compound_is_the_municipality(lexical):
    q = understand("Og kommunelegen – hva må han gjøre?", lexical,
                   history=["Hva må sykehuset gjøre når en pasient med smitte skal skrives ut?"])
    assert q.party == "Kommunen" and q.turns_to_party


def test_a_person_asked_about_after_a_modal_points_back_and_kva_tid_asks_a_time(lexical):
    """"Innan kva tid på dagen må dei svare?" has no topic word of its own: "dei" are the
    people just asked about, and "kva tid" asks when."""
    q = understand("Innan kva tid på dagen må dei svare?", lexical,
                   history=["Kva må kommunen gjere når dei får melding om utskrivingsklar pasient?"])
    assert q.interpreted and q.asks[0] == "deadline"
    assert "deadline" in answer_types("Er det noe tidspunkt meldingen bør sendes?")


@pytest.mark.parametrize("question, first", [
    ("Er det noe tidspunkt den bør sendes?", "deadline"),
    ("Er det noen frist for å klage på fakturaen?", "deadline"),
    ("Finnes det en grense for CRP før fastlegen kan legge pasienten på KAD?", "amount"),
    ("Er det noe spesielt vi må opplyse sykehuset om angående plassen?", "content"),
    ("Is there a deadline for sending the report?", "deadline"),
    ("er det et bestemt tidspunkt på dagen meldingen om USK bør sendes?", "deadline"),
    ("Finst det ein bestemt dag det skal sendast?", "deadline"),
    ("Is there a set time of day the message should be sent?", "deadline"),
])
def test_is_there_a_thing_asks_for_the_thing_before_yes_or_no(question, first):
    """"Er det noe tidspunkt …?" asks for the time (its answer says yes or no as well); a modal
    later in the sentence ("bør sendes") does not make it a question of permission."""
    kinds = answer_types(question)
    assert kinds[0] == first
    assert kinds[-1] in ("permission", "yesno")


def test_a_plain_yes_or_no_question_stays_one():
    assert answer_types("Er det lov å ta betalt for veiledningen?")[0] == "permission"
    assert answer_types("Finnes det egne avtaler for LIS1 og ALIS?") == ("yesno",)


def test_a_question_for_the_legal_basis_alone_leans_on_the_question_before(lexical):
    """"Hvilken forskrift og paragraf er det hjemlet i?" names only the kind of source it asks
    for: the matter is the earlier question's."""
    earlier = "Kan kommunen kreve at sykehuset forklarer hvorfor pasienten ble meldt utskrivningsklar?"
    q = understand("Hvilken forskrift og paragraf er det hjemlet i?", lexical, history=[earlier])
    assert q.interpreted and q.interpreted.startswith(earlier.rstrip("?"))
    assert q.asks[0] == "legal_basis"


@pytest.mark.parametrize("question, party", [
    ("Does the hospital need to be told anything extra then?", None),
    ("Må kommunen få beskjed om dette før utskrivning?", None),
    ("Skal fastlegen bli informert om innleggelsen?", None),
    ("Hva må sykehuset sende til kommunen?", "UNN"),
])
def test_the_party_that_is_told_is_not_the_party_whose_duty_is_asked(question, party):
    assert asked_party(question, None) == party


@pytest.mark.parametrize("question", ["Can UNN bill the municipality for that training?",
                                      "Can the hospital invoice us for the guidance?",
                                      "Is there a fee for this?"])
def test_billing_and_fees_ask_whether_something_is_paid_for(question):
    assert "cost" in answer_types(question)


def test_a_follow_up_that_states_rather_than_asks_is_read_as_one_question():
    """"She is going to a nursing home instead." joined on reads as a question, not "….?"."""
    from assistant.answer.understand import interpret

    read = interpret("She is going to a nursing home instead.", "Who is responsible for the trip home?")
    assert read == "Who is responsible for the trip home – she is going to a nursing home instead?"


def test_a_question_that_opens_on_its_own_party_is_not_rewritten(lexical):
    """"Kan sykehuset ta betalt for å veilede hjemmesykepleien?" asked after "Hvem betaler for
    det?" shares only the word for paying; it names its own subject and matter and stands
    alone. "Må kommunen betale for det?" points back ("det") and is still read with the
    conversation."""
    history = ["Kommunen planlegger en stor beredskapsøvelse. Skal vi invitere UNN med?", "Hvem betaler for det?"]
    alone = understand("Kan sykehuset ta betalt for å veilede hjemmesykepleien?", lexical, history=history)
    assert alone.interpreted is None
    leaning = understand("Må kommunen betale for det?", lexical, history=history[:1])
    assert leaning.interpreted is not None
