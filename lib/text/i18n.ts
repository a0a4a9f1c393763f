/**
 * Every word a notification shows, per locale (the command line's table reads its words,
 * but for column names, from here too). The summary builder only assembles these;
 * formats add markup, never text, so a locale is complete when this file is.
 */
export type Locale = 'en' | 'zh-CN';
export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

export interface Counts {
  restarted: number;
  exhausted: number;
  errors: number;
  unconfirmed: number;
  deferred: number;
  dryRun: boolean;
}

export interface Place {
  target: string;
  workspace?: string;
  jobName?: string;
  instanceId?: string;
}

export interface Messages {
  app: string;
  /** Between the app's name and the counts in a subject, and a sentence's end. */
  colon: string;
  stop: string;
  counts(c: Counts): string;
  dryRun: string;
  storm: string;
  headline(p: { counts: string; sweep: string; at: string; targets: number; ms: number }): string;
  place(p: Place): string;
  targetErrors(n: number): string;
  exhausted(n: number, dryRun: boolean): string;
  storms(n: number): string;
  /** Instances in a status DataArts does not document (`unknown-status`). */
  unknownStatuses(n: number): string;
  resolved(n: number): string;
  unconfirmed(n: number): string;
  instanceErrors(n: number): string;
  restarted(n: number): string;
  wouldRestart(n: number): string;
  deferred(n: number): string;
  attempts(used: number, max: number): string;
  lastFailure(message: string): string;
  recoveredLine(recovered: number, judged: number): string;
  recoveries(n: number): string;
  notHelping(n: number): string;
  notHelpingLine(job: string, failedAgain: number): string;
  attempt(n: number, max: number): string;
  stormLine(target: string, reason: string): string;
  ongoingSince(time: string): string;
  resolvedLine(kind: 'target' | 'auth' | 'storm', target: string, since: string): string;
  deferredNote: string;
  leftOut(n: number, where: string): string;
  logsOf(sweep: string): string;
}

const en: Messages = {
  app: 'DataArts auto-retry',
  colon: ': ',
  stop: '.',
  counts: (c) =>
    [
      `${c.restarted} ${c.dryRun ? 'would be restarted' : 'restarted'}`,
      `${c.exhausted} ${c.dryRun ? 'would be reported as exhausted' : 'exhausted'}`,
      `${c.errors} errors`,
      ...(c.unconfirmed ? [`${c.unconfirmed} unconfirmed`] : []),
      ...(c.deferred ? [`${c.deferred} deferred`] : []),
    ].join(', '),
  dryRun: 'DRY RUN',
  storm: 'STORM SUSPECTED',
  headline: (p) => `${p.counts}. Sweep ${p.sweep} at ${p.at}, ${p.targets} target(s), ${p.ms} ms`,
  place: (p) =>
    [
      p.target,
      ...(p.workspace ? [`workspace ${p.workspace}`] : []),
      ...(p.jobName ? [`job ${p.jobName}`] : []),
      ...(p.instanceId ? [`instance ${p.instanceId}`] : []),
    ].join(' / '),
  targetErrors: (n) => `Not swept: target errors (${n})`,
  exhausted: (n, dry) =>
    dry
      ? `Retry budget would be reported as exhausted (${n})`
      : `Retry budget exhausted, needs a human (${n})`,
  storms: (n) => `Storm suspected, nothing restarted there (${n})`,
  unknownStatuses: (n) => `Unknown statuses (unknown-status), never retried (${n})`,
  resolved: (n) => `Resolved (${n})`,
  unconfirmed: (n) => `Unconfirmed attempts, counted (${n})`,
  instanceErrors: (n) => `Restart errors (${n})`,
  restarted: (n) => `Restarted (${n})`,
  wouldRestart: (n) => `Would restart (${n})`,
  deferred: (n) => `Deferred to the next sweep (${n})`,
  attempts: (used, max) => `${used}/${max} attempts used`,
  lastFailure: (message) => `; last failure: ${message}`,
  recoveredLine: (recovered, judged) => `${recovered} of ${judged} reruns since the last sweep recovered`,
  recoveries: () => 'Reruns of earlier sweeps',
  notHelping: (n) => `Reruns have not helped these jobs: consider a rule (${n})`,
  notHelpingLine: (job, failedAgain) => `${job}: 0 of ${failedAgain} reruns recovered`,
  attempt: (n, max) => `attempt ${n}/${max}`,
  stormLine: (target, reason) => `${target}: ${reason}; look for a shared cause (cluster, source, storage)`,
  ongoingSince: (time) => `(still failing, since ${time})`,
  resolvedLine: (kind, target, since) =>
    `${target}: ${{ target: 'can be swept again', auth: 'authenticates again', storm: 'storm is over' }[kind]} (since ${since})`,
  deferredNote: 'The sweep ran out of time before these.',
  leftOut: (n, where) => `…and ${n} more item(s) not shown: see ${where}.`,
  logsOf: (sweep) => `the full report of sweep ${sweep} in the logs`,
};

const zhCN: Messages = {
  app: 'DataArts 自动重试',
  colon: '：',
  stop: '。',
  counts: (c) =>
    [
      `${c.dryRun ? '将重跑' : '已重跑'} ${c.restarted}`,
      `${c.dryRun ? '将报告重试用尽' : '重试用尽'} ${c.exhausted}`,
      `错误 ${c.errors}`,
      ...(c.unconfirmed ? [`未确认 ${c.unconfirmed}`] : []),
      ...(c.deferred ? [`顺延 ${c.deferred}`] : []),
    ].join('，'),
  dryRun: '演练',
  storm: '疑似故障风暴',
  headline: (p) => `${p.counts}。巡检 ${p.sweep}，开始于 ${p.at}，${p.targets} 个目标，耗时 ${p.ms} 毫秒`,
  place: (p) =>
    [
      p.target,
      ...(p.workspace ? [`工作空间 ${p.workspace}`] : []),
      ...(p.jobName ? [`作业 ${p.jobName}`] : []),
      ...(p.instanceId ? [`实例 ${p.instanceId}`] : []),
    ].join(' / '),
  targetErrors: (n) => `未能巡检的目标（${n}）`,
  exhausted: (n, dry) => (dry ? `将报告重试次数用尽（${n}）` : `重试次数已用尽，需人工处理（${n}）`),
  storms: (n) => `疑似故障风暴，未做任何重跑（${n}）`,
  unknownStatuses: (n) => `未知状态（unknown-status），不会重跑（${n}）`,
  resolved: (n) => `已恢复（${n}）`,
  unconfirmed: (n) => `结果未确认的重跑，已计入次数（${n}）`,
  instanceErrors: (n) => `重跑出错（${n}）`,
  restarted: (n) => `已重跑（${n}）`,
  wouldRestart: (n) => `将重跑（${n}）`,
  deferred: (n) => `顺延到下次巡检（${n}）`,
  attempts: (used, max) => `已用 ${used}/${max} 次`,
  lastFailure: (message) => `；最后一次失败：${message}`,
  recoveredLine: (recovered, judged) => `自上次巡检以来的 ${judged} 次重跑中有 ${recovered} 次已恢复`,
  recoveries: () => '此前重跑的结果',
  notHelping: (n) => `重跑对这些作业无效，建议添加规则（${n}）`,
  notHelpingLine: (job, failedAgain) => `${job}：${failedAgain} 次重跑均未恢复`,
  attempt: (n, max) => `第 ${n}/${max} 次`,
  stormLine: (target, reason) => `${target}：${reason}；请排查共同原因（集群、数据源、存储）`,
  ongoingSince: (time) => `（仍未恢复，始于 ${time}）`,
  resolvedLine: (kind, target, since) =>
    `${target}：${{ target: '已可正常巡检', auth: '认证已恢复', storm: '风暴已结束' }[kind]}（始于 ${since}）`,
  deferredNote: '巡检时间用完，这些实例留待下次处理。',
  leftOut: (n, where) => `……另有 ${n} 项未列出，完整内容见${where}。`,
  logsOf: (sweep) => `日志中巡检 ${sweep} 的完整报告`,
};

export const MESSAGES: Record<Locale, Messages> = { en, 'zh-CN': zhCN };
