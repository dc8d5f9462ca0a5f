"""A library: the packages decisions are made under, seen as one set of rules.

In: loaded, checked packages. Out: one view the decision core, explanations, batch runs and
the service all use: every rule in id order, parameters and funds by id, the facts vocabulary,
each rule's document and notice, and one digest that names the whole rule set. A single package
is a library of one; its digest is the package's own, so outputs do not change when it is read
through a library.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from clause.engine.dependencies import DecisionPlan, plan
from clause.engine.expr.types import TypeEnv
from clause.engine.model import Document, Fund, Package, Parameter, Rule, Window

#: How many (day, locality) parameter lookups a library keeps; a register has few distinct ones.
PARAMS_CACHE_SIZE = 50_000


@dataclass(frozen=True)
class Library:
    """Packages decided together. Build with `Library.of(packages)`."""

    packages: tuple[Package, ...]
    digest: str
    rules_by_id: tuple[Rule, ...]
    parameters: Mapping[str, Parameter]
    funds: Mapping[str, Fund]
    env: TypeEnv
    facts_schema: Mapping[str, Any]
    _package_of: Mapping[str, Package] = field(repr=False)
    in_force_by_rule: Mapping[str, Window] = field(repr=False)
    _params: dict[tuple[date, object], dict[str, Any]] = field(
        default_factory=dict, repr=False, compare=False
    )
    #: Values derived from the rules alone (reasons naming a condition…), made once: the
    #: decision core keeps them here rather than rebuilding them for every case.
    memo: dict[object, Any] = field(default_factory=dict, repr=False, compare=False)

    @staticmethod
    def of(packages: Iterable[Package]) -> Library:
        """The library of `packages` (rule, parameter and fund ids are unique across them:
        loading checks it)."""
        chosen = tuple(sorted(packages, key=lambda p: p.root))
        if not chosen:
            raise ValueError("a library needs at least one package")
        rules = tuple(sorted((r for p in chosen for r in p.rules), key=lambda r: r.id))
        parameters: dict[str, Parameter] = {}
        funds: dict[str, Fund] = {}
        for package in chosen:
            parameters.update(package.parameters)
            funds.update(package.funds)
        first = chosen[0]
        return Library(
            packages=chosen,
            digest=first.digest if len(chosen) == 1 else _digest(chosen),
            rules_by_id=rules,
            parameters=parameters,
            funds=funds,
            env=first.env,
            facts_schema=first.facts_schema,
            _package_of={r.id: p for p in chosen for r in p.rules},
            in_force_by_rule={r.id: p.document.in_force for p in chosen for r in p.rules},
        )

    @cached_property
    def plan(self) -> DecisionPlan:
        """The order rules are decided in: each after the rules whose outcome it reads and
        the rules that override it (engine.dependencies); computed once per library."""
        return plan(self.rules_by_id)

    def rule(self, rule_id: str) -> Rule | None:
        package = self._package_of.get(rule_id)
        return package.rule(rule_id) if package is not None else None

    def package_of(self, rule: Rule) -> Package:
        return self._package_of[rule.id]

    def document_of(self, rule: Rule) -> Document:
        return self._package_of[rule.id].document

    def in_force(self, rule: Rule) -> Window:
        """The window in which the rule's document is in force."""
        return self.in_force_by_rule[rule.id]

    @property
    def documents(self) -> tuple[Document, ...]:
        return tuple(p.document for p in self.packages)

    @property
    def roots(self) -> tuple[str, ...]:
        return tuple(p.root for p in self.packages)

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


def _digest(packages: tuple[Package, ...]) -> str:
    h = hashlib.sha256()
    for package in packages:
        h.update(package.document.ref.encode("utf-8") + b"\0")
        h.update(package.digest.encode("ascii") + b"\0")
    return "sha256:" + h.hexdigest()
