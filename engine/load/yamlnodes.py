"""Compose YAML into PyYAML nodes under limits, then build plain data, spans and string sources.

In: decoded YAML text and `Limits`. Out: `build_data` -> `Built`: plain data, a Span for every
value and key, and where each string's text sits; or DiagnosticError. The rules of the dialect
(tags, duplicate keys, merge keys, aliases, depth) are enforced here; plain scalars are typed by
`engine.scalars`. `engine.loader` is the public face of this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.load.scalars import ScalarProblem, resolve_plain
from clause.engine.messages import Msg, msg
from clause.engine.source import Span, line_of, offset_to_line_col

_PLAIN_TAG = "!clause/plain"  # an untagged plain scalar: typed by `resolve_plain`, not PyYAML
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


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


class _Fatal(Exception):
    """Stops loading: the file is too deep, too expansive or cyclic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass(frozen=True, slots=True)
class _Alias:
    """A `*name` in the file: the node it refers to, and where the alias itself is written."""

    node: yaml.Node | None
    start_mark: Any
    end_mark: Any
    anchor: str | None


class _Composer(yaml.SafeLoader):
    """SafeLoader that leaves plain scalars untyped and counts depth and aliases as it goes."""

    def __init__(self, text: str, file: str, limits: Limits) -> None:
        super().__init__(text)
        self.file, self.source, self.limits = file, text, limits
        self.depth = 0
        self.alias_count = 0

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN_TAG
        return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > self.limits.max_aliases:
                raise _Fatal(
                    _mark_diagnostic(
                        self.file,
                        self.source,
                        "L012/count",
                        event.start_mark,
                        max=self.limits.max_aliases,
                    )
                )
            node = super().compose_node(parent, index)
            return _Alias(node, event.start_mark, event.end_mark, event.anchor)
        nested = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        self.depth += nested
        try:
            if self.depth > self.limits.max_depth:
                raise _Fatal(
                    _mark_diagnostic(
                        self.file, self.source, "L011", event.start_mark, max=self.limits.max_depth
                    )
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= nested


@dataclass(frozen=True, slots=True)
class Built:
    """Plain data with the Span of every value and key, and the sources of its strings."""

    data: Any
    spans: dict[str, Span]
    key_spans: dict[str, Span]
    strings: dict[str, StringSource]


def build_data(text: str, file: str, limits: Limits) -> Built:
    """Compose and build one YAML document; DiagnosticError carries every L diagnostic."""
    root = _compose(text, file, limits)
    builder = _Builder(file, text, limits)
    if root is None:  # an empty file
        return Built(None, {"": Span(file, 1, 1, 1, 1)}, {}, {})
    try:
        data = builder.build(root, "", 0)
    except _Fatal as fatal:
        raise DiagnosticError([fatal.diagnostic]) from None
    if builder.diagnostics:
        raise DiagnosticError(sorted(builder.diagnostics, key=Diagnostic.sort_key))
    return Built(data, builder.spans, builder.key_spans, builder.strings)


def _compose(text: str, file: str, limits: Limits) -> yaml.Node | None:
    composer = None
    try:
        composer = _Composer(text, file, limits)  # the reader checks characters right here
        return composer.get_single_node()
    except _Fatal as fatal:
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


class _Builder:
    """Turns the node graph into plain data; collects recoverable diagnostics as it goes."""

    def __init__(self, file: str, text: str, limits: Limits) -> None:
        self.file, self.text, self.limits = file, text, limits
        self.spans: dict[str, Span] = {}
        self.key_spans: dict[str, Span] = {}
        self.strings: dict[str, StringSource] = {}
        self.diagnostics: list[Diagnostic] = []
        self.expanding = 0  # > 0 while inside an alias expansion
        self.expanded = 0  # values produced by alias expansion so far
        self.outer: _Alias | None = None  # the alias whose expansion is under way
        self.active: set[int] = set()  # collections being built, to catch `&a [*a]`

    def build(self, node: Any, pointer: str, depth: int) -> Any:
        if isinstance(node, _Alias):
            return self._alias(node, pointer, depth)
        if self.expanding:
            self._count_expansion()
        self.spans[pointer] = mark_span(self.file, node.start_mark, node.end_mark)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, pointer)
        self._enter(node, depth)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                self._check_tag(node, _SEQ_TAG)
                return [
                    self.build(item, f"{pointer}/{i}", depth + 1)
                    for i, item in enumerate(node.value)
                ]
            self._check_tag(node, _MAP_TAG)
            return self._mapping(node, pointer, depth)
        finally:
            self.active.discard(id(node))

    def _enter(self, node: yaml.Node, depth: int) -> None:
        """Refuse a collection nested too deep or inside itself; both only happen via aliases,
        as the composer already bounds the depth of the text."""
        if depth >= self.limits.max_depth:
            raise _Fatal(self._at(node, "L011/alias", max=self.limits.max_depth))
        if id(node) in self.active:
            raise _Fatal(self._at(node, "L013"))

    def _count_expansion(self) -> None:
        self.expanded += 1
        if self.expanded > self.limits.max_alias_values and self.outer is not None:
            raise _Fatal(
                self._at(
                    self.outer,
                    "L012/expand",
                    max=self.limits.max_alias_values,
                    anchor=self.outer.anchor,
                )
            )

    def _alias(self, alias: _Alias, pointer: str, depth: int) -> Any:
        if not self.expanding:
            self.outer = alias
        self.expanding += 1
        try:
            value = self.build(alias.node, pointer, depth)
        finally:
            self.expanding -= 1
        self.spans[pointer] = mark_span(self.file, alias.start_mark, alias.end_mark)
        return value

    def _mapping(self, node: yaml.MappingNode, pointer: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key is None:
                continue
            child = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
            if key in first:
                self._duplicate(key, first[key], key_node)
                continue
            first[key] = key_node
            self.key_spans[child] = self._span(key_node)
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def _key(self, key_node: Any) -> str | None:
        node = key_node.node if isinstance(key_node, _Alias) else key_node
        if not isinstance(node, yaml.ScalarNode):
            self._add(key_node, "L015")
            return None
        if node.tag not in (_PLAIN_TAG, _STR_TAG):
            self._bad_tag(node)
            return None
        if node.tag == _PLAIN_TAG and node.value == "<<":
            self._add(node, "L014")
            return None
        return str(node.value)

    def _duplicate(self, key: str, first: Any, again: Any) -> None:
        first_line = self._span(first).line
        again_line = self._span(again).line
        self._add(
            again,
            "L006",
            key=key,
            first=first_line,
            again=again_line,
            notes=(msg("note.first_written", where=str(self._span(first))),),
        )

    def _scalar(self, node: yaml.ScalarNode, pointer: str) -> Any:
        if node.tag == _PLAIN_TAG:
            try:
                value = resolve_plain(node.value)
            except ScalarProblem as problem:
                self._add(node, problem.key, **problem.params)
                return None
        elif node.tag == _STR_TAG:
            value = node.value
        else:
            self._bad_tag(node)
            return None
        if isinstance(value, str):
            start = node.start_mark
            self.strings[pointer] = StringSource(
                start.index, node.end_mark.index, node.style, start.line + 1, start.column + 1
            )
        return value

    def _check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            self._bad_tag(node)

    def _bad_tag(self, node: yaml.Node) -> None:
        tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
        self._add(node, "L007", tag=tag)

    def _span(self, node: Any) -> Span:
        return mark_span(self.file, node.start_mark, node.end_mark)

    def _at(self, node: Any, key: str, /, **kw: Any) -> Diagnostic:
        span = self._span(node)
        if span.end_line != span.line:  # a whole block: point at its first character only
            span = Span(self.file, span.line, span.col, span.line, span.col + 1)
        return Diagnostic.of(key, span, source_line=line_of(self.text, span.line), **kw)

    def _add(self, node: Any, key: str, /, **kw: Any) -> None:
        self.diagnostics.append(self._at(node, key, **kw))
