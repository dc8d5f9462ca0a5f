"""Messages of the static analysis (A) and of `clause whynot` (U010), in English and Chinese:
the findings, their places, the questions the solver was asked and the forms it does not encode
(`what.solver.*`). See engine.messages for the keys."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- A: findings ---------------------------------------------------------------------------
    "A001": (
        "{a} and {b} can both be paid for one case, and neither overrides the other",
        "{a} 和 {b} 可以对同一案例同时发放，且二者之间没有取代关系",
    ),
    "A001.meaning": (
        "two benefits can both be paid for one case, with no override between them",
        "两项补贴可以对同一案例同时发放，且没有取代关系",
    ),
    "A002": (
        "{rule} version {number} overrides {target}, but whenever it pays, {target} would not "
        "pay anyway: the override never applies",
        "{rule} 第 {number} 版取代 {target}，但凡它发放时 {target} 本来就不会发放："
        "这一取代永远不起作用",
    ),
    "A002.meaning": ("an override can never apply", "取代关系永远不起作用"),
    "A003": (
        "version {number} of {rule} can never be in force: {why}",
        "{rule} 第 {number} 版永远不会生效：{why}",
    ),
    "A003/empty": ("its window {window} ends before it starts", "其有效期 {window} 结束早于开始"),
    "A003/outside": (
        "its window {window} lies outside the document's force ({force})",
        "其有效期 {window} 在文件施行期限（{force}）之外",
    ),
    "A003/effective": (
        "its effective date `{expr}` never falls in {window} inside the document's force",
        "其生效日期 `{expr}` 永远不会落在文件施行期限内的 {window} 之中",
    ),
    "A003/event": (
        "its event `{id}` can never have happened: {expr}",
        "其事件 `{id}` 永远不会发生：{expr}",
    ),
    "A003/decision": (
        "no decision date falls in {window} inside the document's force ({force})",
        "没有哪个决定日期落在文件施行期限（{force}）内的 {window} 之中",
    ),
    "A003.meaning": ("a version can never be in force", "版本永远不会生效"),
    "A004": (
        "{role} `{id}` of {rule} version {number} can never be true: {expr}",
        "{rule} 第 {number} 版的{role} `{id}` 永远不会为真：{expr}",
    ),
    "A004.meaning": ("a condition can never be true", "条件永远不会为真"),
    "A005": (
        "the conditions of {rule} version {number} can never all hold",
        "{rule} 第 {number} 版的条件永远不能同时成立",
    ),
    "A005/duty": (
        "the duty of {rule} version {number} can never apply",
        "{rule} 第 {number} 版的义务永远不会适用",
    ),
    "A005.meaning": ("a version's conditions can never all hold", "版本的条件永远不能同时成立"),
    "A006": (
        "the case distinctions of clause {clause} ({rules}) leave a case undecided: it meets "
        "their common conditions and no rule of the clause applies",
        "条款 {clause} 的情形划分（{rules}）遗漏了一类案例：它满足这些规则的共同条件，"
        "但该条款没有一条规则适用",
    ),
    "A006.meaning": (
        "the case distinctions of a clause leave a case undecided",
        "条款的情形划分遗漏了一类案例",
    ),
    "A007": (
        "no version of {rule} is in force from {start} to {end}, inside its document's force",
        "{start} 至 {end} 期间 {rule} 没有生效的版本，而这段时间在文件施行期限之内",
    ),
    "A007.meaning": (
        "the versions of a rule leave days without a version",
        "规则的各版本之间留有无版本的日子",
    ),
    "A008": (
        "the requirements of {rule} version {number} can never all be met",
        "{rule} 第 {number} 版的要求永远不能同时满足",
    ),
    "A008.meaning": ("an obligation can never be met", "义务永远无法履行"),
    "A009": (
        "{what} can never hold while {params} has no configured value: a locality must "
        "configure it before this can be met",
        "在 {params} 没有配置取值之前，{what}永远不能成立：须由地方先行配置",
    ),
    "A009.meaning": (
        "never, but only while a parameter has no configured value",
        "只因参数尚未配置取值而永远不能成立",
    ),
    "A900": ("{rule} is not analysed: it uses {what}", "{rule} 未分析：它使用了{what}"),
    "A900/question": ("{what}: not analysed ({why})", "{what}：未分析（{why}）"),
    "A900/pair": (
        "{a} and {b}: the witness was not confirmed by deciding it; not reported",
        "{a} 和 {b}：反例未经决定确认，不予报告",
    ),
    "A900/gap": (
        "clause {clause}: the witness of a gap was not confirmed by deciding it; not reported",
        "条款 {clause}：遗漏案例的反例未经决定确认，不予报告",
    ),
    "A900.meaning": ("not analysed", "未分析"),
    # -- U010: whynot's --rule -----------------------------------------------------------------
    "U010": (
        "--rule: `{rule}` is an obligation; whynot answers for benefits",
        "--rule：`{rule}` 是义务；whynot 只回答补贴（待遇）",
    ),
    # -- U012: the solver is an optional extra ----------------------------------------------
    "U012": (
        "this command needs the analysis extra ({missing} is missing): "
        "pip install 'clause[analysis]'",
        "此命令需要 analysis 附加组件（缺少 {missing}）：pip install 'clause[analysis]'",
    ),
    "U002/under": ("no policy package under {where}", "{where} 下没有政策包"),
    # -- the questions asked, and the places of a finding --------------------------------------
    "what.solver.version": ("{rule} version {number}", "{rule} 第 {number} 版"),
    "what.solver.check": (
        "{role} `{id}` of {rule} version {number}",
        "{rule} 第 {number} 版的{role} `{id}`",
    ),
    "what.solver.conditions": (
        "the conditions of {rule} version {number}",
        "{rule} 第 {number} 版的条件",
    ),
    "what.solver.duty": ("the duty of {rule} version {number}", "{rule} 第 {number} 版的义务"),
    "what.solver.pair": ("{a} and {b} together", "{a} 与 {b} 同时发放"),
    "what.solver.override": ("{rule} overriding {target}", "{rule} 取代 {target}"),
    "what.solver.clause": ("the case distinctions of clause {clause}", "条款 {clause} 的情形划分"),
    "what.solver.approximate": (
        "arithmetic the solver only approximates",
        "求解器只能近似处理的算术",
    ),
    "what.solver.gave_up": ("the solver gave up ({reason})", "求解器放弃了（{reason}）"),
    "what.solver.role.condition": ("condition", "条件"),
    "what.solver.role.unless": ("exception", "除外情形"),
    "what.solver.role.requires": ("requirement", "要求"),
    "what.solver.role.event": ("event", "事件"),
    "what.solver.place.version": ("version {number} ({window})", "第 {number} 版（{window}）"),
    "what.solver.place.check": ("{role} `{id}`", "{role} `{id}`"),
    "what.solver.place.overrides": ("overrides {target}", "取代 {target}"),
    "what.solver.place.starts": ("version {number} starts {day}", "第 {number} 版自 {day} 起"),
    "what.solver.place.ends": ("version {number} ends {day}", "第 {number} 版至 {day} 止"),
    "what.solver.place.not_analysed": ("not analysed: {what}", "未分析：{what}"),
    "what.solver.place.here": ("here", "此处"),
    # -- forms the solver does not encode (A900, and whynot's "not analysed") ------------------
    "what.solver.form": ("the rule form `{form}`", "规则形式 `{form}`"),
    "what.solver.cycle": (
        "rules that read each other's outcome in a cycle (through {rule})",
        "互相读取结果而形成循环的规则（经过 {rule}）",
    ),
    "what.solver.outcome_of": (
        "the outcome of `{rule}`, which is not in the library",
        "不在政策库中的规则 `{rule}` 的结果",
    ),
    "what.solver.function": ("the function {name}()", "函数 {name}()"),
    "what.solver.node": ("the expression form {node}", "表达式形式 {node}"),
    "what.solver.nested_lists": ("lists of lists", "列表的列表"),
    "what.solver.round_places": (
        "round() with a number of places that is not a constant",
        "位数不是常量的 round()",
    ),
    "what.solver.once_history": (
        "`once` without `{path}.program` in the facts schema",
        "事实模式中没有 `{path}.program` 的 `once`",
    ),
    "what.solver.param_in_date": (
        "a parameter of type {type} in an effective date",
        "生效日期中类型为 {type} 的参数",
    ),
    "what.solver.param_type": (
        "the parameter `{param}` of type {type}",
        "类型为 {type} 的参数 `{param}`",
    ),
    "what.solver.param_value": (
        "a parameter value {value} of another type than its uses",
        "类型与用法不符的参数值 {value}",
    ),
    "what.solver.records_compare": ("comparing lists of records", "比较记录列表"),
    "what.solver.fact_type": ("facts of type {type}", "类型为 {type} 的事实"),
    "what.solver.nested_records": (
        "a path through nested lists of records",
        "穿过嵌套记录列表的路径",
    ),
    "what.solver.unknown_fact": (
        "the fact `{fact}` (not in the facts schema)",
        "事实 `{fact}`（不在事实模式中）",
    ),
    "what.solver.list_field": ("the list field `{field}`", "列表字段 `{field}`"),
    "what.solver.constant": ("a constant of kind {kind}", "种类为 {kind} 的常量"),
    "what.solver.read_kind": ("reading a value of kind {kind}", "读取种类为 {kind} 的值"),
    "what.solver.inexact_number": (
        "a number with no exact decimal form: {value}",
        "没有精确十进制形式的数：{value}",
    ),
}
