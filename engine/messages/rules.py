"""Messages of the cross-file checks of a package (R), warnings (W) and quotes (Q), in English
and Chinese: see engine.messages for the keys."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "R016": ("{what} is missing: expected {name}", "缺少{what}：应有 {name}"),
    "R016.help": (
        "a policy package holds document.yaml, the notice text, funds.yaml, facts.schema.json, "
        "rules/ and parameters/",
        "政策包包含 document.yaml、文件原文、funds.yaml、facts.schema.json、rules/ 和 parameters/",
    ),
    "R016/incomplete": ("the package is incomplete", "政策包不完整"),
    "what.document": ("the document metadata", "文件元数据"),
    "what.facts_schema": ("the facts schema", "事实模式"),
    "what.rules": ("the rules folder", "规则目录"),
    "W002": (
        "{path} is in no policy package (no document.yaml above it): only its YAML was checked",
        "{path} 不属于任何政策包（上层目录没有 document.yaml）：只检查了其 YAML 格式",
    ),
}
