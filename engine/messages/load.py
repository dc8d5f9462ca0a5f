"""Messages of loading files (L), the notice text (N), schemas (S) and facts (F), in English and
Chinese: see engine.messages for the keys."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- L: reading a file ------------------------------------------------------------------
    "L001": ("cannot read file: {reason}", "无法读取文件：{reason}"),
    "L001.help": (
        "check the path and that the file is readable",
        "检查路径，并确认文件可以读取",
    ),
    "L001/missing": ("no such file or directory: {path}", "文件或目录不存在：{path}"),
    "L001/package": ("no such package folder: {path}", "政策包目录不存在：{path}"),
    "L001/path": ("no such path: {path}", "路径不存在：{path}"),
    "L001/folder": ("{path} is not a folder", "{path} 不是目录"),
    "L002/utf8": ("file is not valid UTF-8 text", "文件不是有效的 UTF-8 文本"),
    "L002/utf8.label": ("byte {byte} here is not UTF-8", "此处的字节 {byte} 不是 UTF-8"),
    "L002/utf8.help": (
        'save the file as UTF-8 (editors call it "UTF-8", not GBK/GB2312)',
        "请将文件另存为 UTF-8 编码（编辑器中选择“UTF-8”，而不是 GBK/GB2312）",
    ),
    "L002/break": (
        "unusual line break U+{code} in the text",
        "文本中有不常见的换行符 U+{code}",
    ),
    "L002/break.help": (
        "replace it with an ordinary line break or delete it; it often comes from copying out "
        "of a word processor",
        "请换成普通换行或删除；它常来自从文字处理软件中复制的内容",
    ),
    "L002/control": (
        "character U+{code} is not allowed in YAML",
        "YAML 中不允许出现字符 U+{code}",
    ),
    "L002/control.help": (
        "delete the invisible control character at this place",
        "请删除此处不可见的控制字符",
    ),
    "L003": ("file is larger than {max} bytes", "文件超过 {max} 字节"),
    "L003.help": (
        "split it into several files; policy files are small",
        "请拆分为几个文件；政策文件通常很小",
    ),
    "L004": ("invalid YAML: {problem}", "YAML 格式错误：{problem}"),
    "L004/json": ("invalid JSON: {reason}", "JSON 格式错误：{reason}"),
    "L005": ("more than one YAML document in the file", "文件中有多个 YAML 文档"),
    "L005.help": (
        "remove the `---` line: one file holds one document",
        "请删除 `---` 行：一个文件只放一个文档",
    ),
    "L006": (
        "duplicate key `{key}` (lines {first} and {again})",
        "重复的键 `{key}`（第 {first} 行和第 {again} 行）",
    ),
    "L006.label": ("written again here", "此处再次出现"),
    "L006.help": (
        "delete one of them, or rename it; YAML would silently keep only the last",
        "请删除或重命名其中一个；YAML 会悄悄只保留最后一个",
    ),
    "L006/json": ("duplicate key `{key}` in {pointer}", "{pointer} 中有重复的键 `{key}`"),
    "L006/json.help": (
        "delete one of them: JSON would silently keep only the last",
        "请删除其中一个：JSON 会悄悄只保留最后一个",
    ),
    "L007": ("tag `{tag}` is not allowed", "不允许使用标签 `{tag}`"),
    "L007.help": (
        "remove the tag: policy files hold plain data only (to force text, quote the value)",
        "请删除标签：政策文件只含普通数据（若要作为文本，请给值加引号）",
    ),
    "L008/word": ("`{text}` is not a boolean here", "`{text}` 在这里不是布尔值"),
    "L008/word.help": (
        "write true or false for a yes/no value, or quote it ('{text}') if you mean the text",
        "是/否请写 true 或 false；如果指的是文字，请加引号（'{text}'）",
    ),
    "L008/case": (
        "`{text}` is not a boolean here: booleans are lower case",
        "`{text}` 在这里不是布尔值：布尔值须用小写",
    ),
    "L008/case.help": (
        "write {lower}, or quote it ('{text}') if you mean the text",
        "请写 {lower}；如果指的是文字，请加引号（'{text}'）",
    ),
    "L009/octal": ("`{text}` looks like an octal number", "`{text}` 看起来像八进制数"),
    "L009/octal.help": (
        "write the decimal number without leading zeros, or quote it ('{text}') if it is a "
        "code such as a postcode or an ID",
        "请写不带前导零的十进制数；如果是邮编、证件号等编码，请加引号（'{text}'）",
    ),
    "L009/radix": (
        "`{text}` is a hexadecimal, octal or binary number",
        "`{text}` 是十六进制、八进制或二进制数",
    ),
    "L009/radix.help": (
        "write the decimal number, or quote it ('{text}') if it is text",
        "请写十进制数；如果是文字，请加引号（'{text}'）",
    ),
    "L009/grouped": (
        "`{text}` would be read as a number in an old YAML form",
        "`{text}` 会按旧版 YAML 规则被读成数字",
    ),
    "L009/grouped.help": (
        "write the number without `_` or `:`, or quote it ('{text}') if it is text",
        "请写不带 `_` 或 `:` 的数字；如果是文字，请加引号（'{text}'）",
    ),
    "L009/special": (
        "`{text}` is not a number a policy can use",
        "`{text}` 不是政策可以使用的数字",
    ),
    "L009/special.help": (
        "write a decimal number, or quote it if it is text",
        "请写十进制数；如果是文字，请加引号",
    ),
    "L010/invalid": ("`{text}` is not a valid date", "`{text}` 不是有效日期"),
    "L010/invalid.help": (
        "dates are written YYYY-MM-DD, e.g. 2021-08-16",
        "日期写作 YYYY-MM-DD，如 2021-08-16",
    ),
    "L010/form": ("`{text}` is not a plain YYYY-MM-DD date", "`{text}` 不是 YYYY-MM-DD 形式的日期"),
    "L010/form.help": (
        "write the date alone as YYYY-MM-DD (e.g. 2021-08-16), or quote it if it is text",
        "请单独写 YYYY-MM-DD 形式的日期（如 2021-08-16）；如果是文字，请加引号",
    ),
    "L011": ("nesting deeper than {max} levels", "嵌套超过 {max} 层"),
    "L011.help": (
        "flatten the structure; policy files need only a few levels",
        "请减少嵌套层次；政策文件只需要几层",
    ),
    "L011/alias": (
        "nesting deeper than {max} levels (through aliases)",
        "通过别名展开后嵌套超过 {max} 层",
    ),
    "L011/at": ("nesting deeper than {max} levels at {pointer}", "{pointer} 处嵌套超过 {max} 层"),
    "L011/at.help": (
        "flatten the structure; facts need only a few levels",
        "请减少嵌套层次；事实数据只需要几层",
    ),
    "L012/count": ("more than {max} aliases in one file", "一个文件中的别名超过 {max} 个"),
    "L012/count.help": (
        "write the values out instead of repeating them with *aliases",
        "请直接写出这些值，不要用 *别名 重复引用",
    ),
    "L012/expand": (
        "aliases expand to more than {max} values",
        "别名展开后超过 {max} 个值",
    ),
    "L012/expand.label": ("expanding *{anchor} goes over the limit", "展开 *{anchor} 超出上限"),
    "L012/expand.help": (
        'this looks like a "billion laughs" file; write the values out instead of nesting *aliases',
        "这像是“十亿笑声”式的文件；请直接写出这些值，不要嵌套 *别名",
    ),
    "L013": ("an alias refers to the value that contains it", "别名引用了包含它自身的值"),
    "L013.help": (
        "an anchor (&name) cannot be used (*name) inside itself",
        "锚点（&名称）不能在其自身内部被引用（*名称）",
    ),
    "L014": ("merge keys (<<) are not supported", "不支持合并键（<<）"),
    "L014.help": ("write the keys out in this mapping", "请在此映射中直接写出各个键"),
    "L015": (
        "a mapping key must be a single text, not a list or mapping",
        "映射的键必须是一段文字，不能是列表或映射",
    ),
    "L015.help": ("write the key as plain text", "请把键写成普通文字"),
    "L016/digits": (
        "number `{number}` has {digits} significant digits, the limit is {max}",
        "数字 `{number}` 有 {digits} 位有效数字，上限为 {max} 位",
    ),
    "L016/size": (
        "number `{number}` is out of range: its size must lie between 1e{low} and 1e+{high}",
        "数字 `{number}` 超出范围：其大小须在 1e{low} 与 1e+{high} 之间",
    ),
    "L016/digits.help": (
        "check the number: an amount in yuan needs far fewer digits",
        "请检查这个数字：以元计的金额用不了这么多位",
    ),
    "L016/size.help": (
        "check the number: write it out without an exponent, e.g. 1500 for 1.5e3",
        "请检查这个数字：不用指数，直接写出，如 1.5e3 写作 1500",
    ),
    "L016/long": (
        "number `{number}` is longer than {max} characters",
        "数字 `{number}` 超过 {max} 个字符",
    ),
    "L016/special": (
        "`{number}` is not a number a policy can use",
        "`{number}` 不是政策可以使用的数字",
    ),
    "L017": ("the input is empty", "输入为空"),
    "L018": (
        "{path} is outside the package folder {root}",
        "{path} 位于政策包目录 {root} 之外",
    ),
    "L018.help": (
        "keep every file of a package inside its folder; a link may not lead out of it",
        "政策包的所有文件都须放在其目录内；链接不得指向目录之外",
    ),
    # -- S: schemas ----------------------------------------------------------------------------
    "S001": ("unknown key `{key}`", "未知的键 `{key}`"),
    "S001.label": ("not part of this format", "不属于这种文件格式"),
    "hint.allowed_keys": ("allowed keys: {keys}", "允许的键：{keys}"),
    "hint.no_keys": ("no keys are allowed here", "此处不允许有键"),
    "S002/dependent": ("`{present}` needs `{needed}` beside it", "`{present}` 旁边需要 `{needed}`"),
    "S002/dependent.label": ("add `{needed}:`", "添加 `{needed}:`"),
    "S002/dependent.help": (
        "add `{needed}:` to this mapping, or remove `{present}`",
        "请在此映射中添加 `{needed}:`，或删除 `{present}`",
    ),
    "S002": ("missing required key `{key}`{where}", "缺少必需的键 `{key}`{where}"),
    "hint.add_key": ("add `{key}:`", "请添加 `{key}:`"),
    "hint.add_key_titled": ("add `{key}:` ({title})", "请添加 `{key}:`（{title}）"),
    "S003": ("expected {expected}, found {found}", "应为{expected}，实际为{found}"),
    "S004": ("{value} is not an allowed value", "{value} 不是允许的值"),
    "S005/key": ("key `{key}` is not a valid name here", "键 `{key}` 在此处不是有效的名称"),
    "S005/format": ("{value} is not a valid {limit}", "{value} 不是有效的 {limit}"),
    "S005/pattern": ("{value} is not a valid {what}", "{value} 不是有效的{what}"),
    "S005/form": ("{value} does not have the expected form", "{value} 的形式不对"),
    "S005/empty": ("must not be empty", "不能为空"),
    "S005/minLength": ("needs {min}+ characters", "至少需要 {min} 个字符"),
    "S005/minItems": ("needs at least {limit} {items_word}", "至少需要 {limit} 项"),
    "S005/maxProperties": (
        "only {limit} of these keys may be given, found: {keys}",
        "这些键中只能给出 {limit} 个，实际为：{keys}",
    ),
    "S005/unique": ("the items must not repeat", "各项不能重复"),
    "S005/other": ("{reason}", "{reason}"),
    "S006": ("{value} is not a valid {what}", "{value} 不是有效的{what}"),
    "what.value_plain": ("value", "值"),
    "hint.date": (
        "write a calendar date as YYYY-MM-DD, e.g. 2021-08-16",
        "请写 YYYY-MM-DD 形式的日期，如 2021-08-16",
    ),
    "hint.examples": ("e.g. {examples}", "例如 {examples}"),
    "where.in": (" in `{path}`", "（位于 `{path}`）"),
    # -- N: the notice text --------------------------------------------------------------------
    "N001": ("clause id `{id}` is used twice", "条款编号 `{id}` 用了两次"),
    "N001.help": (
        "give each clause its own id, e.g. 二.（一）",
        "请为每个条款取不同的编号，如 二.（一）",
    ),
    "N001.note": ("note: first used at {where}", "注：第一次使用在 {where}"),
    "N002": (
        "parent `{parent}` is not a clause before this one",
        "上级 `{parent}` 不是排在本条之前的条款",
    ),
    "N002.help": (
        "a parent must be the id of an enclosing clause listed earlier",
        "上级须是排在前面、包含本条的条款的编号",
    ),
    # -- hints shared by several findings ---------------------------------------------------
    "hint.did_you_mean": ("did you mean `{option}`?", "是否想写 `{option}`？"),
    "hint.yaml.tab": (
        "indent with spaces: YAML does not allow tabs for indentation",
        "请用空格缩进：YAML 不允许用制表符缩进",
    ),
    "hint.yaml.colon": (
        'a value that contains ": " must be quoted, e.g. "…"; otherwise check the indentation '
        "of this line",
        '含有“: ”的值须加引号，如 "…"；否则请检查此行的缩进',
    ),
    "hint.yaml.no_colon": (
        'a key needs ": " after it; a value that goes on over several lines must be indented '
        "under its key or quoted",
        "键后面需要“: ”；跨多行的值须在键下缩进或加引号",
    ),
    "hint.yaml.alias": (
        "define the anchor (&name) before using it (*name)",
        "请先定义锚点（&名称），再引用（*名称）",
    ),
    "hint.yaml.indent": (
        "check the indentation: the items of one list or mapping must line up",
        "请检查缩进：同一列表或映射的各项须对齐",
    ),
    "hint.yaml.unclosed": ("a quote or bracket is not closed", "有引号或括号没有闭合"),
    "hint.see_expressions": ("see docs/expressions.md", "参见 docs/expressions.md"),
    "hint.cut": ("{head}… ({length} characters)", "{head}…（共 {length} 个字符）"),
    "note.first_written": ("note: first written at {where}", "注：第一次写在 {where}"),
    "note.yaml.context": ("note: {context} at {where}", "注：{context}，位于 {where}"),
    "os.ENOENT": ("no such file or directory", "文件或目录不存在"),
    "os.EISDIR": ("it is a directory", "这是一个目录"),
    "os.EACCES": ("permission denied", "没有权限"),
    "os.ELOOP": ("a symbolic link loop", "符号链接形成循环"),
    "os.ENOTDIR": ("a part of the path is not a directory", "路径中的某一部分不是目录"),
    "os.other": ("{reason}", "{reason}"),
}
