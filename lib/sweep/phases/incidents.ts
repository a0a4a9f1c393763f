import type { IncidentsConfig } from '../../config/types';
import { describeError } from '../../errors';
import { type InstanceKey, keyString, type LedgerEntry } from '../../ledger/ledger';
import {
  type Canary,
  type Incident,
  type IncidentBoard,
  jobHash,
  type LedgerIncidents,
  MAX_CLOSED_KEPT,
  MAX_OPEN_INCIDENTS,
  MEMBER_JOBS_KEPT,
} from '../../ledger/ledger-incidents';
import { type Cause, causeOf } from '../../policy/cause';
import { skip } from '../../policy/decision';
import {
  type CanaryVerdict,
  type CauseGroup,
  CLOSED_KEEP_MS,
  type IncidentEvent,
  type Member,
  type Step,
  stepIncident,
  stillKept,
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
 * none of them); each incident as this sweep left it; a board write that failed.
 */
export type Incidents =
  | {
      ok: true;
      planned: Planned[];
      accounted: ReadonlySet<Planned>;
      reports: IncidentReport[];
      error?: unknown;
    }
  | { ok: false; error: unknown };

/** A board not written for this long leaves DynamoDB (its TTL). */
const BOARD_KEEP_MS = 30 * 86_400_000;

interface Held extends Member {
  p: Planned;
}

/**
 * The incidents phase, between screening and the caps: groups the failures policy
 * would retry by cause, moves each cause's breaker one step (lib/policy/incident.ts),
 * writes the board once if anything changed (read only in a dry run) and holds what
 * the breakers hold. A board that cannot be read stops the target (as any ledger
 * read); a write refused (another sweep moved first) or failed holds every failure of
 * the causes it would have changed: nothing goes on a transition not written.
 */
export async function incidents(
  input: IncidentsInput,
  screened: readonly Planned[],
  now: number,
  redecide: Redecide,
): Promise<Incidents> {
  const settings = input.config.policy.incidents;
  const port = input.ledger.incidents;
  if (!settings.enabled || !port)
    return { ok: true, planned: [...screened], accounted: new Set(), reports: [] };
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
  const written = await writeBoard(input, port, board, steps, now);
  const { planned, held, accounted } = applyHolds(screened, steps, written, now);
  const reports = steps.flatMap(({ step, group }) => {
    const unwritten = !written.granted && step.events.length > 0;
    // Not written: the incident is what the board holds, and nothing happened to it.
    const incident = unwritten ? board.incidents[group.cause.key] : step.next;
    const events = unwritten ? [] : step.events;
    if (!incident || (incident.state === 'closed' && events.length === 0)) return [];
    return [report(incident, events, held.get(group.cause.key) ?? 0)];
  });
  return {
    ok: true,
    planned,
    accounted,
    reports,
    ...(written.error === undefined ? {} : { error: written.error }),
  };
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

type Stepped = Awaited<ReturnType<typeof withCanary>> & { group: CauseGroup<Held> };

/** The board after this sweep's steps, written once when anything changed: true when it was (or nothing needed writing). */
async function writeBoard(
  input: IncidentsInput,
  port: LedgerIncidents,
  board: IncidentBoard,
  steps: readonly Stepped[],
  now: number,
): Promise<{ granted: boolean; error?: unknown }> {
  if (!steps.some(({ step }) => step.events.length > 0)) return { granted: true };
  if (input.dryRun) return { granted: true };
  const keep = Math.max(CLOSED_KEEP_MS, input.config.policy.lookbackMs);
  const incidents: Record<string, Incident> = {};
  const kept = Object.values(board.incidents).filter((i) => stillKept(i, now, keep));
  const closed = kept
    .filter((i) => i.state === 'closed')
    .sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0));
  const dropped = new Set(closed.slice(MAX_CLOSED_KEPT));
  for (const incident of kept) if (!dropped.has(incident)) incidents[incident.causeKey] = incident;
  for (const stepped of steps) {
    const { step, group } = stepped;
    if (!step.next) continue;
    // What changed is written with what this sweep holds of it; the rest stays as it was.
    const changed = step.events.length > 0;
    const written = changed ? { ...step.next, held: heldIn(stepped).length, updatedAt: now } : step.next;
    incidents[group.cause.key] = withMemberJobs(written, group);
  }
  const next: IncidentBoard = { target: board.target, version: board.version + 1, incidents };
  try {
    if (await port.writeBoard(next, now + BOARD_KEEP_MS)) return { granted: true };
    input.logger.info('incident board changed by another sweep: its causes are held this sweep', {
      target: board.target,
    });
    return { granted: false };
  } catch (error) {
    input.logger.warn('incident board not written: its causes are held this sweep', {
      target: board.target,
      ...describeError(error),
    });
    return { granted: false, error };
  }
}

function withMemberJobs(incident: Incident, group: CauseGroup<Held>): Incident {
  if (incident.state === 'closed') {
    const { memberJobs: _gone, ...closed } = incident;
    return closed;
  }
  const jobs = new Set([...(incident.memberJobs ?? []), ...group.members.map((m) => jobHash(m.jobName))]);
  return { ...incident, memberJobs: [...jobs].sort().slice(0, MEMBER_JOBS_KEPT) };
}

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
  written: { granted: boolean; error?: unknown },
  now: number,
): { planned: Planned[]; held: Map<string, number>; accounted: Set<Planned> } {
  const changed = new Map<Planned, Planned>();
  const held = new Map<string, number>();
  const accounted = new Set<Planned>();
  for (const stepped of steps) {
    const { step, group, anew } = stepped;
    for (const [p, q] of anew) changed.set(p, q);
    const unwritten = !written.granted && step.events.length > 0;
    if (!step.hold && !unwritten) continue;
    const going = unwritten ? new Set<Planned>() : goingIn(stepped);
    for (const m of group.members) if (!going.has(m.p)) accounted.add(m.p);
    const holding = unwritten
      ? group.members.filter((m) => isRestart(changed.get(m.p) ?? m.p))
      : heldIn(stepped);
    for (const m of holding) {
      const p = changed.get(m.p) ?? m.p;
      const decision = heldDecision(p.decision as RestartDecision, step.next, unwritten, written.error, now);
      changed.set(m.p, decided(p, decision));
    }
    held.set(group.cause.key, holding.length);
  }
  const planned = screened.map((p) => changed.get(p) ?? p);
  return {
    planned,
    held,
    accounted: new Set(planned.filter((_, i) => accounted.has(screened[i] as Planned))),
  };
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

function heldDecision(
  restart: RestartDecision,
  incident: Incident | undefined,
  unwritten: boolean,
  error: unknown,
  now: number,
) {
  const { attempt, maxAttempts, rule } = restart;
  return skip('held-by-incident', heldDetail(incident, unwritten, error, now), {
    attempt,
    maxAttempts,
    rule,
  });
}

function heldDetail(incident: Incident | undefined, unwritten: boolean, error: unknown, now: number): string {
  if (unwritten)
    return error === undefined
      ? "another sweep changed this target's incidents first: held until the next sweep"
      : `the incident could not be recorded (${describeError(error).message}): held until the next sweep`;
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

function report(incident: Incident, events: readonly IncidentEvent[], held: number): IncidentReport {
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
