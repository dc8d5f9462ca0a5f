"""Property tests of the classes of hostile input issue 10 found, so the next member of each class
is caught too: huge and tiny exponents and long digit strings in every reader of numbers, deep
nesting in every input format, invalid UTF-8 and other encodings on every reader, alias keys
that conflict, and hostile strings in every output format (text, JSON, Markdown, GitHub,
JUnit, and the HTML pages: the explanation and the register dashboard). The rule each holds
to: a located, coded answer (a value within bounds, or a DiagnosticError / rejected row), never
a crash, and output that stays one well-formed thing of its kind.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.dom import minidom

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from clause.engine.api.decide import explain_case
from clause.engine.api.files import read_data_bytes
from clause.engine.batch.facts import FactsPlan, RowError
from clause.engine.batch.manifest import FileDigest, RunFacts, manifest
from clause.engine.batch.read import open_source
from clause.engine.batch.report import dashboard
from clause.engine.batch.run import BatchOptions
from clause.engine.batch.totals import BatchSummary, Tally
from clause.engine.batch.write import ResultRow
from clause.engine.decide.reasons import Reason, ReasonCode
from clause.engine.decide.results import Read
from clause.engine.diagnostics import Diagnostic, DiagnosticError, format_diagnostic, localized
from clause.engine.escape import (
    github_message,
    github_property,
    markdown_cell,
    markdown_code,
    printable,
    xml_attr,
    xml_text,
)
from clause.engine.explain.html import to_html
from clause.engine.explain.model import Explanation
from clause.engine.expr.syntax import parse_expr
from clause.engine.expr.types import SchemaTypeError, TypeEnv
from clause.engine.facts import FactsError, normalize_facts
from clause.engine.library import Library
from clause.engine.load.composer import DEFAULT_LIMITS
from clause.engine.load.jsondata import JsonProblem, parse_json, read_json
from clause.engine.load.loader import load_yaml
from clause.engine.load.package import load_package
from clause.engine.load.yamlnodes import build_data
from clause.engine.numbers import MAX_DIGITS, MAX_EXPONENT, NumberError, decimal_of
from clause.engine.source import Span

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
_PACKAGE = load_package(MINI).package
assert _PACKAGE is not None
LIBRARY = Library.of([_PACKAGE])

# -- numbers: huge and tiny exponents, long digit strings ------------------------------------------

digits = st.text("0123456789", min_size=1, max_size=6000).filter(lambda t: t[0] != "0" or t == "0")
exponents = st.one_of(st.integers(-(10**12), 10**12), st.integers(-60, 60))
numbers = st.one_of(
    digits,
    st.builds(lambda d, e: f"{d}e{e}", st.text("123456789", min_size=1, max_size=40), exponents),
    st.builds(lambda d, f: f"{d}.{f}", digits, st.text("0123456789", min_size=1, max_size=200)),
)


def in_bounds(value: Decimal) -> bool:
    return (
        len(value.as_tuple().digits) <= MAX_DIGITS
        and -MAX_EXPONENT <= value.adjusted() <= MAX_EXPONENT
    )


@given(numbers)
def test_every_reader_bounds_numbers(text: str) -> None:
    """YAML scalars, JSON tokens and register cells: the exact value, or L016."""
    answers = []
    for read in (_yaml_number, _json_number, _cell_number):
        try:
            answers.append(read(text))
        except (DiagnosticError, RowError, JsonProblem, FactsError) as err:
            assert "L016" in _code(err) or "range" in str(err) or "digits" in str(err), err
            answers.append(None)
    exact = Decimal(text) if len(text) <= 100 else None
    if exact is not None and in_bounds(exact):
        assert all(a == exact for a in answers), (text, answers)
    else:
        assert all(a is None for a in answers), (text, answers)


def _code(err: Exception) -> str:
    if isinstance(err, DiagnosticError):
        return " ".join(d.code for d in err.diagnostics)
    return getattr(err, "code", "")


def _yaml_number(text: str) -> Decimal:
    return Decimal(load_yaml(f"a: {text}\n").data["a"])


def _json_number(text: str) -> Decimal:
    return Decimal(read_json(f'{{"a": {text}}}'.encode(), "x.json")["a"])


def _cell_number(text: str) -> Decimal:
    plan = FactsPlan(LIBRARY.facts_schema, LIBRARY.env.facts)
    [column], _ = plan.columns(["person.transport_cost"])
    value = column.convert(text)
    assert isinstance(value, Decimal)
    return value


@given(st.integers(-(10**40000), 10**40000) | st.floats(allow_nan=True, allow_infinity=True))
def test_ints_and_floats_become_bounded_decimals(value: int | float) -> None:
    try:
        result = decimal_of(value)
    except NumberError:
        return
    assert result is None or in_bounds(result)


# -- deep nesting in every input format ------------------------------------------------------------

depths = st.integers(1, 3000)


@given(depths, st.sampled_from(["flow", "block"]))
def test_deep_yaml_is_refused_with_l011(depth: int, style: str) -> None:
    text = (
        "a: " + "[" * depth + "]" * depth
        if style == "flow"
        else "".join("  " * i + "- \n" for i in range(min(depth, 400)))
        + "  " * min(depth, 400)
        + "x\n"
    )
    try:
        load_yaml(text)
    except DiagnosticError as err:
        assert {d.code for d in err.diagnostics} <= {"L011", "L004"}, err


@given(depths)
def test_deep_json_is_refused_with_l011(depth: int) -> None:
    for text in (
        '{"a": ' + "[" * depth + "]" * depth + "}",
        "{" * 0 + '{"a":' * depth + "1" + "}" * depth,
    ):
        try:
            read_json(text.encode(), "x.json")
        except DiagnosticError as err:
            assert {d.code for d in err.diagnostics} == {"L011"}, err
            assert depth > DEFAULT_LIMITS.max_depth - 2


@given(depths)
def test_deep_register_cells_and_lines_reject_their_row(depth: int) -> None:
    plan = FactsPlan(LIBRARY.facts_schema, LIBRARY.env.facts)
    [column], _ = plan.columns(["person.grants"])
    with contextlib.suppress(RowError):  # a row's problem, never the run's
        column.convert("[" * depth + "]" * depth)
    try:
        parse_json('{"person": ' + "[" * depth + "]" * depth + "}")
    except JsonProblem as err:
        assert err.code in ("L011", "L004")


@given(depths)
def test_deep_expressions_are_refused_with_p102(depth: int) -> None:
    for text in ("(" * depth + "1" + ")" * depth, "not " * depth + "true", "-" * depth + "1"):
        try:
            parse_expr(text)
        except DiagnosticError as err:
            assert {d.code for d in err.diagnostics} <= {"P102", "P101"}, err


@given(st.integers(1, 500))
def test_deep_facts_schemas_are_refused_with_f002(depth: int) -> None:
    schema: dict[str, Any] = {"type": "number"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"a": schema}}
    try:
        TypeEnv.from_schema(schema)
    except SchemaTypeError:
        assert depth > 60


# -- encodings on every reader ---------------------------------------------------------------------

SAMPLE = "person:\n  scope: 跨省\n  locality: 甲市\n"
encodings = st.sampled_from(["gbk", "gb18030", "utf-16", "utf-16-le", "big5", "latin-1"])


@given(
    st.one_of(
        st.binary(min_size=1, max_size=400), encodings.map(lambda e: SAMPLE.encode(e, "replace"))
    )
)
def test_every_reader_refuses_text_that_is_not_utf8(data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return  # valid UTF-8 by chance: not this property's concern
    for read in (
        lambda: load_yaml(data, file="f.yaml"),
        lambda: read_json(data, "f.json"),
        lambda: read_data_bytes(data),
    ):
        try:
            read()
        except DiagnosticError as err:
            codes = {d.code for d in err.diagnostics}
            assert codes & {"L002", "L004"}, codes


@given(encodings, st.integers(0, 4))
def test_registers_in_another_encoding_reject_rows_not_runs(encoding: str, where: int) -> None:
    import tempfile

    lines = ["case_id,person.locality", *[f"C{i},甲市{i}" for i in range(5)]]
    body = ("\n".join(lines) + "\n").encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.csv"
        bad = lines[where + 1].encode(encoding, "replace") + b"\n"
        path.write_bytes(body.replace(lines[where + 1].encode() + b"\n", bad))
        source = open_source(path)
        try:
            records = [r for chunk in source.chunks(10) for r in chunk.records]
        finally:
            source.close()
    assert len(records) == 5
    for _, _, _, cells in records:
        assert isinstance(cells, list | tuple)


# -- alias keys that conflict ----------------------------------------------------------------------

PERSON = LIBRARY.env.facts.children["person"]
pairs = st.sampled_from(
    [
        (name, alias)
        for name, f in PERSON.children.items()
        for alias in f.aliases
        if f.type is not None
    ]
)


@given(pairs, st.booleans(), st.booleans())
def test_an_alias_beside_its_name_is_refused(
    pair: tuple[str, str], first_alias: bool, entity: bool
) -> None:
    name, alias = pair
    keys = [alias, name] if first_alias else [name, alias]
    record = {key: None for key in keys}
    facts: dict[str, Any] = {"人员" if entity else "person": record}
    try:
        normalize_facts(facts, LIBRARY.env.facts)
    except FactsError as err:
        assert err.reason_key() == "F004"
    else:
        raise AssertionError("conflicting keys were accepted")
    with_entity = {"person": {}, "人员": {}}
    try:
        normalize_facts(with_entity, LIBRARY.env.facts)
    except FactsError as err:
        assert err.reason_key() == "F004"
    else:
        raise AssertionError("person and 人员 were both accepted")


# -- hostile strings in every output format --------------------------------------------------------

hostile = st.text(
    st.one_of(
        st.characters(),
        st.sampled_from(
            [
                "\n",
                "\r",
                "\x1b",
                "\x07",
                "%",
                ":",
                ",",
                "|",
                "`",
                "<",
                ">",
                "&",
                '"',
                "#",
                "\u202e",
                "\x00",
            ]
        ),
    ),
    max_size=80,
)


def _finding(text: str) -> Diagnostic:
    return Diagnostic.make(
        "S001", text, Span(text or "f", 3, 1, 3, 2), label=text, help=text, source_line=text
    )


@given(hostile)
def test_text_output_holds_no_control_character(text: str) -> None:
    shown = printable(format_diagnostic(localized(_finding(text), "zh")))
    assert not any(ch in shown for ch in "\x1b\x07\x00\u202e\r")


@given(hostile)
def test_json_output_round_trips(text: str) -> None:
    data = _finding(text).to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


@given(hostile)
def test_markdown_output_is_inert(text: str) -> None:
    for shown in (markdown_cell(text), markdown_code(text)):
        assert "\n" not in shown and "\r" not in shown and "\x1b" not in shown
        assert "<" not in shown.replace("&lt;", "") or shown.startswith("`")
    cell = markdown_cell(text)
    assert "|" not in cell.replace("\\|", "")


@given(hostile, hostile)
def test_github_annotations_stay_one_command(file: str, message: str) -> None:
    line = f"::error file={github_property(file)},line=1::{github_message(message)}"
    assert "\n" not in line and "\r" not in line
    head, _, body = line.partition("::")[2].partition("::")
    assert head.count(",") == 1 and "::" not in head
    decoded = body.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
    assert decoded == printable(message)


@given(hostile, hostile)
def test_junit_stays_xml(name: str, message: str) -> None:
    document = (
        f"<testsuites><testcase name={xml_attr(name)}>"
        f"<failure message={xml_attr(message)}>{xml_text(message)}</failure>"
        "</testcase></testsuites>"
    )
    parsed = minidom.parseString(document.encode("utf-8"))
    assert parsed.getElementsByTagName("testcase")[0].getAttribute("name") == _xml_shown(name)


def _xml_shown(text: str) -> str:
    """What an XML reader gets back for `text`: characters XML forbids shown as escapes."""
    import re

    shown = printable(text)

    def escaped(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", escaped, shown)


# -- the fast YAML composer gives the careful one's result -----------------------------------------

scalars = st.one_of(
    st.integers(-(10**30), 10**30),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.booleans(),
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    st.dates(),
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=8),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@given(documents, st.sampled_from([False, True]))
def test_fast_and_careful_yaml_agree(document: Any, flow: bool) -> None:
    text = yaml.safe_dump(_plain(document), allow_unicode=True, default_flow_style=flow)
    results = []
    for fast in (True, False):
        try:
            built = build_data(text, "d.yaml", DEFAULT_LIMITS, fast=fast)
            results.append((built.data, built.spans, built.key_spans, built.strings))
        except DiagnosticError as err:
            results.append(("error", [(d.code, d.span) for d in err.diagnostics]))
    assert results[0] == results[1]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# -- hostile strings in the HTML pages (issue 15) -------------------------------------------------
#
# Whatever user text a page shows (facts and their paths, rule titles, quotes, clause text,
# fund names, the register's path, the command line, rejected rows' reasons), the page's markup
# is the page's own: the same elements and attributes as with harmless text in the same places,
# and the text is there as text, its control characters shown as escapes (engine.pages.shown).

_DAY = date(2030, 6, 1)
_FACTS = {
    "person": {
        "poverty_alleviated": True,
        "organised": True,
        "scope": "跨省",
        "departure_date": date(2030, 5, 1),
        "transport_cost": Decimal(520),
        "grants": [],
    }
}
_EXPLAINED = explain_case(LIBRARY, _FACTS, _DAY, rule="transport")


def _hostile_explanation(text: str) -> Explanation:
    """The mini package's transport decision with `text` in every place user text reaches."""
    (d,) = _EXPLAINED.decisions
    check = replace(
        d.conditions[0],
        id=text,
        expr=text,
        quote=text,
        facts=(Read(text, text),),
        params=(Read(text, Decimal(1)),),
        outcomes=(Read(text, text),),
    )
    funding = tuple(
        replace(f, fund=text, name_zh=text, name_en=text, quote=text) for f in d.funding
    )
    hostile = replace(
        d,
        rule=text,
        title_zh=text,
        title_en=text,
        document=text,
        breadcrumb=text,
        clause_text=f"前{text}后",
        missing=(text,),
        superseded_by=text,
        reason=Reason.of(ReasonCode.CONDITION_FAILED, id=text, quote=text),
        conditions=(check,),
        funding=funding,
    )
    return replace(
        _EXPLAINED,
        documents=(text,),
        decisions=(hostile,),
        facts={"person": {text or "k": text}},
    )


class _Markup(HTMLParser):
    """The elements and attribute names of a page, in order, and every text and value in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, ...]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, *sorted(name for name, _ in attrs)))
        self.texts.extend(value for _, value in attrs if value is not None)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(("/" + tag,))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def _parsed(page: str) -> _Markup:
    parser = _Markup()
    parser.feed(page)
    parser.close()
    return parser


def _assert_inert(page: str, harmless: str, text: str) -> None:
    parsed = _parsed(page)
    assert parsed.tags == _parsed(harmless).tags
    assert not any(ch in page for ch in "\x00\x1b\x07\u202e")
    assert printable(text) in parsed.texts


# non-blank text that occurs once in `前{text}后`, as a quote of the clause does
visible = hostile.filter(lambda t: t.strip() and "前" not in t and "后" not in t)


@given(visible, st.sampled_from(["zh", "en"]))
def test_explanation_page_keeps_hostile_text_as_text(text: str, lang: str) -> None:
    page = to_html(_hostile_explanation(text), lang)
    _assert_inert(page, to_html(_hostile_explanation("x"), lang), text)


def _hostile_run(text: str) -> tuple[BatchSummary, dict[str, Any]]:
    """A register run's summary and manifest with `text` as every id, path and reason."""
    tally = Tally(rows_read=3, rows_decided=2)
    row = ResultRow("1", text, 1, "undetermined", None, None, (), (text,))
    tally.add_case([row, row._replace(rule="transport", outcome="eligible", amount=Decimal(5))])
    paid = ResultRow("2", text, 1, "eligible", Decimal(500), None, ((text, Decimal(500)),), ())
    tally.add_case([paid])
    tally.add_funding(paid)
    tally.reject(text, 3, 4, text)
    summary = BatchSummary(text, text, text, _DAY, tally, funds=(text,), titles={text: text})
    digest = FileDigest(text, 1, "sha256:" + "0" * 64)
    moment = datetime(2030, 6, 1, tzinfo=UTC)
    facts = RunFacts(digest, digest, digest, text, text, moment, moment)
    return summary, manifest(summary, BatchOptions(on=_DAY), LIBRARY, facts)


@settings(max_examples=40)  # each draws two charts (vl-convert): keep the run short
@given(visible.filter(lambda t: t != "transport"), st.sampled_from(["zh", "en"]))
def test_dashboard_keeps_hostile_text_as_text(text: str, lang: str) -> None:
    summary, data = _hostile_run(text)
    page = dashboard(summary, data, LIBRARY, lang, text)
    harmless, harmless_data = _hostile_run("x")
    _assert_inert(page, dashboard(harmless, harmless_data, LIBRARY, lang, "x"), text)
