import { implausibleTime } from '../dataarts/answer-times';
import { type Instance, instanceIdentity } from '../dataarts/instance';
import { describeError } from '../errors';
import type { LedgerEntry } from '../ledger/ledger';
import type { LedgerRecovery, RecoveryVerdict } from '../ledger/ledger-recovery';
import { isNewerFailure } from '../policy/failure-identity';
import { markRefused } from './marks';
import type { TargetListing } from './phases/list';
import type { RecoveryPort } from './ports';
import type { InstanceRef, NotHelpingItem, TargetReport } from './report';
import type { TargetInput } from './target-input';

export type RecoveryInput = Pick<
  TargetInput,
  'client' | 'target' | 'config' | 'dryRun' | 'now' | 'deadline' | 'signal' | 'logger'
> & { ledger: RecoveryPort };

/** What became of earlier reruns, as this sweep judged and recorded them. */
export interface Recovery {
  counts: NonNullable<TargetReport['recovery']>;
  recovered: InstanceRef[];
  notHelping: NotHelpingItem[];
}

/** Up to this many reruns are looked up one by one; more cost one listing of the successes instead. */
export const SHOW_UP_TO = 20;
/** A job is named as "reruns have not helped" from this many reruns on, none recovered. */
export const NOT_HELPING_FROM = 3;

const FAILED_STATUSES = new Set(['fail', 'running-exception', 'manual-stop']);

/**
 * What the listing says about a rerun: failed again (a failure newer than the one the
 * attempt answered), or nothing yet (the same failure still shows: the rerun has not
 * started). Undefined when the instance is not among the failures listed.
 */
function fromListing(
  entry: LedgerEntry,
  listed: Instance | undefined,
): RecoveryVerdict | 'pending' | undefined {
  if (!listed) return undefined;
  return isNewerFailure(listed, entry) ? 'failed-again' : 'pending';
}

/** One instance's state now, for a rerun the failure listing does not show. */
async function fromShow(input: RecoveryInput, entry: LedgerEntry): Promise<RecoveryVerdict | undefined> {
  try {
    const now = await input.client.getInstance(entry.jobName, entry.instanceId, input.signal);
    // A time that is not one says nothing about a rerun (a nanosecond end would read as a new failure).
    const untimely = implausibleTime(now, input.now());
    if (untimely) {
      input.logger.debug('rerun not judged', { instanceId: entry.instanceId, problem: untimely });
      return undefined;
    }
    if (now.status === 'success') return 'recovered';
    if (FAILED_STATUSES.has(now.status) && isNewerFailure(now, entry)) return 'failed-again';
    return undefined;
  } catch (error) {
    // Gone (DLF.0137) or unreadable: no verdict; it is looked at again while the look-back holds it.
    input.logger.debug('rerun not judged', { instanceId: entry.instanceId, ...describeError(error) });
    return undefined;
  }
}

/** The verdicts of reruns the failure listing does not show: one show each, or one listing of successes. */
async function unlisted(
  input: RecoveryInput,
  entries: readonly LedgerEntry[],
  listing: TargetListing,
  window: { from: number; to: number },
): Promise<Array<[LedgerEntry, RecoveryVerdict | undefined]>> {
  let successes = listing.successes;
  // The successes are listed already when a rule skips superseded failures: then they are free.
  if (successes.length === 0 && entries.length > SHOW_UP_TO) {
    // Only the awaited reruns are kept: a window of a million successes is not held.
    const awaited = new Set(entries.map(instanceIdentity));
    const keep = (instance: Instance) => awaited.has(instanceIdentity(instance));
    successes = (await input.client.listInstances(window, { status: 'success', keep }, input.signal))
      .instances;
  } else if (successes.length === 0) {
    return Promise.all(
      entries.map(
        async (e): Promise<[LedgerEntry, RecoveryVerdict | undefined]> => [e, await fromShow(input, e)],
      ),
    );
  }
  const succeeded = new Set(successes.map(instanceIdentity));
  return entries.map((e) => [e, succeeded.has(instanceIdentity(e)) ? 'recovered' : undefined]);
}

/**
 * Recovery tracking: what became of the reruns earlier sweeps made. Each rerun
 * awaiting a verdict (its attempt `restarted`, within the look-back) is judged from
 * this sweep's failure listing (free), else from the instance itself (a show each, up
 * to SHOW_UP_TO; beyond, one listing of the window's successes), and its verdict is
 * recorded once in the ledger. A rerun still running, or an instance gone, gets none.
 * Never stops the sweep: a failure here is logged and the sweep goes on. A dry run
 * reports what it would record and writes nothing. Runs before any claim.
 */
export async function trackRecovery(
  input: RecoveryInput,
  listing: TargetListing,
  window: { from: number; to: number },
): Promise<Recovery | undefined> {
  const ledger = input.ledger.recovery;
  if (!ledger) return undefined;
  try {
    const now = input.now();
    const awaiting = (await ledger.awaitingVerdict(input.target.name)).filter(
      (e) => (e.lastAttemptAt ?? 0) >= window.from,
    );
    if (awaiting.length === 0 || input.now() >= input.deadline) return undefined;
    const listed = new Map(listing.listed.map((i) => [instanceIdentity(i), i]));
    const verdicts: Array<[LedgerEntry, RecoveryVerdict | undefined]> = [];
    const rest: LedgerEntry[] = [];
    for (const entry of awaiting) {
      const seen = fromListing(entry, listed.get(instanceIdentity(entry)));
      if (seen === undefined) rest.push(entry);
      else verdicts.push([entry, seen === 'pending' ? undefined : seen]);
    }
    verdicts.push(...(await unlisted(input, rest, listing, window)));
    return await record(input, ledger, verdicts, now);
  } catch (error) {
    input.logger.warn('recovery tracking failed', { target: input.target.name, ...describeError(error) });
    return undefined;
  }
}

async function record(
  input: RecoveryInput,
  ledger: LedgerRecovery,
  verdicts: ReadonlyArray<[LedgerEntry, RecoveryVerdict | undefined]>,
  now: number,
): Promise<Recovery> {
  const expiresAt = now + input.config.ledger.retentionMs;
  const found: Recovery = {
    counts: { recovered: 0, failedAgain: 0, pending: 0 },
    recovered: [],
    notHelping: [],
  };
  const { counts } = found;
  const judgedJobs = new Set<string>();
  for (const [entry, verdict] of verdicts) {
    if (verdict === undefined) {
      counts.pending++;
      continue;
    }
    const first =
      input.dryRun ||
      (await ledger.markRecovery(entry, entry.attempts, verdict, now, expiresAt).catch(markRefused(input)));
    if (!first) continue;
    judgedJobs.add(entry.jobName);
    const { target, workspace, jobName, instanceId } = entry;
    if (verdict === 'recovered') {
      counts.recovered++;
      found.recovered.push({ target, workspace, jobName, instanceId });
    } else counts.failedAgain++;
  }
  if (judgedJobs.size === 0) return found;
  let byJob: Awaited<ReturnType<typeof ledger.jobRecovery>>;
  try {
    byJob = await ledger.jobRecovery(input.target.name, [...judgedJobs].sort());
  } catch (error) {
    // The verdicts are recorded: they are reported whatever the per-job figures do.
    input.logger.warn('recovery tracking failed', { target: input.target.name, ...describeError(error) });
    return found;
  }
  for (const [jobName, c] of byJob) {
    if (c.recovered === 0 && c.failedAgain >= NOT_HELPING_FROM)
      found.notHelping.push({
        target: input.target.name,
        jobName,
        recovered: 0,
        failedAgain: c.failedAgain,
      });
  }
  return found;
}
