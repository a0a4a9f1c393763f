import { mkdir, readdir, readFile, readlink, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LedgerError } from '../../lib/errors';
import { acquireFileLock } from '../../lib/ledger/file-lock';
import { deadPid, freshLockPath, recordedSleep } from '../support/lock-setup';

/** The lock's conditions at their boundaries: its wait, its messages, what counts as an owner. */

let sleeps: number[] = [];
const recordSleep = (ms: number) => recordedSleep(sleeps, ms);
let dir: string;
let lockPath: string;

beforeEach(async () => {
  sleeps = [];
  // The monotonic clock stands still unless a test moves it: only the time slept counts.
  jest.spyOn(performance, 'now').mockReturnValue(1000);
  ({ dir, lockPath } = await freshLockPath('lock-cond-'));
});

const owner = (fields: Record<string, unknown>) =>
  JSON.stringify({ pid: 4242, hostname: 'other-host', nonce: 'n', ...fields });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the lock to be refused');
    },
    (error: unknown) => error as Error,
  );

describe('waiting for a held lock', () => {
  it('doubles its pause from 1 ms up to 50 ms, and gives up once the time slept reaches waitMs', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    await writeFile(lockPath, owner({}));
    const error = await failure(acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 1550 }));
    expect(sleeps).toEqual([1, 2, 4, 8, 16, 32, ...Array(30).fill(50)]);
    expect(error).toBeInstanceOf(LedgerError);
    expect(error.message).toBe(
      `lock file ${lockPath} is still held after waiting 1.6 s: holder pid 4242 on host other-host; if that process is gone, delete ${lockPath}`,
    );
    expect(await readFile(lockPath, 'utf8')).toBe(owner({}));
  });

  it('stops exactly when the time slept equals waitMs', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    await writeFile(lockPath, owner({}));
    await failure(acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 63 }));
    expect(sleeps).toEqual([1, 2, 4, 8, 16, 32]);
  });

  it('also gives up when the monotonic clock says waitMs passed (a slow file system)', async () => {
    jest.spyOn(performance, 'now').mockReturnValueOnce(1000).mockReturnValue(1500);
    await writeFile(lockPath, owner({}));
    const error = await failure(acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 500 }));
    expect(error.message).toContain('is still held after waiting 0.5 s');
    expect(sleeps).toEqual([]);
  });

  it('jitters each pause within [pause/2, pause]', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    await writeFile(lockPath, owner({}));
    await failure(acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 10 }));
    expect(sleeps).toEqual([2, 3, 6]);
  });

  it('names an empty lock, its age by the file system’s clock and the wait, and leaves no probe', async () => {
    await writeFile(lockPath, '');
    const young = new Date(Date.now() - 4_000);
    await utimes(lockPath, young, young);
    const error = await failure(acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 250 }));
    // 4 s old when set; a busy machine may take a second or two to write the probe it is judged by.
    const [before, after] = error.message.split(/ only \d s old /);
    expect([before, after]).toEqual([
      `lock file ${lockPath} is empty or unreadable (from an older version or a crash) and`,
      'after waiting 0.3 s; if no other sweep is running, delete it',
    ]);
    expect(Number(/ only (\d) s old /.exec(error.message)?.[1])).toBeGreaterThanOrEqual(4);
    expect(Number(/ only (\d) s old /.exec(error.message)?.[1])).toBeLessThanOrEqual(6);
    expect(await readdir(dir)).toEqual(['ledger.json.lock']);
  });

  it('says so when the holder is gone but its lock could not be removed (another host holds the guard)', async () => {
    const pid = await deadPid();
    await writeFile(lockPath, owner({ pid, hostname: hostname(), nonce: 'gone' }));
    await writeFile(`${lockPath}.break-gone`, owner({}));
    const error = await failure(acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 20 }));
    expect(error.message).toBe(
      `lock file ${lockPath} is left by a process that is gone, and could not be removed after waiting 0 s: holder pid ${pid} on host ${hostname()}; if that process is gone, delete ${lockPath}`,
    );
  });
});

describe('who owns a lock', () => {
  it('writes this host’s pid namespace into its lock', async () => {
    const unlock = await acquireFileLock(lockPath, { sleep: recordSleep, hostname: 'me' });
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toEqual({
      pid: process.pid,
      hostname: 'me',
      pidNamespace: await readlink('/proc/self/ns/pid'),
      nonce: expect.any(String),
    });
    await unlock();
  });

  it('a dead pid in another pid namespace of the same hostname is another host: never broken', async () => {
    const pid = await deadPid();
    const foreign = owner({ pid, hostname: hostname(), pidNamespace: 'pid:[1]' });
    await writeFile(lockPath, foreign);
    const error = await failure(acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 10 }));
    expect(error.message).toContain('is still held');
    expect(await readFile(lockPath, 'utf8')).toBe(foreign);
  });

  it.each([
    ['in our pid namespace', async () => ({ pidNamespace: await readlink('/proc/self/ns/pid') })],
    ['without a pid namespace', async () => ({})],
  ])('a dead pid of this host %s is taken over', async (_name, fields) => {
    const pid = await deadPid();
    await writeFile(lockPath, owner({ pid, hostname: hostname(), ...(await fields()) }));
    const unlock = await acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 10 });
    expect(JSON.parse(await readFile(lockPath, 'utf8')).pid).toBe(process.pid);
    expect(sleeps).toEqual([]); // removed and taken at once, without waiting
    await unlock();
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['pid 0', owner({ pid: 0 })],
    ['a negative pid', owner({ pid: -1 })],
    ['a fractional pid', owner({ pid: 1.5 })],
    ['a pid as text', owner({ pid: '4242' })],
    ['no hostname', owner({ hostname: 7 })],
    ['an empty nonce', owner({ nonce: '' })],
    ['no nonce', JSON.stringify({ pid: 4242, hostname: 'other-host' })],
    ['null', 'null'],
    ['not JSON', '{"pid":'],
  ])('%s is no owner: the lock is an unreadable one, judged by its age', async (_name, text) => {
    await writeFile(lockPath, text);
    const error = await failure(acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 10 }));
    expect(error.message).toContain('is empty or unreadable');
    // Old enough by the file system's clock: taken over.
    const old = new Date(Date.now() - 3_600_000);
    await utimes(lockPath, old, old);
    const unlock = await acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 10 });
    await unlock();
  });
});

describe('a lock of this process', () => {
  it('is stale once released: its nonce left with it (an unlink whose answer was lost)', async () => {
    const unlock = await acquireFileLock(lockPath, { sleep: recordSleep });
    const text = await readFile(lockPath, 'utf8');
    await unlock();
    await writeFile(lockPath, text);
    const again = await acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 10 });
    expect(JSON.parse(await readFile(lockPath, 'utf8')).nonce).not.toBe(JSON.parse(text).nonce);
    await again();
  });

  it('is live while held: a second acquire in the same process waits for it', async () => {
    const unlock = await acquireFileLock(lockPath, { sleep: recordSleep });
    const error = await failure(acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 10 }));
    expect(error.message).toContain(`is still held after waiting 0 s: holder pid ${process.pid}`);
    await unlock();
  });
});

describe('guards left by removers that died', () => {
  /** A stale lock whose guard is stale, whose guard's guard is stale, ... `depth` guards deep. */
  async function chain(depth: number): Promise<number> {
    const pid = await deadPid();
    await writeFile(lockPath, owner({ pid, hostname: hostname(), nonce: 'n0' }));
    for (let i = 0; i < depth; i++) {
      await writeFile(`${lockPath}.break-n${i}`, owner({ pid, hostname: hostname(), nonce: `n${i + 1}` }));
    }
    return pid;
  }

  it('are removed up to 8 deep, the deepest first', async () => {
    await chain(8);
    const unlock = await acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 1000 });
    await unlock();
    expect(await readdir(dir)).toEqual([]);
  });

  it('a 9th is past the bound: the lock is reported, nothing is removed', async () => {
    const pid = await chain(9);
    const error = await failure(acquireFileLock(lockPath, { sleep: recordSleep, waitMs: 100 }));
    expect(error.message).toContain(`could not be removed after waiting 0.1 s: holder pid ${pid}`);
    expect(await readdir(dir)).toHaveLength(10);
  });
});

describe('file system errors', () => {
  it('a lock beside a file that is not a directory', async () => {
    await writeFile(join(dir, 'file'), '');
    const path = join(dir, 'file', 'ledger.json.lock');
    const error = await failure(acquireFileLock(path, { sleep: recordSleep }));
    expect(error).toBeInstanceOf(LedgerError);
    expect(error.message).toBe(`cannot create lock file beside ${path}`);
    expect(error.cause).toMatchObject({ code: expect.stringMatching(/^E/) });
  });

  it('a lock path that is a directory cannot be read', async () => {
    await mkdir(lockPath);
    const error = await failure(acquireFileLock(lockPath, { sleep: recordSleep }));
    expect(error).toBeInstanceOf(LedgerError);
    expect(error.message).toBe(`cannot read lock file ${lockPath}`);
    expect(error.cause).toMatchObject({ code: 'EISDIR' });
    expect((await stat(lockPath)).isDirectory()).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['ledger.json.lock']);
  });
});
