import type { SweepReport } from '../sweep/report';

/** When a summary is sent: every sweep, only when something happened, or only on problems. */
export type NotifyPolicy = 'always' | 'on-activity' | 'on-problem';

/** A channel-neutral summary: a subject and sections of lines; each format renders it. */
export interface Summary {
  subject: string;
  /** One line with the counts. */
  headline: string;
  sections: Array<{ title: string; lines: string[] }>;
  hasActivity: boolean;
  hasProblem: boolean;
}

export interface SummaryOptions {
  stage?: string;
  /** Items listed per section before "and N more". */
  maxItems?: number;
}

function truncated<T>(items: readonly T[], max: number, line: (item: T) => string): string[] {
  const lines = items.slice(0, max).map(line);
  if (items.length > max) lines.push(`...and ${items.length - max} more`);
  return lines;
}

/** What identifies an instance in the DataArts console. */
const where = (i: { target: string; workspace: string; jobName: string; instanceId: string }) =>
  `${i.target} / workspace ${i.workspace} / job ${i.jobName} / instance ${i.instanceId}`;

/** Turns a report into one concise summary: counts, what was restarted, what needs a human. */
export function buildSummary(report: SweepReport, options: SummaryOptions = {}): Summary {
  const max = options.maxItems ?? 10;
  const targetErrors = report.targets.filter((t) => t.error);
  const instanceErrors = report.errors.filter((e) => e.instanceId !== undefined);
  const storms = report.targets.filter((t) => t.storm.suspected);
  const restartedCount = report.dryRun ? (report.totals['dry-run'] ?? 0) : report.restarted.length;
  const counts = [
    `${restartedCount} ${report.dryRun ? 'would be restarted' : 'restarted'}`,
    `${report.exhausted.length} ${report.dryRun ? 'would be reported as exhausted' : 'exhausted'}`,
    `${report.errors.length} errors`,
    ...(report.unconfirmed.length ? [`${report.unconfirmed.length} unconfirmed`] : []),
    ...(report.deferred.length ? [`${report.deferred.length} deferred`] : []),
  ].join(', ');
  const flags = [report.dryRun ? 'DRY RUN' : '', report.storm ? 'STORM SUSPECTED' : ''].filter(Boolean);
  const stage = options.stage ? `[${options.stage}] ` : '';
  const subject = fitSubject(
    `${stage}DataArts auto-retry: ${counts}`,
    flags.length ? ` (${flags.join(', ')})` : '',
  );
  const sections: Summary['sections'] = [];
  for (const t of storms) {
    sections.push({
      title: `Storm suspected on ${t.target}`,
      lines: [
        `${t.storm.reason}. Nothing was restarted there: look for a shared cause (cluster, source, storage).`,
      ],
    });
  }
  if (report.exhausted.length) {
    sections.push({
      // A dry run reports every exhausted budget, also those a real sweep already reported.
      title: report.dryRun
        ? `Retry budget would be reported as exhausted (${report.exhausted.length})`
        : `Retry budget exhausted, needs a human (${report.exhausted.length})`,
      lines: truncated(
        report.exhausted,
        max,
        (e) => `${where(e)}: ${e.attempts}/${e.maxAttempts} attempts used`,
      ),
    });
  }
  if (report.restarted.length) {
    sections.push({
      title: `Restarted (${report.restarted.length})`,
      lines: truncated(report.restarted, max, (r) => `${where(r)}: attempt ${r.attempt}/${r.maxAttempts}`),
    });
  }
  const wouldRestart = report.decisions.filter((d) => d.outcome === 'dry-run');
  if (wouldRestart.length) {
    sections.push({
      title: `Would restart (${wouldRestart.length})`,
      lines: truncated(wouldRestart, max, (d) => `${where(d)}: attempt ${d.attempt}/${d.maxAttempts}`),
    });
  }
  if (report.unconfirmed.length) {
    sections.push({
      title: `Unconfirmed attempts, counted (${report.unconfirmed.length})`,
      lines: truncated(
        report.unconfirmed,
        max,
        (u) => `${where(u)}: attempt ${u.attempt}/${u.maxAttempts} (${u.code})`,
      ),
    });
  }
  if (targetErrors.length || instanceErrors.length) {
    sections.push({
      title: `Errors (${report.errors.length})`,
      lines: [
        ...targetErrors.map((t) => `${t.target}: ${t.error?.code}: ${t.error?.message}`),
        ...truncated(
          instanceErrors,
          max,
          (e) => `${e.target} / job ${e.jobName} / instance ${e.instanceId}: ${e.code}: ${e.message}`,
        ),
      ],
    });
  }
  if (report.deferred.length) {
    sections.push({
      title: `Deferred to the next sweep (${report.deferred.length})`,
      lines: ['The sweep ran out of time before these.'],
    });
  }
  // Exhausted budgets of a dry run are not news: a real sweep reports each one once.
  const hasProblem =
    (report.exhausted.length > 0 && !report.dryRun) ||
    report.errors.length > 0 ||
    report.storm ||
    report.unconfirmed.length > 0;
  return {
    subject,
    headline: `${counts}. Sweep ${report.sweepId.slice(0, 8)} at ${report.startedAt}, ${report.targets.length} target(s), ${report.durationMs} ms${flags.length ? `, ${flags.join(', ')}` : ''}.`,
    sections,
    hasActivity:
      hasProblem || restartedCount > 0 || report.exhausted.length > 0 || report.deferred.length > 0,
    hasProblem,
  };
}

/** At most 100 characters; the counts are shortened, never the flags (DRY RUN must show). */
function fitSubject(text: string, flags: string): string {
  const room = 100 - flags.length;
  return `${text.length > room ? `${text.slice(0, room - 3)}...` : text}${flags}`;
}

export function shouldNotify(policy: NotifyPolicy, summary: Summary): boolean {
  if (policy === 'always') return true;
  if (policy === 'on-problem') return summary.hasProblem;
  return summary.hasActivity;
}

/** Plain text, for SNS (email) and the generic webhook. */
export function plainText(summary: Summary): string {
  const parts = [summary.headline];
  for (const section of summary.sections)
    parts.push('', `${section.title}:`, ...section.lines.map((l) => `- ${l}`));
  return parts.join('\n');
}

/** Markdown, for DingTalk, WeCom and (with *bold*) Slack. */
export function markdown(summary: Summary, bold: (s: string) => string = (s) => `**${s}**`): string {
  const parts = [bold(summary.subject), '', summary.headline];
  for (const section of summary.sections)
    parts.push('', bold(section.title), ...section.lines.map((l) => `- ${l}`));
  return parts.join('\n');
}
