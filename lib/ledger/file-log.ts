import { randomUUID } from 'node:crypto';
import { LedgerError } from '../errors';

/**
 * The file ledger's storage: an append-only log of JSON lines, so a write costs one
 * appended line and one fsync whatever the ledger's size (rewriting the whole JSON
 * file cost 9 ms a claim at 1,000 entries, growing with the file).
 *
 *   {"format":"dataarts-autoretry-ledger-log","version":2,"nonce":"<uuid>"}
 *   [["instances","<key>",{...entry}],["hourly","<target#hour>",3]]   <- one operation
 *   [["instances","<key>",null]]                                     <- a deletion
 *
 * The first line names the format; every later line is one operation's changes, each
 * `[section, key, value]` with the whole new value (null deletes), so replaying a line
 * twice changes nothing and one line is one atomic operation. A crash mid-append
 * leaves at most a torn last line: it never completed (its writer had not synced, so
 * had not reported success) and is ignored, then cut off by the next writer under
 * the lock. An unreadable line followed by others is corruption and is refused.
 * Compaction rewrites the live records (temporary file, fsync, rename) once the log
 * holds more lines than records, so the file stays within a small factor of the data.
 */
export const LOG_FORMAT = 'dataarts-autoretry-ledger-log';
export const LOG_VERSION = 2;

/** A section of the state (`instances`, `hourly`, ...) maps keys to values. */
export type Sections = Record<string, Record<string, unknown>>;
export type LogRecord = [section: string, key: string, value: unknown];

/** A fresh header: its nonce tells a reader that the file was rewritten (inode numbers are reused). */
export const headerLine = () =>
  `${JSON.stringify({ format: LOG_FORMAT, version: LOG_VERSION, nonce: randomUUID() })}\n`;

/** Is this first line a log header? Throws for a log this version cannot read. */
export function isLogHeader(line: string, path: string): boolean {
  let header: unknown;
  try {
    header = JSON.parse(line);
  } catch /* Stryker disable next-line BlockStatement: equivalent, a line that does not parse leaves `header` undefined, which the next check refuses the same way. */ {
    return false;
  }
  if (
    header === null ||
    // Stryker disable next-line ConditionalExpression: equivalent, a primitive (number, string, boolean) has no `format` either, so the check below refuses it the same way.
    typeof header !== 'object' ||
    (header as { format?: unknown }).format !== LOG_FORMAT
  )
    return false;
  const version = (header as { version?: unknown }).version;
  if (version !== LOG_VERSION)
    throw new LedgerError({
      message: `ledger file ${path} has log version ${String(version)}; this version reads ${LOG_VERSION} (refusing to overwrite it)`,
    });
  return true;
}

export interface ParsedLines {
  operations: LogRecord[][];
  /** Bytes of the complete, readable lines; anything after them is a torn last line. */
  consumed: number;
}

/**
 * The operations in `bytes` (whole lines after the header). A last line without its
 * newline, or one that does not parse, is torn: not consumed. An unreadable line with
 * lines after it throws.
 */
export function parseLines(bytes: Buffer, path: string): ParsedLines {
  const operations: LogRecord[][] = [];
  let start = 0;
  // Stryker disable next-line EqualityOperator: equivalent, at start === bytes.length indexOf finds no newline and the loop breaks.
  while (start < bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    if (end < 0) break;
    const operation = readOperation(bytes.toString('utf8', start, end));
    if (!operation) {
      if (end + 1 < bytes.length)
        throw new LedgerError({
          message: `ledger file ${path} is corrupt at byte ${start} (refusing to overwrite it)`,
        });
      break;
    }
    operations.push(operation);
    start = end + 1;
  }
  return { operations, consumed: start };
}

function readOperation(line: string): LogRecord[] | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    const ok =
      Array.isArray(value) &&
      value.every((r) => Array.isArray(r) && typeof r[0] === 'string' && typeof r[1] === 'string');
    return ok ? (value as LogRecord[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Applies one operation; returns how the number of live records changed. */
export function applyOperation(sections: Sections, operation: readonly LogRecord[]): number {
  let delta = 0;
  for (const [section, key, value] of operation) {
    const records = sections[section] ?? {};
    sections[section] = records;
    const had = Object.hasOwn(records, key);
    if (value === null) {
      if (had) delta--;
      delete records[key];
    } else {
      if (!had) delta++;
      records[key] = value;
    }
  }
  return delta;
}

/** The whole state as log lines (after a header), up to 500 records a line. */
export function snapshot(sections: Sections): string {
  const out: string[] = [];
  for (const [section, records] of Object.entries(sections)) {
    const keys = Object.keys(records);
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500).map((key): LogRecord => [section, key, records[key]]);
      out.push(`${JSON.stringify(chunk)}\n`);
    }
  }
  return out.join('');
}

/**
 * A view of `sections` that records which keys an operation may have changed: keys
 * set or deleted, and keys whose object value was read (the rules change entries in
 * place). Only those keys are appended, so an operation's line is as small as its change.
 */
export function recording(sections: Sections, touched: Set<string>): Sections {
  const out: Sections = {};
  for (const [section, records] of Object.entries(sections)) {
    const mark = (key: string | symbol) => {
      if (typeof key === 'string') touched.add(JSON.stringify([section, key]));
    };
    out[section] = new Proxy(records, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value === 'object' && value !== null) mark(key);
        return value;
      },
      set(target, key, value, receiver) {
        mark(key);
        return Reflect.set(target, key, value, receiver);
      },
      deleteProperty(target, key) {
        mark(key);
        return Reflect.deleteProperty(target, key);
      },
    });
  }
  return out;
}

/** The records of the touched keys, as they are now (null: deleted). */
export function touchedRecords(sections: Sections, touched: ReadonlySet<string>): LogRecord[] {
  return [...touched].map((id) => {
    const [section, key] = JSON.parse(id) as [string, string];
    const records = sections[section] ?? {};
    return [section, key, Object.hasOwn(records, key) ? records[key] : null];
  });
}

/** Entries by expiry (epoch seconds), earliest first: pruning pops only what expired. */
export class ExpiryHeap {
  private readonly items: Array<[number, string]> = [];

  get size(): number {
    return this.items.length;
  }

  /** Indexes `key` by its expiry; one without a finite expiry (an entry edited by hand) never expires, so is left out. */
  push(expiresAt: number, key: string): void {
    // Compared with anything, NaN or undefined is neither less nor more: in the heap it would break the order for the rest.
    if (!Number.isFinite(expiresAt)) return;
    const items = this.items;
    items.push([expiresAt, key]);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      // Stryker disable next-line EqualityOperator: equivalent, moving an item above an equal parent keeps a valid heap; items of equal expiry pop in no promised order.
      if ((items[parent] as [number, string])[0] <= expiresAt) break;
      [items[i], items[parent]] = [items[parent] as [number, string], items[i] as [number, string]];
      i = parent;
    }
  }

  /** The earliest item if it expires at or before `seconds`, removed. */
  popUntil(seconds: number): [number, string] | undefined {
    const items = this.items;
    const top = items[0];
    if (!top || top[0] > seconds) return undefined;
    const last = items.pop() as [number, string];
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let least = i;
        // Stryker disable next-line EqualityOperator: equivalent, moving an item below an equal child keeps a valid heap; items of equal expiry pop in no promised order.
        if (l < items.length && (items[l] as [number, string])[0] < (items[least] as [number, string])[0])
          least = l;
        // Stryker disable next-line EqualityOperator: equivalent, as above.
        if (r < items.length && (items[r] as [number, string])[0] < (items[least] as [number, string])[0])
          least = r;
        if (least === i) break;
        [items[i], items[least]] = [items[least] as [number, string], items[i] as [number, string]];
        i = least;
      }
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}
