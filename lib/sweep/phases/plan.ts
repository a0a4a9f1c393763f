import { type Instance, instanceIdentity } from '../../dataarts/instance';
import { type InstanceKey, keyString, type LedgerEntry } from '../../ledger/ledger';
import { decide, SCREENED } from '../../policy/decide';
import type { Decision } from '../../policy/decision';
import { detectStorm, type StormVerdict } from '../../policy/guards';
import { resolveRule } from '../../policy/rules';
import { stormFailures } from '../../policy/storm-count';
import { decided, failedAt, type Planned, workspaceOf } from '../planned';
import type { ReadPort } from '../ports';
import { type Recovery, trackRecovery } from '../recovery-tracking';
import type { TargetInput, Window } from '../target-input';
import type { TargetListing } from './list';

export type PlanInput = Pick<
  TargetInput,
  | 'config'
  | 'target'
  | 'client'
  | 'sweepBudget'
  | 'ignoreStormGuard'
  | 'dryRun'
  | 'now'
  | 'deadline'
  | 'signal'
  | 'logger'
> & { ledger: ReadPort };

/** The cap that set the room for restarts: the failures left unread are counted under it. */
export type RoomCap = 'sweep-cap' | 'hourly-cap';

/**
 * Every listed failure decided (`evaluated`), or left unread because older failures
 * filled the caps first (`unread`); the storm verdict; what became of earlier reruns.
 * Or the ledger failed (`error`), or the sweep stopped (`aborted`) while planning.
 */
export type Plan =
  | {
      ok: true;
      evaluated: Planned[];
      unread: Planned[];
      storm: StormVerdict & { ignored?: boolean };
      roomCap: RoomCap;
      recovery: Recovery | undefined;
    }
  | PlanFailure;

export type PlanFailure = { ok: false; error: unknown; aborted: boolean };

/** The listed failures decided from the listing and the ledger's index; what became of earlier reruns. */
export type Screened =
  | { ok: true; screened: Planned[]; recovery: Recovery | undefined; redecide: Redecide }
  | PlanFailure;

/** A failure decided anew with its ledger entry read (the incidents phase reads a canary's). */
export type Redecide = (p: Planned, entry: LedgerEntry | undefined) => Planned;

/**
 * The plan begins: decides the listed failures from the listing and the ledger's
 * index, then tracks recovery: before any claim, as a claim replaces the attempt whose
 * rerun is judged.
 */
export async function screen(
  input: PlanInput,
  listing: TargetListing,
  window: Window,
  now: number,
): Promise<Screened> {
  try {
    const screened = await screenTarget(input, listing, window, now);
    const recovery = await trackRecovery(input, listing, window);
    const decideOne = decider(input, undefined, now);
    const redecide: Redecide = (p, entry) =>
      decided(p, decideOne(p.instance, p.rule, entry), { entry, entryRead: true });
    return { ok: true, screened, recovery, redecide };
  } catch (error) {
    return failed(input, error);
  }
}

/**
 * The plan ends: the storm verdict, then the entries of as many restartable failures
 * as the caps can take are read, oldest failure first. Failures an incident holds are
 * decided already: the storm guard does not count them, no cap's room goes to them.
 */
export async function prioritise(
  input: PlanInput,
  screened: Planned[],
  held: { recovery: Recovery | undefined; accounted: ReadonlySet<Planned> },
  total: number | undefined,
  now: number,
): Promise<Plan> {
  const { recovery, accounted } = held;
  try {
    // Decided as of the listing: a lease that ended after it began cannot be judged from it.
    const storm = stormVerdict(
      input,
      screened.filter((p) => !accounted.has(p)),
      total,
      now,
    );
    const { policy } = input.config;
    const stopped = storm.suspected && !storm.ignored;
    const { remaining } = input.sweepBudget;
    const room = stopped ? 0 : Math.min(remaining, policy.maxRestartsPerHour);
    // The cap that set the room, named now: the sweep's budget moves as restarts are reserved.
    const roomCap: RoomCap = remaining <= policy.maxRestartsPerHour ? 'sweep-cap' : 'hourly-cap';
    const { read, unread } = await readInPriority(input, screened, room, now);
    const left = new Set(unread);
    const evaluated = screened.filter((p) => !left.has(p)).map((p) => read.get(p) ?? p);
    return { ok: true, evaluated, unread, storm, roomCap, recovery };
  } catch (error) {
    return failed(input, error);
  }
}

function failed(input: PlanInput, error: unknown): PlanFailure {
  return { ok: false, error, aborted: input.signal?.aborted ?? false };
}

/**
 * The storm guard counts the failures policy would retry, budget left, that ended
 * within `stormGuard.window`: excluded jobs, manual instances, overrides, exhausted
 * budgets and old failures say nothing about a storm of retries. With
 * `ignoreStormGuard` the verdict is still reported, marked ignored.
 */
function stormVerdict(
  input: PlanInput,
  planned: readonly Planned[],
  total: number | undefined,
  now: number,
): StormVerdict & { ignored?: boolean } {
  const { stormGuard, lookbackMs } = input.config.policy;
  const counted = stormFailures(planned, now, Math.min(stormGuard.window, lookbackMs));
  const storm = detectStorm(counted, total, stormGuard);
  return input.ignoreStormGuard ? { ...storm, ignored: true } : storm;
}

/** Ledger entries read per batch: at least this many, twice the restarts wanted, at most MAX_BATCH. */
const MIN_BATCH = 100;
const MAX_BATCH = 1000;

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
async function screenTarget(
  input: PlanInput,
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
  const read = new Map(
    wanted.map((p) => {
      const entry = entries.get(keyString(p.key));
      return [p, decided(p, decideOne(p.instance, p.rule, entry), { entry, entryRead: true })] as const;
    }),
  );
  return planned.map((p) => read.get(p) ?? p);
}

/** Does this failure still need its ledger entry read before it can be restarted? */
const needsEntry = (p: Planned): boolean => !p.entryRead && p.decision.action === 'restart';

/**
 * Reads the entries of the failures still `restart`, oldest failure first, in
 * batches, and decides each with its entry, until `room` of them may be restarted
 * (the most the caps allow this target) or none is left. Returns those read, decided
 * anew, and those never read: older failures filled the caps first, so they could not
 * be restarted this sweep whatever their entries hold. Reads nothing when `room` is 0.
 */
async function readInPriority(
  input: PlanInput,
  planned: readonly Planned[],
  room: number,
  now: number,
): Promise<{ read: Map<Planned, Planned>; unread: Planned[] }> {
  const queue = planned.filter(needsEntry).sort((a, b) => failedAt(a.instance) - failedAt(b.instance));
  const batch = Math.min(MAX_BATCH, Math.max(MIN_BATCH, 2 * room));
  // No successes needed: a failure a success supersedes is `superseded` already, never `restart`.
  const decideOne = decider(input, undefined, now);
  const read = new Map<Planned, Planned>();
  let restartable = 0;
  let next = 0;
  while (restartable < room && next < queue.length) {
    const part = queue.slice(next, next + batch);
    next += part.length;
    const entries = await input.ledger.read(part.map((p) => p.key));
    for (const p of part) {
      const entry = entries.get(keyString(p.key));
      const anew = decided(p, decideOne(p.instance, p.rule, entry), { entry });
      read.set(p, anew);
      if (anew.decision.action === 'restart') restartable++;
    }
  }
  return { read, unread: queue.slice(next) };
}

type Decide = (instance: Instance, rule: Planned['rule'], entry: LedgerEntry | undefined) => Decision;

/** `decide` with this sweep's policy and time; `listing`'s successes supersede older failures. */
function decider(input: PlanInput, listing: TargetListing | undefined, now: number): Decide {
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
