import {
  type AttemptRecord,
  type ClaimRequest,
  hourBucket,
  type InstanceKey,
  keyString,
  type LedgerEntry,
} from './ledger';

/**
 * The ledger's rules as pure changes to an in-process state, shared by the file
 * ledger (which wraps each change in a lock and an atomic write) and the in-memory
 * ledger the property tests use. Each function returns whether it changed anything.
 */
export interface LedgerState {
  instances: Record<string, LedgerEntry>;
  hourly: Record<string, number>;
}

export function emptyState(): LedgerState {
  return { instances: {}, hourly: {} };
}

export function applyClaim(state: LedgerState, key: InstanceKey, request: ClaimRequest): boolean {
  const id = keyString(key);
  const entry = state.instances[id];
  const attempts = entry?.attempts ?? 0;
  if (attempts !== request.expectedAttempts || attempts >= request.maxAttempts) return false;
  if (entry?.notBefore !== undefined && entry.notBefore > request.now) return false;
  state.instances[id] = {
    ...key,
    outcomes: {},
    ...entry,
    attempts: attempts + 1,
    lastAttemptAt: request.now,
    notBefore: request.notBefore,
    lastOutcome: 'claimed',
    expiresAt: Math.ceil(request.expiresAt / 1000),
  };
  return true;
}

/** Records an outcome; with `onlyIfClaimed`, only while attempt `attempt` is still just claimed. */
export function applyRecord(
  state: LedgerState,
  key: InstanceKey,
  attempt: number,
  outcome: AttemptRecord,
  onlyIfClaimed = false,
): boolean {
  const entry = state.instances[keyString(key)];
  if (!entry) return false;
  if (onlyIfClaimed && (entry.attempts !== attempt || entry.lastOutcome !== 'claimed')) return false;
  entry.lastOutcome = outcome.outcome;
  entry.outcomes[String(attempt)] = outcome;
  return true;
}

export function applyRelease(state: LedgerState, key: InstanceKey, attempt: number, now: number): boolean {
  const entry = state.instances[keyString(key)];
  if (!entry || entry.attempts !== attempt) return false;
  entry.attempts = attempt - 1;
  entry.lastOutcome = 'released';
  entry.notBefore = now;
  entry.outcomes[String(attempt)] = { at: now, outcome: 'released' };
  return true;
}

export function applyMarkExhausted(state: LedgerState, key: InstanceKey, now: number): boolean {
  const entry = state.instances[keyString(key)];
  if (!entry || entry.exhaustedReportedAt !== undefined) return false;
  entry.exhaustedReportedAt = now;
  return true;
}

const rateKey = (target: string, now: number) => `${target}#${hourBucket(now)}`;

export function hourlyUsed(state: LedgerState, target: string, now: number): number {
  return state.hourly[rateKey(target, now)] ?? 0;
}

/** Reserves up to `wanted` restarts under `cap`; returns how many. */
export function applyReserveHourly(
  state: LedgerState,
  target: string,
  now: number,
  cap: number,
  wanted: number,
): number {
  const used = hourlyUsed(state, target, now);
  const granted = Math.max(0, Math.min(wanted, cap - used));
  state.hourly[rateKey(target, now)] = used + granted;
  return granted;
}

export function applyReleaseHourly(state: LedgerState, target: string, now: number, count: number): boolean {
  if (count <= 0) return false;
  state.hourly[rateKey(target, now)] = Math.max(0, hourlyUsed(state, target, now) - count);
  return true;
}

export function readEntries(state: LedgerState, keys: readonly InstanceKey[]): Map<string, LedgerEntry> {
  const out = new Map<string, LedgerEntry>();
  for (const key of keys) {
    const entry = state.instances[keyString(key)];
    if (entry) out.set(keyString(key), structuredClone(entry));
  }
  return out;
}
