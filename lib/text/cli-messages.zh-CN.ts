import { DEFAULT_DEADLINE } from '../cli/args';
import type { Outcome } from '../policy/decision';
import {
  type CliHelp,
  type CliMessages,
  type DecisionFacts,
  firstFive,
  type TemplateComments,
} from './cli-messages';
import { zhProblem, zhSentence } from './english-templates.zh-CN';

/**
 * The command line in Chinese. Outcome codes stay as the report writes them (the JSON,
 * the README and a search all use them); the reason beside each says in Chinese what
 * happened, from the decision's fields (attempt, status, rule, until) where it has them.
 */

/** What each outcome means: every SKIP_REASONS entry, and restarted/error/restart/not-found. */
const REASONS: Record<Outcome | 'restart' | 'not-found', string> = {
  restarted: '已重跑',
  error: '重跑请求失败',
  restart: '将重跑',
  'not-found': '回溯窗口内未列出该实例',
  'not-failed': '实例不处于失败状态',
  'status-not-selected': '该状态不在策略重试的状态之列（manual-stop 需显式启用）',
  'status-not-restartable': 'DataArts 无法重跑处于该状态的实例',
  'unknown-status': '本工具不认识的状态，从不重试',
  'instance-type': '该实例类型不重试（手动实例无法重跑）',
  excluded: '作业未被 policy.jobs / policy.excludeJobs 选中',
  'disabled-by-rule': '有规则禁用了该作业的重试',
  'operator-override': '运维人员已将其标记为 force-success 或 ignore-success',
  'non-retryable-failure': '失败匹配了“重跑也会再失败”的规则（neverRetryOn、retryOn、节点类型）',
  'budget-exhausted': '允许的重跑次数均已用完',
  'in-flight': '有一次重跑正在进行：认领它的巡检仍持有租约',
  'outcome-unknown': '上次重跑的结果未知：等待 DataArts 显示其结果',
  'already-attempted': '这次失败已重跑过；只有新的失败才会得到下一次重跑',
  'no-failure-time': 'DataArts 的应答中没有能区分这次失败与之前失败的时间',
  'backing-off': '等待重试间隔',
  superseded: '同一作业更新的实例已成功',
  'sweep-cap': '已达 policy.maxRestartsPerSweep',
  'hourly-cap': '该目标已达 policy.maxRestartsPerHour',
  'storm-guard': '同时失败过多，疑有共同原因',
  'held-by-incident': '其原因属于未结束的故障事件：暂缓，直到试探重跑证明原因已消除',
  'dry-run': '演练：将重跑',
  deferred: '巡检时间用完，未轮到该实例',
  'claimed-elsewhere': '另一次巡检先认领了这次重跑',
  'target-halted': '目标已停止（认证或账本失败）',
};

const nth = (d: { attempt?: number; maxAttempts?: number }) =>
  d.attempt === undefined || d.maxAttempts === undefined ? '' : `第 ${d.attempt}/${d.maxAttempts} 次`;

const STATUS_OUTCOMES: ReadonlySet<string> = new Set([
  'not-failed',
  'status-not-selected',
  'status-not-restartable',
  'unknown-status',
]);

/** The reason from the decision's fields; the sweep's English sentence only through a known template. */
function why(d: DecisionFacts): string {
  const reason = REASONS[d.outcome];
  switch (d.outcome) {
    case 'restarted':
    case 'restart':
    case 'dry-run':
      return d.attempt === undefined ? reason : `${reason}（${nth(d)}）`;
    case 'error':
      // `CODE: message` as DataArts or the transport said it: the code is what to look up.
      return `${reason}：${d.detail}`;
    case 'backing-off': {
      const next = `${nth(d)}${d.until === undefined ? '' : `不早于 ${d.until}`}`;
      return next ? `${reason}：${next}` : reason;
    }
    case 'budget-exhausted':
      return `${reason}（${d.attempt ?? d.maxAttempts}/${d.maxAttempts}）`;
    case 'disabled-by-rule':
      return d.rule ? `规则 ${d.rule} 禁用了该作业的重试` : reason;
    default:
      if (STATUS_OUTCOMES.has(d.outcome) && d.status !== undefined)
        return `状态 ${JSON.stringify(d.status)}：${reason}`;
      return zhSentence(d.detail) ?? reason;
  }
}

const SWEEP_USAGE = `用法：dataarts-autoretry [sweep] --config <配置文件.json> [选项]

按策略重跑 DataArts 数据开发中失败的作业实例，每次巡检每个失败至多重跑一次。

选项：
  -c, --config <文件>        配置文件（JSON，允许 // 注释；见 config.schema.json）
      --dry-run              只做决定并说明原因：不重跑，不记录
      --json                 在标准输出打印恰好一个 JSON 巡检报告（日志写到标准错误）
      --job <通配符>         只处理作业名匹配的作业（可重复；替代 policy.jobs）
      --lookback <时长>      回溯多久，例如 6h、2d（替代 policy.lookback）
      --ignore-storm-guard   即使疑似故障风暴也重跑（仅本次巡检；报告中注明）
      --deadline <时长>      巡检最长运行多久，例如 5m（默认 ${DEFAULT_DEADLINE}）：可能超时的重跑
                             不再开始，余下的在报告中记为顺延
      --notify[=<策略>]      把巡检摘要发送到 --secret-file 中的 Webhook；
                             策略为 "always"、"on-activity"（默认）或 "on-problem"
      --secret-file <文件>   与 Lambda 密钥同形的 JSON；只读取其中的 "webhooks"
      --all                  报告中列出每个决定（默认：每个目标每种结果前 50 个），
                             表格中每个实例一行
      --verbose              把每个决定记录到标准错误
  -h, --help                 显示本帮助
  -V, --version              打印版本

在终端上：进度写到标准错误，带颜色（设置 NO_COLOR 可关闭），表格按终端宽度裁剪，
时间按 display.timeZone 显示。管道输出为纯文本，格式稳定。
Ctrl-C 停止新的重跑，稍候进行中的重跑，然后打印部分报告（退出码 130；SIGTERM：143）。

凭据（环境变量）：
  HUAWEICLOUD_SDK_AK、HUAWEICLOUD_SDK_SK [、HUAWEICLOUD_SDK_SECURITY_TOKEN]
  或 HUAWEICLOUD_IAM_USER、HUAWEICLOUD_IAM_PASSWORD、HUAWEICLOUD_IAM_DOMAIN [、HUAWEICLOUD_IAM_ENDPOINT]
`;

const UNEXPECTED = '意外的失败';
const SHORT_FLAGS = '-c 即 --config，-h 即 --help。';

const help: CliHelp = {
  top: `用法：dataarts-autoretry --config <配置文件.json> [选项]     （巡检：默认命令）
      dataarts-autoretry <命令> [选项]
      dataarts-autoretry <命令> --help | --version`,
  commands: '命令：',
  exitStatus: '退出状态：',
  sweep: {
    summary: '列出失败的实例，重跑策略允许的那些（默认命令）',
    usage: SWEEP_USAGE,
    exits: {
      OK: '完成；每个目标都已巡检（单个实例的错误见报告）',
      FAILED: UNEXPECTED,
      USAGE: '参数、配置或凭据有误；未重跑任何实例',
      AUTH_EVERYWHERE: '所有目标均认证失败',
      TARGET_FAILED: '至少一个目标未能巡检（列表、账本或认证失败）',
      NOTIFY_FAILED: '巡检已完成，但有通知渠道发送失败',
      INTERRUPTED: '被 Ctrl-C（SIGINT）中断；已打印部分报告',
      TERMINATED: '被 SIGTERM 停止；已打印部分报告',
    },
  },
  history: {
    summary: '账本中某个目标、作业或实例的重跑与重置记录',
    usage: `用法：dataarts-autoretry history --config <配置文件.json> [--target 名称] [--job 名称] [--instance ID] [--json]

显示账本中所选实例的记录（至少给一个筛选条件；给出的条件须全部满足）：每次重跑的
时间、结果和 DLF 错误码，以及每次重置的操作人和原因，最新的在前。时间按
display.timeZone 显示。两种账本都支持；DynamoDB 账本需要对其表有 dynamodb:Scan
权限（见 docs/ledger.md）。
${SHORT_FLAGS}
`,
    exits: {
      OK: '已显示（没有匹配的账本条目时也是）',
      FAILED: `${UNEXPECTED}（例如无法读取账本）`,
      USAGE: '参数或配置有误',
    },
  },
  incidents: {
    summary: '开启中的事件（同一原因导致多个作业失败，已暂缓并探测），以及人工关闭事件',
    usage: `用法：dataarts-autoretry incidents --config <配置文件.json> [--target 名称] [--closed] [--json]
      dataarts-autoretry incidents close <原因键> --config <配置文件.json> --target 名称 --reason 原因 [--json]

列出每个目标（或一个目标）上开启中的事件：同一原因导致多个作业失败，这些失败被暂缓，
每次只用一个金丝雀重跑探测该原因。每行给出原因键、状态、开始时间、作业数、暂缓的失败数
和下次金丝雀重跑的时间。--closed 另外列出最近 7 天（或回看窗口内）关闭的事件。

close：运维人员确认原因已消除。事件关闭（原因记入账本），从下次巡检起它暂缓的失败按常规
重试，受次数上限约束。时间按 display.timeZone 显示。
${SHORT_FLAGS}
`,
    exits: {
      OK: '已显示，或已关闭',
      FAILED: `close：该目标上没有这个原因键的开启中事件，或${UNEXPECTED}`,
      USAGE: '参数或配置有误',
    },
  },
  explain: {
    summary: '某个实例为何被（或将被）重跑：它的失败、账本记录和此刻的决定',
    usage: `用法：dataarts-autoretry explain --config <配置文件.json> --job 名称 --instance ID [--target 名称] [--json]

说明一个实例：DataArts 列出的样子、它的失败（errorMessage 和失败节点）、账本记录
（每次重跑的时间和结果），以及此刻巡检会做的决定和原因。只读：不重跑，不记录。
全局保护（故障风暴保护、次数上限）取决于整次巡检，这里不适用。
配置中有多个目标时须给出 --target。
${SHORT_FLAGS}
`,
    exits: {
      OK: '已说明：该实例在回溯窗口内',
      FAILED: `该实例不在回溯窗口内（not-found），或${UNEXPECTED}`,
      USAGE: '参数、配置或凭据有误',
      AUTH_EVERYWHERE: '认证失败',
    },
  },
  reset: {
    summary: '归还一个实例（或一个作业）的重试预算，原因记入账本',
    usage: `用法：dataarts-autoretry reset --config <配置文件.json> (--instance ID | --job 名称) [--target 名称] --reason 原因 [--dry-run] [--json]

归还所选实例（或某作业的每个实例）的重试预算：清除已计的重跑次数，并连同操作人、
时间和原因保存在条目中（history 可查看），下次巡检可再次重跑它。已重跑过的失败不会
重跑第二次：实例在下一次失败时才会被重跑。从不重置进行中或结果未知的重跑（退出码 1，
并指明是哪一个）。--dry-run 只说明会重置什么，不做任何改动。
${SHORT_FLAGS}
`,
    exits: {
      OK: '已重置（--dry-run：所选实例均可重置）',
      FAILED: `没有匹配的条目，或拒绝了进行中或结果未知的重跑（已指明），或${UNEXPECTED}`,
      USAGE: '参数或配置有误',
    },
  },
  init: {
    summary: '写出一份示例配置，每个键都有说明（从不覆盖已有文件）',
    usage: `用法：dataarts-autoretry init [路径]

写出一份示例配置（带 // 注释的 JSON），列出每个键及其默认值并逐一说明，写到
./sweep.json 或给定的路径。从不覆盖已有文件。
`,
    exits: {
      OK: '已写出',
      FAILED: UNEXPECTED,
      USAGE: '文件已存在或无法写入，或参数有误',
    },
  },
  validate: {
    summary: '离线检查配置文件（检查部署阶段：npx serverless validate --stage 名称）',
    usage: `用法：dataarts-autoretry validate --config <配置文件.json>

用巡检所用的同一校验器离线检查配置文件：列出每个问题，一行一个，指明字段（退出码 2），
或给出一行摘要（退出码 0）。已部署的阶段用 \`npx serverless validate --stage <阶段>\`
检查（见 docs/deploy.md）。
${SHORT_FLAGS}
`,
    exits: {
      OK: '有效：一行摘要',
      FAILED: UNEXPECTED,
      USAGE: '无效：列出每个问题，一行一个，指明字段',
    },
  },
  notify: {
    summary: 'notify test：向密钥文件中的每个 Webhook 发送一份示例摘要',
    usage: `用法：dataarts-autoretry notify test --secret-file <密钥文件.json> [--dry-run] [--locale zh-CN] [--time-zone Asia/Shanghai]

向密钥文件中的每个 Webhook 发送一份示例摘要，并指明失败的渠道及其平台的错误码
（退出码 5）；--dry-run 改为打印每个请求体（URL 已隐去），不发送任何内容。
`,
    exits: {
      OK: '每个渠道都接受了示例（--dry-run：已打印每个请求）',
      FAILED: UNEXPECTED,
      USAGE: '参数或密钥文件有误',
      NOTIFY_FAILED: '有渠道发送失败（附其平台的错误码）',
    },
  },
};

const template: TemplateComments = {
  header: `dataarts-autoretry 配置文件，由 \`dataarts-autoretry init\` 写出。
带 // 注释的 JSON。下面每个键都写的是默认值；不改的可以删掉。
完整参考：docs/zh-CN/configuration-reference.md（中文说明见 README.zh-CN.md）。`,
  targets: '要巡检的 DataArts 项目/工作空间（1 到 50 个）。',
  name: '唯一且稳定：是每个账本键的一部分（改名会重置重试预算）。',
  endpoint: '所在区域的 DLF endpoint。',
  projectId: '华为云项目 ID（控制台：我的凭证 > API 凭证）。',
  workspace: '工作空间 ID；省略则为默认工作空间',
  iamEndpoint: 'https://iam.cn-north-4.myhuaweicloud.com（仅用于 IAM 用户凭据）',
  ledger: `记录每次重跑的账本。命令行使用本地文件；Lambda 使用 DynamoDB 表：
{ "type": "dynamodb", "table": "dataarts-autoretry-prod-ledger" }。`,
  lock: '其旁的 .lock 文件使本机上的各次巡检依次进行。',
  retention: '条目保留多久；必须长于 policy.lookback。',
  lookback: '巡检覆盖的计划时间窗口（1m 到 30d）。',
  jobs: '要包含和排除的作业名通配符（* 和 ?；排除优先）。',
  statuses: '要重试的状态："fail"（失败）、"manual-stop"（已取消；需显式启用）。',
  instanceTypes: '实例类型：0 普通、5 补数据、6 子作业、7 单次运行（2 为手动，无法重跑）。',
  maxAttempts: '每个实例累计最多重跑几次（1 到 20）。',
  firstRetryDelay: '失败结束后到第一次重跑前的等待时间。',
  backoff:
    '第 k 次重跑后的间隔为 base × factor^(k-1)，不超过 max；抖动 jitter 为 "equal"、"full" 或 "none"。',
  skipSuperseded: '同一作业已有更新的实例成功时，跳过该实例。',
  failureRules: `失败规则（对 errorMessage 的正则，不区分大小写；见 docs/retry-policy.md）：
这些从不重跑；若设置，只重跑这些；没有错误信息时如何处理。`,
  nodeTypes: '要跳过的失败节点类型（每个将被重跑的实例多一次详情查询）。',
  rules: `按作业覆盖策略，第一个匹配的生效，例如
{ "match": "dws_finance_*", "maxAttempts": 1 }, { "match": "tmp_*", "enabled": false }`,
  caps: '每次巡检（所有目标合计）以及每个目标每个整点小时的重跑上限。',
  stormGuard: `很多作业同时失败（疑有共同原因）时，该目标不做任何重跑：只统计窗口内结束、
且策略会重跑的失败，不含事件暂缓的失败。`,
  incidents: `同一原因在 30 分钟内导致 5 个以上作业失败即为一个事件：这些失败被暂缓，由一个金丝雀
重跑探测（15 分钟后，之后每 30 分钟），恢复后分批放行（docs/zh-CN/incidents.md）。`,
  concurrency: '每个凭据同时进行的请求数，以及每秒请求数。',
  client: '单次请求的时限；对 429/502/503/504/网络错误的重试次数；Retry-After 的上限。',
  paging: '窗口无法再拆分时 `offset` 的含义："auto"、"page"、"record"、"none"。',
  window: '单个列表请求查询的最长窗口；每次列出最多几个列表请求。',
  restartLag: 'DataArts 显示它已接受的重跑最多需要多久（计入每个租约）。',
  notify: '通知（--notify）：语言、时区、持续存在的问题多久重复提醒一次。',
  display: `本命令行表格的语言（en、zh-CN；省略则由 LANG 决定：zh_CN.UTF-8 为 zh-CN，
其他为 en）和时区（例如 Asia/Shanghai）。`,
};

/** A ledger attempt's outcome, and what became of a rerun (`recovered`, `failed-again`). */
const ATTEMPT_OUTCOMES: Readonly<Record<string, string>> = {
  'in-flight': '进行中',
  restarted: '已重跑',
  rejected: '被拒绝',
  'not-found': '未找到实例',
  unconfirmed: '未确认',
  released: '已释放',
  recovered: '已恢复',
  'failed-again': '再次失败',
};

export const zhCN: CliMessages = {
  title: (sweep, at) => `dataarts-autoretry 巡检 ${sweep}，开始于 ${at}`,
  dryRunBanner: '[演练：未重跑，未记录]',
  targetHeaders: ['目标', '工作空间', '列出', '已重跑', '跳过', '顺延', '错误', '风暴', 'API 调用'],
  decisionHeaders: ['结果', '目标', '作业', '实例', '次数', '原因'],
  wouldRestart: (n) => `${n}（将）`,
  stormCell: (suspected) => (suspected ? '疑似' : '否'),
  foldedJobs: (n) => `${n} 个作业`,
  listEach: '（--all 逐条列出）',
  took: (counts, ms) => `${counts}，耗时 ${ms} 毫秒`,
  comma: '，',
  noOutcome: '无',
  ledgerLine: (name) => `台账：${name}`,
  ledgerFile: (path) => `文件 ${path}`,
  ledgerTable: (table) => `DynamoDB 表 ${table}`,
  why,
  storm: (s) =>
    zhSentence(s.reason ?? '') ??
    `${s.failedJobs} 个作业的 ${s.failedInstances} 个实例失败${s.totalInstances === undefined ? '' : `（共 ${s.totalInstances} 个实例）`}`,
  historyHeaders: ['时间', '目标', '工作空间', '作业', '实例', '次数', '结果', '错误码 / 原因'],
  attemptOutcome: (outcome) => ATTEMPT_OUTCOMES[outcome] ?? outcome,
  resetEvent: '重置',
  resetBy: (by, reason) => `${by}：${reason}`,
  noEntry: '没有匹配的账本条目',
  incidentHeaders: [
    '目标',
    '原因键',
    '状态',
    '开始于',
    '作业数',
    '暂缓',
    '探测次数',
    '下次金丝雀重跑',
    '原因',
  ],
  incidentState: (state, closedBy) => {
    const states: Record<string, string> = {
      open: '开启',
      probing: '探测中',
      releasing: '放行中',
      closed: '已关闭',
    };
    const by: Record<string, string> = { recovered: '已恢复', cleared: '失败已消失', operator: '人工关闭' };
    const name = states[state] ?? state;
    return closedBy ? `${name}（${by[closedBy] ?? closedBy}）` : name;
  },
  noIncident: (closedToo) => (closedToo ? '没有事件' : '没有开启中的事件'),
  incidentClosed: (target, key, cause) =>
    `已关闭  ${target} ${key}：${cause}\n从下次巡检起，它暂缓的失败按常规重试，受次数上限约束`,
  noOpenIncident: (key, target) => `目标 ${target} 上没有原因键为 ${key} 的开启中事件`,
  nothingToReset: '没有匹配的账本条目：无可重置',
  resetDone: (place, cleared, dryRun) => `${dryRun ? '将重置' : '已重置'}  ${place}：清除 ${cleared} 次重跑`,
  resetRefused: (place, reason) => `拒绝  ${place}：${zhSentence(reason) ?? reason}`,
  valid: (path, targets, ledger) =>
    `通过：${path}：${targets.length} 个目标（${targets.join('、')}），账本 ${ledger}`,
  wrote: (path, shown) =>
    `已写出 ${path}\n下一步：填写 targets[0].endpoint 和 projectId，然后运行\n  dataarts-autoretry validate --config ${shown}\n  dataarts-autoretry --config ${shown} --dry-run`,
  template,
  explain: {
    incident: (p) =>
      `事件：${p.state}，始于 ${p.since}${p.nextProbe ? `，下次金丝雀重跑 ${p.nextProbe}` : ''}：${p.cause}（原因键 ${p.key}）`,
    place: (target, workspace, job, instance) =>
      `${target} / 工作空间 ${workspace} / 作业 ${job} / 实例 ${instance}`,
    listed: (p) =>
      `列出：状态 ${JSON.stringify(p.status)}${p.type === undefined ? '' : `，类型 ${p.type}`}${p.started === undefined ? '' : `，开始于 ${p.started}`}${p.ended === undefined ? '' : `，结束于 ${p.ended}`}`,
    notListed: '列出：不在回溯窗口内',
    failure: (p) =>
      `失败：${[
        p.message ?? '没有 errorMessage',
        p.node ? `节点 ${p.node.name}（${p.node.type ?? '类型未知'}）` : '',
        p.detailsError ? `无法读取详情：${p.detailsError}` : '',
      ]
        .filter(Boolean)
        .join('；')}`,
    noLedger: '账本：没有重跑记录',
    ledger: (attempts, notBefore) =>
      `账本：已计 ${attempts} 次重跑${notBefore ? `，下一次不早于 ${notBefore}` : ''}`,
    attempt: (n, at, outcome, code, recovery) =>
      `  第 ${n} 次，${at}：${ATTEMPT_OUTCOMES[outcome] ?? outcome}${code ? `（${code}）` : ''}${recovery ? `，之后${ATTEMPT_OUTCOMES[recovery] ?? recovery}` : ''}`,
    decision: (outcome, reason, rule) => `此刻的决定：${outcome}：${reason}（规则 ${rule}；未计全局保护）`,
    notFound: (f) =>
      `作业 ${f.jobName} 的实例 ${f.instanceId} 在目标 ${f.target} 上 ${f.from} 至 ${f.to} 之间（policy.lookback）未列出；${f.known ? 'DataArts 知道该实例：它在这个窗口之外' : 'DataArts 不知道该实例'}`,
  },
  progress: (p) => {
    const extra = [
      p.inFlight > 0 ? `${p.inFlight} 个进行中` : '',
      p.failed > 0 ? `${p.failed} 个失败` : '',
    ].filter(Boolean);
    return `已列出 ${p.listed} · 已重跑 ${p.restarted}${extra.length ? `（${extra.join('，')}）` : ''} · ${p.rate} 个/秒${p.eta === undefined ? '' : ` · 预计剩余 ≤ ${p.eta} 秒`} · ${p.seconds} 秒`;
  },
  interrupt: {
    again: (signal) => `dataarts-autoretry：再次收到 ${signal}：立即退出`,
    interrupted: (signal) => `被 ${signal} 中断`,
    quitHint: (signal) => `再按一次 ${signal} 立即退出`,
    deadlinePassed: (deadline) => `--deadline 的 ${deadline} 已到`,
    nothingInFlight: '没有进行中的重跑',
    waiting: (seconds, open) => `最多等待 ${seconds} 秒，有 ${open.length} 个重跑进行中：${firstFive(open)}`,
    stopped: (what, waiting, hint) =>
      `dataarts-autoretry：${what}：不再开始新的重跑；${waiting}；随后打印部分报告${hint ? `（${hint}）` : ''}`,
  },
  notifyTest: {
    noWebhooks: '密钥文件中没有 Webhook',
    ok: (channel) => `成功  ${channel}`,
    failed: (channel, code, message, attempts) =>
      `失败  ${channel}：${code}${message ? ` ${message}` : ''}（尝试 ${attempts} 次）`,
  },
  // `arguments` names the command line as a whole, not a field of the file.
  invalid: (field, problem) =>
    `dataarts-autoretry：${field === 'arguments' ? '参数' : field} 有误：${problem}`,
  problem: zhProblem,
  authEverywhere: (message) => `dataarts-autoretry：所有目标均认证失败（${message}）`,
  targetsFailed: (failed, total, list) =>
    `dataarts-autoretry：${total} 个目标中有 ${failed} 个未能巡检：${list}`,
  notificationFailed: (channel, code, message) =>
    `dataarts-autoretry：通知发送失败：${channel}：${code} ${message}`,
  help,
};
