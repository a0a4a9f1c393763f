import { ConfigError } from '../errors';
import type { HistoryEntry } from '../ledger/ledger-history';
import { resetRefusal } from '../ledger/ledger-state';
import { REPORT_SCHEMA_VERSION } from '../sweep/report';
import { EXIT, type ExitStatuses, UNEXPECTED } from './exit-codes';
import type { CliIo } from './io';
import { historyLedger, parseSelectorArgs } from './ledger-view';
import { subcommand } from './subcommand';

const USAGE = `Usage: dataarts-autoretry reset --config <file.json> (--instance ID | --job NAME) [--target NAME] --reason TEXT [--dry-run] [--json]

Gives the selected instance (or every instance of a job) its retry budget back: the
counted attempts are cleared, kept in the entry with who, when and why (history shows
them), and the next sweep may restart it again. A failure already rerun is not rerun
twice: the instance is restarted at its next failure. Never resets an attempt in
flight or one whose outcome is still unknown (exit 1, naming it). --dry-run says what
would be reset and changes nothing.
-c is short for --config, -h for --help.
`;

interface Outcome {
  target: string;
  workspace: string;
  jobName: string;
  instanceId: string;
  status: 'reset' | 'would-reset' | 'refused';
  attemptsCleared: number;
  reason?: string;
}

const placeOf = (e: HistoryEntry) => ({
  target: e.target,
  workspace: e.workspace,
  jobName: e.jobName,
  instanceId: e.instanceId,
});

async function reset(argv: readonly string[], io: CliIo): Promise<number> {
  const { config, selector, json, values } = await parseSelectorArgs(argv, {
    reason: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  if (selector.jobName === undefined && selector.instanceId === undefined)
    throw new ConfigError(
      'arguments',
      'reset needs --instance ID or --job NAME (a target alone is too wide)',
    );
  const reason = typeof values.reason === 'string' ? values.reason.trim() : '';
  if (!reason)
    throw new ConfigError('--reason', 'is required: why the budget is given back (kept in the ledger)');
  const ledger = historyLedger(config);
  const now = io.now();
  const outcomes: Outcome[] = [];
  for (const entry of await ledger.history(selector)) {
    const place = placeOf(entry);
    if (values['dry-run']) {
      const refusal = resetRefusal(entry, now);
      outcomes.push({
        ...place,
        status: refusal ? 'refused' : 'would-reset',
        attemptsCleared: refusal ? 0 : entry.attempts,
        ...(refusal ? { reason: refusal } : {}),
      });
      continue;
    }
    const result = await ledger.reset(place, { now, by: io.user, reason });
    outcomes.push(
      result.status === 'reset'
        ? { ...place, status: 'reset', attemptsCleared: entry.attempts }
        : { ...place, status: 'refused', attemptsCleared: 0, reason: result.reason },
    );
  }
  write(outcomes, json, io);
  return outcomes.length > 0 && outcomes.every((o) => o.status !== 'refused') ? EXIT.OK : EXIT.FAILED;
}

function write(outcomes: readonly Outcome[], json: boolean, io: CliIo): void {
  if (json) {
    io.stdout.write(
      `${JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, resets: outcomes }, null, 2)}\n`,
    );
    return;
  }
  if (outcomes.length === 0) io.stdout.write('no ledger entry matches: nothing to reset\n');
  for (const o of outcomes) {
    const place = `${o.target}/${o.workspace}/${o.jobName}/${o.instanceId}`;
    if (o.status === 'refused') io.stdout.write(`refused  ${place}: ${o.reason}\n`);
    else
      io.stdout.write(
        `${o.status === 'reset' ? 'reset' : 'would reset'}  ${place}: ${o.attemptsCleared} attempt(s) cleared\n`,
      );
  }
}

const EXITS: ExitStatuses = [
  [EXIT.OK, 'reset (with --dry-run: every selected instance could be)'],
  [
    EXIT.FAILED,
    `nothing matched, or an attempt in flight or of unknown outcome was refused (named), or ${UNEXPECTED}`,
  ],
  [EXIT.USAGE, 'bad arguments or configuration'],
];

export const resetCommand = subcommand(
  'reset',
  'give an instance (or a job) its retry budget back, with a reason kept in the ledger',
  USAGE,
  EXITS,
  reset,
);
