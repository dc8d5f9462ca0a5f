"""Load a policy package: every file read, schema-checked and built into a `Package`.

In: a package folder (one notice: `document.yaml`, its notice text, `funds.yaml`, a facts
schema, `parameters/`, `rules/`, `tests/`). Out: a `PackageLoad` with the package and every
diagnostic found, in file order. Loading never stops at the first problem.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from clause.engine.diagnostics import Diagnostic, DiagnosticError, Severity
from clause.engine.expr.types import SchemaTypeError, TypeEnv
from clause.engine.load.consistency import check_consistency
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


def find_packages(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Package roots under or above `paths`, and files that belong to no package."""
    roots: set[Path] = set()
    loose: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p.parent for p in path.rglob(DOCUMENT_FILE))
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


class _Loader:
    def __init__(self, root: Path, shown_as: str | None = None) -> None:
        self.root = root
        self.shown_as = shown_as
        self.result = PackageLoad(root, None)
        self.rule_ids: set[str] = set()
        self.paths: dict[str, Path] = {}  # the name spans carry -> the file read

    def name(self, path: Path) -> str:
        """The name spans carry for `path`: the path itself, or under the root's shown name."""
        if self.shown_as is None:
            return str(path)
        return str(Path(self.shown_as) / path.relative_to(self.root))

    def load(self, path: Path, schema: str | None) -> Loaded | None:
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
        self.result.diagnostics.append(
            Diagnostic(
                "R016",
                f"{what} is missing: expected {path.name}",
                Span(self.name(path), 1, 1, 1, 1),
                help=f"a policy package holds {DOCUMENT_FILE}, the notice text, funds.yaml, "
                "facts.schema.json, rules/ and parameters/",
            )
        )


def load_package(root: Path, *, shown_as: str | None = None) -> PackageLoad:
    """Load and check every file of the package at `root`.

    `shown_as` names the root in every span and in `Package.root` (default: `root` itself): a
    rule set stored elsewhere and rebuilt in a scratch folder (`clause replay`) then reads as
    it did where it was first loaded, so its traces are byte-identical.
    """
    loader = _Loader(root, shown_as)
    doc_loaded = loader.load(root / DOCUMENT_FILE, "document")
    document = build_document(doc_loaded) if doc_loaded else None
    notice = _notice(loader, root, doc_loaded)
    funds = _funds(loader, root)
    schema, facts_env = _facts_schema(loader, root)
    parameters = _parameters(loader, root)
    param_types = {pid: parameter_type(p) for pid, p in parameters.items()}
    env = TypeEnv(facts_env.facts if facts_env else TypeEnv.empty().facts, param_types)
    # without a usable facts schema every fact path would be an error: check the files only
    rules, unencoded = _rules(loader, root, env if facts_env else None)
    tests = (
        sorted(str(p) for p in (root / "tests").rglob("*.yaml"))
        if (root / "tests").is_dir()
        else []
    )
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
            )
        )
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
            loader.missing("the document metadata", root / DOCUMENT_FILE)
        return None
    path = root / doc.data["text"]
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


def _facts_schema(loader: _Loader, root: Path) -> tuple[dict[str, Any], TypeEnv | None]:
    path = next((root / n for n in FACTS_SCHEMA_FILES if (root / n).exists()), None)
    if path is None:
        loader.missing("the facts schema", root / FACTS_SCHEMA_FILES[0])
        return {}, None
    loaded = loader.load(path, "facts")
    if loaded is None:
        return {}, None
    schema = to_json_data(loaded.data)
    try:
        return schema, TypeEnv.from_schema(schema)
    except SchemaTypeError as err:
        loader.result.diagnostics.append(
            loaded.diagnostic("F002", err.message, err.pointer, help="see docs/expressions.md")
        )
        return schema, None


def _parameters(loader: _Loader, root: Path) -> dict[str, Parameter]:
    params: dict[str, Parameter] = {}
    folder = root / "parameters"
    for path in sorted(folder.rglob("*.yaml")) if folder.is_dir() else []:
        loaded = loader.load(path, "parameter")
        if loaded is None:
            continue
        param = build_parameter(loaded)
        if param.id in params:
            first = params[param.id]
            loader.result.diagnostics.append(
                loaded.diagnostic(
                    "R015",
                    f"parameter id `{param.id}` is already used",
                    "/id",
                    label=f"first defined in {first.file}:{first.span.line}",
                )
            )
            continue
        params[param.id] = param
    return params


def _rules(
    loader: _Loader, root: Path, env: TypeEnv | None
) -> tuple[list[Rule], list[UnencodedClause]]:
    rules: list[Rule] = []
    unencoded: list[UnencodedClause] = []
    folder = root / "rules"
    for path in sorted(folder.rglob("*.yaml")) if folder.is_dir() else []:
        loaded = loader.load(path, "rule")
        if loaded is None or env is None:
            continue
        ctx = FileContext(loaded, env)
        built = build_rule(ctx)
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
        h.update(canonical_json(loaded[name].data).encode("utf-8") + b"\0")
    return "sha256:" + h.hexdigest()


def canonical_json(data: Any) -> str:
    """JSON with sorted keys, no spaces, non-ASCII kept, decimals and dates as text."""
    return json.dumps(
        to_json_data(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_text
    )


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


__all__ = ["Document", "PackageLoad", "find_packages", "load_package"]
