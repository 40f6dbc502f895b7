"""The message box: one line, Enter sends; a huge paste is cut to what a message may hold, with a notice."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

#: Longest text the box takes from one paste (the core refuses messages over 100,000 characters).
PASTE_LIMIT = 20_000


class PromptInput(Input):
    """An Input whose paste keeps every line (joined by spaces) and refuses to swallow megabytes."""

    def _on_paste(self, event: events.Paste) -> None:
        text = event.text
        event.stop()
        event.prevent_default()  # Input's own paste handler would insert the text a second time
        if not text:
            return
        if len(text) > PASTE_LIMIT:
            self.notify(
                f"The pasted text was {len(text):,} characters; I kept the first {PASTE_LIMIT:,}.",
                title="Paste shortened",
                severity="warning",
            )
            text = text[:PASTE_LIMIT]
        line = " ".join(part for part in text.splitlines() if part.strip()) if "\n" in text else text
        if self.selection.is_empty:
            self.insert_text_at_cursor(line)
        else:
            self.replace(line, *self.selection)
