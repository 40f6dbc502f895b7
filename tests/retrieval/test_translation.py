"""The shipped English translations: every sentence the index holds has one, aligned by its Korean text,
marked as the project's translation, with names as the glossary spells them. No models needed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from samantha import locations
from samantha.retrieval.text import parse_document
from samantha.retrieval.translation import (
    PROJECT_TRANSLATOR,
    load_translation,
    sentence_key,
    translation_path,
)


def reviews() -> list[Path]:
    return sorted(locations.corpus_dir().glob("*.txt"))


@pytest.mark.parametrize("path", reviews(), ids=lambda p: p.name[:3])
def test_every_indexed_korean_sentence_has_its_translation(path: Path):
    translation = load_translation(translation_path(locations.corpus_dir(), path.name))
    assert translation is not None, f"no translation for {path.name}"
    document = parse_document(path.name, path.read_text(encoding="utf-8"))
    sentences = [s for chunk in document.chunks for s in chunk.sentences]
    assert translation.missing(sentences) == []
    for sentence in sentences:
        english = translation.sentence(sentence)
        assert english and not re.search(r"[가-힣]", english), (sentence, english)


@pytest.mark.parametrize("path", reviews(), ids=lambda p: p.name[:3])
def test_each_translation_is_marked_and_titled(path: Path):
    file = translation_path(locations.corpus_dir(), path.name)
    raw = json.loads(file.read_text(encoding="utf-8"))
    assert raw["language"] == "en" and raw["translated_from"] == "ko"
    assert raw["translator"] == PROJECT_TRANSLATOR and "translation" in raw["note"]
    assert raw["short_title"]["en"] and raw["short_title"]["ko"]


def test_alignment_survives_spacing_and_unicode_form():
    translation = load_translation(translation_path(locations.corpus_dir(), reviews()[0].name))
    assert translation is not None
    assert translation.sentence("러닝타임 :  123분") == translation.sentence("러닝타임 : 123분")
    assert sentence_key("a\u00a0 b") == "a b"


@pytest.mark.parametrize(
    ("korean", "english"),
    [
        ("감독 : 스파이크 존즈", "Spike Jonze"),
        ("사만다(스칼렛 요한슨)", "Scarlett Johansson"),
        ("사만다(스칼릿 조핸슨)", "Scarlett Johansson"),
        ("에이미(에이미 애덤스)", "Amy Adams"),
        ("캐서린(루니 마라)", "Rooney Mara"),
        ("아멜리아(올리비아 와일드)", "Olivia Wilde"),
        ("존(호아킨 피닉스)", "John (Joaquin Phoenix)"),
        ("로스앤젤레스", "Los Angeles"),
        ("8,316명", "8,316"),
        ("600여 명", "about 600"),
    ],
)
def test_names_and_figures_follow_the_glossary(korean: str, english: str):
    pairs = [
        (k, t.sentence(k) or "")
        for path in reviews()
        if (t := load_translation(translation_path(locations.corpus_dir(), path.name)))
        for k in t.sentences
    ]
    hits = [en for ko, en in pairs if korean in ko]
    assert hits, korean
    assert all(english in en for en in hits), (korean, hits)
