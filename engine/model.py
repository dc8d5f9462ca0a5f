"""The policy model: frozen dataclasses for what a policy package says, ready to evaluate.

Glossary (one word per concept, used everywhere in the code):
- *notice*: the published document (通知); *clause*: one unit of its text, with a stable id.
- *rule*: our YAML encoding of one computable consequence of a clause; a rule has *versions*,
  each in force over a *window* (inclusive dates, `valid_from` .. `valid_until`).
- *unencoded clause*: a clause listed as `qualitative` or `referential`, with a reason.
- *fact*: a value about the case (person, employer, project…), read by expressions.
- *parameter*: a value the notice leaves to other regulations or localities, over windows.
- *decision*: the outcome of one rule for one case on one date; *amount*: what is paid;
  *funding source*: where the money comes from, in order ("不足部分…").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from clause.engine.expr import ast
from clause.engine.expr.compile import CompiledExpr
from clause.engine.source import Span


@dataclass(frozen=True, slots=True)
class Window:
    """Inclusive validity window; None on a side means open-ended.

    >>> Window(date(2021, 8, 16), date(2025, 12, 31)).contains(date(2025, 12, 31))
    True
    """

    start: date | None
    end: date | None
    # the same bounds with open ends as date.min / date.max: one chained comparison per test
    lo: date = field(init=False, repr=False, compare=False)
    hi: date = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lo", self.start or date.min)
        object.__setattr__(self, "hi", self.end or date.max)

    def contains(self, day: date) -> bool:
        return self.lo <= day <= self.hi

    def overlaps(self, other: Window) -> bool:
        return (self.end is None or other.start is None or other.start <= self.end) and (
            other.end is None or self.start is None or self.start <= other.end
        )

    def within(self, outer: Window) -> bool:
        starts_ok = outer.start is None or (self.start is not None and self.start >= outer.start)
        ends_ok = outer.end is None or (self.end is not None and self.end <= outer.end)
        return starts_ok and ends_ok

    def __str__(self) -> str:
        start = self.start.isoformat() if self.start else "…"
        end = self.end.isoformat() if self.end else "…"
        return f"{start} .. {end}"


@dataclass(frozen=True, slots=True)
class Expr:
    """An expression from a rule file: its text, checked tree, compiled function, place."""

    text: str
    node: ast.Node
    fn: CompiledExpr
    span: Span


@dataclass(frozen=True, slots=True)
class Cite:
    """The clause a quote is taken from, when it is not the rule's own: another clause of the
    rule's document, or a clause of another document (`document` None: the rule's own)."""

    clause: str
    document: str | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    """One check of a rule: an expression and the words it encodes. `in_principle`
    (原则上): when false, the case deviates from a rule that admits documented exceptions,
    rather than failing it. `cite`: the clause the quote comes from, when not the rule's."""

    id: str
    expr: Expr
    quote: str
    span: Span
    in_principle: bool = False
    cite: Cite | None = None


@dataclass(frozen=True, slots=True)
class Money:
    """A money value written in a rule: a literal amount, or a parameter id with an optional
    percentage of it (「不低于当地最低工资标准的50%」 is the parameter at 50%)."""

    value: Decimal | None = None
    param: str | None = None
    percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Amount:
    """How much is paid. `kind` is the YAML form: fixed, cap, floor, per_unit, percentage,
    parameter, computed, per_other_regulation. Only the fields of that form are set."""

    kind: str
    quote: str
    span: Span
    value: Money | None = None  # fixed; cap's max; floor's min; per_unit's rate; parameter
    claimed: Expr | None = None  # cap, floor: the amount asked for; computed: the amount
    count: Expr | None = None  # per_unit: how many units
    max_count: int | None = None
    unit: str | None = None
    of: Expr | None = None  # percentage: the base amount
    percent: Decimal | None = None
    refers_to: str | None = None  # per_other_regulation


@dataclass(frozen=True, slots=True)
class FundingSource:
    fund: str
    quote: str
    span: Span
    quota: Decimal | Expr | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """How often a benefit may be granted (「每人每年」): `year` (once per calendar year),
    `months` (once per `months` months, either side of the case's date) or `during` (once
    within a fixed window of dates)."""

    kind: str  # year | months | during
    months: int | None = None
    window: Window | None = None

    def text(self) -> str:
        """The period as the trace shows it: `year`, `12 months`, `2015-01-01 .. 2020-12-31`."""
        if self.kind == "months":
            return f"{self.months} months"
        if self.kind == "during" and self.window is not None:
            return str(self.window)
        return self.kind


@dataclass(frozen=True, slots=True)
class OnceLimit:
    """One limit on how often a benefit is granted: the programmes whose grants count (the
    rule's id when none is named) and the period (None: once ever), with the words that set it.
    A version may have several (「每人每年」 and 「2015年至2020年已享受过的不再享受」)."""

    programs: tuple[str, ...] = ()
    period: Period | None = None
    quote: str | None = None


@dataclass(frozen=True, slots=True)
class Version:
    number: int
    enacted_on: date
    enacted_by: str
    window: Window
    span: Span
    window_quote: str | None = None
    effective_date: Expr | None = None
    event: Condition | None = None  # whether the event dated by effective_date happened
    conditions: tuple[Condition, ...] = ()
    unless: tuple[Condition, ...] = ()
    requires: tuple[Condition, ...] = ()
    amount: Amount | None = None
    funding: tuple[FundingSource, ...] = ()
    once: bool = False  # any limit at all (once_limits)
    once_program: str | None = None  # the first limit's first programme
    once_quote: str | None = None  # the first limit's words
    once_limits: tuple[OnceLimit, ...] = ()  # every limit, each checked against the history
    overrides: tuple[str, ...] = ()
    in_principle: bool = False  # some condition or requirement holds 原则上 (set by the builder)
    enacted_clause: str | None = None  # the clause of `enacted_by` that enacted this version


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title_zh: str
    title_en: str
    document: str
    clause: str
    subject: str
    kind: str  # benefit | obligation
    versions: tuple[Version, ...]
    file: str
    span: Span
    implements: str | None = None  # the id of a higher document's rule this one carries out

    def version_on(self, day: date) -> Version | None:
        """The version in force on `day` (versions never overlap: `clause check` proves it)."""
        return next((v for v in self.versions if v.window.contains(day)), None)


@dataclass(frozen=True, slots=True)
class UnencodedClause:
    """A clause with no computable consequence here, and why."""

    id: str
    clause: str
    status: str  # qualitative | referential
    reason: str
    file: str
    span: Span
    refers_to: str | None = None
    title_zh: str | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    document: str
    quote: str
    clause: str | None = None


@dataclass(frozen=True, slots=True)
class ParameterValue:
    window: Window
    value: Decimal | str | None  # None: known to be set elsewhere, not configured here
    locality: str | None = None
    citation: Citation | None = None


@dataclass(frozen=True, slots=True)
class Bound:
    """A floor (不低于) or ceiling (不高于) the notice sets on a parameter's values, checked by
    `clause check` against every value configured. `in_principle` (原则上): a value past it
    is a warning to document the exception, not an error."""

    side: str  # min | max
    value: Money
    quote: str
    in_principle: bool = False
    clause: str | None = None


@dataclass(frozen=True, slots=True)
class Parameter:
    id: str
    title_zh: str
    title_en: str
    citation: Citation
    unit: str
    values: tuple[ParameterValue, ...]
    file: str
    span: Span
    set_by: str | None = None
    bounds: tuple[Bound, ...] = ()

    def value_on(self, day: date, locality: str | None = None) -> ParameterValue | None:
        """The value in force on `day`: the locality's own if it has one, else the general one."""
        general = None
        for pv in self.values:
            if not pv.window.contains(day):
                continue
            if pv.locality is not None and pv.locality == locality:
                return pv
            if pv.locality is None and general is None:
                general = pv
        return general


@dataclass(frozen=True, slots=True)
class Fund:
    id: str
    name_zh: str
    name_en: str
    level: str | None = None
    direction: str | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    """How a document acts on another of the library (document.yaml `relations`).

    - implements: carries out the target (a county notice, a provincial one);
    - amends: changes the target's rules or parameters from `start` (new rule versions name
      this document in `enacted.by`);
    - extends: the target stays in force until `end`;
    - repeals: the target (or only its `rules`) stops applying from `start`.
    """

    kind: str
    document: str
    start: date | None = None
    end: date | None = None
    rules: tuple[str, ...] = ()
    clause: str | None = None
    quote: str | None = None


@dataclass(frozen=True, slots=True)
class Place:
    """A place of the library's hierarchy (library.yaml): a province, city or county."""

    name: str
    level: str
    parent: str | None = None
    en: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """The notice a package encodes. `number` (文号) is optional: policy lists are often
    published without one; `ref` is then the Chinese title."""

    number: str | None
    title_zh: str
    title_en: str
    issued: date
    in_force: Window
    file: str
    in_force_quote: str | None = None
    issuers: tuple[str, ...] = ()
    jurisdiction: str | None = None  # the place (library.yaml) whose cases it governs
    level: str | None = None  # national | province | city | county
    relations: tuple[Relation, ...] = ()

    @property
    def ref(self) -> str:
        """How rules, citations and traces name the document: its number, else its title."""
        return self.number or self.title_zh


@dataclass(frozen=True)
class Package:
    """A loaded, checked policy package: everything `decide` needs, plus where it came from."""

    root: str
    document: Document
    notice: Any  # engine.notice.Notice
    rules: tuple[Rule, ...]
    unencoded: tuple[UnencodedClause, ...]
    parameters: dict[str, Parameter]
    funds: dict[str, Fund]
    facts_schema: dict[str, Any]
    env: Any  # engine.expr.types.TypeEnv
    digest: str
    test_files: tuple[str, ...] = ()
    files: tuple[str, ...] = field(default=())

    @cached_property
    def rules_by_id(self) -> tuple[Rule, ...]:
        """The rules in id order: the order decisions come in, computed once per package."""
        return tuple(sorted(self.rules, key=lambda r: r.id))

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)
