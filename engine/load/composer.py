"""Compose YAML into PyYAML nodes under limits: the first half of reading a YAML file.

In: decoded YAML text and `Limits`. Out: the root node (None for an empty file), with plain
scalars tagged for `engine.load.scalars`, every alias kept as an `Alias` (so the builder can
bound what aliases expand to), or DiagnosticError (L002 characters, L004 syntax, L005 several
documents, L011 depth, L012 aliases). `engine.load.yamlnodes` builds the data from the nodes.

Two composers give the same nodes: the careful one, PyYAML's pure-Python parser with our rules
(`_Rules`), and libyaml's, used when libyaml is installed and the text has no alias, no error
and no nesting beyond the limit (one pass over libyaml's events says so). Anything else goes to
the careful one, so each diagnostic reads the same whichever way a file went, and the property
tests hold the two to the same result. Why: the pure-Python parser costs about 50 µs a key; a
5 MB facts file of 300,000 keys took half a minute, mostly in PyYAML and in the garbage
collector walking its millions of objects, which is paused while a file is composed and built
(benchmarks/bench_load.py measures both ways).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import yaml

from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.messages import Msg, msg
from clause.engine.source import Span, line_of, offset_to_line_col

PLAIN_TAG = "!clause/plain"  # an untagged plain scalar: typed by `resolve_plain`, not PyYAML
STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one YAML file may cost to load."""

    max_bytes: int = 5 * 1024 * 1024
    max_depth: int = 64  # nested mappings and lists
    max_aliases: int = 100  # `*name` uses in one file
    max_alias_values: int = 10_000  # values produced by expanding aliases, in total


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class StringSource:
    """Where a string value's text sits, kept so its TextMap can be built when first needed."""

    start: int
    end: int
    style: str | None
    line: int
    col: int


class Fatal(Exception):
    """Stops loading: the file is too deep, too expansive or cyclic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass(frozen=True, slots=True)
class Alias:
    """A `*name` in the file: the node it refers to, and where the alias itself is written."""

    node: yaml.Node | None
    start_mark: Any
    end_mark: Any
    anchor: str | None


class _Rules:
    """What both composers do: leave plain scalars untyped, count depth and aliases."""

    file: str
    source: str
    limits: Limits
    depth: int
    alias_count: int

    def _start(self, text: str, file: str, limits: Limits) -> None:
        self.file, self.source, self.limits = file, text, limits
        self.depth = 0
        self.alias_count = 0

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return PLAIN_TAG
        return str(super().resolve(kind, value, implicit))  # type: ignore[misc]

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > self.limits.max_aliases:
                raise Fatal(
                    _mark_diagnostic(
                        self.file,
                        self.source,
                        "L012/count",
                        event.start_mark,
                        max=self.limits.max_aliases,
                    )
                )
            node = super().compose_node(parent, index)  # type: ignore[misc]
            return Alias(node, event.start_mark, event.end_mark, event.anchor)
        nested = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        self.depth += nested
        try:
            if self.depth > self.limits.max_depth:
                raise Fatal(
                    _mark_diagnostic(
                        self.file, self.source, "L011", event.start_mark, max=self.limits.max_depth
                    )
                )
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self.depth -= nested


class _Composer(_Rules, yaml.SafeLoader):
    """The careful composer: PyYAML's pure-Python reader, scanner and parser."""

    def __init__(self, text: str, file: str, limits: Limits) -> None:
        yaml.SafeLoader.__init__(self, text)
        self._start(text, file, limits)


_CLoader: Any = getattr(yaml, "CSafeLoader", None)
_NESTING = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSING = (yaml.SequenceEndEvent, yaml.MappingEndEvent)

if _CLoader is not None:

    class _FastComposer(_CLoader):  # type: ignore[misc]
        """libyaml's composer, plain scalars left untyped as the careful one leaves them.
        Only used on text `_simple` has cleared: no aliases, nesting within the limit
        (libyaml's composer recurses in C, with no limit of its own)."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is yaml.ScalarNode and implicit[0]:
                return PLAIN_TAG
            return str(super().resolve(kind, value, implicit))


def _simple(text: str, max_depth: int) -> bool:
    """Whether libyaml parses `text` with no alias, no error and nesting at most `max_depth`,
    and the text has no character PyYAML's reader refuses (libyaml's set differs slightly)."""
    if yaml.reader.Reader.NON_PRINTABLE.search(text):
        return False
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_CLoader):
            if isinstance(event, _NESTING):
                depth += 1
                if depth > max_depth:
                    return False
            elif isinstance(event, _CLOSING):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                return False
    except yaml.YAMLError:
        return False
    return True


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file is composed and built: its nodes form no
    cycles that outlive the build, and each full collection would walk every node so far."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compose(text: str, file: str, limits: Limits, fast: bool = True) -> yaml.Node | None:
    """The root node of `text` (None when empty); DiagnosticError as the careful composer
    words it. With `fast`, libyaml composes the text when `_simple` clears it."""
    if fast and _CLoader is not None and _simple(text, limits.max_depth):
        composer = _FastComposer(text)
        try:
            return _styled(composer.get_single_node())
        except yaml.YAMLError:
            pass  # e.g. several documents: the careful composer words it
        finally:
            composer.dispose()
    return _careful(text, file, limits)


def _styled(root: yaml.Node | None) -> yaml.Node | None:
    """libyaml gives a plain scalar the style "", PyYAML None: make them agree."""
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Alias):
            continue  # its node is reached where the anchor is defined
        if isinstance(node, yaml.ScalarNode):
            node.style = node.style or None
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return root


def _careful(text: str, file: str, limits: Limits) -> yaml.Node | None:
    composer = None
    try:
        composer = _Composer(text, file, limits)  # the reader checks characters right here
        return composer.get_single_node()
    except Fatal as fatal:
        raise DiagnosticError([fatal.diagnostic]) from None
    except yaml.MarkedYAMLError as error:
        raise DiagnosticError([_syntax_diagnostic(file, text, error)]) from None
    except yaml.reader.ReaderError as error:
        line, col = offset_to_line_col(text, error.position)
        span = Span(file, line, col, line, col + 1)
        diagnostic = Diagnostic.of(
            "L002/control",
            span,
            source_line=line_of(text, line),
            code=f"{error.character:04X}",
        )
        raise DiagnosticError([diagnostic]) from None
    finally:
        if composer is not None:
            composer.dispose()


_SYNTAX_HELP = (
    ("'\\t'", "hint.yaml.tab"),
    ("mapping values are not allowed", "hint.yaml.colon"),
    ("could not find expected ':'", "hint.yaml.no_colon"),
    ("undefined alias", "hint.yaml.alias"),
    ("expected <block end>", "hint.yaml.indent"),
    ("found unexpected end of stream", "hint.yaml.unclosed"),
)


def _syntax_diagnostic(file: str, text: str, error: yaml.MarkedYAMLError) -> Diagnostic:
    problem = error.problem or error.context or "invalid YAML"
    mark = error.problem_mark or error.context_mark
    if "expected a single document" in (error.context or ""):
        return _mark_diagnostic(file, text, "L005", mark)
    hint = next((msg(h) for key, h in _SYNTAX_HELP if key in problem), None)
    notes: tuple[Msg, ...] = ()
    if error.context and error.context_mark is not None and error.problem_mark is not None:
        where = f"{file}:{error.context_mark.line + 1}:{error.context_mark.column + 1}"
        notes = (msg("note.yaml.context", context=error.context, where=where),)
    return _mark_diagnostic(file, text, "L004", mark, help=hint, notes=notes, problem=problem)


def mark_span(file: str, start: Any, end: Any = None) -> Span:
    if start is None:
        return Span(file, 1, 1, 1, 2)
    end = end if end is not None and end.index > start.index else None
    if end is None:
        return Span(file, start.line + 1, start.column + 1, start.line + 1, start.column + 2)
    return Span(file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _mark_diagnostic(file: str, text: str, key: str, start: Any, /, **kw: Any) -> Diagnostic:
    """The catalog finding `key` at a PyYAML mark, with the source line."""
    span = mark_span(file, start)
    return Diagnostic.of(key, span, source_line=line_of(text, span.line), **kw)


# --- building: nodes to plain data, spans and string sources -----------------------------------
