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
from clause.engine.load.composer import (
    MAP_TAG,
    PLAIN_TAG,
    SEQ_TAG,
    STR_TAG,
    Alias,
    Fatal,
    Limits,
    StringSource,
    collector_paused,
    compose,
    mark_span,
)
from clause.engine.load.scalars import ScalarProblem, resolve_plain
from clause.engine.messages import msg
from clause.engine.source import Span, line_of


@dataclass(frozen=True, slots=True)
class Built:
    """Plain data with the Span of every value and key, and the sources of its strings."""

    data: Any
    spans: dict[str, Span]
    key_spans: dict[str, Span]
    strings: dict[str, StringSource]


def build_data(text: str, file: str, limits: Limits, *, fast: bool = True) -> Built:
    """Compose and build one YAML document; DiagnosticError carries every L diagnostic.

    With `fast`, libyaml composes the text when it can do so within the rules
    (engine.load.fastyaml); the result is the same node tree as the pure-Python composer's."""
    with collector_paused():
        root = compose(text, file, limits, fast)
        builder = _Builder(file, text, limits)
        if root is None:  # an empty file
            return Built(None, {"": Span(file, 1, 1, 1, 1)}, {}, {})
        try:
            data = builder.build(root, "", 0)
        except Fatal as fatal:
            raise DiagnosticError([fatal.diagnostic]) from None
    if builder.diagnostics:
        raise DiagnosticError(sorted(builder.diagnostics, key=Diagnostic.sort_key))
    return Built(data, builder.spans, builder.key_spans, builder.strings)


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
        self.outer: Alias | None = None  # the alias whose expansion is under way
        self.active: set[int] = set()  # collections being built, to catch `&a [*a]`

    def build(self, node: Any, pointer: str, depth: int) -> Any:
        if isinstance(node, Alias):
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
                self._check_tag(node, SEQ_TAG)
                return [
                    self.build(item, f"{pointer}/{i}", depth + 1)
                    for i, item in enumerate(node.value)
                ]
            self._check_tag(node, MAP_TAG)
            return self._mapping(node, pointer, depth)
        finally:
            self.active.discard(id(node))

    def _enter(self, node: yaml.Node, depth: int) -> None:
        """Refuse a collection nested too deep or inside itself; both only happen via aliases,
        as the composer already bounds the depth of the text."""
        if depth >= self.limits.max_depth:
            raise Fatal(self._at(node, "L011/alias", max=self.limits.max_depth))
        if id(node) in self.active:
            raise Fatal(self._at(node, "L013"))

    def _count_expansion(self) -> None:
        self.expanded += 1
        if self.expanded > self.limits.max_alias_values and self.outer is not None:
            raise Fatal(
                self._at(
                    self.outer,
                    "L012/expand",
                    max=self.limits.max_alias_values,
                    anchor=self.outer.anchor,
                )
            )

    def _alias(self, alias: Alias, pointer: str, depth: int) -> Any:
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
        node = key_node.node if isinstance(key_node, Alias) else key_node
        if not isinstance(node, yaml.ScalarNode):
            self._add(key_node, "L015")
            return None
        if node.tag not in (PLAIN_TAG, STR_TAG):
            self._bad_tag(node)
            return None
        if node.tag == PLAIN_TAG and node.value == "<<":
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
        if node.tag == PLAIN_TAG:
            try:
                value = resolve_plain(node.value)
            except ScalarProblem as problem:
                self._add(node, problem.key, **problem.params)
                return None
        elif node.tag == STR_TAG:
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
