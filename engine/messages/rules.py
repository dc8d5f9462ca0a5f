"""Messages of the cross-file checks of a package (R), warnings (W) and quotes (Q), in English
and Chinese: see engine.messages for the keys."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "R001": ("rule id `{id}` is already used", "规则编号 `{id}` 已被使用"),
    "R001.label": ("first used in {where}", "第一次使用在 {where}"),
    "R001.help": (
        "every rule needs its own id; ids never change once published",
        "每条规则须有自己的编号；编号一经发布不再更改",
    ),
    "R002": ("clause `{clause}` is not in the notice", "文件中没有条款 `{clause}`"),
    "R002.label": ("no clause with this id", "没有这个编号的条款"),
    "hint.clause_ids": ("clause ids are {ids}…", "条款编号有 {ids}……"),
    "R003": ("quote is not in the text of clause {clause}", "引文不在条款 {clause} 的原文中"),
    "R003.label": ("not found verbatim (whitespace aside)", "（不计空白）原文中找不到这段文字"),
    "R003.note": ("clause: {crumb}", "条款：{crumb}"),
    "hint.clause_says": ("the clause says: {text}", "条款原文为：{text}"),
    "hint.quote_elsewhere": (
        "these words are in clause {clauses}, not {clause}",
        "这段文字在条款 {clauses} 中，而不在 {clause} 中",
    ),
    "R004": (
        "version {number} ({window}) overlaps version {earlier} ({earlier_window})",
        "第 {number} 版（{window}）与第 {earlier} 版（{earlier_window}）的有效期重叠",
    ),
    "R004.label": ("overlapping window", "有效期重叠"),
    "R004.help": (
        "end version {earlier} the day before this one starts",
        "请让第 {earlier} 版在本版开始的前一天结束",
    ),
    "R004.note": ("version {earlier} is at {where}", "第 {earlier} 版在 {where}"),
    "R005": (
        "version {number} ({window}) is outside the notice's force ({in_force})",
        "第 {number} 版（{window}）超出文件的施行期限（{in_force}）",
    ),
    "R005.help": (
        "a window beyond the notice needs the amending document in `enacted.by`",
        "超出文件施行期限的有效期须在 `enacted.by` 中写明修订文件",
    ),
    "R006": (
        "`overrides` names no such rule: `{target}`",
        "`overrides` 指向的规则不存在：`{target}`",
    ),
    "R006/itself": (
        "`overrides` names itself: `{target}`",
        "`overrides` 指向了规则自身：`{target}`",
    ),
    "R007": ("unknown funding source `{fund}`", "未知资金来源 `{fund}`"),
    "R007.help": ("declare it in funds.yaml", "请在 funds.yaml 中声明"),
    "R008": ("unknown parameter `{param}`", "未知参数 `{param}`"),
    "R008.help": ("declare it in parameters/", "请在 parameters/ 中声明"),
    "R009": (
        "parameter `{param}` has no value on {day}, while version {number} is in force ({window})",
        "参数 `{param}` 在 {day} 没有值，而第 {number} 版在该日有效（{window}）",
    ),
    "R009.help": (
        "add a value to {file} covering that day, or `value: null` if the amount is set "
        "elsewhere and not configured here",
        "请在 {file} 中补上覆盖该日的值；如金额由别处规定、此处不配置，请写 `value: null`",
    ),
    "R010": (
        "version {number} is listed as number {position}",
        "第 {number} 版排在第 {position} 位",
    ),
    "R010.help": (
        "number versions 1, 2, 3… in the order they were enacted",
        "请按制定顺序为版本编号 1、2、3……",
    ),
    "R011": (
        "subject `{subject}` is not an entity of the facts schema",
        "主体 `{subject}` 不是事实模式中的实体",
    ),
    "hint.entities": ("entities: {entities}", "实体有：{entities}"),
    "R012": (
        "condition id `{id}` is used twice in this rule",
        "条件编号 `{id}` 在本规则中用了两次",
    ),
    "R012.label": ("already used", "已被使用"),
    "R012.help": ("give each condition its own id", "请为每个条件取不同的编号"),
    "R013": (
        "values {first} and {again} of `{param}`{where} overlap",
        "参数 `{param}`{where}的第 {first} 个值与第 {again} 个值有效期重叠",
    ),
    "R013.help": (
        "end the earlier value the day before the later one starts",
        "请让较早的值在较晚的值开始的前一天结束",
    ),
    "where.locality": (" for {locality}", "（{locality}）"),
    "R014": (
        "this rule cites {cited}, but the package encodes {package}",
        "本规则引用的是 {cited}，而政策包编码的是 {package}",
    ),
    "R014.help": (
        "a package encodes one notice; put rules of another notice in its own package",
        "一个政策包只编码一份文件；其他文件的规则请放在它自己的政策包中",
    ),
    "R015": ("parameter id `{param}` is already used", "参数编号 `{param}` 已被使用"),
    "R015.label": ("first defined in {where}", "第一次定义在 {where}"),
    "R017": (
        "a one-off benefit needs `{subject}.grants[].program` in the facts schema",
        "一次性补贴需要事实模式中有 `{subject}.grants[].program`",
    ),
    "R017.help": (
        "add a `grants` list of records with a `program` field to the entity",
        "请为该实体添加一个记录列表 `grants`，其中含 `program` 字段",
    ),
    "W001": ("rule `{rule}` has no policy test case", "规则 `{rule}` 没有政策测试用例"),
    "W001.help": (
        "add a case to the package's tests/ that expects an outcome for it",
        "请在政策包的 tests/ 中添加一个对其结果有预期的用例",
    ),
    "R016": ("{what} is missing: expected {name}", "缺少{what}：应有 {name}"),
    "R016.help": (
        "a policy package holds document.yaml, the notice text, facts.schema.json, rules/ and "
        "parameters/ (funds.yaml only if it names funds)",
        "政策包包含 document.yaml、文件原文、facts.schema.json、rules/ 和 parameters/"
        "（列明资金来源时才需要 funds.yaml）",
    ),
    "R016/incomplete": ("the package is incomplete", "政策包不完整"),
    "what.document": ("the document metadata", "文件元数据"),
    "what.facts_schema": ("the facts schema", "事实模式"),
    "what.rules": ("the rules folder", "规则目录"),
    "R018": (
        "{what} ends on {end}, before it starts on {start}",
        "{what}的截止日期 {end} 早于起始日期 {start}",
    ),
    "R018.help": (
        "swap the dates, or correct the one that is mistyped: `from` is the first day in force, "
        "`to` the last",
        "请交换两个日期或改正写错的一个：`from` 是生效的第一天，`to` 是最后一天",
    ),
    "what.version": ("version {number}'s window", "第 {number} 版的有效期"),
    "what.in_force": ("the document's in-force window", "文件的施行期限"),
    "what.value": ("value {number} of `{param}`", "参数 `{param}` 第 {number} 个值的有效期"),
    "R019/amount": (
        "the quote says {written}, but the amount uses {used}",
        "原文写的是 {written}，金额用的却是 {used}",
    ),
    "R019/amount.label": ("not the amount's number", "与金额中的数字不一致"),
    "R019/amount.help": (
        "make the amount agree with the clause, or if the difference is intended add "
        "`{key}: <why>` to the amount",
        "请让金额与条款一致；如确属有意不同，请在金额中加上 `{key}: <原因>`",
    ),
    "R019/condition": (
        "the quote says {written}, but the condition uses {used}",
        "原文写的是 {written}，条件用的却是 {used}",
    ),
    "R019/condition.label": ("not the condition's number", "与条件中的数字不一致"),
    "R019/condition.help": (
        "make the condition agree with the clause, or if the difference is intended add "
        "`{key}: <why>` to the condition",
        "请让条件与条款一致；如确属有意不同，请在条件中加上 `{key}: <原因>`",
    ),
    "gap.rule": ("rule {rule} never decided", "规则 {rule} 从未作出决定"),
    "gap.version": ("version {version} never used", "版本 {version} 从未用到"),
    "gap.true": ("condition {condition} never true", "条件 {condition} 从未为真"),
    "gap.false": ("condition {condition} never false", "条件 {condition} 从未为假"),
    "R024": (
        "cites {other}, which is not in this library: the quote cannot be checked",
        "引用了本库中没有的文件 {other}：无法核对引文",
    ),
    "R024.label": ("document not loaded", "文件未载入"),
    "R024.help": (
        "load that document's package beside this one, or cite a clause of {document}",
        "请把该文件的政策包放入本库，或引用 {document} 的条款",
    ),
    "R025": ("rule `{rule}` depends on itself: {cycle}", "规则 `{rule}` 依赖于自身：{cycle}"),
    "R025.label": ("read here", "在此读取"),
    "R025.help": (
        "a rule may read another's outcome only if that one does not read it back "
        "(directly, through others, or by overriding it)",
        "规则只能读取不反过来读取它（直接、间接或通过替代）的其他规则的结果",
    ),
    "R026": (
        "a periodic limit needs `{subject}.grants[].date` in the facts schema",
        "周期性限制需要事实模式中有 `{subject}.grants[].date`",
    ),
    "R026.help": (
        "add a `date` (format: date) to the grant records of the entity",
        "请在该主体的享受记录中增加 `date`（format: date）",
    ),
    "R027": ("`in_principle` has no meaning on {what}", "`in_principle` 对{what}没有意义"),
    "R027.label": ("remove it", "请删除"),
    "R027.help": (
        "原则上 qualifies a benefit's conditions or a duty's requirements: move the check to "
        "`{where}`",
        "“原则上”只修饰待遇的条件或义务的要求：请把该项检查移到 `{where}`",
    ),
    "what.exception": ("an exception", "除外情形"),
    "what.duty_scope": ("the scope of a duty", "义务的适用范围"),
    "what.event": ("an event", "事件"),
    "R028": (
        "value {value} of `{param}`{where} ({window}) is {side} the notice sets ({shown})",
        "参数 `{param}`{where} 的值 {value}（{window}）{side}（{shown}）",
    ),
    "R028.help": (
        "a locality may not set a value past the notice's bound: correct the value",
        "地方设定的值不得超出文件规定的界限：请更正该值",
    ),
    "W003": (
        "value {value} of `{param}`{where} ({window}) is {side} the notice sets in principle "
        "({shown})",
        "参数 `{param}`{where} 的值 {value}（{window}）{side}，文件“原则上”不允许（{shown}）",
    ),
    "W003.help": (
        "cite the documented exception in this value's citation and notes",
        "请在该值的 citation 和 notes 中写明例外依据",
    ),
    "what.below_floor": ("below the floor", "低于文件规定的下限"),
    "what.above_ceiling": ("above the ceiling", "高于文件规定的上限"),
    "R029": (
        "this case sets parameter `{param}`, which the package does not have",
        "该用例设置了政策包中没有的参数 `{param}`",
    ),
    "R029.label": ("no such parameter", "没有这个参数"),
    "R029.help": (
        "declare it under parameters/ (value: null if not configured)",
        "请在 parameters/ 下声明（未配置时 value: null）",
    ),
    "R030": (
        "`{path}` is no kind of file a policy package holds: it is not read",
        "`{path}` 不是政策包中的任何一类文件：不会被读取",
    ),
    "R030.help": (
        "a package holds document.yaml, the notice text, funds.yaml, facts.schema.json, and "
        "rules/, parameters/, tests/ and examples/; rename the file or move it out",
        "政策包包含 document.yaml、文件原文、funds.yaml、facts.schema.json，以及 rules/、"
        "parameters/、tests/ 和 examples/；请改名或移出",
    ),
    "R031": (
        "the library's facts vocabulary defines `{field}` another way",
        "政策库共用的事实词汇对 `{field}` 的定义与此不同",
    ),
    "R031.help": (
        "one case file must be valid for every document: define a field once (library "
        "facts schema), packages may only add fields",
        "同一份事实须对所有文件有效：字段只定义一次（政策库事实模式），政策包只能新增字段",
    ),
    "R032": ("`{target}` is not in the library", "政策库中没有 `{target}`"),
    "R032.help": (
        "add that document's package to the library, or fix the number or rule id",
        "请把该文件的政策包加入政策库，或更正文号或规则编号",
    ),
    "R033": ("documents relate to each other in a cycle: {cycle}", "文件之间的关系成环：{cycle}"),
    "R033.help": (
        "one of these relations is the wrong way round",
        "其中有一个关系方向写反了",
    ),
    "R034": (
        "this change takes effect before {target} was in force",
        "此项变更的生效日早于 {target} 的施行日",
    ),
    "R034.help": ("correct the date", "请更正日期"),
    "R035": (
        "rule `{rule}` gets two versions from {day}: by {first} and by {second}",
        "规则 `{rule}` 自 {day} 起有两个版本：分别由 {first} 和 {second} 制定",
    ),
    "R035.help": (
        "keep one version per day: a correction replaces the other version, it is not a new one",
        "同一天只能有一个版本：更正应替换原版本，而不是新增版本",
    ),
    "R036": ("`{place}` is not a place of library.yaml", "`{place}` 不是 library.yaml 中的地区"),
    "R036.help": (
        "add it to the places of library.yaml, or fix the name",
        "请在 library.yaml 的 places 中加入该地区，或更正名称",
    ),
    "R037": (
        "rule `{target}` belongs to {document}, which this document does not implement",
        "规则 `{target}` 属于 {document}，而本文件并未落实该文件",
    ),
    "R037.help": (
        "add `kind: implements` for that document to document.yaml relations, or implement a "
        "rule of a document it implements",
        "请在 document.yaml 的 relations 中写明落实该文件（kind: implements），"
        "或落实所落实文件中的规则",
    ),
    "R038": (
        "this pays {amount}, above the cap {cap} of `{target}` it implements",
        "此处金额 {amount} 超过所落实规则 `{target}` 的上限 {cap}",
    ),
    "R038.help": (
        "a lower level sets its amount within the upper level's cap: keep it at most the cap",
        "下级在上级规定的上限内确定金额：请不超过该上限",
    ),
    "R039": ("{ref} is encoded by two packages", "{ref} 被两个政策包重复编码"),
    "R039.help": ("remove the copy", "请删除重复的政策包"),
    "W004": (
        "this window ({window}) reaches outside {parent}'s ({parent_window}), which it implements",
        "此有效期（{window}）超出所落实文件 {parent} 的施行期限（{parent_window}）",
    ),
    "W004.help": (
        "this document's own window decides its cases; correct it if the text does not say so",
        "本文件的个案按其自身有效期决定；如原文并非如此，请更正",
    ),
    "case.facts": ("facts: {pointer}: {reason}", "事实：{pointer}：{reason}"),
    "case.params": ("params: no parameter `{param}`", "参数：没有参数 `{param}`"),
    "W002": (
        "{path} is in no policy package (no document.yaml above it): only its YAML was checked",
        "{path} 不属于任何政策包（上层目录没有 document.yaml）：只检查了其 YAML 格式",
    ),
}
