"""The command line in Chinese and English: which language, help texts and the words of output.

In: the command line and the environment. Out: the language (`--lang zh|en` anywhere on the
line, else the locale: LC_ALL, LC_MESSAGES, LANG starting with `zh` give Chinese), the Chinese
help of every command and option (`HELP_ZH`, applied to the Click commands by `localize`), and
`WORDS`, every fixed word the renderers print, as (English, Chinese).

English help is written where each command is defined; its Chinese is here, keyed by command
name, `command --option` or `command ARGUMENT`. `tests/unit/test_messages.py` fails when a
command, option or argument lacks its Chinese help, or a word lacks either language.
Diagnostics have their own catalog (engine.messages).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from clause.engine.messages import LANGS, lang_from_env

LANG_OPTION = "--lang"


def lang_from_argv(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language a command line asks for: `--lang zh`, `--lang=en`, else the locale's.

    >>> lang_from_argv(["check", "--lang", "zh"]), lang_from_argv(["x", "--lang=en"], {})
    ('zh', 'en')
    """
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = None
        if arg == LANG_OPTION and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith(LANG_OPTION + "="):
            value = arg.split("=", 1)[1]
        if value in LANGS:
            return value
    return lang_from_env(environ)


#: Chinese help, by command, `command --option` and `command ARGUMENT` ("" is the app itself).
HELP_ZH: dict[str, str] = {
    "": "政策即代码：检查补贴文件的规则、试算表达式、解释决定。",
    " --version": "显示版本。",
    "expr": "试算一个表达式：显示其值、类型、未知的事实和每个子表达式。"
    "以 - 开头的表达式请写在 -- 之后：clause expr -- '-1 + 2'。",
    "expr EXPRESSION": "表达式，按 shell 规则加引号。",
    "expr --facts": "事实文件（YAML 或 JSON）；`-` 表示标准输入。",
    "expr --schema": "用于确定类型的事实模式（JSON Schema）。",
    "expr --params": "参数值（YAML 或 JSON）。",
    "expr --date": "决定日期 YYYY-MM-DD（`decision_date`）。",
    "expr --format": "输出格式。",
    "check": "检查政策文件：模式、表达式及其类型、引文是否与文件原文一致、版本、编号和引用。"
    "退出码 0 无问题，1 有问题，2 输入无法读取或用法错误。",
    "check PATHS": "政策包、目录或文件（默认：policies/）。",
    "check --format": "输出格式。",
    "check --max-errors": "最多显示多少条问题。",
    "explain": "在某一日期对一个案例作出决定，并逐条解释到条款原文。",
    "explain FACTS": "一个案例的事实（YAML 或 JSON）；`-` 表示标准输入。",
    "explain --date": "决定日期 YYYY-MM-DD。",
    "explain --rule": "只解释这条规则。",
    "explain --format": "输出格式。",
    "explain --budget": "各资金来源的剩余额度（YAML 或 JSON）。",
    "explain --package": "只按此政策包决定（可重复），连同其所依据的文件。",
    "explain --library": "政策库目录（默认：policies/）。",
    "explain --only": "只显示这些结果，如 eligible,undetermined。",
    "test": "运行政策测试用例；失败时给出轨迹，并报告规则、版本和条件的覆盖率。"
    "退出码 0 全部通过，1 有失败或覆盖率不足，2 没有可运行的用例或输入无法读取。",
    "test PATHS": "政策包或目录（默认：policies/）。",
    "test --format": "输出格式。",
    "test --min-coverage": "覆盖率低于此百分比即失败。",
    "coverage": "文件的哪些条款已编码、属于引用、属于定性或尚缺。有条款缺失时退出码为 1。",
    "coverage PACKAGE": "政策包，或政策库目录（默认：policies/）。",
    "coverage --format": "输出格式。",
    "rules": "列出规则及其版本和有效期。",
    "rules --package": "只按此政策包决定（可重复），连同其所依据的文件。",
    "rules --library": "政策库目录（默认：policies/）。",
    "rules --format": "输出格式。",
    "show": "把一条规则与它所编码的条款原文并列显示。",
    "show RULE": "规则编号。",
    "show --package": "只按此政策包决定（可重复），连同其所依据的文件。",
    "show --library": "政策库目录（默认：policies/）。",
    "eval": "在某一日期对名册的每一行作出决定：逐案逐规则的结果、带行号和原因的拒绝行、"
    "按规则和资金来源的合计。运行完成退出码为 0（拒绝行会报告，不算失败），"
    "输入或选项无法使用时为 2。",
    "eval SOURCE": "名册：.csv、.jsonl 或 .parquet。",
    "eval --date": "决定日期 YYYY-MM-DD。",
    "eval --out": "结果文件（.csv、.jsonl 或 .parquet）：每个案例每条规则一行。",
    "eval --rejects": "拒绝行文件（JSON Lines，.jsonl）；默认为 <out>.rejects.jsonl。",
    "eval --budget": "各资金来源的额度（YAML 或 JSON），按名册顺序使用。",
    "eval --rule": "只决定这条规则（可重复）。",
    "eval --only": "只写出这些结果，如 eligible,undetermined。",
    "eval --workers": "工作进程数，最多为本机的处理器数。",
    "eval --chunk-size": "每次交给一个工作进程的行数（1 到 100000）。",
    "eval --encoding": "CSV 名册的文本编码（如 gb18030）。",
    "eval --format": "汇总的输出格式。",
    "eval --quiet": "不显示进度条。",
    "eval --backend": "决定案例的方式：columnar（按块成列决定）或 record（逐个案例）。",
    "eval --engine": "在哪里决定各块：本机，或 Spark。",
    "eval --layout": "结果的布局：每个案例每条规则一行（long）或每个案例一行（wide）。",
    "eval --master": "使用 --engine spark 时的 Spark master（local[2]、spark://…）。",
    "eval --package": "只按此政策包决定（可重复），连同其所依据的文件。",
    "eval --library": "政策库目录（默认：policies/）。",
    "eval --report": "把本次运行的汇总看板写成一个独立的 HTML 页面。",
    "eval --manifest": "运行清单（.json）；默认为结果文件旁的 <out>.manifest.json。",
    "diff": "比较政策库的两个状态：以经办人员的语言列出每处变化；给出 --register 和 --date 时，"
    "列出哪些案例的决定改变了，以及各资金来源改变前后的合计。退出码 0（有差异不是错误），"
    "2 输入无法使用。",
    "diff OLD": "改变前的政策库：目录或 git 版本。",
    "diff NEW": "改变后的政策库：目录或 git 版本。",
    "diff --library": "政策库目录（用于 git 版本）。",
    "diff --register": "在两种状态下分别决定的名册（.csv、.jsonl、.parquet）。",
    "diff --date": "决定日期 YYYY-MM-DD（与 --register 一起使用）。",
    "diff --out": "把每个改变了的决定写到这里（JSON Lines）。",
    "diff --budget": "各资金来源的额度，按名册顺序使用。",
    "diff --format": "输出格式。",
    "whynot": "对每项不符合条件、无法确定或需有例外依据的补贴：给出能使其可以发放的最少事实改变，"
    "每项改变都对应它满足的条件和原文，并已用改变后的案例重新决定核实。退出码 0，输入有误时为 2。",
    "whynot FACTS": "一个案例的事实（YAML 或 JSON）；`-` 表示标准输入。",
    "whynot --date": "决定日期 YYYY-MM-DD。",
    "whynot --rule": "只回答这项补贴。",
    "whynot --format": "输出格式。",
    "whynot --max-changes": "最多改变多少项已知事实。",
    "whynot --package": "只按此政策包决定（可重复），连同其所依据的文件。",
    "whynot --library": "政策库目录（默认：policies/）。",
    "analyse": "用 SMT 求解器对规则作静态分析：可对同一案例同时发放的补贴、永远不起作用的取代、"
    "永远不会生效的版本和永远不会成立的条件、条款情形划分或规则版本之间的遗漏、永远无法履行的义务。"
    "每项发现都有编号、位置，以及可由 clause explain 确认的反例。退出码 0 无发现，1 有发现，"
    "2 输入有误。",
    "analyse PATHS": "组成政策库的政策包或目录（默认：policies/）。",
    "analyse --format": "输出格式。",
    "analyse --witnesses": "把每个反例案例写到这个目录。",
    "analyse --all-pairs": "检查同一主体的每两项补贴是否会同时发放。",
    "serve": "以 HTTP 提供决定服务：POST /v1/decide、POST /v1/apply、GET /v1/decisions/{id}、"
    "GET /v1/rules、GET /v1/health；OpenAPI 描述在 /openapi.json。",
    "serve --library": "政策库目录（默认：policies/）。",
    "serve --db": "sqlite:///文件（默认 sqlite:///clause.db，或 $CLAUSE_DB）或 postgresql://…",
    "serve --host": "监听地址。",
    "serve --port": "端口。",
    "serve --key-file": "用于对个人信息做哈希的密钥文件（默认：SQLite 文件旁、"
    "$CLAUSE_PII_KEY_FILE 或 clause-pii.key）；首次启动时创建。",
    "serve --access-log": "记录每个请求。",
    "ledger": "补贴台账：按主体、规则和资金来源列出补贴；资金额度；与决定日志核对。",
    "ledger grants": "列出已记录的补贴，每笔补贴每个资金来源一行；--format csv 用于导出。",
    "ledger grants --db": "sqlite:///文件（默认 sqlite:///clause.db，或 $CLAUSE_DB）或 postgresql://…",
    "ledger grants --subject": "某一主体的补贴：实体=标识（如 person=4201…）。",
    "ledger grants --rule": "此规则的补贴。",
    "ledger grants --fund": "此资金来源支付的补贴。",
    "ledger grants --decision": "某一决定的补贴。",
    "ledger grants --format": "输出格式。",
    "ledger grants --out": "写入此文件。",
    "ledger grants --library": "政策库目录（默认：policies/），用于识别 --subject 的标识字段。",
    "ledger grants --key-file": "个人信息密钥文件（--subject 按服务的方式做哈希时使用）。",
    "ledger quotas": "按地点和年度列出资金额度：总额、已用、剩余。",
    "ledger quotas --db": "sqlite:///文件（默认 sqlite:///clause.db，或 $CLAUSE_DB）或 postgresql://…",
    "ledger quotas --format": "输出格式。",
    "ledger set-quota": "设定某资金来源在某地某年度的额度；此后的申请从中列支。",
    "ledger set-quota --fund": "资金来源编号（funds.yaml）。",
    "ledger set-quota --place": "地点，与事实中的写法相同。",
    "ledger set-quota --year": "预算年度。",
    "ledger set-quota --amount": "额度总额（元）。",
    "ledger set-quota --db": "sqlite:///文件（默认 sqlite:///clause.db，或 $CLAUSE_DB）或 postgresql://…",
    "ledger check": "核对台账与决定日志；不一致时退出码为 1。",
    "ledger check --db": "sqlite:///文件（默认 sqlite:///clause.db，或 $CLAUSE_DB）或 postgresql://…",
    "log": "按日期、规则和结果列出已记录的决定（按时间先后）。",
    "log --db": "sqlite:///文件（默认 sqlite:///clause.db，或 $CLAUSE_DB）或 postgresql://…",
    "log --from": "在此时间或之后记录（UTC）。",
    "log --to": "在此时间或之前记录（UTC）。",
    "log --date": "决定日期。",
    "log --rule": "决定了此规则。",
    "log --outcome": "结果为此值。",
    "log --kind": "decide 或 apply。",
    "log --limit": "最多列出多少个。",
    "log --format": "输出格式。",
    "replay": "用存储的规则集和事实重新作出一个已记录的决定；轨迹逐字节相同时退出码为 0，"
    "不同时为 1（并给出差异及原因）。",
    "replay DECISION_ID": "已记录的决定编号。",
    "replay --db": "sqlite:///文件（默认 sqlite:///clause.db，或 $CLAUSE_DB）或 postgresql://…",
    "replay --library": "改按此政策库决定，以查看有何变化。",
    "replay --format": "输出格式。",
    "--lang": "输出语言：zh 或 en（默认按 LANG 等区域设置）。",
    "--help": "显示此帮助并退出。",
}

#: Headings and markers of the help screens, as Click prints them, and their Chinese.
_HELP_WORDS_ZH = (
    (re.compile(r"^Usage: ", re.M), "用法："),
    (re.compile(r"^Options:$", re.M), "选项："),
    (re.compile(r"^Arguments:$", re.M), "参数："),
    (re.compile(r"^Commands:$", re.M), "命令："),
    (re.compile(r"\[default: "), "[默认："),
    (re.compile(r"\[required\]"), "[必填]"),
    (re.compile(r"Show this message and exit\."), "显示此帮助并退出。"),
)


def translate_help(text: str, lang: str) -> str:
    """Click's own words in a help screen (`Usage:`, `Options:`…) in `lang`."""
    if lang != "zh":
        return text
    for pattern, zh in _HELP_WORDS_ZH:
        text = pattern.sub(zh, text)
    return text


def help_key(command: str, param: Any) -> str:
    """The HELP_ZH key of a Click parameter: `check --format`, `check PATHS`."""
    if getattr(param, "param_type_name", "") == "argument":
        return f"{command} {str(param.name).upper()}"
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    name = opts[0] if opts else f"--{param.name}"
    if name in (LANG_OPTION, "--help"):
        return name
    return f"{command} {name}"


def localize(group: Any, lang: str) -> None:
    """Put the Chinese help on every command and parameter of the Click group (for zh), and
    make every help screen print Click's own headings in `lang`."""
    _translate_formatter(group, lang)
    for name, command in commands_of(group):
        _translate_formatter(command, lang)
        if lang != "zh":
            continue
        if name in HELP_ZH:
            command.help = HELP_ZH[name]
            command.short_help = None
        for param in command.params:
            key = help_key(name, param)
            if key in HELP_ZH:
                param.help = HELP_ZH[key]


def commands_of(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """The group and every command under it, subcommands of groups included (`ledger
    grants`), each with its HELP_ZH name ("" is the app itself)."""
    found: list[tuple[str, Any]] = [(prefix, group)] if not prefix else []
    for name, command in getattr(group, "commands", {}).items():
        full = f"{prefix} {name}".strip()
        found.append((full, command))
        if getattr(command, "commands", None):
            found.extend(commands_of(command, full))
    return found


def _translate_formatter(command: Any, lang: str) -> None:
    """Wrap the command's help formatting so Click's headings come out in `lang`."""
    if lang == "en" or getattr(command, "_clause_lang", None) == lang:
        return
    format_help = command.format_help

    def translated(ctx: Any, formatter: Any) -> None:
        format_help(ctx, formatter)
        formatter.buffer[:] = [translate_help("".join(formatter.buffer), lang)]

    command.format_help = translated
    command._clause_lang = lang


#: Every fixed word the renderers print: (English, Chinese), templates with named arguments.
WORDS: dict[str, tuple[str, str]] = {
    "check.summary": (
        "{errors} {errors_word}, {warnings} {warnings_word} in {files} {files_word}{more}",
        "{files} 个文件中有 {errors} 个错误、{warnings} 个警告{more}",
    ),
    "check.more": (
        " ({hidden} more not shown: raise --max-errors)",
        "（另有 {hidden} 条未显示：请调大 --max-errors）",
    ),
    "test.coverage": (
        "{package}: coverage {percent}% ({covered}/{items}: rules, versions, each condition "
        "true and false)",
        "{package}：覆盖率 {percent}%（{covered}/{items}：规则、版本、每个条件为真和为假）",
    ),
    "test.gap": ("  not covered: {gap}", "  未覆盖：{gap}"),
    "test.summary": ("{passed} passed, {failed} failed", "{passed} 个通过，{failed} 个失败"),
    "test.fail": ("FAIL {file}:{line}: {name} (on {date})", "失败 {file}:{line}：{name}（{date}）"),
    "test.mismatch": (
        "  {rule}.{field}: expected {expected}, got {actual}",
        "  {rule}.{field}：预期 {expected}，实际 {actual}",
    ),
    "coverage.title": ("{document}: coverage of the notice", "{document}：条款覆盖情况"),
    "coverage.clause": ("clause", "条款"),
    "coverage.title_column": ("title", "标题"),
    "coverage.status": ("status", "状态"),
    "coverage.rules": ("rules", "规则"),
    "coverage.reason": ("reason", "理由"),
    "coverage.encoded": ("encoded", "已编码"),
    "coverage.referential": ("referential", "引用"),
    "coverage.qualitative": ("qualitative", "定性"),
    "coverage.missing": ("missing", "缺失"),
    "coverage.totals": ("{counts} of {total} clauses", "共 {total} 个条款：{counts}"),
    "rules.title": (
        "{document}: {rules} rules, {unencoded} unencoded",
        "{document}：{rules} 条规则，{unencoded} 个未编码条款",
    ),
    "rules.id": ("id", "编号"),
    "rules.title_column": ("title", "标题"),
    "rules.kind": ("kind", "类型"),
    "rules.subject": ("subject", "主体"),
    "rules.clause": ("clause", "条款"),
    "rules.versions": ("versions", "版本"),
    "rules.extended": ("window extended by {document}", "施行期限由{document}延长"),
    "rules.no_rules": (
        "  no rules of its own; it acts on other documents:",
        "  本文件没有自己的规则，作用于其他文件：",
    ),
    "rules.relation.implements": ("  implements {document}", "  落实 {document}"),
    "rules.relation.amends": ("  amends {document}{start}", "  修改 {document}{start}"),
    "rules.relation.extends": ("  extends {document}{end}", "  延长 {document}{end}"),
    "rules.relation.repeals": (
        "  repeals {document}{only}{start}",
        "  废止 {document}{only}{start}",
    ),
    "rules.relation.start": (" from {day}", "，自 {day} 起"),
    "rules.relation.end": (" to {day}", " 至 {day}"),
    "rules.relation.only": (" (rules {rules})", "（规则 {rules}）"),
    "rules.repealed": (
        "repealed by {document}: last day {last}",
        "由{document}废止，最后适用日 {last}",
    ),
    "show.not_found": ("(clause not found)", "（未找到条款）"),
    "show.rule": ("rule file {file}", "规则文件 {file}"),
    "show.clause": ("clause {document} {crumb}", "条款 {document} {crumb}"),
    "expr.value": ("value    ", "值       "),
    "expr.type": ("type     ", "类型     "),
    "expr.unknown": ("unknown  ", "未知     "),
    "expr.none": ("none", "无"),
    "expr.nodes": ("sub-expressions", "子表达式"),
    "expr.short_circuit": ("not evaluated (short-circuit)", "未求值（短路）"),
    "eval.decisions": ("decisions on {date}", "{date} 的决定"),
    "eval.rule": ("rule", "规则"),
    "eval.eligible": ("eligible\ncompliant", "符合条件\n合规"),
    "eval.ineligible": ("ineligible\nviolation", "不符合条件\n违反"),
    "eval.exception_needed": ("exception\nneeded", "需有例外\n依据"),
    "eval.not_applicable": ("not\napplicable", "不适用"),
    "eval.undetermined": ("undetermined", "无法确定"),
    "eval.amount": ("amount (yuan)", "金额（元）"),
    "eval.not_known": ("+{count} not known", "另有 {count} 笔未知"),
    "eval.split_open": ("+{count} split open", "另有 {count} 笔分担未定"),
    "eval.funds": ("funding sources", "资金来源"),
    "eval.fund": ("fund", "资金来源"),
    "eval.allocated": ("allocated", "已分配"),
    "eval.cases": ("cases", "案例数"),
    "eval.quota": ("quota", "额度"),
    "eval.remaining": ("remaining", "剩余"),
    "eval.passed_on": ("shortfall\npassed on", "转给下一来源\n的缺口"),
    "eval.uncovered": (
        "not covered by any funding source: {amount} yuan",
        "任何资金来源都未覆盖：{amount} 元",
    ),
    "eval.split_note": (
        "amounts decided but not split between funds (a quota is not known): {count} case(s), "
        "{amount} yuan; the funds table counts only the shares that are known",
        "已决定金额但未在资金来源间分担（额度未知）：{count} 个案例，{amount} 元；"
        "资金来源表只计入已知的份额",
    ),
    "eval.reconcile": (
        "rows read {read} = decided {decided} + rejected {rejected}",
        "读取 {read} 行 = 已决定 {decided} 行 + 拒绝 {rejected} 行",
    ),
    "eval.unreconciled": ("  (does not reconcile!)", "（不平衡！）"),
    "eval.swallowed": (
        "{records} malformed record(s) took {lines} line(s) between them: see the rejects",
        "{records} 条格式错误的记录共占用 {lines} 行：见拒绝行文件",
    ),
    "eval.duplicates": (
        "{count} row(s) repeat a case id already seen: rejected, see the rejects",
        "{count} 行的案例编号重复：已拒绝，见拒绝行文件",
    ),
    "eval.record_path": (
        "columnar: {rows} rows decided case by case on the record path",
        "列式后端：{rows} 行改由逐案路径决定",
    ),
    "eval.record_rules": (
        "; rules on the record path: {rules}",
        "；由逐案路径决定的规则：{rules}",
    ),
    "eval.written": ("results: {out}; rejects: {rejects}", "结果：{out}；拒绝行：{rejects}"),
    "eval.not_written": (
        "results: not written (no --out); rejects: {rejects}",
        "结果：未写出（未指定 --out）；拒绝行：{rejects}",
    ),
    "eval.manifest": ("manifest: {manifest}", "运行清单：{manifest}"),
    "eval.report": ("; report: {report}", "；看板：{report}"),
    "eval.rejected": (
        "{count} {rows_word} rejected: see {rejects}",
        "拒绝 {count} 行：见 {rejects}",
    ),
    "eval.interrupted": ("interrupted: no results written", "已中断：未写出任何结果"),
    "whynot.none": (
        "on {date} every benefit decided is eligible or not applicable",
        "{date} 决定的每项补贴都符合条件或不适用",
    ),
    "whynot.header": (
        "{rule}  {outcome}  {title} ({clause})",
        "{rule}  {outcome}  {title}（{clause}）",
    ),
    "whynot.missing": ("  missing: {facts}", "  缺少：{facts}"),
    "whynot.not_proposed": ("  not proposed: {fact} ({why})", "  不建议改变：{fact}（{why}）"),
    "whynot.fixed.immutable": (
        "marked x-immutable in the facts schema",
        "事实模式中标为 x-immutable",
    ),
    "whynot.fixed.past": (
        "a date on or before the decision date (it has happened)",
        "决定日期当日或之前的日期（已经发生）",
    ),
    "whynot.fixed.records": (
        "a list of records already given (never edited)",
        "已给出的记录列表（不作修改）",
    ),
    "whynot.not_analysed": ("  not analysed: {what}", "  未分析：{what}"),
    "whynot.no_change": (
        "  no change of the facts searched makes it payable",
        "  所搜索的事实无论怎样改变都不能使其可以发放",
    ),
    "whynot.proposal": ("  {number}. {count} {changes_word}:", "  {number}. 改变 {count} 项："),
    "whynot.more": (
        "  (more alternatives exist; the smallest are shown)",
        "  （还有其他方案；只显示最小的）",
    ),
    "whynot.date_change": (
        "decision date {before} → {after} (apply on or after)",
        "决定日期 {before} → {after}（在此日或之后申请）",
    ),
    "whynot.collect": ("collect {fact}: {value}", "补充 {fact}：{value}"),
    "whynot.works": ("   (works: {bound})", "   （可行：{bound}）"),
    "whynot.one_of": ("one of {values}", "以下之一：{values}"),
    "whynot.missing_value": ("(missing)", "（缺失）"),
    "whynot.not_decided": ("not decided", "不作决定"),
    "whynot.satisfies": ("satisfies {id}{quote}: {expr}", "满足 {id}{quote}：{expr}"),
    "whynot.no_longer": (
        "so that {rule} does not apply: {id}{quote}: {expr}",
        "使 {rule} 不适用：{id}{quote}：{expr}",
    ),
    "whynot.brings_in": ("brings in version {id}{quote}: {expr}", "启用第 {id} 版{quote}：{expr}"),
    "whynot.stops": (
        "! stops paying {rule} ({before} → {after})",
        "! 将停止发放 {rule}（{before} → {after}）",
    ),
    "whynot.md_title": ("Why not — {date}", "为何不能发放 — {date}"),
    "whynot.md_all": (
        "Every benefit decided is eligible or not applicable.",
        "决定的每项补贴都符合条件或不适用。",
    ),
    "whynot.md_outcome": (
        "Outcome: **{outcome}** (clause {clause})",
        "结果：**{outcome}**（条款 {clause}）",
    ),
    "whynot.md_missing": ("Missing: {facts}", "缺少：{facts}"),
    "whynot.md_proposal": ("{number}. {count} change(s):", "{number}. 改变 {count} 项："),
    "whynot.md_stops": ("⚠ stops paying {rule}", "⚠ 将停止发放 {rule}"),
    "whynot.md_not_analysed": ("Not analysed: {what}", "未分析：{what}"),
    "whynot.md_no_change": (
        "No change of the facts searched makes it payable.",
        "所搜索的事实无论怎样改变都不能使其可以发放。",
    ),
    "analyse.also": ("   = also: {where} ({label})", "   = 另见：{where}（{label}）"),
    "analyse.because": ("   = because: {where} {label}", "   = 原因：{where} {label}"),
    "analyse.witness": (
        "   = witness ({outcomes}): {command}",
        "   = 反例（{outcomes}）：{command}",
    ),
    "analyse.summary": (
        "{found} {findings_word}, {notes} {notes_word}, {skipped} not analysed",
        "{found} 项发现，{notes} 项提示，{skipped} 项未分析",
    ),
    "serve.started": (
        "clause serve: {digest} on {db},",
        "clause serve：规则集 {digest}，数据库 {db}，",
    ),
    "store.grants_title": ("{count} grants", "{count} 笔补贴"),
    "store.quotas_title": ("fund quotas", "资金额度"),
    "store.decisions_title": ("{count} decisions", "{count} 个决定"),
    "store.none": ("(none)", "（无）"),
    "store.grant_id": ("grant", "补贴编号"),
    "store.decision_id": ("decision", "决定编号"),
    "store.rule": ("rule", "规则"),
    "store.program": ("programme", "补贴项目"),
    "store.subject": ("subject", "主体"),
    "store.subject_key": ("subject key", "主体标识"),
    "store.date": ("date", "日期"),
    "store.amount": ("amount", "金额"),
    "store.uncovered": ("uncovered", "未覆盖"),
    "store.fund": ("fund", "资金来源"),
    "store.fund_amount": ("from the fund", "该来源金额"),
    "store.quota_place": ("quota place", "额度地点"),
    "store.quota_year": ("quota year", "额度年度"),
    "store.place": ("place", "地点"),
    "store.year": ("year", "年度"),
    "store.total": ("total", "总额"),
    "store.spent": ("spent", "已用"),
    "store.left": ("left", "剩余"),
    "store.time": ("logged (UTC)", "记录时间（UTC）"),
    "store.kind": ("kind", "类型"),
    "store.ruleset_digest": ("rule set", "规则集"),
    "store.outcomes": ("outcomes", "结果"),
    "store.quota_set": (
        "{fund} {place} {year}: total {total}, spent {spent}",
        "{fund} {place} {year}：总额 {total}，已用 {spent}",
    ),
    "store.reconciles": (
        "the ledger reconciles with the decision log",
        "台账与决定日志一致",
    ),
    "replay.decision": (
        "decision {id} ({kind}, decision date {date}, logged {logged})",
        "决定 {id}（{kind}，决定日期 {date}，记录于 {logged}）",
    ),
    "replay.under": ("replayed under {against}: {digest}", "按{against}重放：{digest}"),
    "replay.identical": (
        "byte-identical: {size} bytes, facts {facts}",
        "逐字节相同：{size} 字节，事实 {facts}",
    ),
    "replay.differs": ("differs:", "不同："),
    "replay.because": ("  because {reason}", "  原因：{reason}"),
    "replay.more": ("... {count} more lines", "……另有 {count} 行"),
    "main.internal": (
        "internal error: {error} (a bug in clause: please report it)",
        "内部错误：{error}（这是 clause 的缺陷，请报告）",
    ),
    "main.aborted": ("aborted", "已中止"),
    "main.stopped": ("stopped by {signal}", "被 {signal} 终止"),
    "main.usage": ("usage: {usage}", "用法：{usage}"),
    "main.try_help": ("try '{command} --help' for help", "运行 '{command} --help' 查看帮助"),
}


def t(key: str, lang: str, /, **args: object) -> str:
    """A word of output in `lang`, its arguments filled in (a Chinese text may leave out
    arguments only English needs, such as the plural `errors_word`)."""
    en, zh = WORDS[key]
    return (zh if lang == "zh" else en).format(**args)


def plural(count: int, word: str) -> str:
    """`word` with an s unless `count` is 1: for English texts."""
    return word if count == 1 else f"{word}s"
