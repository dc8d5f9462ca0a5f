"""Messages in Chinese and English: a catalog of templates keyed by diagnostic code.

In: a key and named arguments (`msg("L006", key="id", first=3, again=7)`). Out: the text in
`zh` or `en` (`render(text, lang)`). Keys are a diagnostic code (`L006`), optionally with a
variant after a slash (`L009/octal`), and the parts of a finding after a dot (`L006.help`,
`L006.label`, `L006.note`); `hint.*` keys are phrases shared by several findings.

How to add a diagnostic (docs/codes.md says the same):
1. add its row to docs/codes.md;
2. add `"X123": (english, chinese)` (and `X123.help`, `X123.label` if it has them) to the
   catalog module of its stage (`load`, `expr`, `rules`, `usage`, `analysis`, `columnar`,
   `service`);
3. raise it with `Diagnostic.of("X123", span, name=value, ...)`.
`tests/unit/test_messages.py` fails when a code lacks a language, when the two languages name
different arguments, when a key used in the code is not in the catalog, or when a diagnostic is
built from a bare English string.

Arguments may themselves be messages (`hint=msg("hint.did_you_mean", option="x")`): they are
rendered in the same language. `Both(en, zh)` carries text that comes in both languages from
elsewhere (a schema's bilingual description). A plain `str` is never translated (user text,
file names, values).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from string import Formatter

from clause.engine.messages import analysis as _analysis
from clause.engine.messages import columnar as _columnar
from clause.engine.messages import expr as _expr
from clause.engine.messages import load as _load
from clause.engine.messages import rules as _rules
from clause.engine.messages import service as _service
from clause.engine.messages import usage as _usage

LANGS = ("zh", "en")
DEFAULT_LANG = "en"

#: Every template, by key: (English, Chinese).
CATALOG: Mapping[str, tuple[str, str]] = {
    **_load.MESSAGES,
    **_expr.MESSAGES,
    **_rules.MESSAGES,
    **_usage.MESSAGES,
    **_analysis.MESSAGES,
    **_columnar.MESSAGES,
    **_service.MESSAGES,
}


@dataclass(frozen=True, slots=True)
class Msg:
    """A catalog message with its arguments, rendered in a language when shown."""

    key: str
    args: tuple[tuple[str, str | int | Msg | Both], ...] = ()

    def render(self, lang: str) -> str:
        en, zh = CATALOG[self.key]
        template = zh if lang == "zh" else en
        values = {name: render(value, lang) for name, value in self.args}
        return template.format_map(values)

    def __str__(self) -> str:
        return self.render(DEFAULT_LANG)


@dataclass(frozen=True, slots=True)
class Both:
    """Text that already exists in both languages (a schema's bilingual title, say)."""

    en: str
    zh: str

    def render(self, lang: str) -> str:
        return self.zh if lang == "zh" and self.zh else self.en

    def __str__(self) -> str:
        return self.en


Text = str | Msg | Both


def msg(key: str, /, **args: object) -> Msg:
    """A message from the catalog; arguments that are not text, numbers or messages are shown
    with str(). Raises KeyError at once for a key the catalog does not have.

    >>> msg("hint.did_you_mean", option="transport_cost").render("zh")
    '是否想写 `transport_cost`？'
    """
    if key not in CATALOG:
        raise KeyError(f"no message {key!r} in the catalog")
    return Msg(key, tuple((name, _arg(value)) for name, value in sorted(args.items())))


def _arg(value: object) -> str | int | Msg | Both:
    if isinstance(value, str | Msg | Both):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def render(text: Text | int, lang: str) -> str:
    """A text in `lang`: catalog messages and bilingual texts translated, plain text as is."""
    if isinstance(text, Msg | Both):
        return text.render(lang)
    return str(text)


def os_reason(error: OSError) -> Msg:
    """Why the system refused a file, in both languages where the reason is a common one."""
    name = errno.errorcode.get(error.errno or 0, "")
    if f"os.{name}" in CATALOG:
        return msg(f"os.{name}")
    return msg("os.other", reason=(error.strerror or type(error).__name__).lower())


def placeholders(template: str) -> set[str]:
    """The argument names a template uses.

    >>> sorted(placeholders("a {x} b {y:,}"))
    ['x', 'y']
    """
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def lang_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The language of the user's locale: `zh` when the first of LC_ALL, LC_MESSAGES, LANG
    that is set starts with `zh` (zh_CN.UTF-8, zh_TW…), else `en`.

    >>> lang_from_env({"LANG": "zh_CN.UTF-8"}), lang_from_env({"LC_ALL": "C", "LANG": "zh_CN"})
    ('zh', 'en')
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return DEFAULT_LANG


__all__ = [
    "CATALOG",
    "DEFAULT_LANG",
    "LANGS",
    "Both",
    "Msg",
    "Text",
    "lang_from_env",
    "msg",
    "os_reason",
    "placeholders",
    "render",
]
