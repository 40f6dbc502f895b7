"""/model in the app: the panel listing the models there are, and switching the conversation's model.

Both ask the service in a thread worker: listing may ask a server, and switching may load a model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from samantha.errors import SamanthaError
from samantha.textsafe import terminal_safe
from samantha.tui.screens.panels import model_panel

if TYPE_CHECKING:
    from textual.widget import Widget

    from samantha.tui.services import ChatService, ModelFacts


def show_models(node: Widget, service: ChatService) -> None:
    """/model: the panel, with the models there are to switch to."""

    def listing() -> None:
        facts = service.model_facts()
        try:
            names = service.switch_model("")
        except SamanthaError as exc:
            names = exc.message
        if facts is not None:
            node.app.call_from_thread(node.app.push_screen, model_panel(facts, names))

    node.run_worker(listing, thread=True, exclusive=True, group="model", exit_on_error=False)


def switch_model(
    node: Widget, service: ChatService, name: str, switched: Callable[[ModelFacts], None]
) -> None:
    """/model NAME: the next replies come from that model; `switched` is called with its facts."""

    def switch() -> None:
        try:
            said = service.switch_model(name)
        except SamanthaError as exc:
            node.app.call_from_thread(node.notify, terminal_safe(exc.message), severity="warning")
            return
        node.app.call_from_thread(node.notify, terminal_safe(said))
        facts = service.model_facts()
        if facts is not None:
            node.app.call_from_thread(switched, facts)

    node.run_worker(switch, thread=True, exclusive=True, group="model", exit_on_error=False)
