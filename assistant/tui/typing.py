"""Every keystroke and paste reaches a text field, in the order typed, wherever the focus is.

A clinician types a question the moment a screen appears: after Ctrl+N, after Tab, after Enter
on a source, in the reader. Textual hands a key to the widget that has focus when the key is
taken from the app's queue, but resolves key *bindings* later, when the key has bubbled back up
to the app, against whatever has focus by then. Typed in one burst (a fast typist, a terminal
paste), keys overtake each other: letters landed on the conversation and were lost, an Enter
meant for the question opened a source, a paste on the conversation was dropped, and the last
characters of a question were cut off.

So the order is kept in two places:

- `route_typing` runs in `App.on_event`, where keys are taken one by one in the order typed.
  When no text field has focus, a printable key or a paste is sent on to the screen's text field
  (the question, or a table's filter) and focus moves there at once (`Screen.set_focus`, not the
  deferred `Widget.focus`), so the rest of the burst follows it; any other key bound where focus
  is (↑, Enter, F4, Ctrl+N …) runs its action right there, before the next key is looked at. On
  a screen without a field (the reader, help) typing returns to the conversation with the text.
- `InOrderInput` runs its own keys (Enter, Esc, ←, Backspace …) as it receives them, among the
  letters, instead of when they have bubbled up: "abd⌫c" is "abc", and Enter asks exactly what
  was typed before it.

A single key bound where focus is (1–9 in the conversation, ? for help) stays a
command there; after one routed character the field has focus and every key is text.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


def one_line(text: str) -> str:
    """A pasted text as one line: a question copied from a record may span several lines, and
    the question field holds one (Textual's own Input keeps only the first line)."""
    return " ".join(text.split())


def is_typing(event: events.Event) -> bool:
    """A printable key or a non-empty paste."""
    if isinstance(event, events.Paste):
        return bool(event.text.strip())
    return isinstance(event, events.Key) and event.is_printable and bool(event.character)


async def route_typing(app, event: events.Event) -> bool:
    """Decide, in the order typed, where a key or paste goes; True when it has been dealt with
    here (sent to a field, or its binding run), False to let Textual do as it does."""
    screen = app.screen
    if isinstance(screen.focused, Input):
        return False  # the field gets it, in its own queue, in order (the app has no TextArea)
    if isinstance(event, events.Key) and event.key == "escape" and screen.maximized is not None:
        return False  # Textual restores a maximised pane first
    if is_typing(event):
        bound = screen.active_bindings.get(event.key) if isinstance(event, events.Key) else None
        if bound is None or not bound.enabled:
            return _send_to_field(app, screen, event)
    if isinstance(event, events.Key):
        bound = screen.active_bindings.get(event.key)
        if bound is not None and bound.enabled and not bound.binding.priority:
            await app.run_action(bound.binding.action, bound.node)
            return True
    return False


def _send_to_field(app, screen, event: events.Event) -> bool:
    field = screen.typing_field() if hasattr(screen, "typing_field") else None
    if field is None and getattr(screen, "TYPING_GOES_TO_CONVERSATION", False):
        field = app.return_to_conversation()
    if field is None:
        return False
    field.screen.set_focus(field)
    field._forward_event(event)  # into the field's queue, behind the keys already there
    return True


def type_into(field: Input, text: str) -> None:
    """Put `text` into `field` at its cursor, replacing a selection."""
    selection = field.selection
    if selection.is_empty:
        field.insert_text_at_cursor(text)
    else:
        field.replace(text, *selection)


class InOrderInput(Input):
    """An Input that runs its own key bindings as it receives each key, among the letters, so
    a fast burst is applied in the order typed (see the module's docstring)."""

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable:
            return  # Input inserts it (its own handler runs next)
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if self.check_action(binding.action.split("(")[0], ()) is not False:
                event.stop()
                event.prevent_default()
                await self.run_action(binding.action)
                return
