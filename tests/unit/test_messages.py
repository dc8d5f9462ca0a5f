"""Every message in both languages: the catalog, the codes it documents, the CLI's help and words.

These tests fail when a diagnostic code lacks Chinese or English, when the two languages of a
template name different arguments, when code uses a catalog key that does not exist, when a
diagnostic is built from a bare English string instead of a catalog message, when docs/codes.md
and the catalog disagree on which codes exist, or when a command, option or argument of the
CLI has no Chinese help.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import typer

from clause.cli.app import app
from clause.cli.i18n import HELP_ZH, WORDS, commands_of, help_key
from clause.engine.messages import CATALOG, placeholders

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "engine").rglob("*.py"), *(ROOT / "cli").rglob("*.py")])
CODE = re.compile(r"^[A-Z][0-9]{3}$")


def _code(key: str) -> str:
    return key.split("/")[0].split(".")[0]


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_message_has_both_languages_with_the_same_arguments(key: str) -> None:
    en, zh = CATALOG[key]
    assert en.strip() and zh.strip(), f"{key}: a language is empty"
    only_en = placeholders(en) - placeholders(zh)
    assert all(name.endswith("_word") for name in only_en), f"{key}: zh lacks {only_en}"
    assert placeholders(zh) <= placeholders(en), (
        f"{key}: zh names {placeholders(zh) - placeholders(en)}"
    )


def documented_codes() -> set[str]:
    text = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\|\s*([A-Z][0-9]{3})\s*\|", text, re.MULTILINE))


def catalog_codes() -> set[str]:
    return {_code(k) for k in CATALOG if CODE.match(_code(k))}


def test_every_documented_code_has_messages() -> None:
    missing = documented_codes() - catalog_codes()
    assert not missing, f"codes in docs/codes.md with no message in engine/messages: {missing}"


def test_every_code_with_messages_is_documented() -> None:
    missing = catalog_codes() - documented_codes()
    assert not missing, f"codes in engine/messages missing from docs/codes.md: {missing}"


def _calls() -> list[tuple[Path, ast.Call]]:
    out = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        out += [(path, node) for node in ast.walk(tree) if isinstance(node, ast.Call)]
    return out


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


KEYED = {
    "msg",
    "of",
    "finding",
    "input_finding",
    "_fail",
    "_at",
    "_add",
    "_mark_diagnostic",
    "_usage",
    "SetupError",
    "MarksError",
    "RuleSetError",
    "DatabaseUrlError",
}


def test_every_key_used_in_the_code_is_in_the_catalog() -> None:
    unknown = []
    for path, call in _calls():
        if _name(call) not in KEYED:
            continue
        for arg in call.args[:3]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                keyed = re.match(r"^([A-Z][0-9]{3}|hint|note|kind|expect|what|a|os)\b", arg.value)
                if keyed and arg.value not in CATALOG:
                    unknown.append(f"{path.relative_to(ROOT)}:{call.lineno}: {arg.value}")
                break
    assert not unknown, "keys not in the catalog:\n" + "\n".join(unknown)


def _english(node: ast.expr) -> bool:
    """A literal text (or f-string) with words in it: a message written in one language. JSON
    pointers (`/versions/0/id`, f"{base}/valid") are places, not messages."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(re.search(r"[A-Za-z]{2}", node.value)) and not node.value.startswith("/")
    if isinstance(node, ast.JoinedStr):
        head = node.values[0] if node.values else None
        pointer = isinstance(head, ast.FormattedValue) or (
            isinstance(head, ast.Constant) and str(head.value).startswith("/")
        )
        return not pointer
    return False


def test_no_diagnostic_is_built_from_a_bare_english_string() -> None:
    """A finding's message, label and help come from the catalog (msg, Diagnostic.of) or
    from text that exists in both languages (Both), never from a literal in the code."""
    bare = []
    for path, call in _calls():
        args = call.args
        codes = [
            i
            for i, a in enumerate(args)
            if isinstance(a, ast.Constant) and isinstance(a.value, str) and CODE.match(a.value)
        ]
        if not codes:
            continue
        after = args[codes[0] + 1 :]
        texts = [a for a in after[:1] if _english(a)]
        texts += [
            k.value for k in call.keywords if k.arg in ("label", "help") and _english(k.value)
        ]
        if texts:
            bare.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert not bare, "diagnostics built from English text:\n" + "\n".join(bare)


def _commands() -> list[tuple[str, object]]:
    """The app, its commands and the commands of its groups (`ledger grants`)."""
    return commands_of(typer.main.get_command(app))


@pytest.mark.parametrize(("name", "command"), _commands(), ids=lambda c: str(c) or "clause")
def test_every_command_and_option_has_chinese_help(name: str, command: object) -> None:
    assert name in HELP_ZH, f"command `{name}` has no Chinese help in cli/i18n.py HELP_ZH"
    for param in getattr(command, "params", []):
        if getattr(param, "hidden", False):
            continue
        key = help_key(name, param)
        assert key in HELP_ZH, f"`{key}` has no Chinese help in cli/i18n.py HELP_ZH"


def test_every_command_takes_lang() -> None:
    for name, command in _commands()[1:]:
        options = {o for p in getattr(command, "params", []) for o in getattr(p, "opts", [])}
        assert "--lang" in options, f"`clause {name}` has no --lang"


@pytest.mark.parametrize("key", sorted(WORDS))
def test_every_word_of_the_cli_has_both_languages(key: str) -> None:
    en, zh = WORDS[key]
    assert en.strip() and zh.strip()
    assert placeholders(zh) <= placeholders(en), key
