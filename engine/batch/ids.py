"""Case ids seen in a register, to refuse a case decided twice (a benefit paid twice).

In: (row, case id) pairs in input order. Out: for each pair whose id an earlier row used, that
earlier row. The ids are kept as 64-bit BLAKE2 digests in an open-addressing table of two
arrays (12 bytes a slot, at most half full: 24 to 48 bytes per distinct id, under 50 MB for a
million rows), so a register of millions of rows costs little memory. The digest is the same
in every run (Python's own hash is not), and two ids share one with odds of about n²/2^65:
one in ten million for a register of a million rows. About 2.5 µs a row, in the parent.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from hashlib import blake2b


class SeenIds:
    """The case ids decided so far and the row each was first decided on.

    >>> seen = SeenIds()
    >>> seen.repeats([(1, "a"), (2, "b"), (3, "a")])
    {3: 1}
    >>> seen.repeats([(4, "b"), (5, "c")])
    {4: 2}
    """

    def __init__(self, capacity: int = 1 << 12) -> None:
        self.keys = array("Q", bytes(8 * capacity))  # 0: an empty slot
        self.rows = array("I", bytes(4 * capacity))
        self.count = 0

    def repeats(self, ids: Iterable[tuple[int, str]]) -> dict[int, int]:
        """Rows among `ids` whose case id was seen before, each with the first row that had it;
        every other id is remembered. One loop, locals only: this runs once per row."""
        out: dict[int, int] = {}
        keys, rows, count = self.keys, self.rows, self.count
        mask, limit = len(keys) - 1, len(keys) // 2
        for row, case_id in ids:
            if count >= limit:
                self.count = count
                self._grow()
                keys, rows = self.keys, self.rows
                mask, limit = len(keys) - 1, len(keys) // 2
            data = case_id.encode("utf-8", "surrogatepass")
            key = int.from_bytes(blake2b(data, digest_size=8).digest()) or 1
            slot = key & mask
            while keys[slot]:
                if keys[slot] == key:
                    out[row] = rows[slot]
                    break
                slot = (slot + 1) & mask
            else:
                keys[slot], rows[slot] = key, row
                count += 1
        self.count = count
        return out

    def _grow(self) -> None:
        size = 2 * len(self.keys)
        keys, rows = array("Q", bytes(8 * size)), array("I", bytes(4 * size))
        mask = size - 1
        for key, row in zip(self.keys, self.rows, strict=True):
            if key:
                slot = key & mask
                while keys[slot]:
                    slot = (slot + 1) & mask
                keys[slot], rows[slot] = key, row
        self.keys, self.rows = keys, rows
