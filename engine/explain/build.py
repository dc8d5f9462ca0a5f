"""Explanations: decisions in, a plain-data report out (the JSON of `schemas/trace.schema.json`).

Data first, rendering later: text (Rich tree) and Markdown are drawn from this one structure,
so every format says the same thing. Labels and reasons are worded in Chinese or English;
quotes are always the notice's own Chinese words.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from clause.engine import __version__
from clause.engine.decide.core import AmountResult, ConditionResult, Decision, Reason
from clause.engine.expr.values import json_value
from clause.engine.model import Package

OUTCOMES = {
    "en": {
        "eligible": "eligible",
        "ineligible": "ineligible",
        "not_applicable": "not applicable",
        "undetermined": "undetermined",
        "compliant": "compliant",
        "violation": "violation",
    },
    "zh": {
        "eligible": "符合条件",
        "ineligible": "不符合条件",
        "not_applicable": "不适用",
        "undetermined": "无法确定",
        "compliant": "合规",
        "violation": "违反",
    },
}

REASONS = {
    "en": {
        "version": "{source} = {day}, in version {version}'s window ({window})",
        "notice_expired": "{document} expired on {end} ({source} = {day})",
        "notice_not_yet": "{document} applies from {start} ({source} = {day})",
        "rule_expired": "this provision expired on {end}",
        "rule_not_yet": "this provision applies from {start}",
        "no_version": "no version is in force on the effective date",
        "missing_effective_date": "the date that selects the version is missing: {paths}",
        "condition_failed": "condition not met: {quote}",
        "exception": "exception applies: {quote}",
        "earlier_grant": "one-off benefit already granted ({program} {date})",
        "missing_facts": "facts needed to decide are missing",
        "all_met": "every condition is met",
        "duty_not_applicable": "the duty does not apply: {quote}",
        "requirement_failed": "requirement not met: {quote}",
        "all_requirements_met": "every requirement is met",
        "superseded": "superseded by {by} (on its own: {was})",
        "maybe_superseded": "may be superseded by {by}, which is undetermined",
        "quota_unknown": "the quota of {fund} is not known: the split between funds is open",
        "not_configured": "set by parameter {param}, not configured for this date or locality",
        "claim_unknown": "amount claimed not known: up to {cap}",
        "count_unknown": "the number of units is not known",
        "base_unknown": "the base amount is not known",
        "per_other_regulation": "按规定: the amount is set by {who}; none is configured here",
        "uncovered": "{amount} is not covered by any funding source's quota",
        "decision_date": "the decision date",
    },
    "zh": {
        "version": "{source} = {day}，在第 {version} 版有效期内（{window}）",
        "notice_expired": "{document}已于 {end} 到期（{source} = {day}）",
        "notice_not_yet": "{document}自 {start} 起施行（{source} = {day}）",
        "rule_expired": "该项政策已于 {end} 到期",
        "rule_not_yet": "该项政策自 {start} 起执行",
        "no_version": "生效日期不在任何版本的有效期内",
        "missing_effective_date": "缺少用于选择版本的日期：{paths}",
        "condition_failed": "条件不满足：{quote}",
        "exception": "适用除外情形：{quote}",
        "earlier_grant": "一次性补贴已享受过（{program} {date}）",
        "missing_facts": "缺少作出决定所需的事实",
        "all_met": "全部条件满足",
        "duty_not_applicable": "该义务不适用：{quote}",
        "requirement_failed": "未满足要求：{quote}",
        "all_requirements_met": "全部要求均已满足",
        "superseded": "已被 {by} 替代（单独判断为：{was}）",
        "maybe_superseded": "可能被 {by} 替代，而 {by} 尚无法确定",
        "quota_unknown": "{fund} 的额度未知，各资金来源的分担无法确定",
        "not_configured": "由参数 {param} 设定，该日期或地区未配置",
        "claim_unknown": "申请金额未知：最高 {cap} 元",
        "count_unknown": "计算单位数未知",
        "base_unknown": "计算基数未知",
        "per_other_regulation": "按规定执行（{who}），此处未配置金额",
        "uncovered": "{amount} 元超出各资金来源的额度",
        "decision_date": "决定日期",
    },
}


def word(reason: Reason | None, lang: str) -> str:
    """A reason in words, in `lang` (zh or en)."""
    if reason is None:
        return ""
    table = REASONS[lang]
    args = {k: "" if v is None else str(v) for k, v in reason.args}
    if args.get("source") == "decision_date":
        args["source"] = table["decision_date"]
    if "was" in args:
        args["was"] = OUTCOMES[lang].get(args["was"], args["was"])
    template = table.get(reason.code, reason.code)
    return template.format_map(_Blank(args)).strip()


class _Blank(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return ""


def facts_digest(facts: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of the (normalised) facts: proves which case was decided."""
    text = json.dumps(
        json_value_deep(facts), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def json_value_deep(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): json_value_deep(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [json_value_deep(v) for v in value]
    return json_value(value)


def explain(
    package: Package,
    decisions: list[Decision],
    on: date,
    facts: Mapping[str, Any],
    lang: str = "en",
) -> dict[str, Any]:
    """The explanation of `decisions` as plain data, conforming to trace.schema.json."""
    return {
        "date": on.isoformat(),
        "lang": lang,
        "document": package.document.number,
        "ruleset_digest": package.digest,
        "facts_digest": facts_digest(facts),
        "engine_version": __version__,
        "decisions": [_decision(package, d, lang, facts) for d in decisions],
    }


def _parameters(package: Package, d: Decision, facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every parameter the decision used (amount or conditions), with the value in force on
    the effective date for the subject's locality, and the citation that sets it."""
    ids = {d.amount.param} if d.amount and d.amount.param else set()
    ids |= {r.path.removeprefix("param.") for c in d.conditions for r in c.params}
    subject = facts.get(d.rule.subject)
    locality = subject.get("locality") if isinstance(subject, Mapping) else None
    day = d.effective_date
    out = []
    for pid in sorted(i for i in ids if i in package.parameters):
        param = package.parameters[pid]
        chosen = param.value_on(day, locality) if day is not None else None
        citation = (chosen.citation if chosen and chosen.citation else None) or param.citation
        out.append(
            {
                "id": pid,
                "title": {"zh": param.title_zh, "en": param.title_en},
                "value": json_value(chosen.value) if chosen and chosen.value is not None else None,
                "configured": bool(chosen and chosen.value is not None),
                "locality": chosen.locality if chosen else None,
                "citation": {
                    "document": citation.document,
                    "clause": citation.clause,
                    "quote": citation.quote,
                },
            }
        )
    return out


def _decision(package: Package, d: Decision, lang: str, facts: Mapping[str, Any]) -> dict[str, Any]:
    rule, version = d.rule, d.version
    funds = package.funds
    return {
        "rule": rule.id,
        "title": {"zh": rule.title_zh, "en": rule.title_en},
        "kind": rule.kind,
        "document": rule.document,
        "clause": rule.clause,
        "breadcrumb": package.notice.breadcrumb(rule.clause),
        "source": f"{rule.file}:{rule.span.line}",
        "version": version.number if version else None,
        "window": _window(version),
        "version_reason": word(d.version_reason, lang),
        "effective_date": d.effective_date.isoformat() if d.effective_date else None,
        "outcome": d.outcome,
        "outcome_label": OUTCOMES[lang][d.outcome],
        "reason": word(d.reason, lang),
        **_amount(d.amount, lang),
        "funding": [
            {
                "fund": s.fund,
                "name": _fund_name(funds.get(s.fund), s.fund, lang),
                "amount": json_value(s.amount) if s.amount is not None else None,
                "shortfall": s.shortfall,
                "quote": s.quote,
            }
            for s in d.funding
        ],
        "missing": list(d.missing),
        "superseded_by": d.superseded_by,
        "notes": [word(n, lang) for n in d.notes],
        "parameters": _parameters(package, d, facts),
        "conditions": [_condition(c) for c in d.conditions],
    }


def _window(version: Any) -> dict[str, str | None] | None:
    if version is None:
        return None
    w = version.window
    return {
        "from": w.start.isoformat() if w.start else None,
        "to": w.end.isoformat() if w.end else None,
    }


def _fund_name(fund: Any, fund_id: str, lang: str) -> str:
    if fund is None:
        return fund_id
    return str(fund.name_zh if lang == "zh" else fund.name_en)


def _amount(a: AmountResult | None, lang: str) -> dict[str, Any]:
    if a is None:
        return {
            "amount": None,
            "amount_kind": None,
            "amount_cap": None,
            "computation": "",
            "amount_quote": None,
            "amount_note": "",
        }
    return {
        "amount": json_value(a.amount) if a.amount is not None else None,
        "amount_kind": a.kind,
        "amount_cap": json_value(a.cap) if a.cap is not None else None,
        "computation": a.computation,
        "amount_quote": a.quote,
        "amount_note": word(a.note, lang),
    }


def _condition(c: ConditionResult) -> dict[str, Any]:
    return {
        "id": c.id,
        "role": c.role,
        "expr": c.expr,
        "value": c.value,
        "quote": c.quote,
        "span": c.span,
        "facts": [{"path": r.path, "value": json_value_deep(r.value)} for r in c.facts],
        "params": [{"path": r.path, "value": json_value_deep(r.value)} for r in c.params],
        "missing": list(c.missing),
    }


LABELS = {
    "en": {
        "title": "Decisions",
        "date": "decision date",
        "document": "document",
        "digest": "rule set",
        "facts": "facts",
        "engine": "engine",
        "clause": "clause",
        "version": "version",
        "window": "window",
        "outcome": "outcome",
        "reason": "reason",
        "conditions": "conditions",
        "condition": "condition",
        "unless": "exception",
        "requires": "requirement",
        "once": "one-off: earlier grant",
        "read": "read",
        "amount": "amount",
        "computation": "computation",
        "funding": "funding",
        "missing": "missing facts",
        "shortfall": "shortfall",
        "quote": "text",
        "none": "no rule applies to these facts",
        "up_to": "up to",
        "parameter": "parameter",
        "not_configured": "not configured",
    },
    "zh": {
        "title": "决定",
        "date": "决定日期",
        "document": "文件",
        "digest": "规则集",
        "facts": "事实",
        "engine": "引擎",
        "clause": "条款",
        "version": "版本",
        "window": "有效期",
        "outcome": "结果",
        "reason": "理由",
        "conditions": "条件",
        "condition": "条件",
        "unless": "除外情形",
        "requires": "要求",
        "once": "一次性：已享受记录",
        "read": "读取",
        "amount": "金额",
        "computation": "计算",
        "funding": "资金来源",
        "missing": "缺少的事实",
        "shortfall": "缺口",
        "quote": "原文",
        "none": "没有适用于这些事实的规则",
        "up_to": "最高",
        "parameter": "参数",
        "not_configured": "未配置",
    },
}

MARK = {True: "✓", False: "✗", None: "?"}


def window_text(window: Mapping[str, Any] | None) -> str:
    if not window:
        return ""
    return f"{window['from'] or '…'} .. {window['to'] or '…'}"


def amount_text(d: Mapping[str, Any], lang: str) -> str:
    """`500.00 yuan (cap)`, `up to 500.00`, or the note saying why there is none."""
    if d["amount"] is not None:
        unit = "元" if lang == "zh" else " yuan"
        return f"{d['amount']}{unit} ({d['amount_kind']})"
    if d["amount_cap"] is not None:
        return f"{LABELS[lang]['up_to']} {d['amount_cap']} ({d['amount_kind']})"
    return d["amount_note"] or ""


def param_text(p: Mapping[str, Any], lang: str) -> str:
    """`parameter x = 600 (甲市), set by <document> <clause>: 「quote」`."""
    lab = LABELS[lang]
    value = p["value"] if p["configured"] else lab["not_configured"]
    where = f" ({p['locality']})" if p["locality"] else ""
    cite = p["citation"]
    clause = f" {cite['clause']}" if cite["clause"] else ""
    source = f"{cite['document']}{clause} 「{cite['quote']}」"
    return f"{lab['parameter']} {p['id']} = {value}{where}; {source}"


def read_text(reads: list[Mapping[str, Any]]) -> str:
    return ", ".join(f"{r['path']} = {_shown(r['value'])}" for r in reads)


def _shown(value: Any) -> str:
    if value is None:
        return "(missing)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    return str(value)


def to_markdown(data: Mapping[str, Any]) -> str:
    """The explanation as a Markdown report an auditor can file."""
    lang = data["lang"]
    lab = LABELS[lang]
    out = [
        f"# {lab['title']}: {data['document']}",
        "",
        f"- {lab['date']}: {data['date']}",
        f"- {lab['digest']}: `{data['ruleset_digest']}`",
        f"- {lab['facts']}: `{data['facts_digest']}`",
        f"- {lab['engine']}: clause {data['engine_version']}",
        "",
    ]
    if not data["decisions"]:
        out.append(lab["none"])
    for d in data["decisions"]:
        out.extend(_markdown_decision(d, lang))
    return "\n".join(out).rstrip() + "\n"


def _markdown_decision(d: Mapping[str, Any], lang: str) -> list[str]:
    lab = LABELS[lang]
    title = d["title"][lang]
    out = [
        f"## {title} (`{d['rule']}`): {d['outcome_label']}",
        "",
        f"- {lab['clause']}: {d['document']} {d['breadcrumb']} (`{d['source']}`)",
    ]
    if d["version"] is not None:
        window = window_text(d["window"])
        out.append(f"- {lab['version']}: {d['version']} ({window}); {d['version_reason']}")
    out.append(f"- {lab['reason']}: {d['reason']}")
    if d["missing"]:
        out.append(f"- {lab['missing']}: " + ", ".join(f"`{m}`" for m in d["missing"]))
    amount = amount_text(d, lang)
    if amount:
        out.append(f"- {lab['amount']}: {amount}")
        if d["computation"]:
            out.append(f"  - {lab['computation']}: `{d['computation']}`")
        if d["amount_quote"]:
            out.append(f"  - {lab['quote']}: 「{d['amount_quote']}」")
    for share in d["funding"]:
        amount = share["amount"] if share["amount"] is not None else "—"
        tag = f" ({lab['shortfall']})" if share["shortfall"] else ""
        out.append(f"- {lab['funding']}: {share['name']}{tag}: {amount} 「{share['quote']}」")
    out.extend(f"- {note}" for note in d["notes"])
    for p in d["parameters"]:
        out.append(f"- {param_text(p, lang)}")
    if d["conditions"]:
        out += [
            "",
            f"| | {lab['conditions']} | {lab['read']} | {lab['quote']} |",
            "|---|---|---|---|",
        ]
        for c in d["conditions"]:
            role = lab[c["role"]]
            expr = c["expr"].replace("|", "\\|").replace("\n", " ")
            out.append(
                f"| {MARK[c['value']]} | {role}: `{expr}` | {read_text(c['facts'] + c['params'])} "
                f"| {c['quote']} |"
            )
    out.append("")
    return out
