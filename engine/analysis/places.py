"""Jurisdiction in the solver: whether a rule's document governs the subject's place, as
`Library.jurisdiction_of` (engine/library.py) decides it before anything else.

In: the library (its places, the rule's layer, the subject's place fields, most specific first)
and the fact space. Out: (inside, elsewhere): the subject's most specific known place is the
document's place or below it; or it is known to be elsewhere. Neither: unknown (the rule is
undetermined for want of the place). A document with no place, a national one, or a subject
without place fields governs every case: (true, false).

`coherent` keeps a witness's places one place: a county of the hierarchy sits in its own
province. The decision core does not ask this (the most specific place decides), so it
constrains only `clause analyse`'s made-up cases, never a real case's facts.
"""

from __future__ import annotations

import z3

from clause.engine.analysis.space import FactSpace
from clause.engine.analysis.terms import STRING, Z, conj, disj, false, neg, true
from clause.engine.library import LEVELS, Library
from clause.engine.model import Rule


def _rank(level: str | None) -> int:
    return LEVELS.index(level) if level in LEVELS else 0


def jurisdiction(library: Library, space: FactSpace, rule: Rule) -> tuple[Z, Z]:
    """(inside, elsewhere) for the rule's subject (see the module docstring)."""
    layer = library.layers.get(rule.id)
    fields = library.place_fields.get(rule.subject, ())
    if layer is None or layer.jurisdiction is None or layer.level in (None, "national"):
        return true(), false()
    if not fields:
        return true(), false()
    target, wanted = layer.jurisdiction, _rank(layer.level)
    below = sorted({p for p in library.places if target in library.ancestors(p)} | {target})
    above = library.ancestors(target)
    strings = space.strings
    inside, elsewhere, earlier_missing = [], [], true()
    for name, level in fields:
        info = space.fields.get(f"{rule.subject}.{name}")
        if info is None:
            continue
        term = space.fact((rule.subject, name), info.type)
        if term.kind != STRING:
            continue
        here = conj(earlier_missing, term.known)
        within = disj(*(term.value == strings.id(p) for p in below))
        if _rank(level) >= wanted:
            away = neg(within)
        else:  # known only above the document's level: elsewhere unless it contains it
            away = conj(neg(within), neg(disj(*(term.value == strings.id(p) for p in above))))
        inside.append(conj(here, within))
        elsewhere.append(conj(here, away))
        earlier_missing = conj(earlier_missing, neg(term.known))
    return disj(*inside), disj(*elsewhere)


def coherent(library: Library, space: FactSpace) -> list[Z]:
    """Axioms: where two place fields of one subject both hold a value and the more specific
    one is a place of the hierarchy, the broader one holds that place's ancestor at its level
    (only for place fields the analysis already reads)."""
    axioms: list[Z] = []
    for entity, fields in sorted(library.place_fields.items()):
        read = [(n, lv) for n, lv in fields if f"{entity}.{n}" in space.slots]
        for i, (name, _) in enumerate(read):
            slot = space.slots[f"{entity}.{name}"]
            for broad, level in read[i + 1 :]:
                other = space.slots[f"{entity}.{broad}"]
                if slot.kind != STRING or other.kind != STRING:
                    continue
                for place in sorted(library.places):
                    above = [
                        a
                        for a in library.ancestors(place)[1:]
                        if (known := library.places.get(a)) is not None and known.level == level
                    ]
                    if not above:
                        continue
                    given = conj(slot.present, other.present, slot.value == space.strings.id(place))
                    axioms.append(z3.Implies(given, other.value == space.strings.id(above[0])))
    return axioms
