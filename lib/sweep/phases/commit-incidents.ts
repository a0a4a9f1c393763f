import { describeError } from '../../errors';
import { keyString } from '../../ledger/ledger';
import {
  type Incident,
  type IncidentBoard,
  jobHash,
  MAX_CLOSED_KEPT,
  MEMBER_JOBS_KEPT,
} from '../../ledger/ledger-incidents';
import { type CauseGroup, CLOSED_KEEP_MS, stillKept } from '../../policy/incident';
import { decided, goingAhead, type Planned, type RestartDecision } from '../planned';
import type { IncidentReport } from '../report';
import type { TargetInput } from '../target-input';
import { type Held, heldDecision, type PendingIncidents, report, type Stepped } from './incidents';
import type { Inspected } from './inspect';

export type CommitInput = Pick<TargetInput, 'config' | 'dryRun' | 'logger'>;

/** The restarts that go, once the board records them; each incident as the sweep left it. */
export interface Committed {
  planned: Planned[];
  toRestart: Planned[];
  reports: IncidentReport[];
  /** The board could not be written: what it would have let go was held. */
  error?: unknown;
}

/** A board not written for this long leaves DynamoDB (its TTL). */
const BOARD_KEEP_MS = 30 * 86_400_000;

const keyOf = (p: Planned) => keyString(p.key);
const isHeld = (p: Planned) => p.decision.action === 'skip' && p.decision.reason === 'held-by-incident';

/**
 * After the caps and the node rules, before any claim: the board records what really
 * goes (a canary the caps deferred was not sent; a batch the caps cut released fewer),
 * in one conditional write (none in a dry run). A write refused (another sweep moved
 * first) or failed withdraws the canary and the batch: held, so that nothing goes on a
 * transition not written; their hourly slots go back with the others not used.
 */
export async function commitIncidents(
  input: CommitInput,
  pending: PendingIncidents | undefined,
  inspected: Inspected,
  now: number,
): Promise<Committed> {
  if (!pending) return { planned: inspected.planned, toRestart: inspected.toRestart, reports: [] };
  const going = new Set(inspected.planned.filter(goingAhead).map(keyOf));
  const steps = pending.steps.map((s) => settled(s, going, pending.board));
  const held = heldCounts(steps, inspected.planned);
  const written = await writeBoard(input, pending, steps, held, now);
  const withdrawn = written.granted ? new Set<string>() : goingOfChanged(steps, going);
  const unwritten = written.granted ? undefined : { error: written.error };
  const planned = inspected.planned.map((p) =>
    withdrawn.has(keyOf(p))
      ? decided(p, heldDecision(p.decision as RestartDecision, undefined, unwritten, now))
      : p,
  );
  const reports = steps.flatMap(({ step, group }) => {
    const lost = !written.granted && step.events.length > 0;
    // Not written: the incident is what the board holds, and nothing happened to it.
    const incident = lost ? pending.board.incidents[group.cause.key] : step.next;
    const events = lost ? [] : step.events;
    if (!incident || (incident.state === 'closed' && events.length === 0)) return [];
    const heldNow = (held.get(group.cause.key) ?? 0) + (lost ? withdrawnOf(group, withdrawn) : 0);
    return [report(incident, events, heldNow)];
  });
  return {
    planned,
    toRestart: inspected.toRestart.filter((p) => !withdrawn.has(keyOf(p))),
    reports,
    ...(written.error === undefined ? {} : { error: written.error }),
  };
}

/** A step as the caps left it: its canary not sent, or its batch smaller, when they held them back. */
function settled(stepped: Stepped, going: ReadonlySet<string>, board: IncidentBoard): Stepped {
  const { step, canary } = stepped;
  if (canary) {
    if (going.has(keyOf(canary)) || !step.withoutCanary) return stepped;
    const { withoutCanary } = step;
    const { canary: _unsent, ...rest } = stepped;
    return { ...rest, step: { ...step, ...withoutCanary, go: [], canary: false } };
  }
  const went = step.go.filter((m) => going.has(keyOf(m.p)));
  if (went.length === step.go.length || !step.next) return stepped;
  return {
    ...stepped,
    step: {
      ...step,
      ...smallerBatch(step.next, step.events, step.go.length - went.length, went.length, board),
      go: went,
    },
  };
}

/** The incident and events of a release whose batch lost `short` members to the caps. */
function smallerBatch(
  next: Incident,
  events: readonly Stepped['step']['events'][number][],
  short: number,
  went: number,
  board: IncidentBoard,
): { next: Incident | undefined; events: Stepped['step']['events'] } {
  const { closedAt: _at, closedBy: _by, ...open } = next;
  // Failures the caps held back are still to release: it does not close yet.
  const released: Incident = { ...open, state: 'releasing', released: next.released - short };
  const kept = events.filter((e) => e !== 'closed' && (went > 0 || e !== 'released'));
  if (went > 0) return { next: released, events: kept };
  // Nothing went: the batch is not spent, and may go by the next sweep.
  const { nextReleaseAt: _next, ...unspent } = released;
  if (kept.length > 0) return { next: { ...unspent, batches: next.batches - 1 }, events: kept };
  return { next: board.incidents[next.causeKey], events: [] };
}

/** Per cause, its failures held in the end (the caps' own skips are theirs, not the incident's). */
function heldCounts(steps: readonly Stepped[], planned: readonly Planned[]): Map<string, number> {
  const held = new Set(planned.filter(isHeld).map(keyOf));
  return new Map(
    steps.map(({ group }) => [group.cause.key, group.members.filter((m) => held.has(keyOf(m.p))).length]),
  );
}

/** What a step that changed would have let go: withdrawn when its change is not written. */
function goingOfChanged(steps: readonly Stepped[], going: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const { step, group } of steps)
    if (step.events.length > 0) for (const m of group.members) if (going.has(keyOf(m.p))) out.add(keyOf(m.p));
  return out;
}

function withdrawnOf(group: CauseGroup<Held>, withdrawn: ReadonlySet<string>): number {
  return group.members.filter((m) => withdrawn.has(keyOf(m.p))).length;
}

/** The board after this sweep's steps, written once when anything changed: true when it was (or nothing needed writing). */
async function writeBoard(
  input: CommitInput,
  pending: PendingIncidents,
  steps: readonly Stepped[],
  held: ReadonlyMap<string, number>,
  now: number,
): Promise<{ granted: boolean; error?: unknown }> {
  const anything = steps.some(({ step, group }) => step.events.length > 0 || joined(step.next, group));
  if (input.dryRun || !anything) return { granted: true };
  const { board, port } = pending;
  const incidents = keptIncidents(board, now, Math.max(CLOSED_KEEP_MS, input.config.policy.lookbackMs));
  for (const { step, group } of steps) {
    if (!step.next) continue;
    // What changed is written with what this sweep holds of it; the rest stays as it was.
    const changed = step.events.length > 0;
    const next = changed ? { ...step.next, held: held.get(group.cause.key) ?? 0, updatedAt: now } : step.next;
    incidents[group.cause.key] = withMemberJobs(next, group);
  }
  try {
    const next: IncidentBoard = { target: board.target, version: board.version + 1, incidents };
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

/** The board's incidents still kept: open ones, and the most recent closed ones within `keepMs`. */
function keptIncidents(board: IncidentBoard, now: number, keepMs: number): Record<string, Incident> {
  const kept = Object.values(board.incidents).filter((i) => stillKept(i, now, keepMs));
  const closed = kept
    .filter((i) => i.state === 'closed')
    .sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0));
  const dropped = new Set(closed.slice(MAX_CLOSED_KEPT));
  return Object.fromEntries(kept.filter((i) => !dropped.has(i)).map((i) => [i.causeKey, i]));
}

/**
 * Has a job joined the incident since the board last named its jobs? Written then, with
 * no transition: a subset sweep that cannot see that job must still know it is a member.
 */
function joined(incident: Incident | undefined, group: CauseGroup<Held>): boolean {
  if (!incident || incident.state === 'closed') return false;
  const known = new Set(incident.memberJobs ?? []);
  if (known.size >= MEMBER_JOBS_KEPT) return false;
  return group.members.some((m) => !known.has(jobHash(m.jobName)));
}

function withMemberJobs(incident: Incident, group: CauseGroup<Held>): Incident {
  if (incident.state === 'closed') {
    const { memberJobs: _gone, ...closed } = incident;
    return closed;
  }
  const jobs = new Set([...(incident.memberJobs ?? []), ...group.members.map((m) => jobHash(m.jobName))]);
  return { ...incident, memberJobs: [...jobs].sort().slice(0, MEMBER_JOBS_KEPT) };
}
