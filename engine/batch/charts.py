"""Charts of a register run: Vega-Lite specs, drawn to SVG offline by vl-convert.

In: plain rows (funds with what they pay and their quota; rules with counts per outcome) and
the words to label them. Out: a Vega-Lite spec (data, testable without drawing), and its SVG.
Vega-Lite describes a chart as data (marks, encodings, scales), so the specs stay small and
declarative; vl-convert carries Vega in a Rust library and draws without a browser, a network
or a JavaScript runtime of ours, and its SVG keeps text as text (searchable, selectable,
printable). The SVG is checked before it is inlined (engine.pages.inline_svg). Labels are user
text (fund names, rule ids): control characters are shown as escapes before Vega sees them (a
NUL in a label aborts vl-convert's drawing, and the process with it).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from clause.engine.decide.reasons import Outcome
from clause.engine.escape import printable

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier; never fetched

#: Outcome colours, the same as the badges of the pages (engine/templates/style.css).
OUTCOME_COLOURS = {
    Outcome.ELIGIBLE: "#1a7f37",
    Outcome.COMPLIANT: "#4aa564",
    Outcome.INELIGIBLE: "#b42318",
    Outcome.VIOLATION: "#e0685d",
    Outcome.EXCEPTION_NEEDED: "#8e3fae",
    Outcome.NOT_APPLICABLE: "#9aa3ad",
    Outcome.UNDETERMINED: "#d99a00",
}

# Fonts the drawing measures text with and the browser then shows it in: the same list, CJK
# fonts first, so that Chinese labels are laid out at the width they are shown.
FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
CONFIG: dict[str, Any] = {
    "font": FONT,
    "padding": {"left": 12, "right": 12, "top": 6, "bottom": 6},
    "view": {"stroke": None},
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 320, "labelOverlap": True},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
}


class ChartsUnavailable(RuntimeError):
    """vl-convert is not installed: `pip install 'clause[report]'`."""


def available() -> bool:
    """Whether charts can be drawn here (the `report` extra is installed)."""
    try:
        importlib.import_module("vl_convert")
    except ImportError:
        return False
    return True


def to_svg(spec: Mapping[str, Any]) -> str:
    """The chart drawn as an SVG document (text kept as text)."""
    try:
        vlc: Any = importlib.import_module("vl_convert")
    except ImportError:
        raise ChartsUnavailable("charts need vl-convert: pip install 'clause[report]'") from None
    svg: str = vlc.vegalite_to_svg(dict(spec))
    return svg


def funds_spec(funds: Sequence[Mapping[str, Any]], words: Mapping[str, str]) -> dict[str, Any]:
    """Bars per fund: what it pays; with a budget, its quota drawn behind as a paler bar.

    `funds`: {"name", "allocated": Decimal, "quota": Decimal | None} in funds.yaml order.
    """
    values = [
        {
            "fund": printable(f["name"]),
            "allocated": float(f["allocated"]),
            "quota": None if f.get("quota") is None else float(f["quota"]),
            "label": _yuan(f["allocated"]),
        }
        for f in funds
    ]
    order = [v["fund"] for v in values]
    y = {"field": "fund", "type": "nominal", "sort": order, "title": None}
    layers: list[dict[str, Any]] = []
    if any(v["quota"] is not None for v in values):
        layers.append(
            {
                "mark": {"type": "bar", "color": "#dbe4ee", "height": 26},
                "encoding": {
                    "y": y,
                    "x": {"field": "quota", "type": "quantitative", "title": words["yuan"]},
                },
            }
        )
    layers.append(
        {
            "mark": {"type": "bar", "color": "#1f5fad", "height": 14},
            "encoding": {
                "y": y,
                "x": {"field": "allocated", "type": "quantitative", "title": words["yuan"]},
            },
        }
    )
    layers.append(
        {
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 12},
            "encoding": {
                "y": y,
                "x": {"field": "allocated", "type": "quantitative"},
                "text": {"field": "label"},
            },
        }
    )
    return {
        "$schema": SCHEMA,
        "width": 560,
        "height": {"step": 34},
        "data": {"values": values},
        "layer": layers,
        "config": CONFIG,
    }


def outcomes_spec(
    rules: Sequence[Mapping[str, Any]], words: Mapping[Outcome, str], title: str
) -> dict[str, Any]:
    """Stacked bars per rule: how many decisions had each outcome.

    `rules`: {"rule", "outcomes": {Outcome: count}} in the order to show.
    """
    shown = [o for o in OUTCOME_COLOURS if any(r["outcomes"].get(o) for r in rules)]
    values = [
        {"rule": printable(r["rule"]), "outcome": words[o], "rank": i, "count": r["outcomes"][o]}
        for r in rules
        for i, o in enumerate(shown)
        if r["outcomes"].get(o)
    ]
    return {
        "$schema": SCHEMA,
        "width": 560,
        "height": {"step": 24},
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": "rule",
                "type": "nominal",
                "sort": [printable(r["rule"]) for r in rules],
                "title": None,
            },
            "x": {"field": "count", "type": "quantitative", "stack": "zero", "title": title},
            "color": {
                "field": "outcome",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": [words[o] for o in shown],
                    "range": [OUTCOME_COLOURS[o] for o in shown],
                },
            },
            "order": {"field": "rank", "type": "quantitative"},
        },
        "config": CONFIG,
    }


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"
