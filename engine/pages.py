"""Self-contained HTML pages: one Jinja2 environment with autoescape, and inline-SVG safety.

In: a template name (engine/templates/) and plain view data; or an SVG document from a chart
library. Out: one HTML string with its stylesheet inline and no reference to anything outside
the page (a Content-Security-Policy forbids scripts and every network fetch), or SVG made safe
to inline (no script, no event handler, no external reference, ids made unique per page).

Every value reaches the page through a Jinja2 expression, which escapes it: facts, quotes and
rule text are user input, and `<script>` in a fact must show as the characters `<script>`.
Control characters and bidirectional overrides in a value are shown as escapes first (as on a
terminal, engine.escape.printable): no value can hide or reorder the text around it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from clause.engine.escape import printable

TEMPLATES = Path(__file__).with_name("templates")

#: The page may use its own inline styles and nothing else: no script runs, nothing is fetched.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


@cache
def environment() -> Environment:
    """The Jinja2 environment of every page: autoescape on for .j2 templates, and an undefined
    name is an error rather than an empty string (a misspelt field never shows as a blank)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=shown,
    )
    env.globals["csp"] = CSP
    return env


def shown(value: Any) -> Any:
    """Every value a template prints, before it is escaped: text with its control characters
    shown as escapes; Markup (an inline chart, made safe by inline_svg) as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


def render_page(template: str, **data: Any) -> str:
    """The page `template` rendered with `data` (every value escaped where it lands)."""
    return environment().get_template(template).render(**data)


class UnsafeSvg(ValueError):
    """An SVG that cannot be inlined: not well-formed, or it holds script or external links."""


_FORBIDDEN = {"script", "foreignObject", "iframe", "object", "embed", "image", "use"}
_URL_REF = re.compile(r"url\(\s*['\"]?#([^)'\"]+)['\"]?\s*\)")
_ANY_URL = re.compile(r"url\(\s*['\"]?(.?)", re.IGNORECASE)


def inline_svg(svg: str, prefix: str) -> Markup:
    """`svg` checked and made safe to place inside an HTML page, as Markup.

    Refuses (UnsafeSvg) script elements, foreign content, event-handler attributes and any
    reference that is not to an element of the same SVG; renames every id to `prefix-id` (and
    the references to it) so that two charts on one page never share an id. Text nodes and
    attribute values are re-escaped by the serializer, whatever the chart library wrote.
    """
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as err:
        raise UnsafeSvg(f"not well-formed SVG: {err}") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise UnsafeSvg(f"not an SVG document: <{root.tag}>")
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for el in root.iter():
        _check_element(el, ids, prefix)
    return Markup(ET.tostring(root, encoding="unicode"))


def _check_element(el: ET.Element, ids: set[str | None], prefix: str) -> None:
    name = el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""
    if name in _FORBIDDEN:
        raise UnsafeSvg(f"<{name}> is not allowed in an inline chart")
    if name == "style" and ("@import" in (el.text or "") or "url(" in (el.text or "")):
        raise UnsafeSvg("a stylesheet that loads anything is not allowed in an inline chart")
    for attr, value in list(el.attrib.items()):
        local = attr.rpartition("}")[2].lower()
        if local.startswith("on"):
            raise UnsafeSvg(f"event handler {local} is not allowed in an inline chart")
        if local == "href":
            if not value.startswith("#") or value[1:] not in ids:
                raise UnsafeSvg(f"link {value!r} is not allowed in an inline chart")
            el.set(attr, f"#{prefix}-{value[1:]}")
        elif local == "id":
            el.set(attr, f"{prefix}-{value}")
        elif "url(" in value.lower():
            if any(m.group(1) != "#" for m in _ANY_URL.finditer(value)):
                raise UnsafeSvg(f"external reference in {local} is not allowed")
            el.set(attr, _URL_REF.sub(lambda m: f"url(#{prefix}-{m.group(1)})", value))
