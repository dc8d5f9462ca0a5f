"""The columnar layout of a register: one column per fact leaf, typed, named by dotted path.

In: the facts type tree (Library.env.facts) and, for the Backend protocol, normalised facts
dicts. Out: the layout (column name -> Polars dtype) and a DataFrame holding the cases, with
one `?entity` presence column per top-level object (a rule is decided when its subject is
present) and `?exact`, false on rows holding a number the fixed-point columns cannot carry
exactly (more than SCALE decimals or too large): such rows are decided on the record path.
Numbers are integers in units of 10**-SCALE; arrays of records are lists of structs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from clause.engine.columnar.exprs import CELL_BOUND, SCALE, Unsupported, kind_of
from clause.engine.expr.types import Field, ListType

EXACT = "?exact"
_UNIT = Decimal(1).scaleb(-SCALE)


def presence(entity: str) -> str:
    return f"?{entity}"


@dataclass(frozen=True)
class Leaf:
    """A column: its dotted path, kind ('bool', 'number', 'string', 'date', 'list',
    'records') and, for lists and records, the kinds of the items or fields."""

    name: str
    keys: tuple[str, ...]
    kind: str
    item: str = ""
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def dtype(self) -> pl.DataType:
        if self.kind == "list":
            return pl.List(_scalar(self.item))
        if self.kind == "records":
            return pl.List(pl.Struct({n: _scalar(k) for n, k in self.fields}))
        return _scalar(self.kind)


def _scalar(kind: str) -> pl.DataType:
    return {
        "bool": pl.Boolean(),
        "number": pl.Int64(),
        "string": pl.String(),
        "date": pl.Date(),
    }[kind]


def leaves(facts: Field) -> list[Leaf]:
    """Every column a register of these facts can have, in schema order."""
    return list(_walk(facts, ()))


def _walk(field: Field, keys: tuple[str, ...]) -> Iterator[Leaf]:
    for name, child in field.children.items():
        here = (*keys, name)
        if child.is_array:
            fields = tuple(
                (n, kind_of(c.type))
                for n, c in child.children.items()
                if c.type is not None and not c.is_array and not isinstance(c.type, ListType)
            )
            yield Leaf(".".join(here), here, "records", fields=fields)
        elif child.type is not None:
            try:
                kind = kind_of(child.type)
            except Unsupported:
                continue
            item = ""
            if isinstance(child.type, ListType):
                item = kind_of(child.type.item) if child.type.item is not None else "string"
                if item == "list":
                    continue
            yield Leaf(".".join(here), here, kind, item)
        else:
            yield from _walk(child, here)


def to_units(value: Decimal) -> int | None:
    """A number in fixed-point units, or None when it cannot be carried exactly."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or value.adjusted() > 18 or exponent < -SCALE - 40:
        return None
    scaled = value.scaleb(SCALE)
    if scaled != scaled.to_integral_value():
        return None
    n = int(scaled)
    return n if abs(n) <= CELL_BOUND else None


class _Exactness:
    """Collects which rows hold a number the columns cannot carry."""

    def __init__(self, rows: int) -> None:
        self.ok = [True] * rows

    def number(self, row: int, value: Any) -> int | None:
        if not isinstance(value, Decimal):
            return None
        n = to_units(value)
        if n is None:
            self.ok[row] = False
        return n


def _get(facts: Mapping[str, Any], keys: Sequence[str]) -> Any:
    value: Any = facts
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
        if value is None:
            return None
    return value


def frame_of(facts: Field, cases: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """A DataFrame of normalised facts dicts, in the layout of `leaves(facts)`."""
    exact = _Exactness(len(cases))
    data: dict[str, pl.Series] = {}
    for leaf in leaves(facts):
        raw = [_get(c, leaf.keys) for c in cases]
        data[leaf.name] = pl.Series(leaf.name, _column(leaf, raw, exact), dtype=leaf.dtype)
    for entity, child in facts.children.items():
        if child.type is None and not child.is_array:
            present = [isinstance(c.get(entity), Mapping) for c in cases]
            data[presence(entity)] = pl.Series(presence(entity), present, dtype=pl.Boolean)
    data[EXACT] = pl.Series(EXACT, exact.ok, dtype=pl.Boolean)
    return pl.DataFrame(data)


def _column(leaf: Leaf, raw: list[Any], exact: _Exactness) -> list[Any]:
    if leaf.kind == "number":
        return [exact.number(i, v) for i, v in enumerate(raw)]
    if leaf.kind == "list":
        if leaf.item != "number":
            return [list(v) if v is not None else None for v in raw]
        return [
            [exact.number(i, x) for x in v] if v is not None else None for i, v in enumerate(raw)
        ]
    if leaf.kind == "records":
        numbers = {n for n, k in leaf.fields if k == "number"}
        out: list[Any] = []
        for i, v in enumerate(raw):
            if v is None:
                out.append(None)
                continue
            items = []
            for item in v:
                record = {n: item.get(n) for n, _ in leaf.fields}
                for n in numbers:
                    record[n] = exact.number(i, record[n])
                items.append(record)
            out.append(items)
        return out
    return raw
