"""The app's `/model`: the panel lists the models there are; `/model NAME` switches without a restart;
an unknown name is one sentence."""

from __future__ import annotations

from samantha.companion import Companion
from samantha.llm.embedded import EmbeddedModel
from samantha.llm.scripted import ScriptedModel
from samantha.tui.screens.panels import TextPanel


async def test_the_apps_model_command_lists_and_switches(make, settings, store, ready, idle) -> None:
    scripted = ScriptedModel("First.")
    app = make(companion=Companion(settings, store, scripted))
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        screen = app.chat_screen
        screen.prompt.value = "/model"
        await pilot.press("enter")
        await idle(app, pilot)
        assert isinstance(app.screen, TextPanel) and app.screen.id == "model-panel"
        assert "(embedded, built-in)" in app.screen.body and "/model NAME" in app.screen.body
        await pilot.press("escape")
        screen.prompt.value = "/model nothing-like-it"
        await pilot.press("enter")
        await idle(app, pilot)
        assert any("no model called 'nothing-like-it'" in n.message for n in app.notices)
        assert app.companion is not None and app.companion.model is scripted
        screen.prompt.value = "/model built-in"
        await pilot.press("enter")
        await idle(app, pilot)
        assert any(n.message.startswith("Switched to") for n in app.notices)
        assert isinstance(app.companion.model, EmbeddedModel)


async def test_a_cut_reply_is_labelled_and_continue_goes_on(make, settings, store, ready, idle) -> None:
    from samantha.llm.scripted import Cut

    scripted = ScriptedModel(Cut("Sometimes we need to give up. But"), "not everything.")
    app = make(companion=Companion(settings, store, scripted))
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        screen = app.chat_screen
        screen.prompt.value = "/continue"
        await pilot.press("enter")
        await idle(app, pilot)
        assert any("nothing to continue" in n.message for n in app.notices)
        screen.prompt.value = "Tell me"
        await pilot.press("enter")
        await idle(app, pilot)
        cut = screen.chat.last("assistant")
        assert cut is not None and cut.status == "cut"
        assert "cut at the length limit; /continue goes on" in str(cut._header_text())
        screen.prompt.value = "/continue"
        await pilot.press("enter")
        await idle(app, pilot)
        after = screen.chat.last("assistant")
        assert after is not cut and after.raw == "not everything." and after.status == "complete"
        assert [b.raw for b in screen.chat.bubbles() if b.role == "user"][-1] == "continue"
