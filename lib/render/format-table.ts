import type { Outcome } from '../policy/decision';
import { shortFailure } from '../policy/failure-rules';
import type { DecisionRecord, LedgerRef, SweepReport } from '../sweep/report';
import { CLI_MESSAGES, type CliMessages } from '../text/cli-messages';
import { incidentNews, type Locale, MESSAGES, type Messages } from '../text/i18n';
import { formatTime } from '../text/time-format';
import { NO_COLOUR, type Palette } from './colour';
import { wrapLine } from './display-width';
import { layoutTable } from './layout';
import { relativeTime } from './relative-time';

/** How a report is shown: the defaults are the plain, stable output of a pipe. */
export interface TableOptions {
  locale?: Locale;
  /** IANA zone of the times shown (display.timeZone). */
  timeZone?: string;
  /** Terminal columns: lines are cut to fit. Unset when piped. */
  width?: number;
  palette?: Palette;
  /** One row per instance even where many share an outcome (--all). */
  all?: boolean;
  /** Adds relative times ("in 3 min") to the times shown; only for a person at a terminal. */
  now?: number;
}

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
  'held-by-incident',
  'sweep-cap',
  'hourly-cap',
  'backing-off',
] as const satisfies readonly Outcome[];

/** Each of these rows matters on its own: never grouped. */
const NEVER_GROUPED: ReadonlySet<Outcome> = new Set(['restarted', 'dry-run', 'error', 'budget-exhausted']);
/** More rows than this with one outcome on one target become one row (unless --all). */
const GROUP_OVER = 5;

/**
 * The decision table's columns that are cut first: the reason (5) keeps twice what the
 * job (2) and target (1) names keep, being what the row is read for.
 */
const WHY_OVER_NAMES = { 5: 2, 2: 1, 1: 1 } as const;

/** The ledger a sweep used, as people read it: `file /abs/ledger.json`, `DynamoDB table name`. */
export function ledgerName(ledger: LedgerRef, locale: Locale = 'en'): string {
  const words = CLI_MESSAGES[locale];
  return ledger.type === 'file' ? words.ledgerFile(ledger.path) : words.ledgerTable(ledger.table);
}

/** The footer line naming the ledger: which file a sweep counted its budgets in. */
export function ledgerLine(ledger: LedgerRef, locale: Locale = 'en'): string {
  return CLI_MESSAGES[locale].ledgerLine(ledgerName(ledger, locale));
}

function rank(outcome: Outcome): number {
  const index = (ORDER as readonly Outcome[]).indexOf(outcome);
  return index < 0 ? ORDER.length : index;
}

const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g;

/** Times in a detail in the display zone, with how far away they are on a terminal. */
export function localTimes(text: string, options: Pick<TableOptions, 'timeZone' | 'now' | 'locale'>): string {
  return text.replace(ISO_TIME, (iso) => {
    const at = Date.parse(iso);
    const shown = formatTime(at, options.timeZone ?? 'UTC');
    return options.now === undefined
      ? shown
      : `${shown} (${relativeTime(at, options.now, options.locale ?? 'en')})`;
  });
}

function paintOutcome(cell: string, palette: Palette): string {
  // Cells are padded at their end only: the first word is the outcome ("storm-guard ×8").
  const outcome = cell.split(' ')[0];
  if (outcome === 'restarted' || outcome === 'dry-run') return palette.green(cell);
  if (outcome === 'error' || outcome === 'target-halted') return palette.red(cell);
  if (outcome === 'budget-exhausted' || outcome === 'storm-guard' || outcome === 'held-by-incident')
    return palette.yellow(cell);
  return palette.dim(cell);
}

function targetRows(report: SweepReport, words: CliMessages): string[][] {
  return [
    [...words.targetHeaders],
    ...report.targets.map((t) => {
      const restarted = (t.counts.restarted ?? 0) + (t.counts['dry-run'] ?? 0);
      const deferred = t.counts.deferred ?? 0;
      const errors = t.counts.error ?? 0;
      const skipped = Object.values(t.counts).reduce((a, b) => a + b, 0) - restarted - deferred - errors;
      return [
        t.target,
        t.workspace,
        String(t.listed),
        report.dryRun ? words.wouldRestart(restarted) : String(restarted),
        String(skipped),
        String(deferred),
        t.error ? `${errors} + ${t.error.code}` : String(errors),
        words.stormCell(t.storm.suspected),
        String(t.apiCalls.list + t.apiCalls.show + t.apiCalls.restart),
      ];
    }),
  ];
}

function decisionRow(d: DecisionRecord, options: TableOptions): string[] {
  const attempt = d.attempt === undefined ? '' : `${d.attempt}/${d.maxAttempts}`;
  const failure = shortFailure(d);
  const reason = CLI_MESSAGES[options.locale ?? 'en'].why(d);
  const why = failure ? `${reason} [${failure}]` : reason;
  // The report's own code (dry-run), not a second word for it: the JSON and the README say the
  // same; the reason beside it says in the reader's language what it means.
  return [d.outcome, d.target, d.jobName, d.instanceId, attempt, localTimes(why, options)];
}

/** Decision rows, with runs of one outcome on one target folded into one row unless --all. */
function decisionRows(report: SweepReport, options: TableOptions): string[][] {
  const { decisions } = report;
  // The report lists the first decisions of an outcome per target: a folded row counts them all.
  const counted = new Map(report.targets.map((t) => [t.target, t.counts]));
  const sorted = [...decisions].sort(
    (a, b) =>
      rank(a.outcome) - rank(b.outcome) ||
      a.target.localeCompare(b.target) ||
      a.jobName.localeCompare(b.jobName),
  );
  const groups = new Map<string, DecisionRecord[]>();
  for (const d of sorted) {
    const key = `${d.outcome}\u0000${d.target}`;
    // Appended in place: copying the group per row made a 200,000-row table quadratic.
    const group = groups.get(key);
    if (group) group.push(d);
    else groups.set(key, [d]);
  }
  const words = CLI_MESSAGES[options.locale ?? 'en'];
  return [...groups.values()].flatMap((group) => {
    const [first] = group as [DecisionRecord];
    if (options.all || group.length <= GROUP_OVER || NEVER_GROUPED.has(first.outcome))
      return group.map((d) => decisionRow(d, options));
    const jobs = new Set(group.map((d) => d.jobName)).size;
    return [
      [
        `${first.outcome} ×${Math.max(group.length, counted.get(first.target)?.[first.outcome] ?? 0)}`,
        first.target,
        words.foldedJobs(jobs),
        '',
        '',
        `${localTimes(words.why(first), options)}${words.listEach}`,
      ],
    ];
  });
}

/** Each incident of the sweep, under one heading: the held failures, grouped by their cause. */
function incidentLines(report: SweepReport, m: Messages, options: TableOptions): string[] {
  const at = (iso: string) => (options.timeZone ? formatTime(Date.parse(iso), options.timeZone) : iso);
  const lines = report.targets.flatMap((t) =>
    (t.incidents ?? []).map((i) => {
      if (i.state === 'closed') {
        const lastedMs = Date.parse(i.closedAt ?? report.startedAt) - Date.parse(i.openedAt);
        const by = i.closedBy ?? 'recovered';
        return `  ${m.incidentOver({ target: t.target, cause: i.cause, lasted: m.lasted(lastedMs), released: i.released, by, ...(i.reason ? { reason: i.reason } : {}) })}`;
      }
      const news = incidentNews(i.events);
      return `  ${m.incidentLine({
        target: t.target,
        cause: i.cause,
        jobs: i.jobs,
        held: i.held,
        since: at(i.since),
        ...(news ? { news } : {}),
        ...(i.nextProbeAt ? { nextProbe: at(i.nextProbeAt) } : {}),
        released: i.released,
      })}`;
    }),
  );
  return lines.length === 0 ? [] : ['', `${m.incidents(lines.length)}${m.colon.trimEnd()}`, ...lines];
}

/**
 * The statuses no document names, per target, each quoted as answered: a trailing
 * space shows, and a control character a server put there never reaches the terminal.
 */
function unknownStatusLines(report: SweepReport, m: Messages): string[] {
  const seen = report.targets.flatMap((t) =>
    t.unknownStatuses ? [[t.target, t.unknownStatuses] as const] : [],
  );
  const n = seen.reduce((sum, [, counts]) => sum + Object.values(counts).reduce((a, b) => a + b, 0), 0);
  if (n === 0) return [];
  const line = ([target, counts]: (typeof seen)[number]) =>
    `  ${target}${m.colon}${Object.entries(counts)
      .map(([status, count]) => `${JSON.stringify(status)} ×${count}`)
      .join(', ')}`;
  return ['', `${m.unknownStatuses(n)}${m.colon.trimEnd()}`, ...seen.map(line)];
}

/** Storms, unknown statuses, exhausted budgets, unconfirmed attempts and target errors, each under its heading. */
function sections(report: SweepReport, options: TableOptions, palette: Palette): string[] {
  const m = MESSAGES[options.locale ?? 'en'];
  const words = CLI_MESSAGES[options.locale ?? 'en'];
  const lines: string[] = [];
  for (const t of report.targets) {
    if (t.storm.suspected)
      lines.push('', palette.yellow(`${m.storm}${m.colon}${m.stormLine(t.target, words.storm(t.storm))}`));
  }
  lines.push(...incidentLines(report, m, options));
  lines.push(...unknownStatusLines(report, m));
  if (report.exhausted.length > 0) {
    lines.push(
      '',
      palette.yellow(`${m.exhausted(report.exhausted.length, report.dryRun)}${m.colon.trimEnd()}`),
    );
    for (const e of report.exhausted)
      lines.push(
        `  ${m.place(e)}${m.colon}${m.attempts(e.attempts, e.maxAttempts)}${words.comma}${e.lastOutcome === undefined ? words.noOutcome : words.attemptOutcome(e.lastOutcome)}`,
      );
  }
  if (report.unconfirmed.length > 0) {
    lines.push('', `${m.unconfirmed(report.unconfirmed.length)}${m.colon.trimEnd()}`);
    for (const u of report.unconfirmed)
      lines.push(`  ${m.place(u)}${m.colon}${m.attempt(u.attempt, u.maxAttempts)}${words.comma}${u.code}`);
  }
  const targetErrors = report.errors.filter((e) => e.instanceId === undefined);
  if (targetErrors.length > 0) {
    lines.push('', palette.red(`${m.targetErrors(targetErrors.length)}${m.colon.trimEnd()}`));
    for (const e of targetErrors) lines.push(`  ${e.target}${m.colon}${e.code}: ${e.message}`);
  }
  return lines;
}

/** A readable summary of a sweep: totals per target, then one line per decision with its reason. */
export function formatTable(report: SweepReport, options: TableOptions = {}): string {
  const locale = options.locale ?? 'en';
  const palette = options.palette ?? NO_COLOUR;
  const m = MESSAGES[locale];
  const words = CLI_MESSAGES[locale];
  const at = options.timeZone ? formatTime(Date.parse(report.startedAt), options.timeZone) : report.startedAt;
  const banner = report.dryRun ? `  ${palette.yellow(words.dryRunBanner)}` : '';
  const { width } = options;
  // Sentences are wrapped to the terminal; tables are cut to it (layoutTable).
  const toWidth = (line: string) => (width === undefined ? [line] : wrapLine(line, width));
  const lines = [...toWidth(palette.bold(words.title(report.sweepId.slice(0, 8), at)) + banner), ''];
  lines.push(
    layoutTable(targetRows(report, words), { ...(width ? { width } : {}), flexible: { 0: 1, 1: 1 } }),
  );
  if (report.decisions.length > 0) {
    const rows = [[...words.decisionHeaders], ...decisionRows(report, options)];
    const paint = (cell: string, column: number, row: number) =>
      column === 0 && row > 0 ? paintOutcome(cell, palette) : cell;
    lines.push('', layoutTable(rows, { ...(width ? { width } : {}), flexible: WHY_OVER_NAMES, paint }));
  }
  lines.push(...sections(report, options, palette).flatMap(toWidth));
  const counts = m.counts({
    // A dry run restarts nothing: its "would be restarted" are the dry-run decisions.
    restarted: report.dryRun ? (report.totals['dry-run'] ?? 0) : report.restarted.length,
    exhausted: report.exhausted.length,
    errors: report.errors.length,
    unconfirmed: report.unconfirmed.length,
    deferred: report.deferred.length,
    dryRun: report.dryRun,
  });
  lines.push('', ...toWidth(words.took(counts, report.durationMs)));
  if (report.ledger) lines.push(...toWidth(ledgerLine(report.ledger, locale)).map((l) => palette.dim(l)));
  return `${lines.join('\n')}\n`;
}
