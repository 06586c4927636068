"""The section tree of one document, for browsing in the reader. Labels are plain text, cut with
an ellipsis where the pane is too narrow (the reader's heading shows the whole title)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree

from assistant.tui.format import plain


class SectionTree(Tree[str]):
    def __init__(self, title: str, sections: list, plain_mode: bool = False, **kwargs) -> None:
        super().__init__(plain(title, "bold"), **kwargs)
        self.auto_expand = False  # Enter opens a section; Space folds it
        if plain_mode:  # no box-drawing guides or triangles for screen readers
            self.show_guides = False
            self.ICON_NODE, self.ICON_NODE_EXPANDED = "+ ", "- "
        self.node_of: dict[str, object] = {}
        # Enter on the document's name opens its beginning (its first section).
        self.root.data = sections[0].id if sections else None
        parents = {s.path[:-1] for s in sections}
        by_path = {}
        for section in sections:
            parent = by_path.get(section.path[:-1], self.root)
            label = plain(section.heading or section.title or section.id)
            if section.path in parents:
                node = parent.add(label, data=section.id)
            else:
                node = parent.add_leaf(label, data=section.id)
            by_path[section.path] = node
            self.node_of[section.id] = node
        self.root.expand()

    def reveal(self, section_id: str) -> None:
        """Unfold the way to a section and put the cursor on it."""
        node = self.node_of.get(section_id)
        if node is None:
            return
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self.call_after_refresh(self.move_cursor, node)

    def render_label(self, node, base_style, style) -> Text:
        label = super().render_label(node, base_style, style)
        depth, parent = 0, node.parent
        while parent is not None:
            depth, parent = depth + 1, parent.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth
        if room > 1 and label.cell_len > room:
            label.truncate(room, overflow="ellipsis")
        return label
