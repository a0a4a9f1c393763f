import { createHash } from 'node:crypto';

/**
 * Incidents: the failures of one cause on one target, held together while the cause
 * lasts (lib/policy/incident.ts decides; lib/sweep/phases/incidents.ts acts). Each
 * target has one board of its incidents in the ledger, written whole by one
 * conditional write that names the version it was read at, so two overlapping sweeps
 * never both make a transition (and never send two canaries for one probe).
 */

/**
 * open: every member held, a canary due at `nextProbeAt`; probing: a canary was sent and
 * its verdict is awaited; releasing: the canary recovered, the held members go in
 * growing batches; closed: over (recovered, its failures gone, or closed by hand).
 */
export type IncidentState = 'open' | 'probing' | 'releasing' | 'closed';

export interface Canary {
  jobName: string;
  instanceId: string;
  /** The attempt the canary is: its ledger entry's `outcomes[attempt]` holds the verdict. */
  attempt: number;
  /** When it was sent (this tool's clock). */
  at: number;
}

export interface Incident {
  /** `Cause.key` (lib/policy/cause.ts). */
  causeKey: string;
  causeText: string;
  state: IncidentState;
  /** When it opened, and the oldest failure of its cause then (this tool's clock, DataArts' time). */
  openedAt: number;
  since: number;
  /** Distinct jobs of its cause when it opened. */
  jobs: number;
  /** Canaries sent so far, and the last one. */
  probes: number;
  canary?: Canary;
  /** No canary before this time. */
  nextProbeAt: number;
  /** Releasing: since when, batches released, when the next one may go. */
  releasingSince?: number;
  batches: number;
  released: number;
  nextReleaseAt?: number;
  /**
   * The jobs its failures belong to, as `jobHash`es (at most `MEMBER_JOBS_KEPT`): a sweep
   * of a subset of jobs (`--job`) sees the others' failures excluded, not gone, and so
   * never clears or closes the incident while they wait. Dropped when it closes.
   */
  memberJobs?: string[];
  /** How many of its failures the last sweep held. */
  held: number;
  closedAt?: number;
  closedBy?: 'recovered' | 'cleared' | 'operator';
  /** An operator's reason for closing it by hand. */
  reason?: string;
  updatedAt: number;
}

/** One target's incidents, by cause key. `version` counts the writes: 0 is a board never written. */
/**
 * Bounds that keep a board far below DynamoDB's 400 KB item (a board that cannot be
 * written would hold its causes' failures every sweep): job hashes of 9 bytes, at most
 * this many per incident, this many incidents open on a target at once (beyond, a cause
 * opens none: the storm guard remains), and this many closed ones kept.
 */
export const MEMBER_JOBS_KEPT = 1000;
export const MAX_OPEN_INCIDENTS = 25;
export const MAX_CLOSED_KEPT = 50;

/** A job's name as an incident remembers it: 8 hex digits of its sha256. */
export function jobHash(jobName: string): string {
  return createHash('sha256').update(jobName).digest('hex').slice(0, 8);
}

export interface IncidentBoard {
  target: string;
  version: number;
  incidents: Record<string, Incident>;
}

export interface LedgerIncidents {
  /** The target's board as last written (version 0 and no incidents when never written). */
  board(target: string): Promise<IncidentBoard>;
  /**
   * Writes `board` whole, if the stored board is still at `board.version - 1`; true
   * then, false when another sweep wrote first (`mayWriteBoard`). `expiresAt` epoch ms.
   */
  writeBoard(board: IncidentBoard, expiresAt: number): Promise<boolean>;
}

/** The one rule of a board write: it follows the version it was read at (stated as a DynamoDB condition too). */
export function mayWriteBoard(stored: IncidentBoard | undefined, next: IncidentBoard): boolean {
  return next.version === (stored?.version ?? 0) + 1;
}

const STATES: ReadonlySet<string> = new Set(['open', 'probing', 'releasing', 'closed']);

/**
 * A board as stored, checked before the breaker trusts it: a board edited by hand or
 * written by a later version in a shape this one cannot read is refused (the target
 * then stops, as for any ledger it cannot read), never taken for "no incident".
 */
export function checkedBoard(value: unknown, target: string): IncidentBoard {
  const board = value as Partial<IncidentBoard> | undefined;
  const incidents = board?.incidents;
  const fine =
    typeof board === 'object' &&
    board !== null &&
    Number.isSafeInteger(board.version) &&
    typeof incidents === 'object' &&
    incidents !== null &&
    Object.entries(incidents).every(([key, i]) => i?.causeKey === key && STATES.has(i.state) && isTimes(i));
  if (!fine)
    throw new Error(
      `the incident board of target ${JSON.stringify(target)} is not one this version can read`,
    );
  return { target, version: board.version as number, incidents: incidents as IncidentBoard['incidents'] };
}

function isTimes(i: Incident): boolean {
  return [i.openedAt, i.since, i.nextProbeAt, i.updatedAt].every(Number.isFinite);
}

export function emptyBoard(target: string): IncidentBoard {
  return { target, version: 0, incidents: {} };
}
