import * as fs from 'node:fs/promises';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { LedgerError } from '../../lib/errors';
import { acquireFileLock } from '../../lib/ledger/file-lock';
import { freshLockPath, recordedSleep } from '../support/lock-setup';

/**
 * What the file system can do that a local disk never shows: a link whose answer was
 * lost (NFS), a file system without hard links, a file that cannot be removed, a
 * probe that cannot be written, a process that belongs to another user.
 */
jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
  return {
    ...actual,
    link: jest.fn(actual.link),
    unlink: jest.fn(actual.unlink),
    writeFile: jest.fn(actual.writeFile),
  };
});
const actual = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
const link = fs.link as jest.MockedFunction<typeof fs.link>;
const unlink = fs.unlink as jest.MockedFunction<typeof fs.unlink>;
const write = fs.writeFile as jest.MockedFunction<typeof fs.writeFile>;

/** The error a refused acquire ends with. */
const refused = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the lock to be refused');
    },
    (error: unknown) => error as Error,
  );
const systemError = (code: string) => Object.assign(new Error(code), { code });
let sleeps: number[] = [];
const sleep = (ms: number) => recordedSleep(sleeps, ms);
let dir: string;
let lockPath: string;
beforeEach(async () => {
  sleeps = [];
  ({ dir, lockPath } = await freshLockPath('lock-faults-'));
  link.mockImplementation(actual.link);
  unlink.mockImplementation(actual.unlink);
  write.mockImplementation(actual.writeFile);
});

describe('file lock faults', () => {
  it('a link that worked but answered EEXIST is recognised as ours', async () => {
    link.mockImplementationOnce(async (from, to) => {
      await actual.link(from, to);
      throw systemError('EEXIST');
    });
    const unlock = await acquireFileLock(lockPath, { sleep, waitMs: 100 });
    expect(sleeps).toEqual([]);
    await unlock();
    expect(await readdir(dir)).toEqual([]);
  });

  it('a guard link that worked but answered EEXIST is recognised as ours', async () => {
    const stale = JSON.stringify({
      pid: process.pid,
      hostname: hostname(),
      nonce: 'from-an-earlier-process',
    });
    await writeFile(lockPath, stale);
    link.mockImplementation(async (from, to) => {
      await actual.link(from, to);
      if (String(to).includes('.break-')) throw systemError('EEXIST');
    });
    const unlock = await acquireFileLock(lockPath, { sleep, waitMs: 100 });
    expect(sleeps).toEqual([]);
    await unlock();
    expect(await readdir(dir)).toEqual([]);
  });

  it('a file system without hard links is an error that says so', async () => {
    link.mockRejectedValue(systemError('EPERM'));
    const error = await refused(acquireFileLock(lockPath, { sleep }));
    expect(error).toBeInstanceOf(LedgerError);
    expect(error.message).toBe(
      `cannot create lock file ${lockPath} (the file system must support hard links)`,
    );
    expect(error.cause).toMatchObject({ code: 'EPERM' });
  });

  it('a lock that cannot be removed on release is an error; one already gone is not', async () => {
    const unlock = await acquireFileLock(lockPath, { sleep });
    unlink.mockRejectedValueOnce(systemError('EACCES'));
    await expect(unlock()).rejects.toMatchObject({
      name: 'LedgerError',
      message: `cannot remove ${lockPath}`,
    });
    const again = await acquireFileLock(`${lockPath}2`, { sleep });
    unlink.mockRejectedValueOnce(systemError('ENOENT'));
    await expect(again()).resolves.toBeUndefined();
  });

  it('a probe that cannot be written is an error naming the lock', async () => {
    await writeFile(lockPath, '');
    write.mockImplementation(async (path, data, options) => {
      if (String(path).endsWith('.probe')) throw systemError('ENOSPC');
      return actual.writeFile(path, data, options);
    });
    const error = await refused(acquireFileLock(lockPath, { sleep }));
    expect(error).toBeInstanceOf(LedgerError);
    expect(error.message).toBe(`cannot write a probe file beside ${lockPath}`);
    expect(error.cause).toMatchObject({ code: 'ENOSPC' });
  });

  it('a process of another user (EPERM) is alive: its lock is never broken', async () => {
    const text = JSON.stringify({ pid: 4_000_000, hostname: hostname(), nonce: 'theirs' });
    await writeFile(lockPath, text);
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => {
      throw systemError('EPERM');
    });
    const error = await refused(acquireFileLock(lockPath, { sleep, waitMs: 10 }));
    expect(kill).toHaveBeenCalledWith(4_000_000, 0);
    expect(error.message).toContain('is still held');
    expect(await readFile(lockPath, 'utf8')).toBe(text);
  });

  it('removes its probe files and closes what it opens', async () => {
    await writeFile(lockPath, '');
    const open = async () => (await readdir('/proc/self/fd')).length;
    await acquireFileLock(lockPath, { sleep, waitMs: 1 }).catch(() => undefined);
    const before = await open();
    for (let i = 0; i < 10; i++) await acquireFileLock(lockPath, { sleep, waitMs: 1 }).catch(() => undefined);
    expect(await open()).toBeLessThan(before + 10);
    expect(await readdir(dir)).toEqual(['ledger.json.lock']);
  });
});
