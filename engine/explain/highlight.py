"""Quotes found in a clause's text: the text cut into runs, each knowing which quotes cover it.

In: a clause's full text and the quotes a decision cites (condition, amount, funding words),
each with a key. Out: Segments that rebuild the text exactly, each with the keys of the quotes
covering it, and the keys of the quotes that were not found. A quote matches as `clause check`
proves it does: verbatim with whitespace ignored (the transcription keeps the notice's line
breaks; a quote is written on one line); quotes may overlap.

Short quotes often occur more than once ("脱贫人口" is in most clauses several times). The rule
cites one passage, so each quote is marked once: where it occurs only once, there; otherwise at
the occurrence nearest to the decision's quotes that occur only once (the longer words pin the
passage down), or at its first occurrence when none is unambiguous.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from clause.engine.load.notice import strip_whitespace


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of the clause text. `keys`: the quotes covering it (empty: not quoted).
    `anchors`: the quotes whose marked passage starts here (where a link to them lands)."""

    text: str
    keys: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()


def occurrences(quote: str, text: str) -> list[tuple[int, int]]:
    """Every place `quote` occurs in `text`, whitespace aside, as [start, end) offsets of
    `text` from its first to its last non-blank character; non-overlapping, in order.

    >>> occurrences("500 元", "不超过500\\n元，另500元")
    [(3, 8), (10, 14)]
    """
    needle = strip_whitespace(quote)
    if not needle:
        return []
    positions = [i for i, ch in enumerate(text) if not ch.isspace()]
    squeezed = "".join(text[i] for i in positions)
    found = []
    at = squeezed.find(needle)
    while at >= 0:
        found.append((positions[at], positions[at + len(needle) - 1] + 1))
        at = squeezed.find(needle, at + len(needle))
    return found


def highlight(
    text: str, quotes: Sequence[tuple[str, str]]
) -> tuple[list[Segment], tuple[str, ...]]:
    """`text` cut at every quote boundary, and the keys of the quotes not found in it.

    >>> quotes = [("a", "衔接 资金"), ("b", "另")]
    >>> segments, missing = highlight("先由衔接资金列支，不足部分", quotes)
    >>> [(s.text, s.keys) for s in segments], missing
    ([('先由', ()), ('衔接资金', ('a',)), ('列支，不足部分', ())], ('b',))
    """
    found = {key: occurrences(quote, text) for key, quote in quotes}
    missing = tuple(key for key, _ in quotes if not found[key])
    pinned = [places[0] for places in found.values() if len(places) == 1]
    spans: list[tuple[int, int, str]] = []
    first: dict[int, list[str]] = {}
    for key, _ in quotes:
        if found[key]:
            start, end = min(found[key], key=lambda place: _distance(place, pinned))
            spans.append((start, end, key))
            first.setdefault(start, []).append(key)
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    segments = []
    for start, end in pairwise(cuts):
        keys = tuple(dict.fromkeys(k for s, e, k in spans if s <= start and end <= e))
        segments.append(Segment(text[start:end], keys, tuple(first.get(start, ()))))
    return segments, missing


def _distance(place: tuple[int, int], pinned: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """How far `place` lies from the nearest pinned passage (0 when they touch), then its
    start: the nearest occurrence wins, the earliest among equals."""
    start, end = place
    gaps = [max(p_start - end, start - p_end, 0) for p_start, p_end in pinned]
    return min(gaps, default=0), start
