"""Escaping user text for where it is shown: terminals, Markdown, GitHub workflow commands.

In: text that may come from a user (fact values, YAML keys, file names, quotes). Out: the same
text made inert for one output format. Facts are user input: a value must never move a
terminal's cursor, forge a CI annotation, or become HTML in a report.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional overrides that
# can reorder what a reader sees (Trojan Source).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""Control characters shown as escapes instead of acting on the terminal.

    >>> printable("a\x1b[31mb")
    'a\\x1b[31mb'
    """
    return _CONTROL.sub(lambda m: _escaped(m.group()), text)


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable_line(text: str) -> str:
    r"""`printable`, and line breaks shown as `\n`: for one-line outputs.

    >>> printable_line("a\nb")
    'a\\nb'
    """
    return printable(text).replace("\r", "\\r").replace("\n", "\\n")


# Only what can start a construct mid-line: emphasis, code, links, strikethrough, table cells.
# Line-start constructs (#, -, >) cannot occur: every line the renderer writes has a prefix.
# An underscore inside a word (person.poverty_alleviated) never emphasises: left as written.
_MD_SPECIAL = re.compile(r"([\\`*\[\]|~]|(?<!\w)_|_(?!\w))")


def markdown_text(text: str) -> str:
    r"""Text that Markdown shows as written: HTML inert, specials escaped, one line.

    >>> markdown_text("<script>x</script> *a*")
    '&lt;script&gt;x&lt;/script&gt; \\*a\\*'
    """
    text = printable_line(text.replace("\r\n", " ").replace("\n", " "))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def markdown_cell(text: str) -> str:
    """Text for a table cell: as `markdown_text` (which also escapes `|`)."""
    return markdown_text(text)


def markdown_code(text: str) -> str:
    """An inline code span that holds `text` whatever backticks it contains; `|` escaped for
    tables (GitHub reads `\\|` as a pipe even inside code), newlines as spaces.

    >>> markdown_code("a`b")
    '``a`b``'
    """
    text = printable(text.replace("\r\n", " ").replace("\n", " ")).replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
