/**
 * The English sentences other modules build (configuration problems from the schemas'
 * messages, decision details from lib/policy and lib/sweep, a ledger's reset refusals),
 * in Chinese, translated by their known templates in this one place. Those modules keep
 * their English: the JSON output and the logs carry it, and its codes are stable.
 * A sentence no template knows is returned unchanged (problems) or as undefined (the
 * caller then says the outcome's reason), so a new English message shows, never breaks.
 */

type Template = readonly [RegExp, (...groups: string[]) => string];

/** What a problem says was given: `describe` (lib/config/schema/primitives.ts) writes these in words. */
const GIVEN: Readonly<Record<string, string>> = {
  'an array': '数组',
  'an object': '对象',
  nothing: '未给出',
};

/** V8's JSON.parse reasons (lib/config/json-syntax.ts keeps them without position). */
const JSON_REASONS: readonly Template[] = [
  [/^Unexpected token (.+)$/, (t) => `意外的记号 ${t}`],
  [/^Unexpected end of JSON input$/, () => 'JSON 意外结束'],
  [/^Unexpected non-whitespace character after JSON$/, () => 'JSON 之后还有多余的字符'],
  [/^Expected property name or '}'$/, () => "此处应为属性名或 '}'"],
  [/^Expected double-quoted property name$/, () => '此处应为带双引号的属性名'],
  [
    /^Expected ',' or '(.)' after (array element|property value)(?: in object)?$/,
    (close, after) => `${after === 'array element' ? '数组元素' : '属性值'}之后应为 ',' 或 '${close}'`,
  ],
  [/^Expected ':' after property name(?: in JSON)?$/, () => "属性名之后应为 ':'"],
  [/^Unterminated string in JSON$/, () => '字符串没有结束'],
  [/^Bad control character in string literal$/, () => '字符串中有非法的控制字符'],
  [/^Bad escaped character$/, () => '非法的转义字符'],
];

const translate = (templates: readonly Template[], text: string): string | undefined => {
  for (const [pattern, render] of templates) {
    const match = pattern.exec(text);
    if (match) return render(...match.slice(1).map((g) => g ?? ''));
  }
  return undefined;
};

/** `must be ${hint}` of lib/config/schema/primitives.ts `text()`: each schema's hint. */
const HINTS: readonly Template[] = [
  [/^1-64 letters, digits, "_", "\." or "-"$/, () => '1 到 64 个字母、数字、"_"、"." 或 "-"'],
  [/^a project id \(letters, digits, "-"\)$/, () => '项目 ID（字母、数字、"-"）'],
  [
    /^a DynamoDB table name \(3-255 letters, digits, "_", "\." or "-"\)$/,
    () => 'DynamoDB 表名（3 到 255 个字母、数字、"_"、"." 或 "-"）',
  ],
];

/** The head of a problem (what is allowed), the `, got …` part taken off. */
const PROBLEMS: readonly Template[] = [
  [
    /^unknown key; did you mean "(.+)"\? \(allowed keys are (.+)\)$/,
    (near, keys) => `未知的键；是否想写 "${near}"？（允许的键：${keys}）`,
  ],
  [/^unknown key; allowed keys are (.+)$/, (keys) => `未知的键；允许的键：${keys}`],
  [/^is required$/, () => '必填'],
  [/^is required \(a JSON configuration file\)$/, () => '必填（一个 JSON 配置文件）'],
  [/^is required \(the job name\)$/, () => '必填（作业名）'],
  [/^is required with (--\S+)$/, (option) => `与 ${option} 同用时必填`],
  [
    /^is required with retryLocation "specified_node", and only then$/,
    () => 'retryLocation 为 "specified_node" 时必填，且只在此时可设置',
  ],
  [
    /^is required: why the budget is given back \(kept in the ledger\)$/,
    () => '必填：为何归还重试预算（记入账本）',
  ],
  [/^is required: (\{.*\}) or (\{.*\})$/, (a, b) => `必填：${a} 或 ${b}`],
  [
    /^is required: the 16 hex digits `incidents` shows in CAUSE KEY$/,
    () => '必填：incidents 在“原因键”一栏显示的 16 位十六进制数',
  ],
  [/^is required: the target the incident is on$/, () => '必填：事件所在的目标'],
  [
    /^is required: why the incident is closed by hand \(kept in the ledger\)$/,
    () => '必填：为何人工关闭事件（记入账本）',
  ],
  [/^must name a target of the configuration \((.*)\)$/, (names) => `须为配置中的目标之一（${names}）`],
  [/^is not valid JSON: (.+)$/, (reason) => `不是有效的 JSON：${translate(JSON_REASONS, reason) ?? reason}`],
  [/^is not valid JSON$/, () => '不是有效的 JSON'],
  [/^cannot read (.+?)(?:: | \()(\w+)\)?$/, (path, code) => `无法读取 ${path}：${code}`],
  [/^cannot write (.+): (\w+)$/, (path, code) => `无法写入 ${path}：${code}`],
  [/^(.+) exists; refusing to overwrite it$/, (path) => `${path} 已存在，不会覆盖它`],
  [/^must be a non-empty string$/, () => '须为非空字符串'],
  [/^must be at most (\d+) characters$/, (n) => `最多 ${n} 个字符`],
  [/^must be a whole number from (\S+) to (\S+)$/, (min, max) => `须为 ${min} 到 ${max} 的整数`],
  [/^must be a number from (\S+) to (\S+)$/, (min, max) => `须为 ${min} 到 ${max} 的数`],
  [/^must be true or false$/, () => '须为 true 或 false'],
  [/^must have from (\d+) to (\d+) items$/, (min, max) => `须有 ${min} 到 ${max} 项`],
  [/^must be an array$/, () => '须为数组'],
  [/^must be an object$/, () => '须为对象'],
  [/^must be an http\(s\) URL$/, () => '须为 http(s) URL'],
  [/^must not contain credentials$/, () => '不得包含凭据'],
  [/^must be an IANA time zone(?:, e\.g\. (.+))?$/, (e) => `须为 IANA 时区${e ? `，例如 ${e}` : ''}`],
  [
    /^must be a duration like "90s", "10m", "2h", "7d" \(at most 365d\) or whole seconds$/,
    () => '须为时长，如 "90s"、"10m"、"2h"、"7d"（最多 365d）或整秒数',
  ],
  [/^must be a whole number of seconds from (\d+) to (\d+)$/, (min, max) => `须为 ${min} 到 ${max} 的整秒数`],
  [/^must be a duration of at least (\S+), e\.g\. (.+)$/, (min, e) => `须为至少 ${min} 的时长，例如 ${e}`],
  [/^must be from (\S+) to (\S+)$/, (min, max) => `须在 ${min} 到 ${max} 之间`],
  [/^must be at least (\S+) \((\d+) ms\)$/, (other, ms) => `不得小于 ${other}（${ms} 毫秒）`],
  [/^must be at least (\S+)$/, (min) => `至少为 ${min}`],
  [/^must be at most (\S+)$/, (max) => `至多为 ${max}`],
  [/^must be one of (.+)$/, (values) => `须为以下之一：${values}`],
  [/^must name one of (.+)$/, (names) => `须为以下目标之一：${names}`],
  [/^must be an instance id \(digits\)$/, () => '须为实例 ID（数字）'],
  [/^must be a job-name glob or a list of them$/, () => '须为作业名通配符或其列表'],
  [
    /^must be longer than policy\.lookback, or an expired record could let an instance be retried again$/,
    () => '须长于 policy.lookback，否则过期的记录可能让实例再次被重跑',
  ],
  [/^must be set together with the other$/, () => '须与另一项一起设置'],
  [/^must be set with (\S+)$/, (other) => `须与 ${other} 一起设置`],
  [
    /^must be (.+)$/,
    (hint) => {
      const zh = translate(HINTS, hint);
      return zh ? `须为${zh}` : `must be ${hint}`;
    },
  ],
  [
    /^is still the placeholder of the init template \((.+)\): put the project id of the target's region here \(console: My Credentials > API Credentials > Projects\)$/,
    (value) =>
      `仍是 init 模板的占位值（${value}）：请填入该目标所在区域的项目 ID（控制台：我的凭证 > API 凭证 > 项目列表）`,
  ],
  [/^"(.+)" is used twice; names must be unique$/, (name) => `"${name}" 用了两次；名称必须唯一`],
  [
    /^addresses the same project and workspace as targets\[(\d+)\] \("(.+)"\): (.+)$/,
    (index, name, identity) => `与 targets[${index}]（"${name}"）指向同一项目和工作空间：${identity}`,
  ],
  [
    /^2 \(manually scheduled\) cannot be rerun by DataArts; leave it out$/,
    () => '2（手动调度）无法由 DataArts 重跑；请去掉它',
  ],
  [
    /^is ambiguous: --verbose logs every decision, --version \(or -V\) prints the version$/,
    () => '有歧义：--verbose 记录每个决定，--version（或 -V）打印版本',
  ],
  [/^Unknown option '(.+?)'.*$/s, (option) => `未知的选项 '${option}'`],
  [/^Option '(.+)' argument missing$/, (option) => `选项 '${option.replace('<value>', '<值>')}' 缺少取值`],
  [/^Unexpected argument '(.+)'\..*$/s, (arg) => `多余的参数 '${arg}'：此命令不接受位置参数`],
  [
    /^name what to show: --target NAME, --job NAME and\/or --instance ID$/,
    () => '请指明要显示什么：--target 名称、--job 名称和/或 --instance ID',
  ],
  [
    /^reset needs --instance ID or --job NAME \(a target alone is too wide\)$/,
    () => 'reset 需要 --instance ID 或 --job 名称（只给目标，范围太大）',
  ],
  [/^(.+) is not valid JSON$/, (path) => `${path} 不是有效的 JSON`],
  [/^(.+) has no "webhooks" object$/, (path) => `${path} 中没有 "webhooks" 对象`],
  [/^init takes at most one path$/, () => 'init 最多接受一个路径'],
  [/^the only subcommand is "notify test"$/, () => '唯一的子命令是 "notify test"'],
];

/**
 * A configuration or argument problem in Chinese: the head by its template, then what
 * was given (`, got …`), which is the user's own value. Field paths are the caller's.
 */
export function zhProblem(problem: string): string {
  const got = /^(.*), got (.*)$/s.exec(problem);
  const [head, given] = got ? [got[1] ?? '', got[2] ?? ''] : [problem, undefined];
  const zh = translate(PROBLEMS, head) ?? head;
  if (given === undefined) return zh;
  const value = GIVEN[given] ?? given.replace(/^(\d+) ms$/, '$1 毫秒');
  return `${zh}，实际为 ${value}`;
}

/** Decision details (lib/policy, lib/sweep), storm reasons and reset refusals with a known template. */
const SENTENCES: readonly Template[] = [
  [/^errorMessage matches neverRetryOn "(.*)"$/, (p) => `errorMessage 匹配 neverRetryOn 中的 "${p}"`],
  [/^errorMessage matches no retryOn pattern$/, () => 'errorMessage 不匹配任何 retryOn 模式'],
  [/^no errorMessage, and unknownFailure is "skip"$/, () => '没有 errorMessage，且 unknownFailure 为 "skip"'],
  [
    /^the failed node or its type is unknown, and unknownFailure is "skip"$/,
    () => '失败节点或其类型未知，且 unknownFailure 为 "skip"',
  ],
  [
    /^failed node (.+) is a (.+): in neverRetryNodeTypes$/,
    (node, type) => `失败节点 ${node} 的类型为 ${type}，在 neverRetryNodeTypes 中`,
  ],
  [
    /^failed node (.+) is a (.+): not in failedNodeTypes$/,
    (node, type) => `失败节点 ${node} 的类型为 ${type}，不在 failedNodeTypes 中`,
  ],
  [/^manually scheduled instances \(type 2\) cannot be rerun$/, () => '手动调度的实例（类型 2）无法重跑'],
  [
    /^instance type (\S+) is not in instanceTypes (\[.*\])$/,
    (type, types) => `实例类型 ${type} 不在 instanceTypes ${types} 中`,
  ],
  [/^marked (force-success|ignore-success) by an operator$/, (mark) => `运维人员已标记为 ${mark}`],
  [/^newer instance (\S+) of this job succeeded$/, (id) => `该作业更新的实例 ${id} 已成功`],
  [/^storm suspected: (.+)$/, (reason) => `疑似故障风暴：${zhSentence(reason) ?? reason}`],
  [/^(\d+) distinct jobs failed \(limit (\d+)\)$/, (n, limit) => `${n} 个不同作业失败（上限 ${limit}）`],
  [
    /^(\d+) of (\d+) instances failed \((\S+) > (\S+)\)(?: \(the count said (\d+)\))?$/,
    (failed, total, ratio, limit, said) =>
      `${total} 个实例中 ${failed} 个失败（${ratio} > ${limit}）${said ? `（计数接口返回 ${said}）` : ''}`,
  ],
  [
    /^(.+) \(not evaluated: its ledger entry was not read\)$/,
    (detail) => `${zhSentence(detail) ?? detail}（未评估：未读取其账本条目）`,
  ],
  [/^no ledger entry$/, () => '没有账本条目'],
  [/^attempt (\d+) is in flight until (.+)$/, (n, until) => `第 ${n} 次重跑进行中，直到 ${until}`],
  [
    /^attempt (\d+) was in flight when its sweep stopped; the next sweep records it as interrupted, reset after that$/,
    (n) => `第 ${n} 次重跑进行时其巡检已停止；下次巡检会把它记为中断，之后再重置`,
  ],
  [
    /^attempt (\d+)'s outcome is unknown until (.+)$/,
    (n, until) => `第 ${n} 次重跑的结果在 ${until} 之前未知`,
  ],
];

/** A sentence in Chinese, or undefined when no template knows it. */
export function zhSentence(text: string): string | undefined {
  return translate(SENTENCES, text);
}
