"""What a package is loaded against when it is part of a library: the rest of the library.

In: the library's places, shared facts vocabulary and, from a first quick pass over every
package, its documents (with their notice texts), parameters and rule ids. Out: a
LibraryContext that type-checking and the cross-file checks consult, so a county's rule may
read a provincial parameter, implement a provincial rule or quote the notice that amended it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clause.engine.load.notice import Notice
from clause.engine.model import Document, Fund, Parameter, Place


@dataclass(frozen=True)
class LibraryContext:
    """The library around one package (empty: a package on its own)."""

    vocabulary: Mapping[str, Any] | None = None  # the library's shared facts schema
    documents: Mapping[str, tuple[Document, Notice]] = field(default_factory=dict)
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    rule_kinds: Mapping[str, str] = field(default_factory=dict)  # every rule id -> kind
    funds: Mapping[str, Fund] = field(default_factory=dict)  # the other documents' funds
    places: Mapping[str, Place] = field(default_factory=dict)

    def notice_of(self, ref: str) -> Notice | None:
        found = self.documents.get(ref)
        return found[1] if found is not None else None


NO_LIBRARY = LibraryContext()
