"""Turning a scraped review page into clean passages: boilerplate out, context (title, source, position) kept.

The reviews are blog pages: navigation, widget and share-button text is mixed into the prose. Lines that
are only page furniture are dropped; what remains is grouped into passages of a few sentences, and each
passage also keeps its sentences, so a search can score them one by one and an answer can quote one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

#: Whole lines that are page furniture, not review text.
BOILERPLATE_LINES = re.compile(
    r"^(?:"
    r"본문 바로가기|반응형|728x90|댓글(?:\s*\d+)?|공유하기|이 글을 공유하기|구독하기|카테고리 없음|예고편|"
    r"영화리뷰|영화 리뷰|영화 추천|영화추천|\d{1,4}|"
    r"Designed by .*|Powered by .*|Copyright .*|"
    r"(?:•\s*)?(?:네이버 블로그|네이버 밴드|페이스북|카카오스토리|트위터|카카오톡|X) 공유|"
    r"사진\s*출처.*|.*관련 사진|"
    r"여러분들? 하트 클릭.*|저의 자신감을 뿜뿜.*|\*영화는 취향입니다.*|['\"‘’“”*·•\-]+"
    r")$"
)
#: A blog's byline, e.g. "by hrbnews 2025. 3. 21." (the line before it is the title).
BYLINE = re.compile(r"^by\s+(?P<author>.+?)\s+(?P<date>\d{4}\.\s*\d{1,2}\.\s*\d{1,2}\.?)$")
#: Lines shorter than this that sit together (an info box: "감독 : 스파이크 존즈") become one passage.
SHORT_LINE = 40
#: A passage grows until adding the next sentence would pass this many characters.
PASSAGE_CHARS = 260
#: A single short line without a full stop, followed by prose, is a heading.
HEADING_CHARS = 60
#: Adjacent passages shorter than this are merged.
SHORT_PASSAGE = 90
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")


@dataclass
class Chunk:
    """A passage before indexing: its text, its sentences and where it sits in the review."""

    position: int
    text: str
    sentences: list[str] = field(default_factory=list)


@dataclass
class Document:
    source: str
    title: str
    chunks: list[Chunk]
    author: str = ""
    date: str = ""


def normalise(text: str) -> str:
    """NFC, no-break and zero-width spaces made plain, runs of spaces collapsed (newlines kept)."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "").replace("\r", "")
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def is_boilerplate(line: str) -> bool:
    return not line or bool(BOILERPLATE_LINES.match(line))


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def clean_lines(text: str) -> tuple[str, str, str, list[str]]:
    """The page's title, author, date and its content lines with the furniture removed."""
    lines = [line.strip() for line in normalise(text).split("\n")]
    title = author = date = ""
    body_start = 0
    for i, line in enumerate(lines):
        match = BYLINE.match(line)
        if match:
            earlier = [x for x in lines[:i] if not is_boilerplate(x)]
            title = earlier[-1] if earlier else ""
            author, date = match.group("author"), match.group("date")
            body_start = i + 1
            break
    content = [line for line in lines[body_start:] if not is_boilerplate(line)]
    # The page's first line is its title (a Markdown heading, or a short line); a note that starts
    # straight with prose keeps it, and is titled by its file name.
    if content and not title and (content[0].startswith("#") or not content[0].endswith((".", "다", "요"))):
        title = content.pop(0).lstrip("#").strip()
    # Photo captions repeat the line above ("테오도르 시어도어(호아킨 피닉스)"); keep the first.
    deduped: list[str] = []
    for line in content:
        if any(line == earlier or (len(line) < SHORT_LINE and line in earlier) for earlier in deduped[-3:]):
            continue
        deduped.append(line)
    return title, author, date, deduped


def chunk_lines(lines: list[str]) -> list[Chunk]:
    """Group short lines into info boxes and cut long paragraphs into passages of whole sentences."""
    chunks: list[Chunk] = []
    box: list[str] = []

    def flush_box() -> None:
        if box:
            chunks.append(Chunk(len(chunks), " / ".join(box), list(box)))
            box.clear()

    for line in lines:
        if len(line) < SHORT_LINE and not line.endswith(("다.", "요.", "죠.", "?", "다")):
            box.append(line)
            if sum(len(x) for x in box) > PASSAGE_CHARS:
                flush_box()
            continue
        flush_box()
        current: list[str] = []
        for sentence in split_sentences(line):
            if current and len(" ".join([*current, sentence])) > PASSAGE_CHARS:
                chunks.append(Chunk(len(chunks), " ".join(current), current))
                current = []
            current.append(sentence)
        if current:
            chunks.append(Chunk(len(chunks), " ".join(current), current))
    flush_box()
    return tidy(chunks)


def _is_heading(chunk: Chunk) -> bool:
    return len(chunk.sentences) == 1 and len(chunk.text) < HEADING_CHARS and not chunk.text.endswith(".")


def tidy(chunks: list[Chunk]) -> list[Chunk]:
    """Headings join the passage they introduce; runs of very short passages (verse, quotes) join up."""
    out: list[Chunk] = []
    heading: list[str] = []
    for chunk in chunks:
        if _is_heading(chunk):
            heading.append(chunk.text)
            continue
        if heading:
            chunk = Chunk(0, " / ".join([*heading, chunk.text]), [*heading, *chunk.sentences])
            heading = []
        previous = out[-1] if out else None
        if (
            previous is not None
            and len(previous.text) < SHORT_PASSAGE
            and len(chunk.text) < SHORT_PASSAGE
            and len(previous.text) + len(chunk.text) < PASSAGE_CHARS
        ):
            out[-1] = Chunk(0, previous.text + " " + chunk.text, previous.sentences + chunk.sentences)
            continue
        out.append(chunk)
    if heading:
        out.append(Chunk(0, " / ".join(heading), heading))
    for position, chunk in enumerate(out):
        chunk.position = position
    return out


def parse_document(source: str, text: str) -> Document:
    """A review (or a user's note) as a titled list of passages."""
    title, author, date, lines = clean_lines(text)
    return Document(source=source, title=title or source, chunks=chunk_lines(lines), author=author, date=date)
