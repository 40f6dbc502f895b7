"""Ingestion: page furniture removed, passages keep their context, indexing once and again only on change,
and `corpus add` refusing bad files without touching the index. Real Kiwi and sentence encoder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from samantha import locations
from samantha.errors import UsageError
from samantha.retrieval.index import CorpusIndex
from samantha.retrieval.text import parse_document

FURNITURE = ["본문 바로가기", "반응형", "728x90", "댓글", "공유하기", "Designed by", "블로그 공유"]


def reviews() -> list[Path]:
    return sorted(locations.corpus_dir().glob("*.txt"))


def test_five_reviews_ship_with_the_package():
    assert [p.name[:3] for p in reviews()] == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("path", reviews(), ids=lambda p: p.name[:3])
def test_boilerplate_is_stripped_and_prose_kept(path: Path):
    raw = path.read_text(encoding="utf-8")
    document = parse_document(path.name, raw)
    text = "\n".join(c.text for c in document.chunks)
    for furniture in FURNITURE:
        assert furniture not in text, furniture
    assert document.chunks, "no passages"
    # Prose survives: every long line of the page is in some passage.
    longest = max(raw.splitlines(), key=len).strip()
    assert " ".join(longest.split())[:60] in " ".join(text.split())
    assert [c.position for c in document.chunks] == list(range(len(document.chunks)))


def test_title_and_byline_come_from_the_page():
    document = parse_document("001.txt", (locations.corpus_dir() / "001_d94f5fed94eed412.txt").read_text())
    assert document.title == "영화 HER 속 사랑, 인공지능, 찾아야 할 미래"
    assert document.author == "hrbnews"
    assert document.title not in document.chunks[0].text


def test_the_index_holds_passages_terms_and_vectors(own_index: CorpusIndex):
    docs = own_index.documents()
    assert sorted(d.source for d in docs) == [p.name for p in reviews()]
    count, dims = own_index.conn.execute("SELECT count(*), length(vector) / 4 FROM passages").fetchone()
    assert count > 50 and dims == 512
    query = "SELECT count(*) FROM passage_terms WHERE passage_terms MATCH '러닝'"
    assert own_index.conn.execute(query).fetchone()[0] >= 1
    sources = {r[0] for r in own_index.conn.execute("SELECT DISTINCT source FROM passages")}
    assert sources == {p.name for p in reviews()}


def test_indexing_happens_once_and_again_only_for_a_changed_file(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in reviews()[:2]:
        shutil.copy(path, corpus / path.name)
    index = CorpusIndex(tmp_path / "corpus.db", corpus_dir=corpus)
    first = index.sync()
    assert sorted(first.indexed) == sorted(p.name for p in corpus.iterdir())
    assert index.sync().indexed == []  # nothing changed: nothing re-indexed
    changed = corpus / reviews()[1].name
    added = "\n테오도르는 새 문장을 덧붙였다.\n"
    changed.write_text(changed.read_text(encoding="utf-8") + added, encoding="utf-8")
    assert index.sync().indexed == [changed.name]
    select = "SELECT text FROM passages WHERE source = ?"
    text = " ".join(r[0] for r in index.conn.execute(select, (changed.name,)))
    assert "새 문장을 덧붙였다" in text
    changed.unlink()
    report = index.sync()
    assert report.removed == [changed.name]
    assert index.conn.execute(select, (changed.name,)).fetchall() == []
    index.close()


def snapshot(index: CorpusIndex) -> tuple[list[tuple[str, str]], int, int]:
    docs = index.conn.execute("SELECT source, sha256 FROM documents ORDER BY source").fetchall()
    passages = index.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    terms = index.conn.execute("SELECT count(*) FROM passage_terms").fetchone()[0]
    return docs, passages, terms


def test_a_users_markdown_file_is_added_and_searchable(own_index: CorpusIndex, tmp_path: Path):
    note = tmp_path / "my-notes.md"
    note.write_text("# 내 감상\n\n음악은 아케이드 파이어. 빨간 셔츠가 인상적이었다.\n", encoding="utf-8")
    info, changed = own_index.add_file(note)
    assert changed and info.origin == "user" and info.passages >= 1
    assert own_index.add_file(note)[1] is False  # same content: nothing to do
    text = own_index.conn.execute("SELECT text FROM passages WHERE source = 'my-notes.md'").fetchone()[0]
    assert "빨간 셔츠" in text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
        ("latin.txt", "caf\xe9 cr\xe8me".encode("latin-1"), "not UTF-8"),
        ("empty.md", b"   \n\n", "empty"),
        ("picture.png", b"not really a picture", "not a .txt or .md"),
        ("000_7b0c1eb610d63dbc.txt", "다른 내용".encode(), "shipped review"),
    ],
)
def test_bad_files_are_refused_and_the_index_is_untouched(own_index, tmp_path, name, content, message):
    before = snapshot(own_index)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UsageError, match=message):
        own_index.add_file(path)
    assert snapshot(own_index) == before


def test_a_missing_file_is_refused(own_index, tmp_path):
    before = snapshot(own_index)
    with pytest.raises(UsageError, match="does not exist"):
        own_index.add_file(tmp_path / "gone.txt")
    assert snapshot(own_index) == before


def test_a_file_that_vanishes_while_being_read_leaves_the_index_alone(own_index, tmp_path, monkeypatch):
    path = tmp_path / "vanishing.txt"
    path.write_text("테오도르와 사만다 이야기.", encoding="utf-8")
    before = snapshot(own_index)

    def vanish(self: Path) -> bytes:
        self.unlink()
        raise FileNotFoundError(str(self))

    monkeypatch.setattr(Path, "read_bytes", vanish)
    with pytest.raises(UsageError, match="disappeared"):
        own_index.add_file(path)
    assert snapshot(own_index) == before


def test_a_failure_while_writing_rolls_back(own_index, tmp_path, monkeypatch):
    path = tmp_path / "note.txt"
    path.write_text("테오도르는 편지를 쓴다. 사만다는 듣는다.", encoding="utf-8")
    before = snapshot(own_index)
    original = CorpusIndex._write

    def half_then_fail(self, conn, prepared, *args):  # type: ignore[no-untyped-def]
        original(self, conn, prepared, *args)
        raise OSError("disk full")

    monkeypatch.setattr(CorpusIndex, "_write", half_then_fail)
    with pytest.raises(OSError):
        own_index.add_file(path)
    assert snapshot(own_index) == before


def test_a_damaged_index_is_set_aside_and_rebuilt(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(reviews()[2], corpus / reviews()[2].name)
    path = tmp_path / "corpus.db"
    path.write_bytes(b"this is not a database" * 100)
    index = CorpusIndex(path, corpus_dir=corpus)
    assert index.sync().indexed == [reviews()[2].name]
    assert (tmp_path / "corpus.db.damaged").exists()
    index.close()


def test_searches_from_several_threads_share_the_index(retriever):
    from concurrent.futures import ThreadPoolExecutor

    queries = ["Who directed the film Her?", "허 러닝타임이 몇 분이에요?", "Who voices Samantha?"] * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda q: retriever.search(q, 3)[0].text, queries))
    assert all("스파이크 존즈" in r for r in results[0::3])
    assert all("분" in r for r in results[1::3])
