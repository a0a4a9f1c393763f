import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LedgerError } from '../errors';
import {
  type AttemptRecord,
  type ClaimRequest,
  hourBucket,
  type InstanceKey,
  keyString,
  type Ledger,
  type LedgerEntry,
} from './ledger';

interface FileData {
  version: 1;
  instances: Record<string, LedgerEntry>;
  hourly: Record<string, number>;
}

/** A lock older than this belongs to a process that died holding it. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 30_000;

/**
 * The ledger as one JSON file, for the command line and the demo. Same guarantees
 * as DynamoDB on one machine: every operation holds an exclusive lock file while it
 * reads, changes and atomically replaces the data (write to a temporary file, fsync,
 * rename), so concurrent sweeps on the machine serialize and a crash never leaves a
 * half-written ledger.
 */
export class FileLedger implements Ledger {
  private readonly lockPath: string;

  constructor(private readonly path: string) {
    this.lockPath = `${path}.lock`;
  }

  async read(keys: readonly InstanceKey[]): Promise<Map<string, LedgerEntry>> {
    const data = await this.load();
    const out = new Map<string, LedgerEntry>();
    for (const key of keys) {
      const entry = data.instances[keyString(key)];
      if (entry) out.set(keyString(key), structuredClone(entry));
    }
    return out;
  }

  claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
    return this.update((data) => {
      const id = keyString(key);
      const entry = data.instances[id];
      const attempts = entry?.attempts ?? 0;
      if (attempts !== request.expectedAttempts || attempts >= request.maxAttempts) return false;
      if (entry?.notBefore !== undefined && entry.notBefore > request.now) return false;
      data.instances[id] = {
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
    });
  }

  async record(key: InstanceKey, attempt: number, outcome: AttemptRecord): Promise<void> {
    await this.update((data) => {
      const entry = data.instances[keyString(key)];
      if (!entry) throw new LedgerError(`no ledger entry for ${keyString(key)}`);
      entry.lastOutcome = outcome.outcome;
      entry.outcomes[String(attempt)] = outcome;
      return true;
    });
  }

  recordIfClaimed(key: InstanceKey, attempt: number, outcome: AttemptRecord): Promise<boolean> {
    return this.update((data) => {
      const entry = data.instances[keyString(key)];
      if (!entry || entry.attempts !== attempt || entry.lastOutcome !== 'claimed') return false;
      entry.lastOutcome = outcome.outcome;
      entry.outcomes[String(attempt)] = outcome;
      return true;
    });
  }

  async release(key: InstanceKey, attempt: number, now: number): Promise<void> {
    await this.update((data) => {
      const entry = data.instances[keyString(key)];
      if (!entry || entry.attempts !== attempt) return false;
      entry.attempts = attempt - 1;
      entry.lastOutcome = 'released';
      entry.notBefore = now;
      entry.outcomes[String(attempt)] = { at: now, outcome: 'released' };
      return true;
    });
  }

  markExhausted(key: InstanceKey, now: number): Promise<boolean> {
    return this.update((data) => {
      const entry = data.instances[keyString(key)];
      if (!entry || entry.exhaustedReportedAt !== undefined) return false;
      entry.exhaustedReportedAt = now;
      return true;
    });
  }

  async hourlyCount(target: string, now: number): Promise<number> {
    return (await this.load()).hourly[rateKey(target, now)] ?? 0;
  }

  async reserveHourly(target: string, now: number, cap: number, wanted: number): Promise<number> {
    let granted = 0;
    await this.update((data) => {
      const key = rateKey(target, now);
      const used = data.hourly[key] ?? 0;
      granted = Math.max(0, Math.min(wanted, cap - used));
      data.hourly[key] = used + granted;
      return granted > 0;
    });
    return granted;
  }

  async releaseHourly(target: string, now: number, count: number): Promise<void> {
    if (count <= 0) return;
    await this.update((data) => {
      const key = rateKey(target, now);
      data.hourly[key] = Math.max(0, (data.hourly[key] ?? 0) - count);
      return true;
    });
  }

  /** Runs `change` under the lock; writes the file only when it returns true. */
  private async update(change: (data: FileData) => boolean): Promise<boolean> {
    const unlock = await this.lock();
    try {
      const data = await this.load();
      const changed = change(data);
      if (changed) await this.write(data);
      return changed;
    } finally {
      await unlock();
    }
  }

  private async load(): Promise<FileData> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { version: 1, instances: {}, hourly: {} };
      throw new LedgerError(`cannot read ledger file ${this.path}`, { cause: error });
    }
    try {
      const data = JSON.parse(text) as FileData;
      if (data.version !== 1 || typeof data.instances !== 'object') throw new Error('unexpected shape');
      return data;
    } catch (error) {
      throw new LedgerError(`ledger file ${this.path} is not a ledger (refusing to overwrite it)`, {
        cause: error,
      });
    }
  }

  private async write(data: FileData): Promise<void> {
    const temporary = `${this.path}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(JSON.stringify(data));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
  }

  /** A lock whose process is gone (killed mid-operation) or that is very old. */
  private async lockIsStale(): Promise<boolean> {
    try {
      const [owner, info] = await Promise.all([readFile(this.lockPath, 'utf8'), stat(this.lockPath)]);
      const pid = Number(owner);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)) return true;
      return Date.now() - info.mtimeMs > STALE_LOCK_MS;
    } catch {
      return false;
    }
  }

  private async lock(): Promise<() => Promise<void>> {
    await mkdir(dirname(this.path), { recursive: true });
    const started = Date.now();
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      try {
        const handle = await open(this.lockPath, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return () => rm(this.lockPath, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
          throw new LedgerError('cannot lock ledger file', { cause: error });
      }
      if (await this.lockIsStale()) await rm(this.lockPath, { force: true });
      if (Date.now() - started > LOCK_WAIT_MS)
        throw new LedgerError(`ledger file ${this.path} stayed locked`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function rateKey(target: string, now: number): string {
  return `${target}#${hourBucket(now)}`;
}
