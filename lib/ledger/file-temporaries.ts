import { readdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { processExists } from './file-lock';

/**
 * A compaction writes the live records to `<ledger>.<pid>.tmp`, fsyncs it and renames it
 * over the ledger. A writer that dies (or whose disk fails) in between leaves that file
 * behind, and as its name carries the writer's pid, no other writer would ever reuse it.
 */
export function temporaryPath(ledgerPath: string, pid: number): string {
  return `${ledgerPath}.${pid}.tmp`;
}

/**
 * Untouched this long by the file system's clock, a compaction's file is abandoned
 * whatever pid it names (another host's writer, or a pid reused here): writing one
 * snapshot takes seconds and moves the file's mtime with every write. Keeping a leftover
 * too long costs disk space only.
 */
const ABANDONED_AFTER_MS = 60 * 60_000;

/**
 * Removes the compaction files other writers left beside `ledgerPath`: a pid gone from
 * this machine, or untouched for ABANDONED_AFTER_MS, judged against `ours` (just written,
 * so its mtime is the file system's now; never the process clock, see file-lock.ts).
 * Called under the ledger's lock, where no other writer can be mid-compaction; the pid
 * and age tests keep a live writer's file even if that rule was broken (a lock deleted by
 * hand). Best effort: a file that cannot be removed costs disk space, not correctness,
 * and the next compaction tries again.
 */
export async function removeAbandonedTemporaries(ledgerPath: string, ours: string): Promise<void> {
  try {
    const now = (await stat(ours)).mtimeMs;
    const dir = dirname(ledgerPath);
    const prefix = `${basename(ledgerPath)}.`;
    for (const name of await readdir(dir)) {
      const pid = pidOf(name, prefix);
      const path = join(dir, name);
      if (pid === undefined || path === ours) continue;
      if (!processExists(pid) || now - (await stat(path)).mtimeMs > ABANDONED_AFTER_MS)
        await unlink(path).catch(() => undefined);
    }
  } catch {
    // The directory or our own file could not be read: nothing removed, nothing lost.
  }
}

/** The writer's pid in `<prefix><pid>.tmp`, or undefined for any other name (the lock's files among them). */
function pidOf(name: string, prefix: string): number | undefined {
  if (!name.startsWith(prefix) || !name.endsWith('.tmp')) return undefined;
  const digits = name.slice(prefix.length, -'.tmp'.length);
  return /^[1-9]\d*$/.test(digits) ? Number(digits) : undefined;
}
