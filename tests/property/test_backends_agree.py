"""Property tests for the expression language: the two backends agree, the printer round-trips,
and missing facts behave as Kleene logic promises.

Hypothesis builds *well-typed* trees from a fixed facts schema (every operator, every function
of the table, English names and Chinese aliases mixed), prints them with `ast.unparse`, parses and
type-checks the text, then runs the reference interpreter and the compiled backend on random
facts in which any fact, any entity and the decision date may be missing.

What is asserted is what the semantics promise (see `engine/expr/interpret.py`):
- both backends give the same value, the same unknown fact paths, or the same EvalError;
- a value is of the type the checker gave the expression;
- without `exists` (which is true or false *because* a fact is missing, so it is not monotone):
  a known result stays the same when missing facts are filled in with any values, and facts
  missing but not reported as unknown can be filled in without changing an unknown result.
  The one way filling in facts can change the outcome is an EvalError raised by a
  sub-expression that could not be evaluated before (it was unknown, or short-circuited
  away): e.g. `((1 / n) > 0 and false) or x` is unknown{x} with `n` missing, an error with n = 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import event, given, note
from hypothesis import strategies as st

from clause.engine.diagnostics import DiagnosticError
from clause.engine.expr import ast
from clause.engine.expr.check import check_expr
from clause.engine.expr.compile import compile_expr
from clause.engine.expr.interpret import Evaluation, interpret
from clause.engine.expr.syntax import parse_expr
from clause.engine.expr.types import (
    BOOL,
    DATE,
    NUMBER,
    STRING,
    EnumType,
    Field,
    ListType,
    TypeEnv,
    is_stringy,
)
from clause.engine.expr.values import EvalError, Unknown
from clause.engine.facts import normalize_facts
from clause.engine.source import Span

# -- the facts schema ------------------------------------------------------------------------

SCOPES = ("跨省", "省内县外", "县内")
SKILLS = ("电工", "焊工", "育婴员", "家政")
PROGRAMS = ("以工代训", "交通补助", "创业补贴")
KINDS = ("个体工商户", "小微企业", "农民专业合作社")
COUNTY_KINDS = ("脱贫县", "非脱贫县")


def _leaf(kind: str, alias: str, **more: Any) -> dict[str, Any]:
    return {"type": kind, "x-alias": alias, **more}


FACTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "person": {
            "type": "object",
            "x-alias": "人员",
            "properties": {
                "poverty_alleviated": _leaf("boolean", "脱贫人口"),
                "returned_home": _leaf("boolean", "返乡"),
                "age": _leaf("integer", "年龄"),
                "contract_months": _leaf("number", "合同期限月"),
                "hukou_province": _leaf("string", "户籍省份"),
                "work_scope": _leaf("string", "务工范围", enum=list(SCOPES)),
                "departure_date": _leaf("string", "出发日期", format="date"),
                "skills": _leaf("array", "技能", items={"type": "string", "enum": list(SKILLS)}),
                "monthly_wages": _leaf("array", "月工资", items={"type": "number"}),
                "training_passed": _leaf("array", "培训合格", items={"type": "boolean"}),
                "grants": {
                    "type": "array",
                    "x-alias": "已享受补贴",
                    "items": {
                        "type": "object",
                        "properties": {
                            "program": _leaf("string", "项目", enum=list(PROGRAMS)),
                            "date": _leaf("string", "日期", format="date"),
                            "amount": _leaf("number", "金额"),
                            "paid": _leaf("boolean", "已发放"),
                        },
                    },
                },
            },
        },
        "business": {
            "type": "object",
            "x-alias": "经营主体",
            "properties": {
                "licence_date": _leaf("string", "登记日期", format="date"),
                "operating": _leaf("boolean", "正常经营"),
                "employees": _leaf("integer", "带动就业人数"),
                "kind": _leaf("string", "主体类型", enum=list(KINDS)),
                "address": {
                    "type": "object",
                    "x-alias": "地址",
                    "properties": {
                        "province": _leaf("string", "省"),
                        "county_kind": _leaf("string", "县类别", enum=list(COUNTY_KINDS)),
                    },
                },
            },
        },
    },
}

PARAM_TYPES = {"transport.cap": NUMBER, "start": DATE, "pilot": BOOL, "region": STRING}
ENV = TypeEnv.from_schema(FACTS_SCHEMA, PARAM_TYPES)

# -- type keys used by the generator ---------------------------------------------------------
# "bool" | "number" | "date" | ("str", enum values or None) | ("list", item key)

Key = Any
B, N, D = "bool", "number", "date"
S_PLAIN: Key = ("str", None)
STRING_KEYS: list[Key] = [S_PLAIN, *(("str", e) for e in (SCOPES, SKILLS, PROGRAMS, KINDS))]
STRING_KEYS += [("str", COUNTY_KINDS)]
SCALAR_KEYS: list[Key] = [B, N, D, *STRING_KEYS]


def list_of(key: Key) -> Key:
    return ("list", key)


def key_of(t: Any) -> Key:
    if t == BOOL:
        return B
    if t == NUMBER:
        return N
    if t == DATE:
        return D
    if isinstance(t, EnumType):
        return ("str", t.values)
    if isinstance(t, ListType):
        return list_of(key_of(t.item))
    assert is_stringy(t), t
    return S_PLAIN


@dataclass(frozen=True)
class Leaf:
    """A name an expression can use: its canonical path and every way to spell each segment."""

    dotted: str
    spellings: tuple[tuple[str, ...], ...]
    key: Key
    keys: tuple[str, ...] = ()  # English keys into the facts; () for params and decision_date
    in_array: bool = False


def _fact_leaves(
    node: Field, keys: tuple[str, ...], spell: tuple[tuple[str, ...], ...], in_array: bool
) -> list[Leaf]:
    out: list[Leaf] = []
    for child in node.children.values():
        k = (*keys, child.name)
        s = (*spell, (child.name, *child.aliases))
        if child.type is None:
            out += _fact_leaves(child, k, s, in_array or child.is_array)
        else:
            key = key_of(child.type)
            key = list_of(key) if in_array and key[0] != "list" else key
            out.append(Leaf(".".join(k), s, key, k, in_array))
    return out


FACT_LEAVES = _fact_leaves(ENV.facts, (), (), False)
PARAM_LEAVES = [
    Leaf("param." + pid, (("param", "参数"), *((p,) for p in pid.split("."))), key_of(t))
    for pid, t in PARAM_TYPES.items()
]
DATE_LEAF = Leaf("decision_date", (("decision_date", "决定日期"),), D)
ALL_LEAVES = [*FACT_LEAVES, *PARAM_LEAVES, DATE_LEAF]
LEAVES_BY_KEY: dict[Key, list[Leaf]] = defaultdict(list)
for leaf in ALL_LEAVES:
    LEAVES_BY_KEY[leaf.key].append(leaf)
ARRAY_KEYS = sorted(lf.keys[-1] for lf in FACT_LEAVES if lf.in_array)  # fields of person.grants

# -- literal and fact values -----------------------------------------------------------------

EDGE_DATES = [date(2020, 2, 29), date(2021, 1, 31), date(2021, 3, 15), date(2024, 2, 29),
              date(2021, 12, 31), date(1, 1, 1), date(9999, 12, 31)]  # fmt: skip
NUMBER_TEXTS = ["0", "1", "0.1", "0.2", "0.3", "12", "1.5", "12.50", "500", "0.000001",
                "999999999999999999999999999999", "123456789012345.123456789012345"]  # fmt: skip


def numbers() -> st.SearchStrategy[Decimal]:
    return st.one_of(
        st.integers(0, 60).map(Decimal),
        st.sampled_from(NUMBER_TEXTS).map(Decimal),
        st.decimals(min_value=0, max_value=100_000, places=2),
    )


def dates() -> st.SearchStrategy[date]:
    return st.one_of(
        st.dates(date(2015, 1, 1), date(2026, 12, 31)), st.sampled_from(EDGE_DATES), st.dates()
    )


def values(key: Key) -> st.SearchStrategy[Any]:
    """Values of a type, as facts hold them after normalisation."""
    if key == B:
        return st.booleans()
    if key == N:
        return st.one_of(numbers(), st.integers(-5, 5).map(Decimal))
    if key == D:
        return dates()
    if key[0] == "str":
        return (
            st.sampled_from(key[1])
            if key[1]
            else st.one_of(st.sampled_from(["湖北", "湖南", "", "x"]), st.text(max_size=6))
        )
    return st.lists(values(key[1]), max_size=3).map(tuple)


# -- well-typed trees ------------------------------------------------------------------------

SPAN = Span("<generated>", 1, 1, 1, 1)
Draw = Callable[[st.SearchStrategy[Any]], Any]


def lit(value: Any) -> ast.Node:
    return ast.Literal(SPAN, value=value)


def call(name: str, *args: ast.Node) -> ast.Node:
    return ast.Call(SPAN, name=name, args=args)


def binary(op: str, left: ast.Node, right: ast.Node) -> ast.Node:
    return ast.Binary(SPAN, op=op, left=left, right=right)


def unary(op: str, operand: ast.Node) -> ast.Node:
    return ast.Unary(SPAN, op=op, operand=operand)


def if_(cond: ast.Node, then: ast.Node, orelse: ast.Node) -> ast.Node:
    return ast.If(SPAN, cond=cond, then=then, orelse=orelse)


def list_lit(items: list[ast.Node]) -> ast.Node:
    return ast.ListLit(SPAN, items=tuple(items))


def path_to(draw: Draw, leaf: Leaf) -> ast.Node:
    return ast.Path(SPAN, segments=tuple(draw(st.sampled_from(opts)) for opts in leaf.spellings))


def literal(draw: Draw, key: Key) -> ast.Node:
    if key == B:
        return lit(draw(st.booleans()))
    if key == N:
        return lit(draw(numbers()))
    if key == D:
        return lit(draw(dates()))
    if key[0] == "str":
        return lit(draw(values(key)))
    return list_lit([leaf_expr(draw, key[1]) for _ in range(draw(st.integers(0, 3)))])


def leaf_expr(draw: Draw, key: Key) -> ast.Node:
    names = LEAVES_BY_KEY.get(key, [])
    if names and draw(st.integers(0, 2)) > 0:
        return path_to(draw, draw(st.sampled_from(names)))
    return literal(draw, key)


class Gen:
    """Builds a tree of a requested type key; `depth` bounds nesting."""

    def __init__(self, draw: Draw, allow_exists: bool) -> None:
        self.draw = draw
        self.allow_exists = allow_exists

    def __call__(self, key: Key, depth: int) -> ast.Node:
        draw = self.draw
        if depth <= 0 or draw(st.integers(0, 4)) == 0:
            return leaf_expr(draw, key)
        d = depth - 1
        if key == B:
            shapes = ["not", "logic", "order", "equal", "member", "quantifier", "if"]
            shapes += ["exists"] if self.allow_exists else []
            return getattr(self, "bool_" + draw(st.sampled_from(shapes)))(d)
        if key == N:
            shapes = ["neg", "arith", "if", "abs", "round", "extremum", "count", "sum", "between"]
            shapes += ["part"]
            return getattr(self, "number_" + draw(st.sampled_from(shapes)))(d)
        if key == D:
            shapes = ["if", "shift", "make", "extremum"]
            return getattr(self, "date_" + draw(st.sampled_from(shapes)))(d)
        if key[0] == "list" and draw(st.booleans()):
            return list_lit([self(key[1], d) for _ in range(draw(st.integers(0, 3)))])
        return if_(self(B, d), self(key, d), self(key, d))  # strings and lists

    def pick(self, keys: list[Key]) -> Key:
        return self.draw(st.sampled_from(keys))

    # bool
    def bool_not(self, d: int) -> ast.Node:
        return unary("not", self(B, d))

    def bool_logic(self, d: int) -> ast.Node:
        return binary(self.pick(["and", "or"]), self(B, d), self(B, d))

    def bool_order(self, d: int) -> ast.Node:
        key = self.pick([N, D])
        return binary(self.pick(list(ast.COMPARE_OPS)), self(key, d), self(key, d))

    def bool_equal(self, d: int) -> ast.Node:
        key = self.pick([*SCALAR_KEYS, list_of(N), list_of(D), list_of(("str", SKILLS))])
        return binary(self.pick(["==", "!="]), self(key, d), self(key, d))

    def bool_member(self, d: int) -> ast.Node:
        key = self.pick(SCALAR_KEYS)
        return binary(self.pick(list(ast.MEMBER_OPS)), self(key, d), self(list_of(key), d))

    def bool_quantifier(self, d: int) -> ast.Node:
        return call(self.pick(["any", "all"]), self(list_of(B), d))

    def bool_exists(self, d: int) -> ast.Node:
        return call("exists", path_to(self.draw, self.draw(st.sampled_from(ALL_LEAVES))))

    def bool_if(self, d: int) -> ast.Node:
        return if_(self(B, d), self(B, d), self(B, d))

    # number
    def number_neg(self, d: int) -> ast.Node:
        return unary("-", self(N, d))

    def number_arith(self, d: int) -> ast.Node:
        return binary(self.pick(list(ast.ARITH_OPS)), self(N, d), self(N, d))

    def number_if(self, d: int) -> ast.Node:
        return if_(self(B, d), self(N, d), self(N, d))

    def number_abs(self, d: int) -> ast.Node:
        return call("abs", self(N, d))

    def number_round(self, d: int) -> ast.Node:
        shape = self.draw(st.sampled_from(["one", "places", "any"]))
        if shape == "one":
            return call("round", self(N, d))
        places = lit(Decimal(self.draw(st.integers(0, 4)))) if shape == "places" else self(N, d)
        return call("round", self(N, d), places)

    def number_extremum(self, d: int) -> ast.Node:
        return self._extremum(N, d)

    def _extremum(self, key: Key, d: int) -> ast.Node:
        name = self.pick(["min", "max"])
        if self.draw(st.booleans()):
            if key == N:
                return call(name, self(list_of(N), d))
            # a list of dates must show its item type: min([]) is typed as a number
            items = [self(D, d) for _ in range(self.draw(st.integers(1, 3)))]
            grant_dates = path_to(self.draw, LEAVES_BY_KEY[list_of(D)][0])
            return call(name, self.draw(st.sampled_from([list_lit(items), grant_dates])))
        return call(name, *(self(key, d) for _ in range(self.draw(st.integers(1, 3)))))

    def number_count(self, d: int) -> ast.Node:
        return call("count", self(list_of(self.pick(SCALAR_KEYS)), d))

    def number_sum(self, d: int) -> ast.Node:
        return call("sum", self(list_of(N), d))

    def number_between(self, d: int) -> ast.Node:
        name = self.pick(["months_between", "years_between", "days_between"])
        return call(name, self(D, d), self(D, d))

    def number_part(self, d: int) -> ast.Node:
        return call(self.pick(["year", "month", "day"]), self(D, d))

    # date
    def date_if(self, d: int) -> ast.Node:
        return if_(self(B, d), self(D, d), self(D, d))

    def date_shift(self, d: int) -> ast.Node:
        name = self.pick(["add_days", "add_months", "add_years"])
        if self.draw(st.booleans()):
            amount = lit(Decimal(self.draw(st.integers(0, 40))))
            amount = unary("-", amount) if self.draw(st.booleans()) else amount
        else:
            amount = self(N, d)
        return call(name, self(D, d), amount)

    def date_make(self, d: int) -> ast.Node:
        if self.draw(st.integers(0, 3)) == 0:  # from the parts of another date (「当年」)
            return call("date", call("year", self(D, d)), self(N, d), call("day", self(D, d)))
        if self.draw(st.booleans()):
            year, month, day = (self.draw(st.integers(1, 9999)), self.draw(st.integers(1, 12)),
                                self.draw(st.integers(1, 31)))  # fmt: skip
            return call("date", *(lit(Decimal(v)) for v in (year, month, day)))
        return call("date", self(N, d), self(N, d), self(N, d))

    def date_extremum(self, d: int) -> ast.Node:
        return self._extremum(D, d)


RESULT_KEYS: list[Key] = [B, B, B, B, N, N, D, S_PLAIN, ("str", SCOPES), list_of(N), list_of(D)]


@st.composite
def trees(draw: Draw, key: Key | None = None, depth: int = 5, allow_exists: bool = True) -> Any:
    """A generated tree (spans are placeholders) of type `key` (any type when None)."""
    key = key if key is not None else draw(st.sampled_from(RESULT_KEYS))
    return Gen(draw, allow_exists)(key, draw(st.integers(min(depth, 1), depth)))


# -- facts in which anything may be missing --------------------------------------------------

CONTAINERS = ("person", "person.grants", "business", "business.address")
ALL_PATHS = tuple(leaf.dotted for leaf in ALL_LEAVES)


@dataclass(frozen=True)
class World:
    """Complete facts, parameters and decision date, and a way to leave any of them out.

    `build(missing)` leaves out the named paths. A field of `person.grants` is left out of the
    items in `holes` (non-empty when the list is, so it really is missing); an entity, or the
    grants list, whose fields are all missing is dropped entirely when listed in `drop`.
    """

    scalars: Mapping[str, Any]  # dotted path -> value: fact fields outside grants, params
    grants: tuple[Mapping[str, Any], ...]
    today: date
    holes: Mapping[str, frozenset[int]]
    drop: frozenset[str]

    def build(self, missing: frozenset[str]) -> tuple[Any, dict[str, Any], date | None]:
        facts: dict[str, Any] = {}
        for leaf in FACT_LEAVES:
            if leaf.in_array or leaf.dotted in missing:
                continue
            target = facts
            for k in leaf.keys[:-1]:
                target = target.setdefault(k, {})
            target[leaf.keys[-1]] = self.scalars[leaf.dotted]
        items = []
        for i, item in enumerate(self.grants):
            kept = {
                k: v
                for k, v in item.items()
                if f"person.grants.{k}" not in missing or i not in self.holes[k]
            }
            items.append(kept)
        facts.setdefault("person", {})["grants"] = items
        facts.setdefault("business", {}).setdefault("address", {})
        for container in sorted(CONTAINERS, key=len, reverse=True):
            under = [p for p in ALL_PATHS if p.startswith(container + ".")]
            if container in self.drop and all(p in missing for p in under):
                *parents, last = container.split(".")
                target = facts
                for k in parents:
                    target = target.get(k, {})
                target.pop(last, None)
        params = {
            leaf.dotted.removeprefix("param."): self.scalars[leaf.dotted]
            for leaf in PARAM_LEAVES
            if leaf.dotted not in missing
        }
        today = None if "decision_date" in missing else self.today
        return normalize_facts(facts, ENV.facts), params, today


@st.composite
def worlds(draw: Draw, min_grants: int = 0) -> World:
    scalars = {
        leaf.dotted: draw(values(leaf.key)) for leaf in [*FACT_LEAVES, *PARAM_LEAVES]
        if not leaf.in_array
    }  # fmt: skip
    grant_leaves = [leaf for leaf in FACT_LEAVES if leaf.in_array]
    grants = tuple(
        {leaf.keys[-1]: draw(values(leaf.key[1])) for leaf in grant_leaves}
        for _ in range(draw(st.integers(min_grants, 3)))
    )
    indices = st.integers(0, max(len(grants) - 1, 0))
    holes = {
        k: draw(st.frozensets(indices, min_size=1 if grants else 0, max_size=len(grants)))
        for k in ARRAY_KEYS
    }
    return World(
        scalars, grants, draw(dates()), holes, draw(st.frozensets(st.sampled_from(CONTAINERS)))
    )


@st.composite
def subsets(draw: Draw, paths: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Some of `paths`: none, a few, about half, most or all of them."""
    rate = draw(st.sampled_from([0, 2, 5, 8, 10]))  # in tenths
    return frozenset(p for p in paths if draw(st.integers(0, 9)) < rate)


def missing_paths() -> st.SearchStrategy[frozenset[str]]:
    return subsets(ALL_PATHS)


# -- running both backends -------------------------------------------------------------------


@dataclass(frozen=True)
class Returned:
    value: Any  # canonical form, see `canonical`
    unknown: tuple[str, ...]


@dataclass(frozen=True)
class Raised:
    code: str
    message: str
    span: Span | None


def canonical(value: Any) -> Any:
    """A form where equal means identical: tagged by type, decimals by their exact text."""
    if type(value) is Unknown:
        return ("unknown", tuple(sorted(value.paths)))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, Decimal):
        return ("number", str(value))
    if isinstance(value, date):
        return ("date", value.isoformat())
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, tuple):
        return ("list", tuple(canonical(v) for v in value))
    raise AssertionError(f"not a runtime value: {value!r} ({type(value).__name__})")


def conforms(value: Any, t: Any) -> bool:
    """Whether a known value is of the checked type."""
    if type(value) is Unknown:
        return True
    if t == BOOL:
        return type(value) is bool
    if t == NUMBER:
        return type(value) is Decimal and value.is_finite()
    if t == DATE:
        return type(value) is date
    if isinstance(t, EnumType):
        return type(value) is str and value in t.values
    if isinstance(t, ListType):
        return type(value) is tuple and ((t.item is None and not value) or all(
            conforms(v, t.item) for v in value))  # fmt: skip
    return is_stringy(t) and type(value) is str


def run_interpreter(typed: ast.Node, facts: Any, params: Any, today: Any) -> Returned | Raised:
    try:
        evaluation = interpret(typed, facts, params, today)
    except EvalError as err:
        return Raised(err.code, err.message, err.span)
    return Returned(canonical(evaluation.value), evaluation.unknown)


def run_compiled(fn: Any, facts: Any, params: Any, today: Any) -> Returned | Raised:
    try:
        value = fn(facts, params, today)
    except EvalError as err:
        return Raised(err.code, err.message, err.span)
    unknown = tuple(sorted(value.paths)) if type(value) is Unknown else ()
    return Returned(canonical(value), unknown)


def checked(tree: ast.Node) -> ast.Node:
    """Print, parse and type-check a generated tree; the generator only makes well-typed ones."""
    text = ast.unparse(tree)
    note(f"expression: {text}")
    try:
        return check_expr(parse_expr(text), ENV)
    except DiagnosticError as err:
        raise AssertionError(f"generated tree does not check: {text}\n{err}") from None


def shape(node: ast.Node) -> Any:
    """A node without spans or types, for comparing trees."""
    if isinstance(node, ast.Literal):
        return ("lit", canonical(node.value))
    if isinstance(node, ast.Path):
        return ("path", node.segments)
    kids = tuple(shape(c) for c in node.children())
    extra = getattr(node, "op", None) or getattr(node, "name", None)
    return (type(node).__name__, extra, kids)


# -- the properties --------------------------------------------------------------------------


@given(tree=trees(depth=5))
def test_print_then_parse_gives_the_same_tree(tree: ast.Node) -> None:
    text = ast.unparse(tree)
    parsed = parse_expr(text)
    assert ast.unparse(parsed) == text
    assert shape(parsed) == shape(tree)
    assert ast.unparse(parse_expr(ast.unparse(parsed))) == text  # printing is stable


@given(tree=trees(), world=worlds(), missing=missing_paths())
def test_backends_agree(tree: ast.Node, world: World, missing: frozenset[str]) -> None:
    typed = checked(tree)
    facts, params, today = world.build(missing)
    note(f"facts: {facts!r}\nparams: {params!r}\ndecision date: {today}")
    by_interpreter = run_interpreter(typed, facts, params, today)
    by_compiled = run_compiled(compile_expr(typed), facts, params, today)
    assert by_compiled == by_interpreter
    event(_kind(by_interpreter))
    if isinstance(by_interpreter, Returned):
        value = interpret(typed, facts, params, today).value
        assert conforms(value, typed.type), f"{value!r} is not a {typed.type}"
        if type(value) is Unknown:
            assert value.paths, "an unknown result names the facts that would settle it"
            assert value.paths <= missing, "only missing facts are reported as unknown"


def _kind(outcome: Returned | Raised) -> str:
    if isinstance(outcome, Raised):
        return f"error {outcome.code}"
    return "unknown" if outcome.value[0] == "unknown" else "known"


def _error_was_unreachable(partial: Evaluation, typed: ast.Node, raised: Raised) -> bool:
    """Whether the node that raised was unknown or not evaluated at all with fewer facts."""
    nodes = [n for n in ast.walk(typed) if n.span == raised.span]
    assert nodes, f"error span {raised.span} is not the span of any node"
    return any(id(n) not in partial.values or type(partial.values[id(n)]) is Unknown for n in nodes)


@dataclass(frozen=True)
class Refinement:
    typed: ast.Node
    partial: Evaluation
    missing: frozenset[str]


def _partial(tree: ast.Node, world: World, missing: frozenset[str]) -> Refinement | None:
    typed = checked(tree)
    try:
        partial = interpret(typed, *world.build(missing))
    except EvalError:
        event("with facts missing: error")
        return None  # no claim: more facts can avoid an error by short-circuiting
    event("with facts missing: " + ("unknown" if type(partial.value) is Unknown else "known"))
    return Refinement(typed, partial, missing)


@given(
    tree=trees(allow_exists=False),
    world=worlds(min_grants=1),
    missing=missing_paths(),
    data=st.data(),
)
def test_known_result_stays_known_when_facts_are_filled_in(
    tree: ast.Node, world: World, missing: frozenset[str], data: st.DataObject
) -> None:
    ref = _partial(tree, world, missing)
    if ref is None or type(ref.partial.value) is Unknown:
        return
    filled = data.draw(subsets(sorted(missing)), label="filled")
    outcome = run_interpreter(ref.typed, *world.build(missing - filled))
    event(f"filled in {len(filled)} of {len(missing)}: {_kind(outcome)}")
    if isinstance(outcome, Raised):
        assert _error_was_unreachable(ref.partial, ref.typed, outcome)
        return
    assert outcome == Returned(canonical(ref.partial.value), ())


@given(
    tree=trees(allow_exists=False),
    world=worlds(min_grants=1),
    missing=missing_paths(),
    data=st.data(),
)
def test_missing_facts_not_reported_do_not_matter(
    tree: ast.Node, world: World, missing: frozenset[str], data: st.DataObject
) -> None:
    ref = _partial(tree, world, missing)
    if ref is None or type(ref.partial.value) is not Unknown:
        return
    reported = ref.partial.value.paths
    assert reported <= missing
    unreported = sorted(missing - reported)
    filled = data.draw(subsets(unreported), label="filled")
    outcome = run_interpreter(ref.typed, *world.build(missing - filled))
    event(f"filled in {len(filled)} of {len(missing)}: {_kind(outcome)}")
    if isinstance(outcome, Raised):
        assert _error_was_unreachable(ref.partial, ref.typed, outcome)
        return
    assert outcome == Returned(canonical(ref.partial.value), tuple(sorted(reported)))


def _without_span(outcome: Returned | Raised) -> Any:
    return (outcome.code, outcome.message) if isinstance(outcome, Raised) else outcome


def _kleene(op: str, a: Returned | Raised, b: Returned | Raised) -> Any:
    """`a op b` from the outcomes of a and b: short-circuit left to right, then Kleene."""
    decisive, other = ("bool", op == "or"), ("bool", op != "or")
    if isinstance(a, Raised) or a.value == decisive:
        return _without_span(a)
    if isinstance(b, Raised) or a.value == other:
        return _without_span(b)
    if b.value == decisive:
        return Returned(decisive, ())
    paths = tuple(sorted({*a.unknown, *b.unknown}))
    return Returned(("unknown", paths), paths)


@given(
    a=trees(B, depth=3),
    b=trees(B, depth=3),
    c=trees(B, depth=3),
    world=worlds(),
    missing=missing_paths(),
)
def test_connectives_follow_kleene_tables(
    a: ast.Node, b: ast.Node, c: ast.Node, world: World, missing: frozenset[str]
) -> None:
    inputs = world.build(missing)

    def run(tree: ast.Node) -> Returned | Raised:
        return run_interpreter(checked(tree), *inputs)

    va, vb = run(a), run(b)
    for op in ("and", "or"):
        assert _without_span(run(binary(op, a, b))) == _kleene(op, va, vb)
    negated = _without_span(run(unary("not", a)))
    if isinstance(va, Raised) or va.value[0] == "unknown":
        assert negated == _without_span(va)
    else:
        assert negated == Returned(("bool", not va.value[1]), ())
    vc, chosen = run(c), _without_span(run(if_(c, a, b)))
    if isinstance(vc, Raised):
        assert chosen == _without_span(vc)
    elif vc.value[0] == "unknown":
        assert chosen == vc, "an unknown condition carries only its own paths"
    else:
        assert chosen == _without_span(va if vc.value[1] else vb)
