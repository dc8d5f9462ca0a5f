"""The shipped notice is the original, word for word: only whitespace may differ."""

from __future__ import annotations

from pathlib import Path

import pytest

from clause.engine.load.notice import load_notice, strip_whitespace

REPO = Path(__file__).resolve().parents[2]
ORIGINAL_DIR = REPO / ".." / "shared" / "notice"
ORIGINAL = ORIGINAL_DIR / "hubei-ehrs-2021-25.txt"
PACKAGE = REPO / "policies" / "hubei" / "ehrs-2021-25"


@pytest.fixture(scope="module")
def original() -> str:
    if not ORIGINAL_DIR.is_dir():
        pytest.skip(f"the original notice text is not available ({ORIGINAL_DIR} is absent)")
    return ORIGINAL.read_text(encoding="utf-8")


def test_clause_texts_in_order_are_the_original_text(original: str) -> None:
    notice = load_notice(PACKAGE / "notice.yaml")
    transcribed = strip_whitespace("".join(c.text for c in notice.clauses))
    expected = strip_whitespace(original)
    if transcribed != expected:  # show where they part, not two 8000-character strings
        at = next(
            (
                i
                for i, pair in enumerate(zip(transcribed, expected, strict=False))
                if len(set(pair)) > 1
            ),
            min(len(transcribed), len(expected)),
        )
        pytest.fail(
            f"transcription differs from the original at character {at}: "
            f"{transcribed[max(at - 20, 0) : at + 20]!r} != {expected[max(at - 20, 0) : at + 20]!r}"
        )


def test_transcription_keeps_no_pdf_spacing() -> None:
    """Spaces in the PDF text are layout; the transcription has none inside a line."""
    notice = load_notice(PACKAGE / "notice.yaml")
    for clause in notice.clauses:
        for line in clause.text.split("\n"):
            assert line == strip_whitespace(line), f"{clause.id}: whitespace in {line!r}"
