"""Memory benchmark: search, context assembly and export on generated databases of 10k/100k/1M messages.

Run: `python -m samantha.bench.memory [--quick] [--sizes 10000,100000]` (or through `make bench`).
The data is generated (no downloads): conversations of 20 messages, English and Korean text drawn from a
Zipf-distributed vocabulary, with memories and summaries, inserted in one transaction with the search
triggers live, as real use would leave them.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from samantha.bench import Row, row
from samantha.store import Store

AREA = "memory"
SEARCH_TARGET_MS = 50.0
CONTEXT_TARGET_MS = 30.0
MESSAGES_PER_CONVERSATION = 20

_ENGLISH = """
time person year way day thing man world life hand part child eye woman place work week case point
government company number group problem fact sister brother mother father wedding birthday music
movie song book coffee tea garden city ocean mountain rain snow letter phone computer voice love
friend dream morning night evening weekend holiday trip train airport hospital school office meeting
dinner lunch breakfast dog cat piano guitar violin painting photo camera beach river forest lake
park street house apartment kitchen window door bed chair table hiking running swimming cooking
reading writing singing dancing walking talking happy sad tired excited nervous lonely curious
afraid proud grateful calm angry worried hopeful
""".split()  # noqa: SIM905
_STOP = """
i you the a to and of it is in that my was for me on with so but just really
""".split()  # noqa: SIM905
_KOREAN_STEMS = """
사람 시간 친구 언니 오빠 동생 엄마 아빠 결혼 생일 음악 영화 노래 커피 바다 산 비 눈
편지 전화 사랑 꿈 아침 저녁 주말 여행 기차 공항 병원 학교 회사 회의 점심 강아지
고양이 피아노 그림 사진 공원 집 부엌 창문 산책 요리 독서 운동 서울 부산 제주 날씨
하늘 마음 기분 행복 걱정
""".split()  # noqa: SIM905
_PARTICLES = ["", "은", "는", "이", "가", "을", "를", "에", "에서", "의", "도", "랑", "한테"]
_KOREAN_ENDINGS = """
좋아 했어 싶어 갔어 봤어 먹었어 있어 없어 좋았어 힘들어 기뻐 슬퍼
""".split()  # noqa: SIM905


def _vocabulary(rng: random.Random) -> tuple[list[str], list[str]]:
    """English-ish and Korean words, most frequent first: real words, then invented rarer ones."""
    letters = "abcdefghijklmnoprstuvwy"
    invented = {"".join(rng.choices(letters, k=rng.randint(5, 9))) for _ in range(30_000)}
    english = _STOP + _ENGLISH + sorted(invented)
    syllables = [chr(0xAC00 + i) for i in range(0, 11172, 7)]
    korean_invented = {"".join(rng.choices(syllables, k=rng.randint(2, 3))) for _ in range(20_000)}
    korean = _KOREAN_STEMS + sorted(korean_invented)
    return english, korean


def _zipf(words: list[str]) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** 1.05 for rank in range(len(words))))


class Corpus:
    """Generated message text: 70% English-like, 30% Korean with particles and verb endings."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.english, self.korean = _vocabulary(self.rng)
        self.english_weights = _zipf(self.english)
        self.korean_weights = _zipf(self.korean)

    def messages(self, count: int) -> list[str]:
        rng = self.rng
        lengths = [rng.randint(4, 30) for _ in range(count)]
        english_words = rng.choices(self.english, cum_weights=self.english_weights, k=sum(lengths))
        korean_words = rng.choices(self.korean, cum_weights=self.korean_weights, k=sum(lengths) // 2)
        texts, at, korean_at = [], 0, 0
        for length in lengths:
            if rng.random() < 0.3:
                n = max(2, length // 2)
                words = korean_words[korean_at : korean_at + n]
                korean_at += n
                words = [w + rng.choice(_PARTICLES) for w in words] + [rng.choice(_KOREAN_ENDINGS)]
                if len(words) < 2:
                    words = ["오늘", "좋았어"]
            else:
                words = english_words[at : at + length]
            at += length
            texts.append(" ".join(words).capitalize() + rng.choice([".", "!", "?", "."]))
        return texts

    def query(self, band: str) -> str:
        """A search like a person types: one or two words, rare, mid-frequency or common; some Korean."""
        rng = self.rng
        if rng.random() < 0.3:
            pool = self.korean[: {"common": 20, "mid": 400, "rare": 20_000}[band]]
            words = [rng.choice(pool) + rng.choice(_PARTICLES) for _ in range(rng.randint(1, 2))]
        else:
            start = len(_STOP)
            pool = self.english[start : start + {"common": 30, "mid": 600, "rare": 30_000}[band]]
            words = [rng.choice(pool) for _ in range(rng.randint(1, 2))]
        return " ".join(words)


def generate(store: Store, messages: int, corpus: Corpus) -> float:
    """Fill `store` with `messages` messages (and memories, summaries); returns seconds taken."""
    started = time.perf_counter()
    rng = corpus.rng
    start = datetime.now(UTC) - timedelta(days=365)
    step = timedelta(days=365) / max(messages, 1)
    conversations = (messages + MESSAGES_PER_CONVERSATION - 1) // MESSAGES_PER_CONVERSATION
    conn = store.db.conn
    batch = 50_000
    with store.transaction():
        conn.executemany(
            "insert into conversations (id, title, created_at, updated_at) values (?, ?, ?, ?)",
            (
                (
                    f"c{n:08d}",
                    f"conversation {n}",
                    (start + step * n * 20).isoformat(),
                    (start + step * n * 20).isoformat(),
                )
                for n in range(conversations)
            ),
        )
        for offset in range(0, messages, batch):
            texts = corpus.messages(min(batch, messages - offset))
            conn.executemany(
                "insert into messages (id, conversation_id, role, content, created_at, model, tokens, "
                "status, meta) values (?, ?, ?, ?, ?, 'bench', ?, 'complete', '{}')",
                (
                    (
                        f"m{n:09d}",
                        f"c{n // MESSAGES_PER_CONVERSATION:08d}",
                        "user" if n % 2 == 0 else "assistant",
                        text,
                        (start + step * n).isoformat(),
                        len(text) // 4,
                    )
                    for n, text in enumerate(texts, start=offset)
                ),
            )
        memories = max(10, messages // 1000)
        conn.executemany(
            "insert into memories (id, content, kind, source, message_id, conversation_id, created_at) "
            "values (?, ?, 'fact', 'pattern', ?, ?, ?)",
            (
                (
                    f"f{n:08d}",
                    "The user " + text,
                    f"m{(n * 997 % messages) // 2 * 2:09d}",
                    f"c{(n * 997 % messages) // 2 * 2 // MESSAGES_PER_CONVERSATION:08d}",
                    (start + step * n).isoformat(),
                )
                for n, text in enumerate(corpus.messages(memories))
            ),
        )
        conn.executemany(
            "insert into summaries (id, conversation_id, first_message_id, last_message_id, message_count, "
            "content, created_at) values (?, ?, ?, ?, 10, ?, ?)",
            (
                (
                    f"s{n:08d}",
                    f"c{n * 7 % conversations:08d}",
                    f"m{n * 7 % conversations * MESSAGES_PER_CONVERSATION:09d}",
                    f"m{n * 7 % conversations * MESSAGES_PER_CONVERSATION + 9:09d}",
                    text,
                    start.isoformat(),
                )
                for n, text in enumerate(corpus.messages(max(5, messages // 2000)))
            ),
        )
    del rng
    return time.perf_counter() - started


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def bench_search(store: Store, corpus: Corpus, queries: int) -> list[float]:
    """What `samantha memory search` does: memories and messages, every word, top 20."""
    bands = ["rare", "mid", "common"]
    texts = [corpus.query(bands[n % 3]) for n in range(queries)]
    for text in texts[:5]:  # warm the page cache like a running app
        store.search_messages(text)
    timings = []
    for text in texts:
        started = time.perf_counter()
        store.search_memories(text, limit=20)
        store.search_messages(text, limit=20)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


class Turns:
    """Per-turn figures of context assembly: wall time, and CPU time of the whole process (every thread,
    so the message's encoding in its background thread counts): on a shared machine the wall time is
    mostly waiting for a core, the CPU time is what the turn itself costs."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def note(self) -> str:
        return (
            f"p50 {statistics.median(self.wall):.1f} ms, max {max(self.wall):.1f} ms, "
            f"{len(self.wall)} turns; CPU p50 {statistics.median(self.cpu):.1f} ms, "
            f"p95 {_percentile(self.cpu, 0.95):.1f} ms"
        )


def bench_context(
    store: Store, corpus: Corpus, turns: int, conversations: int, block: int = 25
) -> dict[str, Turns]:
    """A turn's context: recent history, recall sections (memories by meaning and words, past messages,
    summary), assembly; from the moment the user's message is saved (as `Companion` does first, so it is
    in the search index too) until the context is built, the message's encoding included.

    The same turns are measured with memories ranked by words alone too (`"words"`), in alternating
    blocks, so a change in the machine's load falls on both: the ratio is what recall by meaning costs.
    `"encode"`: encoding each message alone, the part of the turn recall by meaning adds (not measured
    when there are too few memories for the encoder to be used).
    """
    from samantha.companion import Companion
    from samantha.config import Settings
    from samantha.llm.scripted import ScriptedModel
    from samantha.recall import HISTORY_WINDOW, MEMORY_ITEMS, Recall
    from samantha.retrieval.nlp import encoder

    encoder_used = len(store.current_memory_ids(MEMORY_ITEMS + 1)) > MEMORY_ITEMS
    companions = {
        kind: Companion(
            Settings(),
            store,
            ScriptedModel(context_window=8192),
            recall=Recall(store, by_meaning=kind == "meaning"),
        )
        for kind in ("meaning", "words")
    }
    found = {kind: Turns() for kind in ("meaning", "words", "encode")}
    rng = corpus.rng
    texts = corpus.messages(turns + 5)
    for first in range(0, len(texts), block):
        for kind, companion in companions.items():
            for n, text in enumerate(texts[first : first + block], start=first):
                conversation = f"c{rng.randrange(conversations):08d}"
                history = store.recent_messages(conversation, HISTORY_WINDOW)
                store.add_message(conversation, "user", text)
                started, cpu = time.perf_counter(), time.process_time()
                history = store.recent_messages(conversation, HISTORY_WINDOW)
                companion.build_context(conversation, text, history[:-1])
                if n >= 5:  # the first few warm the caches
                    found[kind].wall.append((time.perf_counter() - started) * 1000)
                    found[kind].cpu.append((time.process_time() - cpu) * 1000)
        for n, text in enumerate(texts[first : first + block] if encoder_used else [], start=first):
            started, cpu = time.perf_counter(), time.process_time()
            encoder().encode([text])  # the encoder itself: `nlp.encode` keeps the last few texts
            if n >= 5:
                found["encode"].wall.append((time.perf_counter() - started) * 1000)
                found["encode"].cpu.append((time.process_time() - cpu) * 1000)
    return found


_CHILD = """
import sys
from pathlib import Path
from samantha.store import Store
from samantha.transfer import export_to_path, import_file
store = Store.open(Path(sys.argv[2]))
if sys.argv[1] == "export":
    export_to_path(store, Path(sys.argv[3]), "json")
else:
    import_file(store, Path(sys.argv[3]))
# The peak resident size of this process image (ru_maxrss from wait4 would include the parent's).
status = Path("/proc/self/status").read_text()
print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
"""

#: Imports are benchmarked up to this size (a million-message import takes minutes, like generating).
IMPORT_MAX_MESSAGES = 100_000


def _child(*args: str) -> tuple[float, float]:
    """Seconds and peak resident memory (MiB) of a separate process running `_CHILD` with `args`."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"the {args[0]} process failed: {done.stderr.strip()[-500:]}")
    return seconds, int(done.stdout.split()[-1]) / 1024  # VmHWM is in kB


def bench_transfer(path: Path, folder: Path, label: str, with_import: bool) -> list[Row]:
    """A JSON export of the database (and, if asked, its import into an empty one) in separate processes."""
    out = folder / "export.json"
    seconds, peak = _child("export", str(path), str(out))
    size = out.stat().st_size
    note = f"{size / 2**20:.0f} MiB file in {seconds:.1f} s; flat across sizes = constant memory"
    rows = [row(AREA, f"export JSON peak RSS @ {label}", peak, "MiB", note=note)]
    if with_import:
        seconds, peak = _child("import", str(folder / "imported.db"), str(out))
        rows.append(row(AREA, f"import JSON peak RSS @ {label}", peak, "MiB", note=f"{seconds:.1f} s"))
    out.unlink()
    return rows


def run_size(messages: int, quick: bool, data: Path | None = None) -> list[Row]:
    """Benchmark one size. With `data`, the generated database is kept there and reused next time."""
    label = f"{messages:,} messages"
    rows: list[Row] = []
    corpus = Corpus()
    with tempfile.TemporaryDirectory(prefix="samantha-bench-") as folder:
        path = (data or Path(folder)) / f"memory-{messages}.db"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            store = Store.open(path)
            seconds = generate(store, messages, corpus)
            rows.append(row(AREA, f"generate {label}", seconds, "s", note="one transaction, triggers live"))
            store.close()
        started = time.perf_counter()
        Store.open(path).close()
        opened = (time.perf_counter() - started) * 1000
        rows.append(row(AREA, f"open (migrations checked, pending replies) @ {label}", opened, "ms"))
        store = Store.open(path)
        rows.append(row(AREA, f"database size @ {label}", store.size_bytes() / 2**20, "MiB"))

        searches = bench_search(store, corpus, 60 if quick else 300)
        p95 = _percentile(searches, 0.95)
        note = (
            f"p50 {statistics.median(searches):.1f} ms, max {max(searches):.1f} ms, {len(searches)} queries"
        )
        target = f"<= {SEARCH_TARGET_MS:g} ms"
        rows.append(
            row(AREA, f"memory search p95 @ {label}", p95, "ms", target, p95 <= SEARCH_TARGET_MS, note)
        )

        conversations = (messages + MESSAGES_PER_CONVERSATION - 1) // MESSAGES_PER_CONVERSATION
        turns = bench_context(store, corpus, 60 if quick else 300, conversations)
        meaning, words, encoding = turns["meaning"], turns["words"], turns["encode"]
        p95 = _percentile(meaning.wall, 0.95)
        target = f"<= {CONTEXT_TARGET_MS:g} ms"
        name = f"context assembly p95 (memories by meaning, encoding included) @ {label}"
        rows.append(row(AREA, name, p95, "ms", target, p95 <= CONTEXT_TARGET_MS, meaning.note()))
        # The same turns' memories by words alone: the ratio is what recall by meaning costs.
        ratio = p95 / _percentile(words.wall, 0.95)
        note = f"{words.note()}; p95 with meaning / words only = {ratio:.2f}"
        name = f"context assembly p95, words only @ {label}"
        rows.append(row(AREA, name, _percentile(words.wall, 0.95), "ms", note=note))
        if encoding.wall:
            name = f"encoding one message alone p95 @ {label}"
            rows.append(row(AREA, name, _percentile(encoding.wall, 0.95), "ms", note=encoding.note()))
        store.close()

        rows += bench_transfer(path, Path(folder), label, messages <= IMPORT_MAX_MESSAGES)
    return rows


def run(quick: bool) -> list[Row]:
    from samantha.bench import recall_eval

    sizes = [10_000] if quick else [10_000, 100_000, 1_000_000]
    rows: list[Row] = recall_eval.run(quick)  # recall by meaning: the held-out question set
    for size in sizes:
        rows += run_size(size, quick)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10k messages only (under a minute)")
    parser.add_argument("--sizes", help="comma-separated message counts, e.g. 10000,100000")
    parser.add_argument("--data", type=Path, help="keep generated databases in this folder, reuse them")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else None
    started = time.perf_counter()
    if sizes is None:
        sizes = [10_000] if args.quick else [10_000, 100_000, 1_000_000]
    rows = [r for size in sizes for r in run_size(size, args.quick, args.data)]
    for r in rows:
        verdict = "" if r["ok"] is None else ("  ok" if r["ok"] else "  MISSED")
        target = f"  (target {r['target']})" if r["target"] else ""
        note = f"  [{r['note']}]" if r["note"] else ""
        print(f"{r['name']:<60} {r['value']:>10.2f} {r['unit']}{target}{verdict}{note}")
    print(f"total {time.perf_counter() - started:.0f} s, pid {os.getpid()}")


if __name__ == "__main__":
    main()
