"""Parse expression text into the syntax tree; Lark errors become P diagnostics.

Text in, `Node` out (or DiagnosticError). Spans are placed in the file the expression came from
through an `Origin`, so an error inside a YAML value points at the right line and column.
Limits on length and nesting are checked before and after parsing, so hostile input fails fast
with a diagnostic rather than a RecursionError.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.expr import ast
from clause.engine.messages import Both, Text, msg, render
from clause.engine.source import Span, offset_to_line_col

#: A parse tree as Lark builds it from the grammar: inner nodes and tokens.
LarkTree = Tree[Token]

MAX_LENGTH = 10_000  # characters in one expression
MAX_DEPTH = 48  # nested brackets ( [
MAX_IF_DEPTH = 32  # if-then-else inside the branch of another
MAX_TREE_DEPTH = (
    150  # nodes on any root-to-leaf path (a flat chain `a and b and …` is one per term)
)
# Together these keep the generated code under Python's 100 indentation levels and every
# recursive pass (checker, interpreter, code generator) far from the recursion limit.
MAX_NUMBER_DIGITS = 30
MAX_STRING_LENGTH = 2_000


@dataclass(frozen=True)
class Origin:
    """Where an expression's text sits: its file and how to place a position of the expression
    there. With no `starts` or `locate`, the expression is its own file (e.g. `<expr>`).

    `starts` gives, per expression line, the (line, col) it starts at; `locate` maps a span
    measured inside the expression text to the file (exact for any YAML string style).
    """

    file: str = "<expr>"
    starts: tuple[tuple[int, int], ...] | None = None
    file_lines: tuple[str, ...] | None = None
    locate: Callable[[Span], Span] | None = None

    def place(self, line: int, col: int) -> tuple[int, int]:
        if not self.starts:
            return line, col
        k = min(line, len(self.starts)) - 1
        base_line, base_col = self.starts[k]
        return base_line, base_col + col - 1

    def span(self, line: int, col: int, end_line: int, end_col: int) -> Span:
        if self.locate is not None:
            return self.locate(Span(self.file, line, col, end_line, end_col))
        start = self.place(line, col)
        end = self.place(end_line, end_col)
        return Span(self.file, start[0], start[1], end[0], end[1])

    def line_text(self, line: int) -> str | None:
        if self.file_lines is None or not 1 <= line <= len(self.file_lines):
            return None
        return self.file_lines[line - 1]

    def diagnostic(
        self, code: str, message: Text, span: Span, label: Text = "", help: Text = ""
    ) -> Diagnostic:
        source = self.line_text(span.line)
        return Diagnostic.make(code, message, span, label=label, help=help, source_line=source)

    def finding(self, key: str, span: Span, /, **args: Any) -> Diagnostic:
        """The catalog finding `key` (engine.messages) at `span`, with its source line."""
        return Diagnostic.of(key, span, source_line=self.line_text(span.line), **args)


def expr_origin(text: str, file: str = "<expr>") -> Origin:
    """An origin for an expression that is a whole source of its own."""
    return Origin(file, None, tuple(text.split("\n")))


@cache
def _parser() -> Lark:
    grammar = resources.files("clause.engine.expr").joinpath("grammar.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


_HINTS = {
    "=": "hint.p.eq",
    "&": "hint.p.and",
    "|": "hint.p.or",
    "!": "hint.p.not",
    "（": "hint.p.paren",
    "）": "hint.p.paren",
    "“": "hint.p.dquote",
    "”": "hint.p.dquote",
    "‘": "hint.p.squote",
    "’": "hint.p.squote",
    "≥": "hint.p.ge",
    "≤": "hint.p.le",
    "，": "hint.p.comma",
    "%": "hint.p.percent",
}

_TOKEN_NAMES: dict[str, Text] = {
    "RPAR": "`)`",
    "LPAR": "`(`",
    "RSQB": "`]`",
    "LSQB": "`[`",
    "COMMA": "`,`",
    "NAME": Both("a name", "名称"),
    "NUMBER": Both("a number", "数字"),
    "STRING": Both("a string", "字符串"),
    "DATE": Both("a date", "日期"),
    "COMP_OP": Both("a comparison", "比较运算符"),
    "ADD_OP": "`+` or `-`",
    "MUL_OP": "`*` or `/`",
    "THEN": "`then`",
    "ELSE": "`else`",
    "$END": msg("expected.end"),
}

#: A number written with an exponent (`1e3`), which the grammar does not accept.
_EXPONENT = re.compile(r"[0-9]+(?:\.[0-9]+)?[eE][-+]?[0-9]+")


def parse_expr(text: str, origin: Origin | None = None) -> ast.Node:
    """Parse `text`; raises DiagnosticError carrying P diagnostics.

    >>> ast.unparse(parse_expr("a.b >= 18 and not c"))
    '((a.b >= 18) and (not c))'
    """
    origin = origin or expr_origin(text)
    _check_limits(text, origin)
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as err:
        raise DiagnosticError([_syntax_error(err, text, origin)]) from None
    _check_depth(tree, origin)
    return _Builder(origin).build(tree)


def _check_limits(text: str, origin: Origin) -> None:
    if len(text) > MAX_LENGTH:
        span = origin.span(1, 1, 1, 2)
        raise DiagnosticError(
            [origin.finding("P101", span, length=f"{len(text):,}", max=f"{MAX_LENGTH:,}")]
        )
    depth = 0
    line, col = 1, 0
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
        elif ch in "([":
            depth += 1
            if depth > MAX_DEPTH:
                raise DiagnosticError([_too_deep(origin, origin.span(line, col, line, col + 1))])
        elif ch in ")]":
            depth -= 1


def _too_deep(origin: Origin, span: Span, what: Text = "", limit: int = MAX_DEPTH) -> Diagnostic:
    return origin.finding("P102", span, max=limit, what=what)


def _check_depth(tree: LarkTree, origin: Origin) -> None:
    """Reject trees too deep for the recursive passes, iteratively (the builder recurses)."""
    stack: list[tuple[LarkTree, int, int]] = [(tree, 1, 0)]
    while stack:
        node, depth, ifs = stack.pop()
        ifs += node.data == "if_expr"
        if depth > MAX_TREE_DEPTH or ifs > MAX_IF_DEPTH:
            meta = node.meta
            span = origin.span(meta.line, meta.column, meta.end_line, meta.end_column)
            what, limit = (
                (msg("what.if_nesting"), MAX_IF_DEPTH)
                if ifs > MAX_IF_DEPTH
                else (msg("what.operators"), MAX_TREE_DEPTH)
            )
            raise DiagnosticError([_too_deep(origin, span, what, limit)])
        stack.extend((child, depth + 1, ifs) for child in node.children if isinstance(child, Tree))


def _syntax_error(err: UnexpectedInput, text: str, origin: Origin) -> Diagnostic:
    line, col = getattr(err, "line", 1), getattr(err, "column", 1)
    if line is None or line < 1 or col is None or col < 1:  # end of input
        lines = text.split("\n")
        line, col = len(lines), len(lines[-1]) + 1
    exponent = _exponent_at(err, text, origin)
    if exponent is not None:
        return exponent
    if isinstance(err, UnexpectedCharacters):
        at = err.pos_in_stream or 0
        ch = text[at] if at < len(text) else ""
        if ch in "\"'":
            return origin.finding("P003", origin.span(line, col, line, col + 1), quote=ch)
        hint = _HINTS.get(ch, "hint.p.digits" if "０" <= ch <= "９" else "")
        span = origin.span(line, col, line, col + 1)
        return origin.finding("P001", span, char=ch, help=msg(hint) if hint else "")
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        tok = err.token
        expected = _expected(err.expected)
        width = max(len(str(tok)), 1)
        span = origin.span(line, col, line, col + width)
        return origin.finding(
            "P002",
            span,
            token=str(tok),
            label=msg("P002.label", expected=expected) if expected else "",
        )
    expected = _expected(getattr(err, "expected", set()) or set())
    span = origin.span(line, col, line, col + 1)
    return origin.finding(
        "P004", span, label=msg("P004.label", expected=expected) if expected else ""
    )


def _exponent_at(err: UnexpectedInput, text: str, origin: Origin) -> Diagnostic | None:
    """P009 when the parser stopped inside a number written with an exponent (`1e3`,
    `2.5E-2`): the grammar has no exponents, so it trips on the `e` or on the `.` before it."""
    if isinstance(err, UnexpectedToken):
        at = err.token.start_pos or 0
    else:
        at = getattr(err, "pos_in_stream", 0) or 0
    for match in _EXPONENT.finditer(text):
        before = text[match.start() - 1] if match.start() else ""
        if before and (before.isalnum() or before in "_.\"'"):
            continue
        if match.start() <= at < match.end():
            line, col = offset_to_line_col(text, match.start())
            span = origin.span(line, col, line, col + len(match.group()))
            written = match.group()
            return origin.finding("P009", span, text=written, plain=_plain(written))
    return None


def _plain(written: str) -> str:
    """A number with an exponent written out: 1e3 -> 1000, 2.5E-2 -> 0.025."""
    try:
        return format(Decimal(written).normalize(), "f") if len(written) <= 12 else written
    except InvalidOperation:
        return written


def _expected(names: set[str] | frozenset[str]) -> Text:
    """What the parser would have accepted, in both languages; "" when nothing is known."""
    named = [_TOKEN_NAMES.get(n, f"`{n.lower()}`") for n in names if not n.startswith("_")]
    if len(named) > 6:
        return msg("expected.operator")
    if not named:
        return ""
    en = ", ".join(sorted({render(n, "en") for n in named}))
    zh = "、".join(sorted({render(n, "zh") for n in named}))
    return Both(en, zh)


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}
_ESCAPE_RE = re.compile(r"\\(.)")


def _token(t: LarkTree, i: int) -> Token:
    """The i-th child of `t`, which the grammar makes a token."""
    child = t.children[i]
    if not isinstance(child, Token):
        raise TypeError(f"expected a token, found {child!r}")
    return child


class _Builder:
    """Lark tree -> ast nodes. Recursion is safe: depth was bounded by _check_depth."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin

    def span_of(self, item: LarkTree | Token) -> Span:
        if isinstance(item, Token):
            return self.origin.span(
                item.line or 1, item.column or 1, item.end_line or 1, item.end_column or 1
            )
        m = item.meta
        return self.origin.span(m.line or 1, m.column or 1, m.end_line or 1, m.end_column or 1)

    def error(self, key: str, item: LarkTree | Token, /, **args: Any) -> DiagnosticError:
        """The catalog finding `key` at `item`, raised."""
        return DiagnosticError([self.origin.finding(key, self.span_of(item), **args)])

    def build(self, item: LarkTree | Token) -> ast.Node:
        if isinstance(item, Token):  # only a bare path segment reaches here via `path`
            raise TypeError(f"unexpected token {item!r}")
        method: Callable[[LarkTree], ast.Node] = getattr(self, "_" + str(item.data))
        return method(item)

    def _path(self, t: LarkTree) -> ast.Node:
        return ast.Path(self.span_of(t), segments=tuple(str(tok) for tok in t.children))

    def _number_lit(self, t: LarkTree) -> ast.Node:
        tok = _token(t, 0)
        if len(tok.replace(".", "")) > MAX_NUMBER_DIGITS:
            raise self.error("P005", tok, max=MAX_NUMBER_DIGITS)
        return ast.Literal(self.span_of(t), value=Decimal(str(tok)))

    def _date_lit(self, t: LarkTree) -> ast.Node:
        tok = _token(t, 0)
        try:
            year, month, day = (int(part) for part in str(tok).split("-"))
            value = date(year, month, day)
        except ValueError:
            raise self.error("P006/invalid", tok, text=str(tok)) from None
        if len(tok) != 10:
            spaced = " - ".join(tok.split("-"))
            raise self.error(
                "P006/padded", tok, text=str(tok), padded=value.isoformat(), spaced=spaced
            )
        return ast.Literal(self.span_of(t), value=value)

    def _string_lit(self, t: LarkTree) -> ast.Node:
        tok = t.children[0]
        body = str(tok)[1:-1]
        if len(body) > MAX_STRING_LENGTH:
            raise self.error("P007", tok, max=f"{MAX_STRING_LENGTH:,}")
        bad = next((m for m in _ESCAPE_RE.finditer(body) if m.group(1) not in _ESCAPES), None)
        if bad is not None:
            raise self.error("P008", tok, char=bad.group(1))
        value = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(1)], body)
        return ast.Literal(self.span_of(t), value=value)

    def _true_lit(self, t: LarkTree) -> ast.Node:
        return ast.Literal(self.span_of(t), value=True)

    def _false_lit(self, t: LarkTree) -> ast.Node:
        return ast.Literal(self.span_of(t), value=False)

    def _list_lit(self, t: LarkTree) -> ast.Node:
        items = tuple(self.build(c) for c in t.children if c is not None)
        return ast.ListLit(self.span_of(t), items=items)

    def _call(self, t: LarkTree) -> ast.Node:
        name_tok, *args = t.children
        return ast.Call(
            self.span_of(t),
            name=str(name_tok),
            args=tuple(self.build(a) for a in args if a is not None),
            name_span=self.span_of(name_tok),
        )

    def _if_expr(self, t: LarkTree) -> ast.Node:
        cond, then, orelse = (self.build(c) for c in t.children)
        return ast.If(self.span_of(t), cond=cond, then=then, orelse=orelse)

    def _binary(self, t: LarkTree, op: str, op_tok: Token | None = None) -> ast.Node:
        left, right = (self.build(c) for c in t.children if isinstance(c, Tree))
        op_span = self.span_of(op_tok) if op_tok is not None else None
        return ast.Binary(self.span_of(t), op=op, left=left, right=right, op_span=op_span)

    def _or_op(self, t: LarkTree) -> ast.Node:
        return self._binary(t, "or")

    def _and_op(self, t: LarkTree) -> ast.Node:
        return self._binary(t, "and")

    def _compare(self, t: LarkTree) -> ast.Node:
        return self._binary(t, str(t.children[1]), _token(t, 1))

    def _arith(self, t: LarkTree) -> ast.Node:
        return self._binary(t, str(t.children[1]), _token(t, 1))

    def _in_op(self, t: LarkTree) -> ast.Node:
        return self._binary(t, "in")

    def _not_in_op(self, t: LarkTree) -> ast.Node:
        return self._binary(t, "not in", _token(t, 1))

    def _not_op(self, t: LarkTree) -> ast.Node:
        return ast.Unary(self.span_of(t), op="not", operand=self.build(t.children[0]))

    def _neg(self, t: LarkTree) -> ast.Node:
        return ast.Unary(self.span_of(t), op="-", operand=self.build(t.children[0]))
