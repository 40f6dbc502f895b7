"""Export and import: lossless round trips (a hypothesis property), idempotent imports, every refusal."""

from __future__ import annotations

import io
import json
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samantha import transfer
from samantha.errors import ImportRefused
from samantha.store import Store
from samantha.store.search import query_terms

TABLES = ("conversations", "messages", "memories", "summaries")


def rows(store: Store) -> dict[str, list[tuple]]:
    return {table: store.db.execute(f"select * from {table} order by rowid").fetchall() for table in TABLES}


def populate(store: Store, contents: list[str], titles: list[str | None]) -> None:
    conversations = [store.create_conversation(title).id for title in titles]
    messages = []
    for n, content in enumerate(contents):
        conversation = conversations[n % len(conversations)]
        role = "user" if n % 2 == 0 else "assistant"
        meta = {"note": content[:20], "n": n}
        status = "complete" if n % 3 else "interrupted"
        messages.append(
            store.add_message(conversation, role, content, status=status, model="m", tokens=n, meta=meta)
        )
    for n, message in enumerate(messages[:3]):
        store.add_memory(f"fact {n}: {message.content[:50]}", kind="people", source="pattern",
                         message_id=message.id, conversation_id=message.conversation_id)  # fmt: skip
    store.add_memory(contents[0][:100] or "manual")
    # A fact that changed (Busan, superseded by a local Seoul), so the new columns go round too.
    old = store.add_memory(f"lives in {titles[0]!r}", kind="home", slot="home")
    store.add_memory(
        f"moved: {contents[-1][:40]}", kind="home", slot="home", scope="local", supersedes=[old.id]
    )
    if len(messages) >= 2:
        store.add_summary(
            messages[0].conversation_id, messages[0].id, messages[-1].id, len(messages), contents[-1]
        )


long_text = st.builds(
    lambda piece, times: piece * times, st.text(min_size=1, max_size=8), st.integers(2_000, 20_000)
)
unicode_text = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from('가나다라마바사아자차카타파하 \x00\n\t😀🎉👩‍👩‍👧\u200d\ufeff\u2028"\\')),
    long_text,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    contents=st.lists(unicode_text, min_size=1, max_size=8),
    titles=st.lists(st.one_of(st.none(), st.text(max_size=40)), min_size=1, max_size=3),
    fmt=st.sampled_from(["json", "jsonl"]),
)
def test_export_reset_import_gives_back_identical_rows(contents, titles, fmt):
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "samantha.db")
        populate(store, contents, titles)
        original = rows(store)
        exported = Path(folder) / f"export.{fmt}"
        transfer.export_to_path(store, exported, fmt)
        store.reset_all()
        assert all(not found for found in rows(store).values())
        report = transfer.import_file(store, exported)
        assert rows(store) == original
        assert report.added == {table: len(original[table]) for table in TABLES}
        # The same file again adds nothing.
        again = transfer.import_file(store, exported)
        assert sum(again.added.values()) == 0
        assert rows(store) == original
        # Search still works on what came back.
        for message_id, content in ((row[0], row[3]) for row in original["messages"]):
            word = next(
                (w for w in content.split() if w.isalnum() and len(w) > 2 and query_terms(w)),
                None,
            )
            if word:
                assert message_id in {
                    hit.id for hit in store.search_messages(word, limit=1000, any_term=True)
                }
                break
        store.close()


@pytest.fixture
def full_store(make_store):
    store = make_store("source.db")
    populate(
        store,
        ["내 이름은 지수야", "Nice to meet you 😀", "my sister Amy is getting married", "ok"],
        ["a", None],
    )
    return store


@pytest.fixture
def exports(full_store, tmp_path):
    paths = {}
    for fmt in ("json", "jsonl"):
        paths[fmt] = tmp_path / f"good.{fmt}"
        transfer.export_to_path(full_store, paths[fmt], fmt)
    return paths


@pytest.fixture
def target(make_store):
    """A database with something in it already, so "left exactly as it was" means something."""
    store = make_store("target.db")
    populate(store, ["already here", "and this too"], ["existing"])
    return store


def jsonl_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def bad_files(exports: dict[str, Path], tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good_json = exports["json"].read_bytes()
    document = json.loads(good_json)
    lines = jsonl_lines(exports["jsonl"])
    out: dict[str, tuple[Path, str]] = {}

    def put(name: str, data: bytes | str, reason: str) -> None:
        path = tmp_path / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        out[name] = (path, reason)

    def changed(**changes) -> str:
        return json.dumps({**document, **changes}, ensure_ascii=False)

    put("malformed.json", '{"format": "samantha-export", "schema_version": 1, oops}', "not valid JSON")
    put("truncated.json", good_json[: len(good_json) // 2], "truncated")
    put("truncated-line.jsonl", exports["jsonl"].read_bytes()[:-30], "truncated")
    no_end = [r for r in lines if r["type"] != "end"]
    put("no-end.jsonl", "".join(json.dumps(r) + "\n" for r in no_end), "end record is missing")
    put("newer.json", changed(schema_version=transfer.SCHEMA_VERSION + 1), "newer Samantha")
    put("newer.jsonl", "".join(json.dumps({**r, "schema_version": 9} if r["type"] == "header" else r) + "\n"
                               for r in lines), "newer Samantha")  # fmt: skip
    put("version-zero.json", changed(schema_version=0), "unknown schema version")
    put("version-string.json", changed(schema_version="1"), "unknown schema version")
    put("latin1.json", good_json.replace("지수".encode(), "café".encode("latin-1")), "not UTF-8")
    jsonl_bytes = exports["jsonl"].read_bytes().splitlines(keepends=True)
    jsonl_bytes[2] = (
        jsonl_bytes[2].replace(b'"ok"', b'"\xff\xfe"')
        if b'"ok"' in jsonl_bytes[2]
        else (jsonl_bytes[2][:-2] + b"\xc3\x28" + jsonl_bytes[2][-2:])
    )
    put("latin1.jsonl", b"".join(jsonl_bytes), "not UTF-8")
    put("binary.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8")
    put("not-export.json", '{"hello": "world"}', "not a Samantha export")
    put("list.json", "[1, 2, 3]", "not a Samantha export")
    put("empty.json", b"", "empty")
    put("blank.json", b"\n  \n", "empty")
    messages = document["messages"]
    put("bad-type.json", changed(messages=[{**messages[0], "content": 42}, *messages[1:]]), "not str")
    put("bad-role.json", changed(messages=[*messages[:-1], {**messages[-1], "role": "god"}]), "unknown role")
    dangling = {**messages[-1], "id": "new-message", "conversation_id": "nowhere"}
    counts = {**document["counts"], "messages": len(messages) + 1}
    put("dangling.json", changed(messages=[*messages, dangling], counts=counts), "missing conversation")
    put(
        "unknown-field.json", changed(memories=[{**document["memories"][0], "mood": "sad"}]), "unknown fields"
    )
    put("missing-field.json", changed(conversations=[{"id": "c"}]), "without created_at")
    put("dropped-record.json", changed(messages=messages[:-1]), "incomplete")
    put("after-end.jsonl", "".join(json.dumps(r) + "\n" for r in [*lines, lines[1]]), "after its end record")
    put("unknown-type.jsonl", "".join(json.dumps(r) + "\n" for r in [lines[0], {"type": "x"}, lines[-1]]),
        "unknown record type")  # fmt: skip
    put("not-list.json", changed(messages={"a": 1}), "not a list")
    first_memory = document["memories"][0]
    put("bad-status.json", changed(memories=[{**first_memory, "status": "maybe"}]), "unknown status")
    put("bad-scope.json", changed(memories=[{**first_memory, "scope": "cloud"}]), "unknown scope")
    # The file's own data quoted in the reason stays on one line (hypothesis found counts = "\n").
    put("counts-newline.json", changed(counts="\n"), "incomplete")
    put("field-newline.json", changed(memories=[{**first_memory, "a\nb": 1}]), "unknown fields 'a\\nb'")
    put("huge-kind.jsonl", "".join(json.dumps(r) + "\n" for r in [lines[0], {"type": "x" * 5000}, lines[-1]]),
        "unknown record type")  # fmt: skip
    return out


def test_every_bad_file_is_refused_with_its_reason_and_nothing_changes(exports, target, tmp_path, snapshot):
    before = snapshot(target.path)
    cases = bad_files(exports, tmp_path)
    for name, (path, reason) in cases.items():
        with pytest.raises(ImportRefused) as refused:
            transfer.import_file(target, path)
        message = refused.value.message
        assert reason in message, (name, message)
        assert "\n" not in message and message.startswith("Import refused:"), name
        assert len(message) < 400 + len(str(path)), name
        assert snapshot(target.path) == before, name
    missing = tmp_path / "missing.json"
    with pytest.raises(ImportRefused, match="does not exist"):
        transfer.import_file(target, missing)
    assert snapshot(target.path) == before


def test_a_version_1_export_still_imports(exports, make_store, tmp_path):
    """Files from before facts could change: their memories come in current, scoped everywhere."""
    document = json.loads(exports["json"].read_text(encoding="utf-8"))
    new_columns = ("slot", "status", "superseded_by", "valid_from", "valid_until", "scope")
    old_memories = [{k: v for k, v in m.items() if k not in new_columns} for m in document["memories"]]
    old_memories = [m for m in old_memories if not m["content"].startswith(("lives in", "moved:"))]
    counts = {**document["counts"], "memories": len(old_memories)}
    old = {**document, "schema_version": 1, "memories": old_memories, "counts": counts}
    for fmt in ("json", "jsonl"):
        path = tmp_path / f"version-1.{fmt}"
        if fmt == "json":
            path.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
        else:
            header = {
                "type": "header",
                **{k: old[k] for k in ("format", "schema_version", "exported_at", "counts")},
            }
            records = [
                {"type": kind, **r} for kind, table in transfer.RECORD_TYPES.items() for r in old[table]
            ]
            write_jsonl(path, [header, *records, {"type": "end", "counts": counts}])
        store = make_store(f"from-version-1-{fmt}.db")
        report = transfer.import_file(store, path)
        assert report.added["memories"] == len(old_memories) > 0
        for memory in store.list_memories():
            assert (memory.status, memory.scope, memory.superseded_by) == ("current", "everywhere", None)
            assert memory.valid_from == memory.created_at


def test_import_merges_into_existing_data_once(exports, full_store, target):
    existing = rows(target)
    report = transfer.import_file(target, exports["jsonl"])
    merged = rows(target)
    for table in TABLES:
        assert set(existing[table]) | set(rows(full_store)[table]) == set(merged[table])
    assert report.added["messages"] == 4
    assert sum(transfer.import_file(target, exports["json"]).added.values()) == 0
    assert rows(target) == merged


def test_exports_are_private_even_over_an_existing_file(full_store, tmp_path):
    path = tmp_path / "open.json"
    path.write_text("old")
    path.chmod(0o644)
    transfer.export_to_path(full_store, path, "json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == transfer.SCHEMA_VERSION


def test_markdown_is_readable(full_store):
    out = io.StringIO()
    counts = transfer.export(full_store, out, "markdown")
    text = out.getvalue()
    assert counts["messages"] == 4
    assert "내 이름은 지수야" in text and "**You**" in text and "**Samantha**" in text
    assert "## Memories" in text and "Summary of 4 earlier messages" in text


def test_our_json_is_read_line_by_line_and_other_layouts_whole(exports, full_store, make_store, monkeypatch):
    document = json.loads(exports["json"].read_text(encoding="utf-8"))
    compact = exports["json"].with_name("compact.json")
    compact.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    pretty = exports["json"].with_name("pretty.json")
    pretty.write_text(json.dumps(document, indent=2), encoding="utf-8")
    for path in (compact, pretty):
        store = make_store(f"from-{path.stem}.db")
        transfer.import_file(store, path)
        assert rows(store) == rows(full_store)
    # Samantha's own layout never needs the whole file in memory.
    monkeypatch.setattr(transfer._Importer, "json", lambda self, handle: pytest.fail("parsed whole"))
    store = make_store("streamed.db")
    transfer.import_file(store, exports["json"])
    assert rows(store) == rows(full_store)


def test_a_trailing_comma_in_our_layout_is_still_refused(exports, target, tmp_path, snapshot):
    lines = exports["json"].read_text(encoding="utf-8").splitlines(keepends=True)
    closing = lines.index("],\n", lines.index('"messages": [\n'))
    lines[closing - 1] = lines[closing - 1].rstrip("\n") + ",\n"
    bad = tmp_path / "trailing-comma.json"
    bad.write_text("".join(lines), encoding="utf-8")
    before = snapshot(target.path)
    with pytest.raises(ImportRefused, match="not valid JSON"):
        transfer.import_file(target, bad)
    assert snapshot(target.path) == before


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_byte_order_mark_and_windows_line_ends_are_accepted(exports, full_store, make_store, fmt):
    data = exports[fmt].read_bytes()
    edited = exports[fmt].with_name(f"windows.{fmt}")
    edited.write_bytes(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    store = make_store(f"windows-{fmt}.db")
    transfer.import_file(store, edited)
    assert rows(store) == rows(full_store)
