"""Duty tables and deadlines over the built index: `avtale ansvar [TEMA]` and `avtale frister`.

A topic is either a section reference ("Retningslinje 2 4.1", "rl3") or free words ("utskrivning",
"ØHD", "barn som pårørende"): free words are searched like a question and the duties of the
sections found are listed, grouped by party.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.corpus.duties import find_deadline
from assistant.models import Document, Duty

AGREEMENT_KINDS = {"avtale", "retningslinje"}
_REFERENCE_WORDS = re.compile(r"\d|§|\b(retningslinje|rl|del|punkt|pkt|sak|kapittel)\b", re.I)
_OLD_NUMBER = re.compile(r"\btjenesteavtale(?:n|r)?\s*(?:nr\.?\s*)?(\d{1,2})\b", re.I)


@dataclass(frozen=True)
class Deadline:
    topic: str
    actor: str
    text: str
    deadline: str
    section_id: str
    doc_id: str
    section: str


def documents_from_index(index) -> list[Document]:
    by_doc: dict[str, list] = {}
    for section in index.sections.values():
        by_doc.setdefault(section.doc_id, []).append(section)
    return [Document(info, tuple(by_doc.get(doc_id, ()))) for doc_id, info in index.documents.items()]


def old_agreement_note(text: str, index) -> tuple[str | None, set[str]]:
    """'tjenesteavtale 5' → a note naming the guideline that replaced it, and that guideline's id."""
    m = _OLD_NUMBER.search(text)
    if not m:
        return None, set()
    number = m.group(1)
    hits = [info for info in index.documents.values()
            if re.search(rf"\btjenesteavtale(?:r)?\b[^.]*\b{number}\b", info.replaces or "")]
    if not hits:
        return None, set()
    names = ", ".join(f"{i.short_title} ({i.replaces})" for i in hits)
    return f"Tjenesteavtale {number} er erstattet av {names}.", {i.id for i in hits}


def duties_for_topic(assistant, topic: str | None, actor: str | None = None) -> tuple[list[Duty], str | None]:
    """The duty rows for a topic, and a note (how the topic was understood)."""
    from assistant.corpus.refs import resolve
    from assistant.errors import ReferenceNotFound

    index = assistant.index
    rows = [Duty(**row) for row in index.duties]
    note = None
    if topic:
        old_note, old_docs = old_agreement_note(topic, index)
        try:
            if not _REFERENCE_WORDS.search(topic) and topic.strip().lower() not in index.documents:
                raise ReferenceNotFound(topic, [])  # plain words: a topic to search, not a reference
            found = resolve(topic, documents_from_index(index))
            whole_document = not re.search(r"\d", topic) or found.section.number == ""
            prefix = found.section.path[:1] if whole_document else found.section.path
            ids = {s.id for s in index.sections.values() if s.doc_id == found.section.doc_id and s.path[: len(prefix)] == prefix}
            rows = [r for r in rows if r.section_id in ids]
            shown = index.documents[found.section.doc_id].title if whole_document else found.section.breadcrumb
            note = found.note or f"Viser plikter i {shown}."
        except ReferenceNotFound:
            matched = rows_for_topic(assistant, topic, rows, old_docs)
            rows = matched
            note = old_note or f"Viser plikter i avsnittene som handler om «{topic}»."
    if actor:
        rows = [r for r in rows if r.actor.lower() == actor.lower()]
    return rows, note


ROOT_LETTERS = 7  # the shared beginning that makes two spellings one word: utskriv-ning/-ing/-else
ROOT_ENDING = 4  # a longer word (a compound) keeps all but this many letters: pasienttrans-port
COMMON_SHARE = 0.05  # a word in more than this share of sections names no topic on its own


@dataclass(frozen=True)
class Idea:
    """One idea of a topic: word beginnings that name it alone, and (from a glossary meaning)
    beginnings of which two together name it."""

    alone: frozenset[str]
    together: frozenset[str] = frozenset()


def topic_ideas(assistant, topic: str) -> list[Idea]:
    """The topic's ideas. A glossary term that is a whole word of the topic is one idea, known
    by its own word and by its meaning ("ØHD" → "døgnopphold for øyeblikkelig hjelp"); any
    other word by its beginning (so "utskrivning", "utskriving" and "utskrivelse" are one), its
    bokmål form and its spelling fix. A word common across the documents counts only together
    with another word of the same meaning."""
    from assistant.search.lexical import read_words, stopwords, terms, words

    index = assistant.index
    reading = read_words(topic, index.lexical, assistant.retriever.glossary)
    forms, fixes = dict(reading.forms), dict(reading.fixes)
    stop = stopwords()
    tokens = [w for w in dict.fromkeys(words(topic)) if w not in stop]
    common = _common_roots(index)
    ideas, used = [], set()
    for term, meaning in assistant.retriever.glossary.expand(topic):
        term_words = words(term)
        own = [w for w in tokens if w not in used and (w in term_words or set(terms(w)) & set(terms(term)))]
        if not own or len(own) < len(term_words) and len(term_words) > 1:
            continue  # the term met only part of a word (a compound's head): not the topic's idea
        used.update(own)
        meaning_words = [w for w in words(meaning) if w not in stop and len(w) >= 4]
        meaning_roots = {word_root(w) for w in meaning_words}
        # The meaning opens with the documents' own word for it ("døgnopphold for øyeblikkelig
        # hjelp"); that word names the idea alone unless it is common.
        opening = {word_root(meaning_words[0])} if meaning_words else set()
        if len(meaning_words) > 1:
            opening -= common  # a plain translation ("pårørande" → "pårørende") always names it
        alone = {word_root(w) for w in own if len(term_words) == 1 and len(w) >= 2} | opening
        alone |= {word_root(other) for w in own for other in (forms.get(w), fixes.get(w)) if other}
        ideas.append(Idea(frozenset(alone), frozenset(meaning_roots - common)))
    for word in tokens:
        if word not in used and len(word) >= 2:
            alone = {word_root(word)} | {word_root(other) for other in (forms.get(word), fixes.get(word)) if other}
            ideas.append(Idea(frozenset(alone)))
    return ideas


_INFLECTIONS = ("ene", "ane", "en", "er", "et", "ar", "a", "e", "ne")
# Nouns whose plural changes the vowel: the plural's ending → the singular's ("jordmødre" →
# "jordmor"); the regular endings are taken off by _INFLECTIONS.
_IRREGULAR_PLURALS = {"mødrene": "mor", "mødre": "mor", "fedrene": "far", "fedre": "far", "brødrene": "bror",
                      "brødre": "bror", "døtrene": "datter", "døtre": "datter", "bøkene": "bok", "bøker": "bok",
                      "føttene": "fot", "føtter": "fot", "hendene": "hånd", "hender": "hånd", "nettene": "natt",
                      "netter": "natt", "tennene": "tann", "tenner": "tann", "mennene": "mann", "menn": "mann"}
# A noun made from a verb ("utskriv-ning", "utskriv-ing", "utskriv-else", "faktur-ering") and
# the verb itself ("hospit-ere"): one family, known by what is left.
_DERIVATIONS = re.compile(r"(?:ering|ning|ing|else|ere)$")
# Such a noun as the first part of a compound, joined by "s": "utskrivnings|klar".
_DERIVED_JOINT = re.compile(r"^(\w{4,}?)(?:ering|ning|ing|else)s(\w{3,})$")
DERIVED_LETTERS = 5  # what must be left of a word when its derivation ending is taken off
TAIL_LETTERS = 4  # a compound's second part, from its beginning: "klar", "klare", "klart"
JOINT = "*"  # in a root: the compound's first part's root, then its second part's


def word_root(word: str) -> str:
    """A word's beginning that its other spellings and inflections share: its base (an
    irregular plural made singular, an inflection ending taken off: "utskrivningsklare" →
    "utskrivningsklar") without its last letters, its stem ("planer" → "plan") or what is
    left without a derivation ending ("fakturering" → "faktur"), whichever is shortest. A
    compound whose first part is derived ("utskrivningsklar", "utskrivingsklar") has a root of
    two parts, "utskriv*klar": the first part's root, and the second part further on."""
    from assistant.search.lexical import terms

    base = word
    for plural, singular in _IRREGULAR_PLURALS.items():
        if base.endswith(plural) and len(base) > len(plural):
            base = base[: -len(plural)] + singular
            break
    for ending in _INFLECTIONS:
        if base.endswith(ending) and len(base) - len(ending) >= ROOT_LETTERS:
            base = base[: -len(ending)]
            break
    joint = _DERIVED_JOINT.match(base) or _DERIVED_JOINT.match(word)  # "-klar" is no inflection
    if joint:
        tail = joint.group(2)
        return f"{word_root(joint.group(1))}{JOINT}{tail[:max(TAIL_LETTERS, len(tail) - 2)]}"
    derived = _DERIVATIONS.sub("", base)
    candidates = [base[:max(ROOT_LETTERS, len(base) - ROOT_ENDING)], next(iter(terms(word)), word),
                  next(iter(terms(base)), base)]
    if len(derived) >= DERIVED_LETTERS:
        candidates.append(derived)
    return min(candidates, key=len)


def starts(word: str, root: str) -> bool:
    """Whether a word of the text is in the family a root names."""
    head, _, tail = root.partition(JOINT)
    return word.startswith(head) and (not tail or tail in word[len(head):])


def _common_roots(index) -> frozenset[str]:
    return index.derived("common_roots", lambda: _count_common_roots(index))


def _count_common_roots(index) -> frozenset[str]:
    from assistant.search.lexical import words

    counts: dict[str, int] = {}
    for section in index.sections.values():
        for root in {word_root(w) for w in words(f"{' '.join(section.path)} {section.text}") if len(w) >= 4}:
            counts[root] = counts.get(root, 0) + 1
    limit = COMMON_SHARE * max(len(index.sections), 1)
    return frozenset(r for r, n in counts.items() if n > limit)


def names(text_words: list[str], idea: Idea) -> bool:
    if any(starts(w, root) for w in text_words for root in idea.alone):
        return True
    found = {root for root in idea.together for w in text_words if starts(w, root)}
    return bool(found) and len(found) >= min(2, len(idea.together))


def rows_for_topic(assistant, topic: str, rows: list[Duty], old_docs: set[str]) -> list[Duty]:
    """Duty rows about a topic, matched by word family (every idea of the topic in the row or
    its section's headings), the topic's own sections (a heading names it) first, then along
    the documents' order (the patient's path through a guideline); by meaning when no row
    names it."""
    from assistant.search.lexical import words

    index = assistant.index
    ideas = topic_ideas(assistant, topic)
    order = _document_order(index)
    matched = []
    for row in rows:
        section = index.sections.get(row.section_id)
        info = index.documents.get(row.doc_id)
        # The headings above the row, the document's title among them ("Retningslinje 3:
        # Kommunens tilbud om døgnopphold for øyeblikkelig hjelp (ØHD)").
        headings = words(" ".join([info.title if info else "", *(section.path if section else [row.section])]))
        text = words(row.duty) + headings
        if ideas and all(names(text, idea) for idea in ideas):
            own = all(names(headings, idea) for idea in ideas)
            matched.append((not own, order.get(row.section_id, 1 << 30), row))
    named = [row for *_, row in sorted(matched, key=lambda m: (m[0], m[1]))]
    if len(named) >= ENOUGH_ROWS:
        return named
    # Few rows name it: add the rows of the sections found by meaning, searched for the topic
    # in the spelling the documents use, so that its variants search the same words.
    answer = assistant.ask(canonical_topic(assistant, topic), top_k=6, doc_ids=old_docs or None)
    related = _with_sibling_blocks([e.section_id for e in answer.excerpts], index)
    rank = {sid: i for i, sid in enumerate(related)}
    seen = {(r.section_id, r.duty) for r in named}
    by_meaning = sorted((r for r in rows if r.section_id in rank and (r.section_id, r.duty) not in seen),
                        key=lambda r: rank[r.section_id])
    return named + by_meaning


ENOUGH_ROWS = 10


def canonical_topic(assistant, topic: str) -> str:
    """The topic in the documents' own words: its nynorsk words in bokmål, its misspellings
    corrected, and each word as the documents' most frequent word of its family, so that
    "fakturering", "faktura" and "fakturaer" search the same words."""
    from assistant.search.lexical import read_words, with_forms, words

    lexical = assistant.index.lexical
    reading = read_words(topic, lexical, assistant.retriever.glossary)
    text = with_forms(topic, {**dict(reading.forms), **dict(reading.fixes)}).lower()
    return " ".join(_most_frequent_of_family(w, lexical.vocabulary) for w in words(text))


def _most_frequent_of_family(word: str, vocabulary: dict[str, int]) -> str:
    root = word_root(word)
    head = root.partition(JOINT)[0]
    family = [w for w in vocabulary if w.startswith(head) and word_root(w) == root]
    return max(family, key=lambda w: (vocabulary[w], w == word), default=word)


def _document_order(index) -> dict[str, int]:
    """Each section's place: documents in the manifest's order, sections by their lines."""
    doc_rank = {doc_id: i for i, doc_id in enumerate(index.documents)}
    ordered = sorted(index.sections.values(), key=lambda s: (doc_rank.get(s.doc_id, 1 << 20), s.line_start, s.depth))
    return {s.id: i for i, s in enumerate(ordered)}


def _with_sibling_blocks(section_ids: list[str], index) -> list[str]:
    out: list[str] = []
    for sid in section_ids:
        if sid in index.sections:
            out.extend(s for s in index.related_sections(sid) if s not in out)
    return out


def deadlines(index) -> list[Deadline]:
    """Every sentence in the agreement and its guidelines that states a time limit."""
    out: list[Deadline] = []
    for section in index.sections.values():
        info = index.documents.get(section.doc_id)
        if info is None or (info.kind not in AGREEMENT_KINDS and not section.doc_id.startswith("fakturering")):
            continue
        for para in section.text.split("\n"):
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«])", para.strip(" •–")):
                when = find_deadline(sentence)
                if not when or when.lower().startswith(("årlig", "straks")) and len(sentence) < 20:
                    continue
                actor = _actor_for(sentence, section, index.duties_by_section.get(section.id, []))
                topic = " › ".join(section.path[:2])
                out.append(Deadline(topic, actor, sentence.strip(), when, section.id, section.doc_id, section.breadcrumb))
    return out


def _actor_for(sentence: str, section, rows: list[dict]) -> str:
    """The party of the duty row this sentence belongs to, else the section's own party."""
    for row in rows:
        if sentence in row["duty"] or row["duty"] in sentence:
            return row["actor"]
    return section.actor or "–"
