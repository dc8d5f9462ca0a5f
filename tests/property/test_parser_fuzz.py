"""Parser fuzzing: whatever the text, `parse_expr` returns a tree or raises P diagnostics.

Never another exception (no Lark error, no RecursionError, no ValueError from a literal), and
every diagnostic points inside the text it complains about. Inputs: sentences of the grammar
itself (the strategy of `hypothesis.extra.lark.from_lark`, depth-bounded, with raw terminals and
with friendlier ones that make more of them valid), the conformance corpus's expressions as
seeds with random edits, deep nests, and arbitrary text. What does parse must print and parse
back to the same tree, type-check or fail with T diagnostics only, and when it type-checks
evaluate the same with both backends.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from hypothesis import event, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import LarkStrategy
from lark import Lark
from lark.grammar import NonTerminal

from clause.engine.diagnostics import DiagnosticError, format_diagnostic
from clause.engine.expr import ast
from clause.engine.expr.builtins import BUILTINS
from clause.engine.expr.check import check_expr
from clause.engine.expr.compile import compile_expr
from clause.engine.expr.interpret import interpret
from clause.engine.expr.syntax import parse_expr
from clause.engine.expr.types import NUMBER, TypeEnv
from clause.engine.expr.values import EvalError, Unknown
from clause.engine.facts import normalize_facts

GRAMMAR = Lark(
    resources.files("clause.engine.expr").joinpath("grammar.lark").read_text("utf-8"), parser="lalr"
)
CONFORMANCE = Path(__file__).resolve().parents[1] / "conformance" / "expr"

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "person": {
            "type": "object",
            "x-alias": "人员",
            "properties": {
                "age": {"type": "integer", "x-alias": "年龄"},
                "ok": {"type": "boolean", "x-alias": "合格"},
                "scope": {"type": "string", "enum": ["跨省", "县内"], "x-alias": "务工范围"},
                "since": {"type": "string", "format": "date", "x-alias": "日期"},
                "wages": {"type": "array", "items": {"type": "number"}, "x-alias": "工资"},
            },
        }
    },
}
ENV = TypeEnv.from_schema(SCHEMA, {"cap": NUMBER})
FACTS = normalize_facts(
    {"person": {"age": 30, "ok": True, "scope": "县内", "since": "2021-03-15", "wages": [1, 2.5]}},
    ENV.facts,
)
NAMES = ["person", "人员", "age", "年龄", "ok", "合格", "scope", "务工范围", "since", "日期",
         "wages", "工资", "decision_date", "决定日期", "param", "参数", "cap", *sorted(BUILTINS),
         "__import__", "__class__", "eval", "android", "order", "iffy"]  # fmt: skip


class _SeedLoader(yaml.SafeLoader):
    """Reads the corpus, leaving out values built by its own tags (such as `!repeat`)."""


_SeedLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _seeds() -> list[str]:
    out: list[str] = []
    for path in sorted(CONFORMANCE.glob("*.yaml")):
        doc = yaml.load(path.read_text("utf-8"), Loader=_SeedLoader) or {}
        out += [c["expr"] for c in doc.get("cases", []) if isinstance(c.get("expr"), str)]
    return out or ["person.age >= 16 and not person.ok", "if 人员.合格 then [1, 2] else []"]


SEEDS = _seeds()


def parse_or_p(text: str) -> ast.Node | None:
    """Parse; a failure must be P diagnostics placed inside the text. Anything else propagates."""
    note(f"text: {text!r}")
    try:
        node = parse_expr(text)
    except DiagnosticError as err:
        event("parse error " + " ".join(sorted({d.code for d in err.diagnostics})))
        lines = text.split("\n")
        assert err.diagnostics, "a DiagnosticError without diagnostics"
        for d in err.diagnostics:
            assert d.code.startswith("P"), format_diagnostic(d)
            assert 1 <= d.span.line <= len(lines), format_diagnostic(d)
            assert 1 <= d.span.col <= len(lines[d.span.line - 1]) + 1, format_diagnostic(d)
            format_diagnostic(d)  # renders with its caret
        return None
    event("parsed")
    return node


def _outcome(run: Any) -> Any:
    try:
        value = run()
    except EvalError as err:
        return ("error", err.code, err.message, err.span)
    value = getattr(value, "value", value)  # an Evaluation, or the compiled result
    if type(value) is Unknown:
        return ("unknown", tuple(sorted(value.paths)))
    return ("value", type(value).__name__, repr(value))


def follow_through(node: ast.Node) -> None:
    """What parses prints back to itself, and checks or fails with T codes only; what checks
    evaluates the same with both backends, on full facts and on no facts at all.

    Known limit: `ast.unparse` puts every operator in parentheses, so a tree the parser accepts
    (a chain `a and b and …` of 50 terms, or 49 nested unary minuses) can print deeper than the
    48 brackets `parse_expr` allows. Its printed form then fails with P102 (or P101 when the
    parentheses make it too long), never anything else.
    """
    text = ast.unparse(node)
    try:
        again = parse_expr(text)
    except DiagnosticError as err:
        assert {d.code for d in err.diagnostics} <= {"P101", "P102"}, err
        event("printed form over the parser's limits")
    else:
        assert ast.unparse(again) == text
    try:
        typed = check_expr(node, ENV)
    except DiagnosticError as err:
        assert all(d.code.startswith("T") for d in err.diagnostics), err
        event("type error")
        return
    event("type-checked")
    fn = compile_expr(typed)
    for facts, params, today in (
        (FACTS, {"cap": Decimal(500)}, date(2022, 3, 15)),
        ({}, {}, None),
    ):
        by_interpreter = _outcome(lambda: interpret(typed, facts, params, today))  # noqa: B023
        assert _outcome(lambda: fn(facts, params, today)) == by_interpreter  # noqa: B023


def _spaced(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([f" {word} ", f" {word} ", f" {word} ", word, f"{word} "])


FRIENDLY = {
    **{kw.upper(): _spaced(kw) for kw in ("if", "then", "else", "or", "and", "not", "in")},
    "TRUE": _spaced("true"),
    "FALSE": _spaced("false"),
    "NOT_IN": _spaced("not in"),
    "NAME": st.one_of(st.sampled_from(NAMES), st.from_regex(r"(?!\d)\w+", fullmatch=True)),
    "NUMBER": st.from_regex(r"[0-9]{1,33}(\.[0-9]{1,4})?", fullmatch=True),
    "DATE": st.one_of(
        st.dates().map(date.isoformat), st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True)
    ),
    "STRING": st.one_of(
        st.text(max_size=8).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
        st.from_regex(r"'([^'\\\n]|\\.){0,6}'", fullmatch=True),
    ),
}


#: Sentences of the grammar cost far more to draw than other inputs: a quarter of the examples.
GRAMMAR_RUNS = settings(max_examples=max(settings().max_examples // 4, 20))


class BoundedLark(LarkStrategy):
    """`from_lark`'s strategy with nesting bounded.

    Plain `from_lark(GRAMMAR)` nests without limit here (most alternatives of `primary` hold an
    `expr`), so nearly every draw overruns Hypothesis's buffer and 200 sentences take minutes.
    Here each rule prefers (`weight` to 1) the alternatives that do not recurse (`expr` ->
    `or_expr` -> ... -> `primary` -> a literal or a name), and past `max_depth` nested rules
    takes only those, so sentences end soon.
    """

    def __init__(
        self, explicit: dict[str, st.SearchStrategy[str]], max_depth: int = 30, weight: int = 3
    ) -> None:
        super().__init__(GRAMMAR, None, explicit, st.characters(codec="utf-8"))
        self.max_depth, self.depth = max_depth, 0
        self.open, self.closed = {}, {}
        for name, options in self.nonterminal_strategies.items():
            expansions = list(options.elements)  # sorted shortest first
            ending = [e for e in expansions if not {s.name for s in e} & {name, "expr"}]
            self.closed[name] = st.sampled_from(ending or expansions[:1])
            # distinct objects: one_of would merge equal branches and lose the weight
            self.open[name] = st.one_of(
                *(st.sampled_from(ending or expansions[:1]) for _ in range(weight)), options
            )

    def draw_symbol(self, data: Any, symbol: Any, draw_state: list[str]) -> None:
        if not isinstance(symbol, NonTerminal):
            super().draw_symbol(data, symbol, draw_state)
            return
        self.depth += 1
        try:
            deep = self.depth > self.max_depth
            self.nonterminal_strategies = self.closed if deep else self.open
            super().draw_symbol(data, symbol, draw_state)
        finally:
            self.depth -= 1


@GRAMMAR_RUNS
@given(text=BoundedLark({}))
def test_sentences_of_the_grammar_parse_or_fail_with_p_codes(text: str) -> None:
    parse_or_p(text)


@GRAMMAR_RUNS
@given(text=BoundedLark(FRIENDLY))
def test_friendlier_sentences_parse_print_check_and_evaluate(text: str) -> None:
    node = parse_or_p(text)
    if node is not None:
        follow_through(node)


@st.composite
def edited_seeds(draw: Any) -> str:
    """A conformance expression with a few random edits: cut, duplicate, insert, splice."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, len(text)))
        edit = draw(st.sampled_from(["cut", "duplicate", "insert", "splice"]))
        if edit == "cut":
            text = text[:i] + text[j:]
        elif edit == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif edit == "insert":
            text = text[:i] + draw(st.sampled_from(list("()[],.\"'-+*/<>=! \n\\0")) | st.text(
                max_size=2)) + text[i:]  # fmt: skip
        else:
            other = draw(st.sampled_from(SEEDS))
            text = text[:i] + other[draw(st.integers(0, len(other))) :]
    return text


@given(text=edited_seeds())
def test_edited_conformance_expressions_parse_or_fail_with_p_codes(text: str) -> None:
    node = parse_or_p(text)
    if node is not None:
        follow_through(node)


LANGUAGE_CHARS = [*"()[],.\"'\\-+*/<>=!_ \t\n0123456789-:", "and", "not", "in", "if", "人员"]


@given(text=st.text() | st.lists(st.sampled_from(LANGUAGE_CHARS), max_size=40).map("".join))
def test_arbitrary_text_parses_or_fails_with_p_codes(text: str) -> None:
    node = parse_or_p(text)
    if node is not None:
        follow_through(node)


@given(
    opener=st.sampled_from(["(", "[", "-", "not ", "abs(", "if true then 1 else ", "[1, "]),
    closer=st.sampled_from(["", ")", "]"]),
    depth=st.integers(1, 200_000),
)
def test_deep_nests_fail_fast_with_p_codes(opener: str, closer: str, depth: int) -> None:
    node = parse_or_p(opener * depth + "1" + closer * depth)
    if node is not None:
        follow_through(node)
