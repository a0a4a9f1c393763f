import type { Config, TargetConfig } from '../config/types';
import type { DataArtsClient } from '../dataarts/client';
import type { Ledger } from '../ledger/ledger';
import type { Logger } from '../log';
import type { Candidate } from '../policy/guards';

/** What the sweep of one target needs from the DataArts client. */
export type TargetApi = Pick<
  DataArtsClient,
  'listInstances' | 'countInstances' | 'restartInstance' | 'getInstance' | 'calls' | 'stats'
>;

/** Restarts the whole sweep may still make, shared by all targets: charged per claim. */
export interface SweepBudget {
  remaining: number;
}

/**
 * What one target's sweep is given: configuration, its client, the ledger, the clock,
 * and the bounds of the sweep. Each phase takes the part of it it needs (a `Pick`),
 * the ledger seen through that phase's port (lib/sweep/ports.ts), with the values
 * earlier phases returned, and returns a value of its own.
 */
export interface TargetInput {
  config: Config;
  target: TargetConfig;
  client: TargetApi;
  /** Every call bounded by `ledger.timeout` and by `signal` (lib/ledger/bounded-ledger.ts). */
  ledger: Ledger;
  /**
   * The same ledger bounded by `ledger.timeout` only, for the writes that finish what
   * the sweep began, even after the signal fired: an attempt's settle or release (the
   * attempt's budget left room for it) and spare hourly slots given back.
   */
  ownerLedger: Ledger;
  now: () => number;
  random: () => number;
  dryRun: boolean;
  /** A one-off sweep that restarts even when the storm guard suspects a storm (reported). */
  ignoreStormGuard?: boolean;
  /** Epoch ms on `now()`: no attempt is claimed that could still run past it. */
  deadline: number;
  /** Fires at the deadline: waits and requests stop, the report still goes out. */
  signal?: AbortSignal;
  /** The longest one attempt can take: its restart call (timeouts, retries, Retry-After), then its settle. */
  attemptBudgetMs: number;
  /** How long a claim belongs to its sweep; longer than `attemptBudgetMs`. */
  leaseMs: number;
  sweepBudget: SweepBudget;
  /**
   * This target's share of the sweep cap, given the restarts it would make (in its
   * priority order): resolves once every target has said what it wants (fair-share.ts).
   */
  fairShare?: (wanted: readonly Candidate[]) => Promise<number>;
  /** Decision items the report keeps per outcome (decision-log.ts); counts are always whole. */
  itemsPerOutcome?: number;
  logger: Logger;
}

/** The listing window of a sweep: `lookback` back from its start. */
export interface Window {
  from: number;
  to: number;
}
