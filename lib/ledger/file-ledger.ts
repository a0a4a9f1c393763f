import { type FileHandle, open, rename, stat, truncate, unlink } from 'node:fs/promises';
import { LedgerError } from '../errors';
import { Semaphore } from '../util/concurrency';
import { acquireFileLock } from './file-lock';
import {
  applyOperation,
  ExpiryHeap,
  headerLine,
  isLogHeader,
  type LogRecord,
  parseLines,
  recording,
  type Sections,
  snapshot,
  touchedRecords,
} from './file-log';
import { removeAbandonedTemporaries, temporaryPath } from './file-temporaries';
import type { ClaimRequest, InstanceKey, Ledger, LedgerEntry, Settlement } from './ledger';
import type { EntrySelector, HistoryEntry, LedgerHistory, ResetRequest, ResetResult } from './ledger-history';
import type { IncidentBoard, LedgerIncidents } from './ledger-incidents';
import type { JobRecovery, LedgerRecovery, RecoveryVerdict } from './ledger-recovery';
import {
  applyClaim,
  applyMarkExhausted,
  applyMarkInterrupted,
  applyMarkRecovery,
  applyRelease,
  applyReleaseHourly,
  applyReserveHourly,
  applyReset,
  applySettle,
  applyWriteBoard,
  attemptedKeys,
  awaitingEntries,
  boardOf,
  emptyState,
  historyEntries,
  hourlyUsed,
  inFlightEntries,
  isExpired,
  jobRecoveryCounts,
  type LedgerState,
  pruneHourly,
  readEntries,
  upgradeLegacy,
} from './ledger-state';

interface FileData extends LedgerState {
  version: 1;
}

const LOCK_WAIT_MS = 30_000;
/** Appended lines before a compaction, at least (or as many as the live records). */
const COMPACT_AFTER = 1000;

/** What this process last read of the file: its identity, how far, and the state it holds. */
interface Cache {
  /** The header line (with its random nonce): another header means another file. */
  header: string;
  ino: number;
  /** Bytes read and applied; more in the file is an append since, or a torn last line. */
  offset: number;
  /** Records in the last snapshot, and lines appended after it: compaction is due when appended ≥ base. */
  base: number;
  appended: number;
  /** Still the version 1 JSON file: read whole each time until the first write migrates it. */
  legacy: boolean;
  data: FileData;
  heap: ExpiryHeap;
}

function blankCache(): Cache {
  return {
    header: '',
    ino: 0,
    offset: 0,
    base: 0,
    appended: 0,
    legacy: false,
    data: { version: 1, ...emptyState() },
    heap: new ExpiryHeap(),
  };
}

/** The state's record maps (`instances`, `hourly`, and any a later version adds). */
function sectionsOf(data: FileData): Sections {
  return Object.fromEntries(
    Object.entries(data).filter(([, value]) => typeof value === 'object' && value !== null),
  ) as Sections;
}

function countRecords(data: FileData): number {
  return Object.values(sectionsOf(data)).reduce((sum, records) => sum + Object.keys(records).length, 0);
}

async function readAll(handle: FileHandle, size: number): Promise<Buffer> {
  const bytes = Buffer.alloc(size);
  await handle.read(bytes, 0, size, 0);
  return bytes;
}

async function startsWith(handle: FileHandle, header: string): Promise<boolean> {
  const expected = Buffer.from(header);
  const head = Buffer.alloc(expected.length);
  await handle.read(head, 0, head.length, 0);
  return head.equals(expected);
}

/**
 * The ledger as one file, for the command line and the demo. Same guarantees as
 * DynamoDB on one machine: every write holds an exclusive lock file while it catches
 * up with what others appended, applies the pure rules (ledger-state.ts) and appends
 * one fsynced line with what changed (file-log.ts), so concurrent sweeps serialize and
 * a crash leaves at most a torn last line, which is ignored. A write's cost does not
 * grow with the ledger: each process keeps the state in memory and reads only the
 * lines appended since; compaction (temporary file, fsync, rename) runs after as many
 * appends as there are records. A version 1 JSON file is read as is and rewritten as
 * a log by its first write.
 */
export class FileLedger implements Ledger, LedgerHistory, LedgerRecovery, LedgerIncidents {
  /** Its recovery and operator methods are its own: these name them narrowly. */
  readonly recovery: LedgerRecovery = this;
  readonly operator: LedgerHistory = this;
  readonly incidents: LedgerIncidents = this;
  private readonly lockPath: string;
  /** One operation at a time within this process: the cache is shared by them. */
  private readonly local = new Semaphore(1);
  private cache: Cache = blankCache();

  constructor(private readonly path: string) {
    this.lockPath = `${path}.lock`;
  }

  async read(keys: readonly InstanceKey[]): Promise<Map<string, LedgerEntry>> {
    return readEntries(await this.load(), keys);
  }

  async inFlight(target: string): Promise<LedgerEntry[]> {
    return inFlightEntries(await this.load(), target);
  }

  async attemptedKeys(target: string, since: number): Promise<InstanceKey[]> {
    return attemptedKeys(await this.load(), target, since);
  }

  claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
    return this.update((state) => applyClaim(state, key, request, this.prune));
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

  async awaitingVerdict(target: string): Promise<LedgerEntry[]> {
    return awaitingEntries(await this.load(), target);
  }

  markRecovery(key: InstanceKey, attempt: number, verdict: RecoveryVerdict, now: number): Promise<boolean> {
    return this.update((state) => applyMarkRecovery(state, key, attempt, verdict, now));
  }

  async jobRecovery(target: string, jobNames: readonly string[]): Promise<Map<string, JobRecovery>> {
    return jobRecoveryCounts(await this.load(), target, jobNames);
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

  async board(target: string): Promise<IncidentBoard> {
    return boardOf(await this.load(), target);
  }

  writeBoard(board: IncidentBoard, expiresAt: number): Promise<boolean> {
    return this.update((state) => applyWriteBoard(state, board, expiresAt));
  }

  async history(selector: EntrySelector): Promise<HistoryEntry[]> {
    return historyEntries(await this.load(), selector);
  }

  async reset(key: InstanceKey, request: ResetRequest): Promise<ResetResult> {
    // Stryker disable next-line StringLiteral: equivalent, `change` always replaces this placeholder before it is returned (a failed refresh throws instead).
    let result: ResetResult = { status: 'refused', reason: 'no ledger entry' };
    await this.update((state) => {
      result = applyReset(state, key, request);
      return result.status === 'reset';
    });
    return result;
  }

  /**
   * Runs `change` under the lock (and, within this process, alone); appends what it
   * changed only when it returns true.
   */
  private async update(change: (data: FileData) => boolean): Promise<boolean> {
    const unlock = await this.lock();
    try {
      return await this.alone(async () => {
        const size = await this.refresh();
        const touched = new Set<string>();
        const data = this.cache.data;
        const view = { ...data, ...recording(sectionsOf(data), touched) } as FileData;
        if (!change(view)) return false;
        await this.persist(touchedRecords(sectionsOf(data), touched), size).catch((error: unknown) => {
          // Memory is now ahead of the file: read it again from scratch next time.
          this.cache = blankCache();
          throw new LedgerError({ message: `cannot write ledger file ${this.path}`, cause: error });
        });
        return true;
      });
    } finally {
      await unlock();
    }
  }

  /** The ledger as the file holds it now (read without the lock: a torn last line is not read). */
  private load(): Promise<FileData> {
    return this.alone(async () => {
      await this.refresh();
      return this.cache.data;
    });
  }

  private async alone<T>(run: () => Promise<T>): Promise<T> {
    const release = await this.local.acquire();
    try {
      return await run();
    } finally {
      release();
    }
  }

  /**
   * Brings the cache up to date, reading only what was appended since the last time
   * (the whole file after a compaction by anyone, or while it is still legacy JSON).
   * Returns the file's size: more than the cache consumed means a torn last line.
   */
  private async refresh(): Promise<number> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw this.unreadable(error);
      this.cache = blankCache();
      return 0;
    }
    try {
      const { ino, size } = await handle.stat();
      const c = this.cache;
      if (c.legacy || c.ino !== ino || size < c.offset || !(await startsWith(handle, c.header))) {
        await this.reload(await readAll(handle, size), ino);
      } else if (size > c.offset) {
        const tail = Buffer.alloc(size - c.offset);
        await handle.read(tail, 0, tail.length, c.offset);
        const parsed = parseLines(tail, this.path);
        this.replay(parsed.operations);
        c.offset += parsed.consumed;
        c.appended += parsed.operations.length;
      }
      return size;
    } catch (error) {
      throw error instanceof LedgerError ? error : this.unreadable(error);
    } finally {
      await handle.close();
    }
  }

  private async reload(bytes: Buffer, ino: number): Promise<void> {
    const newline = bytes.indexOf(0x0a);
    // Stryker disable next-line ConditionalExpression,StringLiteral,EqualityOperator: equivalent, without a newline toString(0, 0) is '' too, and any first line that is not a header (a lone newline, a placeholder) is read as version 1 JSON the same way.
    const first = newline < 0 ? '' : bytes.toString('utf8', 0, newline + 1);
    const cache = blankCache();
    if (first && isLogHeader(first, this.path)) {
      const parsed = parseLines(bytes.subarray(first.length), this.path);
      Object.assign(cache, { ino, header: first, offset: Buffer.byteLength(first) + parsed.consumed });
      this.cache = cache;
      this.replay(parsed.operations);
    } else {
      Object.assign(cache, { ino, legacy: true, data: this.parseLegacy(bytes.toString('utf8')) });
      this.cache = cache;
      for (const [key, entry] of Object.entries(cache.data.instances)) cache.heap.push(entry.expiresAt, key);
    }
    cache.base = countRecords(cache.data);
  }

  private replay(operations: readonly LogRecord[][]): void {
    const { data, heap } = this.cache;
    for (const operation of operations) {
      // On the data itself: a section this version does not know yet is kept, not dropped.
      applyOperation(data as unknown as Sections, operation);
      for (const [section, key, value] of operation) {
        if (value === null) continue;
        // Stryker disable next-line ConditionalExpression: `true` is equivalent, a record of another section (an hourly count) has no expiresAt, which the heap leaves out.
        if (section === 'instances') heap.push(upgradeLegacy(value as LedgerEntry).expiresAt, key);
      }
    }
  }

  /** A JSON ledger written before the log (version 1): read as is, rewritten as a log on the next write. */
  private parseLegacy(text: string): FileData {
    try {
      const data = JSON.parse(text) as FileData;
      if (data.version !== 1 || typeof data.instances !== 'object') throw new Error('unexpected shape');
      for (const entry of Object.values(data.instances)) upgradeLegacy(entry);
      return { ...emptyState(), ...data };
    } catch (error) {
      throw new LedgerError({
        message: `ledger file ${this.path} is not a ledger (refusing to overwrite it)`,
        cause: error,
      });
    }
  }

  /** One appended line and one fsync; a new, legacy or overgrown file is compacted instead. */
  private async persist(records: LogRecord[], size: number): Promise<void> {
    const c = this.cache;
    for (const [section, key, value] of records) {
      if (value === null) continue;
      // Stryker disable next-line ConditionalExpression: `true` is equivalent, as in replay().
      if (section === 'instances') c.heap.push((value as LedgerEntry).expiresAt, key);
    }
    if (!c.header || c.legacy || c.appended >= Math.max(COMPACT_AFTER, c.base)) return this.compact();
    // A torn last line of a writer that crashed: never completed, so cut off before appending.
    if (size > c.offset) await truncate(this.path, c.offset);
    const line = `${JSON.stringify(records)}\n`;
    const handle = await open(this.path, 'a');
    try {
      await handle.write(line);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    c.offset += Buffer.byteLength(line);
    c.appended++;
  }

  /** The live records as a fresh log: temporary file, fsync, atomic rename. */
  private async compact(): Promise<void> {
    const c = this.cache;
    const header = headerLine();
    const body = header + snapshot(sectionsOf(c.data));
    const temporary = temporaryPath(this.path, process.pid);
    try {
      const handle = await open(temporary, 'w');
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await removeAbandonedTemporaries(this.path, temporary);
      await rename(temporary, this.path);
    } catch (error) {
      // Left behind, it would stay until this pid is gone (the next compaction here reuses it).
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    c.ino = (await stat(this.path)).ino;
    Object.assign(c, { header, legacy: false, offset: Buffer.byteLength(body), appended: 0 });
    c.base = countRecords(c.data);
    c.heap.clear();
    for (const [key, entry] of Object.entries(c.data.instances)) c.heap.push(entry.expiresAt, key);
  }

  /** Drops what expired by popping the expiry index: no scan of every entry per claim. */
  private readonly prune = (state: LedgerState, now: number): void => {
    for (let item = this.cache.heap.popUntil(now / 1000); item; item = this.cache.heap.popUntil(now / 1000)) {
      const entry = state.instances[item[1]];
      if (entry && isExpired(entry, now)) delete state.instances[item[1]];
    }
    pruneHourly(state, now);
  };

  private unreadable(error: unknown): LedgerError {
    return new LedgerError({ message: `cannot read ledger file ${this.path}`, cause: error });
  }

  /** Staleness is decided on facts (same host, pid gone), never on the process clock: see file-lock.ts. */
  private lock(): Promise<() => Promise<void>> {
    // Stryker disable next-line ObjectLiteral: equivalent, acquireFileLock's default wait is also 30 s.
    return acquireFileLock(this.lockPath, { waitMs: LOCK_WAIT_MS });
  }
}
