import { open, readFile, rename } from 'node:fs/promises';
import { LedgerError } from '../errors';
import { acquireFileLock } from './file-lock';
import type { ClaimRequest, InstanceKey, Ledger, LedgerEntry, Settlement } from './ledger';
import {
  applyClaim,
  applyMarkExhausted,
  applyMarkInterrupted,
  applyRelease,
  applyReleaseHourly,
  applyReserveHourly,
  applySettle,
  emptyState,
  hourlyUsed,
  inFlightEntries,
  type LedgerState,
  readEntries,
  upgradeLegacy,
} from './ledger-state';

interface FileData extends LedgerState {
  version: 1;
}

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

  async inFlight(target: string): Promise<LedgerEntry[]> {
    return inFlightEntries(await this.load(), target);
  }

  claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
    return this.update((state) => applyClaim(state, key, request));
  }

  settle(key: InstanceKey, settlement: Settlement): Promise<boolean> {
    return this.update((state) => applySettle(state, key, settlement));
  }

  release(key: InstanceKey, attempt: number, claimId: string, now: number): Promise<boolean> {
    return this.update((state) => applyRelease(state, { key, attempt, claimId, now }));
  }

  markInterrupted(key: InstanceKey, attempt: number, claimId: string, now: number): Promise<boolean> {
    return this.update((state) => applyMarkInterrupted(state, { key, attempt, claimId, now }));
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
      throw new LedgerError({ message: `cannot read ledger file ${this.path}`, cause: error });
    }
    try {
      const data = JSON.parse(text) as FileData;
      if (data.version !== 1 || typeof data.instances !== 'object') throw new Error('unexpected shape');
      for (const entry of Object.values(data.instances)) upgradeLegacy(entry);
      return data;
    } catch (error) {
      throw new LedgerError({
        message: `ledger file ${this.path} is not a ledger (refusing to overwrite it)`,
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

  /** Staleness is decided on facts (same host, pid gone), never on the process clock: see file-lock.ts. */
  private lock(): Promise<() => Promise<void>> {
    return acquireFileLock(this.lockPath, { waitMs: LOCK_WAIT_MS });
  }
}
