"""Personal data and identities in the facts: marked fields, keyed hashes, who a case is about.

In: the library's facts schema (fields marked `x-pii`, `x-identifier`, `x-quota-place`) and a secret
key. Out: `FactMarks` (which paths are marked), `Pseudonymizer` (personal values replaced by a
keyed hash, the same for the same value under the same key), each entity's ledger key, the
case's place, and the rules that read a personal field (a library the service refuses).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from clause.engine.dependencies import version_exprs
from clause.engine.expr import ast
from clause.engine.messages import msg
from clause.engine.model import Rule
from clause.engine.source import Span

#: Keyed-hash tokens start with this, so a stored value says what it is.
TOKEN_PREFIX = "hmac:"

Path = tuple[str, ...]
#: Schema keywords a personal field may not carry: its keyed hash would not fit them.
_NARROWING = ("enum", "const", "pattern", "format", "minLength", "maxLength")


class MarksError(ValueError):
    """A facts schema whose marks the service cannot use (e.g. `x-pii` on a number); `key`
    and `args` are its catalog message (H011)."""

    def __init__(self, key: str, /, **args: object) -> None:
        self.key, self.args_ = key, args
        super().__init__(str(msg(key, **args)))


@dataclass(frozen=True)
class FactMarks:
    """Marked fields of a facts schema, as key paths from the top (arrays pass through)."""

    pii: frozenset[Path]
    identifiers: Mapping[str, Path]  # entity -> the path of its identifying field
    place: Path | None
    #: entity -> the fields its grant records (`grants[]`) may have: the ledger's grants are
    #: given to the decision with these fields only, so its facts still fit the schema
    grant_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)


def marks_of(schema: Mapping[str, Any]) -> FactMarks:
    """The marked fields of a facts schema. Raises MarksError on a mark the service cannot
    honour: personal data that is not text, two identifiers in one entity, two places."""
    pii: set[Path] = set()
    identifiers: dict[str, Path] = {}
    places: list[Path] = []
    grant_fields: dict[str, set[str]] = {}
    for path, node in _fields(schema, schema, ()):
        where = ".".join(path)
        if len(path) == 3 and path[1] == "grants":
            grant_fields.setdefault(path[0], set()).add(path[2])
        if node.get("x-pii") is True:
            if _type_of(node) != "string":
                raise MarksError("H011/pii_type", field=where)
            narrowed = sorted(k for k in _NARROWING if k in node)
            if narrowed:
                # the stored keyed hash must still fit the field when a decision is replayed
                raise MarksError("H011/pii_narrowed", field=where, keyword=narrowed[0])
            pii.add(path)
        if node.get("x-identifier") is True:
            entity = path[0]
            if entity in identifiers:
                first = ".".join(identifiers[entity])
                raise MarksError("H011/identifiers", field=where, entity=entity, first=first)
            if _type_of(node) != "string":
                raise MarksError("H011/identifier_type", field=where)
            identifiers[entity] = path
        if node.get("x-quota-place") is True:
            places.append(path)
    if len(places) > 1:
        raise MarksError("H011/places", field=".".join(places[1]), first=".".join(places[0]))
    fields = {entity: frozenset(names) for entity, names in grant_fields.items()}
    return FactMarks(frozenset(pii), identifiers, places[0] if places else None, fields)


def _type_of(node: Mapping[str, Any]) -> object:
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind


def _fields(
    node: Mapping[str, Any], root: Mapping[str, Any], path: Path, depth: int = 0
) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    """Every field node with its path (local `$ref`s followed; depth-bounded against cycles)."""
    if depth > 32:
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = root.get("$defs", {}).get(ref.removeprefix("#/$defs/"))
        if isinstance(target, Mapping):
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            yield from _fields(merged, root, path, depth + 1)
        return
    if path:
        yield path, node
    items = node.get("items")
    if isinstance(items, Mapping):
        yield from _fields(items, root, path, depth + 1)
    for name, child in (node.get("properties") or {}).items():
        if isinstance(child, Mapping):
            yield from _fields(child, root, (*path, str(name)), depth + 1)


class Pseudonymizer:
    """Replaces personal values by keyed hashes (HMAC-SHA256 under the service's secret key)."""

    def __init__(self, key: bytes, marks: FactMarks) -> None:
        if len(key) < 16:
            raise ValueError("the personal-data key must be at least 16 bytes")
        self._key = key
        self.marks = marks

    def token(self, path: Path, value: str) -> str:
        """The keyed hash of one value of the field at `path`.

        >>> Pseudonymizer(b"k" * 16, FactMarks(frozenset(), {}, None)).token(("a",), "x")[:5]
        'hmac:'
        """
        message = ".".join(path).encode("utf-8") + b"\0" + value.encode("utf-8")
        return TOKEN_PREFIX + hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def fingerprint(self) -> str:
        """Names the key without revealing it, so a database refuses a different key."""
        return hmac.new(self._key, b"clause key fingerprint", hashlib.sha256).hexdigest()[:16]

    def mask(self, facts: Mapping[str, Any]) -> dict[str, Any]:
        """Normalised facts with every personal value replaced by its token."""
        if not self.marks.pii:
            return dict(facts)
        masked: dict[str, Any] = self._mask(facts, ())
        return masked

    def _mask(self, value: Any, path: Path) -> Any:
        if isinstance(value, Mapping):
            return {k: self._mask(v, (*path, str(k))) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self._mask(v, path) for v in value)
        if path in self.marks.pii and isinstance(value, str):
            return self.token(path, value)
        return value

    def subject_key(self, facts: Mapping[str, Any], entity: str) -> str | None:
        """`entity:identifier` of an entity in (masked) facts, or None without an identifier."""
        path = self.marks.identifiers.get(entity)
        if path is None:
            return None
        value = _value_at(facts, path)
        return f"{entity}:{value}" if isinstance(value, str) and value else None

    def key_of(self, entity: str, identifier: str) -> str:
        """The ledger key of an entity given its identifier in clear (for `clause ledger`)."""
        path = self.marks.identifiers.get(entity)
        if path is None:
            raise KeyError(entity)
        value = self.token(path, identifier) if path in self.marks.pii else identifier
        return f"{entity}:{value}"

    def place_of(self, facts: Mapping[str, Any]) -> str | None:
        """The case's place (the field marked `x-quota-place`), or None."""
        if self.marks.place is None:
            return None
        value = _value_at(facts, self.marks.place)
        return value if isinstance(value, str) and value else None


def _value_at(facts: Mapping[str, Any], path: Path) -> Any:
    value: Any = facts
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


@dataclass(frozen=True)
class PersonalRead:
    """A rule expression that reads a personal field."""

    rule: str
    field: str
    span: Span


def personal_reads(rules: tuple[Rule, ...], pii: frozenset[Path]) -> list[PersonalRead]:
    """Every place a rule reads a personal field (or a group holding one)."""
    found: list[PersonalRead] = []
    for rule in rules:
        for version in rule.versions:
            for expr in version_exprs(version):
                for node in _paths(expr.node):
                    keys = node.keys
                    if any(_overlaps(keys, p) for p in pii):
                        found.append(PersonalRead(rule.id, ".".join(keys), node.span))
    return found


def _overlaps(a: Path, b: Path) -> bool:
    n = min(len(a), len(b))
    return n > 0 and a[:n] == b[:n]


def _paths(node: ast.Node) -> Iterator[ast.Path]:
    if isinstance(node, ast.Path):
        if node.root == "fact":
            yield node
        return
    for child in node.children():
        yield from _paths(child)
