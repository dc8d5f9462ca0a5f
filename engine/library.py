"""A library: the documents decisions are made under, in layers, seen as one set of rules.

In: loaded, checked packages (one per document) and, for a library folder, its places and
shared facts vocabulary (library.yaml). Out: one view the decision core, explanations, batch
runs and the service all use: every rule in id order with its effective windows (a document
extended or repealed by another moves them), parameters and funds by id, the merged facts
vocabulary, each rule's document, notice and jurisdiction, the rules implementing each rule,
and one digest that names the whole rule set. A single package is a library of one; its digest
is then the package's own, so outputs do not change when it is read through a library.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from clause.engine.dependencies import DecisionPlan, plan
from clause.engine.expr.types import TypeEnv
from clause.engine.model import Document, Fund, Package, Parameter, Place, Rule, Window

#: How many (day, locality) parameter lookups a library keeps; a register has few distinct ones.
PARAMS_CACHE_SIZE = 50_000

#: Levels of places, the widest first.
LEVELS = ("national", "province", "city", "county")


@dataclass(frozen=True, slots=True)
class Layer:
    """Where a rule sits: its document, that document's jurisdiction and level, and what the
    relations of other documents did to it (extended, repealed) — for traces and checks."""

    document: str
    jurisdiction: str | None
    level: str | None
    extended_by: str | None = None  # the document that moved its end
    repealed_by: str | None = None  # the document that ended it early
    implements: str | None = None  # the rule of a higher document it carries out
    rule_repealed: bool = False  # repealed_by ended this rule alone, not its whole document


@dataclass(frozen=True)
class Library:
    """Documents decided together. Build with `Library.of(packages, places=...)`."""

    packages: tuple[Package, ...]
    digest: str
    rules_by_id: tuple[Rule, ...]
    parameters: Mapping[str, Parameter]
    funds: Mapping[str, Fund]
    env: TypeEnv
    facts_schema: Mapping[str, Any]
    _package_of: Mapping[str, Package] = field(repr=False)
    in_force_by_rule: Mapping[str, Window] = field(repr=False)
    places: Mapping[str, Place] = field(default_factory=dict, repr=False)
    layers: Mapping[str, Layer] = field(default_factory=dict, repr=False)
    #: entity -> its place fields, most specific first: (field, level)
    place_fields: Mapping[str, tuple[tuple[str, str], ...]] = field(
        default_factory=dict, repr=False
    )
    #: rule id -> the rules (of lower documents) that implement it
    implemented_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _params: dict[tuple[date, object], dict[str, Any]] = field(
        default_factory=dict, repr=False, compare=False
    )
    #: Values derived from the rules alone (reasons naming a condition…), made once: the
    #: decision core keeps them here rather than rebuilding them for every case.
    memo: dict[object, Any] = field(default_factory=dict, repr=False, compare=False)

    @staticmethod
    def of(
        packages: Iterable[Package],
        places: Iterable[Place] = (),
        facts_schema: Mapping[str, Any] | None = None,
        env: TypeEnv | None = None,
        digest_extra: str = "",
    ) -> Library:
        """The library of `packages` (ids are unique across them: loading checks it).
        `facts_schema`/`env` are the merged vocabulary (the first package's when omitted);
        `digest_extra` is the canonical data of library.yaml and the shared facts schema."""
        chosen = tuple(sorted(packages, key=lambda p: p.root))
        if not chosen:
            raise ValueError("a library needs at least one package")
        windows, extended, repealed = document_windows(chosen)
        rule_ends = _repealed_rules(chosen)
        rules: list[Rule] = []
        in_force: dict[str, Window] = {}
        layers: dict[str, Layer] = {}
        for package in chosen:
            doc = package.document
            window = windows[doc.ref]
            for rule in package.rules:
                rule_window = window
                repeal = rule_ends.get(rule.id)
                if repeal is not None and (window.end is None or repeal[0] < window.end):
                    rule_window = Window(window.start, repeal[0])
                rules.append(_extended(rule, doc.in_force, window))
                in_force[rule.id] = rule_window
                layers[rule.id] = Layer(
                    doc.ref,
                    doc.jurisdiction,
                    doc.level,
                    extended.get(doc.ref),
                    repeal[1] if repeal is not None else repealed.get(doc.ref),
                    rule.implements,
                    repeal is not None,
                )
        parameters: dict[str, Parameter] = {}
        funds: dict[str, Fund] = {}
        for package in chosen:
            parameters.update(package.parameters)
            funds.update(package.funds)
        first = chosen[0]
        schema = facts_schema if facts_schema is not None else first.facts_schema
        implemented: dict[str, list[str]] = {}
        for rule in sorted(rules, key=lambda r: r.id):
            if rule.implements is not None:
                implemented.setdefault(rule.implements, []).append(rule.id)
        single = len(chosen) == 1 and not digest_extra
        return Library(
            packages=chosen,
            digest=first.digest if single else _digest(chosen, digest_extra),
            rules_by_id=tuple(sorted(rules, key=lambda r: r.id)),
            parameters=parameters,
            funds=funds,
            env=env if env is not None else first.env,
            facts_schema=schema,
            _package_of={r.id: p for p in chosen for r in p.rules},
            in_force_by_rule=in_force,
            places={p.name: p for p in places},
            layers=layers,
            place_fields=_place_fields(schema),
            implemented_by={k: tuple(v) for k, v in implemented.items()},
        )

    @cached_property
    def plan(self) -> DecisionPlan:
        """The order rules are decided in: each after the rules whose outcome it reads and
        the rules that override or implement it (engine.dependencies); computed once."""
        return plan(self.rules_by_id)

    @cached_property
    def _by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules_by_id}

    def rule(self, rule_id: str) -> Rule | None:
        return self._by_id.get(rule_id)

    def package_of(self, rule: Rule) -> Package:
        return self._package_of[rule.id]

    def document_of(self, rule: Rule) -> Document:
        return self._package_of[rule.id].document

    def in_force(self, rule: Rule) -> Window:
        """The window in which the rule's document is in force (moved by extensions and
        repeals of other documents)."""
        return self.in_force_by_rule[rule.id]

    @property
    def documents(self) -> tuple[Document, ...]:
        return tuple(p.document for p in self.packages)

    @property
    def roots(self) -> tuple[str, ...]:
        return tuple(p.root for p in self.packages)

    # -- places ------------------------------------------------------------------------------

    def ancestors(self, name: str) -> tuple[str, ...]:
        """The place and every place above it, itself first (a place not in the hierarchy is
        only itself)."""
        out = [name]
        seen = {name}
        place = self.places.get(name)
        while place is not None and place.parent is not None and place.parent not in seen:
            out.append(place.parent)
            seen.add(place.parent)
            place = self.places.get(place.parent)
        return tuple(out)

    def jurisdiction_of(
        self, rule: Rule, subject: Mapping[str, Any]
    ) -> tuple[bool | None, tuple[str, ...]]:
        """Whether the rule's document governs this subject: True, False, or None (unknown,
        with the place facts that would settle it). A document with no jurisdiction, or a
        national one, or a subject whose entity has no place fields, is always in force for
        it; otherwise the subject's most specific known place must be the document's place
        or lie below it."""
        layer = self.layers.get(rule.id)
        fields = self.place_fields.get(rule.subject, ())
        if layer is None or layer.jurisdiction is None or layer.level in (None, "national"):
            return True, ()
        if not fields:
            return True, ()
        target = layer.jurisdiction
        wanted = _rank(layer.level)
        at_level = [n for n, level in fields if _rank(level) == wanted]
        needed = (f"{rule.subject}.{(at_level or [fields[0][0]])[0]}",)
        for name, level in fields:  # the most specific place known decides
            value = subject.get(name)
            if not isinstance(value, str):
                continue
            if target in self.ancestors(value):
                return True, ()
            if _rank(level) >= wanted:  # as specific as the document, and elsewhere
                return False, ()
            # known only above the document's level: inside it only if it contains it
            return (None, needed) if value in self.ancestors(target) else (False, ())
        return None, needed

    def place_of(self, entity: str, subject: Mapping[str, Any]) -> str | None:
        """The subject's most specific known place (its place fields, most specific first)."""
        for name, _ in self.place_fields.get(entity, ()):
            value = subject.get(name)
            if isinstance(value, str):
                return value
        return None

    # -- parameters --------------------------------------------------------------------------

    def params_on(self, day: date, locality: object) -> dict[str, Any]:
        """Parameter values in force on `day` for `locality` (its own value where it has one,
        else the general one); parameters with no value configured are absent."""
        key = (day, locality)
        found = self._params.get(key)
        if found is None:
            found = {}
            for pid, param in self.parameters.items():
                value = param.value_on(day, locality if isinstance(locality, str) else None)
                if value is not None and value.value is not None:
                    found[pid] = value.value
            if len(self._params) >= PARAMS_CACHE_SIZE:
                self._params.clear()
            self._params[key] = found
        return found


def _rank(level: str | None) -> int:
    """How specific a level is: national 0 … county 3 (unknown levels count as national)."""
    return LEVELS.index(level) if level in LEVELS else 0


def _place_fields(schema: Mapping[str, Any]) -> dict[str, tuple[tuple[str, str], ...]]:
    """For each entity of the facts schema, its fields marked `x-place`, most specific first."""
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for entity, spec in (schema.get("properties") or {}).items():
        fields = [
            (name, field_spec["x-place"])
            for name, field_spec in ((spec or {}).get("properties") or {}).items()
            if isinstance(field_spec, Mapping) and isinstance(field_spec.get("x-place"), str)
        ]
        if fields:
            fields.sort(key=lambda f: -_rank(f[1]))
            out[entity] = tuple(fields)
    return out


def document_windows(
    packages: tuple[Package, ...],
) -> tuple[dict[str, Window], dict[str, str], dict[str, str]]:
    """Each document's in-force window after the other documents' `extends` (a later end)
    and whole-document `repeals` (an earlier end), and which document did each."""
    windows = {p.document.ref: p.document.in_force for p in packages}
    extended: dict[str, str] = {}
    repealed: dict[str, str] = {}
    for package in sorted(packages, key=lambda p: p.document.issued):
        for rel in package.document.relations:
            window = windows.get(rel.document)
            if window is None:
                continue
            if rel.kind == "extends" and rel.end is not None:
                if window.end is not None and rel.end > window.end:
                    windows[rel.document] = Window(window.start, rel.end)
                    extended[rel.document] = package.document.ref
            elif rel.kind == "repeals" and not rel.rules and rel.start is not None:
                last = rel.start - timedelta(days=1)
                if window.end is None or last < window.end:
                    windows[rel.document] = Window(window.start, last)
                    repealed[rel.document] = package.document.ref
    return windows, extended, repealed


def _repealed_rules(packages: tuple[Package, ...]) -> dict[str, tuple[date, str]]:
    """Rules repealed one by one: rule id -> (its last day, the repealing document)."""
    out: dict[str, tuple[date, str]] = {}
    for package in packages:
        for rel in package.document.relations:
            if rel.kind == "repeals" and rel.rules and rel.start is not None:
                last = rel.start - timedelta(days=1)
                for rid in rel.rules:
                    if rid not in out or last < out[rid][0]:
                        out[rid] = (last, package.document.ref)
    return out


def _extended(rule: Rule, original: Window, window: Window) -> Rule:
    """The rule with the versions that ran to its document's original end running to the
    extended end: a notice extending another's period extends every provision that lasted
    as long as that notice."""
    if window.end == original.end or original.end is None:
        return rule
    versions = tuple(
        replace(v, window=Window(v.window.start, window.end)) if v.window.end == original.end else v
        for v in rule.versions
    )
    return replace(rule, versions=versions)


def _digest(packages: tuple[Package, ...], extra: str) -> str:
    h = hashlib.sha256()
    h.update(extra.encode("utf-8") + b"\0")
    for package in packages:
        h.update(package.document.ref.encode("utf-8") + b"\0")
        h.update(package.digest.encode("ascii") + b"\0")
    return "sha256:" + h.hexdigest()
