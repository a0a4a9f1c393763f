import { type Instance, instanceIdentity } from '../dataarts/instance';
import { type InstanceKey, keyString, type LedgerEntry } from '../ledger/ledger';
import { decide, SCREENED } from '../policy/decide';
import type { Decision } from '../policy/decision';
import { resolveRule } from '../policy/rules';
import type { TargetListing } from './list-target';
import { type Planned, type TargetSweepInput, workspaceOf } from './target-context';

/** Ledger entries read per batch: at least this many, twice the restarts wanted, at most MAX_BATCH. */
const MIN_BATCH = 100;
const MAX_BATCH = 1000;

/** When the failure ended: older failures are evaluated (and restarted) first. */
export function failedAt(instance: Instance): number {
  return instance.endTime ?? instance.planTime ?? 0;
}

/**
 * An attempt on a listed failure was claimed after the failure's plan time, so after
 * the window's start; this margin covers a DataArts clock ahead of ours.
 */
const ATTEMPT_CLOCK_MARGIN_MS = 3_600_000;

/**
 * Decides every listed instance from the listing alone, then, with its entry read
 * consistently, every one the ledger's index of attempted entries names (exhausted
 * budgets, attempts in flight or answered, backoffs: every entry with an attempt
 * counted since the window began), however many failures the window holds. A failure
 * still `restart` then has no attempt counted: `readInPriority` reads those that can
 * matter before any is claimed. A ledger without the index has every key read.
 */
export async function screenTarget(
  input: TargetSweepInput,
  listing: TargetListing,
  window: { from: number },
  now: number,
): Promise<Planned[]> {
  const decideOne = decider(input, listing, now);
  const workspace = workspaceOf(input.target);
  const planned = listing.listed.map((instance): Planned => {
    const { jobName, instanceId } = instance;
    const key = { target: input.target.name, workspace, jobName, instanceId };
    const rule = resolveRule(jobName, input.config.policy);
    return { instance, key, rule, entry: undefined, decision: decideOne(instance, rule, undefined) };
  });
  // By job and id (an id alone may be shared by two jobs): no key string per listed failure.
  const open = new Map(
    planned.filter((p) => !isScreened(p.decision)).map((p) => [instanceIdentity(p.instance), p]),
  );
  const since = window.from - ATTEMPT_CLOCK_MARGIN_MS;
  const indexed = await input.ledger.attemptedKeys(input.target.name, since);
  if (indexed === undefined)
    input.logger.warn('ledger has no index of attempted entries: every entry is read');
  const listedOf = (key: InstanceKey): Planned[] => {
    const p = open.get(instanceIdentity(key));
    return p && keyString(p.key) === keyString(key) ? [p] : [];
  };
  const wanted = indexed === undefined ? [...open.values()] : indexed.flatMap(listedOf);
  const entries = await input.ledger.read(wanted.map((p) => p.key));
  for (const p of wanted) {
    p.entryRead = true;
    p.entry = entries.get(keyString(p.key));
    p.decision = decideOne(p.instance, p.rule, p.entry);
  }
  return planned;
}

/** Does this failure still need its ledger entry read before it can be restarted? */
export const needsEntry = (p: Planned): boolean => !p.entryRead && p.decision.action === 'restart';

/**
 * Reads the entries of the failures still `restart`, oldest failure first, in
 * batches, and decides each with its entry, until `room` of them may be restarted
 * (the most the caps allow this target) or none is left. Returns those never read:
 * older failures filled the caps first, so they could not be restarted this sweep
 * whatever their entries hold. Reads nothing when `room` is 0.
 */
export async function readInPriority(
  input: TargetSweepInput,
  planned: readonly Planned[],
  room: number,
  now: number,
): Promise<Planned[]> {
  const queue = planned.filter(needsEntry).sort((a, b) => failedAt(a.instance) - failedAt(b.instance));
  const batch = Math.min(MAX_BATCH, Math.max(MIN_BATCH, 2 * room));
  // No successes needed: a failure a success supersedes is `superseded` already, never `restart`.
  const decideOne = decider(input, undefined, now);
  let restartable = 0;
  let next = 0;
  while (restartable < room && next < queue.length) {
    const part = queue.slice(next, next + batch);
    next += part.length;
    const entries = await input.ledger.read(part.map((p) => p.key));
    for (const p of part) {
      p.entry = entries.get(keyString(p.key));
      p.decision = decideOne(p.instance, p.rule, p.entry);
      if (p.decision.action === 'restart') restartable++;
    }
  }
  return queue.slice(next);
}

/** What a failure left unread is recorded as: the cap that older failures filled, or the storm. */
export function unreadDecision(
  reason: 'sweep-cap' | 'hourly-cap' | 'storm-guard' | 'target-halted',
  detail: string,
): SkipDecision {
  return { action: 'skip', reason, detail: `${detail} (not evaluated: its ledger entry was not read)` };
}

type SkipDecision = Extract<Decision, { action: 'skip' }>;

type Decide = (instance: Instance, rule: Planned['rule'], entry: LedgerEntry | undefined) => Decision;

/** `decide` with this sweep's policy and time; `listing`'s successes supersede older failures. */
function decider(input: TargetSweepInput, listing: TargetListing | undefined, now: number): Decide {
  const { policy } = input.config;
  const newestSuccess = newestSuccessByJob(listing?.successes ?? []);
  return (instance, rule, entry) => {
    const success = newestSuccess.get(instance.jobName);
    const supersededBy =
      success && (success.planTime ?? 0) > (instance.planTime ?? 0) ? success.instanceId : undefined;
    return decide(instance, entry, rule, now, {
      policy,
      ...(supersededBy === undefined ? {} : { supersededBy }),
    });
  };
}

function isScreened(decision: Decision): boolean {
  return decision.action === 'skip' && SCREENED.has(decision.reason);
}

function newestSuccessByJob(successes: readonly Instance[]): Map<string, Instance> {
  const newest = new Map<string, Instance>();
  for (const instance of successes) {
    const current = newest.get(instance.jobName);
    if (!current || (instance.planTime ?? 0) > (current.planTime ?? 0))
      newest.set(instance.jobName, instance);
  }
  return newest;
}
