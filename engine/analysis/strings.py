"""Text values for the solver: every string an analysis meets gets a number.

In: string literals, enum values and facts' strings. Out: integer ids (equal strings, equal
ids) and, for a model, the text of an id; an id no string was given for stands for some other
text, made up so that it differs from every known one. Names (programmes of `once` limits,
rule ids and outcome words) are read back as such only where a name belongs (a grant's
programme); a model giving some other text fact a name's number shows a made-up text instead,
which keeps every equality and inequality between facts the model holds (a fact compared
with a literal that is also a name would lose that equality: the decision core's check of
every proposal drops such a one).
"""

from __future__ import annotations


class Strings:
    """A two-way table between strings and solver integers."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._texts: list[str] = []
        self._names: set[str] = set()

    def id(self, text: str) -> int:
        """The id of a value a fact may hold (a literal, an enum value, a place)."""
        return self._number(text)

    def name(self, text: str) -> int:
        """The id of a name: a programme, a rule id or an outcome word."""
        self._names.add(text)
        return self._number(text)

    def _number(self, text: str) -> int:
        found = self._ids.get(text)
        if found is None:
            found = self._ids[text] = len(self._texts)
            self._texts.append(text)
        return found

    def text(self, number: int, names: bool = False) -> str:
        """The string of an id; for an id never given out, or a name's where `names` is
        false, a new text unlike any known one."""
        if 0 <= number < len(self._texts):
            known = self._texts[number]
            if names or known not in self._names:
                return known
        made = f"其他{number}"
        while made in self._ids:
            made += "'"
        return made
