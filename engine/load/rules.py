"""Build model objects from loaded, schema-valid YAML: rules, parameters, funds, the document.

In: a `Loaded` file that passed its JSON Schema, and the type environment. Out: model objects,
with every expression parsed, type-checked and compiled; problems go to a diagnostics list
(P and T codes placed inside the YAML string, R codes for rule structure). A rule with any
error is left out of the package, so nothing half-built is ever evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.expr.check import check_expr
from clause.engine.expr.compile import compile_expr
from clause.engine.expr.syntax import Origin, parse_expr
from clause.engine.expr.types import BOOL, DATE, NUMBER, STRING, TypeEnv
from clause.engine.facts import to_decimal
from clause.engine.load.loader import Loaded
from clause.engine.messages import Text
from clause.engine.model import (
    Amount,
    Bound,
    Citation,
    Cite,
    Condition,
    Document,
    Expr,
    Fund,
    FundingSource,
    Money,
    OnceLimit,
    Parameter,
    ParameterValue,
    Period,
    Relation,
    Rule,
    UnencodedClause,
    Version,
    Window,
)


class FileContext:
    """One loaded file being turned into model objects; collects its diagnostics."""

    def __init__(self, loaded: Loaded, env: TypeEnv) -> None:
        self.loaded = loaded
        self.env = env
        self.diagnostics: list[Diagnostic] = []
        self._lines = tuple(loaded.text.split("\n"))

    def report(self, code: str, message: Text, pointer: str, **kw: Any) -> None:
        self.diagnostics.append(self.loaded.diagnostic(code, message, pointer, **kw))

    def expr(self, pointer: str, expect: Any) -> Expr | None:
        """Parse, check and compile the expression string at `pointer`; None on error."""
        text = self.loaded.value_at(pointer)
        if not isinstance(text, str):
            return None
        origin = Origin(
            self.loaded.file,
            file_lines=self._lines,
            locate=lambda inner: self.loaded.locate_span(pointer, inner),
        )
        try:
            node = check_expr(parse_expr(text, origin), self.env, origin, expect=expect)
        except DiagnosticError as err:
            self.diagnostics.extend(err.diagnostics)
            return None
        return Expr(text, node, compile_expr(node), self.loaded.span(pointer))


def _window(raw: Mapping[str, Any]) -> Window:
    return Window(raw.get("from"), raw.get("to"))


def _money(raw: Any) -> Money:
    if isinstance(raw, Mapping):
        percent = raw.get("percent")
        return Money(param=raw["param"], percent=to_decimal(percent) if percent else None)
    return Money(value=to_decimal(raw))


def build_document(loaded: Loaded) -> Document:
    data = loaded.data
    in_force = data["in_force"]
    return Document(
        number=data.get("number"),
        title_zh=data["title"]["zh"],
        title_en=data["title"].get("en", data["title"]["zh"]),
        issued=data["issued"],
        in_force=_window(in_force),
        file=loaded.file,
        in_force_quote=in_force.get("quote"),
        issuers=tuple(data.get("issuers", ())),
        jurisdiction=data["jurisdiction"].get("name"),
        level=data["jurisdiction"].get("level"),
        relations=tuple(_relation(r) for r in data.get("relations", ())),
    )


def _relation(raw: Mapping[str, Any]) -> Relation:
    return Relation(
        kind=raw["kind"],
        document=raw["document"],
        start=raw.get("from"),
        end=raw.get("to"),
        rules=tuple(raw.get("rules", ())),
        clause=raw.get("clause"),
        quote=raw.get("quote"),
    )


def build_funds(loaded: Loaded) -> dict[str, Fund]:
    funds: dict[str, Fund] = {}
    for raw in loaded.data["funds"]:
        name = raw["name"]
        funds[raw["id"]] = Fund(
            raw["id"], name["zh"], name["en"], raw.get("level"), raw.get("direction")
        )
    return funds


def build_parameter(loaded: Loaded) -> Parameter:
    data = loaded.data
    values = []
    for raw in data["values"]:
        value = raw["value"]
        number = to_decimal(value) if value is not None else None
        citation = _citation(raw["citation"]) if "citation" in raw else None
        values.append(
            ParameterValue(
                _window(raw), number if number is not None else value, raw.get("locality"), citation
            )
        )
    title = data.get("title", {})
    return Parameter(
        id=data["id"],
        title_zh=title.get("zh", data["id"]) if isinstance(title, Mapping) else str(title),
        title_en=title.get("en", data["id"]) if isinstance(title, Mapping) else str(title),
        citation=_citation(data["citation"]),
        unit=data["unit"],
        values=tuple(values),
        file=loaded.file,
        span=loaded.span(""),
        set_by=data.get("set_by"),
        bounds=tuple(
            Bound(
                side,
                _money(raw["value"]),
                raw["quote"],
                bool(raw.get("in_principle", False)),
                raw.get("clause"),
            )
            for side, raw in sorted((data.get("bounds") or {}).items())
        ),
    )


def _citation(raw: Mapping[str, Any]) -> Citation:
    return Citation(raw["document"], raw["quote"], raw.get("clause"))


def build_rule(ctx: FileContext, document: str = "") -> Rule | UnencodedClause | None:
    """The rule (or unencoded clause) in a rule file; None when any expression has an error.
    `document` is the package's document, which a rule that names none encodes."""
    data = ctx.loaded.data
    if "status" in data:
        title = data.get("title") or {}
        return UnencodedClause(
            id=data["id"],
            clause=data["clause"],
            status=data["status"],
            reason=data["reason"],
            file=ctx.loaded.file,
            span=ctx.loaded.span(""),
            refers_to=data.get("refers_to"),
            title_zh=title.get("zh"),
        )
    before = len(ctx.diagnostics)
    versions = tuple(_version(ctx, f"/versions/{i}", raw) for i, raw in enumerate(data["versions"]))
    if len(ctx.diagnostics) > before:
        return None
    return Rule(
        id=data["id"],
        title_zh=data["title"]["zh"],
        title_en=data["title"]["en"],
        document=data.get("document", document),
        clause=data["clause"],
        subject=data["subject"],
        kind=data["kind"],
        versions=versions,
        file=ctx.loaded.file,
        span=ctx.loaded.span(""),
        implements=data["implements"]["rule"] if "implements" in data else None,
    )


def _conditions(
    ctx: FileContext, pointer: str, raws: list[Any], prefix: str
) -> tuple[Condition, ...]:
    out = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(raws):
        here = f"{pointer}/{i}"
        cid = raw.get("id") or f"{prefix}{i + 1}"
        if cid in seen:
            ctx.diagnostics.append(ctx.loaded.finding("R012", f"{here}/id", id=cid))
        seen[cid] = here
        condition = _condition(ctx, here, raw, cid)
        if condition is not None:
            out.append(condition)
    return tuple(out)


def _condition(ctx: FileContext, here: str, raw: Mapping[str, Any], cid: str) -> Condition | None:
    expr = ctx.expr(f"{here}/expr", BOOL)
    if expr is None:
        return None
    cite = raw.get("cite")
    return Condition(
        cid,
        expr,
        raw["quote"],
        ctx.loaded.span(here),
        in_principle=bool(raw.get("in_principle", False)),
        cite=Cite(cite["clause"], cite.get("document")) if cite else None,
    )


def _once(raw: Any) -> tuple[OnceLimit, ...]:
    """The limits of a one-off or periodic benefit: `once: true` (once ever, the rule's own
    grants), one `{program, per, quote}`, or a list of them."""
    if raw is True:
        return (OnceLimit(),)
    if isinstance(raw, Mapping):
        return (_limit(raw),)
    if isinstance(raw, list):
        return tuple(_limit(item) for item in raw)
    return ()


def _limit(raw: Mapping[str, Any]) -> OnceLimit:
    program = raw["program"]
    programs = (program,) if isinstance(program, str) else tuple(program)
    per = raw.get("per")
    period = None
    if per == "year":
        period = Period("year")
    elif isinstance(per, Mapping) and "months" in per:
        period = Period("months", months=per["months"])
    elif isinstance(per, Mapping):
        period = Period("during", window=_window(per))
    return OnceLimit(programs, period, raw.get("quote"))


def _version(ctx: FileContext, pointer: str, raw: Mapping[str, Any]) -> Version:
    once = raw.get("once", False)
    effective = ctx.expr(f"{pointer}/effective_date", DATE) if "effective_date" in raw else None
    event = (
        _condition(ctx, f"{pointer}/event", raw["event"], raw["event"].get("id") or "event")
        if "event" in raw
        else None
    )
    limits = _once(once)
    return Version(
        number=raw["version"],
        enacted_on=raw["enacted"]["date"],
        enacted_by=raw["enacted"]["by"],
        enacted_clause=raw["enacted"].get("clause"),
        window=_window(raw["valid"]),
        span=ctx.loaded.span(pointer),
        window_quote=raw["valid"].get("quote"),
        effective_date=effective,
        event=event,
        conditions=_conditions(ctx, f"{pointer}/conditions", raw.get("conditions", []), "c"),
        unless=_conditions(ctx, f"{pointer}/unless", raw.get("unless", []), "u"),
        requires=_conditions(ctx, f"{pointer}/requires", raw.get("requires", []), "r"),
        amount=_amount(ctx, f"{pointer}/amount", raw["amount"]) if "amount" in raw else None,
        funding=tuple(
            _funding(ctx, f"{pointer}/funding/{i}", f) for i, f in enumerate(raw.get("funding", []))
        ),
        once=bool(limits),
        once_program=limits[0].programs[0] if limits and limits[0].programs else None,
        once_quote=limits[0].quote if limits else None,
        once_limits=limits,
        overrides=tuple(raw.get("overrides", ())),
        in_principle=any(
            c.get("in_principle") for k in ("conditions", "requires") for c in raw.get(k, [])
        ),
    )


def _amount(ctx: FileContext, pointer: str, raw: Mapping[str, Any]) -> Amount:
    kind, body = next(iter(raw.items()))
    here = f"{pointer}/{kind}"
    span = ctx.loaded.span(here)
    quote = body["quote"]
    if kind == "fixed":
        return Amount(kind, quote, span, value=_money(body["value"]))
    if kind == "cap":
        claimed = ctx.expr(f"{here}/claimed", NUMBER)
        return Amount(kind, quote, span, value=_money(body["max"]), claimed=claimed)
    if kind == "floor":
        claimed = ctx.expr(f"{here}/claimed", NUMBER)
        return Amount(kind, quote, span, value=_money(body["min"]), claimed=claimed)
    if kind == "computed":
        return Amount(kind, quote, span, claimed=ctx.expr(f"{here}/value", NUMBER))
    if kind == "per_unit":
        count = ctx.expr(f"{here}/count", NUMBER)
        return Amount(
            kind,
            quote,
            span,
            value=_money(body["rate"]),
            count=count,
            max_count=body.get("max_count"),
            unit=body.get("unit"),
        )
    if kind == "percentage":
        return Amount(
            kind,
            quote,
            span,
            of=ctx.expr(f"{here}/of", NUMBER),
            percent=to_decimal(body["percent"]),
        )
    if kind == "parameter":
        return Amount(kind, quote, span, value=Money(param=body["param"]))
    param = body.get("param")
    return Amount(
        kind,
        quote,
        span,
        value=Money(param=param) if param else None,
        refers_to=body.get("refers_to"),
    )


def _funding(ctx: FileContext, pointer: str, raw: Mapping[str, Any]) -> FundingSource:
    quota: Decimal | Expr | None = None
    if "quota" in raw:
        value = raw["quota"]
        number = to_decimal(value) if not isinstance(value, str) else None
        quota = number if number is not None else ctx.expr(f"{pointer}/quota", NUMBER)
    return FundingSource(raw["fund"], raw["quote"], ctx.loaded.span(pointer), quota)


def parameter_type(param: Parameter) -> Any:
    """The expression type of `param.<id>`: a number unless some value is text."""
    if any(isinstance(v.value, str) for v in param.values):
        return DATE if all(_is_date_text(v.value) for v in param.values if v.value) else STRING
    return NUMBER


def _is_date_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
