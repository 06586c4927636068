"""F1 / ?: the keys and some example questions."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HEADINGS = ("Eksempelspørsmål", "Taster i samtalen", "Taster i leseren", "Taster i tabellene")
CLOSE = "Esc eller F1: lukk hjelpen · ↑ ↓ PgUp PgDn: bla"
HELP = """\
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
  Enter       still spørsmålet
  Skriv       alt du skriver havner i spørsmålsfeltet, uansett hvor du er
  ↑ / ↓       forrige / neste spørsmål (i spørsmålsfeltet)
  Tab         flytt mellom samtalen, kildene og spørsmålsfeltet
  ↑ / ↓       velg svar (i samtalen); Home / End: første / siste
  1–9         åpne kilde nummer 1–9 til det valgte svaret (i samtalen)
  Enter       åpne hele avsnittet (i kildene)
  Esc         tøm spørsmålsfeltet (↑ henter teksten tilbake);
              med tomt felt: avbryt et søk som pågår
  F2          kopier det valgte svaret med kildehenvisninger
  F3          eksporter samtalen som Markdown (til Dokumenter)
  F4          vis alle frister
  F5          forstørr feltet du står i (samtalen eller kildene);
              F5 eller Esc igjen: tilbake
  Ctrl+N      ny samtale; Ctrl+Z henter den forrige tilbake
  Ctrl+P      meny med alle kommandoene: filtrer på dokument, plikttabell,
              fargetema …
  F1 eller ?  denne hjelpen
  Ctrl+Q      avslutt (spør først om samtalen har svar)

Taster i leseren
  Tab         flytt mellom innholdsfortegnelsen og teksten
  Enter       åpne avsnittet som er valgt i innholdsfortegnelsen
  Esc         tilbake til samtalen (det du skriver, går dit)

Taster i tabellene (F4 og plikttabeller)
  Skriv       filtrer radene (ord og orddeler: «utskr», «kommunen svar»)
  Enter       åpne avsnittet raden kommer fra
  Esc         tøm filteret, og så tilbake

Personvern: spørsmålene lagres ikke. Historikken finnes bare mens appen er åpen, og samtalen \
skrives til fil bare når du eksporterer den (F3); filen kan bare du lese.

Tilgjengelighet: AVTALE_PLAIN=1 gir en enkel visning uten rammer og animasjoner (for \
skjermlesere). NO_COLOR=1 slår av farger. Alt kan gjøres med tastaturet.
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
        Binding("f1", "close", "Lukk", show=False),
        Binding("question_mark", "close", "Lukk", show=False),
    ]

    TYPING_GOES_TO_CONVERSATION = True  # typing closes help and goes to the question

    def compose(self):
        frame = Vertical(id="help")
        frame.border_title = "Hjelp – avtale"
        with frame:
            with VerticalScroll(id="help-body"):
                yield Static(help_text(), id="help-text", markup=False)
            yield Static(CLOSE, id="help-close", markup=False)  # outside the scroll: always in view

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#help-body"))

    def action_close(self) -> None:
        self.dismiss(None)
