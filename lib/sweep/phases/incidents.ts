import type { IncidentsConfig } from '../../config/types';
import { describeError } from '../../errors';
import { type InstanceKey, keyString, type LedgerEntry } from '../../ledger/ledger';
import {
  type Canary,
  type Incident,
  type IncidentBoard,
  jobHash,
  type LedgerIncidents,
  MAX_OPEN_INCIDENTS,
} from '../../ledger/ledger-incidents';
import { type Cause, causeOf } from '../../policy/cause';
import { skip } from '../../policy/decision';
import {
  type CanaryVerdict,
  type CauseGroup,
  type IncidentEvent,
  type Member,
  type Step,
  stepIncident,
} from '../../policy/incident';
import { stillRetried } from '../../policy/storm-count';
import { mapBounded } from '../../util/concurrency';
import { isoTime } from '../../util/time';
import { decided, failedAt, type Planned, type RestartDecision, workspaceOf } from '../planned';
import type { IncidentsPort } from '../ports';
import type { IncidentReport } from '../report';
import type { TargetInput } from '../target-input';
import type { Redecide } from './plan';

export type IncidentsInput = Pick<
  TargetInput,
  'config' | 'target' | 'dryRun' | 'leaseMs' | 'sweepBudget' | 'logger'
> & {
  ledger: IncidentsPort;
};

/**
 * The failures with the incidents' holds applied; those an incident accounts for
 * (every failure of a cause it holds, held now or backing off: the storm guard counts
 * none of them); and the steps to write once the caps have had their say (commit.ts).
 */
export type Incidents =
  | { ok: true; planned: Planned[]; accounted: ReadonlySet<Planned>; pending?: PendingIncidents }
  | { ok: false; error: unknown };

/** The board as read and each cause's step: what commit.ts writes, and reports. */
export interface PendingIncidents {
  port: LedgerIncidents;
  board: IncidentBoard;
  steps: Stepped[];
}

export interface Held extends Member {
  p: Planned;
}

/**
 * The incidents phase, between screening and the caps: groups the failures policy
 * would retry by cause, moves each cause's breaker one step (lib/policy/incident.ts)
 * and holds what the breakers hold; the canary and a released batch go on to the caps.
 * The board is written after them, before any claim (commit.ts), so that it records
 * only what goes. A board that cannot be read stops the target, as any ledger read.
 */
export async function incidents(
  input: IncidentsInput,
  screened: readonly Planned[],
  now: number,
  redecide: Redecide,
): Promise<Incidents> {
  const settings = input.config.policy.incidents;
  const port = input.ledger.incidents;
  if (!settings.enabled || !port) return { ok: true, planned: [...screened], accounted: new Set() };
  let board: IncidentBoard;
  try {
    board = await port.board(input.target.name);
  } catch (error) {
    return { ok: false, error };
  }
  const groups = groupByCause(screened, settings, board);
  const verdicts = await canaryVerdicts(input, board, now);
  let room = roomForBatches(input, screened, groups, board);
  const stepped = withinOpenBound(
    board,
    [...groups.values()].map((group) => {
      const verdict = verdicts.get(group.cause.key);
      const step = stepIncident(board.incidents[group.cause.key], { ...group, room }, verdict, now, settings);
      if (!step.canary) room = Math.max(0, room - step.go.length);
      return { group, step };
    }),
  );
  // A few reads each: bounded, as a target may hold many causes at once.
  const steps = await mapBounded(stepped, 8, async ({ group, step }) => ({
    group,
    ...(await withCanary(input, step, redecide, now)),
  }));
  const { planned, accounted } = applyHolds(screened, steps, now);
  return { ok: true, planned, accounted, pending: { port, board, steps } };
}

/** Groups the failures policy would retry by cause; a board's open incident keeps its group even with no failure left. */
function groupByCause(
  screened: readonly Planned[],
  settings: IncidentsConfig,
  board: IncidentBoard,
): Map<string, CauseGroup<Held>> {
  const groups = new Map<string, { cause: Cause; members: Held[]; unseen: number }>();
  const groupOf = (cause: Cause) => {
    const group = groups.get(cause.key) ?? { cause, members: [], unseen: 0 };
    groups.set(cause.key, group);
    return group;
  };
  for (const incident of Object.values(board.incidents))
    if (incident.state !== 'closed') groupOf({ key: incident.causeKey, text: incident.causeText });
  for (const p of screened) {
    const counted = stillRetried(p.decision);
    const excluded = p.decision.action === 'skip' && p.decision.reason === 'excluded';
    if (!counted && !excluded) continue;
    const cause = causeOf(
      { ...(p.instance.errorMessage === undefined ? {} : { errorMessage: p.instance.errorMessage }) },
      settings.causes,
    );
    if (!cause) continue;
    if (counted) {
      const waiting = p.decision.action === 'restart';
      groupOf(cause).members.push({
        jobName: p.instance.jobName,
        failedAt: failedAt(p.instance),
        waiting,
        p,
      });
    } else if (board.incidents[cause.key]?.memberJobs?.includes(jobHash(p.instance.jobName)))
      groupOf(cause).unseen++;
  }
  return groups;
}

/**
 * What the caps leave for released batches: this sweep's room (its budget left, the
 * hourly cap) less the failures no open incident holds that wait for their restart, so
 * an outage's release never takes the turn of an unrelated failure.
 */
function roomForBatches(
  input: IncidentsInput,
  screened: readonly Planned[],
  groups: ReadonlyMap<string, CauseGroup<Held>>,
  board: IncidentBoard,
): number {
  const held = new Set<Planned>();
  for (const [key, group] of groups)
    if (board.incidents[key] && board.incidents[key]?.state !== 'closed')
      for (const m of group.members) held.add(m.p);
  const others = screened.filter((p) => p.decision.action === 'restart' && !held.has(p)).length;
  const { policy } = input.config;
  return Math.max(0, Math.min(input.sweepBudget.remaining, policy.maxRestartsPerHour) - others);
}

/**
 * The last canary of each probing incident, judged from its ledger entry: its attempt's
 * outcome and the recovery verdict recovery tracking recorded on it (earlier in this
 * sweep, or by another). A canary not claimed (yet) is pending while its sweep may
 * still claim it (its lease), then void.
 */
async function canaryVerdicts(
  input: IncidentsInput,
  board: IncidentBoard,
  now: number,
): Promise<Map<string, CanaryVerdict>> {
  const probing = Object.values(board.incidents).filter(
    (i): i is Incident & { canary: Canary } => i.state === 'probing' && i.canary !== undefined,
  );
  if (probing.length === 0) return new Map();
  const keyOf = (c: Canary): InstanceKey => ({
    target: input.target.name,
    workspace: workspaceOf(input.target),
    jobName: c.jobName,
    instanceId: c.instanceId,
  });
  const entries = await input.ledger.read(probing.map((i) => keyOf(i.canary)));
  return new Map(
    probing.map((i) => [
      i.causeKey,
      verdictOf(entries.get(keyString(keyOf(i.canary))), i.canary, now, input.leaseMs),
    ]),
  );
}

function verdictOf(
  entry: LedgerEntry | undefined,
  canary: Canary,
  now: number,
  leaseMs: number,
): CanaryVerdict {
  const record = entry?.outcomes[String(canary.attempt)];
  if (!record) return now < canary.at + leaseMs ? 'pending' : 'void';
  if (record.outcome === 'restarted') return record.recovery ?? 'pending';
  return record.outcome === 'in-flight' || record.outcome === 'unconfirmed' ? 'pending' : 'void';
}

/**
 * A canary step's canary: the first candidate that may still be restarted once its
 * ledger entry is read. None: the step without a canary (held, nothing sent).
 */
async function withCanary(
  input: IncidentsInput,
  step: Step<Held>,
  redecide: Redecide,
  now: number,
): Promise<{ step: Step<Held>; canary?: Planned; anew: Map<Planned, Planned> }> {
  const anew = new Map<Planned, Planned>();
  if (!step.canary) return { step, anew };
  const unread = step.go.filter((m) => !m.p.entryRead).map((m) => m.p);
  const entries =
    unread.length === 0 ? new Map<string, LedgerEntry>() : await input.ledger.read(unread.map((p) => p.key));
  for (const p of unread) anew.set(p, redecide(p, entries.get(keyString(p.key))));
  const canary = step.go.map((m) => anew.get(m.p) ?? m.p).find((p) => p.decision.action === 'restart');
  if (!canary || !step.next || !step.withoutCanary) {
    const without = step.withoutCanary ?? { next: step.next, events: step.events };
    return { step: { ...step, ...without, go: [], canary: false }, anew };
  }
  const { attempt } = canary.decision as RestartDecision;
  const next: Incident = {
    ...step.next,
    canary: { jobName: canary.key.jobName, instanceId: canary.key.instanceId, attempt, at: now },
  };
  return { step: { ...step, next }, canary, anew };
}

export type Stepped = Awaited<ReturnType<typeof withCanary>> & { group: CauseGroup<Held> };

/**
 * At most `MAX_OPEN_INCIDENTS` open on a target: the causes that would open beyond them
 * (those with the fewest jobs first) open none, and their failures are retried as usual.
 */
function withinOpenBound<T extends { group: CauseGroup<Held>; step: Step<Held> }>(
  board: IncidentBoard,
  steps: T[],
): T[] {
  const open = steps.filter(
    ({ step }) => step.next && step.next.state !== 'closed' && !step.events.includes('opened'),
  ).length;
  const opening = steps
    .filter(({ step }) => step.events.includes('opened'))
    .sort((a, b) => (b.step.next?.jobs ?? 0) - (a.step.next?.jobs ?? 0));
  const refused = new Set(opening.slice(Math.max(0, MAX_OPEN_INCIDENTS - open)));
  return steps.map((s) => {
    if (!refused.has(s)) return s;
    const previous = board.incidents[s.group.cause.key];
    return { ...s, step: { next: previous, events: [], go: s.group.members, canary: false, hold: false } };
  });
}

/**
 * Every failure a breaker holds becomes `held-by-incident` (keeping the attempt it would
 * have been); the canary and a released batch go on to the caps. A step whose write was
 * not granted holds all its failures, the canary and the batch too.
 */
function applyHolds(
  screened: readonly Planned[],
  steps: readonly Stepped[],
  now: number,
): { planned: Planned[]; accounted: Set<Planned> } {
  const changed = new Map<Planned, Planned>();
  const accounted = new Set<Planned>();
  for (const stepped of steps) {
    const { step, group, anew, canary } = stepped;
    for (const [p, q] of anew) changed.set(p, q);
    if (canary) for (const p of goingIn(stepped)) changed.set(p, { ...canary, canary: true });
    if (!step.hold) continue;
    const going = goingIn(stepped);
    for (const m of group.members) if (!going.has(m.p)) accounted.add(m.p);
    for (const m of heldIn(stepped)) {
      const p = changed.get(m.p) ?? m.p;
      changed.set(m.p, decided(p, heldDecision(p.decision as RestartDecision, step.next, undefined, now)));
    }
  }
  const planned = screened.map((p) => changed.get(p) ?? p);
  return { planned, accounted: new Set(planned.filter((_, i) => accounted.has(screened[i] as Planned))) };
}

const isRestart = (p: Planned) => p.decision.action === 'restart';

/** The members going on (by their screened value): the canary, or the batch released. */
function goingIn({ step, group, canary, anew }: Stepped): Set<Planned> {
  if (canary) return new Set(group.members.filter((m) => (anew.get(m.p) ?? m.p) === canary).map((m) => m.p));
  return new Set(step.go.map((m) => m.p));
}

/** The members a holding step holds: those a sweep would restart now, but for the canary or the batch. */
function heldIn(stepped: Stepped): Held[] {
  if (!stepped.step.hold) return [];
  const going = goingIn(stepped);
  return stepped.group.members.filter((m) => !going.has(m.p) && isRestart(stepped.anew.get(m.p) ?? m.p));
}

/**
 * The held decision, keeping the attempt it would have been. `unwritten`: the board
 * write this sweep needed did not happen (refused: undefined error; or failed).
 */
export function heldDecision(
  restart: RestartDecision,
  incident: Incident | undefined,
  unwritten: { error?: unknown } | undefined,
  now: number,
) {
  const { attempt, maxAttempts, rule } = restart;
  return skip('held-by-incident', heldDetail(incident, unwritten, now), {
    attempt,
    maxAttempts,
    rule,
  });
}

function heldDetail(
  incident: Incident | undefined,
  unwritten: { error?: unknown } | undefined,
  now: number,
): string {
  if (unwritten)
    return unwritten.error === undefined
      ? "another sweep changed this target's incidents first: held until the next sweep"
      : `the incident could not be recorded (${describeError(unwritten.error).message}): held until the next sweep`;
  if (!incident) return 'held by an incident';
  const cause = `incident "${incident.causeText}" (${incident.jobs} jobs since ${isoTime(incident.since)})`;
  if (incident.state === 'releasing') return `${cause} is being released: held for a later batch`;
  if (incident.state === 'probing')
    return `${cause}: a canary rerun of ${incident.canary?.jobName ?? 'one job'} is judging it`;
  const next =
    incident.nextProbeAt > now
      ? `next canary at ${isoTime(incident.nextProbeAt)}`
      : 'a canary at the next sweep';
  return `${cause}: ${next}`;
}

export function report(incident: Incident, events: readonly IncidentEvent[], held: number): IncidentReport {
  const out: IncidentReport = {
    causeKey: incident.causeKey,
    cause: incident.causeText,
    state: incident.state,
    events: [...events],
    openedAt: isoTime(incident.openedAt),
    since: isoTime(incident.since),
    jobs: incident.jobs,
    held,
    probes: incident.probes,
    released: incident.released,
  };
  if (incident.canary)
    out.canary = {
      jobName: incident.canary.jobName,
      instanceId: incident.canary.instanceId,
      at: isoTime(incident.canary.at),
    };
  if (incident.state === 'open' || incident.state === 'probing')
    out.nextProbeAt = isoTime(incident.nextProbeAt);
  if (incident.closedAt !== undefined) out.closedAt = isoTime(incident.closedAt);
  if (incident.closedBy) out.closedBy = incident.closedBy;
  if (incident.reason) out.reason = incident.reason;
  return out;
}
