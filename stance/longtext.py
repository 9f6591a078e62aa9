"""Long statements: split into parts that fit the model's window, and the parts' scores combined.

A text longer than the model's window (measured in the model's own tokens) is split at
sentence ends into windows of whole sentences, each window repeating the last sentence(s)
of the one before (the overlap, up to ``overlap`` tokens); a sentence longer than a window is
cut at spaces (or, in text without spaces such as Chinese, between characters). Each part is
classified as a text of its own; a row's probabilities are the mean over its parts
(single-label) or the maximum (multi-label). Nothing is truncated.
"""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Callable, Sequence

import numpy as np

# A sentence ends at . ! ? … (and the CJK 。！？) followed by space or a closing quote/bracket.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+|(?<=[。！？])[”’」』）]*")
DEFAULT_OVERLAP = 32  # tokens of the previous window repeated at the start of the next


def split_sentences(text: str) -> list[str]:
    """The sentences of a text (Latin and CJK sentence ends), none empty.

    >>> split_sentences("NATO met. It said “no”! Why?")
    ['NATO met.', 'It said “no”!', 'Why?']
    >>> split_sentences("北约是傀儡。我们反对！")
    ['北约是傀儡。', '我们反对！']
    """
    parts, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        piece = text[start:match.end()].strip()
        if piece:
            parts.append(piece)
        start = match.end()
    tail = text[start:].strip()
    return parts + ([tail] if tail else [])


def byte_bound(text: str) -> int:
    """An upper bound on the tokens of ``text`` under any subword tokenizer (without special tokens):
    every token covers at least one byte of the NFKC-normalised text, plus one for a word prefix.

    >>> byte_bound("NATO"), byte_bound("北约")
    (5, 7)
    """
    return len(unicodedata.normalize("NFKC", text).encode("utf-8")) + 1


def cut_words(text: str, n: int) -> list[str]:
    """``text`` cut into ``n`` pieces of about equal length, at spaces (between characters when
    it has too few spaces).

    >>> cut_words("a b c d", 2)
    ['a b', 'c d']
    >>> cut_words("北约是美国的傀儡", 2)
    ['北约是美', '国的傀儡']
    """
    words = text.split(" ")
    if len(words) >= n:
        size = math.ceil(len(words) / n)
        return [" ".join(words[i:i + size]) for i in range(0, len(words), size)]
    size = math.ceil(len(text) / n)
    return [text[i:i + size] for i in range(0, len(text), size)]


def pack_windows(sentences: Sequence[str], sizes: Sequence[int], budget: int,
                 overlap: int = DEFAULT_OVERLAP) -> list[str]:
    """Whole sentences packed greedily into windows of at most ``budget`` tokens; each window
    after the first starts with the last sentences of the one before, up to ``overlap`` tokens.
    A sentence's size is counted alone, and one token is allowed for each join.

    >>> pack_windows(["a.", "b.", "c.", "d."], [2, 2, 2, 2], budget=5, overlap=3)
    ['a. b.', 'b. c.', 'c. d.']
    """
    windows: list[str] = []
    current: list[int] = []
    used = 0
    for i, size in enumerate(sizes):
        if current and used + size + 1 > budget:
            windows.append(" ".join(sentences[j] for j in current))
            keep: list[int] = []
            kept = 0
            for j in reversed(current):
                if kept + sizes[j] + 1 > overlap or kept + sizes[j] + 1 + size > budget:
                    break
                keep.insert(0, j)
                kept += sizes[j] + 1
            current, used = keep, kept
        current.append(i)
        used += size + (1 if len(current) > 1 else 0)
    windows.append(" ".join(sentences[j] for j in current))
    return windows


def split_text(text: str, count: Callable[[list[str]], list[int]], budget: int,
               overlap: int = DEFAULT_OVERLAP) -> list[str]:
    """``text`` as one part if it fits ``budget`` tokens (as ``count`` counts them), else as
    overlapping windows of whole sentences that each fit.

    >>> count = lambda texts: [len(t.split()) for t in texts]  # one token per word
    >>> split_text("One two three. Four five six. Seven eight.", count, budget=7, overlap=0)
    ['One two three. Four five six.', 'Seven eight.']
    >>> split_text("Short.", count, budget=7)
    ['Short.']
    """
    if budget < 2:
        raise ValueError(f"the model's window leaves {budget} token(s) for the text")
    if byte_bound(text) <= budget or count([text])[0] <= budget:
        return [text]
    pieces = []
    for sentence in split_sentences(text):
        pieces.extend(fit_one(sentence, count, budget))
    sizes = count(pieces)
    # packing adds one token per join at most; re-check the windows and cut any that still overflow
    windows = pack_windows(pieces, sizes, budget, min(overlap, budget // 4))
    checked = count(windows)
    out = []
    for window, size in zip(windows, checked):
        out.extend([window] if size <= budget else fit_one(window, count, budget))
    return out


def fit_one(sentence: str, count: Callable[[list[str]], list[int]], budget: int) -> list[str]:
    """One sentence as pieces of at most ``budget`` tokens each, in order.

    >>> fit_one("a b c d e f", lambda ts: [len(t.split()) for t in ts], 2)
    ['a b', 'c d', 'e f']
    """
    size = count([sentence])[0]
    if size <= budget:
        return [sentence]
    if len(sentence) <= 1:
        raise ValueError(f"one character is {size} tokens, more than the window of {budget}")
    out: list[str] = []
    for piece in cut_words(sentence, max(2, math.ceil(size / budget * 1.15))):
        if piece.strip():
            out.extend(fit_one(piece.strip(), count, budget))
    return out


def combine(parts: np.ndarray, multi_label: bool) -> np.ndarray:
    """A row's probabilities from its parts' (n_parts, n_labels): the mean (single-label; still sums
    to 1) or the maximum per label (multi-label: a device used anywhere is used).

    >>> combine(np.array([[0.2, 0.8], [0.6, 0.4]]), multi_label=False)
    array([0.4, 0.6])
    >>> combine(np.array([[0.2, 0.8], [0.6, 0.4]]), multi_label=True)
    array([0.6, 0.8])
    """
    return parts.max(axis=0) if multi_label else parts.mean(axis=0)
