"""Messages about facts (F), usage (U) and batch runs (B), and the words they share, in English
and Chinese: see engine.messages for the keys."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- F: facts, schemas, parameters, budgets ---------------------------------------------
    "F001": ("{pointer}: {reason}", "{pointer}：{reason}"),
    "F001/mapping": (
        "facts must be a mapping of entities, found {found}",
        "事实必须是以实体为键的映射，实际为{found}",
    ),
    "F001/params": (
        "parameter values must be a mapping of names to values, found {found}",
        "参数值必须是名称到值的映射，实际为{found}",
    ),
    "F001/record": ("expected a record of fields, found {found}", "应为字段记录，实际为{found}"),
    "F001/records": ("expected a list of records, found {found}", "应为记录列表，实际为{found}"),
    "F001/list": ("expected a list, found {found}", "应为列表，实际为{found}"),
    "F001/enum": (
        '"{value}" is not one of the allowed values: {allowed}',
        "“{value}”不是允许的值之一：{allowed}",
    ),
    "F001/type": (
        "expected {expected}, found {found} {value}",
        "应为{expected}，实际为{found} {value}",
    ),
    "F001/unknown": (
        "`{key}` is not a field of the facts schema{hint}",
        "`{key}` 不是事实模式中的字段{hint}",
    ),
    "hint.did_you_mean_paren": (" (did you mean `{option}`?)", "（是否想写 `{option}`？）"),
    "F001/minimum": ("{value} is less than the minimum of {limit}", "{value} 小于最小值 {limit}"),
    "F001/maximum": ("{value} is more than the maximum of {limit}", "{value} 大于最大值 {limit}"),
    "F001/exclusiveMinimum": (
        "{value} must be more than {limit}",
        "{value} 须大于 {limit}",
    ),
    "F001/exclusiveMaximum": ("{value} must be less than {limit}", "{value} 须小于 {limit}"),
    "F001/required": ("`{key}` is required", "缺少必需的字段 `{key}`"),
    "F002": ("{pointer}: {reason}", "{pointer}：{reason}"),
    "F002/mapping": (
        "a facts schema is a JSON Schema object, found {found}",
        "事实模式应为 JSON Schema 对象，实际为{found}",
    ),
    "F002/ref": (
        "only local references are supported, not {ref}",
        "只支持本文件内的引用，不支持 {ref}",
    ),
    "F002/unresolved": ("reference {ref} does not resolve", "引用 {ref} 无法解析"),
    "F002/enum": ("enum values must all be strings", "枚举值必须全部是文字"),
    "F002/type": (
        "a field of type {type} cannot be used in rules",
        "类型为 {type} 的字段不能在规则中使用",
    ),
    "F002/shape": (
        "`{key}` must be {expected}, found {found}",
        "`{key}` 应为{expected}，实际为{found}",
    ),
    "F003": (
        "a budget maps fund ids to amounts, found {found}",
        "预算文件应为资金来源编号到金额的映射，实际为{found}",
    ),
    "F003/amount": (
        "budget for {fund} must be a non-negative amount, got {found}",
        "{fund} 的预算必须是非负金额，实际为 {found}",
    ),
    "F003/number": ("budget for {fund}: {reason}", "{fund} 的预算：{reason}"),
    "F004": (
        "`{again}` and `{first}` name the same fact: write it once",
        "`{again}` 与 `{first}` 是同一事实的不同写法：只写一次",
    ),
    # -- U: usage -----------------------------------------------------------------------------
    "U008": ("--db: {reason}", "--db：{reason}"),
    "U008/url": ("not a database URL: {url}", "不是数据库 URL：{url}"),
    "U008/backend": (
        "unsupported database `{backend}`: use sqlite:///FILE or postgresql://HOST/DB",
        "不支持的数据库 `{backend}`：请使用 sqlite:///FILE 或 postgresql://HOST/DB",
    ),
    "U008/sqlite": (
        "SQLite needs a file: sqlite:///path/to/clause.db",
        "SQLite 需要一个文件：sqlite:///path/to/clause.db",
    ),
    "U009": (
        "this command needs the serve extra ({missing} is missing): pip install 'clause[serve]'",
        "此命令需要 serve 附加组件（缺少 {missing}）：pip install 'clause[serve]'",
    ),
    "U001/subject": (
        "--subject {value}: write ENTITY=IDENTIFIER, e.g. person=4201…",
        "--subject {value}：请写 实体=标识，如 person=4201…",
    ),
    "U001/entity": (
        "--subject: {entity} has no identifier field; entities with one: {known}",
        "--subject：{entity} 没有标识字段；有标识字段的实体：{known}",
    ),
    "U001/amount": (
        "--amount {value}: a non-negative amount in yuan, at most 2 decimals",
        "--amount {value}：须为非负的元金额，至多两位小数",
    ),
    "U001/spent": (
        "--amount: {spent} of this quota is already spent; the total cannot be less",
        "--amount：此额度已使用 {spent}，总额不能更少",
    ),
    "U001/kind": ("--kind {value}: decide or apply", "--kind {value}：应为 decide 或 apply"),
    "U011/no_repository": (
        "`{revision}` is neither a folder nor a git revision (not in a git repository)",
        "`{revision}` 既不是目录，也不是 git 版本（不在 git 仓库中）",
    ),
    "U011/outside": (
        "the library folder {library} is not inside the repository",
        "政策库目录 {library} 不在仓库中",
    ),
    "U011/revision": (
        "`{revision}` is neither a folder nor a git revision",
        "`{revision}` 既不是目录，也不是 git 版本",
    ),
    "U011/missing": (
        "`{folder}` does not exist at revision `{revision}`",
        "版本 `{revision}` 中没有 `{folder}`",
    ),
    "U001": (
        "{option} {value} is not a date; write YYYY-MM-DD",
        "{option} {value} 不是日期；请写 YYYY-MM-DD",
    ),
    "U001/missing": ("{option} is missing", "缺少 {option}"),
    "U001/given": ("{reason}", "{reason}"),
    "U002": (
        "expected one policy package under {where}, found {count} ({found}); choose one with "
        "--package",
        "{where} 下应有一个政策包，实际找到 {count} 个（{found}）；请用 --package 指定",
    ),
    "U002/none": ("no policy package found", "没有找到政策包"),
    "U003": (
        "{option}no rule `{rule}`; rules: {known}",
        "{option}没有规则 `{rule}`；现有规则：{known}",
    ),
    "U004/outcome": (
        "--only: unknown outcome `{outcome}`; outcomes: {known}",
        "--only：未知结果 `{outcome}`；可用结果：{known}",
    ),
    "U004/count": (
        "{option} must be between 1 and {max}, got {value}",
        "{option} 须在 1 到 {max} 之间，实际为 {value}",
    ),
    "U004/workers": (
        "--workers {value} is more than the {cpus} processors this machine gives the run",
        "--workers {value} 超过本机可供使用的 {cpus} 个处理器",
    ),
    "U004/workers.help": (
        "use at most --workers {cpus}: more processes than processors only add memory and time",
        "最多使用 --workers {cpus}：进程数多于处理器只会增加内存和时间",
    ),
    "U004/backend": ("no backend `{backend}`", "没有名为 `{backend}` 的计算后端"),
    "U004/engine": (
        "no engine `{engine}`; use local or spark",
        "没有名为 `{engine}` 的运行引擎；请用 local 或 spark",
    ),
    "U004/layout": (
        "no layout `{layout}`; use long or wide",
        "没有名为 `{layout}` 的结果布局；请用 long 或 wide",
    ),
    "U005": ("{reason}", "{reason}"),
    "U005/option": ("no such option: {option}", "没有这个选项：{option}"),
    "U005/option.help": (
        "an expression that starts with `-` is read as an option: put `--` before it, e.g. "
        "clause expr -- '-1 + 2'",
        "以 `-` 开头的表达式会被当作选项：请在前面加 `--`，如 clause expr -- '-1 + 2'",
    ),
    "U005/missing": ("missing {what}", "缺少{what}"),
    "U005/command": ("no such command: {command}", "没有这个命令：{command}"),
    "U006": (
        "nothing to check in {where}: no policy package (a folder with document.yaml) and no "
        "YAML file",
        "{where} 中没有可检查的内容：既没有政策包（含 document.yaml 的目录），也没有 YAML 文件",
    ),
    "U006.help": (
        "name a policy package folder, or run clause check where policies/ is",
        "请指定政策包目录，或在 policies/ 所在目录运行 clause check",
    ),
    "U006/not_policy": (
        "{path} is not a policy file: clause checks policy packages and YAML files",
        "{path} 不是政策文件：clause 检查政策包和 YAML 文件",
    ),
    "U007": (
        "no test cases in {package}: nothing was tested",
        "{package} 中没有测试用例：什么都没有测试",
    ),
    "U007.help": (
        "add policy test cases (YAML) under the package's tests/ folder",
        "请在政策包的 tests/ 目录下添加政策测试用例（YAML）",
    ),
    # -- B: batch runs ------------------------------------------------------------------------
    "B001": ("{reason}", "{reason}"),
    "B001/format": (
        "unsupported input format `{suffix}`; use one of {known}",
        "不支持的输入格式 `{suffix}`；请使用 {known} 之一",
    ),
    "B001/notfile": ("not a file", "不是文件"),
    "B001/read": ("cannot read file: {reason}", "无法读取文件：{reason}"),
    "B001/empty": (
        "the file is empty: a CSV register starts with a header row",
        "文件为空：CSV 名册须以表头行开始",
    ),
    "B001/header": ("unreadable header: {reason}", "表头无法读取：{reason}"),
    "B001/header_encoding": (
        "the header is not {encoding} text; pass --encoding",
        "表头不是 {encoding} 文本；请用 --encoding 指定编码",
    ),
    "B001/encoding": ("unknown encoding {encoding}", "未知编码 {encoding}"),
    "B001/parquet": (
        "not a readable Parquet file: {reason}",
        "不是可读取的 Parquet 文件：{reason}",
    ),
    "B001/parquet_page": (
        "the Parquet file is damaged near row {row}: {reason}",
        "Parquet 文件在第 {row} 行附近损坏：{reason}",
    ),
    "B001/pyarrow": (
        "Parquet needs pyarrow: pip install pyarrow",
        "读取 Parquet 需要 pyarrow：pip install pyarrow",
    ),
    "B002": ("{problems}", "{problems}"),
    "B002/group": (
        "column `{name}` is a group of facts, not one fact (e.g. {leaves})",
        "列 `{name}` 是一组事实，而不是一个事实（如 {leaves}）",
    ),
    "B002/unknown": (
        "column `{name}` is not a fact path of the facts schema",
        "列 `{name}` 不是事实模式中的事实路径",
    ),
    "B002/unnamed": ("column {index} has no name", "第 {index} 列没有名称"),
    "B002/same": (
        "columns `{first}` and `{again}` are the same fact",
        "列 `{first}` 与 `{again}` 是同一事实",
    ),
    "B003": ("cannot write {path}: {reason}", "无法写入 {path}：{reason}"),
    "B003/format": (
        "{option}: unsupported format `{suffix}`; use {known}",
        "{option}：不支持的格式 `{suffix}`；请使用 {known}",
    ),
    "B003/input": (
        "{option} {path} is the register being read; choose another file",
        "{option} {path} 就是正在读取的名册；请另选文件",
    ),
    "B003/same": ("the output and the rejects file must differ", "结果文件与拒绝行文件不能相同"),
    "B003/directory": (
        "{option} {path} is a directory; name a file",
        "{option} {path} 是目录；请指定文件",
    ),
    "B003/package": (
        "{option} {path} is a file of the policy package {package}; write results elsewhere",
        "{option} {path} 是政策包 {package} 中的文件；请把结果写到别处",
    ),
    "B003/budget": (
        "{option} {path} is the budget file; choose another file",
        "{option} {path} 是预算文件；请另选文件",
    ),
    "B003/parent": (
        "{option}: the folder {parent} does not exist",
        "{option}：目录 {parent} 不存在",
    ),
    "B003/rejects_format": (
        "--rejects {path}: rejected rows are written as JSON Lines; name a .jsonl file",
        "--rejects {path}：拒绝行以 JSON Lines 写出；请指定 .jsonl 文件",
    ),
    "B003/kept_format": (
        "{option} {path}: the {what} is written as {kind}; name a {suffix} file",
        "{option} {path}：{what}以 {kind} 写出；请指定 {suffix} 文件",
    ),
    "B003/same_file": (
        "{option} {path} is also the file of {other}; each file of a run must differ",
        "{option} {path} 同时也是 {other} 的文件；一次运行的各个文件必须不同",
    ),
    "B003/what.manifest": ("run manifest", "运行清单"),
    "B003/what.report": ("dashboard", "汇总看板"),
    "B004": (
        "the budget names no fund `{fund}`; funds: {funds}",
        "预算中的资金来源 `{fund}` 不存在；现有资金来源：{funds}",
    ),
    "B005": ("a worker process failed: {reason}", "工作进程失败：{reason}"),
    "B007": ("Spark failed ({master}): {reason}", "Spark 运行失败（{master}）：{reason}"),
    "B007/pyspark": (
        "--engine spark needs pyspark: pip install 'clause[spark]'",
        "--engine spark 需要 pyspark：pip install 'clause[spark]'",
    ),
    "B008": (
        "--report needs the chart library, which is not installed: pip install 'clause[report]'",
        "--report 需要图表库，但未安装：pip install 'clause[report]'",
    ),
    # -- why a register row was rejected (`clause eval`: the rejects file keeps the English,
    # the dashboard shows the page's language) --------------------------------------------------
    "row.at": ("{path}: {reason}", "{path}：{reason}"),
    "row.not_one_of": ("{value} is not one of: {known}", "{value} 不是以下之一：{known}"),
    "row.bool": (
        "expected true/false, 1/0 or 是/否, found {value}",
        "应为 true/false、1/0 或 是/否，实际为 {value}",
    ),
    "row.number": ("expected a number, found {value}", "应为数字，实际为 {value}"),
    "row.date": (
        "expected a date YYYY-MM-DD, found {value}",
        "应为日期 YYYY-MM-DD，实际为 {value}",
    ),
    "row.json_list": (
        "expected a JSON list such as [], found {value}: {reason}",
        "应为 JSON 列表（如 []），实际为 {value}：{reason}",
    ),
    "row.whole": ("expected a whole number, found {value}", "应为整数，实际为 {value}"),
    "row.minimum": ("{value} is less than the minimum {minimum}", "{value} 小于最小值 {minimum}"),
    "row.maximum": ("{value} is more than the maximum {maximum}", "{value} 大于最大值 {maximum}"),
    "row.unknown_field": ("is not a field of the facts schema", "不是事实模式中的字段"),
    "row.required": ("is required", "为必填项"),
    "row.case_id": (
        "expected text or a whole number, found {value}",
        "应为文字或整数，实际为 {value}",
    ),
    "row.repeated_id": (
        "{case_id} was already used on row {first}",
        "{case_id} 已在第 {first} 行使用过",
    ),
    "row.cells": (
        "the row has {cells} cells, the header has {width}",
        "该行有 {cells} 个单元格，表头有 {width} 个",
    ),
    "row.spanning": (
        "{reason}; the record runs over lines {line}-{last} ({lines} lines): an unclosed quote "
        "may have taken up to {more} more rows into it",
        "{reason}；该记录跨第 {line}-{last} 行（共 {lines} 行）：可能有未闭合的引号，"
        "把其后最多 {more} 行并入了该记录",
    ),
    "row.malformed_csv": ("malformed CSV: {reason}", "CSV 格式错误：{reason}"),
    "row.not_encoding": ("not {encoding} text", "不是 {encoding} 编码的文本"),
    "row.empty": ("is empty", "为空"),
    "row.no_cells": ("no facts: every cell of the row is empty", "没有事实：该行每个单元格都为空"),
    "row.not_object": (
        "expected a JSON object of facts per line",
        "每行应为一个包含事实的 JSON 对象",
    ),
    "row.no_facts": ("no facts in this row", "该行没有事实"),
    "row.json_at": ("{reason} at column {col}", "{reason}（第 {col} 列）"),
    "row.eval": ("{code} {reason}{where}", "{code} {reason}{where}"),
    "row.too_large": (
        "E302 a number in this row is too large to compute with",
        "E302 该行中有数字过大，无法计算",
    ),
    # -- words shared by messages -------------------------------------------------------------
    "kind.bool": ("a boolean", "布尔值"),
    "kind.number": ("a number", "数字"),
    "kind.text": ("text", "文字"),
    "kind.list": ("a list", "列表"),
    "kind.record": ("a record", "记录"),
    "kind.nothing": ("nothing", "空值"),
    "kind.mapping": ("a mapping", "映射"),
    "kind.whole": ("a whole number", "整数"),
    "expect.bool": ("true or false", "true 或 false"),
    "expect.number": ("a number", "数字"),
    "expect.date": ("a date YYYY-MM-DD", "YYYY-MM-DD 形式的日期"),
    "expect.text": ("text", "文字"),
    "expect.mapping": ("a mapping", "映射"),
    "expect.list": ("a list", "列表"),
    "option.rule": ("--rule: ", "--rule："),
}
