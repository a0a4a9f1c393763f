/**
 * `npm run demo`: a complete sweep against the local DataArts emulator, twice.
 * No credentials, no network: the emulator runs on 127.0.0.1 and checks real
 * AK/SK signatures; the ledger is a file in a temporary folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../emulator/manual-clock';
import { seededRandom } from '../emulator/seeded-random';
import { startEmulator } from '../emulator/server';
import { parseConfig } from '../lib/config/parse';
import { buildLedger } from '../lib/ledger/build-ledger';
import { formatTable } from '../lib/render/format-table';
import { runSweep } from '../lib/sweep/sweep';
import { buildTargets } from '../lib/wiring';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 24, 8, 0, 0);
const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const AK = 'DEMOACCESSKEY0000001';
const SK = 'demo-secret-key-only-for-the-emulator';

async function main(): Promise<void> {
  const clock = new ManualClock(T0);
  const emulator = await startEmulator({ clock, accessKeys: { [AK]: SK } });
  const folder = await mkdtemp(join(tmpdir(), 'dataarts-autoretry-demo-'));
  try {
    const ran = (minutesAgo: number) => ({
      planTime: T0 - minutesAgo * MIN - 10 * MIN,
      startTime: T0 - minutesAgo * MIN - 10 * MIN,
      endTime: T0 - minutesAgo * MIN,
      runMs: 10 * MIN,
    });
    emulator.seed(PROJECT, undefined, [
      { jobName: 'ods_orders_daily', instanceId: 1001, status: 'fail', ...ran(30), script: ['success'] },
      {
        jobName: 'dwd_user_profile',
        instanceId: 1002,
        status: 'fail',
        ...ran(20),
        script: ['fail', 'success'],
      },
      { jobName: 'dws_finance_close', instanceId: 1003, status: 'fail', ...ran(45), afterScript: 'fail' },
      { jobName: 'ods_inventory_sync', instanceId: 1004, status: 'fail', ...ran(2) },
      { jobName: 'ads_manual_backfill', instanceId: 1005, status: 'fail', instanceType: 2, ...ran(50) },
      { jobName: 'dim_region', instanceId: 1006, status: 'manual-stop', ...ran(40) },
      { jobName: 'tmp_scratch_analysis', instanceId: 1007, status: 'fail', ...ran(15) },
      { jobName: 'ods_payments', instanceId: 1008, status: 'fail', forceSuccess: true, ...ran(25) },
      { jobName: 'dwd_sessions', instanceId: 1009, status: 'success', ...ran(5) },
    ]);
    // An outage: six jobs on one DLI queue fail alike until 08:30 (docs/incidents.md).
    const queueDown = (i: number) =>
      `DLI.0005: queue 'ads_q' is unavailable: connection to 10.0.3.${10 + i}:8998 refused`;
    emulator.declareOutage({ jobs: 'ads_dli_*', until: T0 + 30 * MIN, errorMessage: queueDown(9) });
    emulator.seed(PROJECT, 'ws-analytics', [
      { jobName: 'ads_sales_report', instanceId: 2001, status: 'fail', ...ran(60) },
      ...Array.from({ length: 6 }, (_, i) => ({
        jobName: `ads_dli_${i}`,
        instanceId: 2100 + i,
        status: 'fail' as const,
        ...ran(12 - i),
        errorMessage: queueDown(i),
      })),
      {
        jobName: '日报_汇总',
        instanceId: 2002,
        status: 'running',
        planTime: T0 - 5 * MIN,
        startTime: T0 - 5 * MIN,
      },
    ]);

    const config = parseConfig({
      targets: [
        { name: 'cn-north-4-prod', endpoint: emulator.url, projectId: PROJECT },
        {
          name: 'cn-north-4-analytics',
          endpoint: emulator.url,
          projectId: PROJECT,
          workspace: 'ws-analytics',
        },
      ],
      ledger: { type: 'file', path: join(folder, 'ledger.json') },
      policy: {
        lookback: '24h',
        excludeJobs: ['tmp_*'],
        maxAttempts: 3,
        firstRetryDelay: '5m',
        backoff: { base: '10m', factor: 2, max: '2h', jitter: 'equal' },
        rules: [{ match: 'dws_finance_*', maxAttempts: 1 }],
      },
    });
    const deps = {
      config,
      targets: buildTargets(config, { kind: 'aksk', ak: AK, sk: SK }, clock),
      ledger: buildLedger(config.ledger),
      clock,
      random: seededRandom(7),
    };

    process.stdout.write('=== Sweep 1 (08:00 UTC) ===\n\n');
    process.stdout.write(formatTable(await runSweep(deps)));
    clock.advance(40 * MIN);
    process.stdout.write('\n=== 40 minutes later: the reruns have finished; sweep 2 (08:40 UTC) ===\n\n');
    process.stdout.write(formatTable(await runSweep(deps)));
    clock.advance(20 * MIN);
    process.stdout.write(
      '\n=== 20 minutes later: the canary recovered, the queue is back; sweep 3 (09:00 UTC) ===\n\n',
    );
    process.stdout.write(formatTable(await runSweep(deps)));
    process.stdout.write(
      `\nThe emulator accepted ${emulator.count('restart', 204)} restarts and verified ${emulator.requests.length} signed requests.\n`,
    );
  } finally {
    await emulator.close();
    await rm(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
