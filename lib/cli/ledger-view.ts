import type { Config } from '../config/types';
import { ConfigError } from '../errors';
import { buildLedger } from '../ledger/build-ledger';
import type { EntrySelector, HistoryEntry, LedgerHistory } from '../ledger/ledger-history';
import { parseFlags } from './args';
import { loadConfig } from './load-config';

/** The operator's operations on the config's ledger (both ledgers have them). */
export function historyLedger(config: Config): LedgerHistory {
  const { operator } = buildLedger(config.ledger);
  if (!operator) throw new ConfigError('ledger.type', `${config.ledger.type} ledger has no history`);
  return operator;
}

export interface SelectorArgs {
  config: Config;
  selector: EntrySelector;
  json: boolean;
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

/**
 * The flags of the commands that read the ledger about a target, job or instance
 * (history, reset, explain), defined once so that they spell them alike.
 */
export const SELECTOR_FLAGS: Parameters<typeof parseFlags>[1] = {
  config: { type: 'string', short: 'c' },
  target: { type: 'string' },
  job: { type: 'string' },
  instance: { type: 'string' },
  json: { type: 'boolean' },
};

/** --config, --target, --job, --instance, --json, and the command's own flags. */
export async function parseSelectorArgs(
  argv: readonly string[],
  extra: Parameters<typeof parseFlags>[1] = {},
): Promise<SelectorArgs> {
  const v = parseFlags(argv, { ...SELECTOR_FLAGS, ...extra });
  if (typeof v.config !== 'string')
    throw new ConfigError('--config', 'is required (a JSON configuration file)');
  const selector: EntrySelector = {
    ...(typeof v.target === 'string' ? { target: v.target } : {}),
    ...(typeof v.job === 'string' ? { jobName: v.job } : {}),
    ...(typeof v.instance === 'string' ? { instanceId: v.instance } : {}),
  };
  if (Object.keys(selector).length === 0)
    throw new ConfigError('arguments', 'name what to show: --target NAME, --job NAME and/or --instance ID');
  return { config: await loadConfig(v.config), selector, json: Boolean(v.json), values: v };
}

/** One thing that happened to an instance's budget: an attempt's outcome or a reset. */
export interface HistoryEvent {
  at: number;
  target: string;
  workspace: string;
  jobName: string;
  instanceId: string;
  kind: 'attempt' | 'reset';
  attempt?: number;
  outcome?: string;
  code?: string;
  by?: string;
  reason?: string;
}

/** Every attempt (those cleared by resets included) and every reset, newest first. */
export function historyEvents(entries: readonly HistoryEntry[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const entry of entries) {
    const place = {
      target: entry.target,
      workspace: entry.workspace,
      jobName: entry.jobName,
      instanceId: entry.instanceId,
    };
    const attempts = (outcomes: HistoryEntry['outcomes']) => {
      for (const [n, record] of Object.entries(outcomes))
        events.push({ ...place, kind: 'attempt', attempt: Number(n), ...record });
    };
    for (const reset of entry.resets ?? []) {
      attempts(reset.outcomes);
      events.push({ ...place, kind: 'reset', at: reset.at, by: reset.by, reason: reset.reason });
    }
    attempts(entry.outcomes);
    // A claimed attempt has no outcome record until it is settled: show it as in flight.
    if (entry.lastOutcome === 'in-flight' && entry.lastAttemptAt !== undefined)
      events.push({
        ...place,
        kind: 'attempt',
        attempt: entry.attempts,
        at: entry.lastAttemptAt,
        outcome: 'in-flight',
      });
  }
  return events.sort((a, b) => b.at - a.at || (b.attempt ?? 0) - (a.attempt ?? 0));
}
