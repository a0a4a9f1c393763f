import { readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { freshLockPath, recordedSleep } from '../support/lock-setup';

/**
 * The file lock where its other suites cannot reach: the pid namespace is read once per
 * process (so only a fresh module shows it is read at all), and the real pause between
 * two looks at a held lock, which an abort must end.
 */

type FileLock = typeof import('../../lib/ledger/file-lock');
/** The module as a new process loads it: nothing read or cached yet. */
function freshModule(): FileLock {
  let loaded: FileLock | undefined;
  jest.isolateModules(() => {
    loaded = require('../../lib/ledger/file-lock') as FileLock;
  });
  return loaded!;
}

let sleeps: number[] = [];
let dir: string;
let lockPath: string;
beforeEach(async () => {
  sleeps = [];
  ({ dir, lockPath } = await freshLockPath('lock-mutation-'));
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe('a process’s first lock', () => {
  it('names this process’s pid namespace', async () => {
    const { acquireFileLock } = freshModule();
    const unlock = await acquireFileLock(lockPath, {
      sleep: (ms) => recordedSleep(sleeps, ms),
      hostname: 'me',
    });
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toEqual({
      pid: process.pid,
      hostname: 'me',
      pidNamespace: await readlink('/proc/self/ns/pid'),
      nonce: expect.any(String),
    });
    await unlock();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('the real pause between two looks at a held lock', () => {
  it('ends at once when the signal aborts during it: the pause itself fails with the reason', async () => {
    const { acquireFileLock } = freshModule();
    const held = JSON.stringify({ pid: 4242, hostname: 'other-host', nonce: 'theirs' });
    await writeFile(lockPath, held);
    const controller = new AbortController();
    const reason = new Error('sweep cancelled');
    // The jitter of the first pause is drawn just before the pause starts: abort there.
    jest.spyOn(Math, 'random').mockImplementation(() => {
      controller.abort(reason);
      return 0;
    });
    const error = await acquireFileLock(lockPath, { signal: controller.signal, waitMs: 60_000 }).then(
      () => {
        throw new Error('expected the wait to be aborted');
      },
      (caught: unknown) => caught as Error & { cause?: unknown },
    );
    // Had the pause ignored the signal, it would have run out and the next look would
    // have thrown the reason itself; the pause aborted throws an AbortError carrying it.
    expect(error.name).toBe('AbortError');
    expect(error.cause).toBe(reason);
    expect(Math.random).toHaveBeenCalledTimes(1);
    expect(await readFile(lockPath, 'utf8')).toBe(held);
    expect(await readdir(dir)).toEqual(['ledger.json.lock']);
  });
});
