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

/** An incident as a notification line states it (lib/policy/incident.ts). */
export interface IncidentLine {
  target: string;
  cause: string;
  jobs: number;
  held: number;
  since: string;
  /** Why it is shown: it opened, its canary failed again, a canary recovered, it came back; else a reminder. */
  news?: 'opened' | 'canary-failed' | 'recovered' | 'relapsed';
  /** When the next canary goes (open or probing). */
  nextProbe?: string;
  released: number;
}

/** What of an incident's events is news a line leads with, if any (the rest are its routine). */
export function incidentNews(events: readonly string[]): IncidentLine['news'] {
  return (['opened', 'relapsed', 'recovered', 'canary-failed'] as const).find((e) => events.includes(e));
}

/** An incident that closed: how long it lasted and how it ended. */
export interface IncidentOver {
  target: string;
  cause: string;
  lasted: string;
  released: number;
  by: 'recovered' | 'cleared' | 'operator';
  reason?: string;
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
  resolvedLine(kind: 'target' | 'auth' | 'storm' | 'incident', target: string, since: string): string;
  /** The incidents section's title. */
  incidents(n: number): string;
  incidentLine(p: IncidentLine): string;
  incidentOver(p: IncidentOver): string;
  /** A duration of minutes to days, e.g. "1 h 35 min". */
  lasted(ms: number): string;
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
    `${target}: ${{ target: 'can be swept again', auth: 'authenticates again', storm: 'storm is over', incident: 'incident is over' }[kind]} (since ${since})`,
  incidents: (n) => `Incidents: one cause across many jobs, held and probed (${n})`,
  incidentLine: (p) => {
    const news = {
      opened: `${p.jobs} jobs failing with one cause since ${p.since}`,
      'canary-failed': 'the canary rerun failed again',
      recovered: `a canary rerun recovered: the held failures go in batches (${p.released} released, ${p.held} still held)`,
      relapsed: 'failing again while being released',
    }[p.news ?? 'opened'];
    const held = p.news === 'recovered' ? '' : `; ${p.held} held`;
    const next = p.nextProbe && p.news !== 'recovered' ? `, next canary ${p.nextProbe}` : '';
    return `${p.target}: ${news}${held}${next}: ${p.cause}`;
  },
  incidentOver: (p) =>
    `${p.target}: incident over after ${p.lasted}, ${
      {
        recovered: `${p.released} held failures released`,
        cleared: 'its failures are gone',
        operator: `closed by hand (${p.reason ?? ''})`,
      }[p.by]
    }: ${p.cause}`,
  lasted: (ms) => lasted(ms, { d: ' d', h: ' h', min: ' min' }),
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
    `${target}：${{ target: '已可正常巡检', auth: '认证已恢复', storm: '风暴已结束', incident: '事件已结束' }[kind]}（始于 ${since}）`,
  incidents: (n) => `事件：同一原因导致多个作业失败，已暂缓并探测（${n}）`,
  incidentLine: (p) => {
    const news = {
      opened: `自 ${p.since} 起 ${p.jobs} 个作业因同一原因失败`,
      'canary-failed': '金丝雀重跑再次失败',
      recovered: `金丝雀重跑已恢复：暂缓的失败分批放行（已放行 ${p.released} 个，仍暂缓 ${p.held} 个）`,
      relapsed: '放行期间再次失败',
    }[p.news ?? 'opened'];
    const held = p.news === 'recovered' ? '' : `；已暂缓 ${p.held} 个`;
    const next = p.nextProbe && p.news !== 'recovered' ? `，下次金丝雀重跑 ${p.nextProbe}` : '';
    return `${p.target}：${news}${held}${next}：${p.cause}`;
  },
  incidentOver: (p) =>
    `${p.target}：事件持续 ${p.lasted} 后结束，${
      {
        recovered: `已放行暂缓的 ${p.released} 个失败`,
        cleared: '其失败已不复存在',
        operator: `已人工关闭（${p.reason ?? ''}）`,
      }[p.by]
    }：${p.cause}`,
  lasted: (ms) => lasted(ms, { d: ' 天', h: ' 小时', min: ' 分钟' }),
  deferredNote: '巡检时间用完，这些实例留待下次处理。',
  leftOut: (n, where) => `……另有 ${n} 项未列出，完整内容见${where}。`,
  logsOf: (sweep) => `日志中巡检 ${sweep} 的完整报告`,
};

export const MESSAGES: Record<Locale, Messages> = { en, 'zh-CN': zhCN };

/** Whole minutes, hours and days, the two largest units that are not zero ("1 h 35 min", "2 d 3 h"). */
function lasted(ms: number, unit: { d: string; h: string; min: string }): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const parts: Array<[number, string]> = [
    [Math.floor(minutes / 1440), unit.d],
    [Math.floor(minutes / 60) % 24, unit.h],
    [minutes % 60, unit.min],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return `0${unit.min}`;
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n}${u}`)
    .join(' ');
}
