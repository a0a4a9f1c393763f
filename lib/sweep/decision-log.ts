import type { Outcome } from '../policy/decision';
import type { Counts, DecisionRecord } from './report';

/**
 * Outcomes whose every item is kept: each is bounded by the sweep cap, and each is
 * what an operator acts on (what was done, what went wrong, what a dry run would do).
 * Not `deferred`: a deadline during the plan defers the whole window.
 */
const ALWAYS_KEPT: ReadonlySet<Outcome> = new Set(['restarted', 'error', 'dry-run']);

/** Items of each outcome a target's report keeps unless asked for all (`--all`). */
export const DEFAULT_ITEMS_PER_OUTCOME = 50;

/**
 * One target's decisions as its report keeps them: every decision counted by outcome,
 * the first `perOutcome` items of each kept (all of those in ALWAYS_KEPT), the rest
 * counted as omitted. A window of a million instances then makes a report of
 * kilobytes; `Number.POSITIVE_INFINITY` keeps everything.
 */
export class DecisionLog {
  readonly counts: Counts = {};
  readonly omitted: Counts = {};
  readonly items: DecisionRecord[] = [];

  constructor(private readonly perOutcome: number = DEFAULT_ITEMS_PER_OUTCOME) {}

  add(record: DecisionRecord): void {
    this.addLazily(record.outcome, () => record);
  }

  /** Counts one decision of `outcome`; builds its record only when it is kept (100,000 capped failures build 50). */
  addLazily(outcome: Outcome, make: () => DecisionRecord): void {
    const seen = this.counts[outcome] ?? 0;
    this.counts[outcome] = seen + 1;
    if (seen < this.perOutcome || ALWAYS_KEPT.has(outcome)) this.items.push(make());
    else this.omitted[outcome] = (this.omitted[outcome] ?? 0) + 1;
  }
}
