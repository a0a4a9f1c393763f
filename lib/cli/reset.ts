import type { DisplaySettings } from '../config/schema/display';
import { ConfigError } from '../errors';
import type { HistoryEntry } from '../ledger/ledger-history';
import { resetRefusal } from '../ledger/ledger-state';
import { localTimes } from '../render/format-table';
import { REPORT_SCHEMA_VERSION } from '../sweep/report';
import { CLI_MESSAGES } from '../text/cli-messages';
import { displayFor } from './display';
import { EXIT } from './exit-codes';
import type { CliIo } from './io';
import { historyLedger, parseSelectorArgs } from './ledger-view';
import { subcommand } from './subcommand';

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
  write(outcomes, json, io, displayFor(config.display, io.env));
  return outcomes.length > 0 && outcomes.every((o) => o.status !== 'refused') ? EXIT.OK : EXIT.FAILED;
}

function write(outcomes: readonly Outcome[], json: boolean, io: CliIo, display: DisplaySettings): void {
  if (json) {
    io.stdout.write(
      `${JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, resets: outcomes }, null, 2)}\n`,
    );
    return;
  }
  const m = CLI_MESSAGES[display.locale];
  if (outcomes.length === 0) io.stdout.write(`${m.nothingToReset}\n`);
  for (const o of outcomes) {
    const place = `${o.target}/${o.workspace}/${o.jobName}/${o.instanceId}`;
    // A refusal names a time (a lease's end): shown in display.timeZone, as history shows times.
    io.stdout.write(
      `${o.status === 'refused' ? m.resetRefused(place, localTimes(o.reason ?? '', display)) : m.resetDone(place, o.attemptsCleared, o.status === 'would-reset')}\n`,
    );
  }
}

export const resetCommand = subcommand('reset', reset);
