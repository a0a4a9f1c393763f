import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Instead of real waiting: records `ms` in `into` and lets the other contenders run. */
export function recordedSleep(into: number[], ms: number): Promise<void> {
  into.push(ms);
  return new Promise<void>((done) => setImmediate(done));
}

/** A fresh temporary directory and the path of a ledger's lock file in it. */
export async function freshLockPath(prefix: string): Promise<{ dir: string; lockPath: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, lockPath: join(dir, 'ledger.json.lock') };
}

let dead: Promise<number> | undefined;
/** The pid of a process that has exited (checked on each use, in case the pid was reused). */
export async function deadPid(): Promise<number> {
  dead ??= (async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(child, 'exit');
    return child.pid!;
  })();
  const pid = await dead;
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  return pid;
}
