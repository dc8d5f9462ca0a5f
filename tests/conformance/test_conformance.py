"""The expression-language conformance corpus: every case in expr/*.yaml, on both backends.

The file format is described in README.md beside this file. Each case is parsed, type-checked
and evaluated exactly as `clause` does it, then compared with the expected value (and the exact
set of unknown facts that mattered) or the expected error code, line and column. Expected
values are read by a small literal reader of our own, not by the engine, so the engine is never
its own oracle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.expr import ast
from clause.engine.expr.builtins import BUILTINS
from clause.engine.expr.check import check_expr
from clause.engine.expr.syntax import expr_origin, parse_expr
from clause.engine.expr.types import BOOL, DATE, NUMBER, STRING, EnumType, ListType, TypeEnv
from clause.engine.expr.values import EvalError, Unknown, show_value
from clause.engine.facts import normalize_facts, to_date, to_decimal

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "expr"
ENGINE_EXPR = HERE.parents[1] / "engine" / "expr"

FILE_KEYS = {"schema", "params", "rules", "facts", "date", "cases"}
CASE_KEYS = {"expr", "facts", "params", "date", "expect", "want", "unknown", "shown",
             "want_error", "note"}  # fmt: skip
ERROR_KEYS = {"code", "line", "col", "message", "help"}
STAGES = {"P": "parse", "T": "check", "E": "evaluate"}


# -- reading the corpus ------------------------------------------------------------------------


class CorpusError(ValueError):
    """A malformed corpus file: names the file and the case."""


class _CorpusLoader(yaml.SafeLoader):
    """Safe YAML plus two tags for values YAML cannot write plainly:

    `!decimal 9E+999999` is an exact decimal (facts only);
    `!repeat [text, times]` is `text` repeated, for expressions too long to write out.
    """


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    return Decimal(str(loader.construct_scalar(node)))  # type: ignore[arg-type]


def _construct_repeat(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    text, times = loader.construct_sequence(node)  # type: ignore[arg-type]
    return str(text) * int(times)


_CorpusLoader.add_constructor("!decimal", _construct_decimal)
_CorpusLoader.add_constructor("!repeat", _construct_repeat)

_SCALAR_TYPES = {"bool": BOOL, "number": NUMBER, "string": STRING, "date": DATE}


def type_named(name: str) -> Any:
    """`bool`, `number`, `string`, `date` or `list[<type>]`."""
    if name in _SCALAR_TYPES:
        return _SCALAR_TYPES[name]
    m = re.fullmatch(r"list\[(.+)\]", name)
    if m:
        return ListType(type_named(m.group(1)))
    raise CorpusError(f"unknown type name {name!r}")


def value_of_type(raw: Any, t: Any) -> Any:
    """A parameter value from YAML, converted as the engine expects it for type `t`."""
    if isinstance(t, ListType):
        return tuple(value_of_type(v, t.item) for v in raw)
    converted: Any = None
    if t == BOOL and isinstance(raw, bool):
        converted = raw
    elif t == NUMBER:
        converted = to_decimal(raw)
    elif t == DATE:
        converted = to_date(raw)
    elif t == STRING and isinstance(raw, str):
        converted = raw
    if converted is None:
        raise CorpusError(f"{raw!r} is not a {t}")
    return converted


# -- expected values: a literal reader independent of the engine -------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<date>\d{4}-\d{2}-\d{2})
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<word>true|false)
    | (?P<punct>[\[\],])
    )\s*""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}


def parse_literal(text: str) -> Any:
    """A value written in the language's literal syntax: 12, -0.5, "文本", true, 2021-03-15, [1, 2].

    >>> parse_literal('["a", -1.50, [true], 2021-02-28]')
    ('a', Decimal('-1.50'), (True,), datetime.date(2021, 2, 28))
    """
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise CorpusError(f"cannot read {text!r} as a literal (at {pos})")
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    value, end = _literal(tokens, 0, text)
    if end != len(tokens):
        raise CorpusError(f"cannot read {text!r} as a literal: trailing text")
    return value


def _literal(tokens: list[tuple[str, str]], i: int, text: str) -> tuple[Any, int]:
    if i >= len(tokens):
        raise CorpusError(f"cannot read {text!r} as a literal: ends early")
    kind, tok = tokens[i]
    if kind == "number":
        return Decimal(tok), i + 1
    if kind == "date":
        return date.fromisoformat(tok), i + 1
    if kind == "word":
        return tok == "true", i + 1
    if kind == "string":
        body = re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], tok[1:-1])
        return body, i + 1
    if tok == "[":
        items: list[Any] = []
        i += 1
        if i < len(tokens) and tokens[i][1] == "]":
            return (), i + 1
        while True:
            item, i = _literal(tokens, i, text)
            items.append(item)
            if i >= len(tokens) or tokens[i][1] not in ",]":
                raise CorpusError(f"cannot read {text!r} as a literal: expected , or ]")
            i += 1
            if tokens[i - 1][1] == "]":
                return tuple(items), i
    raise CorpusError(f"cannot read {text!r} as a literal: unexpected {tok!r}")


def expected_value(raw: Any) -> Any:
    """`want:` as written: a YAML bool, integer, float or date, or text in literal syntax."""
    if isinstance(raw, bool | Decimal):
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        return parse_literal(raw)
    raise CorpusError(f"cannot use {raw!r} as an expected value")


def tagged(value: Any) -> Any:
    """A comparable form that keeps types apart (in Python, True == Decimal(1))."""
    if type(value) is Unknown:
        return ("unknown", tuple(sorted(value.paths)))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, Decimal):
        return ("number", value)
    if isinstance(value, date):
        return ("date", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, tuple):
        return ("list", tuple(tagged(v) for v in value))
    return ("not a language value", type(value).__name__, repr(value))


def fits(value: Any, t: Any) -> bool:
    """Whether a runtime value belongs to the static type the checker gave its expression."""
    if type(value) is Unknown:
        return True
    if isinstance(t, ListType):
        return isinstance(value, tuple) and (
            not value if t.item is None else all(fits(v, t.item) for v in value)
        )
    if isinstance(t, EnumType):
        return isinstance(value, str) and value in t.values
    if t == BOOL:
        return isinstance(value, bool)
    if t == NUMBER:
        return isinstance(value, Decimal)
    if t == DATE:
        return isinstance(value, date)
    if t == STRING:
        return isinstance(value, str)
    return False


# -- cases ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WantError:
    code: str
    line: int
    col: int
    message: str = ""
    help: str = ""


@dataclass(frozen=True)
class Case:
    file: str
    index: int
    expr: str
    env: TypeEnv = field(repr=False)
    facts: Mapping[str, Any] = field(repr=False)
    params: Mapping[str, Any] = field(repr=False)
    today: date | None = None
    expect: Any = None
    want: Any = None
    unknown: tuple[str, ...] = ()
    shown: str | None = None
    error: WantError | None = None

    @property
    def id(self) -> str:
        text = " ".join(self.expr.replace("\n", " \\n ").split())
        text = text if len(text) <= 60 else text[:57] + "..."
        return f"{self.file}::{self.index}::{text}"


def load_file(path: Path) -> list[Case]:
    name = path.name
    try:
        doc = yaml.load(path.read_text("utf-8"), Loader=_CorpusLoader)
    except yaml.YAMLError as err:
        raise CorpusError(f"{name}: not valid YAML: {err}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise CorpusError(f"{name}: expected a mapping with a `cases:` list")
    _no_stray_keys(doc, FILE_KEYS, name)
    declared = {pid: type_named(spec["type"]) for pid, spec in (doc.get("params") or {}).items()}
    env = TypeEnv.from_schema(doc.get("schema") or {"type": "object"}, declared)
    rules = doc.get("rules") or {}  # rules whose outcome() the cases read: {id: {kind, outcome}}
    env = replace(env, rules={rid: spec["kind"] for rid, spec in rules.items()})
    defaults = {
        pid: value_of_type(spec["value"], declared[pid])
        for pid, spec in (doc.get("params") or {}).items()
        if spec.get("value") is not None
    }
    # the decision core hands outcomes to expressions beside the parameters (engine.expr.runtime)
    defaults.update(
        {f"outcome:{rid}": spec["outcome"] for rid, spec in rules.items() if spec.get("outcome")}
    )
    cases = []
    for index, raw in enumerate(doc["cases"]):
        where = f"{name}::{index}"
        try:
            cases.append(_load_case(raw, index, name, env, doc, declared, defaults))
        except (CorpusError, KeyError, TypeError, ValueError) as err:
            raise CorpusError(f"{where}: {err}") from None
    return cases


def _no_stray_keys(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    stray = sorted(set(raw) - allowed)
    if stray:
        raise CorpusError(f"{where}: unknown keys {stray}; allowed: {sorted(allowed)}")


def _load_case(
    raw: Mapping[str, Any],
    index: int,
    name: str,
    env: TypeEnv,
    doc: Mapping[str, Any],
    declared: Mapping[str, Any],
    defaults: Mapping[str, Any],
) -> Case:
    _no_stray_keys(raw, CASE_KEYS, "case")
    expr = raw["expr"]
    if isinstance(expr, list):  # pieces joined, so that !repeat can build long text
        expr = "".join(str(piece) for piece in expr)
    if not isinstance(expr, str):
        raise CorpusError(f"expr must be text, not {expr!r}: quote it")
    if ("want" in raw) == ("want_error" in raw):
        raise CorpusError("give exactly one of `want` and `want_error`")

    params = dict(defaults)
    for pid, value in (raw.get("params") or {}).items():
        if pid not in declared:
            raise CorpusError(f"parameter {pid!r} is not declared at the top of the file")
        if value is None:
            params.pop(pid, None)
        else:
            params[pid] = value_of_type(value, declared[pid])

    today = raw["date"] if "date" in raw else doc.get("date")
    if today is not None and (not isinstance(today, date) or isinstance(today, datetime)):
        raise CorpusError(f"date must be an unquoted YYYY-MM-DD or null, not {today!r}")
    case = Case(
        file=name,
        index=index,
        expr=expr,
        env=env,
        facts=raw["facts"] if "facts" in raw else (doc.get("facts") or {}),
        params=params,
        today=today,
        expect=type_named(raw["expect"]) if "expect" in raw else None,
    )
    if "want_error" in raw:
        spec = raw["want_error"]
        _no_stray_keys(spec, ERROR_KEYS, "want_error")
        if "unknown" in raw or "shown" in raw:
            raise CorpusError("`unknown` and `shown` go with `want`, not `want_error`")
        return replace(case, error=WantError(**spec))
    unknown = tuple(sorted(raw.get("unknown") or ()))
    if raw["want"] == "unknown":
        if not unknown:
            raise CorpusError("`want: unknown` needs `unknown: [paths that mattered]`")
        want: Any = Unknown(frozenset(unknown))
    else:
        if unknown:
            raise CorpusError("`unknown:` is only for `want: unknown`")
        want = expected_value(raw["want"])
    return replace(case, want=want, unknown=unknown, shown=raw.get("shown"))


def load_corpus() -> list[Case]:
    files = sorted(CORPUS.glob("*.yaml"))
    return [case for path in files for case in load_file(path)]


CASES = load_corpus()


# -- running a case -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    stage: str
    code: str
    line: int
    col: int
    message: str
    help: str = ""


@dataclass(frozen=True)
class Outcome:
    value: Any = None
    unknown: tuple[str, ...] = ()
    error: Failure | None = None
    type: Any = None


def _failure(stage: str, d: Diagnostic) -> Outcome:
    return Outcome(error=Failure(stage, d.code, d.span.line, d.span.col, d.message, d.help))


def run_case(case: Case, backend: Callable[..., Any]) -> Outcome:
    """Parse, check and evaluate one case as `clause` does; errors become a Failure."""
    origin = expr_origin(case.expr)
    try:
        node = parse_expr(case.expr, origin)
    except DiagnosticError as err:
        return _failure("parse", err.diagnostics[0])
    try:
        typed = check_expr(node, case.env, origin, case.expect)
    except DiagnosticError as err:
        return _failure("check", err.diagnostics[0])
    facts = normalize_facts(dict(case.facts), case.env.facts)
    try:
        value, unknown = backend(typed, facts, case.params, case.today, case.env.facts)
    except EvalError as err:
        assert err.span is not None, f"{err.code} carries no span"
        return Outcome(
            error=Failure("evaluate", err.code, err.span.line, err.span.col, err.message)
        )
    return Outcome(value, tuple(unknown), None, typed.type)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, backend: Callable[..., Any]) -> None:
    got = run_case(case, backend)
    if case.error is not None:
        want = case.error
        assert got.error is not None, f"expected {want.code}, got {show_value(got.value)}"
        e = got.error
        assert (e.code, e.line, e.col) == (want.code, want.line, want.col), e.message
        assert e.stage == STAGES[want.code[0]]
        assert want.message in e.message
        assert want.help in e.help
        return
    if got.error is not None:
        e = got.error
        pytest.fail(f"unexpected {e.code} at {e.line}:{e.col}: {e.message}")
    assert tagged(got.value) == tagged(case.want), show_value(got.value)
    assert got.unknown == case.unknown
    assert fits(got.value, got.type), f"{show_value(got.value)} is not a {got.type}"
    # the columnar path carries numbers at a fixed scale: the same value, not the written digits
    # (it never shows values; amounts leave it rounded to cents like every backend's)
    if case.shown is not None and getattr(backend, "shows_digits", True):
        assert show_value(got.value) == case.shown


# -- the corpus itself covers the whole language --------------------------------------------------


def _nodes(case: Case) -> Iterator[ast.Node]:
    try:
        yield from ast.walk(parse_expr(case.expr))
    except DiagnosticError:
        return


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 150


def test_every_error_code_of_the_language_has_a_case() -> None:
    """Every P, T and E code the engine can emit appears as a `want_error` somewhere."""
    emitted = {
        code
        for path in ENGINE_EXPR.glob("*.py")
        for code in re.findall(r"\"([PTE]\d{3})\"", path.read_text("utf-8"))
    }
    covered = {c.error.code for c in CASES if c.error is not None}
    assert emitted, "found no error codes in the engine source"
    assert emitted - covered == set()


def test_every_function_and_operator_has_a_case() -> None:
    seen: set[str] = set()
    for case in CASES:
        for node in _nodes(case):
            if isinstance(node, ast.Call):
                seen.add(node.name + "()")
            elif isinstance(node, ast.Binary | ast.Unary):
                seen.add(("unary " if isinstance(node, ast.Unary) else "") + node.op)
            elif isinstance(node, ast.If):
                seen.add("if")
            elif isinstance(node, ast.ListLit):
                seen.add("[]")
    operators = {*ast.ARITH_OPS, *ast.COMPARE_OPS, *ast.MEMBER_OPS, *ast.LOGIC_OPS}
    wanted = {f"{name}()" for name in BUILTINS} | operators | {"unary not", "unary -", "if", "[]"}
    assert wanted - seen == set()


def test_kleene_truth_tables_are_complete() -> None:
    """and/or over true, false, unknown (9 rows each) and not over the three, on their own."""
    exprs = {" ".join(c.expr.split()) for c in CASES if c.file == "logic.yaml"}
    values = ["true", "false", "k.u"]
    for op in ("and", "or"):
        for a in values:
            for b in values:
                b = "k.v" if a == b == "k.u" else b
                assert f"{a} {op} {b}" in exprs
    for a in values:
        assert f"not {a}" in exprs
