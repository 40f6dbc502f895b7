"""Token counting works offline and never crashes a turn."""

from __future__ import annotations

import tiktoken

from samantha import tokens


def test_offline_encoding_is_registered_and_matches_cl100k():
    encoding = tiktoken.get_encoding(tokens.OFFLINE_ENCODING)
    assert encoding.encode("hello world") == [15339, 1917]  # cl100k_base ids
    assert tokens.count_tokens("hello world") == 2


def test_korean_counts_more_than_zero():
    assert tokens.count_tokens("사만다는 테오도르의 운영체제이다") > 5


def test_missing_encoding_falls_back_to_an_estimate(monkeypatch):
    def broken(name: str):
        raise ValueError("no such encoding")

    tokens._encoder.cache_clear()
    monkeypatch.setattr(tiktoken, "get_encoding", broken)
    try:
        assert tokens.count_tokens("a" * 300) >= 75
    finally:
        tokens._encoder.cache_clear()


def test_truncate_to_tokens_keeps_the_longest_prefix_that_fits():
    text = "one two three four five six seven eight nine ten"
    cut = tokens.truncate_to_tokens(text, 4)
    assert text.startswith(cut)
    assert tokens.count_tokens(cut) <= 4
    assert tokens.count_tokens(text[: len(cut) + 2]) > 4 or len(cut) + 2 > len(text)
