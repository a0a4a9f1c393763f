import type { IncidentsConfig } from '../config/types';
import type { Incident } from '../ledger/ledger-incidents';
import type { Cause } from './cause';

/**
 * The breaker of one cause on one target: the half-open circuit breaker of
 * Hystrix/resilience4j applied to reruns. Pure: given what the board holds, the
 * failures of the cause this sweep sees and the last canary's verdict, it says what
 * goes ahead, what is held, and the incident's next value.
 *
 *   (none|closed) --minJobs distinct jobs within window--> open
 *   open --probe due: one canary, the oldest waiting failure--> probing
 *   probing --canary failed again--> open (next probe later: the interval doubles to probe.max)
 *   probing --canary recovered--> releasing --a growing batch per sweep--> closed (recovered)
 *   releasing --minJobs jobs fail again of the cause--> open (relapsed)
 *   open|probing --no failure of the cause left--> closed (cleared)
 */

/** A failure of the cause, as the breaker sees it. */
export interface Member {
  jobName: string;
  /** When it failed (DataArts' time): the window counts it, the oldest go first. */
  failedAt: number;
  /** Policy would restart it now (its backoff is over, no attempt pending): it can be a canary or be released. */
  waiting: boolean;
}

/** What became of the last canary's attempt, read from its ledger entry. */
export type CanaryVerdict = 'recovered' | 'failed-again' | 'pending' | 'void';

export interface CauseGroup<M extends Member> {
  cause: Cause;
  /** Its failures policy would still retry (waiting, backing off, or with an attempt pending). */
  members: readonly M[];
  /** Its failures a subset sweep (`--job`) left out: not this sweep's to judge, but not gone. */
  unseen: number;
  /**
   * The most a released batch may take this sweep: what the caps leave once the failures
   * no incident holds are counted, so a batch never takes their room. Unbounded if absent.
   */
  room?: number;
}

/** What an incident went through this sweep; `canary-void` (a canary that never reran) tells nobody. */
export type IncidentEvent =
  | 'opened'
  | 'canary-sent'
  | 'canary-failed'
  | 'canary-void'
  | 'recovered'
  | 'released'
  | 'closed'
  | 'cleared'
  | 'relapsed';

export interface Step<M extends Member> {
  /** The incident after this sweep (undefined: there is none, and none opens). */
  next: Incident | undefined;
  /** What changed, in order; none means no write. */
  events: IncidentEvent[];
  /** Canary candidates (oldest first: the first that may be restarted is the canary), or the batch released. */
  go: readonly M[];
  /** `go` holds canary candidates: exactly one of them may go. */
  canary: boolean;
  /** Every member not in `go` is held. */
  hold: boolean;
  /** A canary step when none of its candidates may be restarted after all: held, no canary sent. */
  withoutCanary?: { next: Incident; events: IncidentEvent[] };
}

/** Canary candidates considered: the oldest waiting failures (one whose entry then forbids a restart yields to the next). */
export const CANARY_CANDIDATES = 5;

/** A closed incident is kept this long (at least the look-back), then dropped from the board. */
export const CLOSED_KEEP_MS = 7 * 86_400_000;

type Settings = IncidentsConfig;

/** Every member held (none goes), with these events. */
const holdAll = <M extends Member>(next: Incident | undefined, events: IncidentEvent[]): Step<M> => ({
  next,
  events,
  go: [],
  canary: false,
  hold: true,
});

/** No incident holds the cause: every member is decided as usual. */
const letGo = <M extends Member>(
  next: Incident | undefined,
  events: IncidentEvent[],
  members: readonly M[],
): Step<M> => ({
  next,
  events,
  go: members,
  canary: false,
  hold: false,
});

/**
 * One cause's step this sweep. `current` is the board's incident of the cause, if any.
 * The incident's `held` and `updatedAt` are the phase's to set: it alone knows what
 * it held once the canary's entry was read.
 */
export function stepIncident<M extends Member>(
  current: Incident | undefined,
  group: CauseGroup<M>,
  verdict: CanaryVerdict | undefined,
  now: number,
  settings: Settings,
): Step<M> {
  if (current === undefined || current.state === 'closed') return trip(current, group, now, settings);
  if (group.members.length === 0 && group.unseen === 0)
    return letGo({ ...current, state: 'closed', closedAt: now, closedBy: 'cleared' }, ['cleared'], []);
  if (current.state === 'releasing') return release(current, group, now, settings);
  return probe(current, group, verdict, now, settings);
}

/** No incident yet (or the last one closed): opens when the cause spans `minJobs` distinct jobs within the window. */
function trip<M extends Member>(
  closed: Incident | undefined,
  group: CauseGroup<M>,
  now: number,
  settings: Settings,
): Step<M> {
  // Failures a closed incident already held are not a new incident: only those after it.
  const after = Math.max(now - settings.windowMs, closed?.closedAt ?? Number.NEGATIVE_INFINITY);
  const recent = group.members.filter((m) => m.failedAt >= after);
  const jobs = new Set(recent.map((m) => m.jobName)).size;
  if (jobs < settings.minJobs) return letGo(closed, [], group.members);
  const opened: Incident = {
    causeKey: group.cause.key,
    causeText: group.cause.text,
    state: 'open',
    openedAt: now,
    since: Math.min(...recent.map((m) => m.failedAt)),
    jobs,
    probes: 0,
    nextProbeAt: now + settings.probe.firstMs,
    batches: 0,
    released: 0,
    held: 0,
    updatedAt: now,
  };
  return holdAll(opened, ['opened']);
}

/** Open or probing: the canary's verdict moves it; a due probe sends the next canary. */
function probe<M extends Member>(
  current: Incident,
  group: CauseGroup<M>,
  verdict: CanaryVerdict | undefined,
  now: number,
  settings: Settings,
): Step<M> {
  if (current.state === 'probing' && verdict === 'recovered') {
    const step = release({ ...current, state: 'releasing', releasingSince: now }, group, now, settings);
    return { ...step, events: ['recovered', ...step.events] };
  }
  const over = current.state === 'probing' && canaryOver(current, verdict, now, settings);
  const incident: Incident = over ? { ...current, state: 'open' } : current;
  const events: IncidentEvent[] = over ? [verdict === 'failed-again' ? 'canary-failed' : 'canary-void'] : [];
  if (incident.state === 'probing' || now < incident.nextProbeAt || !group.members.some((m) => m.waiting))
    return holdAll(incident, events);
  const sent: Incident = {
    ...incident,
    state: 'probing',
    probes: incident.probes + 1,
    nextProbeAt: now + probeInterval(incident.probes + 1, settings),
  };
  const candidates = oldestWaiting(group.members, CANARY_CANDIDATES);
  const withoutCanary = { next: incident, events };
  return {
    next: sent,
    events: [...events, 'canary-sent'],
    go: candidates,
    canary: true,
    hold: true,
    withoutCanary,
  };
}

/**
 * Is the probing canary over without a recovery? It failed again, it was never a rerun
 * (refused, not found, released, never claimed), or it has run a whole `probe.max` past
 * its next probe without a verdict (a long job: the next canary need not wait for it).
 */
function canaryOver(
  current: Incident,
  verdict: CanaryVerdict | undefined,
  now: number,
  settings: Settings,
): boolean {
  if (verdict === 'failed-again' || verdict === 'void') return true;
  return now >= current.nextProbeAt + settings.probe.maxMs;
}

/** From the opening to the first canary `probe.first`; after the n-th canary the interval doubles, to `probe.max`. */
export function probeInterval(probes: number, settings: Settings): number {
  const { firstMs, maxMs } = settings.probe;
  return Math.min(maxMs, firstMs * 2 ** Math.max(0, probes));
}

/** Releasing: a batch of the oldest waiting failures per sweep, doubling; closes once none is left held. */
function release<M extends Member>(
  current: Incident,
  group: CauseGroup<M>,
  now: number,
  settings: Settings,
): Step<M> {
  const since = current.releasingSince ?? now;
  const relapsed = new Set(group.members.filter((m) => m.failedAt > since).map((m) => m.jobName)).size;
  if (relapsed >= settings.minJobs) {
    const { releasingSince: _since, nextReleaseAt: _next, ...rest } = current;
    return holdAll({ ...rest, state: 'open', probes: 0, nextProbeAt: now + settings.probe.firstMs }, [
      'relapsed',
    ]);
  }
  if (current.nextReleaseAt !== undefined && now < current.nextReleaseAt) return holdAll(current, []);
  const size = Math.min(
    settings.release.first * 2 ** current.batches,
    group.room ?? Number.POSITIVE_INFINITY,
  );
  const batch = oldestWaiting(group.members, size);
  const left = group.members.filter((m) => m.waiting).length - batch.length > 0 || group.unseen > 0;
  if (batch.length === 0 && left) return holdAll(current, []);
  const released: Incident = {
    ...current,
    batches: current.batches + 1,
    released: current.released + batch.length,
    nextReleaseAt: now + settings.release.everyMs,
  };
  const events: IncidentEvent[] = batch.length > 0 ? ['released'] : [];
  if (left) return { ...holdAll(released, events), go: batch };
  const closed: Incident = { ...released, state: 'closed', closedAt: now, closedBy: 'recovered' };
  return { ...holdAll(closed, [...events, 'closed']), go: batch };
}

function oldestWaiting<M extends Member>(members: readonly M[], count: number): M[] {
  return members
    .filter((m) => m.waiting)
    .sort((a, b) => a.failedAt - b.failedAt)
    .slice(0, count);
}

/** Closes an incident by hand: the operator's reason is kept; its failures are retried as usual from the next sweep. */
export function closeByHand(current: Incident, reason: string, now: number): Incident {
  const { memberJobs: _gone, ...kept } = current;
  return {
    ...kept,
    state: 'closed',
    closedAt: now,
    closedBy: 'operator',
    reason,
    held: 0,
    updatedAt: now,
  };
}

/** Closed incidents older than `keepMs` leave the board. */
export function stillKept(incident: Incident, now: number, keepMs: number): boolean {
  return incident.closedAt === undefined || incident.closedAt + keepMs > now;
}
