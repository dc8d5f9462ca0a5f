"""Failures to messages: every exception that ends a command, shown on stderr in the user's
language, and the exit code it stands for.

In: the exception, the language and the command line. Out: the exit code (engine.api errors
2, runtime errors in expressions 1, usage errors 2, Ctrl-C 130, a closed pipe 141, anything
unforeseen 3 with one line naming it: a bug, never a traceback).
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

import typer

from clause.cli.i18n import t
from clause.cli.options import ExitCode
from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.messages import msg
from clause.engine.source import Span

COMMAND_LINE = Span("<command line>", 1, 1, 1, 1)
SIGPIPE_EXIT = 141


def need_extra(code: str, modules: tuple[str, ...]) -> None:
    """Fail with `code` (exit 2, naming the missing module) when an optional extra a command
    needs is not installed; each command's code says which extra to install."""
    import importlib

    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as err:
            finding = Diagnostic.of(code, COMMAND_LINE, missing=err.name or module)
            raise DiagnosticError([finding]) from None


def report_failure(exc: BaseException, lang: str, argv: list[str]) -> int:
    """Show `exc` on stderr in `lang`; return the exit code."""
    from clause.engine.expr.values import EvalError

    if isinstance(exc, BrokenPipeError):
        _quiet_stdout()
        return SIGPIPE_EXIT
    if isinstance(exc, typer.Exit):
        return int(exc.exit_code)
    if isinstance(exc, typer.Abort | KeyboardInterrupt):
        _line(t("main.aborted", lang))
        return 130
    if isinstance(exc, DiagnosticError):
        _diagnostics(list(exc.diagnostics), lang)
        return ExitCode.USAGE
    if isinstance(exc, EvalError):
        _diagnostics([exc.diagnostic()], lang)
        return ExitCode.FINDINGS
    if _is_usage_error(exc):
        return _usage(exc, lang, argv)
    if isinstance(exc, Exception) and hasattr(exc, "format_message"):  # other Click errors
        _line(f"error: {exc.format_message()}")
        return ExitCode.USAGE
    _line(t("main.internal", lang, error=f"{type(exc).__name__}: {exc}"))
    return ExitCode.INTERNAL


def _is_usage_error(exc: BaseException) -> bool:
    return getattr(exc, "exit_code", None) == 2 and hasattr(exc, "ctx")


def _usage(exc: Any, lang: str, argv: list[str]) -> int:
    """A Click usage error as a U005 finding, with the usage line and where to find help."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        _line(exc.format_message())
        return ExitCode.USAGE
    finding = _usage_finding(exc, argv)
    notes: list[str] = []
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        usage = ctx.get_usage().removeprefix("Usage: ")
        notes.append(t("main.usage", lang, usage=usage))
        notes.append(t("main.try_help", lang, command=ctx.command_path))
    _diagnostics([finding], lang, notes)
    return ExitCode.USAGE


def _usage_finding(exc: Any, argv: list[str]) -> Diagnostic:
    kind = type(exc).__name__
    if kind == "NoSuchOption":
        option = str(getattr(exc, "option_name", ""))
        looks_like_expr = option[1:2].isdigit() or " " in option or option[1:2] in "([-"
        help_text = msg("U005/option.help") if looks_like_expr or "expr" in argv[:1] else None
        return Diagnostic.of("U005/option", COMMAND_LINE, option=option, help=help_text)
    message = str(exc.format_message())
    if kind == "NoSuchCommand" or message.startswith("No such command"):
        command = message.removeprefix("No such command").strip(" '.")
        return Diagnostic.of("U005/command", COMMAND_LINE, command=command)
    if kind == "MissingParameter":
        return Diagnostic.of("U005/missing", COMMAND_LINE, what=message.removeprefix("Missing "))
    return Diagnostic.of("U005", COMMAND_LINE, reason=message)


def _diagnostics(items: list[Diagnostic], lang: str, notes: list[str] | None = None) -> None:
    from clause.cli import render

    err = render.make_console(stderr=True)
    render.diagnostics(items, err, "text", lang)
    for note in notes or []:
        err.print(note, markup=False, highlight=False)


def _line(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr)


def _quiet_stdout() -> None:
    """After a closed pipe, send what is left of stdout nowhere, so exiting prints nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
