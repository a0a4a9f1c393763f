/**
 * Issue 15's scenario (b): one target whose window holds `instances` instances, a
 * tenth of them failed, sweep cap 50, DynamoDB ledger (dynalite), the emulator in this
 * process and the sweep in its own (bench/window-worker.ts, bundled, the Lambda's node
 * flags) so its peak RSS is the sweep's alone. Measured side by side with the previous
 * plan (every listed failure's entry read and held, every decision reported).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { build } from 'esbuild';
import { startEmulator } from '../emulator/server';
import type { InstanceSeed } from '../emulator/state';
import { createLedgerTable } from '../lib/ledger/create-table';
import { systemClock } from '../lib/util/time';
import { deployedNodeFlags } from './deployed-flags';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const AK = 'BENCHWINDOWACCESSKEY';
const SK = 'bench-window-secret';
const HOUR = 3_600_000;
const FIRST_FAILED_ID = 10_000_000;
/** The Lambda's NODE_OPTIONS (serverless.yml); BENCH_NODE_FLAGS overrides them for experiments. */
const WINDOW_NODE_FLAGS =
  process.env.BENCH_NODE_FLAGS !== undefined
    ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean)
    : deployedNodeFlags();

export interface WindowResult {
  wallMs: number;
  maxRssKb: number;
  heapAfterGcBytes: number;
  itemsRead: number;
  reportBytes: number;
  restarted: number;
  listed: number;
  listRequests: number;
  errors: unknown[];
}

/** `instances` spread over the last 23 h: every tenth failed (`job_${i % 40}`), the rest succeeded. */
function windowSeeds(now: number, instances: number): InstanceSeed[] {
  const seeds: InstanceSeed[] = new Array(instances);
  const failedEvery = 10;
  for (let i = 0; i < instances; i++) {
    const planTime = now - 23 * HOUR + Math.floor((i * 22 * HOUR) / instances);
    const failed = i % failedEvery === 0;
    const n = Math.floor(i / failedEvery);
    seeds[i] = {
      jobName: failed ? `job_${n % 40}` : `ok_${i % 500}`,
      instanceId: failed ? FIRST_FAILED_ID + n : i + 1,
      status: failed ? 'fail' : 'success',
      planTime,
      startTime: planTime,
      endTime: planTime + 60_000,
    };
  }
  return seeds;
}

/** One sweep of the window per mode, each on fresh data and a fresh table. */
export async function largeWindow(
  instances: number,
  dir: string,
): Promise<{ ours: WindowResult; previous: WindowResult }> {
  const worker = join(dir, 'window-worker.js');
  await build({
    entryPoints: [join(ROOT, 'bench/window-worker.ts')],
    outfile: worker,
    bundle: true,
    minify: true,
    keepNames: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    logLevel: 'error',
  });
  const ours = await sweepWindow('ours', instances, dir, worker);
  // BENCH_WINDOW_OURS=1: ours alone (experiments).
  const previous = process.env.BENCH_WINDOW_OURS
    ? ours
    : await sweepWindow('previous', instances, dir, worker);
  return { ours, previous };
}

async function sweepWindow(
  mode: 'ours' | 'previous',
  instances: number,
  dir: string,
  worker: string,
): Promise<WindowResult> {
  const dynamo = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(dynamo.address() as { port: number }).port}`;
  const table = `window-${mode}`;
  const client = { endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  await createLedgerTable(new DynamoDBClient(client), table);
  const emulator = await startEmulator({ clock: systemClock, accessKeys: { [AK]: SK } });
  const now = Date.now();
  emulator.seed(PROJECT, undefined, windowSeeds(now, instances));
  const jobPath = join(dir, `window-${mode}.json`);
  await writeFile(
    jobPath,
    JSON.stringify({
      mode,
      failed: instances / 10,
      firstId: FIRST_FAILED_ID,
      config: {
        targets: [{ name: 'bench', endpoint: emulator.url, projectId: PROJECT }],
        ledger: { type: 'dynamodb', table, endpoint, region: 'eu-west-1' },
        policy: {
          lookback: '24h',
          rateLimit: 1_000,
          concurrency: 8,
          maxRestartsPerSweep: 50,
          maxRestartsPerHour: 1_000,
          stormGuard: { enabled: false },
        },
        client: { timeout: '30s' },
      },
    }),
  );
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [...WINDOW_NODE_FLAGS, '--expose-gc', worker, jobPath],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_PATH: join(ROOT, 'node_modules'),
          HUAWEICLOUD_SDK_AK: AK,
          HUAWEICLOUD_SDK_SK: SK,
          AWS_ACCESS_KEY_ID: 'x',
          AWS_SECRET_ACCESS_KEY: 'x',
          AWS_REGION: 'eu-west-1',
          BENCH_DEBUG: process.env.BENCH_DEBUG ?? '',
        },
        maxBuffer: 1 << 24,
      },
    );
    if (process.env.BENCH_DEBUG) process.stderr.write(stderr);
    return JSON.parse(stdout) as WindowResult;
  } finally {
    await emulator.close();
    await new Promise<void>((resolve) => dynamo.close(() => resolve()));
  }
}

if (require.main === module) {
  const instances = Number(process.argv[2] ?? 1_000_000);
  largeWindow(instances, '/tmp')
    .then((r) => process.stdout.write(`${JSON.stringify(r)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    });
}
