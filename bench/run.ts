/**
 * `npm run bench` (or `-- --quick`): every figure measured in one run on this machine.
 *   1. sweep at scale against the emulator (latency, rate limit) and dynalite, vs the physical bound
 *   2. the naive peer on the same data
 *   3. cold start: bundle size and load time, ours vs bundled SDK vs Huawei SDK core signer
 *   4. policy throughput: decide() over 100,000 instances
 *
 * Two kinds of result. Checks are counts and ratios that machine load cannot move
 * (every failed instance restarted, API calls / minimum, no instance rerun twice in
 * one sweep, no 429 while our rate is within the emulator's limit): a failed check
 * fails the run, in both modes. Time and memory figures depend on the machine and
 * its load: the full run prints them against their targets (PASS/MISS), `--quick`
 * (CI, a shared and noisy machine) prints them as `info` and never fails on them.
 */

import { execFile } from 'node:child_process';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { build } from 'esbuild';
import { type Emulator, startEmulator } from '../emulator/server';
import type { InstanceSeed } from '../emulator/state';
import { parseConfig } from '../lib/config/parse';
import type { Instance } from '../lib/dataarts/instance';
import { createLedgerTable } from '../lib/ledger/create-table';
import type { LedgerEntry } from '../lib/ledger/ledger';
import { decide } from '../lib/policy/decide';
import { resolveRule } from '../lib/policy/rules';
import { writeMeasuredBlock } from '../scripts/doc-block';
import { deployedNodeFlags } from './deployed-flags';
import { fiftyTargets } from './fifty-targets';
import { incidentDayBench } from './incident-day';
import { naiveSweep } from './naive';
import { scaleScenarios } from './scale';

const run = promisify(execFile);
/** The Lambda's NODE_OPTIONS (serverless.yml): the sweep is measured as deployed. */
const DEPLOYED_NODE_FLAGS = deployedNodeFlags();
const quick = process.argv.includes('--quick');
const sweepOnly = process.argv.includes('--sweep-only');
/** Scenario 5 alone (bench/fifty-targets.ts): 50 targets on one credential. */
const fiftyOnly = process.argv.includes('--fifty');
/** Issue 15's scenarios alone (bench/scale.ts): per-user limit, idle sweeps, file ledger at scale. */
const scaleOnly = process.argv.includes('--scale');
/** The simulated outage day alone (bench/incident-day.ts): incidents on vs today's storm guard. */
const incidentDayOnly = process.argv.includes('--incident-day');
/** Writes the printed lines into the bench block of docs/dev/performance.md (scripts/doc-block.ts). */
const writeDocs = process.argv.includes('--write-docs');
const S = quick
  ? {
      instances: 2_000,
      failed: 200,
      jobs: 40,
      rate: 200,
      latencyMs: 5,
      concurrency: 16,
      coldRuns: 5,
      decisions: 20_000,
    }
  : {
      instances: 20_000,
      failed: 2_000,
      jobs: 200,
      rate: 100,
      latencyMs: 50,
      // About rate x round trip (50 ms API + the two ledger writes): 100/s x ~80 ms.
      concurrency: 8,
      coldRuns: 11,
      decisions: 100_000,
    };
/** The emulator's own limit (429 beyond it); our configured rate is S.rate. */
const EMULATOR_RATE = S.rate;
/**
 * Most API calls per the minimum. The fixed extra calls (the listing's first page, the
 * skipped statuses' listings) weigh more on the quick run's 200 restarts than on 2,000.
 */
const CALLS_LIMIT = quick ? 1.1 : 1.01;
const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const AK = 'BENCHACCESSKEY000001';
const SK = 'bench-secret-key';
const MIN = 60_000;
const ROOT = join(__dirname, '..');

function seeds(now: number): InstanceSeed[] {
  const every = Math.floor(S.instances / S.failed);
  return Array.from({ length: S.instances }, (_, i) => {
    const failed = i % every === 0 && i / every < S.failed;
    const planTime = now - 23 * 60 * MIN + Math.floor((i * 22 * 60 * MIN) / S.instances);
    return {
      jobName: failed ? `job_${(i / every) % S.jobs}` : `ok_job_${i % 500}`,
      instanceId: 100_000 + i,
      status: failed ? 'fail' : 'success',
      planTime,
      startTime: planTime,
      endTime: planTime + 5 * MIN,
    };
  });
}

async function emulatorWithData(now: number): Promise<Emulator> {
  const emulator = await startEmulator({
    clock: { now: () => Date.now() },
    accessKeys: { [AK]: SK },
    latencyMs: S.latencyMs,
    rateLimit: { perSecond: EMULATOR_RATE },
  });
  emulator.seed(PROJECT, undefined, seeds(now));
  return emulator;
}

async function bundle(entry: string, outfile: string, externalSdk: boolean): Promise<number> {
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    minify: true,
    keepNames: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: externalSdk ? ['@aws-sdk/*'] : [],
    logLevel: 'error',
  });
  return (await stat(outfile)).size;
}

/** Median ms for a fresh node process to load the bundle (which builds the handler's clients). */
async function coldLoad(file: string): Promise<number> {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const times: number[] = [];
  for (let i = 0; i < S.coldRuns; i++) {
    const { stdout } = await run(process.execPath, ['-e', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', NODE_PATH: join(ROOT, 'node_modules') },
    });
    times.push(Number(stdout));
  }
  return median(times);
}

/** Scenario 5, run by the deployed handler bundled like the Lambda, with the deployed flags. */
async function fiftyScenario(dir: string) {
  const worker = join(dir, 'fifty-worker.js');
  await bundle('bench/fifty-worker.ts', worker, true);
  return fiftyTargets({ dir, worker, nodeFlags: DEPLOYED_NODE_FLAGS, quick, root: ROOT });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-'));
  const lines: string[] = [];
  const out = (line: string) => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  out(
    `dataarts-autoretry benchmark${quick ? ' (quick)' : ''}: node ${process.version}, ${S.instances} instances, ${S.failed} failed across ${S.jobs} jobs, emulator ${S.latencyMs} ms latency, ${EMULATOR_RATE} req/s limit, our rate ${S.rate}/s`,
  );

  if (fiftyOnly) {
    const fifty = await fiftyScenario(dir);
    for (const row of fifty.rows) out(row);
    out('');
    out(fifty.final);
    return;
  }

  if (incidentDayOnly) {
    const day = await incidentDayBench();
    const block = [
      ...day.lines,
      `checks: ${day.checks.map((c) => `${c.label} ${c.ok ? 'PASS' : 'FAIL'}`).join('; ')}`,
    ];
    for (const line of block) out(line);
    if (writeDocs) {
      const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
      writeMeasuredBlock(join(ROOT, 'docs/dev/performance.md'), 'incident-day', command, block);
    }
    if (day.checks.some((c) => !c.ok)) process.exitCode = 1;
    return;
  }

  if (scaleOnly) {
    const scale = await scaleScenarios(quick, out);
    out('');
    for (const line of scale.lines) out(line);
    out(`checks: ${scale.checks.map((c) => `${c.label} ${c.ok ? 'PASS' : 'FAIL'}`).join('; ')}`);
    if (scale.checks.some((c) => !c.ok)) process.exitCode = 1;
    return;
  }

  // --- 1. Our sweep at scale -------------------------------------------------
  const dynamo = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', () => resolve()));
  const port = (dynamo.address() as { port: number }).port;
  const ledgerEndpoint = `http://127.0.0.1:${port}`;
  await createLedgerTable(
    new DynamoDBClient({
      endpoint: ledgerEndpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
    'bench-ledger',
  );
  const now = Date.now();
  const emulator = await emulatorWithData(now);
  const configPath = join(dir, 'config.json');
  const rawConfig = {
    targets: [{ name: 'bench', endpoint: emulator.url, projectId: PROJECT }],
    ledger: { type: 'dynamodb', table: 'bench-ledger', endpoint: ledgerEndpoint, region: 'eu-west-1' },
    policy: {
      rateLimit: S.rate,
      concurrency: S.concurrency,
      maxRestartsPerSweep: 100_000,
      maxRestartsPerHour: 1_000_000,
      stormGuard: { enabled: false },
      // BENCH_POLICY (JSON) adds policy keys, e.g. failure rules, to measure what they cost.
      ...(process.env.BENCH_POLICY ? (JSON.parse(process.env.BENCH_POLICY) as Record<string, unknown>) : {}),
    },
  };
  await writeFile(configPath, JSON.stringify(rawConfig));
  const worker = join(dir, 'sweep-worker.js');
  await bundle('bench/sweep-worker.ts', worker, true);
  type WorkerResult = {
    wallMs: number;
    maxRssKb: number;
    restarted: number;
    apiCalls: { list: number; restart: number; show: number };
  };
  const sweepOnce = async (flags: string[]): Promise<WorkerResult> => {
    const { stdout, stderr } = await run(process.execPath, [...flags, worker, configPath], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        BENCH_DEBUG: process.env.BENCH_DEBUG ?? '',
        NODE_PATH: join(ROOT, 'node_modules'),
        HUAWEICLOUD_SDK_AK: AK,
        HUAWEICLOUD_SDK_SK: SK,
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_REGION: 'eu-west-1',
      },
      maxBuffer: 1 << 24,
    });
    if (process.env.BENCH_DEBUG) process.stderr.write(stdout + stderr);
    return JSON.parse(stdout) as WorkerResult;
  };
  // BENCH_NODE_FLAGS overrides the deployed flags, for experiments.
  const flags =
    process.env.BENCH_NODE_FLAGS !== undefined
      ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean)
      : DEPLOYED_NODE_FLAGS;
  const ours = await sweepOnce(flags);
  const throttled =
    emulator.count('list', 429) + emulator.count('restart', 429) + emulator.count('show', 429);
  const calls = emulator.requests.length;
  // Reruns the emulator accepted per instance in this one sweep: more than 1 is a double rerun.
  const reruns = emulator.state.all().map((i) => i.restarts);
  const maxReruns = Math.max(0, ...reruns);
  const rerunTwice = reruns.filter((n) => n > 1).length;
  await emulator.close();
  // Peak RSS with Node's default flags too, on fresh data (information, not a target).
  let defaultFlagsRssMb: number | undefined;
  if (!quick) {
    const again = await emulatorWithData(now);
    await writeFile(
      configPath,
      JSON.stringify({
        ...rawConfig,
        targets: [{ name: 'bench-2', endpoint: again.url, projectId: PROJECT }],
      }),
    );
    defaultFlagsRssMb = (await sweepOnce([])).maxRssKb / 1024;
    await again.close();
  }
  await new Promise<void>((resolve) => dynamo.close(() => resolve()));

  // The minimum: one unfiltered page (it answers the window's total, so the storm guard's
  // count too, and every status of a window under a page), the failed instances' pages
  // (this window is fuller), one restart each.
  const minCalls = Math.ceil(S.failed / 1000) + 1 + S.failed;
  const boundMs = Math.max((minCalls / S.rate) * 1000, (minCalls * S.latencyMs) / S.concurrency);
  out('');
  out('| scenario | figure | value |');
  out('|---|---|---|');
  out(`| sweep | restarted | ${ours.restarted} of ${S.failed} |`);
  out(`| sweep | wall time | ${f2(ours.wallMs / 1000)} s |`);
  out(
    `| sweep | lower bound max(calls/R, calls x latency/concurrency) | ${f2(boundMs / 1000)} s (${minCalls} calls, R=${S.rate}/s, concurrency ${S.concurrency}) |`,
  );
  out(`| sweep | measured / bound | ${f2(ours.wallMs / boundMs)} |`);
  out(
    `| sweep | API calls / minimum | ${calls} / ${minCalls} = ${f2(calls / minCalls)} (list ${ours.apiCalls.list}, restart ${ours.apiCalls.restart}, show ${ours.apiCalls.show}) |`,
  );
  out(`| sweep | 429s received | ${throttled} |`);
  out(`| sweep | most reruns of one instance (instances rerun twice) | ${maxReruns} (${rerunTwice}) |`);
  out(
    `| sweep | peak RSS of the sweep process (${DEPLOYED_NODE_FLAGS.join(' ')}, as deployed) | ${f1(ours.maxRssKb / 1024)} MB |`,
  );
  if (defaultFlagsRssMb !== undefined)
    out(`| sweep | peak RSS with Node's default flags | ${f1(defaultFlagsRssMb)} MB |`);

  // Checks: counts and ratios that load cannot move; any failure fails the run.
  const checks: Array<{ label: string; ok: boolean }> = [
    { label: `restarted ${ours.restarted} of ${S.failed}`, ok: ours.restarted === S.failed },
    {
      label: `calls ${f2(calls / minCalls)} x min (limit <= ${f2(CALLS_LIMIT)})`,
      ok: calls <= CALLS_LIMIT * minCalls,
    },
    {
      label: `reruns per instance max ${maxReruns} (limit <= 1; ${rerunTwice} rerun twice)`,
      ok: maxReruns <= 1,
    },
  ];
  // Our limiter keeps to S.rate; while that is within the emulator's limit, a 429 is a bug.
  // (The emulator's bucket holds a second of requests, so a stalled process cannot cause one.)
  if (S.rate <= EMULATOR_RATE)
    checks.push({
      label: `429s ${throttled} (limit 0: ${S.rate} req/s within the emulator's ${EMULATOR_RATE})`,
      ok: throttled === 0,
    });
  // Time and memory: targets for the full run; information only under --quick.
  const verdict = (ok: boolean) => (quick ? 'info' : ok ? 'PASS' : 'MISS');
  const finalLines: string[] = [
    `sweep: ${f2(ours.wallMs / 1000)} s = ${f2(ours.wallMs / boundMs)} x bound (target <= 1.10) ${verdict(ours.wallMs <= 1.1 * boundMs)}; peak RSS ${f1(ours.maxRssKb / 1024)} MB (target <= 128) ${verdict(ours.maxRssKb / 1024 <= 128)}`,
  ];
  const finish = () => {
    if (quick)
      out('(quick run: time and memory are information only, as load moves them; the checks line decides)');
    out('');
    for (const line of finalLines) out(line);
    out(`checks: ${checks.map((c) => `${c.label} ${c.ok ? 'PASS' : 'FAIL'}`).join('; ')}`);
    if (writeDocs) {
      const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
      writeMeasuredBlock(join(ROOT, 'docs/dev/performance.md'), 'bench', command, lines);
    }
    const failed = checks.filter((c) => !c.ok);
    if (failed.length) {
      process.stderr.write(`bench FAILED: ${failed.map((c) => c.label).join('; ')}\n`);
      process.exitCode = 1;
    }
  };

  if (sweepOnly) {
    finish();
    return;
  }

  // --- 2. The naive peer --------------------------------------------------------
  const naiveEmulator = await emulatorWithData(now);
  const naiveStart = performance.now();
  const naive = await naiveSweep(naiveEmulator.url, PROJECT, AK, SK, now - 24 * 60 * MIN, now);
  const naiveMs = performance.now() - naiveStart;
  await naiveEmulator.close();
  out(`| naive | wall time (${naive.calls} calls, ${naive.restarted} restarted) | ${f2(naiveMs / 1000)} s |`);
  out(
    `| naive | naive / ours | ${f2(naiveMs / ours.wallMs)}x (the bound allows ${f2(naiveMs / boundMs)}x) |`,
  );

  // --- 3. Cold start ------------------------------------------------------------
  const oursBundle = join(dir, 'ours.js');
  const sdkBundle = join(dir, 'ours-sdk-bundled.js');
  const peerBundle = join(dir, 'peer.js');
  const sizes = {
    ours: await bundle('handlers/sweep.ts', oursBundle, true),
    sdk: await bundle('handlers/sweep.ts', sdkBundle, false),
    peer: await bundle('bench/peer-handler.ts', peerBundle, true),
  };
  const cold = {
    ours: await coldLoad(oursBundle),
    sdk: await coldLoad(sdkBundle),
    peer: await coldLoad(peerBundle),
  };
  out(
    `| cold start | ours: bundle, median load (${S.coldRuns} processes) | ${f1(sizes.ours / 1024)} KB, ${f1(cold.ours)} ms |`,
  );
  out(`| cold start | ours with @aws-sdk bundled | ${f1(sizes.sdk / 1024)} KB, ${f1(cold.sdk)} ms |`);
  out(
    `| cold start | peer: signing with Huawei SDK core | ${f1(sizes.peer / 1024)} KB, ${f1(cold.peer)} ms |`,
  );

  // --- 4. Policy throughput -------------------------------------------------------
  const config = parseConfig({ ...rawConfig, ledger: { type: 'file', path: 'x' } });
  const instances: Instance[] = Array.from({ length: S.decisions }, (_, i) => ({
    jobName: `job_${i % 500}`,
    instanceId: String(i),
    status: i % 3 === 0 ? 'fail' : 'success',
    instanceType: 0,
    planTime: now - 60 * MIN,
    endTime: now - 30 * MIN,
  }));
  const entries: Array<LedgerEntry | undefined> = instances.map((inst, i) =>
    i % 2
      ? undefined
      : {
          target: 'b',
          workspace: 'default',
          jobName: inst.jobName,
          instanceId: inst.instanceId,
          attempts: i % 4,
          outcomes: {},
          expiresAt: 0,
          notBefore: now - MIN,
        },
  );
  const decideTimes: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    for (let i = 0; i < instances.length; i++) {
      const instance = instances[i] as Instance;
      decide(instance, entries[i], resolveRule(instance.jobName, config.policy), now, {
        policy: config.policy,
      });
    }
    decideTimes.push(performance.now() - t);
  }
  const decideMs = median(decideTimes);
  out(`| policy | decide() x ${S.decisions} (median of 5) | ${f1(decideMs)} ms |`);

  // --- 5. Fifty targets on one credential (bench/fifty-targets.ts) ---------------------
  const fifty = await fiftyScenario(dir);
  for (const row of fifty.rows) out(row);

  // --- 6. Issue 15: per-user limit, idle sweeps, the file ledger at scale (bench/scale.ts) ---
  const scale = await scaleScenarios(quick, () => undefined);
  checks.push(...scale.checks);

  // --- Final lines, one per scenario ------------------------------------------------
  const speedupTarget = 0.9 * (naiveMs / boundMs);
  const decideTarget = 200 * (S.decisions / 100_000);
  finalLines.push(
    `naive: ${f2(naiveMs / ours.wallMs)}x faster than the naive peer (target >= ${f2(speedupTarget)}) ${verdict(naiveMs / ours.wallMs >= speedupTarget)}; the peer restarted ${naive.restarted} of ${S.failed} ${verdict(naive.restarted === S.failed)}`,
    `cold start: ${f1(cold.ours)} ms median load, ${f1(sizes.ours / 1024)} KB (target <= 150 ms) ${verdict(cold.ours <= 150)}; peer ${f1(cold.peer)} ms, ${f1(sizes.peer / 1024)} KB`,
    `policy: ${S.decisions} decisions in ${f1(decideMs)} ms (target < ${decideTarget} ms) ${verdict(decideMs < decideTarget)}`,
    fifty.final,
    ...scale.lines,
  );
  finish();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
