"""The reader: a whole section with its sub-sections and duty blocks, scrolled to the cited
excerpt, beside the section tree of its document."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, Tree

from assistant.tui.format import highlighted, plain, safe, short_section
from assistant.tui.widgets.section_tree import SectionTree


def reading_root(section, sections: dict):
    """A duty block ('UNNs ansvar og oppgaver') is read with its numbered section, so the
    other party's block is right beside it."""
    if section.actor and len(section.path) > 1:
        for other in sections.values():
            if other.doc_id == section.doc_id and other.path == section.path[:-1]:
                return other
    return section


def subtree(root, sections: dict) -> list:
    n = len(root.path)
    return [s for s in sections.values() if s.doc_id == root.doc_id and s.path[:n] == root.path]


def _overlaps(span, lines) -> bool:
    return bool(span and lines) and span[0] <= lines[1] and lines[0] <= span[1]


class ReaderScreen(Screen):
    TYPING_GOES_TO_CONVERSATION = True  # typing a question returns to the conversation with it
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Tilbake"),
    ]

    def __init__(self, index, section_id: str, lines=None, wanted=frozenset(), plain_mode: bool = False) -> None:
        super().__init__(classes="reader-screen")
        self.index, self.section_id, self.lines, self.wanted = index, section_id, lines, wanted
        self.plain_mode = plain_mode
        section = index.sections[section_id]
        self.document = index.documents[section.doc_id]
        self.doc_sections = [s for s in index.sections.values() if s.doc_id == section.doc_id]

    def compose(self):
        yield Static(id="reader-head", markup=False)
        with Horizontal(id="reader-panes"):
            yield SectionTree(self.document.short_title or self.document.title, self.doc_sections,
                              self.plain_mode, id="reader-tree")
            yield VerticalScroll(id="reader-text", can_focus=True)
        yield Footer(compact=True, show_command_palette=False)

    async def on_mount(self) -> None:
        await self.show_section(self.section_id, self.lines)
        self.query_one("#reader-text").focus()

    async def show_section(self, section_id: str, lines=None) -> None:
        section = self.index.sections[section_id]
        root = reading_root(section, self.index.sections)
        parts = subtree(root, self.index.sections)
        self.query_one(SectionTree).reveal(section_id)
        self._show_head(root, parts)
        pane = self.query_one("#reader-text", VerticalScroll)
        await pane.remove_children()
        widgets, first = self._paragraphs(root, parts, lines)
        await pane.mount_all(widgets)
        if first is not None:
            self.call_after_refresh(pane.scroll_to_widget, first, top=True, animate=False)
        else:
            pane.scroll_home(animate=False)

    def _show_head(self, root, parts) -> None:
        info = self.document
        first, last = min(p.line_start for p in parts), max(p.line_end for p in parts)
        where = f"s. {root.page_start}, " if root.page_start else ""
        head = Text(safe(short_section(root.breadcrumb)), style="bold")
        head.append("\n" + safe(info.title), style="italic")
        details = [d for d in (info.status_label, f"corpus/{info.source_file}", f"{where}linje {first}–{last}") if d]
        head.append("\n" + safe(" · ".join(details)))
        self.query_one("#reader-head", Static).update(head)

    def _paragraphs(self, root, parts, lines):
        widgets, first = [], None
        for part in parts:
            heading_widget = None
            if part is not root:
                heading = part.heading + (f" ({part.actor})" if part.actor and part.actor not in part.title else "")
                heading_widget = Static(plain(heading, "bold"), classes="reader-heading", markup=False)
                widgets.append(heading_widget)
            shown = 0
            paragraphs = [p for p in part.text.split("\n")]
            spans = list(part.spans) if len(part.spans) == len(paragraphs) else [None] * len(paragraphs)
            for para, span in zip(paragraphs, spans):
                if not para.strip():
                    continue
                hit = lines is not None and (span is None and part.id == self.section_id or _overlaps(span, lines))
                text = highlighted(para, self.wanted)
                if hit and self.plain_mode:
                    text = Text("» ") + text
                widget = Static(text, classes="reader-para -excerpt" if hit else "reader-para", markup=False)
                widgets.append(widget)
                if hit and first is None:  # keep the heading in view when the excerpt starts the part
                    first = heading_widget if shown == 0 and heading_widget is not None else widget
                shown += 1
            if part.links:
                widgets.append(Static(plain("Lenker: " + " ".join(part.links), "italic"), classes="reader-para",
                                      markup=False))
        if not widgets:
            widgets.append(Static("Avsnittet har ingen egen tekst. Velg et underavsnitt i innholdsfortegnelsen.",
                                  classes="reader-para", markup=False))
        return widgets, first

    async def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        if event.node.data:
            event.node.expand()
            await self.show_section(event.node.data, None)
