import type { Outcome } from '../policy/decision';
import type { DecisionRecord, SweepReport } from './report';

/** Outcomes listed first in the table: what was done, then what needs attention. */
const ORDER = [
  'restarted',
  'dry-run',
  'error',
  'deferred',
  'claimed-elsewhere',
  'target-halted',
  'budget-exhausted',
  'storm-guard',
  'sweep-cap',
  'hourly-cap',
  'backing-off',
] as const satisfies readonly Outcome[];

function rank(outcome: Outcome): number {
  const index = (ORDER as readonly Outcome[]).indexOf(outcome);
  return index < 0 ? ORDER.length : index;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? '')].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths[column]! + (cell.length - [...cell].length)),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A readable summary of a sweep: totals per target, then one line per decision with its reason. */
export function formatTable(report: SweepReport): string {
  const lines: string[] = [];
  lines.push(
    `dataarts-autoretry sweep ${report.sweepId.slice(0, 8)} at ${report.startedAt}${report.dryRun ? '  [DRY RUN: nothing restarted, nothing recorded]' : ''}`,
  );
  lines.push('');
  lines.push(
    table([
      ['TARGET', 'WORKSPACE', 'LISTED', 'RESTARTED', 'SKIPPED', 'DEFERRED', 'ERRORS', 'STORM', 'API CALLS'],
      ...report.targets.map((t) => {
        const restarted = (t.counts.restarted ?? 0) + (t.counts['dry-run'] ?? 0);
        const deferred = t.counts.deferred ?? 0;
        const errors = t.counts.error ?? 0;
        const skipped = Object.values(t.counts).reduce((a, b) => a + b, 0) - restarted - deferred - errors;
        return [
          t.target,
          t.workspace,
          String(t.listed),
          report.dryRun ? `${restarted} (would)` : String(restarted),
          String(skipped),
          String(deferred),
          t.error ? `${errors} + ${t.error.code}` : String(errors),
          t.storm.suspected ? 'SUSPECTED' : 'no',
          String(t.apiCalls.list + t.apiCalls.show + t.apiCalls.restart),
        ];
      }),
    ]),
  );
  const decisions = [...report.decisions].sort(
    (a, b) => rank(a.outcome) - rank(b.outcome) || a.jobName.localeCompare(b.jobName),
  );
  if (decisions.length > 0) {
    lines.push('');
    lines.push(
      table([
        ['OUTCOME', 'TARGET', 'JOB', 'INSTANCE', 'ATTEMPT', 'WHY'],
        ...decisions.map((d: DecisionRecord) => [
          d.outcome === 'dry-run' ? 'would-restart' : d.outcome,
          d.target,
          d.jobName,
          d.instanceId,
          d.attempt === undefined ? '' : `${d.attempt}/${d.maxAttempts}`,
          d.detail,
        ]),
      ]),
    );
  }
  for (const t of report.targets) {
    if (t.storm.suspected)
      lines.push(
        '',
        `STORM SUSPECTED on ${t.target}: ${t.storm.reason}. Nothing was restarted there; see the runbook.`,
      );
  }
  if (report.exhausted.length > 0) {
    lines.push(
      '',
      report.dryRun
        ? 'Retry budget exhausted (would be reported as exhausted by a real sweep):'
        : 'Retry budget exhausted (needs a human):',
    );
    for (const e of report.exhausted)
      lines.push(
        `  ${e.target}/${e.workspace}  ${e.jobName}  instance ${e.instanceId}  (${e.attempts}/${e.maxAttempts} attempts, last attempt: ${e.lastOutcome ?? 'n/a'})`,
      );
  }
  if (report.unconfirmed.length > 0) {
    lines.push('', 'Unconfirmed attempts (counted; the restart may or may not have happened):');
    for (const u of report.unconfirmed)
      lines.push(
        `  ${u.target}  ${u.jobName}  instance ${u.instanceId}  attempt ${u.attempt}/${u.maxAttempts}  ${u.code}`,
      );
  }
  const targetErrors = report.errors.filter((e) => e.instanceId === undefined);
  if (targetErrors.length > 0) {
    lines.push('', 'Errors:');
    for (const e of targetErrors) lines.push(`  ${e.target}: ${e.code}: ${e.message}`);
  }
  lines.push(
    '',
    `${report.restarted.length} restarted, ${report.exhausted.length} exhausted, ${report.errors.length} errors, ${report.deferred.length} deferred in ${report.durationMs} ms`,
  );
  return `${lines.join('\n')}\n`;
}
