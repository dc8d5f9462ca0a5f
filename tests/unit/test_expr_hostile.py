"""Hostile expressions: each ends in a clean diagnostic or evaluation error, fast, and nothing an
officer writes ever reaches Python as code.

An expression comes from a YAML file or the command line, so it may be huge, deeply nested, or an
attempt to escape into Python. Every case here must end in `DiagnosticError` (P or T code) or
`EvalError` (E code): never a RecursionError, a MemoryError, a Python exception of another kind,
or a hang; and each must take well under a second.
"""

from __future__ import annotations

import ast as pyast
import re
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from clause.engine.diagnostics import DiagnosticError
from clause.engine.expr.check import check_expr
from clause.engine.expr.compile import compile_expr
from clause.engine.expr.interpret import interpret
from clause.engine.expr.syntax import (
    MAX_DEPTH,
    MAX_IF_DEPTH,
    MAX_LENGTH,
    MAX_STRING_LENGTH,
    MAX_TREE_DEPTH,
    parse_expr,
)
from clause.engine.expr.types import TypeEnv
from clause.engine.expr.values import EvalError, Unknown

SECONDS = 5.0  # a hang guard, not a speed claim: far above the ~0.1 s these take on a quiet machine

SCHEMA = {
    "type": "object",
    "properties": {
        "person": {
            "type": "object",
            "properties": {
                "age": {"type": "integer"},
                "name": {"type": "string"},
                "ok": {"type": "boolean"},
                "huge": {"type": "number"},
            },
        },
        "x": {"type": "object", "properties": {"a": {"type": "number"}}},
    },
}
ENV = TypeEnv.from_schema(SCHEMA)
FACTS = {"person": {"age": Decimal(30), "name": "张三", "ok": True, "huge": Decimal("9E+999999")}}


@pytest.fixture(scope="module", autouse=True)
def _warm_parser() -> None:
    """Build the Lark parser once, so the timings below measure the input, not the grammar."""
    parse_expr("1")


def run_both(text: str, facts: dict[str, Any] | None = None) -> tuple[Any, Any]:
    """Parse, check and evaluate with both backends; returns (interpreted, compiled) values."""
    typed = check_expr(parse_expr(text), ENV)
    facts = FACTS if facts is None else facts
    interpreted = interpret(typed, facts, {}, None).value
    compiled = compile_expr(typed)(facts, {}, None)
    return interpreted, compiled


def outcome(text: str) -> tuple[str, int, int]:
    """(code, line, col) of the error `text` ends in; fails if it ends any other way or slowly."""
    start = time.perf_counter()
    try:
        value = run_both(text)
    except DiagnosticError as err:
        d = err.diagnostics[0]
        result = (d.code, d.span.line, d.span.col)
    except EvalError as err:
        assert err.span is not None
        result = (err.code, err.span.line, err.span.col)
    else:
        pytest.fail(f"expected an error, got {value!r}")
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS, f"took {elapsed:.2f}s"
    return result


# -- size and nesting ------------------------------------------------------------------------------

HUGE = [
    ("parentheses nested 100,000 deep", "(" * 100_000 + "1" + ")" * 100_000, ("P101", 1, 1)),
    ("not repeated 100,000 times", "not " * 100_000 + "true", ("P101", 1, 1)),
    ("minus repeated 100,000 times", "-" * 100_000 + "1", ("P101", 1, 1)),
    ("a 1 MB expression", "1 + " * 262_144 + "1", ("P101", 1, 1)),
    ("a 1 MB string literal", '"' + "a" * 1_048_576 + '"', ("P101", 1, 1)),
    ("a 1 MB single line of blanks", " " * 1_048_576, ("P101", 1, 1)),
    ("a 1,000-digit number", "9" * 1_000, ("P005", 1, 1)),
    ("a 1,000-digit fraction", "0." + "3" * 1_000, ("P005", 1, 1)),
    ("a number past the 30-digit limit", "1" * 31, ("P005", 1, 1)),
    ("a very long string literal", '"' + "长" * 5_000 + '"', ("P007", 1, 1)),
    ("a long string inside an expression", 'person.name == "' + "x" * 9_000 + '"', ("P007", 1, 16)),
]

# Within the length limit but past the depth limit: the depth check must catch these without
# recursing, whatever construct does the nesting.
DEEP = [
    ("parentheses", "(" * 4_999 + "1" + ")" * 4_999, ("P102", 1, MAX_DEPTH + 1)),
    ("list brackets", "[" * 5_000 + "]" * 5_000, ("P102", 1, MAX_DEPTH + 1)),
    ("not without parentheses", "not " * 2_499 + "true", ("P102", 1, 4 * MAX_TREE_DEPTH + 1)),
    ("unary minus", "-" * 9_999 + "1", ("P102", 1, MAX_TREE_DEPTH + 1)),
    ("if in the then branch", "if true then " * 450 + "1" + " else 1" * 450, None),
    ("if in the else branch", "if false then 1 else " * 450 + "1", None),
    ("a chain of and", "true" + " and true" * 1_100, None),
    ("a chain of +", "1" + " + 1" * 2_400, None),
    ("calls inside calls", "abs(" * 1_999 + "1" + ")" * 1_999, ("P102", 1, 4 * (MAX_DEPTH + 1))),
]


@pytest.mark.parametrize(
    ("text", "want"), [(t, w) for _, t, w in HUGE], ids=[n for n, _, _ in HUGE]
)
def test_huge_input_is_refused_at_once(text: str, want: tuple[str, int, int]) -> None:
    assert outcome(text) == want


@pytest.mark.parametrize(
    ("text", "want"), [(t, w) for _, t, w in DEEP], ids=[n for n, _, _ in DEEP]
)
def test_deep_nesting_is_refused_without_recursion(text: str, want: Any) -> None:
    assert len(text) <= MAX_LENGTH
    code, line, col = outcome(text)
    assert code == "P102"
    if want is not None:
        assert (code, line, col) == want


def test_limits_are_documented_numbers() -> None:
    """docs/expressions.md promises these limits; changing one means changing the docs."""
    limits = (MAX_LENGTH, MAX_DEPTH, MAX_IF_DEPTH, MAX_TREE_DEPTH, MAX_STRING_LENGTH)
    assert limits == (10_000, 48, 32, 150, 2_000)


def test_just_inside_the_limits_is_accepted() -> None:
    text = "(" * MAX_DEPTH + '"' + "a" * MAX_STRING_LENGTH + '"' + ")" * MAX_DEPTH
    assert run_both(text) == ("a" * MAX_STRING_LENGTH,) * 2
    assert run_both("1" + " " * (MAX_LENGTH - 1)) == (Decimal(1), Decimal(1))


# The deepest expressions the parser accepts, nested through every construct that makes the
# compiled backend indent (Python refuses source indented more than 100 levels).
DEEPEST = {
    "if in then": lambda n: "if true then " * n + "1" + " else 1" * n,
    "if in else": lambda n: "if false then 1 else " * n + "1",
    "and on the right": lambda n: "true and (" * n + "true" + ")" * n,
    "or on the right": lambda n: "false or (" * n + "true" + ")" * n,
    "or and and": lambda n: "(false or (true and " * n + "true" + "))" * n,
    "if inside or": lambda n: "false or (if true then " * n + "true" + " else false)" * n,
    "division in then": lambda n: "if true then 1 / (" * n + "1" + ") else 1" * n,
}


@pytest.mark.parametrize("build", DEEPEST.values(), ids=list(DEEPEST))
def test_deepest_accepted_expressions_compile_and_agree(build: Callable[[int], str]) -> None:
    n = 1
    while True:
        try:
            parse_expr(build(n + 1))
        except DiagnosticError as err:
            assert err.diagnostics[0].code == "P102"
            break
        n += 1
    start = time.perf_counter()
    interpreted, compiled = run_both(build(n))
    assert interpreted == compiled
    assert time.perf_counter() - start < SECONDS


def test_wide_expressions_evaluate_quickly() -> None:
    """The widest inputs the length limit allows: thousands of list items or call arguments."""
    for text, want in [
        ("[" + ",".join(["1"] * 4_999) + "]", (Decimal(1),) * 4_999),
        ("min(" + ",".join(["7"] * 4_997) + ")", Decimal(7)),
        ("count([" + ",".join(["person.age"] * 900) + "])", Decimal(900)),
        ("any([" + ",".join(["person.ok"] * 999) + "])", True),
    ]:
        assert len(text) <= MAX_LENGTH
        start = time.perf_counter()
        assert run_both(text) == (want, want)
        assert time.perf_counter() - start < SECONDS


# -- attempts to reach Python --------------------------------------------------------------------

ESCAPES = [
    ("__import__", "__import__('os')", ("T208", 1, 1)),
    ("__import__ then a method", "__import__('os').system('ls')", ("P002", 1, 17)),
    ("class of a tuple", "().__class__", ("P002", 1, 2)),
    ("subclasses walk", "().__class__.__bases__[0].__subclasses__()", ("P002", 1, 2)),
    ("class of a fact", "person.__class__", ("T201", 1, 1)),
    ("dict of a fact", "x.__dict__", ("T201", 1, 1)),
    ("class of a value", "person.age.__class__", ("T201", 1, 1)),
    ("globals", "__globals__", ("T201", 1, 1)),
    ("builtins", "__builtins__.open('/etc/passwd')", ("P002", 1, 18)),
    ("builtins as a name", "__builtins__", ("T201", 1, 1)),
    ("exec", 'exec("1")', ("T208", 1, 1)),
    ("eval as a name", "eval", ("T201", 1, 1)),
    ("eval as a call", 'eval("1 + 1")', ("T208", 1, 1)),
    ("open", "open('/etc/passwd')", ("T208", 1, 1)),
    ("getattr", "getattr(person, 'age')", ("T208", 1, 1)),
    ("lambda", "lambda: 1", ("P001", 1, 7)),
    ("lambda with a parameter", "lambda x: x", ("P002", 1, 8)),
    ("a Python conditional", "1 if true else 2", ("P002", 1, 3)),
    ("statement injection with ;", "1; import os", ("P001", 1, 2)),
    ("newline injection", "1\nimport os", ("P002", 2, 1)),
    ("newline injection after a call", "abs(1)\n__import__('os')", ("P002", 2, 1)),
    ("f-string", "f\"{__import__('os')}\"", ("P002", 1, 2)),
    ("a percent format", "'%s' % person.name", ("P001", 1, 6)),
    ("indexing", "person['age']", ("P002", 1, 7)),
    ("a dict display", "{'a': 1}", ("P001", 1, 1)),
    ("backticks", "`ls`", ("P001", 1, 1)),
    ("a NUL byte", "1 +\x00 1", ("P001", 1, 4)),
    ("a right-to-left override", "person.age\u202e > 1", ("P001", 1, 11)),
    ("a zero-width space in a name", "person.\u200bage", ("P001", 1, 8)),
    ("a comment", "1 # __import__('os')", ("P001", 1, 3)),
    ("walrus", "(x := 1)", ("P001", 1, 4)),
]


@pytest.mark.parametrize(
    ("text", "want"), [(t, w) for _, t, w in ESCAPES], ids=[n for n, _, _ in ESCAPES]
)
def test_no_way_into_python(text: str, want: tuple[str, int, int]) -> None:
    assert outcome(text) == want


# -- runtime failures ----------------------------------------------------------------------------

RUNTIME = [
    ("overflow", "person.huge * person.huge", ("E302", 1, 1)),
    ("overflow in sum", "sum([person.huge, person.huge])", ("E302", 1, 1)),
    ("round to a huge number of places", "round(1, 1000000)", ("E304", 1, 1)),
    ("a date past 9999", "add_months(9999-12-31, 1)", ("E306", 1, 1)),
    ("a count past the limit", "add_days(2021-01-01, 100000000000)", ("E304", 1, 1)),
    ("a date from huge parts", "date(person.huge, 1, 1)", ("E304", 1, 1)),
    ("division by zero", "person.age / (person.age - 30)", ("E301", 1, 1)),
]


@pytest.mark.parametrize(
    ("text", "want"), [(t, w) for _, t, w in RUNTIME], ids=[n for n, _, _ in RUNTIME]
)
def test_runtime_failures_are_clean(text: str, want: tuple[str, int, int]) -> None:
    assert outcome(text) == want


# -- the compiled backend never contains user text ------------------------------------------------

HELPERS = {"_U", "_merge", "_EvalError", "_DecErr", "_arith_error", "_lookup", "_minus", "_outcome"}
ALLOWED_NAMES = re.compile(r"(t\d+|_c\d+|facts|params|decision_date|exc|err|tuple)")
ALLOWED_ATTRIBUTES = {"get", "__class__", "code", "message", "reason", "span"}

INJECTIONS = [
    "\"__import__('os').system('rm -rf /')\" == person.name",
    "person.name == '\"); import os; (\"'",
    "person.name == \"\\n    return __import__('os')\\n\"",
    "person.name in ['{0.__class__}', '%(x)s', '${x}']",
    'if person.ok then "__builtins__" else \'exec("1")\'',
    "person.age * 987654321 + 0.123456789 > 424242",
    "add_days(1999-12-31, 12345) == 2033-10-18",
]


def user_text(text: str) -> list[str]:
    """What an officer wrote that must stay data: string bodies, numbers, dunder names."""
    strings = re.findall(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'', text)
    bodies = [a or b for a, b in strings]
    numbers = re.findall(r"\d{3,}(?:\.\d+)?", text)
    dunders = [d for d in re.findall(r"__\w+__", text) if d not in ALLOWED_ATTRIBUTES]
    return [m for m in [*bodies, *numbers, *dunders] if len(m) >= 3]


@pytest.mark.parametrize("text", INJECTIONS)
def test_compiled_source_holds_no_user_text(text: str) -> None:
    typed = check_expr(parse_expr(text), ENV)
    fn = compile_expr(typed)
    source: str = fn.__clause_source__
    for marker in user_text(text):
        assert marker not in source, f"{marker!r} reached the generated source"
    tree = pyast.parse(source)
    for node in pyast.walk(tree):
        if isinstance(node, pyast.Name):
            assert node.id in HELPERS or ALLOWED_NAMES.fullmatch(node.id), node.id
        elif isinstance(node, pyast.Attribute):
            assert node.attr in ALLOWED_ATTRIBUTES, node.attr
        elif isinstance(node, pyast.Constant):
            assert node.value in (None, True, False), f"a literal {node.value!r} in the source"
        elif isinstance(node, pyast.arg):
            assert node.arg in HELPERS or ALLOWED_NAMES.fullmatch(node.arg), node.arg
    assert fn(FACTS, {}, None) == interpret(typed, FACTS, {}, None).value


def test_field_names_that_look_like_python_stay_data() -> None:
    """A facts schema may name a field `__class__` or `__import__`: it is a key, not code."""
    schema = {
        "type": "object",
        "properties": {
            "__import__": {
                "type": "object",
                "properties": {"__class__": {"type": "string"}, "os": {"type": "boolean"}},
            }
        },
    }
    env = TypeEnv.from_schema(schema)
    typed = check_expr(parse_expr('__import__.__class__ == "x" or __import__.os'), env)
    fn = compile_expr(typed)
    assert "__import__" not in fn.__clause_source__
    assert "__class__ ==" not in fn.__clause_source__
    facts = {"__import__": {"__class__": "x"}}
    assert fn(facts, {}, None) is True
    assert interpret(typed, facts, {}, None).value is True
    missing = fn({"__import__": {"__class__": "y"}}, {}, None)
    assert missing == Unknown(frozenset({"__import__.os"}))
