/**
 * Crash safety: the command line is killed with SIGKILL at random points (including
 * between a claim and its restart call), then swept again. Budgets stay right: no
 * rerun without a counted attempt, an interrupted attempt is counted at most once
 * and is reported as unconfirmed.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { failedSeeds } from '../../emulator/builders';
import { seededRandom } from '../../emulator/seeded-random';
import { type Emulator, startEmulator } from '../../emulator/server';
import { FileLedger } from '../../lib/ledger/file-ledger';
import type { SweepReport } from '../../lib/sweep/report';
import { AK, PROJECT, SK } from '../support/targets';

const ROOT = resolve(__dirname, '../..');
const MIN = 60_000;
const COUNT = 40;
/**
 * The command line's client settings. The timeout is generous, so that a loaded machine
 * never times a request out (this test is about kills, not timeouts); the test waits for
 * real time to pass only once, until the claims left by killed processes are stale.
 */
const CLIENT = { timeoutMs: 2_000, retries: 1, maxRetryAfterMs: 100, restartLagMs: 1_000 };
/** How long a ledger call may take (`ledger.timeout`): an attempt's settle is part of its lease. */
const LEDGER_TIMEOUT_MS = 5_000;
/** When a claim's lease is over and a sweep reports it interrupted (`leaseMs`, lib/sweep/sweep.ts). */
const STALE_CLAIM_MS =
  (CLIENT.retries + 1) * CLIENT.timeoutMs +
  CLIENT.maxRetryAfterMs * CLIENT.retries +
  LEDGER_TIMEOUT_MS +
  CLIENT.restartLagMs;

let emulator: Emulator;
let dir: string;
let configPath: string;

function runCli(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string }>;
} {
  // The built bin run by node itself: a wrapper such as tsx would leave its child
  // running when killed with SIGKILL, which is not a crash.
  const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), '--config', configPath, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK },
  });
  let stdout = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  const done = new Promise<{ code: number | null; stdout: string }>((resolveDone) =>
    child.on('exit', (code) => {
      resolveDone({ code, stdout });
    }),
  );
  return { child, done };
}

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT });
  emulator = await startEmulator({ clock: { now: () => Date.now() }, accessKeys: { [AK]: SK } });
  const now = Date.now();
  emulator.seed(
    PROJECT,
    undefined,
    // A rerun runs past the end of the test, however slow the machine: it is never listed again.
    failedSeeds(COUNT, { now, firstId: 700, extra: { runMs: 60 * MIN } }).map((seed, i) => ({
      ...seed,
      endTime: now - 30 * MIN - i,
    })),
  );
  dir = await mkdtemp(join(tmpdir(), 'crash-'));
  configPath = join(dir, 'config.json');
  await writeFile(
    configPath,
    JSON.stringify({
      targets: [{ name: 'prod', endpoint: emulator.url, projectId: PROJECT }],
      ledger: { type: 'file', path: join(dir, 'ledger.json'), timeout: `${LEDGER_TIMEOUT_MS}ms` },
      // Every restart takes a while, so kills land between claims and restarts.
      // A killed sweep never gives back the hourly allowance it reserved; the more kills land
      // early (a slow machine), the more leaks. The cap is not under test here: raised.
      policy: { concurrency: 2, rateLimit: 1000, maxRestartsPerHour: 10_000, stormGuard: { enabled: false } },
      client: {
        timeout: `${CLIENT.timeoutMs}ms`,
        retries: CLIENT.retries,
        maxRetryAfter: `${CLIENT.maxRetryAfterMs}ms`,
        restartLag: `${CLIENT.restartLagMs}ms`,
      },
    }),
  );
});
afterAll(async () => emulator.close());

it('SIGKILL at random points never double-restarts or loses an attempt', async () => {
  emulator.setLatency(40);
  const random = seededRandom(42);
  let kills = 0;
  // First, one killed exactly while its first restart request waits at the gateway: the
  // claim is written, the restart never happens. The gateway holds restarts longer than the
  // client's timeout, so only the kill can end the wait; the poll below notices the request
  // within milliseconds and has the whole timeout (2 s) to land the kill.
  emulator.setLatency(CLIENT.timeoutMs + 3_000, 'restart');
  const before = emulator.count('restart');
  const { child, done } = runCli(['--json']);
  await new Promise<void>((resolveSeen) => {
    const poll = setInterval(() => {
      if (emulator.count('restart') > before || child.exitCode !== null) {
        clearInterval(poll);
        child.kill('SIGKILL');
        resolveSeen();
      }
    }, 1);
  });
  await done;
  kills++;
  emulator.setLatency(40, 'restart');
  for (let round = 0; round < 6; round++) {
    const seen = emulator.requests.length;
    const { child, done } = runCli(['--json']);
    // Past start-up (however long it takes on this machine: from the process's first
    // request on), into the listing and the restarts.
    const delay = Math.floor(random() * 900);
    let timer: NodeJS.Timeout | undefined;
    const poll = setInterval(() => {
      if (emulator.requests.length === seen && child.exitCode === null) return;
      clearInterval(poll);
      timer = setTimeout(() => {
        if (child.exitCode === null) {
          child.kill('SIGKILL');
          kills++;
        }
      }, delay);
    }, 1);
    await done;
    clearInterval(poll);
    clearTimeout(timer);
  }
  const lastKilled = Date.now();
  emulator.setLatency(0);

  const ledger = new FileLedger(join(dir, 'ledger.json'));
  const keys = Array.from({ length: COUNT }, (_, i) => ({
    target: 'prod',
    workspace: 'default',
    jobName: `job_${i}`,
    instanceId: String(700 + i),
  }));
  const id = (key: (typeof keys)[number]) => Object.values(key).map(encodeURIComponent).join('#');
  const entries = await ledger.read(keys);
  for (const key of keys) {
    const attempts = entries.get(id(key))?.attempts ?? 0;
    const reruns = emulator.restarts(key.instanceId);
    // No rerun without a counted attempt; an attempt that never ran is counted at most once.
    expect(reruns).toBeLessThanOrEqual(attempts);
    expect(attempts).toBeLessThanOrEqual(1);
  }
  // Claimed, outcome never recorded: the restart may have run (killed just after) or not.
  // (Sweeps in later rounds may already have reported older ones as interrupted.) Found
  // from the ledger, each is reported, whether its instance is still failed or running.
  const interrupted = keys.filter((k) => entries.get(id(k))?.lastOutcome === 'in-flight');

  // Once such a claim is older than any restart could take, the next sweep reports it.
  // Every claim was taken before its process died; wait until the last one is stale.
  await new Promise((r) => setTimeout(r, Math.max(0, lastKilled + STALE_CLAIM_MS + 500 - Date.now())));
  const final = await runCli(['--json']).done;
  expect(final.code).toBe(0);
  const report = JSON.parse(final.stdout) as SweepReport;
  expect(
    report.unconfirmed
      .filter((u) => u.code === 'INTERRUPTED')
      .map((u) => u.instanceId)
      .sort(),
  ).toEqual(interrupted.map((k) => k.instanceId).sort());
  // Every instance now has exactly its first attempt; interrupted ones were not rerun twice.
  const after = await ledger.read(keys);
  for (const key of keys) {
    expect(after.get(id(key))?.attempts).toBe(1);
    // No claim of a still-failed instance stays unexplained (a running one is not listed).
    expect(after.get(id(key))?.lastOutcome).not.toBe('in-flight');
    expect(emulator.restarts(key.instanceId)).toBeLessThanOrEqual(1);
  }
  // Among them the one killed while its restart waited at the gateway: counted once, never run.
  const neverRan = keys.filter(
    (k) => after.get(id(k))?.outcomes['1']?.code === 'INTERRUPTED' && emulator.restarts(k.instanceId) === 0,
  );
  expect(neverRan.length).toBeGreaterThan(0);
  // Reported once: the sweep after that does not report them again.
  const again = JSON.parse((await runCli(['--json']).done).stdout) as SweepReport;
  expect(again.unconfirmed).toEqual([]);
  expect(kills).toBeGreaterThan(1);
}, 120_000);
