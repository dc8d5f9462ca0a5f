"""Text values for the solver: every string an analysis meets gets a number.

In: string literals, enum values and facts' strings. Out: integer ids (equal strings, equal
ids) and, for a model, the text of an id; an id no string was given for stands for some other
text, made up so that it differs from every known one.
"""

from __future__ import annotations


class Strings:
    """A two-way table between strings and solver integers."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._texts: list[str] = []

    def id(self, text: str) -> int:
        found = self._ids.get(text)
        if found is None:
            found = self._ids[text] = len(self._texts)
            self._texts.append(text)
        return found

    def text(self, number: int) -> str:
        """The string of an id; for an id never given out, a new text unlike any known one."""
        if 0 <= number < len(self._texts):
            return self._texts[number]
        made = f"其他{number}"
        while made in self._ids:
            made += "'"
        return made
