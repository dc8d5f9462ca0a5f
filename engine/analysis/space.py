"""The facts of a case as solver variables: one slot per fact, its presence and its value.

In: the type environment and the raw facts schema (for `integer`, `minimum`, `maximum` and
`x-immutable`), the analysis domain, and optionally the facts of a real case. Out: `Term`s for
fact paths, the axioms every model must satisfy, and the facts file a model describes.

A *slot* is what can be present or missing on its own: a scalar field, a list of scalars, or
a list of records (all its fields together). With a real case, every slot is the case's own
value except the `changeable` ones, which get a `changed` flag and a new value (what
`whynot` searches over).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import z3

from clause.engine.analysis import dates
from clause.engine.analysis.readback import lookup
from clause.engine.analysis.strings import Strings
from clause.engine.analysis.terms import (
    BOOL,
    DATE,
    LIST,
    NUMBER,
    RECORD,
    STRING,
    Digits,
    ListValue,
    Term,
    Unsupported,
    Z,
    conj,
    disj,
    equal,
    false,
    ite_value,
    neg,
    real,
    true,
)
from clause.engine.expr.types import BOOL as T_BOOL
from clause.engine.expr.types import DATE as T_DATE
from clause.engine.expr.types import NUMBER as T_NUMBER
from clause.engine.expr.types import EnumType, Field, ListType, TypeEnv, is_stringy
from clause.engine.facts import schema_node, schema_number
from clause.engine.messages import msg


@dataclass(frozen=True)
class Domain:
    """The facts the solver considers. Verdicts ("never", "no smaller change") hold within it.

    Numbers: at most `magnitude` integer digits and `places` decimals (whole numbers for
    `integer` fields), within the schema's minimum and maximum. Lists: at most `max_items`
    items. Dates: any calendar date in years 1..9999. Text: any string.
    """

    places: int = 6
    magnitude: int = 15
    max_items: int = 4


@dataclass(frozen=True)
class FieldInfo:
    """A leaf of the facts schema with what the JSON Schema says beyond its type."""

    keys: tuple[str, ...]
    type: Any
    integer: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    immutable: bool = False


def field_infos(env: TypeEnv, schema: Mapping[str, Any]) -> dict[str, FieldInfo]:
    """Every leaf and list of records of the facts schema by dotted path."""
    out: dict[str, FieldInfo] = {}

    def walk(field: Field, node: Mapping[str, Any], keys: tuple[str, ...], frozen: bool) -> None:
        node = schema_node(node, schema)
        frozen = frozen or node.get("x-immutable") is True
        if field.is_array:
            node = schema_node(node.get("items", {}), schema)
            out[".".join(keys)] = FieldInfo(keys, RECORD, immutable=frozen)
        if field.type is None:
            props = node.get("properties", {})
            for name, child in field.children.items():
                walk(child, props.get(name, {}), (*keys, name), frozen)
            return
        if isinstance(field.type, ListType):
            node = schema_node(node.get("items", {}), schema)
        out[".".join(keys)] = FieldInfo(
            keys,
            field.type,
            integer=node.get("type") == "integer" or "integer" in (node.get("type") or ()),
            minimum=schema_number(node.get("minimum")),
            maximum=schema_number(node.get("maximum")),
            immutable=frozen,
        )

    for name, child in env.facts.children.items():
        walk(child, schema.get("properties", {}).get(name, {}), (name,), False)
    return out


def kind_of(t: Any) -> str:
    if t == T_BOOL:
        return BOOL
    if t == T_NUMBER:
        return NUMBER
    if t == T_DATE:
        return DATE
    if is_stringy(t):
        return STRING
    if isinstance(t, ListType):
        return LIST
    raise Unsupported(msg("what.solver.fact_type", type=str(t)))


@dataclass
class Slot:
    """A fact that is present or missing on its own, as the solver sees it."""

    path: str
    present: Z
    value: Any  # scalar value, ListValue, or for records: {field: ([present], [value])}
    kind: str
    info: FieldInfo | None
    changed: Z = field(default_factory=false)


class FactSpace:
    """Solver variables for the facts (and, in free mode, parameters and the decision date)."""

    def __init__(
        self,
        env: TypeEnv,
        schema: Mapping[str, Any],
        strings: Strings,
        domain: Domain | None = None,
        current: Mapping[str, Any] | None = None,
        changeable: frozenset[str] = frozenset(),
    ) -> None:
        self.env, self.strings = env, strings
        self.domain = domain or Domain()
        self.fields = field_infos(env, schema)
        self.current, self.changeable = current, changeable
        self.axioms: list[Z] = []
        self.slots: dict[str, Slot] = {}
        self._columns: dict[str, dict[str, tuple[list[Z], list[Any]]]] = {}
        self.entities: dict[str, Z] = {}  # entity -> present
        self._names = 0

    def fresh(self, stem: str) -> str:
        """A variable name not used before in this space (numbered in order: deterministic)."""
        self._names += 1
        return f"{stem}~{self._names}"

    # -- paths -----------------------------------------------------------------------------

    def fact(self, keys: tuple[str, ...], t: Any) -> Term:
        """The term of a checked fact path (`keys` in English, as the checker made them)."""
        for i in range(1, len(keys)):
            info = self.fields.get(".".join(keys[:i]))
            if info is not None and info.type == RECORD:
                if len(keys) != i + 1:
                    raise Unsupported(msg("what.solver.nested_records"))
                return self._record_field(".".join(keys[:i]), keys[i], t)
        dotted = ".".join(keys)
        info = self.fields.get(dotted)
        if info is None:
            raise Unsupported(msg("what.solver.unknown_fact", fact=dotted))
        if info.type == RECORD:
            slot = self._records_slot(dotted)
            return Term(RECORD, slot.value, slot.present, false())
        slot = self.slot(dotted, info.type, info)
        digits = self.digits(info) if slot.kind == NUMBER else None
        item_digits = self.digits(info) if slot.kind == LIST else None
        return Term(slot.kind, slot.value, slot.present, false(), True, digits, item_digits)

    def entity(self, name: str) -> Z:
        """Whether the entity (a top-level key of the facts) is present. In a real case it is
        as the case has it: a change never brings in a new entity's rules."""
        if name not in self.entities:
            if self.current is not None:
                self.entities[name] = z3.BoolVal(isinstance(self.current.get(name), Mapping))
            else:
                self.entities[name] = z3.Bool(f"{name}?")
        return self.entities[name]

    def entity_axioms(self) -> list[Z]:
        """A fact that is present makes its entity present (free mode)."""
        if self.current is not None:
            return []
        return [
            z3.Implies(slot.present, self.entity(path.split(".")[0]))
            for path, slot in self.slots.items()
            if "." in path and not path.startswith("param.")
        ]

    def digits(self, info: FieldInfo | None) -> Digits:
        """The digit bound of a number in the domain (whole numbers for `integer` fields)."""
        integer = info is not None and info.integer
        return Digits(self.domain.magnitude, 0 if integer else self.domain.places)

    # -- slots -----------------------------------------------------------------------------

    def slot(self, path: str, t: Any, info: FieldInfo | None = None) -> Slot:
        """The slot of a scalar or list-of-scalars fact (or parameter, or decision date)."""
        found = self.slots.get(path)
        if found is not None:
            return found
        kind = kind_of(t)
        if self.current is None:
            made = self._fresh(path, t, kind, info)
        else:
            made = self._bound(path, t, kind, info)
        self.slots[path] = made
        return made

    def _fresh(self, path: str, t: Any, kind: str, info: FieldInfo | None) -> Slot:
        present = z3.Bool(f"{path}?")
        if kind == LIST:
            item_kind = kind_of(t.item) if t.item is not None else NUMBER
            length = z3.Int(f"{path}#")
            self.axioms += [length >= 0, length <= self.domain.max_items]
            items = tuple(
                self._value(f"{path}[{i}]", t.item, item_kind, info)
                for i in range(self.domain.max_items)
            )
            return Slot(path, present, ListValue(length, items, item_kind), kind, info)
        return Slot(path, present, self._value(path, t, kind, info), kind, info)

    def _value(self, name: str, t: Any, kind: str, info: FieldInfo | None) -> Any:
        if kind == BOOL:
            return z3.Bool(name)
        if kind == DATE:
            return dates.fresh_date(name, self.axioms)
        if kind == STRING:
            var = z3.Int(name)
            if isinstance(t, EnumType):
                self.axioms.append(z3.Or(*(var == self.strings.id(v) for v in t.values)))
            else:
                self.axioms.append(var >= 0)
            return var
        return self._number(name, info)

    def _number(self, name: str, info: FieldInfo | None) -> Z:
        integer = info is not None and info.integer
        var = z3.Int(name)
        scale = 1 if integer else 10**self.domain.places
        value = z3.ToReal(var) if integer else z3.ToReal(var) / scale
        bound = 10**self.domain.magnitude * scale
        self.axioms += [var <= bound, var >= -bound]
        if info is not None and info.minimum is not None:
            self.axioms.append(value >= real(info.minimum))
        if info is not None and info.maximum is not None:
            self.axioms.append(value <= real(info.maximum))
        return value

    def _bound(self, path: str, t: Any, kind: str, info: FieldInfo | None) -> Slot:
        """A slot of a real case: its own value, or (changeable) a flag and a new value."""
        old_value = lookup(self.current or {}, path)
        old = self.constant(kind, t, old_value)
        if path not in self.changeable:
            return old
        new = self._fresh(path + "'", t, kind, info)
        changed = z3.Bool(f"{path}!")
        differs = true() if old_value is None else neg(equal(kind, new.value, old.value))
        self.axioms.append(z3.Implies(changed, differs))
        return Slot(
            path,
            disj(changed, old.present),
            ite_value(kind, changed, new.value, old.value),
            kind,
            info,
            changed,
        )

    def constant(self, kind: str, t: Any, value: Any) -> Slot:
        """A slot holding a known value (None: missing)."""
        if value is None:
            return Slot("", false(), self._placeholder(kind, t), kind, None)
        return Slot("", true(), self._const(kind, t, value), kind, None)

    def _const(self, kind: str, t: Any, value: Any) -> Any:
        if kind == LIST:
            item_kind = kind_of(t.item) if t.item is not None else NUMBER
            items = tuple(self._const(item_kind, t.item, v) for v in value)
            return ListValue(z3.IntVal(len(items)), items, item_kind)
        return const_value(kind, value, self.strings)

    def _placeholder(self, kind: str, t: Any) -> Any:
        if kind == LIST:
            return ListValue(z3.IntVal(0), (), kind_of(t.item) if t.item is not None else NUMBER)
        if kind == BOOL:
            return false()
        if kind == STRING:
            return z3.IntVal(0)
        return dates.const_date(date(1, 1, 1)) if kind == DATE else real(0)

    # -- lists of records ------------------------------------------------------------------

    def _records_slot(self, path: str) -> Slot:
        found = self.slots.get(path)
        if found is not None:
            return found
        if self.current is None or (path in self.changeable and lookup(self.current, path) is None):
            length = z3.Int(f"{path}#")
            self.axioms += [length >= 0, length <= self.domain.max_items]
            changed = z3.Bool(f"{path}!") if self.current is not None else false()
            present = changed if self.current is not None else z3.Bool(f"{path}?")
            made = Slot(path, present, ListValue(length, (), RECORD), RECORD, None, changed)
        else:
            items = lookup(self.current, path) or ()
            present = true() if lookup(self.current, path) is not None else false()
            made = Slot(path, present, ListValue(z3.IntVal(len(items)), (), RECORD), RECORD, None)
        self.slots[path] = made
        self._columns[path] = {}
        return made

    def _record_field(self, path: str, name: str, t: Any) -> Term:
        slot = self._records_slot(path)
        info = self.fields.get(f"{path}.{name}")
        item_t = t.item if isinstance(t, ListType) else t
        if info is None or isinstance(info.type, ListType):
            raise Unsupported(msg("what.solver.list_field", field=f"{path}.{name}"))
        kind = kind_of(item_t)
        presents, values = self.record_column(path, name, item_t, kind, info)
        length = slot.value.length
        known = conj(slot.present, *(z3.Implies(i < length, p) for i, p in enumerate(presents)))
        return Term(
            LIST,
            ListValue(length, tuple(values), kind),
            known,
            false(),
            True,
            None,
            self.digits(info) if kind == NUMBER else None,
        )

    def columns(self, path: str) -> dict[str, tuple[list[Z], list[Any]]]:
        """The columns made so far of the list of records at `path`."""
        return self._columns.get(path, {})

    def kind_of_field(self, info: FieldInfo | None) -> str:
        return kind_of(info.type) if info is not None else NUMBER

    def record_column(
        self, path: str, name: str, t: Any, kind: str, info: FieldInfo | None
    ) -> tuple[list[Z], list[Any]]:
        """The presence and value of field `name` in each record of the list at `path`."""
        slot = self._records_slot(path)
        columns = self._columns[path]
        if name not in columns:
            if z3.is_false(slot.changed) and self.current is not None:
                rows = lookup(self.current, path) or ()
                cells = [r.get(name) if isinstance(r, Mapping) else None for r in rows]
                made = [self.constant(kind, t, c) for c in cells]
                columns[name] = ([s.present for s in made], [s.value for s in made])
            else:
                n = self.domain.max_items
                presents = [z3.Bool(f"{path}[{i}].{name}?") for i in range(n)]
                values = [self._value(f"{path}[{i}].{name}", t, kind, info) for i in range(n)]
                columns[name] = (presents, values)
        return columns[name]


def const_value(kind: str, value: Any, strings: Strings) -> Any:
    """The solver constant of a known runtime value."""
    if kind == BOOL:
        return z3.BoolVal(bool(value))
    if kind == NUMBER:
        return real(value)
    if kind == DATE:
        return dates.const_date(value)
    if kind == STRING:
        return z3.IntVal(strings.id(value))
    raise Unsupported(msg("what.solver.constant", kind=kind))
