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


# GitHub workflow commands (`::error file=…,line=…::message`): the runner decodes %25, %0D and
# %0A in the message, and also %3A and %2C in property values, which `:` and `,` would end.
def github_message(text: str) -> str:
    r"""Text for the message of a workflow command: one line, nothing it can forge.

    >>> github_message("a\n::warning file=x::forged 100%")
    'a%0A::warning file=x::forged 100%25'
    """
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """Text for a property value of a workflow command (`file=`, `title=`).

    >>> github_property("a,b:c")
    'a%2Cb%3Ac'
    """
    return github_message(text).replace(":", "%3A").replace(",", "%2C")


# XML 1.0 allows tab, newline and carriage return among the C0 controls, and nothing of
# U+FFFE, U+FFFF or unpaired surrogates: a report with one of them is not XML at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Character data for XML (JUnit reports): markup escaped, characters XML forbids shown
    as escapes.

    >>> xml_text("a<b & \\x1b")
    'a&lt;b &amp; \\\\x1b'
    """
    text = _NOT_XML.sub(lambda m: _escaped(m.group()), printable(text))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(text: str) -> str:
    """A quoted XML attribute value (with its quotes), on one line."""
    value = xml_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
    value = value.replace("\t", "&#9;")
    return f'"{value}"'
