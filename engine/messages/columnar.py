"""Why the columnar backend leaves a rule (or a conformance case) to the record path, in English
and Chinese: the reasons `clause eval` reports beside the rules it names. Keys are
`columnar.<reason>`; see engine.messages."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- expressions ------------------------------------------------------------------------
    "columnar.type": ("a value of type {type}", "类型为 {type} 的值"),
    "columnar.not_finite": ("not a finite number", "不是有限的数"),
    "columnar.lower_scale": ("cannot lower a scale exactly", "无法精确降低小数位数"),
    "columnar.out_of_range": ("a number out of the fixed-point range", "超出定点数范围的数"),
    "columnar.too_many_facts": ("more than 63 facts in one rule", "一条规则读取的事实多于 63 个"),
    "columnar.node": ("expression node {node}", "表达式节点 {node}"),
    "columnar.literal_range": (
        "a literal outside the fixed-point range",
        "超出定点数范围的字面量",
    ),
    "columnar.root": ("path root {root}", "路径根 {root}"),
    "columnar.list_param": ("a list parameter", "列表型参数"),
    "columnar.no_field": ("no field {field}", "没有字段 {field}"),
    "columnar.record_value": (
        "an object or array of records used as a value",
        "把对象或记录数组当作值使用",
    ),
    "columnar.list_of_lists": ("a list of lists", "列表的列表"),
    "columnar.nested_array": (
        "a path nested inside an array of records",
        "嵌套在记录数组内部的路径",
    ),
    "columnar.array_field": (
        "a path through an array that is not one scalar field",
        "经过数组但不是单个标量字段的路径",
    ),
    "columnar.list_literal": ("a list literal outside `in`", "`in` 之外的列表字面量"),
    "columnar.compare_lists": ("comparing lists", "比较列表"),
    "columnar.division": (
        "division (not exact in fixed point)",
        "除法（定点数无法精确表示）",
    ),
    "columnar.product_range": (
        "a product outside the fixed-point range",
        "超出定点数范围的乘积",
    ),
    "columnar.sum_range": ("a sum outside the fixed-point range", "超出定点数范围的和"),
    "columnar.list_items": ("a list literal of non-literal items", "含非字面量项的列表字面量"),
    "columnar.member_of": (
        "membership in a value that is not a list",
        "在非列表的值中判断成员",
    ),
    "columnar.member_scale": (
        "membership of a finer number than the list holds",
        "判断比列表更精细的数是否为成员",
    ),
    "columnar.list_if": ("a list-valued if", "取值为列表的 if"),
    "columnar.function": ("function {name}", "函数 {name}"),
    "columnar.outcome": ("outcome() of another rule", "另一条规则的 outcome()"),
    "columnar.outcome_record": (
        "outcome() of a rule on the record path",
        "读取逐案路径上规则的 outcome()",
    ),
    "columnar.round_digits": (
        "round() with computed or fractional digits",
        "round() 的位数是计算值或小数",
    ),
    "columnar.round_range": ("round() digits out of range", "round() 的位数超出范围"),
    "columnar.sum": (
        "sum() of a list (its bound depends on the list's length)",
        "列表的 sum()（其上界取决于列表长度）",
    ),
    # -- rules --------------------------------------------------------------------------------
    "columnar.subject": (
        "the subject {subject} is not an object of the facts",
        "主体 {subject} 不是事实中的对象",
    ),
    "columnar.condition": ("a condition that is not a boolean", "不是布尔值的条件"),
    "columnar.amount_expr": (
        "an amount expression that is not a number",
        "不是数字的金额表达式",
    ),
    "columnar.amount_range": ("an amount outside the fixed-point range", "超出定点数范围的金额"),
    "columnar.param_percent": (
        "a percentage of a parameter outside the fixed-point range",
        "超出定点数范围的参数百分比",
    ),
    "columnar.percent_range": (
        "a percentage outside the fixed-point range",
        "超出定点数范围的百分比",
    ),
    "columnar.amount_form": ("amount form {form}", "金额形式 {form}"),
    "columnar.per_unit_range": (
        "a per-unit amount outside the fixed-point range",
        "超出定点数范围的按单位计算金额",
    ),
    "columnar.grant_program": (
        "a grant history without a text programme",
        "享受记录中没有文字型的项目",
    ),
    "columnar.period": ("a period of kind {kind}", "类型为 {kind} 的期间"),
    "columnar.quota_scale": ("a quota finer than the fixed-point scale", "比定点数更精细的额度"),
    "columnar.quota": (
        "a quota that is not a number at the register's scale",
        "不是名册精度数字的额度",
    ),
    "columnar.implements": (
        "a rule a lower document's rule implements, or one implementing another",
        "被下级文件规则实施的规则，或实施上级规则的规则",
    ),
    "columnar.tied": (
        "tied to {rule} (outcome() or overrides), on the record path",
        "与 {rule} 相关联（outcome() 或替代关系），一并在逐案路径上决定",
    ),
    # -- one case (the conformance corpus) ---------------------------------------------------
    "columnar.param_value": (
        "a parameter the columns cannot carry",
        "列中无法精确表示的参数值",
    ),
    "columnar.row": ("the row goes to the record path", "该行交由逐案路径决定"),
}
