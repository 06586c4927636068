"""`avtale ask`: the JSON contract, JSON lines, the readable output, glossary and spelling
expansion, abstention, the encoder fallback and bad questions."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.search.lexical import fuzzy_corrections, load_glossary, terms
from assistant.service import Assistant, prepare_question

EXCERPT_KEYS = {"rank", "doc_id", "doc_title", "section", "text", "score", "source_file", "page", "line_start", "line_end"}
DUTY_KEYS = {"actor", "duty", "deadline", "section", "doc_id"}


@pytest.fixture(scope="module")
def lexical_assistant(tmp_path_factory, bundled_corpus_dir):
    index = tmp_path_factory.mktemp("lexindex")
    return Assistant.open(bundled_corpus_dir, index, use_encoder=False)


def _avtale(*args, stdin=None, env_extra=None, timeout=120):
    import os

    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=timeout)


def test_glossary_expands_abbreviations_nynorsk_and_english():
    g = load_glossary()
    found = dict(g.expand("Kven har ansvaret for ØHD ved discharge, og kan dei ta betalt?"))
    assert "døgnopphold for øyeblikkelig hjelp" in found["øhd"]
    assert found["kven"] == "hvem"
    assert "utskrivning" in found["discharge"]
    assert "vederlag" in found["ta betalt"]


def test_a_glossary_phrase_matches_with_an_article_inside_it():
    """"klage på en faktura" is the glossary's "klage på faktura": the longer term wins over
    "klage" alone, and covers the article; an article never starts a match."""
    from assistant.search.lexical import Glossary

    g = Glossary({"klage": "avvik", "klage på faktura": "fakturainnsigelse", "faktura": "x"})
    assert dict(g.expand("Kan kommunen klage på en faktura fra UNN?")) == {"klage på faktura": "fakturainnsigelse"}
    assert dict(g.expand("klage på en")) == {"klage": "avvik"}


def test_glossary_terms_match_in_other_inflections_and_as_the_end_of_a_compound():
    from assistant.search.lexical import Glossary

    g = Glossary({"legevakt": "akuttmedisinsk kjede", "øvelse": "øvelser beredskap", "ip": "individuell plan",
                  "individuell plan": "koordinator"})
    found = dict(g.expand("Legevakten stenger: hvem tar individuelle planer og beredskapsøvelsene?"))
    assert found["legevakt"] == "akuttmedisinsk kjede"  # "legevakten": same stem
    assert found["øvelse"] == "øvelser beredskap"  # last part of the compound "beredskapsøvelsene"
    assert found["individuell plan"] == "koordinator"  # "individuelle planer": each word by its stem
    # The stemmer also cuts derivations: "turnuslege" and "turnusen" share the stem "turnus", and
    # "vaktlegen" stems to "vakt", but they are other words.
    g2 = Glossary({"turnuslege": "lege i spesialisering", "vakt": "ledsager", "pasient": "x"})
    assert g2.expand("Hvem lager turnusen, og hva gjør vaktlegen?") == []
    assert dict(g2.expand("Turnuslegene og vaktene til pasientene")) == {
        "turnuslege": "lege i spesialisering", "vakt": "ledsager", "pasient": "x"}
    # A short term never matches inside another word, and a long one not in the middle of one.
    assert g.expand("Hvem sender tipsene?") == []
    assert "øvelse" not in dict(g.expand("øvelsesplanen er klar"))


def test_fuzzy_correction_finds_corpus_words(lexical_assistant):
    fixes = fuzzy_corrections("tidlimelding ved innlegelse", lexical_assistant.index.lexical.vocabulary)
    assert "tidligmelding" in fixes


def test_nynorsk_words_get_the_bokmal_form_the_corpus_uses(lexical_assistant):
    from assistant.search.lexical import bokmal_forms

    knows = lexical_assistant.index.lexical.knows
    forms = bokmal_forms("Kven gir beskjed når ein pasient med heimesjukepleie blir lagd inn på sjukehuset?", knows)
    assert forms["heimesjukepleie"] == "hjemmesykepleie"
    assert forms["sjukehuset"] == "sykehuset" and forms["lagd"] == "lagt"
    assert bokmal_forms("Hvem har ansvar når pasienten er utskrivningsklar og skal hjem?", knows) == {}


def test_a_nynorsk_phrase_reaches_the_glossary_through_its_bokmal_form(lexical_assistant):
    # "blir lagd inn" is nynorsk for the glossary's "blir lagt inn" (→ innleggelse)
    result = lexical_assistant.retriever.search("Kven varslar kommunen når ein pasient blir lagd inn?")
    assert "innleggelse" in result.expansions


def test_word_search_is_trusted_less_for_words_the_corpus_does_not_know(lexical_assistant):
    read = lexical_assistant.retriever.read
    share = lambda text: read(text).known_share  # noqa: E731
    assert share("Hvem skal sende tidligmelding ved innleggelse?") == 1.0
    assert share("Which documents must the hospital send before discharge?") < 0.5
    assert share("?!") == 1.0  # nothing to judge: the word search keeps its full weight


def test_stemming_joins_inflections():
    assert set(terms("utskrivningsklar")) & set(terms("utskrivningsklare"))


@pytest.mark.parametrize(
    "question, section",
    [
        ("Hvem skal sende tidligmelding ved innleggelse?", "rl2:2.2/unn"),
        ("Kven skal rekvirere pasienttransport ved utskriving?", "rl2:4.1.3/unn"),
        ("Hvem oppnevner barnekoordinator?", "rl2:5.1.1.2/kommunen"),
        ("Hvilken tingrett er verneting ved tvist?", "avtale-del1:14"),
    ],
)
def test_word_search_finds_the_clause(lexical_assistant, question, section):
    answer = lexical_assistant.ask(question)
    assert section in [e.section_id for e in answer.excerpts[:3]]


def test_answer_sentences_are_copied_from_excerpts(lexical_assistant):
    answer = lexical_assistant.ask("Hvem skal sende tidligmelding ved innleggelse?")
    assert not answer.abstained
    shown = " ".join(e.text for e in answer.excerpts)
    for part in answer.answer.split(" ["):
        sentence = part.split("] ", 1)[-1].strip()
        party, _, rest = sentence.partition(": ")
        if party in ("UNN", "Kommunen", "Felles") and rest:  # a duty block's item, led by its party
            sentence = rest
        if sentence and not sentence[0].isdigit():
            assert sentence in shown.replace("\n", " ") or sentence in shown
    assert "[1]" in answer.answer
    assert any(d.actor == "UNN" and "tidligmelding" in d.duty for d in answer.responsibilities)


def test_off_topic_question_abstains(lexical_assistant):
    answer = lexical_assistant.ask("Hvem vant fotball-VM i 1998?")
    assert answer.abstained and answer.abstain_reason == "unknown_terms"
    assert answer.answer.startswith("Dokumentene nevner ikke") and "«fotball»" in answer.answer
    assert "fotball" in answer.unknown_terms and answer.responsibilities == () and answer.card is None


def test_old_agreement_number_points_to_new_guideline(lexical_assistant):
    answer = lexical_assistant.ask("Hva sier tjenesteavtale 8 om jordmor?")
    assert any("Retningslinje 6" in n for n in answer.notices)
    assert {e.doc_id for e in answer.excerpts} == {"rl6"}


@pytest.mark.parametrize("bad", ["", "   ", "?!?!...", "🙂🙂"])
def test_questions_without_words_are_refused_clearly(bad):
    from assistant.errors import UsageError

    with pytest.raises(UsageError):
        prepare_question(bad)


def test_long_question_is_cut_with_a_notice(lexical_assistant):
    answer = lexical_assistant.ask("Hvem sender tidligmelding? " * 500)
    assert any("kortet ned" in n for n in answer.notices)


def test_control_characters_and_markup_are_harmless(lexical_assistant):
    answer = lexical_assistant.ask("[bold]tidligmelding[/] \x1b[31m innleggelse\x00 '; DROP TABLE x; -- $(rm -rf /)")
    assert answer.excerpts


def test_ask_json_contract(avtale_env):
    proc = _avtale("ask", "Hvem skal sende tidligmelding ved innleggelse?", "--json", "--lexical", "--top-k", "3")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) >= {"question", "abstained", "answer", "excerpts", "responsibilities", "timing_ms"}
    assert isinstance(data["abstained"], bool) and data["answer"]
    assert 1 <= len(data["excerpts"]) <= 3
    for i, excerpt in enumerate(data["excerpts"], start=1):
        assert EXCERPT_KEYS <= set(excerpt) and excerpt["rank"] == i
        assert excerpt["source_file"].startswith("corpus/") and excerpt["line_start"] <= excerpt["line_end"]
    for duty in data["responsibilities"]:
        assert DUTY_KEYS <= set(duty) and duty["actor"] in ("UNN", "Kommunen", "Felles")
    assert {"retrieve", "total"} <= set(data["timing_ms"])


def test_ask_jsonl_answers_each_line(avtale_env):
    questions = "Hvem sender tidligmelding?\n\nKven rekvirerer transport ved utskriving?\n"
    proc = _avtale("ask", "--jsonl", "--lexical", stdin=questions)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["Hvem sender tidligmelding?", "Kven rekvirerer transport ved utskriving?"]


def test_ask_readable_output_and_errors(avtale_env):
    proc = _avtale("ask", "Hvem sender tidligmelding ved innleggelse?", "--lexical")
    assert proc.returncode == 0 and proc.stdout.startswith("Svar:") and "[1]" in proc.stdout
    assert "Hvem gjør hva:" in proc.stdout
    empty = _avtale("ask", "", "--lexical")
    assert empty.returncode == 2 and "tomt" in empty.stderr and "Traceback" not in empty.stderr


def test_encoder_turned_off_falls_back_to_word_search(avtale_env):
    proc = _avtale("ask", "Hvem sender tidligmelding?", "--json", env_extra={"AVTALE_ENCODER": "none"})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert any("ordsøk" in n for n in data["notices"])
    assert "språkmodellen" in proc.stderr.lower()


def test_ansvar_and_frister_commands(avtale_env):
    proc = _avtale("ansvar", "Retningslinje 2 4.1", "--json", "--lexical")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["responsibilities"]
    assert any(r["actor"] == "Kommunen" and "08-15" in (r["deadline"] or "") for r in rows)
    only_unn = json.loads(_avtale("ansvar", "utskrivning", "--actor", "UNN", "--json", "--lexical").stdout)
    assert only_unn["responsibilities"] and {r["actor"] for r in only_unn["responsibilities"]} == {"UNN"}
    frister = _avtale("frister")
    assert frister.returncode == 0 and "ett års oppsigelsesfrist" in frister.stdout


def test_real_encoder_hybrid_search(small_real_index):
    assistant = small_real_index
    answer = assistant.ask("Kan sykehuset ta seg betalt for å veilede kommunen?")
    assert assistant.encoder is not None and "encode" in answer.timing_ms
    assert any("betaling" in e.text or "vederlag" in e.text for e in answer.excerpts[:3])


@pytest.fixture(scope="module")
def small_real_index(tmp_path_factory, bundled_corpus_dir):
    from assistant.search.encoders import cpu_supports_avx2

    if not cpu_supports_avx2():
        pytest.skip("the CPU lacks AVX2; the encoder fallback is tested elsewhere")
    corpus = tmp_path_factory.mktemp("small")
    name = "rundskriv-veiledningsplikt-shtjl-6-3.txt"
    (corpus / name).write_bytes((bundled_corpus_dir / name).read_bytes())
    (corpus / "manifest.toml").write_text(f'[[source]]\nfile = "{name}"\nid = "rundskriv"\ntitle = "Rundskriv"\n',
                                          encoding="utf-8")
    return Assistant.open(corpus, tmp_path_factory.mktemp("smallindex"))


def test_query_expansions_do_not_depend_on_the_hash_seed(lexical_assistant, bundled_corpus_dir):
    # The language model reads the question with its expansions appended, so their order must
    # be the same in every process, or the same question ranks differently from run to run.
    import os

    code = (
        "import sys; from pathlib import Path; from assistant.service import Assistant\n"
        "a = Assistant.open(Path(sys.argv[1]), Path(sys.argv[2]), use_encoder=False)\n"
        "print(a.retriever.search('Kven gir beskjed når ein pasient på sjukeheim blir lagd inn på sjukehuset?').expansions)"
    )
    outputs = set()
    for seed in ("1", "2", "3"):
        proc = subprocess.run([sys.executable, "-c", code, str(bundled_corpus_dir), str(lexical_assistant.index_dir)],
                              capture_output=True, text=True, timeout=120, env=dict(os.environ, PYTHONHASHSEED=seed))
        assert proc.returncode == 0, proc.stderr
        outputs.add(proc.stdout)
    assert len(outputs) == 1 and "innleggelse" in outputs.pop()


@pytest.mark.parametrize(
    "question, english",
    [
        ("What are the visiting hours on the wards at UNN Tromsø?", True),
        ("Who pays when the hospital gives guidance?", True),
        ("Hva er fristen for å sende tidligmelding for en pasient i Tromsø?", False),
        ("Kva reglar gjeld for utskriving av pasientar frå sjukehuset?", False),
        ("", False),
    ],
)
def test_english_questions_are_recognised(question, english):
    from assistant.search.lexical import looks_english

    assert looks_english(question) is english










def test_search_scores_the_sentences_of_the_passages_it_returns(tmp_path, bundled_corpus_dir):
    from assistant.corpus.chunk import chunk_sentences
    from assistant.search.encoders import FakeEncoder

    assistant = Assistant.open(bundled_corpus_dir, tmp_path / "index", encoder=FakeEncoder())
    result = assistant.retriever.search("Når skal kommunen varsles om en utskrivningsklar pasient?")
    shown = {s for hit in result.hits for s in chunk_sentences(hit.chunk.text)}
    assert result.sentence_match and set(result.sentence_match) <= shown
    assert all(-1.0 <= score <= 1.0 for score in result.sentence_match.values())
    assert Assistant.open(bundled_corpus_dir, tmp_path / "lex", use_encoder=False).retriever.search(
        "Når skal kommunen varsles?").sentence_match == {}


def test_boilerplate_shared_by_guidelines_is_shown_once():
    from assistant.answer.compose import group_hits
    from assistant.models import Chunk, Hit

    def hit(chunk_id: str, text: str, score: float) -> Hit:
        section = chunk_id.split("#")[0]
        return Hit(Chunk(chunk_id, section, section.split(":")[0], text, 1, 2), score)

    tvist = "Uenighet og tvist etter denne avtalen skal løses etter bestemmelsene i samarbeidsavtalen."
    hits = [hit("rl8:9#0", tvist, 0.9), hit("rl9:8#0", tvist.replace(" ", "  ").upper(), 0.8),
            hit("rl2:4.1#0", "Kommunen skal svare samme dag.", 0.7), hit("rl7:6#0", tvist, 0.6)]
    groups = group_hits(hits)
    assert [g[0].chunk.id for g in groups] == ["rl8:9#0", "rl2:4.1#0"]


def test_background_documents_rank_below_the_agreement_but_still_answer_alone(lexical_assistant):
    """A 2006 report on individual plans must not outrank the guideline that assigns the duty;
    a question only meeting papers and a prize's statutes answer still gets them."""
    plan = lexical_assistant.ask("Hvem skal utarbeide individuell plan?")
    assert plan.excerpts[0].doc_id == "rl2"
    prize = lexical_assistant.ask("Hva er samhandlingsprisen?")
    assert {e.doc_id for e in prize.excerpts[:2]} <= {"ssu-saker", "statutter-samhandlingspris"}


def test_bytes_that_are_not_utf8_never_make_invalid_json(avtale_env):
    """A line with a bad byte is answered (U+FFFD in its place) and the batch goes on; the same
    on the command line. The output must decode as strict UTF-8 JSON."""
    stdin = b"Hvem sender tidligmelding?\n\xff Hvem \xfe svarer p\xe5 melding?\r\nKven rekvirerer transport?\n"
    proc = subprocess.run([sys.executable, "-m", "assistant", "ask", "--jsonl", "--lexical"], input=stdin,
                          capture_output=True, timeout=120)
    rows = [json.loads(line.decode("utf-8")) for line in proc.stdout.splitlines()]
    assert len(rows) == 3 and all("excerpts" in r for r in rows), proc.stderr
    assert rows[1]["question"].startswith("\ufffd Hvem")
    one = subprocess.run([sys.executable, "-m", "assistant", "ask", "--json", "--lexical", b"Hvem sender \xff tidligmelding"],
                         capture_output=True, timeout=120)
    assert one.returncode == 0, one.stderr
    assert json.loads(one.stdout.decode("utf-8"))["question"] == "Hvem sender \ufffd tidligmelding"


def test_jsonl_with_a_question_argument_too_is_refused(avtale_env):
    proc = _avtale("ask", "--jsonl", "Hvem?", "--lexical", stdin="Hvem sender tidligmelding?\n")
    assert proc.returncode == 2 and "--jsonl" in proc.stderr and not proc.stdout


def test_a_rebuild_notice_reaches_the_json_too(avtale_env):
    assert _avtale("ask", "Hvem sender tidligmelding?", "--lexical").returncode == 0
    index = avtale_env["AVTALE_INDEX"]
    build = index / (index / "CURRENT").read_text(encoding="utf-8").strip()
    (build / "chunks.jsonl").write_text("ødelagt", encoding="utf-8")
    proc = _avtale("ask", "--json", "Hvem sender tidligmelding?", "--lexical")
    assert proc.returncode == 0, proc.stderr
    assert any("skadet" in n for n in json.loads(proc.stdout)["notices"])
