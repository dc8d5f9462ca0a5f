"""Load a policy package: every file read, schema-checked and built into a `Package`.

In: a package folder (one notice: `document.yaml`, its notice text, `funds.yaml`, a facts
schema, `parameters/`, `rules/`, `tests/`). Out: a `PackageLoad` with the package and every
diagnostic found, in file order. Loading never stops at the first problem.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from clause.engine.diagnostics import Diagnostic, DiagnosticError, DiagnosticSet, Severity
from clause.engine.expr.types import SchemaTypeError, TypeEnv
from clause.engine.load.consistency import check_consistency
from clause.engine.load.context import NO_LIBRARY, LibraryContext
from clause.engine.load.loader import Loaded, load_yaml
from clause.engine.load.notice import Notice, read_notice
from clause.engine.load.rules import (
    FileContext,
    build_document,
    build_funds,
    build_parameter,
    build_rule,
    parameter_type,
)
from clause.engine.load.validate import to_json_data, validate_loaded
from clause.engine.messages import msg, os_reason
from clause.engine.model import Document, Fund, Package, Parameter, Rule, UnencodedClause
from clause.engine.source import Span

DOCUMENT_FILE = "document.yaml"
FACTS_SCHEMA_FILES = ("facts.schema.json", "facts.schema.yaml")


@dataclass
class PackageLoad:
    """What loading a package gave: the package (None if it could not be built) and findings."""

    root: Path
    package: Package | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    loaded: dict[str, Loaded] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def unreadable(self) -> bool:
        """Whether some file could not be read as YAML at all (L codes)."""
        return any(d.code.startswith("L") for d in self.diagnostics)


def find_packages(
    paths: Iterable[Path], problems: DiagnosticSet | None = None
) -> tuple[list[Path], list[Path]]:
    """Package roots under or above `paths`, and files that belong to no package. A folder
    that cannot be listed goes to `problems` (L001) when given."""
    roots: set[Path] = set()
    loose: list[Path] = []
    for path in paths:
        if path.is_dir():
            try:
                found = sorted(p.parent for p in path.rglob(DOCUMENT_FILE))
            except OSError as err:
                if problems is not None:
                    problems.add(_at(path, "L001", reason=os_reason(err)))
                found = []
            above = _package_above(path)
            roots.update(found or ([above] if above else []))
        else:
            above = _package_above(path.parent)
            if above is not None:
                roots.add(above)
            else:
                loose.append(path)
    return sorted(roots), loose


def _package_above(path: Path) -> Path | None:
    for candidate in [path, *path.parents]:
        if (candidate / DOCUMENT_FILE).is_file():
            return candidate
    return None


def _at(path: Path, key: str, /, **args: Any) -> Diagnostic:
    return Diagnostic.of(key, Span(str(path), 1, 1, 1, 1), **args)


class _Loader:
    def __init__(self, root: Path, shown_as: str | None = None) -> None:
        self.root = root
        self.shown_as = shown_as
        self.real_root = os.path.realpath(root)
        self.result = PackageLoad(root, None)
        self.rule_ids: set[str] = set()
        self.paths: dict[str, Path] = {}  # the name spans carry -> the file read

    def name(self, path: Path) -> str:
        """The name spans carry for `path`: the path itself, or under the root's shown name."""
        if self.shown_as is None:
            return str(path)
        return str(Path(self.shown_as) / path.relative_to(self.root))

    def inside(self, path: Path) -> bool:
        """Whether `path`, links followed, is in the package folder: nothing outside it is
        read (a `text:` of `../secret.yaml`, a link in rules/ to another folder)."""
        real = os.path.realpath(path)
        return real == self.real_root or real.startswith(self.real_root + os.sep)

    def outside(self, path: Path) -> None:
        self.result.diagnostics.append(_at(path, "L018", path=str(path), root=str(self.root)))

    def files(self, folder: Path, what: str | None = None) -> list[Path]:
        """The YAML files under `folder`, sorted. A link that leads out of the package is
        refused (L018); an unreadable folder is reported (L001); a missing one too (R016)
        when `what` names it as required."""
        if not folder.exists() and not folder.is_symlink():
            if what is not None:
                self.missing(what, folder)
            return []
        if not self.inside(folder):
            self.outside(folder)
            return []
        if not folder.is_dir():
            self.result.diagnostics.append(_at(folder, "L001/folder", path=str(folder)))
            return []
        found: list[Path] = []
        try:
            for path in sorted(folder.rglob("*")):
                if path.is_symlink() and not self.inside(path):
                    self.outside(path)
                elif path.suffix == ".yaml" and path.is_file():
                    found.append(path)
        except OSError as err:
            self.result.diagnostics.append(_at(folder, "L001", reason=os_reason(err)))
        return found

    def load(self, path: Path, schema: str | None) -> Loaded | None:
        if not self.inside(path):
            self.outside(path)
            return None
        try:
            loaded = load_yaml(path, file=self.name(path))
        except DiagnosticError as err:
            self.result.diagnostics.extend(err.diagnostics)
            if schema == "rule":  # unreadable: assume the file is named after its rule id
                self.rule_ids.add(path.stem)
            return None
        self.result.loaded[loaded.file] = loaded
        self.paths[loaded.file] = path
        if (
            schema == "rule"
            and isinstance(loaded.data, dict)
            and isinstance(loaded.data.get("id"), str)
        ):
            self.rule_ids.add(loaded.data["id"])  # known even if the file has errors below
        if schema is not None:
            problems = validate_loaded(loaded, schema)
            if problems:
                self.result.diagnostics.extend(problems)
                return None
        return loaded

    def missing(self, what: str, path: Path) -> None:
        self.result.diagnostics.append(_at(path, "R016", what=msg(what), name=path.name))


def load_package(
    root: Path, context: LibraryContext = NO_LIBRARY, *, shown_as: str | None = None
) -> PackageLoad:
    """Load and check every file of the package at `root`; `context` is the library around
    it (its shared facts vocabulary, and the rules, parameters and documents it may use).

    `shown_as` names the root in every file name spans carry and in `Package.root` (default:
    `root` itself): a rule set stored elsewhere and rebuilt in a scratch folder (`clause
    replay`) then reads as it did where it was first loaded, so its traces are byte-identical.
    """
    loader = _Loader(root, shown_as)
    doc_loaded = loader.load(root / DOCUMENT_FILE, "document")
    document = build_document(doc_loaded) if doc_loaded else None
    notice = _notice(loader, root, doc_loaded)
    funds = _funds(loader, root)
    schema, facts_env = _facts_schema(loader, root, context)
    parameters = _parameters(loader, root)
    every_param = {**context.parameters, **parameters}
    param_types = {pid: parameter_type(p) for pid, p in every_param.items()}
    env = TypeEnv(facts_env.facts if facts_env else TypeEnv.empty().facts, param_types)
    # without a usable facts schema every fact path would be an error: check the files only
    doc_ref = document.ref if document is not None else ""
    rules, unencoded = _rules(loader, root, env if facts_env else None, doc_ref, context)
    tests = [str(p) for p in loader.files(root / "tests")]
    for path in tests:
        loader.load(Path(path), "policy-test")
    if document is not None and notice is not None:
        loader.result.diagnostics.extend(
            check_consistency(
                document,
                notice,
                rules,
                unencoded,
                parameters,
                funds,
                env,
                loader.result.loaded,
                loader.rule_ids,
                context,
            )
        )
    if doc_loaded is not None:
        loader.result.diagnostics.extend(_unknown_files(root, doc_loaded))
    if document is None or notice is None:
        return loader.result
    loader.result.package = Package(
        root=shown_as if shown_as is not None else str(root),
        document=document,
        notice=notice,
        rules=tuple(sorted((r for r in rules), key=lambda r: r.id)),
        unencoded=tuple(sorted(unencoded, key=lambda u: u.id)),
        parameters=parameters,
        funds=funds,
        facts_schema=schema,
        env=env,
        digest=_digest(root, loader, tests),
        test_files=tuple(tests),
        files=tuple(sorted(loader.result.loaded)),
    )
    return loader.result


def _notice(loader: _Loader, root: Path, doc: Loaded | None) -> Notice | None:
    if doc is None:
        if not (root / DOCUMENT_FILE).exists():
            loader.missing("what.document", root / DOCUMENT_FILE)
        return None
    path = root / doc.data["text"]
    if not loader.inside(path):  # said at the `text:` that names it
        found = doc.finding("L018", "/text", path=doc.data["text"], root=str(root))
        loader.result.diagnostics.append(found)
        return None
    loaded = loader.load(path, None)
    if loaded is None:
        return None
    try:
        return read_notice(loaded)
    except DiagnosticError as err:
        loader.result.diagnostics.extend(err.diagnostics)
        return None


def _funds(loader: _Loader, root: Path) -> dict[str, Fund]:
    path = root / "funds.yaml"
    if not path.exists():
        return {}
    loaded = loader.load(path, "funds")
    return build_funds(loaded) if loaded else {}


def _facts_schema(
    loader: _Loader, root: Path, context: LibraryContext
) -> tuple[dict[str, Any], TypeEnv | None]:
    """The package's facts schema, extending the library's vocabulary when there is one (a
    package may then have none of its own)."""
    path = next((root / n for n in FACTS_SCHEMA_FILES if (root / n).exists()), None)
    vocabulary = context.vocabulary
    if path is None:
        if vocabulary is not None:
            return dict(vocabulary), TypeEnv.from_schema(dict(vocabulary))
        loader.missing("what.facts_schema", root / FACTS_SCHEMA_FILES[0])
        return {}, None
    loaded = loader.load(path, "facts")
    if loaded is None:
        return {}, None
    schema = to_json_data(loaded.data)
    if vocabulary is not None:
        schema, conflicts = merge_vocabulary(vocabulary, schema)
        for pointer in conflicts:
            loader.result.diagnostics.append(loaded.finding("R031", pointer, field=pointer))
    try:
        return schema, TypeEnv.from_schema(schema)
    except SchemaTypeError as err:
        loader.result.diagnostics.append(
            loaded.diagnostic("F002", err.reason, err.pointer, help=msg("hint.see_expressions"))
        )
        return schema, None


def _parameters(loader: _Loader, root: Path) -> dict[str, Parameter]:
    params: dict[str, Parameter] = {}
    for path in loader.files(root / "parameters"):
        loaded = loader.load(path, "parameter")
        if loaded is None:
            continue
        param = build_parameter(loaded)
        if param.id in params:
            first = params[param.id]
            where = f"{first.file}:{first.span.line}"
            loader.result.diagnostics.append(
                loaded.finding("R015", "/id", param=param.id, where=where)
            )
            continue
        params[param.id] = param
    return params


def _rules(
    loader: _Loader,
    root: Path,
    env: TypeEnv | None,
    document: str,
    context: LibraryContext = NO_LIBRARY,
) -> tuple[list[Rule], list[UnencodedClause]]:
    """Every rule file, built once all are read: an expression may read any rule's outcome,
    so the type environment must know every rule id and kind first."""
    rules: list[Rule] = []
    unencoded: list[UnencodedClause] = []
    files = [loader.load(p, "rule") for p in loader.files(root / "rules", "what.rules")]
    valid = [f for f in files if f is not None]
    if env is None:
        return rules, unencoded
    kinds = dict(context.rule_kinds)  # a rule may read the outcome of any rule of the library
    kinds.update({f.data["id"]: f.data["kind"] for f in valid if "kind" in f.data})
    env = replace(env, rules=kinds)
    for loaded in valid:
        ctx = FileContext(loaded, env)
        built = build_rule(ctx, document)
        loader.result.diagnostics.extend(ctx.diagnostics)
        if isinstance(built, Rule):
            rules.append(built)
        elif isinstance(built, UnencodedClause):
            unencoded.append(built)
    return rules, unencoded


def _digest(root: Path, loader: _Loader, tests: list[str]) -> str:
    """sha256 over the data of every file that decisions depend on, by sorted relative path.

    The data, not the bytes: comments and layout do not change the digest; any value does.
    """
    h = hashlib.sha256()
    loaded = loader.result.loaded
    skip = {loader.name(Path(t)) for t in tests}
    for name in sorted(loaded):
        if name in skip:
            continue
        rel = loader.paths[name].resolve().relative_to(root.resolve()).as_posix()
        h.update(rel.encode("utf-8") + b"\0")
        h.update(canonical_json(decision_data(loaded[name].data)).encode("utf-8") + b"\0")
    return "sha256:" + h.hexdigest()


def canonical_json(data: Any) -> str:
    """JSON with sorted keys, no spaces, non-ASCII kept, decimals and dates as text."""
    return json.dumps(
        to_json_data(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_text
    )


#: Annotations that no decision reads: `x-immutable` only tells `clause whynot` what it may not
#: propose. They are left out of the rule-set digest, so marking a fact immutable does not
#: change the digest every explanation of the same rules carries.
NOT_DECIDING = frozenset({"x-immutable"})


def decision_data(data: Any) -> Any:
    """`data` without the annotations of NOT_DECIDING, at any depth (the part decisions read)."""
    if isinstance(data, dict):
        return {k: decision_data(v) for k, v in data.items() if k not in NOT_DECIDING}
    if isinstance(data, list):
        return [decision_data(v) for v in data]
    return data


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


__all__ = ["Document", "PackageLoad", "find_packages", "load_package"]


#: What a package folder may hold besides its rules, parameters and tests: documentation and
#: the published source of the notice. Any other file is reported (R030), never ignored.
DOCUMENTATION = (".md", ".txt", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".html")
KNOWN_FOLDERS = ("rules", "parameters", "tests", "examples")


def _unknown_files(root: Path, doc: Loaded) -> list[Diagnostic]:
    """Every file of the package that is no known kind: a misspelt `fund.yaml` or a stray
    `notes.yaml` would otherwise be skipped without a word."""
    known = {DOCUMENT_FILE, "funds.yaml", *FACTS_SCHEMA_FILES}
    text = doc.data.get("text") if isinstance(doc.data, dict) else None
    if isinstance(text, str):
        known.add(Path(text).as_posix())
    found: list[Diagnostic] = []
    try:
        paths = sorted(p for p in root.rglob("*") if p.is_file())
    except OSError:
        return found
    for path in paths:
        rel = path.relative_to(root)
        if rel.as_posix() in known or (rel.parts[0] in KNOWN_FOLDERS and len(rel.parts) > 1):
            continue
        if path.suffix.lower() in DOCUMENTATION or rel.parts[0].startswith("."):
            continue
        found.append(_at(path, "R030", path=rel.as_posix()))
    return found


def merge_vocabulary(
    base: Mapping[str, Any], schema: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """A package's facts schema on top of the library's: entities and fields are added; a
    field both define must be defined the same way (titles and aliases aside, which may be
    added). Returns the merged schema and the JSON pointers of the fields defined two ways."""
    merged = json.loads(json.dumps(base))
    conflicts: list[str] = []
    _merge_node(merged, schema, "", conflicts)
    return merged, conflicts


_WORDING = frozenset({"title", "description", "$comment", "examples", "x-alias", "$id", "$schema"})


def _merge_node(into: dict[str, Any], add: Mapping[str, Any], pointer: str, out: list[str]) -> None:
    for key, value in add.items():
        here = f"{pointer}/{key}"
        if key not in into:
            into[key] = json.loads(json.dumps(value))
        elif key in ("properties", "$defs") and isinstance(value, Mapping):
            for name, spec in value.items():
                place = f"{here}/{name}"
                if name not in into[key]:
                    into[key][name] = json.loads(json.dumps(spec))
                elif isinstance(spec, Mapping) and isinstance(into[key][name], dict):
                    _merge_node(into[key][name], spec, place, out)
                elif into[key][name] != spec:
                    out.append(place)
        elif key == "required" and isinstance(value, list):
            into[key] = sorted(set(into[key]) | set(value))
        elif key not in _WORDING and into[key] != value:
            out.append(pointer or "/")
