"""Words: every outcome, reason code and label of an explanation, in Chinese and English.

In: enum members from engine.decide.reasons and a language. Out: text. Quotes are never
translated: they are the notice's own Chinese words. A test proves that every Outcome, Role and
ReasonCode has words in both languages, and that each template names only arguments the core
gives, so nothing is ever worded as a blank.
"""

from __future__ import annotations

from clause.engine.decide.reasons import DECISION_DATE, Outcome, Reason, ReasonCode

LANGS = ("zh", "en")

OUTCOMES: dict[str, dict[Outcome, str]] = {
    "en": {
        Outcome.ELIGIBLE: "eligible",
        Outcome.INELIGIBLE: "ineligible",
        Outcome.NOT_APPLICABLE: "not applicable",
        Outcome.UNDETERMINED: "undetermined",
        Outcome.COMPLIANT: "compliant",
        Outcome.VIOLATION: "violation",
        Outcome.EXCEPTION_NEEDED: "needs a documented exception",
    },
    "zh": {
        Outcome.ELIGIBLE: "符合条件",
        Outcome.INELIGIBLE: "不符合条件",
        Outcome.NOT_APPLICABLE: "不适用",
        Outcome.UNDETERMINED: "无法确定",
        Outcome.COMPLIANT: "合规",
        Outcome.VIOLATION: "违反",
        Outcome.EXCEPTION_NEEDED: "需有例外依据",
    },
}

REASONS: dict[str, dict[ReasonCode | str, str]] = {
    "en": {
        ReasonCode.VERSION: "{source} = {day}, in version {version}'s window ({window})",
        ReasonCode.NOTICE_EXPIRED: "{document} expired on {end} ({source} = {day})",
        ReasonCode.NOTICE_NOT_YET: "{document} applies from {start} ({source} = {day})",
        ReasonCode.RULE_EXPIRED: "this provision expired on {end}",
        ReasonCode.RULE_NOT_YET: "this provision applies from {start}",
        ReasonCode.NO_VERSION: "no version is in force on the effective date",
        ReasonCode.MISSING_EFFECTIVE_DATE: "the date that selects the version is missing: {paths}",
        ReasonCode.EVENT_NOT_HAPPENED: "this did not happen: {quote}",
        ReasonCode.CONDITION_FAILED: "condition not met: {quote}",
        ReasonCode.EXCEPTION: "exception applies: {quote}",
        ReasonCode.EARLIER_GRANT: "one-off benefit already granted ({program} {date})",
        ReasonCode.EARLIER_GRANT_IN_PERIOD: (
            "already granted in the same period ({period}): {program} {date}"
        ),
        ReasonCode.PRINCIPLE_DEVIATION: (
            "departs from what holds in principle: {quote}; lawful only with a documented exception"
        ),
        ReasonCode.MISSING_FACTS: "facts needed to decide are missing",
        ReasonCode.ALL_MET: "every condition is met",
        ReasonCode.DUTY_NOT_APPLICABLE: "the duty does not apply: {quote}",
        ReasonCode.REQUIREMENT_FAILED: "requirement not met: {quote}",
        ReasonCode.ALL_REQUIREMENTS_MET: "every requirement is met",
        ReasonCode.SUPERSEDED: "superseded by {by} (on its own: {was})",
        ReasonCode.MAYBE_SUPERSEDED: "may be superseded by {by}, which is undetermined",
        ReasonCode.QUOTA_UNKNOWN: (
            "the quota of {fund} is not known: the split between funds is open"
        ),
        ReasonCode.NOT_CONFIGURED: (
            "set by parameter {param}, not configured for this date or locality"
        ),
        ReasonCode.CLAIM_UNKNOWN: "amount claimed not known: up to {cap}",
        ReasonCode.CLAIM_UNKNOWN_FLOOR: "amount claimed not known: at least {floor}",
        ReasonCode.VALUE_UNKNOWN: "the amount is not known: a fact it is computed from is missing",
        ReasonCode.COUNT_UNKNOWN: "the number of units is not known",
        ReasonCode.BASE_UNKNOWN: "the base amount is not known",
        ReasonCode.PER_OTHER_REGULATION: (
            "按规定: the amount is set by {who}; none is configured here"
        ),
        ReasonCode.REPEALED: "{document} was repealed by {by} after {end} ({source} = {day})",
        ReasonCode.RULE_REPEALED: "this rule was repealed by {by} after {end} ({source} = {day})",
        ReasonCode.EXTENDED: "{document} was extended by {by} to {end}",
        ReasonCode.JURISDICTION_UNKNOWN: (
            "{document} governs {place}: whether the case lies there is not known ({paths})"
        ),
        ReasonCode.OUTSIDE_JURISDICTION: "{document} governs {place}; this case is in {home}",
        ReasonCode.IMPLEMENTED: (
            "carried out by {by} ({document}), which decides this case (on its own: {was})"
        ),
        ReasonCode.MAYBE_IMPLEMENTED: (
            "may be carried out by {by} ({document}), which is undetermined"
        ),
        ReasonCode.UNCOVERED: "{amount} is not covered by any funding source's quota",
        DECISION_DATE: "the decision date",
    },
    "zh": {
        ReasonCode.VERSION: "{source} = {day}，在第 {version} 版有效期内（{window}）",
        ReasonCode.NOTICE_EXPIRED: "{document}已于 {end} 到期（{source} = {day}）",
        ReasonCode.NOTICE_NOT_YET: "{document}自 {start} 起施行（{source} = {day}）",
        ReasonCode.RULE_EXPIRED: "该项政策已于 {end} 到期",
        ReasonCode.RULE_NOT_YET: "该项政策自 {start} 起执行",
        ReasonCode.NO_VERSION: "生效日期不在任何版本的有效期内",
        ReasonCode.MISSING_EFFECTIVE_DATE: "缺少用于选择版本的日期：{paths}",
        ReasonCode.EVENT_NOT_HAPPENED: "该事项未发生：{quote}",
        ReasonCode.CONDITION_FAILED: "条件不满足：{quote}",
        ReasonCode.EXCEPTION: "适用除外情形：{quote}",
        ReasonCode.EARLIER_GRANT: "一次性补贴已享受过（{program} {date}）",
        ReasonCode.EARLIER_GRANT_IN_PERIOD: "同一期间（{period}）内已享受过：{program} {date}",
        ReasonCode.PRINCIPLE_DEVIATION: "与“原则上”的要求不符：{quote}；须有书面的例外依据",
        ReasonCode.MISSING_FACTS: "缺少作出决定所需的事实",
        ReasonCode.ALL_MET: "全部条件满足",
        ReasonCode.DUTY_NOT_APPLICABLE: "该义务不适用：{quote}",
        ReasonCode.REQUIREMENT_FAILED: "未满足要求：{quote}",
        ReasonCode.ALL_REQUIREMENTS_MET: "全部要求均已满足",
        ReasonCode.SUPERSEDED: "已被 {by} 替代（单独判断为：{was}）",
        ReasonCode.MAYBE_SUPERSEDED: "可能被 {by} 替代，而 {by} 尚无法确定",
        ReasonCode.QUOTA_UNKNOWN: "{fund} 的额度未知，各资金来源的分担无法确定",
        ReasonCode.NOT_CONFIGURED: "由参数 {param} 设定，该日期或地区未配置",
        ReasonCode.CLAIM_UNKNOWN: "申请金额未知：最高 {cap} 元",
        ReasonCode.CLAIM_UNKNOWN_FLOOR: "申请金额未知：不低于 {floor} 元",
        ReasonCode.VALUE_UNKNOWN: "金额未知：计算所需的事实缺失",
        ReasonCode.COUNT_UNKNOWN: "计算单位数未知",
        ReasonCode.BASE_UNKNOWN: "计算基数未知",
        ReasonCode.PER_OTHER_REGULATION: "按规定执行（{who}），此处未配置金额",
        ReasonCode.REPEALED: "{document}已被{by}废止，最后适用日为 {end}（{source} = {day}）",
        ReasonCode.RULE_REPEALED: "本规则已被{by}废止，最后适用日为 {end}（{source} = {day}）",
        ReasonCode.EXTENDED: "{document}的施行期限已由{by}延长至 {end}",
        ReasonCode.JURISDICTION_UNKNOWN: (
            "{document}适用于{place}：无法确定本案是否在该地区（{paths}）"
        ),
        ReasonCode.OUTSIDE_JURISDICTION: "{document}适用于{place}，本案所在地为{home}",
        ReasonCode.IMPLEMENTED: "由 {by}（{document}）落实，按其决定（单独判断为：{was}）",
        ReasonCode.MAYBE_IMPLEMENTED: "可能由 {by}（{document}）落实，而其尚无法确定",
        ReasonCode.UNCOVERED: "{amount} 元超出各资金来源的额度",
        DECISION_DATE: "决定日期",
    },
}

LABELS: dict[str, dict[str, str]] = {
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
        "event": "event",
        "in_principle": "in principle",
        "cited": "clause",
        "whole": "the whole amount",
        "read": "read",
        "amount": "amount",
        "computation": "computation",
        "funding": "funding",
        "missing": "missing facts",
        "shortfall": "shortfall",
        "quote": "text",
        "none": "no rule applies to these facts",
        "layer": "document",
        "levels": "national|province|city|county",
        "carries_out": "carries out {rule} of {document}",
        "enacted": "version {version} enacted by {document}",
        "replacing": "replacing version {version}",
        "extended": "window extended by {document}",
        "up_to": "up to",
        "parameter": "parameter",
        "not_configured": "not configured",
        "case": "Explanation of a decision",
        "summary": "summary",
        "rule": "rule",
        "value": "value",
        "unknown": "unknown",
        "effective_date": "effective date",
        "clause_text": "clause text",
        "cited_clause": "clause a condition quotes",
        "quoted_elsewhere": "quoted from another clause or document",
        "ranked_missing": "missing facts, the one blocking most decisions first",
        "blocks": "decisions it leaves undetermined",
        "superseded_by": "superseded by",
        "replaces": "replaces",
        "parameters": "parameters",
        "notes": "notes",
        "case_facts": "facts of the case",
        "path": "fact",
        "source": "rule file",
        "generated": "generated by",
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
        "event": "事项",
        "in_principle": "原则上",
        "cited": "条款",
        "whole": "全部金额",
        "read": "读取",
        "amount": "金额",
        "computation": "计算",
        "funding": "资金来源",
        "missing": "缺少的事实",
        "shortfall": "缺口",
        "quote": "原文",
        "none": "没有适用于这些事实的规则",
        "layer": "文件层级",
        "levels": "国家|省|市|县",
        "carries_out": "落实{document}的 {rule}",
        "enacted": "第 {version} 版由{document}制定",
        "replacing": "取代第 {version} 版",
        "extended": "施行期限由{document}延长",
        "up_to": "最高",
        "parameter": "参数",
        "not_configured": "未配置",
        "case": "决定说明",
        "summary": "摘要",
        "rule": "规则",
        "value": "值",
        "unknown": "未知",
        "effective_date": "生效日期",
        "clause_text": "条款原文",
        "cited_clause": "条件所引条款",
        "quoted_elsewhere": "引自其他条款或文件",
        "ranked_missing": "缺少的事实（按影响的决定数排序）",
        "blocks": "因此无法确定的决定",
        "superseded_by": "被替代：",
        "replaces": "替代",
        "parameters": "参数",
        "notes": "说明",
        "case_facts": "案件事实",
        "path": "事实",
        "source": "规则文件",
        "generated": "生成工具",
    },
}


def word(reason: Reason | None, lang: str) -> str:
    """A reason in words, in `lang` (zh or en).

    >>> word(Reason.of(ReasonCode.RULE_EXPIRED, end="2025-12-31"), "en")
    'this provision expired on 2025-12-31'
    """
    if reason is None:
        return ""
    table = REASONS[lang]
    args = {k: "" if v is None else str(v) for k, v in reason.args}
    if args.get("source") == DECISION_DATE:
        args["source"] = table[DECISION_DATE]
    if "was" in args:
        args["was"] = OUTCOMES[lang][Outcome(args["was"])]
    return table[reason.code].format_map(args).strip()


def outcome_word(outcome: Outcome, lang: str) -> str:
    return OUTCOMES[lang][outcome]


def label(name: str, lang: str) -> str:
    return LABELS[lang][name]
