/**
 * Scenario 5: fifty workspaces in one deployment. 50 targets on one credential, each
 * with 5,000 instances a day of which 10% failed (failures from 15 flaky jobs per
 * workspace, so the default storm guard lets them through), swept once by the
 * deployed handler, bundled like the Lambda, with the deployed policy (rate 10/s,
 * concurrency 4, 50 restarts per sweep) and its settings read from a stage
 * configuration file. Measures wall time against the per-credential bound, peak
 * RSS, the size of the Lambda's response and the restarts per target.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { startEmulator } from '../emulator/server';
import type { InstanceSeed } from '../emulator/state';
import { createLedgerTable } from '../lib/ledger/create-table';

const run = promisify(execFile);
const TARGETS = 50;
const PER_DAY = 5_000;
const FAILED_SHARE = 0.1;
const FLAKY_JOBS = 15;
const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const AK = 'BENCHACCESSKEY000050';
const SK = 'bench-fifty-secret-key';
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const MB = 1024 * 1024;

function seeds(target: number, now: number): InstanceSeed[] {
  const every = Math.round(1 / FAILED_SHARE);
  return Array.from({ length: PER_DAY }, (_, i) => {
    const failed = i % every === 0;
    const planTime = now - DAY + 30 * MIN + Math.floor((i * (DAY - 60 * MIN)) / PER_DAY);
    return {
      jobName: failed ? `flaky_${target}_${(i / every) % FLAKY_JOBS}` : `ok_${target}_${i % 250}`,
      instanceId: 10_000_000 * (target + 1) + i,
      status: failed ? 'fail' : 'success',
      planTime,
      startTime: planTime,
      endTime: planTime + 5 * MIN,
      ...(failed
        ? { errorMessage: `Task failed: java.sql.SQLException: connection reset (node ${i % 7})` }
        : {}),
    };
  });
}

export interface FiftyOptions {
  dir: string;
  /** The bundled worker (bench/fifty-worker.ts, @aws-sdk external). */
  worker: string;
  nodeFlags: readonly string[];
  quick: boolean;
  root: string;
}

/** Table rows and the one final line (with its target and PASS/MISS, or info under --quick). */
export async function fiftyTargets(options: FiftyOptions): Promise<{ rows: string[]; final: string }> {
  const latencyMs = options.quick ? 5 : 50;
  const rate = options.quick ? 100 : 10;
  const concurrency = 4;
  const dynamo = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', () => resolve()));
  const ledgerEndpoint = `http://127.0.0.1:${(dynamo.address() as { port: number }).port}`;
  const client = new DynamoDBClient({
    endpoint: ledgerEndpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await createLedgerTable(client, 'fifty-ledger');
  const now = Date.now();
  const emulator = await startEmulator({
    clock: { now: () => Date.now() },
    accessKeys: { [AK]: SK },
    latencyMs,
    rateLimit: { perSecond: rate * 2 },
  });
  const targets = Array.from({ length: TARGETS }, (_, t) => {
    const workspace = `${String(t).padStart(2, '0')}c1e2f3a4b5c6d7e8f90a1b2c3d4e5f6`.slice(0, 32);
    emulator.seed(PROJECT, workspace, seeds(t, now));
    return { name: `analytics-${t}`, endpoint: emulator.url, projectId: PROJECT, workspace };
  });
  const stageFile = join(options.dir, 'fifty.json');
  await writeFile(stageFile, JSON.stringify({ targets, policy: { rateLimit: rate, concurrency } }));
  const resultFile = join(options.dir, 'fifty-result.json');
  try {
    const { stdout } = await run(process.execPath, [...options.nodeFlags, options.worker, resultFile], {
      cwd: options.root,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: join(options.root, 'node_modules'),
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_REGION: 'eu-west-1',
        SECRET_ARN: 'env',
        HUAWEICLOUD_SDK_AK: AK,
        HUAWEICLOUD_SDK_SK: SK,
        TOPIC_NAME: 'none',
        STAGE: 'bench',
        LEDGER_TABLE: 'fifty-ledger',
        LEDGER_ENDPOINT: ledgerEndpoint,
        AUTORETRY_CONFIG_FILE: stageFile,
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
      maxBuffer: 1 << 28,
    });
    const r = JSON.parse(await readFile(resultFile, 'utf8')) as {
      wallMs: number;
      maxRssKb: number;
      responseBytes: number;
      truncated: { omitted: Record<string, number> } | null;
      listed: number;
      restartedPerTarget: number[];
      apiCalls: { list: number; restart: number; show: number };
    };
    const calls = r.apiCalls.list + r.apiCalls.restart + r.apiCalls.show;
    const boundMs = Math.max((calls / rate) * 1000, (calls * latencyMs) / concurrency);
    const perTarget = { min: Math.min(...r.restartedPerTarget), max: Math.max(...r.restartedPerTarget) };
    const logBytes = Buffer.byteLength(stdout);
    const f2 = (n: number) => n.toFixed(2);
    const verdict = (ok: boolean) => (options.quick ? 'info' : ok ? 'PASS' : 'MISS');
    const fair = perTarget.min >= 1 && perTarget.max - perTarget.min <= 1;
    const rows = [
      `| fifty | ${TARGETS} targets x ${PER_DAY}/day at ${FAILED_SHARE * 100}% failed, one credential (${rate} req/s, concurrency ${concurrency}, ${latencyMs} ms latency) | ${r.listed} failed listed, ${calls} calls (list ${r.apiCalls.list}, restart ${r.apiCalls.restart}) |`,
      `| fifty | wall time / per-credential bound max(calls/R, calls x latency/concurrency) | ${f2(r.wallMs / 1000)} s / ${f2(boundMs / 1000)} s = ${f2(r.wallMs / boundMs)} |`,
      `| fifty | peak RSS of the invocation (as deployed) | ${(r.maxRssKb / 1024).toFixed(1)} MB |`,
      `| fifty | Lambda response | ${(r.responseBytes / 1024).toFixed(1)} KB (decisions left out: ${r.truncated?.omitted.decisions ?? 0}; detail logged: ${(logBytes / MB).toFixed(2)} MB of log lines) |`,
      `| fifty | restarts per target | ${perTarget.min}..${perTarget.max} (sum ${r.restartedPerTarget.reduce((a, b) => a + b, 0)}) |`,
    ];
    const final = `fifty: ${f2(r.wallMs / 1000)} s = ${f2(r.wallMs / boundMs)} x per-credential bound (target <= 1.25) ${verdict(r.wallMs <= 1.25 * boundMs)}; response ${(r.responseBytes / 1024).toFixed(0)} KB (target < 1024) ${r.responseBytes < MB ? 'PASS' : 'FAIL'}; restarts per target ${perTarget.min}..${perTarget.max} (target: every target >= 1, spread <= 1) ${fair ? 'PASS' : 'FAIL'}; peak RSS ${(r.maxRssKb / 1024).toFixed(1)} MB (target <= 256) ${verdict(r.maxRssKb / 1024 <= 256)}`;
    return { rows, final };
  } finally {
    await emulator.close();
    await new Promise<void>((resolve) => dynamo.close(() => resolve()));
  }
}
