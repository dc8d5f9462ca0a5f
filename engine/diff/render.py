"""Renderers of a library diff: one sentence per change in zh or en, as text, JSON or Markdown.

In: Changes (engine.diff.changes) and, when a register was decided under both states, its
RegisterEffect (engine.diff.register). Out: lines of text, JSON data, or a Markdown report.
"""

from __future__ import annotations

from typing import Any

from clause.engine.diff.changes import Change, ChangeKind
from clause.engine.diff.register import RegisterEffect
from clause.engine.escape import markdown_code, markdown_text, printable

#: One sentence per kind; {target} {field} {old} {new} are filled in.
WORDS: dict[str, dict[ChangeKind, str]] = {
    "en": {
        ChangeKind.DOCUMENT_ADDED: "document {target} added: {new}",
        ChangeKind.DOCUMENT_REMOVED: "document {target} removed: {old}",
        ChangeKind.DOCUMENT_CHANGED: "document {target}: {field} {old} → {new}",
        ChangeKind.RULE_ADDED: "rule {target} added: {new}",
        ChangeKind.RULE_REMOVED: "rule {target} removed: {old}",
        ChangeKind.RULE_CHANGED: "rule {target}: {field} {old} → {new}",
        ChangeKind.VERSION_ADDED: "rule {target} added, in force {new}",
        ChangeKind.VERSION_REMOVED: "rule {target} removed (was in force {old})",
        ChangeKind.VERSION_CHANGED: "rule {target}: {field} {old} → {new}",
        ChangeKind.PARAMETER_ADDED: "parameter {target} added: {new}",
        ChangeKind.PARAMETER_REMOVED: "parameter {target} removed: {old}",
        ChangeKind.PARAMETER_CHANGED: "parameter {target}: {field} {old} → {new}",
        ChangeKind.FUND_ADDED: "funding source {target} added: {new}",
        ChangeKind.FUND_REMOVED: "funding source {target} removed: {old}",
    },
    "zh": {
        ChangeKind.DOCUMENT_ADDED: "新增文件 {target}：{new}",
        ChangeKind.DOCUMENT_REMOVED: "删除文件 {target}：{old}",
        ChangeKind.DOCUMENT_CHANGED: "文件 {target}：{field} {old} → {new}",
        ChangeKind.RULE_ADDED: "新增规则 {target}：{new}",
        ChangeKind.RULE_REMOVED: "删除规则 {target}：{old}",
        ChangeKind.RULE_CHANGED: "规则 {target}：{field} {old} → {new}",
        ChangeKind.VERSION_ADDED: "规则 {target} 新增版本，有效期 {new}",
        ChangeKind.VERSION_REMOVED: "规则 {target} 删除版本（原有效期 {old}）",
        ChangeKind.VERSION_CHANGED: "规则 {target}：{field} {old} → {new}",
        ChangeKind.PARAMETER_ADDED: "新增参数 {target}：{new}",
        ChangeKind.PARAMETER_REMOVED: "删除参数 {target}：{old}",
        ChangeKind.PARAMETER_CHANGED: "参数 {target}：{field} {old} → {new}",
        ChangeKind.FUND_ADDED: "新增资金来源 {target}：{new}",
        ChangeKind.FUND_REMOVED: "删除资金来源 {target}：{old}",
    },
}

LABELS = {
    "en": {
        "from": "from",
        "by": "by",
        "none": "no changes",
        "changes": "changes",
        "effect": "effect on the register",
        "rows": "cases whose decisions change",
        "rule": "rule",
        "fund": "fund",
        "before": "before",
        "after": "after",
        "outcomes": "outcomes",
        "amount": "amount (yuan)",
        "absent": "(none)",
    },
    "zh": {
        "from": "自",
        "by": "依据",
        "none": "没有变化",
        "changes": "变化",
        "effect": "对名册的影响",
        "rows": "决定发生变化的个案",
        "rule": "规则",
        "fund": "资金来源",
        "before": "变化前",
        "after": "变化后",
        "outcomes": "结果",
        "amount": "金额（元）",
        "absent": "（无）",
    },
}


#: What a changed field is called, by the start of its path (the longest match wins).
FIELDS: dict[str, dict[str, str]] = {
    "en": {
        "window": "window",
        "in_force": "in-force window",
        "in_force_effective": "in-force window (as other documents left it)",
        "effective_date": "date that selects the version",
        "conditions": "condition",
        "unless": "exception",
        "requires": "requirement",
        "amount": "amount",
        "amount.value.value": "amount",
        "amount.value.param": "amount set by parameter",
        "amount.kind": "amount form",
        "amount.claimed": "amount claimed",
        "amount.count": "number of units",
        "amount.max_count": "most units paid",
        "amount.percent": "percentage",
        "amount.quote": "words of the amount",
        "funding": "funding",
        "once": "one-off",
        "once_limits": "limits on how often",
        "overrides": "replaces",
        "values": "values",
        "title_zh": "title",
        "title_en": "title (en)",
    },
    "zh": {
        "window": "有效期",
        "in_force": "施行期限",
        "in_force_effective": "施行期限（经其他文件延长或废止后）",
        "effective_date": "确定版本的日期",
        "conditions": "条件",
        "unless": "除外情形",
        "requires": "要求",
        "amount": "金额",
        "amount.value.value": "金额",
        "amount.value.param": "金额参数",
        "amount.kind": "金额形式",
        "amount.claimed": "申请金额",
        "amount.count": "计算单位数",
        "amount.max_count": "最多计算单位",
        "amount.percent": "比例",
        "amount.quote": "金额原文",
        "funding": "资金来源",
        "once": "一次性",
        "once_limits": "享受次数限制",
        "overrides": "替代",
        "values": "参数值",
        "title_zh": "标题",
        "title_en": "英文标题",
    },
}


def field_words(path: str, lang: str) -> str:
    """`conditions.age.expr` -> `condition age (expr)`; `amount.value.value` -> `amount`."""
    words = FIELDS[lang]
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        head = ".".join(parts[:n])
        if head in words:
            rest = parts[n:]
            if parts[0] in ("conditions", "unless", "requires") and rest:
                name, *tail = rest
                return f"{words[head]} {name}" + (f" ({'.'.join(tail)})" if tail else "")
            return words[head] + (f" ({'.'.join(rest)})" if rest else "")
    return path


def sentence(change: Change, lang: str) -> str:
    """The change as one sentence, with when and by which document."""
    lab = LABELS[lang]
    text = WORDS[lang][change.kind].format(
        target=change.target,
        field=field_words(change.field, lang),
        old=change.old if change.old is not None else lab["absent"],
        new=change.new if change.new is not None else lab["absent"],
    )
    extra = []
    if change.since is not None and change.kind is not ChangeKind.VERSION_ADDED:
        extra.append(f"{lab['from']} {change.since.isoformat()}")
    if change.by:
        extra.append(f"{lab['by']} {change.by}")
    return text + (f" ({'; '.join(extra)})" if extra else "")


def to_lines(changes: list[Change], effect: RegisterEffect | None, lang: str) -> list[str]:
    """Plain text: one change per line, then the register's effect if any."""
    lab = LABELS[lang]
    lines = [printable(sentence(c, lang)) for c in changes] or [lab["none"]]
    if effect is not None:
        lines += ["", f"{lab['effect']}: {effect.source} ({effect.on.isoformat()})"]
        lines += _effect_lines(effect, lang)
    return lines


def _effect_lines(effect: RegisterEffect, lang: str) -> list[str]:
    lab = LABELS[lang]
    lines = [f"{lab['rows']}: {effect.cases_changed:,} / {effect.rows_read:,}"]
    for rule, before, after in effect.rule_rows():
        lines.append(
            f"  {lab['rule']} {rule}: {lab['amount']} {before['amount']} → {after['amount']}; "
            f"{lab['outcomes']} {_counts(before['outcomes'])} → {_counts(after['outcomes'])}"
        )
    for fund, before_total, after_total in effect.fund_rows():
        lines.append(f"  {lab['fund']} {fund}: {before_total} → {after_total}")
    return lines


def _counts(outcomes: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in outcomes.items()) or "-"


def to_json(changes: list[Change], effect: RegisterEffect | None, lang: str) -> dict[str, Any]:
    """JSON data: the changes with their sentence, and the register's effect."""
    return {
        "changes": [
            {
                "kind": c.kind.value,
                "target": c.target,
                "field": c.field,
                "old": c.old,
                "new": c.new,
                "since": c.since.isoformat() if c.since else None,
                "by": c.by,
                "where": f"{c.span.file}:{c.span.line}:{c.span.col}" if c.span else None,
                "text": sentence(c, lang),
            }
            for c in changes
        ],
        "register": effect.to_json() if effect is not None else None,
    }


def to_markdown(changes: list[Change], effect: RegisterEffect | None, lang: str) -> str:
    """A Markdown report: the changes as a list, the register's effect as tables."""
    lab = LABELS[lang]
    out = [f"# {lab['changes']}", ""]
    out += [f"- {markdown_text(sentence(c, lang))}" for c in changes] or [lab["none"]]
    if effect is not None:
        out += ["", f"## {lab['effect']}: {markdown_code(effect.source)} ({effect.on})", ""]
        out += [f"{lab['rows']}: {effect.cases_changed:,} / {effect.rows_read:,}", ""]
        out += [
            f"| {lab['rule']} | {lab['before']} | {lab['after']} |",
            "|---|---:|---:|",
        ]
        for rule, before, after in effect.rule_rows():
            out.append(f"| {markdown_code(rule)} | {before['amount']} | {after['amount']} |")
        out += ["", f"| {lab['fund']} | {lab['before']} | {lab['after']} |", "|---|---:|---:|"]
        for fund, before_total, after_total in effect.fund_rows():
            out.append(f"| {markdown_code(fund)} | {before_total} | {after_total} |")
    return "\n".join(out).rstrip() + "\n"
