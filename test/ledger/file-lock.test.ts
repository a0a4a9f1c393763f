import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { LedgerError } from '../../lib/errors';
import { acquireFileLock, LEGACY_STALE_MS } from '../../lib/ledger/file-lock';
import { deadPid, freshLockPath } from '../support/lock-setup';

const HOUR = 3_600_000;
/** Instead of real waiting: lets the other contenders run, and counts the time "slept". */
let slept = 0;
const fakeSleep = (ms: number) => {
  slept += ms;
  return new Promise<void>((done) => setImmediate(done));
};
const options = { sleep: fakeSleep, waitMs: 200 };

let dir: string;
let lockPath: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  slept = 0;
  ({ dir, lockPath } = await freshLockPath('file-lock-'));
});

afterAll(() => {
  for (const child of children) child.kill();
});

function lockOf(pid: number, host = hostname(), nonce = `nonce-${pid}`): string {
  return JSON.stringify({ pid, hostname: host, nonce });
}

let live: Promise<number> | undefined;

/** A process that stays alive for the whole test file (one for all tests: spawning is slow). */
function livePid(): Promise<number> {
  live ??= (async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1e5)'], { stdio: 'ignore' });
    children.push(child);
    await once(child, 'spawn');
    return child.pid!;
  })();
  return live;
}

/** Sets `path`'s mtime `offsetMs` from a file written now, by the file system's clock. */
async function setAgeByFileSystem(path: string, ageMs: number): Promise<void> {
  const probe = join(dir, 'probe');
  await writeFile(probe, '');
  const when = new Date((await stat(probe)).mtimeMs - ageMs);
  await utimes(path, when, when);
}

describe('acquireFileLock', () => {
  it('writes a complete owner record and leaves no temporary files', async () => {
    const unlock = await acquireFileLock(lockPath, options);
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toEqual(
      expect.objectContaining({ pid: process.pid, hostname: hostname(), nonce: expect.any(String) }),
    );
    expect(await readdir(dir)).toEqual(['ledger.json.lock']);
    await unlock();
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['hours in the past', -5 * HOUR],
    ['hours in the future', 5 * HOUR],
  ])('never breaks a live process lock whose mtime is %s', async (_, offset) => {
    const pid = await livePid();
    await writeFile(lockPath, lockOf(pid));
    const when = new Date(Date.now() + offset);
    await utimes(lockPath, when, when);

    const error = await acquireFileLock(lockPath, options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as Error).message).toContain(`pid ${pid}`);
    expect(await readFile(lockPath, 'utf8')).toBe(lockOf(pid));
  });

  it('takes over the lock of a dead process on this host', async () => {
    const pid = await deadPid();
    await writeFile(lockPath, lockOf(pid));
    const unlock = await acquireFileLock(lockPath, options);
    expect(JSON.parse(await readFile(lockPath, 'utf8')).pid).toBe(process.pid);
    await unlock();
  });

  it('takes over a lock left by an earlier process that had our pid', async () => {
    await writeFile(lockPath, lockOf(process.pid, hostname(), 'from-before-a-restart'));
    const unlock = await acquireFileLock(lockPath, options);
    expect(JSON.parse(await readFile(lockPath, 'utf8')).nonce).not.toBe('from-before-a-restart');
    await unlock();
  });

  it('never breaks another host’s lock, and says who holds it after waitMs', async () => {
    const pid = await deadPid(); // dead here, but it is another host's pid
    await writeFile(lockPath, lockOf(pid, 'build-7.example'));
    const error = await acquireFileLock(lockPath, options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as Error).message).toMatch(
      new RegExp(`${lockPath}.*pid ${pid} on host build-7\\.example.*if that process is gone, delete`),
    );
    expect(slept).toBeGreaterThanOrEqual(200);
    expect(await readFile(lockPath, 'utf8')).toBe(lockOf(pid, 'build-7.example'));
  });

  it('takes over an empty lock once the file system says it is old', async () => {
    await writeFile(lockPath, '');
    await setAgeByFileSystem(lockPath, LEGACY_STALE_MS + 5_000);
    const unlock = await acquireFileLock(lockPath, options);
    expect(JSON.parse(await readFile(lockPath, 'utf8')).pid).toBe(process.pid);
    await unlock();
  });

  it('waits for a fresh empty lock (an older version between create and write)', async () => {
    await writeFile(lockPath, '');
    await setAgeByFileSystem(lockPath, 1_000);
    await expect(acquireFileLock(lockPath, options)).rejects.toThrow(/empty or unreadable.*delete it/);
    expect(await readFile(lockPath, 'utf8')).toBe('');
  });

  it('removes the guard of a remover that died, then the stale lock', async () => {
    const holder = await deadPid();
    await writeFile(lockPath, lockOf(holder));
    await writeFile(`${lockPath}.break-nonce-${holder}`, lockOf(holder, hostname(), 'dead-remover'));
    const unlock = await acquireFileLock(lockPath, options);
    await unlock();
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves a stale lock alone while a live process holds its guard', async () => {
    const holder = await deadPid();
    await writeFile(lockPath, lockOf(holder));
    await writeFile(`${lockPath}.break-nonce-${holder}`, lockOf(await livePid()));
    await expect(acquireFileLock(lockPath, options)).rejects.toThrow(LedgerError);
    expect(await readFile(lockPath, 'utf8')).toBe(lockOf(holder));
  });

  it('gives the lock to exactly one of many contenders breaking the same stale lock', async () => {
    for (let round = 0; round < 10; round++) {
      await writeFile(lockPath, lockOf(await deadPid(), hostname(), `round-${round}`));
      let holders = 0;
      let most = 0;
      const contender = async () => {
        const unlock = await acquireFileLock(lockPath, { sleep: fakeSleep, waitMs: 60_000 });
        most = Math.max(most, ++holders);
        for (let i = 0; i < 3; i++) await fakeSleep(0);
        holders--;
        await unlock();
      };
      await Promise.all(Array.from({ length: 8 }, contender));
      expect(most).toBe(1);
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it('unlock removes only its own lock', async () => {
    const unlock = await acquireFileLock(lockPath, options);
    await writeFile(lockPath, lockOf(process.pid, hostname(), 'someone-else'));
    await unlock();
    expect(await readFile(lockPath, 'utf8')).toBe(lockOf(process.pid, hostname(), 'someone-else'));
  });

  it('unlocking twice does not release the next holder', async () => {
    const first = await acquireFileLock(lockPath, options);
    await first();
    const second = await acquireFileLock(lockPath, options);
    await first();
    expect(await readdir(dir)).toEqual(['ledger.json.lock']);
    await second();
  });

  it('stops waiting when the signal aborts', async () => {
    await writeFile(lockPath, lockOf(await livePid()));
    const controller = new AbortController();
    const sleep = async () => controller.abort(new Error('sweep cancelled'));
    await expect(
      acquireFileLock(lockPath, { sleep, signal: controller.signal, waitMs: 60_000 }),
    ).rejects.toThrow('sweep cancelled');
    expect(await readdir(dir)).toEqual(['ledger.json.lock']);
  });

  it('serializes processes: 4 processes breaking a stale lock, then 50 increments each, count to 200', async () => {
    const counter = join(dir, 'counter.json');
    await writeFile(counter, '{"count":0}');
    await writeFile(lockPath, lockOf(await deadPid())); // they start by racing to break it
    const script = join(dir, 'increment.ts');
    await writeFile(script, incrementScript(resolve(__dirname, '../../lib/ledger/file-lock')));
    const runs = Array.from({ length: 4 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, lockPath, counter], {
        cwd: resolve(__dirname, '../..'),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      return once(child, 'exit').then(([code]) => ({ code, stderr }));
    });
    for (const run of await Promise.all(runs)) expect(run).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(await readFile(counter, 'utf8'))).toEqual({ count: 200 });
  }, 60_000);
});

/** A child process that increments the counter 50 times, each read-change-write under the lock. */
function incrementScript(modulePath: string): string {
  return `
import { readFile, rename, writeFile } from 'node:fs/promises';
import { acquireFileLock } from ${JSON.stringify(modulePath)};
const [lockPath, counter] = process.argv.slice(2);
(async () => {
  for (let i = 0; i < 50; i++) {
    const unlock = await acquireFileLock(lockPath, { waitMs: 30_000 });
    try {
      const data = JSON.parse(await readFile(counter, 'utf8'));
      await new Promise((done) => setImmediate(done)); // widen the window a lost update would need
      data.count += 1;
      await writeFile(counter + '.' + process.pid, JSON.stringify(data));
      await rename(counter + '.' + process.pid, counter);
    } finally {
      await unlock();
    }
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;
}
