"""Messages of the rules stage, in English and Chinese: see engine.messages for the keys."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {}
