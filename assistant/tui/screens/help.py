"""F1 / ?: the keys and some example questions."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HEADINGS = ("Hjelp – avtale", "Eksempelspørsmål", "Taster i samtalen", "Taster i leseren")
HELP = """\
Hjelp – avtale

Still spørsmål om samarbeidsavtalen mellom UNN og kommunene og retningslinjene. Svaret er \
setninger hentet ordrett fra dokumentene, med nummererte kildehenvisninger [1] [2]. Når \
dokumentene ikke svarer, står det «Ikke dekket av dokumentene», med de nærmeste avsnittene.

Eksempelspørsmål
  Hvem skal sende tidligmelding ved innleggelse?
  Hva må sykehuset sende kommunen før utskrivning, og når?
  Når regnes en pasient som utskrivningsklar?
  Hvem har ansvar for legemiddellisten ved utskrivning?
  Hva gjør vi ved uenighet mellom partene?

Taster i samtalen
  Enter          still spørsmålet
  ↑ / ↓          forrige / neste spørsmål (i spørsmålsfeltet)
  Tab            flytt mellom samtalen, kildene og spørsmålsfeltet
  ↑ / ↓          velg svar (i samtalen)
  1–9            åpne kilde nummer 1–9 til det valgte svaret (i samtalen)
  Enter          åpne hele avsnittet (i kildene)
  Esc            avbryt et søk som pågår
  F2             kopier det valgte svaret med kildehenvisninger
  F3             eksporter samtalen som Markdown
  F4             vis alle frister
  Ctrl+N         ny samtale (tømmer også spørsmålshistorikken)
  Ctrl+P         kommandoer: filtrer på dokument, plikttabell, tema …
  F1 eller ?     denne hjelpen
  Ctrl+Q         avslutt

Taster i leseren
  Tab            flytt mellom innholdsfortegnelsen og teksten
  Enter          åpne avsnittet som er valgt i innholdsfortegnelsen
  Esc            tilbake til samtalen

Personvern: spørsmålene lagres ikke. Historikken finnes bare mens appen er åpen, og samtalen \
skrives til fil bare når du eksporterer den (F3).

Tilgjengelighet: AVTALE_PLAIN=1 gir en enkel visning uten rammer og animasjoner (for \
skjermlesere). NO_COLOR=1 slår av farger. Alt kan gjøres med tastaturet.

Esc, q eller F1: lukk hjelpen.
"""


def help_text() -> Text:
    text = Text(HELP)
    for heading in HEADINGS:
        start = HELP.index(heading)
        text.stylize("bold", start, start + len(heading))
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Lukk"),
        Binding("q", "close", "Lukk", show=False),
        Binding("f1", "close", "Lukk", show=False),
        Binding("question_mark", "close", "Lukk", show=False),
    ]

    def compose(self):
        with VerticalScroll(id="help"):
            yield Static(help_text(), id="help-text", markup=False)

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)
