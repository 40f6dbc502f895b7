"""The first-token budget: timeout plus the prompt's reading time at the server's speed, learned from it."""

from __future__ import annotations

import pytest

from samantha.llm.pace import ASSUMED_TOKENS_PER_SECOND, MARGIN, PromptPace


def test_a_long_prompt_gets_its_reading_time_on_top_of_the_timeout() -> None:
    pace = PromptPace()
    assert pace.first_token_budget(30, 0) == 30
    # The report's film question: ~2,000 tokens read in 38-62 s on a CPU server.
    assert pace.first_token_budget(30, 2000) == pytest.approx(30 + MARGIN * 2000 / ASSUMED_TOKENS_PER_SECOND)
    assert pace.first_token_budget(30, 2000) > 62
    assert pace.first_token_budget(30, 2000, configured=1000) == pytest.approx(33)


def test_the_servers_own_timings_win_over_waits() -> None:
    pace = PromptPace()
    pace.learn_from_timings({"prompt_n": 1800, "prompt_ms": 36000, "prompt_per_second": 50.0})
    assert pace.speed() == 50.0
    pace.learn_from_wait(2000, 2.0)  # 1,000 tokens/s: a cached prefix, not reading speed
    assert pace.speed() == 50.0
    pace.learn_from_timings({"prompt_n": 3, "prompt_per_second": 9000.0})  # too few tokens to say
    assert pace.speed() == 50.0


def test_waits_teach_the_slowest_speed_seen_and_short_waits_nothing() -> None:
    pace = PromptPace()
    pace.learn_from_wait(2000, 0.4)
    assert pace.tokens_per_second is None
    pace.learn_from_wait(2000, 40.0)
    pace.learn_from_wait(2000, 10.0)
    assert pace.speed() == 50.0
