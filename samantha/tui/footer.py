"""The footer: Textual's, but on a narrow terminal it shows only the keys that fit whole.

Textual's footer lays its keys out in a row and cuts the row at the edge: at 40 columns the chat screen
showed "^r Regene". This one shows as many keys as fit, whole, in their usual order, dropping the least
useful first (the last in the row, except those pinned: `f1 Help` lists every key, so it stays while
anything does). Below `COMPACT_WIDTH` it also uses Textual's compact style (one space less per key).
Every key still works; `ctrl+p` (the palette, on the right) and `f1` list them all.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.geometry import Size
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: Below this many columns the keys are drawn compact (one space less each).
COMPACT_WIDTH = 120


class FittingFooter(Footer):
    """A footer whose keys never run past its edge: those that do not fit are hidden, least useful first.

    Args:
        keep: actions kept while anything is shown (the most useful first), before the rest in row order.
    """

    def __init__(self, *, keep: Iterable[str] = ()) -> None:
        super().__init__()
        self.keep = tuple(keep)

    async def recompose(self) -> None:
        """Textual rebuilds the keys whenever the bindings change; fit them again each time."""
        await super().recompose()
        self.fit()

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < COMPACT_WIDTH
        self.call_after_refresh(self.fit)

    def fit(self) -> None:
        """Show keys in order of use while they fit; hide the one that does not and every key after it."""
        row = list(self.query(FooterKey))
        palette = [key for key in row if key.has_class("-command-palette")]
        keys = [key for key in row if key not in palette]
        room = self.size.width - sum(self._width(key) for key in palette)

        def rank(key: FooterKey) -> tuple[int, int]:
            """Pinned actions first (in the given order), then the rest as they stand in the row."""
            pinned = self.keep.index(key.action) if key.action in self.keep else len(self.keep)
            return pinned, keys.index(key)

        for key in sorted(keys, key=rank):
            room -= self._width(key)
            key.display = room >= 0

    def _width(self, key: FooterKey) -> int:
        """Cells the key takes, measured from its text (a hidden key has no size to read)."""
        content = key.get_content_width(Size(self.size.width, 1), self.app.size)
        return content + key.styles.gutter.width + key.styles.margin.width
