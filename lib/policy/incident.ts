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

/** One cause's step this sweep. `current` is the board's incident of the cause, if any. */
export function stepIncident<M extends Member>(
  current: Incident | undefined,
  group: CauseGroup<M>,
  verdict: CanaryVerdict | undefined,
  now: number,
  settings: Settings,
): Step<M> {
  if (current === undefined || current.state === 'closed') return trip(current, group, now, settings);
  if (group.members.length === 0 && group.unseen === 0)
    return done(
      { ...current, state: 'closed', closedAt: now, closedBy: 'cleared', held: 0, updatedAt: now },
      'cleared',
    );
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
  if (jobs < settings.minJobs)
    return { next: closed, events: [], go: group.members, canary: false, hold: false };
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
    held: group.members.length,
    updatedAt: now,
  };
  return { next: opened, events: ['opened'], go: [], canary: false, hold: true };
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
    const releasing: Incident = { ...current, state: 'releasing', releasingSince: now, updatedAt: now };
    const step = release(releasing, group, now, settings);
    return { ...step, events: ['recovered', ...step.events] };
  }
  const events: IncidentEvent[] = [];
  let incident = current;
  if (current.state === 'probing' && canaryOver(current, verdict, now, settings)) {
    incident = { ...current, state: 'open', updatedAt: now };
    events.push(verdict === 'failed-again' ? 'canary-failed' : 'canary-void');
  }
  const held = { ...incident, held: group.members.length };
  if (incident.state === 'probing' || now < incident.nextProbeAt || !group.members.some((m) => m.waiting))
    return {
      next: events.length > 0 ? { ...held, updatedAt: now } : held,
      events,
      go: [],
      canary: false,
      hold: true,
    };
  const sent: Incident = {
    ...held,
    state: 'probing',
    probes: incident.probes + 1,
    nextProbeAt: now + probeInterval(incident.probes + 1, settings),
    updatedAt: now,
  };
  const candidates = oldestWaiting(group.members, CANARY_CANDIDATES);
  const withoutCanary = { next: events.length > 0 ? { ...held, updatedAt: now } : held, events };
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
    const reopened: Incident = {
      ...current,
      state: 'open',
      probes: 0,
      nextProbeAt: now + settings.probe.firstMs,
      held: group.members.length,
      updatedAt: now,
    };
    delete reopened.releasingSince;
    delete reopened.nextReleaseAt;
    return { next: reopened, events: ['relapsed'], go: [], canary: false, hold: true };
  }
  const waiting = group.members.filter((m) => m.waiting);
  if (current.nextReleaseAt !== undefined && now < current.nextReleaseAt)
    return { next: { ...current, held: waiting.length }, events: [], go: [], canary: false, hold: true };
  const size = settings.release.first * 2 ** current.batches;
  const batch = oldestWaiting(group.members, size);
  const left = waiting.length - batch.length;
  const released: Incident = {
    ...current,
    batches: current.batches + (batch.length > 0 ? 1 : 0),
    released: current.released + batch.length,
    nextReleaseAt: now + settings.release.everyMs,
    held: left,
    updatedAt: now,
  };
  if (left > 0 || group.unseen > 0)
    return {
      next: released,
      events: batch.length > 0 ? ['released'] : [],
      go: batch,
      canary: false,
      hold: true,
    };
  const closed: Incident = { ...released, state: 'closed', closedAt: now, closedBy: 'recovered' };
  return {
    next: closed,
    events: batch.length > 0 ? ['released', 'closed'] : ['closed'],
    go: batch,
    canary: false,
    hold: true,
  };
}

function done<M extends Member>(next: Incident, event: IncidentEvent): Step<M> {
  return { next, events: [event], go: [], canary: false, hold: false };
}

function oldestWaiting<M extends Member>(members: readonly M[], count: number): M[] {
  return members
    .filter((m) => m.waiting)
    .sort((a, b) => a.failedAt - b.failedAt)
    .slice(0, count);
}

/** Closes an incident by hand: the operator's reason is kept; its failures are retried as usual from the next sweep. */
export function closeByHand(current: Incident, reason: string, now: number): Incident {
  return {
    ...current,
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
  return incident.state !== 'closed' || (incident.closedAt ?? now) + keepMs > now;
}
