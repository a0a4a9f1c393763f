import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LedgerError } from '../errors';
import {
  type AttemptRecord,
  type ClaimRequest,
  type InstanceKey,
  keyString,
  type Ledger,
  type LedgerEntry,
} from './ledger';
import {
  applyClaim,
  applyMarkExhausted,
  applyRecord,
  applyRelease,
  applyReleaseHourly,
  applyReserveHourly,
  emptyState,
  hourlyUsed,
  type LedgerState,
  readEntries,
} from './ledger-state';

interface FileData extends LedgerState {
  version: 1;
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
    return readEntries(await this.load(), keys);
  }

  claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
    return this.update((state) => applyClaim(state, key, request));
  }

  async record(key: InstanceKey, attempt: number, outcome: AttemptRecord): Promise<void> {
    const recorded = await this.update((state) => applyRecord(state, key, attempt, outcome));
    if (!recorded) throw new LedgerError(`no ledger entry for ${keyString(key)}`);
  }

  recordIfClaimed(key: InstanceKey, attempt: number, outcome: AttemptRecord): Promise<boolean> {
    return this.update((state) => applyRecord(state, key, attempt, outcome, true));
  }

  async release(key: InstanceKey, attempt: number, now: number): Promise<void> {
    await this.update((state) => applyRelease(state, key, attempt, now));
  }

  markExhausted(key: InstanceKey, now: number): Promise<boolean> {
    return this.update((state) => applyMarkExhausted(state, key, now));
  }

  async hourlyCount(target: string, now: number): Promise<number> {
    return hourlyUsed(await this.load(), target, now);
  }

  async reserveHourly(target: string, now: number, cap: number, wanted: number): Promise<number> {
    let granted = 0;
    await this.update((state) => {
      granted = applyReserveHourly(state, target, now, cap, wanted);
      return granted > 0;
    });
    return granted;
  }

  async releaseHourly(target: string, now: number, count: number): Promise<void> {
    await this.update((state) => applyReleaseHourly(state, target, now, count));
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
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, ...emptyState() };
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
