import type { AttemptRecord, ClaimRequest, InstanceKey, Ledger, LedgerEntry } from '../../lib/ledger/ledger';
import { hourBucket, keyString } from '../../lib/ledger/ledger';

/**
 * An in-process ledger for the property-based suite, where a thousand scenarios must
 * run in seconds. It passes the same contract suite as the DynamoDB and file ledgers,
 * and the property suite also runs a share of its scenarios against dynalite.
 * Each operation yields once, so concurrent sweeps interleave as they would on a server.
 */
export class MemoryLedger implements Ledger {
  readonly entries = new Map<string, LedgerEntry>();
  private readonly hourly = new Map<string, number>();

  async read(keys: readonly InstanceKey[]): Promise<Map<string, LedgerEntry>> {
    await tick();
    const out = new Map<string, LedgerEntry>();
    for (const key of keys) {
      const entry = this.entries.get(keyString(key));
      if (entry) out.set(keyString(key), structuredClone(entry));
    }
    return out;
  }

  async claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
    await tick();
    const entry = this.entries.get(keyString(key));
    const attempts = entry?.attempts ?? 0;
    if (attempts !== request.expectedAttempts || attempts >= request.maxAttempts) return false;
    if (entry?.notBefore !== undefined && entry.notBefore > request.now) return false;
    this.entries.set(keyString(key), {
      ...key,
      outcomes: {},
      ...entry,
      attempts: attempts + 1,
      lastAttemptAt: request.now,
      notBefore: request.notBefore,
      lastOutcome: 'claimed',
      expiresAt: Math.ceil(request.expiresAt / 1000),
    });
    return true;
  }

  async record(key: InstanceKey, attempt: number, outcome: AttemptRecord): Promise<void> {
    await tick();
    const entry = this.entries.get(keyString(key));
    if (!entry) throw new Error(`no entry for ${keyString(key)}`);
    entry.lastOutcome = outcome.outcome;
    entry.outcomes[String(attempt)] = outcome;
  }

  async recordIfClaimed(key: InstanceKey, attempt: number, outcome: AttemptRecord): Promise<boolean> {
    await tick();
    const entry = this.entries.get(keyString(key));
    if (!entry || entry.attempts !== attempt || entry.lastOutcome !== 'claimed') return false;
    entry.lastOutcome = outcome.outcome;
    entry.outcomes[String(attempt)] = outcome;
    return true;
  }

  async release(key: InstanceKey, attempt: number, now: number): Promise<void> {
    await tick();
    const entry = this.entries.get(keyString(key));
    if (!entry || entry.attempts !== attempt) return;
    entry.attempts = attempt - 1;
    entry.lastOutcome = 'released';
    entry.notBefore = now;
    entry.outcomes[String(attempt)] = { at: now, outcome: 'released' };
  }

  async markExhausted(key: InstanceKey, now: number): Promise<boolean> {
    await tick();
    const entry = this.entries.get(keyString(key));
    if (!entry || entry.exhaustedReportedAt !== undefined) return false;
    entry.exhaustedReportedAt = now;
    return true;
  }

  async hourlyCount(target: string, now: number): Promise<number> {
    await tick();
    return this.hourly.get(`${target}#${hourBucket(now)}`) ?? 0;
  }

  async reserveHourly(target: string, now: number, cap: number, wanted: number): Promise<number> {
    await tick();
    const key = `${target}#${hourBucket(now)}`;
    const used = this.hourly.get(key) ?? 0;
    const granted = Math.max(0, Math.min(wanted, cap - used));
    this.hourly.set(key, used + granted);
    return granted;
  }

  async releaseHourly(target: string, now: number, count: number): Promise<void> {
    await tick();
    const key = `${target}#${hourBucket(now)}`;
    this.hourly.set(key, Math.max(0, (this.hourly.get(key) ?? 0) - Math.max(0, count)));
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
