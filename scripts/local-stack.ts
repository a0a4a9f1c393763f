/**
 * `npm run local-stack`: the DataArts emulator and dynalite on 127.0.0.1, seeded, so
 * that `npx serverless invoke local -f sweep` runs the real handler against them.
 * Prints the command to run; with `--invoke` it runs it once and exits (used by the tests).
 *
 * The emulator listens where examples/local-stack.json points (18080), or on
 * LOCAL_STACK_PORT (0: a free one; then the printed sweep reads a copy of that config
 * pointing at the port it got).
 */

import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { PortInUseError } from '../emulator/listen';
import { startEmulator } from '../emulator/server';
import { createLedgerTable } from '../lib/ledger/create-table';

const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const AK = 'LOCALSTACKACCESSKEY1';
const SK = 'local-stack-secret-key';
const MIN = 60_000;
/** The command-line config the printed sweep uses, relative to the package root (npm's cwd). */
const EXAMPLE = 'examples/local-stack.json';

/** A wrong LOCAL_STACK_PORT: said in one line, like a port in use. */
class PortSettingError extends Error {
  override readonly name = 'PortSettingError';
}

type ExampleConfig = { targets: [{ endpoint: string }, ...unknown[]] } & Record<string, unknown>;

/** LOCAL_STACK_PORT, or the port examples/local-stack.json points at, so that it works as written. */
function portToServe(env: NodeJS.ProcessEnv, example: ExampleConfig): number {
  const text = env.LOCAL_STACK_PORT;
  if (text === undefined || text === '') return Number(new URL(example.targets[0].endpoint).port);
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535)
    throw new PortSettingError(
      `LOCAL_STACK_PORT must be a port from 0 to 65535 (0: a free one), got "${text}"`,
    );
  return port;
}

/** The config for the printed sweep: the example itself, or a copy aimed at `url`, removed when this ends. */
async function sweepConfig(example: ExampleConfig, url: string): Promise<string> {
  if (example.targets[0].endpoint === url) return EXAMPLE;
  const dir = await mkdtemp(join(tmpdir(), 'local-stack-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  // Ctrl-C would end the process without 'exit' (and so leave the copy behind).
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  const { $schema: _, targets, ...rest } = example;
  const [first, ...others] = targets;
  const path = join(dir, 'local-stack.json');
  await writeFile(
    path,
    `${JSON.stringify({ targets: [{ ...first, endpoint: url }, ...others], ...rest }, null, 2)}\n`,
  );
  return path;
}

async function main(): Promise<void> {
  const invoke = process.argv[2] === '--invoke';
  const example = JSON.parse(await readFile(EXAMPLE, 'utf8')) as ExampleConfig;
  // --invoke (the tests) takes any free port: it prints no config to run by hand.
  const port = invoke ? 0 : portToServe(process.env, example);
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
  if (invoke) {
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
  const config = await sweepConfig(example, emulator.url);
  process.stdout.write(
    `DataArts emulator: ${emulator.url}\ndynalite: ${ledgerEndpoint}\n\nIn another terminal:\n\n  npx serverless ${args.map(shellQuoted).join(' ')}\n\nor the command line (${config}):\n\n  HUAWEICLOUD_SDK_AK=${AK} HUAWEICLOUD_SDK_SK=${SK} npm run sweep -- --config ${shellQuoted(config)} --dry-run\n\nCtrl-C stops both.\n`,
  );
}

function shellQuoted(word: string): string {
  return /^[\w./:=@-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** One line for the user; a port in use or a wrong LOCAL_STACK_PORT says how to choose another. */
function describeFailure(error: unknown): string {
  if (error instanceof PortInUseError)
    return `local-stack: ${error.message}; choose another with LOCAL_STACK_PORT=<port>, or LOCAL_STACK_PORT=0 for a free one`;
  if (error instanceof PortSettingError) return `local-stack: ${error.message}`;
  return `local-stack failed: ${String(error)}`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${describeFailure(error)}\n`);
  process.exitCode = 1;
});
