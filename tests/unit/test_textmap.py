"""TextMap: every visible character of a string value maps back to that same character in the
file, whatever style YAML wrote the string in."""

from __future__ import annotations

import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from clause.engine.diagnostics import DiagnosticError
from clause.engine.load.loader import load_yaml
from clause.engine.load.textmap import build_text_map

WORDS = st.text(
    alphabet=st.sampled_from("abcxyz019.=<>'\"\\#:-甲乙丙，。“”（）补助"), min_size=1, max_size=8
)
VALUES = st.lists(WORDS, min_size=1, max_size=12).flatmap(
    lambda words: st.lists(
        st.sampled_from([" ", "  ", "\n"]), min_size=len(words) - 1, max_size=len(words) - 1
    ).map(lambda seps: "".join(w + s for w, s in zip(words, [*seps, ""], strict=True)))
)


@given(
    value=VALUES,
    style=st.sampled_from([None, "'", '"', "|", ">"]),
    width=st.integers(min_value=10, max_value=60),
)
def test_every_visible_character_maps_to_itself(value: str, style: str | None, width: int) -> None:
    text = yaml.dump(
        {"rule": {"expr": value}}, allow_unicode=True, default_style=style, width=width
    )
    try:
        doc = load_yaml(text, file="t.yaml")
    except DiagnosticError:
        assume(False)  # a plain scalar the dialect refuses, such as `y`
        return
    assume(doc.data == {"rule": {"expr": value}})
    for offset, char in enumerate(value):
        if char.isspace() or char in "\\\"'":  # may be written as, or inside, an escape
            continue
        span = doc.locate("/rule/expr", offset)
        assert doc.line(span.line)[span.col - 1] == char, (text, offset)


def test_escapes_and_doubled_quotes_are_skipped_exactly() -> None:
    text = "a: \"x\\ty \\u4e2d z\"\nb: 'it''s ok'\n"
    doc = load_yaml(text)
    assert doc.locate("/a", doc.data["a"].index("z")).col == 17
    assert doc.locate("/b", doc.data["b"].index("ok")).col == 11


def test_a_map_never_fails_on_text_it_cannot_place() -> None:
    text_map = build_text_map("k: v\n", 3, 4, None, "something else", 1, 4)
    assert text_map.position(0) == (1, 4)
