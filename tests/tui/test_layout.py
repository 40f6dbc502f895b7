"""The app at small and large sizes: the sidebar folds and comes back, the message box and the chat keep
usable widths, the status bar drops whole parts, notices take their own rows, dialogs show their own
keys, arrows move focus where they point. Scripted model; sizes are the terminal's."""

from __future__ import annotations

from support.app_driving import send
from textual.fuzzy import Matcher
from textual.widgets import Input
from textual.widgets._toast import Toast

from samantha.tui.dialogs import ConfirmScreen


def screen_text(app) -> str:
    return "\n".join(
        "".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()
    )


async def test_a_narrow_window_folds_the_sidebar_and_a_wide_one_brings_it_back(make, ready):
    app = make()
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(app, pilot)
        screen = app.chat_screen
        assert not screen.sidebar.display
        assert "Message Samantha" in screen_text(app)
        greeting = screen.chat.bubbles()[0]
        assert greeting.query_one(".body").region.width >= 40
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert screen.sidebar.display
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert not screen.sidebar.display
        assert screen.prompt.content_region.width >= 30


async def test_the_status_bar_drops_whole_parts_least_important_first(make, ready):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        status = app.chat_screen.status
        status.model_label = "embedded · SmolLM2-135M-Instruct.Q4_1 (embedded)"
        status.notice = "tiny built-in model (/model for how to switch)"
        status.budget, status.used = 4036, 2366
        status.state = "writing…"
        await pilot.pause()
        wide = str(status.render())
        assert "…" not in wide.replace("writing…", "")  # nothing cut
        assert (
            "SmolLM2-135M-Instruct.Q4_1 (embedded)" in wide and "2,366/4,036" in wide and "writing…" in wide
        )
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        narrow = str(status.render())
        assert "tiny" not in narrow and "embedded ·" not in narrow  # the notice and the backend go first
        assert "SmolLM2-135M-Instruct.Q4_1 (embedded)" in narrow and "writing…" in narrow


async def test_the_token_count_starts_again_with_a_new_conversation(make, scripted_model, ready, idle):
    scripted_model.enqueue("Hello.")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await send(pilot, "hi")
        await idle(app, pilot)
        status = app.chat_screen.status
        assert status.used > 0
        await pilot.press("ctrl+n")
        assert status.used == 0 and f"context 0/{status.budget:,}" in str(status.render())


async def test_a_notice_takes_its_own_rows_and_covers_nothing(make, scripted_model, ready):
    scripted_model.small_model_notice = "I'm a tiny model; " * 8
    app = make()
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(app, pilot)
        screen = app.chat_screen
        notice = screen.notice
        assert notice.display and "tiny model" in notice.text
        assert not notice.region.overlaps(screen.prompt.region)
        assert not notice.region.overlaps(screen.chat.region)
        assert screen.prompt.region.bottom <= notice.region.y
        assert "Message Samantha" in screen_text(app)


async def test_a_long_notice_in_a_small_window_is_cut_at_a_word_and_says_where_to_read_it(
    make, scripted_model, ready
):
    from samantha.llm.embedded import SMALL_MODEL_NOTICE

    scripted_model.small_model_notice = SMALL_MODEL_NOTICE
    app = make()
    async with app.run_test(size=(40, 12)) as pilot:
        await ready(app, pilot)
        notice = app.chat_screen.notice
        assert notice.display and notice.region.height <= 1 + 12 // 5  # its top rule and two lines
        shown = notice.text
        assert shown.startswith("About this model: I'm running") and shown.endswith(
            "… (cut; /model shows all of it)"
        )
        cut = shown.removeprefix("About this model: ").removesuffix("… (cut; /model shows all of it)")
        assert SMALL_MODEL_NOTICE.startswith(cut) and SMALL_MODEL_NOTICE[len(cut)] in " ,;:."
        assert "Message Samantha" in screen_text(app)
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert notice.text == f"About this model: {SMALL_MODEL_NOTICE}"  # room for all of it now


async def test_a_toast_left_over_a_closed_panel_moves_to_the_notice_bar(make, ready):
    app = make()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await ready(app, pilot)
        await pilot.press("f5")
        await pilot.pause()
        app.notify("Forgot 3 memories.", timeout=60)
        for _ in range(100):  # Textual mounts the toast a few messages later
            await pilot.pause()
            if app.screen.query(Toast):
                break
        assert app.notices[-1].shown_in == "toast" and app.screen.query(Toast)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.chat_screen
        assert app.chat_screen.notice.text == "Forgot 3 memories."
        assert not app.screen.query(Toast)


async def test_the_footer_shows_only_whole_keys_and_keeps_help_when_narrow(make, ready):
    from textual.widgets._footer import FooterKey

    from samantha.tui.footer import FittingFooter

    def footer_row() -> tuple[str, list[FooterKey], list[FooterKey]]:
        keys = [k for k in app.chat_screen.query_one(FittingFooter).query(FooterKey)]
        shown = [k for k in keys if k.display and not k.has_class("-command-palette")]
        hidden = [k for k in keys if not k.display]
        return screen_text(app).splitlines()[-1], shown, hidden

    app = make()
    async with app.run_test(size=(40, 12)) as pilot:
        await ready(app, pilot)
        await pilot.pause()
        row, shown, hidden = footer_row()
        assert [k.description for k in shown] == ["Stop", "New", "Help"]  # in row order; Help pinned
        assert all(f"{k.description}" in row for k in shown) and row.rstrip().endswith("^p palette")
        assert hidden and not any(k.description[:4] in row for k in hidden)  # no "Regene"
        assert max(k.region.right for k in shown) <= app.screen.query_one(".-command-palette").region.x
        await pilot.resize_terminal(130, 36)
        await pilot.pause()
        row, shown, hidden = footer_row()
        assert not hidden and "Quit" in row and "Regenerate" in row


async def test_a_dialog_footer_shows_only_its_own_keys(make, store, ready):
    conversation = store.create_conversation("to delete")
    store.add_message(conversation.id, "user", "bye")
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        app.chat_screen.conversation.conversation_id = conversation.id
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        footer = screen_text(app).splitlines()[-1]
        assert "Yes" in footer and "No" in footer
        assert "Stop" not in footer and "Regenerate" not in footer


async def test_down_from_the_filter_goes_into_the_list(make, store, ready):
    for title in ("one", "two"):
        store.create_conversation(title)
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        sidebar = app.chat_screen.sidebar
        sidebar.query_one("#filter", Input).focus()
        await pilot.press("down")
        assert sidebar.options.has_focus and sidebar.options.highlighted == 0
        await pilot.press("up")
        assert sidebar.query_one("#filter", Input).has_focus


async def test_the_palette_search_for_theme_finds_no_memory_command(make, ready):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        matcher = Matcher("theme")
        found = [c.title for c in app.get_system_commands(app.screen) if matcher.match(c.title) > 0]
        assert found and all("theme" in title.lower() for title in found)
