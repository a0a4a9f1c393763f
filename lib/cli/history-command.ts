import { paletteFor } from '../render/colour';
import { ledgerLine } from '../render/format-table';
import { layoutTable } from '../render/layout';
import { ledgerRef, REPORT_SCHEMA_VERSION } from '../sweep/report';
import { CLI_MESSAGES, type CliMessages } from '../text/cli-messages';
import { formatTime } from '../text/time-format';
import { displayFor } from './display';
import type { CliIo } from './io';
import { type HistoryEvent, historyEvents, historyLedger, parseSelectorArgs } from './ledger-view';
import { subcommand } from './subcommand';

function row(e: HistoryEvent, timeZone: string, m: CliMessages): string[] {
  const what = e.kind === 'reset' ? m.resetEvent : m.attemptOutcome(e.outcome ?? '');
  const detail = e.kind === 'reset' ? m.resetBy(e.by ?? '', e.reason ?? '') : (e.code ?? '');
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
  const display = displayFor(config.display, io.env);
  const m = CLI_MESSAGES[display.locale];
  const footer = ledgerLine(ledger, display.locale);
  if (events.length === 0) {
    io.stdout.write(`${m.noEntry}\n${footer}\n`);
    return 0;
  }
  const palette = paletteFor(io.stdout, io.env);
  const rows = [[...m.historyHeaders], ...events.map((e) => row(e, display.timeZone, m))];
  const paint = (cell: string, column: number, r: number) =>
    r > 0 && column === 6 && cell.trim() === m.resetEvent ? palette.yellow(cell) : cell;
  const width = io.stdout.isTTY ? { width: io.stdout.columns ?? 80 } : {};
  // The reason of a reset (7) keeps twice what the job name (3) keeps.
  io.stdout.write(`${layoutTable(rows, { ...width, flexible: { 7: 2, 3: 1 }, paint })}\n${footer}\n`);
  return 0;
}

export const historyCommand = subcommand('history', history);
