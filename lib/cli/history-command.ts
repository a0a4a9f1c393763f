import { paletteFor } from '../render/colour';
import { ledgerLine } from '../render/format-table';
import { layoutTable } from '../render/layout';
import { ledgerRef, REPORT_SCHEMA_VERSION } from '../sweep/report';
import { formatTime } from '../text/time-format';
import { displayFor } from './display';
import { EXIT, type ExitStatuses, UNEXPECTED } from './exit-codes';
import type { CliIo } from './io';
import { type HistoryEvent, historyEvents, historyLedger, parseSelectorArgs } from './ledger-view';
import { subcommand } from './subcommand';

const USAGE = `Usage: dataarts-autoretry history --config <file.json> [--target NAME] [--job NAME] [--instance ID] [--json]

Shows the ledger's record of the selected instances (at least one selector; all given
must match): every attempt with its time, outcome and DLF code, and every reset with
who and why, newest first. Times in display.timeZone. Works on both ledgers; the
DynamoDB ledger needs dynamodb:Scan on its table (see docs/ledger.md).
-c is short for --config, -h for --help.
`;

function row(e: HistoryEvent, timeZone: string): string[] {
  const what = e.kind === 'reset' ? 'reset' : (e.outcome ?? '');
  const detail = e.kind === 'reset' ? `by ${e.by}: ${e.reason}` : (e.code ?? '');
  return [
    formatTime(e.at, timeZone),
    e.target,
    e.workspace,
    e.jobName,
    e.instanceId,
    e.attempt === undefined ? '' : String(e.attempt),
    what,
    detail,
  ];
}

async function history(argv: readonly string[], io: CliIo): Promise<number> {
  const { config, selector, json } = await parseSelectorArgs(argv);
  const entries = await historyLedger(config).history(selector);
  const events = historyEvents(entries);
  // Which ledger was read: "nothing matches" in the wrong file must not look like a clean record.
  const ledger = ledgerRef(config.ledger);
  if (json) {
    const out = events.map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
    const document = { schemaVersion: REPORT_SCHEMA_VERSION, ledger, events: out };
    io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return 0;
  }
  if (events.length === 0) {
    io.stdout.write(`no ledger entry matches\n${ledgerLine(ledger)}\n`);
    return 0;
  }
  const display = displayFor(config.display, io.env);
  const palette = paletteFor(io.stdout, io.env);
  const rows = [
    ['TIME', 'TARGET', 'WORKSPACE', 'JOB', 'INSTANCE', 'ATTEMPT', 'OUTCOME', 'CODE / REASON'],
    ...events.map((e) => row(e, display.timeZone)),
  ];
  const paint = (cell: string, column: number, r: number) =>
    r > 0 && column === 6 && cell.trim() === 'reset' ? palette.yellow(cell) : cell;
  const width = io.stdout.isTTY ? { width: io.stdout.columns ?? 80 } : {};
  io.stdout.write(`${layoutTable(rows, { ...width, flexible: [7, 3], paint })}\n${ledgerLine(ledger)}\n`);
  return 0;
}

const EXITS: ExitStatuses = [
  [EXIT.OK, 'shown (also when no ledger entry matches)'],
  [EXIT.FAILED, `${UNEXPECTED} (e.g. the ledger could not be read)`],
  [EXIT.USAGE, 'bad arguments or configuration'],
];

export const historyCommand = subcommand(
  'history',
  "the ledger's attempts and resets of a target, job or instance",
  USAGE,
  EXITS,
  history,
);
