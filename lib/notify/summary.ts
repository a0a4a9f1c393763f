import type { NotifyPolicy } from '../config/schema/notify';
import type { SweepReport } from '../sweep/report';
import { incidentNews, type Locale, MESSAGES, type Messages } from '../text/i18n';
import { formatClock, formatTime } from '../text/time-format';
import { type NoticePlan, showAll } from './notices';
import { errorKind, incidentKey, problemsOf } from './problems';

/** Sections in priority order: when a message must be cut, the later ones go first. */
export const SECTION_ORDER = [
  'target-errors',
  'exhausted',
  'storms',
  'incidents',
  'resolved',
  'unconfirmed',
  'instance-errors',
  'not-helping',
  'restarted',
  'recovery',
  'would-restart',
  'deferred',
] as const;
export type SectionKind = (typeof SECTION_ORDER)[number];

export interface Section {
  kind: SectionKind;
  title: string;
  lines: string[];
}

/** A channel-neutral summary: every format renders it, within its own size budget. */
export interface Summary {
  subject: string;
  /** One line with the counts, the sweep and its time. */
  headline: string;
  /** Every item, in SECTION_ORDER; formats cut them to fit (see fit.ts). */
  sections: Section[];
  /** Set by fit.ts when items were left out: how many, and where to see them all. */
  footer?: string;
  hasActivity: boolean;
  /** News that needs a human: formats mention people only then. */
  hasProblem: boolean;
  /** Where the full report is, for the footer. */
  fullReport: string;
  messages: Messages;
  report: SweepReport;
}

export interface SummaryOptions {
  stage?: string;
  locale?: Locale;
  /** IANA zone for the times shown; UTC by default. */
  timeZone?: string;
  /** De-duplication of lasting problems; without it every problem is shown. */
  notices?: NoticePlan;
  /** Where the full report can be read (default: the sweep's report in the logs). */
  fullReport?: string;
}

/** Longest line, in characters: a DataArts error message can be a whole stack. */
const LINE_CHARS = 300;

function clip(text: string): string {
  const chars = Array.from(text);
  return chars.length > LINE_CHARS ? `${chars.slice(0, LINE_CHARS - 1).join('')}…` : text;
}

/** Turns a report into one summary: counts, what needs a human first, then what was done. */
export function buildSummary(report: SweepReport, options: SummaryOptions = {}): Summary {
  const m = MESSAGES[options.locale ?? 'en'];
  const zone = options.timeZone ?? 'UTC';
  const plan = options.notices ?? showAll(problemsOf(report), Date.parse(report.startedAt));
  const sections = buildSections(report, m, plan, zone).filter((s) => s.lines.length > 0);
  const restartedCount = report.dryRun ? (report.totals['dry-run'] ?? 0) : report.restarted.length;
  const counts = m.counts({
    restarted: restartedCount,
    exhausted: report.exhausted.length,
    errors: report.errors.length,
    unconfirmed: report.unconfirmed.length,
    deferred: report.deferred.length,
    dryRun: report.dryRun,
  });
  const flags = [report.dryRun ? m.dryRun : '', report.storm ? m.storm : ''].filter(Boolean);
  const flagText = flags.length ? ` (${flags.join(', ')})` : '';
  const stage = options.stage ? `[${options.stage}] ` : '';
  const shown = (kind: SectionKind) => sections.some((s) => s.kind === kind);
  // Exhausted budgets of a dry run are not news: a real sweep reports each one once.
  const hasProblem =
    (shown('exhausted') && !report.dryRun) ||
    ['target-errors', 'storms', 'incidents', 'resolved', 'unconfirmed', 'instance-errors'].some((k) =>
      shown(k as SectionKind),
    );
  const sweep = report.sweepId.slice(0, 8);
  return {
    subject: fitSubject(`${stage}${m.app}${m.colon}${counts}`, flagText),
    headline: `${m.headline({ counts, sweep, at: formatTime(Date.parse(report.startedAt), zone), targets: report.targets.length, ms: report.durationMs })}${flagText}${m.stop}`,
    sections,
    hasActivity: hasProblem || sections.length > 0 || restartedCount > 0,
    hasProblem,
    fullReport: options.fullReport ?? m.logsOf(sweep),
    messages: m,
    report,
  };
}

function buildSections(report: SweepReport, m: Messages, plan: NoticePlan, zone: string): Section[] {
  const since = (key: string) => {
    const shown = plan.show.get(key);
    return shown?.reminder ? ` ${m.ongoingSince(formatClock(shown.since, zone))}` : '';
  };
  const failing = report.targets.filter(
    (t) => t.error && !plan.hide.has(`${errorKind(t.error.code)}:${t.target}`),
  );
  const storms = report.targets.filter((t) => t.storm.suspected && !plan.hide.has(`storm:${t.target}`));
  const instanceErrors = report.errors.filter((e) => e.instanceId !== undefined);
  const wouldRestart = report.decisions.filter((d) => d.outcome === 'dry-run');
  const section = (kind: SectionKind, title: (n: number) => string, lines: string[]): Section => ({
    kind,
    title: title(lines.length),
    lines: lines.map(clip),
  });
  return [
    section(
      'target-errors',
      m.targetErrors,
      failing.map(
        (t) =>
          `${t.target}: ${t.error?.code}: ${t.error?.message}${since(`${errorKind(t.error?.code ?? '')}:${t.target}`)}`,
      ),
    ),
    section(
      'exhausted',
      (n) => m.exhausted(n, report.dryRun),
      report.exhausted.map(
        (e) =>
          `${m.place(e)}: ${m.attempts(e.attempts, e.maxAttempts)}${e.lastError ? m.lastFailure(e.lastError) : ''}`,
      ),
    ),
    section(
      'storms',
      m.storms,
      storms.map((t) => `${m.stormLine(t.target, t.storm.reason ?? '')}${since(`storm:${t.target}`)}`),
    ),
    section('incidents', m.incidents, incidentLines(report, m, plan, zone)),
    section('resolved', m.resolved, resolvedLines(report, m, plan, zone)),
    section(
      'unconfirmed',
      m.unconfirmed,
      report.unconfirmed.map((u) => `${m.place(u)}: ${m.attempt(u.attempt, u.maxAttempts)} (${u.code})`),
    ),
    section(
      'instance-errors',
      m.instanceErrors,
      instanceErrors.map((e) => `${m.place(e)}: ${e.code}: ${e.message}`),
    ),
    section(
      'not-helping',
      m.notHelping,
      (report.notHelping ?? []).map(
        (j) => `${m.place({ target: j.target })} / ${m.notHelpingLine(j.jobName, j.failedAgain)}`,
      ),
    ),
    section(
      'restarted',
      m.restarted,
      report.restarted.map((r) => `${m.place(r)}: ${m.attempt(r.attempt, r.maxAttempts)}`),
    ),
    section('recovery', m.recoveries, recoveryLines(report, m)),
    section(
      'would-restart',
      m.wouldRestart,
      wouldRestart.map((d) => `${m.place(d)}: ${m.attempt(d.attempt ?? 0, d.maxAttempts ?? 0)}`),
    ),
    section(
      'deferred',
      () => m.deferred(report.deferred.length),
      report.deferred.length ? [m.deferredNote] : [],
    ),
  ];
}

/**
 * Each open incident once when it opens, then only when its state changes (a canary
 * failed again, one recovered, it came back) or a reminder is due.
 */
function incidentLines(report: SweepReport, m: Messages, plan: NoticePlan, zone: string): string[] {
  return report.targets.flatMap((t) =>
    (t.incidents ?? []).flatMap((i) => {
      if (i.state === 'closed') return [];
      const news = incidentNews(i.events);
      const key = incidentKey(t.target, i.causeKey);
      if (!news && !plan.show.has(key)) return [];
      const line = m.incidentLine({
        target: t.target,
        cause: i.cause,
        jobs: i.jobs,
        held: i.held,
        since: formatClock(Date.parse(i.since), zone),
        ...(news ? { news } : {}),
        ...(i.nextProbeAt ? { nextProbe: formatClock(Date.parse(i.nextProbeAt), zone) } : {}),
        released: i.released,
      });
      const shown = plan.show.get(key);
      return [shown?.reminder && !news ? `${line} ${m.ongoingSince(formatClock(shown.since, zone))}` : line];
    }),
  );
}

/** Problems gone since the last summary; an incident that closed in this sweep says how long it lasted and how it ended. */
function resolvedLines(report: SweepReport, m: Messages, plan: NoticePlan, zone: string): string[] {
  const closed = new Map(
    report.targets.flatMap((t) =>
      (t.incidents ?? [])
        .filter((i) => i.state === 'closed')
        .map((i) => [incidentKey(t.target, i.causeKey), { t, i }] as const),
    ),
  );
  const lines = plan.cleared
    .filter((c) => !closed.has(c.key))
    .map((c) => m.resolvedLine(c.kind, c.target, formatClock(c.since, zone)));
  for (const { t, i } of closed.values()) {
    const lastedMs = Date.parse(i.closedAt ?? report.startedAt) - Date.parse(i.openedAt);
    const by = i.closedBy ?? 'recovered';
    lines.push(
      m.incidentOver({
        target: t.target,
        cause: i.cause,
        lasted: m.lasted(lastedMs),
        released: i.released,
        by,
        ...(i.reason ? { reason: i.reason } : {}),
      }),
    );
  }
  return lines;
}

/** 'N of M reruns since the last sweep recovered', when earlier reruns were judged. */
function recoveryLines(report: SweepReport, m: Messages): string[] {
  const judged = report.targets.reduce(
    (sum, t) => ({
      recovered: sum.recovered + (t.recovery?.recovered ?? 0),
      all: sum.all + (t.recovery ? t.recovery.recovered + t.recovery.failedAgain : 0),
    }),
    { recovered: 0, all: 0 },
  );
  return judged.all === 0 ? [] : [m.recoveredLine(judged.recovered, judged.all)];
}

/**
 * SNS wants a subject "less than 100 characters" (AWS SNS Publish API reference), so
 * at most 99. The counts are shortened, never the flags: DRY RUN must show.
 */
export const SUBJECT_MAX = 99;

function fitSubject(text: string, flags: string): string {
  const chars = Array.from(text);
  const room = SUBJECT_MAX - Array.from(flags).length;
  return `${chars.length > room ? `${chars.slice(0, room - 1).join('')}…` : text}${flags}`;
}

export function shouldNotify(policy: NotifyPolicy, summary: Summary): boolean {
  if (policy === 'always') return true;
  if (policy === 'on-problem') return summary.hasProblem;
  return summary.hasActivity;
}
