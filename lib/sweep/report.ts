import type { StormVerdict } from '../policy/guards';

/** What identifies an instance in the DataArts console: target, workspace, job, instance id. */
export interface InstanceRef {
  target: string;
  workspace: string;
  jobName: string;
  instanceId: string;
}

/** The final word on one listed instance: exactly one per instance per sweep. */
export interface DecisionRecord extends InstanceRef {
  status: string;
  /** `restarted`, `error`, or a skip reason (see SKIP_REASONS), e.g. `backing-off`, `deferred`, `dry-run`. */
  outcome: string;
  detail: string;
  rule?: string;
  attempt?: number;
  maxAttempts?: number;
  /** ISO time the instance becomes eligible (backing-off). */
  until?: string;
}

export interface RestartedItem extends InstanceRef {
  attempt: number;
  maxAttempts: number;
}

export interface ExhaustedItem extends InstanceRef {
  attempts: number;
  maxAttempts: number;
  lastOutcome?: string;
}

export interface UnconfirmedItem extends InstanceRef {
  attempt: number;
  maxAttempts: number;
  code: string;
}

export interface ErrorItem {
  target: string;
  code: string;
  message: string;
  workspace?: string;
  jobName?: string;
  instanceId?: string;
  /** For restart errors: whether the attempt stays counted in the budget. */
  attemptCounted?: boolean;
}

export interface ApiCalls {
  list: number;
  show: number;
  restart: number;
  retries: number;
  throttled: number;
}

export interface TargetReport {
  target: string;
  projectId: string;
  workspace: string;
  window: { from: string; to: string };
  /** Instances listed with a retryable status. */
  listed: number;
  storm: StormVerdict;
  counts: Record<string, number>;
  apiCalls: ApiCalls;
  durationMs: number;
  /** Set when the target could not be swept (listing or authentication failed). */
  error?: { code: string; message: string };
}

export interface SweepReport {
  sweepId: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** A storm was suspected on at least one target. */
  storm: boolean;
  totals: Record<string, number>;
  targets: TargetReport[];
  restarted: RestartedItem[];
  /** Budgets that ran out in this sweep (each instance is reported once, ever). */
  exhausted: ExhaustedItem[];
  /** Attempts whose effect is unknown: counted, not confirmed. */
  unconfirmed: UnconfirmedItem[];
  deferred: InstanceRef[];
  errors: ErrorItem[];
  decisions: DecisionRecord[];
  apiCalls: ApiCalls;
  /** Retries the ledger needed during this sweep (DynamoDB throttling); 0 for the file ledger. */
  ledgerRetries: number;
}

export function countBy(records: readonly DecisionRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) counts[record.outcome] = (counts[record.outcome] ?? 0) + 1;
  return counts;
}

export function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
}

/** Every target failed authentication or authorization: the sweep could not run at all. */
export function authFailedEverywhere(report: SweepReport): boolean {
  return (
    report.targets.length > 0 &&
    report.targets.every((t) => t.error !== undefined && /AUTHENTICATION|NOT_AUTHORIZED/.test(t.error.code))
  );
}
