"""The prebuilt parser tables (engine/expr/tables.py) are current and parse as the grammar does."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml
from lark import Lark
from lark.exceptions import UnexpectedInput

from clause.engine.expr import tables
from clause.engine.expr.syntax import _LARK_OPTIONS, _parser, grammar_digest, grammar_text

CORPUS = Path(__file__).resolve().parents[1] / "conformance" / "expr"


def corpus_expressions() -> list[str]:
    out: list[str] = []
    for path in sorted(CORPUS.glob("*.yaml")):
        text = path.read_text(encoding="utf-8").replace("!decimal", "").replace("!repeat", "")
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        out += [c["expr"] for c in doc.get("cases", []) if isinstance(c.get("expr"), str)]
    return out


def test_tables_match_the_grammar_and_lark() -> None:
    assert tables.TABLES.get("digest") == grammar_digest(), (
        "engine/expr/tables.py is stale: run python -m clause.engine.expr.tables"
    )


@functools.cache
def built_parser() -> Lark:
    return Lark(grammar_text(), **_LARK_OPTIONS)


@pytest.mark.parametrize("text", corpus_expressions()[:400])
def test_prebuilt_tables_parse_as_the_grammar_does(text: str) -> None:
    built = built_parser()

    def run(parser: Lark) -> object:
        try:
            return parser.parse(text)
        except UnexpectedInput as err:
            return (type(err).__name__, getattr(err, "line", None), getattr(err, "column", None))

    assert run(_parser()) == run(built)
