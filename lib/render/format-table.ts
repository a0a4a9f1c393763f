import type { Outcome } from '../policy/decision';
import { shortFailure } from '../policy/failure-rules';
import type { DecisionRecord, LedgerRef, SweepReport } from '../sweep/report';
import { type Locale, MESSAGES, type Messages } from '../text/i18n';
import { formatTime } from '../text/time-format';
import { NO_COLOUR, type Palette } from './colour';
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
  'sweep-cap',
  'hourly-cap',
  'backing-off',
] as const satisfies readonly Outcome[];

/** Each of these rows matters on its own: never grouped. */
const NEVER_GROUPED: ReadonlySet<Outcome> = new Set(['restarted', 'dry-run', 'error', 'budget-exhausted']);
/** More rows than this with one outcome on one target become one row (unless --all). */
const GROUP_OVER = 5;

/** Column names; every other word comes from the message catalogue (lib/text/i18n.ts). */
const HEADERS: Record<
  Locale,
  {
    targets: string[];
    decisions: string[];
    dryRun: string;
    jobs: string;
    ledger: string;
    file: string;
    table: string;
  }
> = {
  en: {
    targets: [
      'TARGET',
      'WORKSPACE',
      'LISTED',
      'RESTARTED',
      'SKIPPED',
      'DEFERRED',
      'ERRORS',
      'STORM',
      'API CALLS',
    ],
    decisions: ['OUTCOME', 'TARGET', 'JOB', 'INSTANCE', 'ATTEMPT', 'WHY'],
    dryRun: '[DRY RUN: nothing restarted, nothing recorded]',
    jobs: 'jobs',
    ledger: 'ledger: ',
    file: 'file',
    table: 'DynamoDB table',
  },
  'zh-CN': {
    targets: ['目标', '工作空间', '列出', '已重跑', '跳过', '顺延', '错误', '风暴', 'API 调用'],
    decisions: ['结果', '目标', '作业', '实例', '次数', '原因'],
    dryRun: '[演练：未重跑，未记录]',
    jobs: '个作业',
    ledger: '台账：',
    file: '文件',
    table: 'DynamoDB 表',
  },
};

/** The ledger a sweep used, as people read it: `file /abs/ledger.json`, `DynamoDB table name`. */
export function ledgerName(ledger: LedgerRef, locale: Locale = 'en'): string {
  const words = HEADERS[locale];
  return ledger.type === 'file' ? `${words.file} ${ledger.path}` : `${words.table} ${ledger.table}`;
}

/** The footer line naming the ledger: which file a sweep counted its budgets in. */
export function ledgerLine(ledger: LedgerRef, locale: Locale = 'en'): string {
  return `${HEADERS[locale].ledger}${ledgerName(ledger, locale)}`;
}

function rank(outcome: Outcome): number {
  const index = (ORDER as readonly Outcome[]).indexOf(outcome);
  return index < 0 ? ORDER.length : index;
}

const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g;

/** Times in a detail in the display zone, with how far away they are on a terminal. */
function localTimes(text: string, options: TableOptions): string {
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
  if (outcome === 'budget-exhausted' || outcome === 'storm-guard') return palette.yellow(cell);
  return palette.dim(cell);
}

function targetRows(report: SweepReport, locale: Locale): string[][] {
  return [
    HEADERS[locale].targets,
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
  ];
}

function decisionRow(d: DecisionRecord, options: TableOptions): string[] {
  const attempt = d.attempt === undefined ? '' : `${d.attempt}/${d.maxAttempts}`;
  const failure = shortFailure(d);
  const why = failure ? `${d.detail} [${failure}]` : d.detail;
  // The report's own code (dry-run), not a second word for it: the JSON and the README say the same.
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
  const words = HEADERS[options.locale ?? 'en'];
  return [...groups.values()].flatMap((group) => {
    const [first] = group as [DecisionRecord];
    if (options.all || group.length <= GROUP_OVER || NEVER_GROUPED.has(first.outcome))
      return group.map((d) => decisionRow(d, options));
    const jobs = new Set(group.map((d) => d.jobName)).size;
    const across = options.locale === 'zh-CN' ? `${jobs} ${words.jobs}` : `across ${jobs} ${words.jobs}`;
    const hint = options.locale === 'zh-CN' ? '（--all 逐条列出）' : ' (--all lists each)';
    return [
      [
        `${first.outcome} ×${Math.max(group.length, counted.get(first.target)?.[first.outcome] ?? 0)}`,
        first.target,
        across,
        '',
        '',
        `${localTimes(first.detail, options)}${hint}`,
      ],
    ];
  });
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
    `  ${target}: ${Object.entries(counts)
      .map(([status, count]) => `${JSON.stringify(status)} ×${count}`)
      .join(', ')}`;
  return ['', `${m.unknownStatuses(n)}:`, ...seen.map(line)];
}

/** Storms, unknown statuses, exhausted budgets, unconfirmed attempts and target errors, each under its heading. */
function sections(report: SweepReport, options: TableOptions, palette: Palette): string[] {
  const m = MESSAGES[options.locale ?? 'en'];
  const lines: string[] = [];
  for (const t of report.targets) {
    if (t.storm.suspected)
      lines.push('', palette.yellow(`${m.storm}: ${m.stormLine(t.target, t.storm.reason ?? '')}`));
  }
  lines.push(...unknownStatusLines(report, m));
  if (report.exhausted.length > 0) {
    lines.push('', palette.yellow(`${m.exhausted(report.exhausted.length, report.dryRun)}:`));
    for (const e of report.exhausted)
      lines.push(`  ${m.place(e)}: ${m.attempts(e.attempts, e.maxAttempts)}, ${e.lastOutcome ?? 'n/a'}`);
  }
  if (report.unconfirmed.length > 0) {
    lines.push('', `${m.unconfirmed(report.unconfirmed.length)}:`);
    for (const u of report.unconfirmed)
      lines.push(`  ${m.place(u)}: ${m.attempt(u.attempt, u.maxAttempts)}, ${u.code}`);
  }
  const targetErrors = report.errors.filter((e) => e.instanceId === undefined);
  if (targetErrors.length > 0) {
    lines.push('', palette.red(`${m.targetErrors(targetErrors.length)}:`));
    for (const e of targetErrors) lines.push(`  ${e.target}: ${e.code}: ${e.message}`);
  }
  return lines;
}

/** A readable summary of a sweep: totals per target, then one line per decision with its reason. */
export function formatTable(report: SweepReport, options: TableOptions = {}): string {
  const locale = options.locale ?? 'en';
  const palette = options.palette ?? NO_COLOUR;
  const m = MESSAGES[locale];
  const at = options.timeZone ? formatTime(Date.parse(report.startedAt), options.timeZone) : report.startedAt;
  const banner = report.dryRun ? `  ${palette.yellow(HEADERS[locale].dryRun)}` : '';
  const lines = [
    palette.bold(`dataarts-autoretry sweep ${report.sweepId.slice(0, 8)} at ${at}`) + banner,
    '',
  ];
  const width = options.width;
  lines.push(layoutTable(targetRows(report, locale), { ...(width ? { width } : {}), flexible: [0, 1] }));
  if (report.decisions.length > 0) {
    const rows = [HEADERS[locale].decisions, ...decisionRows(report, options)];
    const paint = (cell: string, column: number, row: number) =>
      column === 0 && row > 0 ? paintOutcome(cell, palette) : cell;
    lines.push('', layoutTable(rows, { ...(width ? { width } : {}), flexible: [5, 2, 1], paint }));
  }
  lines.push(...sections(report, options, palette));
  const counts = m.counts({
    // A dry run restarts nothing: its "would be restarted" are the dry-run decisions.
    restarted: report.dryRun ? (report.totals['dry-run'] ?? 0) : report.restarted.length,
    exhausted: report.exhausted.length,
    errors: report.errors.length,
    unconfirmed: report.unconfirmed.length,
    deferred: report.deferred.length,
    dryRun: report.dryRun,
  });
  lines.push(
    '',
    `${counts}${locale === 'zh-CN' ? `，耗时 ${report.durationMs} 毫秒` : ` in ${report.durationMs} ms`}`,
  );
  if (report.ledger) lines.push(palette.dim(ledgerLine(report.ledger, locale)));
  return `${lines.join('\n')}\n`;
}
