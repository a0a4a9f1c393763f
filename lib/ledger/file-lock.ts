import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readlink, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { LedgerError } from '../errors';

/**
 * An exclusive lock file shared by processes on one or several machines (a shared volume).
 *
 * Rules, and why:
 * - The process clock is never compared with file times: on a shared volume, or after a
 *   clock jump, they disagree by minutes and a live lock looks ancient.
 * - A lock is stale only on facts: it names this host (and pid namespace) and a pid that
 *   no longer exists. Another host's lock is never broken; the caller gets an error saying
 *   who holds it.
 * - The lock's content `{pid, hostname, nonce}` is written to a private temporary file and
 *   hard-linked into place, so the lock is never seen empty or half-written, and `link`
 *   fails atomically when a lock exists.
 * - Removing a stale lock is itself guarded: the remover first links a guard file named
 *   after the stale lock's nonce (`<lock>.break-<nonce>`), then checks that the lock still
 *   holds that nonce, then unlinks it. Only a guard holder removes a lock that is not its
 *   own, and a live lock cannot replace the stale one while it is still there, so nobody
 *   ever removes a live lock: two processes never both hold it. This assumes hostnames (with
 *   pid namespaces) tell machines apart, nobody deletes a live lock by hand, and no older
 *   version of this tool (which broke locks by age) runs at the same time.
 * - A pid reused after its holder died keeps the lock "alive": the wait ends in an error
 *   asking to delete the lock, which is safe, never a double holder.
 * - Empty or unparsable locks (older versions of this tool, or a machine crash before the
 *   data reached the disk) carry no owner; they are stale once the file system says they
 *   are older than LEGACY_STALE_MS, judged against a freshly written probe file's mtime.
 */

/** What a lock (or guard) file holds. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** The pid namespace (Linux): containers sharing a hostname and a volume are different hosts. */
  pidNamespace?: string;
  nonce: string;
}

export interface FileLockOptions {
  /** How long to wait for a live (or foreign) lock before failing; default 30 s. */
  waitMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Injected by tests; resolves after `ms` or rejects when `signal` aborts. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** This host's name in the lock; default `os.hostname()`. */
  hostname?: string | undefined;
}

/** An owner-less lock is abandoned once it is this much older than a file written now (file system clock). */
export const LEGACY_STALE_MS = 10_000;
const DEFAULT_WAIT_MS = 30_000;
const MAX_PAUSE_MS = 100;
/** Guards of guards only pile up when breakers die mid-break; this bounds the recursion anyway. */
const MAX_GUARD_DEPTH = 8;

/**
 * Nonces of the locks this process holds or is acquiring. A lock naming our own pid with a
 * nonce not in here was left by an earlier process that had our pid (a restarted container).
 */
const heldHere = new Set<string>();

interface Me {
  owner: LockOwner;
  temp: string;
}

/** A lock file as observed: `id` is its nonce, or for owner-less files, its inode and mtime. */
interface Seen {
  path: string;
  id: string;
  stale: boolean;
  owner?: LockOwner;
  ageMs?: number;
}

/**
 * Waits for and takes the lock at `lockPath`; resolves to the function that releases it.
 * Fails with a LedgerError naming the holder after `waitMs`, or with `signal`'s reason.
 */
export async function acquireFileLock(
  lockPath: string,
  options: FileLockOptions = {},
): Promise<() => Promise<void>> {
  const me = await prepare(lockPath, options.hostname);
  try {
    await waitForLock(lockPath, me, options);
  } catch (error) {
    // Stryker disable next-line CallExpression: equivalent, a failed acquire's nonce is in no file once it returns (its temp file is unlinked below, its guards released), so keeping it here changes no verdict; the delete only bounds memory.
    heldHere.delete(me.owner.nonce);
    throw error;
  } finally {
    // Best effort: the lock itself is a second link to this file, and a leftover is harmless.
    await unlink(me.temp).catch(() => undefined);
  }
  return async () => {
    await releaseIfOurs(lockPath, me.owner.nonce);
    heldHere.delete(me.owner.nonce);
  };
}

async function prepare(lockPath: string, hostname: string | undefined): Promise<Me> {
  const nonce = randomUUID();
  const owner: LockOwner = { pid: process.pid, hostname: hostname ?? osHostname(), nonce };
  const namespace = await pidNamespace();
  if (namespace) owner.pidNamespace = namespace;
  const temp = `${lockPath}.${nonce}.tmp`;
  try {
    await mkdir(dirname(lockPath), { recursive: true });
    // Stryker disable next-line ObjectLiteral,StringLiteral: equivalent, the temporary name carries a fresh random nonce and never exists yet.
    await writeFile(temp, JSON.stringify(owner), { flag: 'wx' });
  } catch (error) {
    throw new LedgerError({ message: `cannot create lock file beside ${lockPath}`, cause: error });
  }
  heldHere.add(nonce);
  return { owner, temp };
}

async function waitForLock(lockPath: string, me: Me, options: FileLockOptions): Promise<void> {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const sleep = options.sleep ?? defaultSleep;
  const started = performance.now();
  let slept = 0;
  for (let pause = 2; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
    options.signal?.throwIfAborted();
    if (await tryLink(me.temp, lockPath)) return;
    const seen = await inspect(lockPath, me.owner);
    if (!seen) continue; // released between our link and our read: try again at once
    if (seen.id === me.owner.nonce) return; // the link worked but its answer was lost (NFS)
    if (seen.stale && (await clearStale(lockPath, seen, me))) continue;
    // Slept time counts so that an injected sleep needs no real waiting; the monotonic clock
    // (never compared with file times) bounds the wait when the file system is slow.
    if (slept >= waitMs || performance.now() - started >= waitMs) throw stillLocked(seen, waitMs);
    const ms = Math.ceil(pause / 2 + Math.random() * (pause / 2)); // jitter keeps contenders apart
    await sleep(ms, options.signal);
    slept += ms;
  }
}

/**
 * Removes `seen.path` if it still is the stale file observed, holding the guard named after
 * it. True when that file is gone; false when another remover holds the guard.
 */
async function clearStale(lockPath: string, seen: Seen, me: Me, depth = 0): Promise<boolean> {
  const guard = `${lockPath}.break-${seen.id}`;
  if (!(await claimGuard(lockPath, guard, me, depth))) return false;
  try {
    const again = await inspect(seen.path, me.owner);
    // Nothing but a guard holder removes the stale file, and no new lock can be linked while
    // it exists: if it still carries the observed id, unlinking it removes nobody else's lock.
    if (again?.id === seen.id) await removeQuietly(seen.path);
    return true;
  } finally {
    await releaseIfOurs(guard, me.owner.nonce);
  }
}

async function claimGuard(lockPath: string, guard: string, me: Me, depth: number): Promise<boolean> {
  if (await tryLink(me.temp, guard)) return true;
  const holder = await inspect(guard, me.owner);
  if (holder?.id === me.owner.nonce) return true;
  // A remover that died holding the guard: remove its guard the same way, then retry later.
  if (holder?.stale && depth < MAX_GUARD_DEPTH) await clearStale(lockPath, holder, me, depth + 1);
  return false;
}

/** Reads a lock file and decides, on facts, whether it is stale; undefined when it is gone. */
async function inspect(path: string, me: LockOwner): Promise<Seen | undefined> {
  const file = await readLockFile(path);
  if (!file) return undefined;
  const owner = parseOwner(file.text);
  if (owner) return { path, id: owner.nonce, owner, stale: ownerIsGone(owner, me) };
  const ageMs = await fileSystemAge(path, file.mtimeMs);
  return { path, id: `legacy-${file.ino}-${file.mtimeMs}`, stale: ageMs > LEGACY_STALE_MS, ageMs };
}

function ownerIsGone(owner: LockOwner, me: LockOwner): boolean {
  const sameHost =
    owner.hostname === me.hostname &&
    (!owner.pidNamespace || !me.pidNamespace || owner.pidNamespace === me.pidNamespace);
  if (!sameHost) return false;
  if (owner.pid === process.pid) return !heldHere.has(owner.nonce);
  return !processExists(owner.pid);
}

/** Whether a process with `pid` exists on this machine. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user. Only ESRCH proves it is gone.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner> | null;
    const valid =
      Number.isInteger(value?.pid) &&
      (value?.pid ?? 0) > 0 &&
      typeof value?.hostname === 'string' &&
      // Stryker disable next-line OptionalChaining: equivalent, reached only when value.pid is an integer, so value is not null.
      typeof value?.nonce === 'string' &&
      value.nonce.length > 0;
    return valid ? (value as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** How much older than a file written now `mtimeMs` is, by the file system's own clock. */
async function fileSystemAge(path: string, mtimeMs: number): Promise<number> {
  const probe = `${path}.${randomUUID()}.probe`;
  try {
    // Stryker disable next-line StringLiteral: equivalent, only the probe's mtime is read.
    await writeFile(probe, '');
    return (await stat(probe)).mtimeMs - mtimeMs;
  } catch (error) {
    throw new LedgerError({ message: `cannot write a probe file beside ${path}`, cause: error });
  } finally {
    await removeQuietly(probe);
  }
}

/** Content and times of one inode (read through one handle, so they belong together). */
async function readLockFile(
  path: string,
): Promise<{ text: string; ino: number; mtimeMs: number } | undefined> {
  try {
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      return { text: await handle.readFile('utf8'), ino: info.ino, mtimeMs: info.mtimeMs };
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw new LedgerError({ message: `cannot read lock file ${path}`, cause: error });
  }
}

/** Links our complete owner file to `path`; false when a file is already there. */
async function tryLink(temp: string, path: string): Promise<boolean> {
  try {
    await link(temp, path);
    // Stryker disable next-line BooleanLiteral: equivalent, a link that worked but reads false is found carrying our nonce by the caller's next look (the lost-answer path).
    return true;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw new LedgerError({
      message: `cannot create lock file ${path} (the file system must support hard links)`,
      cause: error,
    });
  }
}

/** Removes `path` only when it carries our nonce: never someone else's lock. */
async function releaseIfOurs(path: string, nonce: string): Promise<void> {
  const file = await readLockFile(path);
  if (file && parseOwner(file.text)?.nonce === nonce) await removeQuietly(path);
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw new LedgerError({ message: `cannot remove ${path}`, cause: error });
  }
}

function stillLocked(seen: Seen, waitMs: number): LedgerError {
  const waited = `${Math.round(waitMs / 100) / 10} s`;
  if (!seen.owner) {
    const age = Math.round((seen.ageMs ?? 0) / 1000);
    return new LedgerError({
      message: `lock file ${seen.path} is empty or unreadable (from an older version or a crash) and only ${age} s old after waiting ${waited}; if no other sweep is running, delete it`,
    });
  }
  const { pid, hostname } = seen.owner;
  const state = seen.stale ? 'left by a process that is gone, and could not be removed' : 'still held';
  return new LedgerError({
    message: `lock file ${seen.path} is ${state} after waiting ${waited}: holder pid ${pid} on host ${hostname}; if that process is gone, delete ${seen.path}`,
  });
}

let namespace: Promise<string | undefined> | undefined;

/** This process's pid namespace on Linux (`pid:[4026531836]`), undefined elsewhere. */
function pidNamespace(): Promise<string | undefined> {
  namespace ??= readlink('/proc/self/ns/pid').catch(() => undefined);
  return namespace;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {});
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}
