/**
 * `npm run local-stack`: the DataArts emulator and dynalite on 127.0.0.1, seeded, so
 * that `npx serverless invoke local -f sweep` runs the real handler against them.
 * Prints the command to run; with `--invoke` it runs it once and exits (used by the tests).
 */

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { startEmulator } from '../emulator/server';
import { createLedgerTable } from '../lib/ledger/create-table';

const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const AK = 'LOCALSTACKACCESSKEY1';
const SK = 'local-stack-secret-key';
const MIN = 60_000;

async function main(): Promise<void> {
  // A fixed port, so examples/local-stack.json works as written; --invoke (the tests) takes any free one.
  const port = process.argv[2] === '--invoke' ? 0 : Number(process.env.LOCAL_STACK_PORT ?? 18080);
  const emulator = await startEmulator({ clock: { now: () => Date.now() }, accessKeys: { [AK]: SK }, port });
  const now = Date.now();
  emulator.seed(PROJECT, undefined, [
    {
      jobName: 'ods_orders_daily',
      instanceId: 5001,
      status: 'fail',
      planTime: now - 90 * MIN,
      endTime: now - 60 * MIN,
    },
    {
      jobName: 'dwd_user_profile',
      instanceId: 5002,
      status: 'fail',
      planTime: now - 80 * MIN,
      endTime: now - 50 * MIN,
    },
    {
      jobName: 'ads_manual_backfill',
      instanceId: 5003,
      status: 'fail',
      instanceType: 2,
      planTime: now - 70 * MIN,
      endTime: now - 40 * MIN,
    },
  ]);
  const dynamo = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', () => resolve()));
  const address = dynamo.address();
  const ledgerEndpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const table = 'dataarts-autoretry-local-ledger';
  await createLedgerTable(
    new DynamoDBClient({
      endpoint: ledgerEndpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    table,
  );
  const env: Record<string, string> = {
    AUTORETRY_TARGETS: JSON.stringify([{ name: 'local', endpoint: emulator.url, projectId: PROJECT }]),
    LEDGER_TABLE: table,
    LEDGER_ENDPOINT: ledgerEndpoint,
    SECRET_ARN: 'env',
    TOPIC_NAME: 'none',
    HUAWEICLOUD_SDK_AK: AK,
    HUAWEICLOUD_SDK_SK: SK,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'eu-west-1',
  };
  const args = [
    'invoke',
    'local',
    '-f',
    'sweep',
    '--data',
    process.argv[3] ?? '{"dryRun":false}',
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
  ];
  if (process.argv[2] === '--invoke') {
    try {
      // Asynchronous: the emulator and dynalite answer from this process meanwhile.
      const { stdout } = await promisify(execFile)('npx', ['serverless', ...args], {
        env: { ...process.env, ...env },
      });
      process.stdout.write(stdout);
      process.stdout.write(`\nEMULATOR restarts accepted: ${emulator.count('restart', 204)}\n`);
    } catch (error) {
      process.stdout.write(String((error as { stdout?: string }).stdout ?? ''));
      throw error;
    } finally {
      await emulator.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    }
    return;
  }
  const quoted = args.map((a) => (/^[\w./:=@-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
  process.stdout.write(
    `DataArts emulator: ${emulator.url}\ndynalite: ${ledgerEndpoint}\n\nIn another terminal:\n\n  npx serverless ${quoted}\n\nor the command line (examples/local-stack.json):\n\n  HUAWEICLOUD_SDK_AK=${AK} HUAWEICLOUD_SDK_SK=${SK} npm run sweep -- --config examples/local-stack.json --dry-run\n\nCtrl-C stops both.\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`local-stack failed: ${String(error)}\n`);
  process.exitCode = 1;
});
