/**
 * Issue 15's scenarios, each measured side by side with the previous approach in the
 * same run and printed as one line with its target:
 *   (a) N targets on one credential against a per-user limit: throttled answers,
 *       restarts lost, wall time vs calls / limit (ours: one Account per credential;
 *       previous: one limiter per target, as before lib/dataarts/account.ts);
 *   (b) a window of 1,000,000 instances, 100,000 failed, sweep cap 50 (bench/large-window.ts):
 *       peak RSS, heap after GC, ledger items read, report bytes, wall time (ours; previous:
 *       every listed failure's entry read and held, every decision reported);
 *   (c) idle sweeps: list requests per idle target (ours: one unfiltered page;
 *       previous: three status listings and a count);
 *   (5) the file ledger at 100,000 entries: claims per second (ours: an appended
 *       line; previous: rewriting the whole JSON file per claim).
 * Run alone with `npx tsx bench/scale.ts [--quick]`, or as part of `npm run bench`.
 */
import { copyFile, mkdtemp, open, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '../emulator/server';
import type { InstanceSeed } from '../emulator/state';
import { parseConfig } from '../lib/config/parse';
import { buildLedger } from '../lib/ledger/build-ledger';
import { FileLedger } from '../lib/ledger/file-ledger';
import { acquireFileLock } from '../lib/ledger/file-lock';
import type { ClaimRequest, InstanceKey } from '../lib/ledger/ledger';
import { applyClaim, type LedgerState } from '../lib/ledger/ledger-state';
import { runSweep } from '../lib/sweep/sweep';
import { systemClock } from '../lib/util/time';
import { buildTargets } from '../lib/wiring';
import { largeWindow, type WindowResult } from './large-window';

const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const AK = 'BENCHSCALEACCESSKEY1';
const SK = 'bench-scale-secret';
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const CREDENTIALS = { kind: 'aksk', ak: AK, sk: SK } as const;

export interface ScaleResult {
  /** One line per scenario, with its target and PASS/MISS (`info` under --quick for timings). */
  lines: string[];
  /** Counts that load cannot move: a failure fails the run in both modes. */
  checks: Array<{ label: string; ok: boolean }>;
}

const f2 = (n: number) => n.toFixed(2);
const workspaces = (n: number) => Array.from({ length: n }, (_, i) => `ws${i}`);

function failedSeeds(now: number, count: number, firstId: number): InstanceSeed[] {
  return Array.from({ length: count }, (_, i) => {
    const planTime = now - 20 * 60 * MIN + Math.floor((i * 18 * 60 * MIN) / count);
    return {
      jobName: `job_${i % 40}`,
      instanceId: firstId + i,
      status: 'fail',
      planTime,
      startTime: planTime,
      endTime: planTime + 5 * MIN,
    };
  });
}

function sweepConfig(emulator: Emulator, names: string[], rate: number, ledgerPath: string) {
  return parseConfig({
    targets: names.map((ws) => ({ name: ws, endpoint: emulator.url, projectId: PROJECT, workspace: ws })),
    ledger: { type: 'file', path: ledgerPath },
    policy: {
      rateLimit: rate,
      concurrency: 4,
      maxRestartsPerSweep: 100_000,
      maxRestartsPerHour: 1_000_000,
      stormGuard: { enabled: false },
    },
  });
}

/**
 * (a) `targets` targets of one credential, `failed` failures spread over them, the
 * emulator limiting the user to `limit` requests/s (429 beyond it), our rate set to
 * that documented limit. `shared`: one Account for the credential (ours); otherwise
 * each target gets its own limiter (the previous wiring).
 */
async function perUserLimit(shared: boolean, targets: number, failed: number, limit: number) {
  const emulator = await startEmulator({
    clock: systemClock,
    accessKeys: { [AK]: SK },
    latencyMs: 20,
    rateLimit: { perSecond: limit },
  });
  const names = workspaces(targets);
  const now = Date.now();
  names.forEach((ws, i) => {
    emulator.seed(PROJECT, ws, failedSeeds(now, failed / targets, 1_000_000 + i * 100_000));
  });
  const dir = await mkdtemp(join(tmpdir(), 'bench-scale-'));
  const config = sweepConfig(emulator, names, limit, join(dir, 'ledger.json'));
  const built = shared
    ? buildTargets(config, CREDENTIALS, systemClock)
    : names.flatMap((ws) =>
        buildTargets(
          { ...config, targets: config.targets.filter((t) => t.name === ws) },
          CREDENTIALS,
          systemClock,
        ),
      );
  const started = performance.now();
  const report = await runSweep({
    config,
    targets: built,
    ledger: buildLedger(config.ledger),
    clock: systemClock,
  });
  const wallMs = performance.now() - started;
  const calls = emulator.requests.length;
  const throttled = emulator.requests.filter((r) => r.status === 429).length;
  await emulator.close();
  return { wallMs, calls, throttled, restarted: report.restarted.length, boundMs: (calls / limit) * 1000 };
}

/** (c) `targets` idle targets (successes only, under a page each): list requests per target. */
async function idleSweeps(targets: number, previous: boolean) {
  const emulator = await startEmulator({ clock: systemClock, accessKeys: { [AK]: SK } });
  const names = workspaces(targets);
  const now = Date.now();
  names.forEach((ws, t) => {
    emulator.seed(
      PROJECT,
      ws,
      Array.from({ length: 800 }, (_, i) => ({
        jobName: `ok_${i % 60}`,
        instanceId: t * 10_000 + i + 1,
        status: 'success',
        planTime: now - (i + 1) * MIN,
      })),
    );
  });
  const dir = await mkdtemp(join(tmpdir(), 'bench-idle-'));
  // The defaults, storm guard on: the guard's total comes from the same page.
  const withGuard = parseConfig({
    targets: names.map((ws) => ({ name: ws, endpoint: emulator.url, projectId: PROJECT, workspace: ws })),
    ledger: { type: 'file', path: join(dir, 'ledger.json') },
    policy: { rateLimit: 1_000, concurrency: 8 },
  });
  const built = buildTargets(withGuard, CREDENTIALS, systemClock);
  if (previous) {
    // The plan before issue 15: three status listings and a count for the storm guard.
    const window = { from: now - DAY, to: now };
    for (const { client } of built) {
      for (const status of ['fail', 'manual-stop', 'running-exception'])
        await client.listInstances(window, { status });
      await client.countInstances(window);
    }
  } else {
    await runSweep({
      config: withGuard,
      targets: built,
      ledger: buildLedger(withGuard.ledger),
      clock: systemClock,
    });
  }
  const requests = emulator.requests.filter((r) => r.route === 'list').length;
  await emulator.close();
  return requests / targets;
}

const ledgerKey = (i: number): InstanceKey => ({
  target: 'bench',
  workspace: 'default',
  jobName: `job_${i % 500}`,
  instanceId: String(i),
});
const claimAt = (now: number): ClaimRequest => ({
  expectedAttempts: 0,
  maxAttempts: 3,
  now,
  notBefore: now + 10 * MIN,
  expiresAt: now + 14 * DAY,
  claimId: 'bench',
  leaseUntil: now + MIN,
  failureAt: now - MIN,
  observedAt: now,
});

/** A version 1 JSON ledger of `entries` entries, as the previous file ledger wrote it. */
async function jsonLedger(path: string, entries: number, now: number): Promise<void> {
  const state: LedgerState = { instances: {}, hourly: {}, incidents: {} };
  for (let i = 0; i < entries; i++) applyClaim(state, ledgerKey(i), claimAt(now), () => undefined);
  // Version 1 had no incident boards.
  const { incidents: _none, ...written } = state;
  await writeFile(path, JSON.stringify({ version: 1, ...written }));
}

/** The previous file ledger's claim: lock, read and parse the whole file, change, rewrite, fsync, rename. */
async function rewritingClaim(path: string, key: InstanceKey, request: ClaimRequest): Promise<void> {
  const unlock = await acquireFileLock(`${path}.lock`, { waitMs: 30_000 });
  try {
    const data = JSON.parse(await readFile(path, 'utf8')) as LedgerState & { version: 1 };
    if (!applyClaim(data, key, request)) throw new Error('bench claim refused');
    const temporary = `${path}.tmp`;
    const handle = await open(temporary, 'w');
    await handle.writeFile(JSON.stringify(data));
    await handle.sync();
    await handle.close();
    await rename(temporary, path);
  } finally {
    await unlock();
  }
}

/** Claims per second on a ledger of `entries` entries: ours (after migrating the JSON file) and the previous. */
async function claimRate(entries: number, claims: number, previousClaims: number) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-ledger-'));
  const now = Date.now();
  const json = join(dir, 'v1.json');
  await jsonLedger(json, entries, now);
  const ours = join(dir, 'ledger.json');
  await copyFile(json, ours);
  const ledger = new FileLedger(ours);
  let t = performance.now();
  await ledger.claim(ledgerKey(entries), claimAt(now)); // migrates the JSON file to the log
  const migrateMs = performance.now() - t;
  t = performance.now();
  for (let i = 1; i <= claims; i++) await ledger.claim(ledgerKey(entries + i), claimAt(now));
  const oursPerSecond = claims / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let i = 1; i <= previousClaims; i++) await rewritingClaim(json, ledgerKey(entries + i), claimAt(now));
  const previousPerSecond = previousClaims / ((performance.now() - t) / 1000);
  return { oursPerSecond, previousPerSecond, migrateMs };
}

const mb = (n: number) => (n / 1_048_576).toFixed(1);

/** (b): the targets are load-proof counts (items read, report bytes); peak RSS and time are PASS/MISS in the full run. */
async function windowScenario(
  quick: boolean,
  out: (line: string) => void,
  checks: ScaleResult['checks'],
): Promise<string> {
  const instances = quick ? 100_000 : 1_000_000;
  const dir = await mkdtemp(join(tmpdir(), 'bench-window-'));
  const { ours, previous } = await largeWindow(instances, dir);
  out(`large window, ours: ${JSON.stringify(ours)}`);
  out(`large window, previous: ${JSON.stringify(previous)}`);
  const rssOk = ours.maxRssKb <= 160 * 1024;
  const readOk = ours.itemsRead <= 2_000;
  const reportOk = ours.reportBytes <= 1_048_576;
  checks.push(
    { label: `large window ledger items read ${ours.itemsRead} (limit 2000)`, ok: readOk },
    { label: `large window report ${mb(ours.reportBytes)} MB (limit 1)`, ok: reportOk },
    { label: `large window restarts ${ours.restarted} (want 50)`, ok: ours.restarted === 50 },
  );
  const describe = (r: WindowResult) =>
    `peak RSS ${mb(r.maxRssKb * 1024)} MB, heap after GC ${mb(r.heapAfterGcBytes)} MB, ${r.itemsRead} ledger items read, report ${mb(r.reportBytes)} MB, ${f2(r.wallMs / 1000)} s`;
  const verdict = quick ? 'info' : rssOk && readOk && reportOk ? 'PASS' : 'MISS';
  return `large window: ${instances} instances, ${instances / 10} failed, sweep cap 50: ${describe(ours)} (target <= 160 MB, <= 2000, <= 1 MB) ${verdict}; previous (every entry read, every decision reported): ${describe(previous)}`;
}

/** Every scenario of this file, in order; `out` prints a progress line. */
export async function scaleScenarios(quick: boolean, out: (line: string) => void): Promise<ScaleResult> {
  const verdict = (ok: boolean) => (quick ? 'info' : ok ? 'PASS' : 'MISS');
  const lines: string[] = [];
  const checks: ScaleResult['checks'] = [];

  const [targets, failed, limit] = quick ? [10, 200, 30] : [10, 2_000, 30];
  const ours = await perUserLimit(true, targets, failed, limit);
  out(`per-user limit, ours: ${JSON.stringify(ours)}`);
  const previous = await perUserLimit(false, targets, failed, limit);
  out(`per-user limit, previous (one limiter per target): ${JSON.stringify(previous)}`);
  const ratio = ours.wallMs / ours.boundMs;
  const lost = failed - ours.restarted;
  lines.push(
    `per-user limit: ${targets} targets on one credential, ${limit} req/s per user, ${failed} failed: ${ours.throttled} throttled, ${lost} lost, ${f2(ours.wallMs / 1000)} s = ${f2(ratio)} x calls/${limit} (target 0, 0, <= 1.10) ${verdict(ours.throttled === 0 && lost === 0 && ratio <= 1.1)}; previous (a limiter per target): ${previous.throttled} throttled, ${failed - previous.restarted} lost, ${f2(previous.wallMs / 1000)} s`,
  );
  checks.push(
    { label: `per-user limit 429s ${ours.throttled} (limit 0)`, ok: ours.throttled === 0 },
    { label: `per-user limit restarts lost ${lost} (limit 0)`, ok: lost === 0 },
  );

  const windowLine = await windowScenario(quick, out, checks);
  lines.push(windowLine);

  const idleTargets = 10;
  const idle = await idleSweeps(idleTargets, false);
  const idleBefore = await idleSweeps(idleTargets, true);
  lines.push(
    `idle: ${f2(idle)} list requests per idle target (${idleTargets} targets, 800 instances each, storm guard on; target <= 1) ${idle <= 1 ? 'PASS' : 'MISS'}; previous plan ${f2(idleBefore)}`,
  );
  checks.push({ label: `idle requests per target ${f2(idle)} (limit 1)`, ok: idle <= 1 });

  const [entries, claims, previousClaims] = quick ? [10_000, 200, 5] : [100_000, 1_000, 5];
  const big = await claimRate(entries, claims, previousClaims);
  const small = await claimRate(1_000, claims, previousClaims);
  const flat = big.oursPerSecond / small.oursPerSecond;
  lines.push(
    `file ledger: ${Math.round(big.oursPerSecond)} claims/s at ${entries} entries, ${Math.round(small.oursPerSecond)}/s at 1000 (ratio ${f2(flat)}, target >= 0.67; one-time migration of the JSON file ${Math.round(big.migrateMs)} ms) ${verdict(flat >= 0.67)}; previous (rewrite per claim): ${f2(big.previousPerSecond)}/s at ${entries}, ${f2(small.previousPerSecond)}/s at 1000`,
  );
  return { lines, checks };
}

if (require.main === module) {
  const quick = process.argv.includes('--quick');
  scaleScenarios(quick, (line) => process.stdout.write(`${line}\n`))
    .then(({ lines, checks }) => {
      for (const line of lines) process.stdout.write(`${line}\n`);
      process.stdout.write(
        `checks: ${checks.map((c) => `${c.label} ${c.ok ? 'PASS' : 'FAIL'}`).join('; ')}\n`,
      );
      if (checks.some((c) => !c.ok)) process.exitCode = 1;
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    });
}
