"""Load a policy library: every package of a folder, in layers, checked against each other.

In: a folder (the library root, holding `library.yaml`, or any folder of packages) and
optionally the packages to decide under. Out: a LibraryLoad with the Library and every
diagnostic, per package and across them: relations between documents (dangling, cycles,
amendments dated before their target, two amendments of one rule on one day), jurisdictions
(places of library.yaml), rules implementing others (within the cap), ids unique across the
library. Loading is two passes: a quick one reads every package's document, notice,
parameters and rule ids, so that the full pass can type-check a county's rule against the
province's parameters and check an amending notice's quotes against its own text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from clause.engine.dependencies import find_cycles
from clause.engine.diagnostics import Diagnostic, Severity
from clause.engine.expr.types import SchemaTypeError, TypeEnv
from clause.engine.library import Library
from clause.engine.load.context import LibraryContext
from clause.engine.load.loader import Loaded, load_yaml
from clause.engine.load.notice import Notice
from clause.engine.load.package import (
    DOCUMENT_FILE,
    PackageLoad,
    canonical_json,
    decision_data,
    find_packages,
    load_package,
    merge_vocabulary,
)
from clause.engine.load.rules import parameter_type
from clause.engine.load.validate import to_json_data, validate_loaded
from clause.engine.model import Document, Package, Parameter, Place, Rule
from clause.engine.source import Span

LIBRARY_FILE = "library.yaml"


@dataclass
class LibraryLoad:
    """What loading a library gave: the library (None if some package could not be built
    or errors were found) and every finding."""

    root: Path | None
    library: Library | None
    packages: list[PackageLoad] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0

    @property
    def all_diagnostics(self) -> list[Diagnostic]:
        return [*self.diagnostics, *(d for p in self.packages for d in p.diagnostics)]

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.all_diagnostics)


def find_library_root(path: Path) -> Path | None:
    """The folder holding library.yaml at or above `path`, if any."""
    # absolute but with links kept: a package linked into a folder belongs to that folder
    start = Path(os.path.abspath(path if path.is_dir() else path.parent))
    for candidate in [start, *start.parents]:
        if (candidate / LIBRARY_FILE).is_file():
            # as the user wrote the path: relative stays relative, absolute stays absolute
            return candidate if path.is_absolute() else Path(os.path.relpath(candidate))
    return None


def load_library(
    paths: Sequence[Path], chosen: Sequence[Path] = (), shown_as: str | None = None
) -> LibraryLoad:
    """The library around `paths`: every package under its root (library.yaml) or, without
    one, under `paths`. Decisions are made under the packages found under `paths` (or the
    `chosen` package folders), with the documents they implement, amend or extend brought in
    too, since their rules refer to them. Nothing named is dropped.

    `shown_as` is the name the first of `paths` is shown under: every file name in spans and
    every package root is then that name joined with the file's place relative to it, so a
    library rebuilt in a scratch folder (a stored rule set replayed) reads as where it was
    first loaded, and its traces are byte-identical."""
    anchor = chosen[0] if chosen else (paths[0] if paths else None)
    root = find_library_root(anchor) if anchor is not None else None
    name = _namer(paths[0] if paths else None, shown_as)
    result = LibraryLoad(root, None)
    places, vocabulary, extra = (
        _library_file(root, result, name) if root is not None else ([], None, "")
    )
    everything, _ = find_packages([root] if root is not None else [*paths, *chosen])
    same = {p.resolve(): p for p in everything}  # the user's spelling of a package -> ours
    wanted = [same.get(p.resolve(), p) for p in _wanted(paths, chosen, everything, root)]
    index = _index(everything, vocabulary, places, name)
    selected = _closure(wanted, index)
    for package_root in selected:
        context = index.context_for(package_root)
        loaded = load_package(package_root, context, shown_as=name(package_root))
        result.packages.append(loaded)
        result.files += len(loaded.loaded)
    built = [p.package for p in result.packages if p.package is not None]
    result.diagnostics.extend(_check_library(built, index, places, result))
    if built and len(built) == len(result.packages) and not result.has_errors:
        schema, env = _vocabulary_of(built, vocabulary, index)
        result.library = Library.of(built, places, schema, env, extra)
    return result


# -- library.yaml ----------------------------------------------------------------------------


def _namer(base: Path | None, shown_as: str | None) -> Callable[[Path], str]:
    """How a path is shown: as itself, or (with `shown_as`) by its place relative to `base`.

    >>> _namer(Path("/tmp/x/lib/hubei"), "policies/hubei")(Path("/tmp/x/lib/library.yaml"))
    'policies/library.yaml'
    """
    if base is None or shown_as is None:
        return str
    shown = shown_as

    def name(path: Path) -> str:
        rel = os.path.relpath(path, base)
        return str(Path(os.path.normpath(os.path.join(shown, rel))))

    return name


def _library_file(
    root: Path, result: LibraryLoad, name: Callable[[Path], str] = str
) -> tuple[list[Place], dict[str, Any] | None, str]:
    """The places and the shared facts vocabulary of library.yaml, and their canonical data
    (part of the rule-set digest)."""
    from clause.engine.diagnostics import DiagnosticError

    try:
        loaded = load_yaml(root / LIBRARY_FILE, file=name(root / LIBRARY_FILE))
    except DiagnosticError as err:
        result.diagnostics.extend(err.diagnostics)
        return [], None, ""
    result.files += 1
    problems = validate_loaded(loaded, "library")
    if problems:
        result.diagnostics.extend(problems)
        return [], None, ""
    data = loaded.data
    places = [
        Place(p["name"], p["level"], p.get("parent"), p.get("en"), p.get("code"))
        for p in data["places"]
    ]
    names = {p.name for p in places}
    for i, place in enumerate(places):
        if place.parent is not None and place.parent not in names:
            result.diagnostics.append(
                loaded.finding("R036", f"/places/{i}/parent", place=place.parent)
            )
    vocabulary = None
    extra = canonical_json(data)
    if "facts" in data:
        path = root / data["facts"]
        try:
            facts = load_yaml(path, file=name(path))
        except DiagnosticError as err:
            result.diagnostics.extend(err.diagnostics)
            return places, None, extra
        result.files += 1
        problems = validate_loaded(facts, "facts")
        if problems:
            result.diagnostics.extend(problems)
            return places, None, extra
        vocabulary = _with_places(to_json_data(facts.data), places)
        extra += canonical_json(decision_data(facts.data))
    return places, vocabulary, extra


def _with_places(schema: dict[str, Any], places: Sequence[Place]) -> dict[str, Any]:
    """The vocabulary with each place field (`x-place: county`…) limited to the places of
    that level: a misspelt place is a facts error, and expressions type-check against it."""
    by_level: dict[str, list[str]] = {}
    for place in places:
        by_level.setdefault(place.level, []).append(place.name)
    for spec in (schema.get("properties") or {}).values():
        for field_spec in ((spec or {}).get("properties") or {}).values():
            level = field_spec.get("x-place") if isinstance(field_spec, dict) else None
            if isinstance(level, str) and by_level.get(level) and "enum" not in field_spec:
                field_spec["enum"] = sorted(by_level[level])
    return schema


# -- which packages ---------------------------------------------------------------------------


def _wanted(
    paths: Sequence[Path], chosen: Sequence[Path], everything: list[Path], root: Path | None
) -> list[Path]:
    if chosen:
        found, _ = find_packages(list(chosen))
        return found
    if root is not None and all(p.resolve() == root.resolve() for p in paths):
        return everything
    found, _ = find_packages(list(paths))
    return found


@dataclass
class _Index:
    """The quick pass: every package's document, notice, parameters and rule ids."""

    packages: dict[Path, PackageLoad]
    vocabulary: dict[str, Any] | None
    places: Sequence[Place]

    def documents(self) -> dict[str, tuple[Document, Notice]]:
        out: dict[str, tuple[Document, Notice]] = {}
        for loaded in self.packages.values():
            if loaded.package is not None:
                package = loaded.package
                out.setdefault(package.document.ref, (package.document, package.notice))
        return out

    def parameters(self) -> dict[str, Parameter]:
        out: dict[str, Parameter] = {}
        for loaded in self.packages.values():
            if loaded.package is not None:
                out.update(loaded.package.parameters)
        return out

    def rule_kinds(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for loaded in self.packages.values():
            for name, file in loaded.loaded.items():
                data = file.data
                if (
                    "/rules/" in name.replace("\\", "/")
                    and isinstance(data, dict)
                    and isinstance(data.get("id"), str)
                    and isinstance(data.get("kind"), str)
                ):
                    out[data["id"]] = data["kind"]
        return out

    def context_for(self, root: Path) -> LibraryContext:
        own = self.packages.get(root)
        own_params = own.package.parameters if own is not None and own.package else {}
        others = {k: v for k, v in self.parameters().items() if k not in own_params}
        funds = {
            k: f for lp in self.packages.values() if lp.package for k, f in lp.package.funds.items()
        }
        return LibraryContext(
            vocabulary=self._vocabulary_for(own),
            funds=funds,
            documents=self.documents(),
            parameters=others,
            rule_kinds=self.rule_kinds(),
            places={p.name: p for p in self.places},
        )

    def _vocabulary_for(self, own: PackageLoad | None) -> dict[str, Any] | None:
        """The facts a package may read: the library's vocabulary, with the facts of every
        document it implements (a county's rules read the province's facts)."""
        package = own.package if own is not None else None
        if package is None:
            return self.vocabulary
        merged = self.vocabulary
        seen: set[str] = set()
        todo = [r.document for r in package.document.relations if r.kind == "implements"]
        while todo:
            ref = todo.pop()
            path = self.package_by_ref(ref)
            upper = self.packages[path].package if path is not None else None
            if ref in seen or upper is None:
                continue
            seen.add(ref)
            base = merged if merged is not None else {"type": "object", "properties": {}}
            merged, _ = merge_vocabulary(base, upper.facts_schema)
            todo += [r.document for r in upper.document.relations if r.kind == "implements"]
        return merged

    def package_by_ref(self, ref: str) -> Path | None:
        for path, loaded in self.packages.items():
            if loaded.package is not None and loaded.package.document.ref == ref:
                return path
        return None


def _index(
    roots: Iterable[Path],
    vocabulary: dict[str, Any] | None,
    places: Sequence[Place],
    name: Callable[[Path], str] = str,
) -> _Index:
    context = LibraryContext(vocabulary=vocabulary)
    loads = {r: load_package(r, context, shown_as=name(r)) for r in roots}
    return _Index(loads, vocabulary, places)


def _closure(wanted: list[Path], index: _Index) -> list[Path]:
    """The wanted packages with every document they relate to (implements, amends,
    extends), and every document that amends, extends or repeals one of those: a case is
    decided under each document in force for it, with what changed them."""
    chosen = list(dict.fromkeys(wanted))
    changed = True
    while changed:
        changed = False
        refs = {
            index.packages[p].package.document.ref  # type: ignore[union-attr]
            for p in chosen
            if index.packages.get(p) is not None and index.packages[p].package is not None
        }
        for path, loaded in index.packages.items():
            package = loaded.package
            if package is None or path in chosen:
                continue
            doc = package.document
            acts_on = any(
                r.kind in ("amends", "extends", "repeals") and r.document in refs
                for r in doc.relations
            )
            needed = any(
                any(r.document == doc.ref for r in index.packages[p].package.document.relations)  # type: ignore[union-attr]
                or _implements_into(index.packages[p].package, doc.ref, index)  # type: ignore[arg-type]
                for p in chosen
                if index.packages.get(p) is not None and index.packages[p].package is not None
            )
            if acts_on or needed:
                chosen.append(path)
                changed = True
    return sorted(chosen)


def _implements_into(package: Package, ref: str, index: _Index) -> bool:
    """Whether a rule of `package` implements a rule of the document `ref`."""
    path = index.package_by_ref(ref)
    target = index.packages[path].package if path is not None else None
    if target is None:
        return False
    ids = {r.id for r in target.rules}
    return any(r.implements in ids for r in package.rules)


# -- the merged vocabulary ---------------------------------------------------------------------


def _vocabulary_of(
    packages: Sequence[Package], vocabulary: dict[str, Any] | None, index: _Index
) -> tuple[dict[str, Any], TypeEnv | None]:
    """One facts schema for the whole library (each package's on the shared one), and its
    type environment, so one case file is read and checked once for every document."""
    merged: dict[str, Any] = json.loads(json.dumps(vocabulary or packages[0].facts_schema))
    for package in packages:
        merged, _ = merge_vocabulary(merged, package.facts_schema)
    params = {pid: parameter_type(p) for pid, p in index.parameters().items()}
    try:
        return merged, TypeEnv.from_schema(merged, params)
    except SchemaTypeError:
        return merged, None


# -- checks across documents ------------------------------------------------------------------


def _check_library(
    packages: Sequence[Package], index: _Index, places: Sequence[Place], result: LibraryLoad
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    loads = {p.root: lp for lp in result.packages if (p := lp.package) is not None}
    docs: dict[str, Package] = {}
    for package in packages:
        file = loads[package.root].loaded.get(package.document.file)
        if package.document.ref in docs:
            found.append(_finding(file, package, "R039", "/number", ref=package.document.ref))
        docs.setdefault(package.document.ref, package)
    found += _duplicate_rules(packages)
    names = {p.name for p in places}
    known_docs = {ref for ref in index.documents()}
    edges: dict[str, set[str]] = {}
    for package in packages:
        doc = package.document
        file = loads[package.root].loaded.get(doc.file)
        if names and doc.jurisdiction is not None and doc.jurisdiction not in names:
            found.append(
                _finding(file, package, "R036", "/jurisdiction/name", place=doc.jurisdiction)
            )
        for i, rel in enumerate(doc.relations):
            pointer = f"/relations/{i}/document"
            target = docs.get(rel.document)
            if rel.document not in known_docs:
                found.append(_finding(file, package, "R032", pointer, target=rel.document))
                continue
            edges.setdefault(doc.ref, set()).add(rel.document)
            if target is None:
                continue
            start = target.document.in_force.start
            if rel.start is not None and start is not None and rel.start < start:
                where = f"/relations/{i}/from"
                found.append(_finding(file, package, "R034", where, target=rel.document))
            if rel.kind == "implements":
                found += _outside_parent(package, target, file)
    for cycle in find_cycles(edges):
        first = docs.get(cycle[0])
        if first is not None:
            file = loads[first.root].loaded.get(first.document.file)
            around = " → ".join([*cycle, cycle[0]])
            found.append(_finding(file, first, "R033", "/relations", cycle=around))
    found += _implementations(packages, docs, loads)
    found += _same_day_amendments(packages, loads)
    return found


def _finding(
    file: Loaded | None, package: Package, key: str, pointer: str, **args: Any
) -> Diagnostic:
    if file is not None:
        try:
            return file.finding(key, pointer, **args)
        except (KeyError, IndexError):
            return file.finding(key, "", **args)
    return Diagnostic.of(key, Span(package.document.file, 1, 1, 1, 1), **args)


def _duplicate_rules(packages: Sequence[Package]) -> list[Diagnostic]:
    seen: dict[str, Rule] = {}
    out: list[Diagnostic] = []
    for package in sorted(packages, key=lambda p: p.root):
        for rule in package.rules:
            first = seen.get(rule.id)
            if first is not None:
                where = f"{first.file}:{first.span.line}"
                out.append(Diagnostic.of("R001", rule.span, id=rule.id, where=where))
            seen.setdefault(rule.id, rule)
    return out


def _outside_parent(package: Package, parent: Package, file: Loaded | None) -> list[Diagnostic]:
    """W004: an implementing document's window reaching outside its parent's."""
    inner, outer = package.document.in_force, parent.document.in_force
    if inner.within(outer):
        return []
    return [
        _finding(
            file,
            package,
            "W004",
            "/in_force",
            window=str(inner),
            parent=parent.document.ref,
            parent_window=str(outer),
            severity=Severity.WARNING,
        )
    ]


def _implementations(
    packages: Sequence[Package], docs: Mapping[str, Package], loads: Mapping[str, PackageLoad]
) -> list[Diagnostic]:
    """A rule implementing another: the target exists, lies in a document the rule's own
    document implements (directly or above), and the rule pays no more than its cap."""
    rules = {r.id: (r, p) for p in packages for r in p.rules}
    out: list[Diagnostic] = []
    for package in packages:
        file_of = loads[package.root].loaded
        for rule in package.rules:
            if rule.implements is None:
                continue
            loaded = file_of.get(rule.file)
            pointer = "/implements/rule"
            target = rules.get(rule.implements)
            if target is None:
                out.append(_finding(loaded, package, "R032", pointer, target=rule.implements))
                continue
            upper_rule, upper = target
            if upper.document.ref not in _implemented_documents(package, docs):
                out.append(
                    _finding(
                        loaded,
                        package,
                        "R037",
                        pointer,
                        target=rule.implements,
                        document=upper.document.ref,
                    )
                )
                continue
            out += _within_cap(rule, upper_rule, package, loaded)
    return out


def _implemented_documents(package: Package, docs: Mapping[str, Package]) -> set[str]:
    """The documents a document implements, directly or through the ones it implements."""
    out: set[str] = set()
    todo = [package]
    while todo:
        current = todo.pop()
        for rel in current.document.relations:
            if rel.kind == "implements" and rel.document not in out:
                out.add(rel.document)
                if rel.document in docs:
                    todo.append(docs[rel.document])
    return out


def _within_cap(
    rule: Rule, upper: Rule, package: Package, loaded: Loaded | None
) -> list[Diagnostic]:
    """R038: an implementing rule's fixed or capped amount above the implemented rule's cap."""
    caps = [
        v.amount.value.value
        for v in upper.versions
        if v.amount is not None
        and v.amount.kind in ("cap", "fixed")
        and v.amount.value
        and v.amount.value.value is not None
    ]
    if not caps:
        return []
    cap = max(caps)
    out: list[Diagnostic] = []
    for i, version in enumerate(rule.versions):
        amount = version.amount
        value = amount.value.value if amount is not None and amount.value else None
        if isinstance(value, Decimal) and value > cap and amount is not None:
            field = "max" if amount.kind == "cap" else "value"
            pointer = f"/versions/{i}/amount/{amount.kind}/{field}"
            out.append(
                _finding(
                    loaded,
                    package,
                    "R038",
                    pointer,
                    amount=str(value),
                    cap=str(cap),
                    target=upper.id,
                )
            )
    return out


def _same_day_amendments(
    packages: Sequence[Package], loads: Mapping[str, PackageLoad]
) -> list[Diagnostic]:
    """R035: two versions of one rule, enacted by different documents, starting the same day."""
    out: list[Diagnostic] = []
    for package in packages:
        for rule in package.rules:
            starts: dict[object, str] = {}
            for i, version in enumerate(rule.versions):
                start = version.window.start
                if start in starts and starts[start] != version.enacted_by:
                    loaded = loads[package.root].loaded.get(rule.file)
                    out.append(
                        _finding(
                            loaded,
                            package,
                            "R035",
                            f"/versions/{i}/valid",
                            rule=rule.id,
                            day=str(start),
                            first=starts[start],
                            second=version.enacted_by,
                        )
                    )
                starts.setdefault(start, version.enacted_by)
    return out


__all__ = ["DOCUMENT_FILE", "LIBRARY_FILE", "LibraryLoad", "find_library_root", "load_library"]
