"""The memory benchmark still runs (on a tiny generated database; speed is reported, not asserted here)."""

from __future__ import annotations

from samantha.bench import memory as bench
from samantha.store import Store


def test_generated_data_is_searchable_korean_and_english(tmp_path):
    store = Store.open(tmp_path / "bench.db")
    bench.generate(store, 400, bench.Corpus(seed=1))
    stats = store.stats()
    assert (stats["conversations"], stats["messages"]) == (20, 400)
    assert stats["memories"] >= 10 and stats["summaries"] >= 5
    texts = [m.content for m in store.recent_messages("c00000003", 20)]
    assert any("\uac00" <= ch <= "\ud7a3" for text in texts for ch in text)
    word = next(w for w in texts[0].split() if len(w) > 3).strip(".!?").lower()
    assert store.search_messages(word, any_term=True)
    store.close()


def test_run_size_reports_every_figure():
    rows = bench.run_size(400, quick=True)
    names = [row["name"] for row in rows]
    for expected in (
        "generate",
        "memory search p95",
        "context assembly p95",
        "export JSON peak RSS",
        "import JSON peak RSS",
    ):
        assert any(name.startswith(expected) for name in names), expected
    assert all(row["value"] >= 0 for row in rows)
