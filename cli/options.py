"""Options shared by commands: formats, the language, the package, exit codes.

Light on purpose: the app imports this module at start-up, so it imports nothing but Typer.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated

import typer

from clause.engine.messages import lang_from_env


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2
    INTERNAL = 3


class Format(StrEnum):
    """The output format shared by commands that print text or JSON."""

    text = "text"
    json = "json"


class ExplainFormat(StrEnum):
    text = "text"
    json = "json"
    md = "md"
    html = "html"


class TestFormat(StrEnum):
    text = "text"
    json = "json"
    junit = "junit"


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


LangOption = Annotated[
    Lang | None,
    typer.Option(
        "--lang",
        help="Output language: zh or en (default: from the locale, LC_ALL, LC_MESSAGES or LANG).",
    ),
]

PackageOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--package",
        help="Decide under this package only (repeatable), with the documents it relies on.",
    ),
]

LibraryOption = Annotated[
    Path | None,
    typer.Option("--library", help="The policy library folder (default: policies/)."),
]


#: The language the whole command line asked for (`clause --lang zh check` puts it before the
#: command), set by `main` before the command runs.
_line_lang: list[str] = []


def choose_language(lang: str) -> None:
    _line_lang[:] = [lang]


def language(lang: Lang | None) -> str:
    """The language asked for on the command, else on the command line, else the locale's
    (zh when it starts with zh, else en)."""
    if lang is not None:
        return lang.value
    return _line_lang[0] if _line_lang else lang_from_env()
