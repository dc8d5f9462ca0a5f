"""Messages of the decision service (H) and of the commands over its store, in English and
Chinese: HTTP errors, setup refusals, replay reasons, ledger reconciliation. See
engine.messages for the keys."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- H: the service over HTTP -------------------------------------------------------------
    "H001/size": ("the request body is over {max} bytes", "请求体超过 {max} 字节"),
    "H001/http": (
        "the HTTP request cannot be taken (status {status})",
        "无法接受此 HTTP 请求（状态 {status}）",
    ),
    "service.at": (
        "request body, line {line}, column {col}: {reason}",
        "请求体第 {line} 行第 {col} 列：{reason}",
    ),
    "H002/required": ("`{key}` is required", "缺少必需的字段 `{key}`"),
    "H002/unknown": (
        "`{key}` is not a field of this request; fields: {known}",
        "`{key}` 不是此请求的字段；可用字段：{known}",
    ),
    "H002/type": ("expected {expected}, found {found}", "应为{expected}，实际为{found}"),
    "H002/enum": ("`{value}` is not one of: {allowed}", "“{value}”不是以下值之一：{allowed}"),
    "H002/date": (
        "`{value}` is not a date; write YYYY-MM-DD",
        "“{value}”不是日期；请写 YYYY-MM-DD",
    ),
    "H002/length": (
        "must be {min} to {max} characters long",
        "长度须为 {min} 到 {max} 个字符",
    ),
    "H002/pattern": ("`{value}` does not match {pattern}", "“{value}”不符合格式 {pattern}"),
    "H002/unique": ("a value is listed twice", "列表中有重复的值"),
    "H002/other": (
        "does not satisfy `{keyword}` of the request schema",
        "不满足请求模式中的 `{keyword}` 要求",
    ),
    "service.where": ("{where}: {reason}", "{where}：{reason}"),
    "H003": (
        "no such endpoint: {method} {path}; see /openapi.json",
        "没有这个接口：{method} {path}；见 /openapi.json",
    ),
    "H004": (
        "{path} does not take {method}; see /openapi.json",
        "{path} 不接受 {method} 请求；见 /openapi.json",
    ),
    "H005": ("no decision {id} in the log", "日志中没有决定 {id}"),
    "H006": (
        "the idempotency key `{key}` was used for another request",
        "幂等键 `{key}` 已用于另一个请求",
    ),
    "H007": (
        "{rule} is payable to {subject}, which has no identifier ({field}): the ledger cannot "
        "record who is paid",
        "{rule} 应向 {subject} 发放，但其没有标识字段（{field}）的值：台账无法记录发给了谁",
    ),
    "H008": ("the database is not available", "数据库不可用"),
    "H008/connect": ("database {url}: {reason}", "数据库 {url}：{reason}"),
    "H009": (
        "internal error (a bug: please report it with the request id {request})",
        "内部错误（这是缺陷，请连同请求编号 {request} 报告）",
    ),
    "H010": (
        "rule {rule} reads {field}, which is marked x-pii; the audit log keeps personal data "
        "only as keyed hashes, so no rule may read it",
        "规则 {rule} 读取了标为 x-pii 的 {field}；审计日志只保存个人信息的带密钥哈希，"
        "因此规则不得读取此类字段",
    ),
    "H010.help": (
        "give the rule a fact of its own that is not personal data",
        "请为该规则另设一个不属于个人信息的事实",
    ),
    "H011/pii_type": (
        "facts schema, {field}: x-pii is for text fields; this one is not text",
        "事实模式 {field}：x-pii 只用于文本字段，此字段不是文本",
    ),
    "H011/pii_narrowed": (
        "facts schema, {field}: an x-pii field cannot be narrowed ({keyword}): its keyed hash "
        "would not fit it",
        "事实模式 {field}：x-pii 字段不能加限制（{keyword}），否则其带密钥哈希将不符合该字段",
    ),
    "H011/identifiers": (
        "facts schema, {field}: {entity} already has an identifier, {first}",
        "事实模式 {field}：{entity} 已有标识字段 {first}",
    ),
    "H011/identifier_type": (
        "facts schema, {field}: x-identifier is for text fields; this one is not text",
        "事实模式 {field}：x-identifier 只用于文本字段，此字段不是文本",
    ),
    "H011/places": (
        "facts schema, {field}: only one field may be marked x-quota-place, and {first} is",
        "事实模式 {field}：只能有一个字段标为 x-quota-place，而 {first} 已是",
    ),
    "H012/missing": (
        "no personal-data key file {path}: pass --key-file",
        "没有个人信息密钥文件 {path}：请用 --key-file 指定",
    ),
    "H012/unreadable": (
        "{path} is not a key file (hex text)",
        "{path} 不是密钥文件（十六进制文本）",
    ),
    "H012/short": ("{path}: the key must be at least 16 bytes", "{path}：密钥至少须为 16 字节"),
    "H012/other": (
        "the personal-data key is not the one this database was started with: its ledger could "
        "no longer recognise anyone (use the original --key-file)",
        "个人信息密钥不是此数据库启用时的密钥：台账将无法再识别任何人（请使用原来的 --key-file）",
    ),
    "H013": (
        "{file} is not under the library folder {folder}, so the rule set cannot be stored",
        "{file} 不在政策库目录 {folder} 之下，无法存储规则集",
    ),
    "H013/rebuild": (
        "the library at {folder} does not load again from its own files (it relies on a "
        "document outside them), so its decisions could not be replayed: serve the library's "
        "root folder",
        "{folder} 处的政策库无法仅凭其自身文件重新载入（依赖于其外的文件），其决定将无法重放："
        "请以政策库根目录启动服务",
    ),
    "H014/missing": ("rule set {ruleset} is not in the store", "存储中没有规则集 {ruleset}"),
    "H014/file": (
        "stored file {path} is missing or does not match its digest",
        "存储的文件 {path} 缺失或与其摘要不符",
    ),
    "H014/files": ("rule set {ruleset} does not match its files", "规则集 {ruleset} 与其文件不符"),
    "H014/path": (
        "stored path {path} leaves the rule set's folder",
        "存储的路径 {path} 超出了规则集的目录",
    ),
    "H014/digest": (
        "the rebuilt rule set has digest {rebuilt}, stored as {stored}",
        "重建的规则集摘要为 {rebuilt}，而存储的是 {stored}",
    ),
    "H015": (
        "{field} holds a control character ({char}): the ledger keys grants and quotas on this "
        "value and cannot store it",
        "{field} 含有控制字符（{char}）：台账以此值记录补贴和额度，无法存储它",
    ),
    # -- replay: why a decision decided again differs ------------------------------------------
    "replay.stored": ("stored rule set {id}", "存储的规则集 {id}"),
    "replay.ruleset": (
        "the rule set differs: logged {logged}, now {now}",
        "规则集不同：记录时为 {logged}，现为 {now}",
    ),
    "replay.ruleset_files": (
        "the rule set differs: logged {logged}, now {now}: {count} file(s) differ",
        "规则集不同：记录时为 {logged}，现为 {now}：{count} 个文件不同",
    ),
    "replay.facts": (
        "the facts differ: logged {logged}, now {now}",
        "事实不同：记录时为 {logged}，现为 {now}",
    ),
    "replay.engine": (
        "the engine differs: decided by clause {logged}, replayed by {now}",
        "引擎不同：由 clause {logged} 决定，由 {now} 重放",
    ),
    "replay.same": (
        "same rule set, facts and engine version, yet a different trace: the decision procedure "
        "is not deterministic here (a bug: please report it)",
        "规则集、事实和引擎版本都相同，轨迹却不同：决定过程在此不确定（这是缺陷，请报告）",
    ),
    "replay.removed": ("removed {path}", "已删除 {path}"),
    "replay.added": ("added {path}", "新增 {path}"),
    "replay.changed": ("changed {path}", "已修改 {path}"),
    # -- the ledger against the decision log (`clause ledger check`) ---------------------------
    "ledger.sum": (
        "grant {grant}: shares and uncovered add to {paid}, not {amount}",
        "补贴 {grant}：各资金份额与未覆盖部分合计 {paid}，而不是 {amount}",
    ),
    "ledger.decision": (
        "decision {decision}, rule {rule}: the log says {logged}, the ledger {ledger}",
        "决定 {decision}，规则 {rule}：日志为 {logged}，台账为 {ledger}",
    ),
    "ledger.not_apply": (
        "grants of decision {decision}, which is not an apply decision",
        "决定 {decision} 有补贴记录，但它不是申请决定",
    ),
    "ledger.spent": (
        "quota {fund} {place} {year}: spent {spent}, drawn {drawn}",
        "额度 {fund} {place} {year}：已用 {spent}，列支合计 {drawn}",
    ),
    "ledger.over": (
        "quota {fund} {place} {year}: spent {spent} > {total}",
        "额度 {fund} {place} {year}：已用 {spent} 超过总额 {total}",
    ),
    "ledger.no_quota": (
        "shares drawn on quota {fund} {place} {year}, which does not exist",
        "有份额列支于不存在的额度 {fund} {place} {year}",
    ),
    "ledger.nothing": ("nothing", "无"),
}
