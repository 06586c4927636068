"""The app's commands in the Ctrl+P palette, and the palette that picks a document to filter on.

The palette renders plain strings as markup, so every name that comes from the corpus is passed
as `Content` (plain) and every help text through `escape`.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape


def _commands(app) -> list[tuple[str, str, object]]:
    main = app.main
    out = []
    if main.doc_filter:  # first, so it is seen at once while a filter is on
        out.append(("Fjern filteret", f"Søk i alle dokumentene igjen (nå: {escape(main.doc_filter[1])})",
                    main.action_clear_filter))
    out += [
        ("Ny samtale", "Start på nytt; Ctrl+Z angrer (Ctrl+N)", main.action_new_conversation),
        ("Filtrer på dokument eller retningslinje …", "Søk bare i ett dokument", main.action_filter),
        ("Vis frister", "Alle frister i avtalen og retningslinjene (F4)", main.action_deadlines),
        ("Vis plikttabell for et tema …", "Hvem gjør hva, f.eks. om «utskrivning»", main.action_duties),
        ("Kopier svaret", "Svaret med kilder til utklippstavlen (F2)", main.action_copy_answer),
        ("Eksporter samtalen …", "Som Markdown med kilder, til Dokumenter (F3)", main.action_export),
        ("Forstørr feltet", "Samtalen eller kildene fyller skjermen (F5)", main.action_toggle_maximize),
        ("Hjelp", "Taster og eksempelspørsmål (F1 eller ?)", app.action_help),
        ("Bytt mellom lyst og mørkt tema", "Lyst eller mørkt fargetema", app.action_toggle_dark),
        ("Velg fargetema …", "Appens eget tema og de andre", app.search_themes),
        ("Avslutt", "Lukk avtale (Ctrl+Q)", app.action_request_quit),
    ]
    return out


def _highlighted(matcher, name: str) -> Content:
    content = Content(name)
    score, offsets = matcher.fuzzy_search.match(matcher.query, name)
    for offset in offsets if score else ():
        if not name[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def no_match(query: str) -> Hit:
    """Said when nothing matches: Textual's palette would say "No matches found" in English."""
    text = f"Ingen treff for «{query.strip()}»"
    return Hit(0.001, Content(text), lambda: None, text=text, help="Skriv noe annet, eller trykk Esc")


class AvtaleCommands(Provider):
    async def discover(self) -> Hits:
        for name, help_text, callback in _commands(self.app):
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        found = False
        for name, help_text, callback in _commands(self.app):
            if (score := matcher.match(name)) > 0:
                found = True
                yield Hit(score, _highlighted(matcher, name), callback, text=name, help=help_text)
        if not found:
            yield no_match(query)


def document_provider(documents: list[tuple[str, str, str]], choose):
    """A provider listing (doc_id, short title, full title) for the filter palette."""

    class DocumentProvider(Provider):
        async def discover(self) -> Hits:
            for doc_id, short, title in documents:
                yield DiscoveryHit(Content(short), partial(choose, doc_id, short), text=short, help=escape(title))

        async def search(self, query: str) -> Hits:
            matcher = self.matcher(query)
            found = False
            for doc_id, short, title in documents:
                score = max(matcher.match(short), matcher.match(title) * 0.8)
                if score > 0:
                    found = True
                    yield Hit(score, _highlighted(matcher, short), partial(choose, doc_id, short), text=short,
                              help=escape(title))
            if not found:
                yield no_match(query)

    return DocumentProvider
