/**
 * The Chinese description of every configuration key, by its path as error messages write
 * it (`[]` for a list index): docs/zh-CN/configuration-reference.md is generated from these
 * beside the schema's own facts (`npm run docs:config`). test/docs/config-reference.test.ts
 * fails when a key has no entry here or an entry names a key the schema no longer has.
 */

const DURATION = '时长写作 "250ms"、"90s"、"10m"、"2h"、"7d" 或整秒数。';

/** The policy's fields a rule may set: a rule's field means the same, for the jobs it matches. */
const RULE_FIELDS: Record<string, string> = {
  statuses: '要重试的状态：`fail`（失败）、`manual-stop`（已取消，需显式启用）。',
  instanceTypes: '要重试的实例类型：0 普通、5 补数据、6 子作业、7 单次运行；2（手动）无法重跑。',
  maxAttempts: '每个实例累计最多重跑的次数（1–20）。',
  firstRetryDelay: `失败结束后到第一次重跑前的等待时间。${DURATION}`,
  backoff: '重跑之间的退避间隔（规则中逐字段覆盖）。',
  'backoff.base': `第一次重跑之后的间隔。${DURATION}`,
  'backoff.factor': '每多一次尝试，间隔乘以的倍数（1–10）。',
  'backoff.max': `间隔的上限。${DURATION}`,
  'backoff.jitter':
    '随机抖动：`equal` 在 [d/2, d] 内随机（始终保留最小间隔），`full` 在 [0, d] 内随机，`none` 不抖动。',
  restart: '重跑请求的可选请求体（较新的华为云版本支持），仅在设置时发送。',
  'restart.retryLocation':
    '从何处重跑：`error_node`（失败节点）、`first_node`（第一个节点）、`specified_node`（指定节点，须同时设置 `nodeName`）。',
  'restart.nodeName': '`retryLocation` 为 `specified_node` 时从哪个节点重跑；其他情况下不得设置。',
  'restart.jobParamVersion':
    '重跑使用的作业参数版本：`original_version`（原版本）或 `latest_version`（最新版本）。',
  'restart.ignoreObsMonitor': '重跑时是否忽略 OBS 监听。',
  skipSuperseded: '同一作业已有更新的实例成功时，跳过该实例。',
  neverRetryOn: '正则表达式（不区分大小写），匹配 errorMessage 的失败不重试。',
  retryOn: '设置后，只重试 errorMessage 匹配其中之一的失败。',
  failedNodeTypes: '设置后，只重试这些类型节点的失败（每个实例需一次详情查询）。',
  neverRetryNodeTypes: '这些类型节点的失败不重试（每个实例需一次详情查询）。',
  unknownFailure:
    '失败原因未知（没有 errorMessage、没有节点类型）时，消息规则和节点规则的处理方式：`retry` 或 `skip`。',
};

const ruleFields = (prefix: string) =>
  Object.fromEntries(Object.entries(RULE_FIELDS).map(([key, text]) => [`${prefix}.${key}`, text]));

export const ZH_CN_CONFIG_DESCRIPTIONS: Readonly<Record<string, string>> = Object.freeze({
  $schema: '供编辑器校验的 schema：填 "./config.schema.json"。',
  targets: '要巡检的 DataArts 项目/工作空间（1 到 50 个）。',
  'targets[].name': '唯一且稳定的名称；是每个账本键的一部分（改名会重置重试预算）。',
  'targets[].endpoint': 'DLF 的 endpoint，例如 `https://dayu-dlf.cn-north-4.myhuaweicloud.com`。',
  'targets[].projectId': '华为云项目 ID。',
  'targets[].workspace': '工作空间 ID（作为 `workspace` 请求头发送）；省略则为默认工作空间。',
  'targets[].iamEndpoint': 'IAM 的 endpoint，仅用于 IAM 用户凭据；默认取 `HUAWEICLOUD_IAM_ENDPOINT`。',
  ledger: '记录重试尝试的地方（账本）。',
  'ledger.type': '账本类型：`dynamodb` 或 `file`。',
  'ledger.table': '分区键为字符串 `pk` 的 DynamoDB 表。',
  'ledger.endpoint': 'DynamoDB 的 endpoint，用于 DynamoDB Local 等；默认由 AWS 决定。',
  'ledger.region': 'DynamoDB 所在区域；默认由 AWS 决定。',
  'ledger.retention': `账本条目保留多久（DynamoDB TTL），必须长于 policy.lookback。${DURATION}`,
  'ledger.timeout': `单次账本调用的时限（1s 到 5m），超过即报告该调用失败。${DURATION}`,
  'ledger.path': '账本文件（JSON 行日志）；其旁的 `.lock` 文件使各次巡检依次进行。',
  policy: '重试策略：选哪些失败、重跑几次、何时重跑，以及全局保护。',
  'policy.lookback': `巡检覆盖的计划时间窗口（1m 到 30d）。${DURATION}`,
  'policy.jobs': '要包含的作业名通配符（`*`、`?`）。',
  'policy.excludeJobs': '要排除的作业名通配符（优先于 `jobs`）。',
  ...ruleFields('policy'),
  'policy.rules': '按顺序排列的按作业覆盖规则；第一条 `match` 匹配的规则生效。',
  'policy.rules[].match': '本规则适用的作业名通配符。',
  'policy.rules[].enabled': '设为 false 时，本规则匹配的作业一律不重跑。',
  ...ruleFields('policy.rules[]'),
  'policy.maxRestartsPerSweep': '每次巡检在所有目标上合计最多重跑的次数，按优先级轮流分配给各目标。',
  'policy.maxRestartsPerHour': '每个目标每个自然小时最多重跑的次数，跨巡检在账本中计数。',
  'policy.stormGuard': '风暴保护：疑似大面积故障时，目标上什么都不重跑。',
  'policy.stormGuard.enabled': '是否启用风暴保护。',
  'policy.stormGuard.maxFailedJobs': '窗口内失败的不同作业数超过此值即视为风暴。',
  'policy.stormGuard.maxFailedRatio': '……或窗口内计划的实例中失败的比例超过此值。',
  'policy.stormGuard.minInstances': '……比例从这么多个实例起才计算。',
  'policy.stormGuard.window': `只计入在此时长内结束的失败（不超过 lookback）；比例按其中计划的实例计算。${DURATION}`,
  'policy.incidents':
    '事件：一个原因的失败跨越许多作业即为一个事件：暂缓重跑，由一个金丝雀重跑探测，再分批放行。',
  'policy.incidents.enabled': '是否把同一原因的失败一起暂缓，并每次只用一个金丝雀重跑探测该原因。',
  'policy.incidents.minJobs': '同一原因的失败涉及一个目标的这么多个不同作业时，事件开启……',
  'policy.incidents.window': `……且这些失败在此时长内结束（不超过 lookback）。${DURATION}`,
  'policy.incidents.probe': '金丝雀重跑的间隔。',
  'policy.incidents.probe.first': `从事件开启到第一次金丝雀重跑的时长。${DURATION}`,
  'policy.incidents.probe.max': `每次金丝雀失败后间隔翻倍，最多到此值。${DURATION}`,
  'policy.incidents.release': '金丝雀恢复后，暂缓的失败如何分批放行。',
  'policy.incidents.release.first': '金丝雀恢复后第一次巡检放行的暂缓失败数；之后每批翻倍。',
  'policy.incidents.release.every': `两批之间至少间隔这么久，无论巡检多频繁。${DURATION}`,
  'policy.incidents.causes': '按顺序：第一个匹配失败的模式决定其原因。',
  'policy.incidents.causes[].pattern': '不区分大小写的正则表达式，匹配 errorMessage 的前 2000 个字符。',
  'policy.incidents.causes[].cause': '匹配的失败所属的原因：在报告和通知中显示的名称。',
  'policy.concurrency': '每个凭据同时进行的请求数，由使用该凭据的所有目标共享。',
  'policy.rateLimit': '每个凭据每秒的请求数，合计其所有目标（文档中的单用户上限为 30/s）。',
  client: 'DataArts API 客户端的设置。',
  'client.timeout': `每次请求尝试的时限（100ms 到 120s）。${DURATION}`,
  'client.retries': '对 429/502/503/504 和网络错误的重试次数（重跑请求只在确定未被处理时重试）。',
  'client.maxRetryAfter': `服务器 \`Retry-After\` 的上限。${DURATION}`,
  'client.paging':
    '时间窗口无法再拆分时（同一毫秒内超过 1000 个实例）`offset` 的含义：`auto` 自动探测、`page`、`record`，`none` 拒绝。',
  'client.maxWindow': `一次列表请求所查询的最长时间窗口（至少 1m）。${DURATION}`,
  'client.maxListRequests': '一次列举最多发出的请求数；总数与实例对不上的服务器到此即被停止。',
  'client.restartLag': `DataArts 显示一次已受理的重跑可能需要的时间，是每次尝试租约的一部分（至多 1h）。${DURATION}`,
  notify: '通知的呈现方式：语言、时区、提醒间隔。',
  'notify.locale': '通知的语言：`en` 或 `zh-CN`。',
  'notify.timeZone': '通知中时间所用的 IANA 时区，例如 `Asia/Shanghai`。',
  'notify.remindEvery': `持续存在的问题（无法巡检的目标、被拒绝的凭据、风暴）每隔多久再提醒一次（至少 1m，默认 6h），例如 "6h"。`,
  display: '命令行如何显示一次巡检：语言和时区。',
  'display.locale':
    '命令行表格和摘要的语言；不写时取环境语言（依次看 LC_ALL、LC_MESSAGES、LANG：zh_CN.UTF-8 即 zh-CN），否则为 en。',
  'display.timeZone': '命令行所显示时间的 IANA 时区。',
});
