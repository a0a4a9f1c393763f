import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { HistoryEvent } from '../../lib/cli/ledger-view';
import { runCli } from '../../lib/cli/main';
import { createLedgerTable } from '../../lib/ledger/create-table';
import type { SweepReport } from '../../lib/sweep/report';
import { dynaliteClient } from '../support/dynamo';
import { AK, emulatorWithClock, PROJECT, SK, T0 } from '../support/targets';
import { fakeIo } from './fake-io';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
let dir: string;

async function cli(args: string[]) {
  const io = fakeIo({ env: { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK }, now: () => clock.now() });
  const code = await runCli(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

const failed = (startTime: number) => ({
  jobName: '销售日报',
  instanceId: 11,
  status: 'fail' as const,
  planTime: T0 - 60 * MIN,
  startTime,
  endTime: startTime + 5 * MIN,
});

type LedgerKind = 'file' | 'dynamodb';

async function configFor(kind: LedgerKind): Promise<string> {
  let ledger: Record<string, unknown> = { type: 'file', path: join(dir, 'ledger.json') };
  if (kind === 'dynamodb') {
    const table = `cli-${randomUUID().slice(0, 8)}`;
    await createLedgerTable(dynaliteClient(), table);
    ledger = { type: 'dynamodb', table, endpoint: process.env.DYNALITE_ENDPOINT, region: 'eu-west-1' };
  }
  const path = join(dir, 'sweep.json');
  await writeFile(
    path,
    JSON.stringify({
      targets: [{ name: 'prod', endpoint: emulator.url, projectId: PROJECT }],
      ledger,
      policy: { maxAttempts: 1, firstRetryDelay: '1m', rateLimit: 1000 },
      display: { timeZone: 'Asia/Shanghai' },
    }),
  );
  return path;
}

const saved = { ...process.env };
beforeAll(() => {
  // The AWS SDK reads its credentials from the process environment (dynalite accepts any).
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});
afterAll(() => {
  process.env = saved;
});

beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
  dir = await mkdtemp(join(tmpdir(), 'cli-history-'));
});
afterEach(async () => emulator.close());

describe.each(['file', 'dynamodb'] as const)('history and reset on the %s ledger', (kind) => {
  it('an exhausted budget, reset with a reason, is restarted again by the next sweep', async () => {
    const config = await configFor(kind);
    emulator.seed(PROJECT, undefined, [failed(T0 - 40 * MIN)]);
    expect((await cli(['--config', config])).code).toBe(0);
    expect(emulator.restarts(11)).toBe(1);

    // The rerun failed again: a newer failure, and the budget (1) is used.
    clock.advance(30 * MIN);
    emulator.seed(PROJECT, undefined, [failed(T0 + 10 * MIN)]);
    const exhausted = JSON.parse((await cli(['--config', config, '--json'])).stdout) as SweepReport;
    expect(exhausted.totals).toEqual({ 'budget-exhausted': 1 });

    const dry = await cli([
      'reset',
      '--config',
      config,
      '--instance',
      '11',
      '--reason',
      'fixed the source',
      '--dry-run',
    ]);
    expect(dry.stdout).toContain('would reset  prod/default/销售日报/11: 1 attempt(s) cleared');
    expect(JSON.parse((await cli(['--config', config, '--json', '--dry-run'])).stdout).totals).toEqual({
      'budget-exhausted': 1,
    });

    const refused = await cli(['reset', '--config', config, '--instance', '11']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('invalid --reason: is required');

    const reset = await cli([
      'reset',
      '--config',
      config,
      '--job',
      '销售日报',
      '--reason',
      'fixed the source',
    ]);
    expect(reset).toMatchObject({
      code: 0,
      stdout: 'reset  prod/default/销售日报/11: 1 attempt(s) cleared\n',
    });

    const again = JSON.parse((await cli(['--config', config, '--json'])).stdout) as SweepReport;
    expect(again.restarted).toEqual([
      expect.objectContaining({ instanceId: '11', attempt: 1, maxAttempts: 1 }),
    ]);
    expect(emulator.count('restart')).toBe(2);

    const history = JSON.parse(
      (await cli(['history', '--config', config, '--instance', '11', '--json'])).stdout,
    );
    const events = history.events as Array<HistoryEvent & { at: string }>;
    expect(events.map((e) => [e.kind, e.outcome ?? e.reason])).toEqual([
      ['attempt', 'restarted'],
      ['reset', 'fixed the source'],
      ['attempt', 'restarted'],
    ]);
    expect(events[1]).toMatchObject({ by: 'tester@test-host', target: 'prod', jobName: '销售日报' });

    const table = await cli(['history', '--config', config, '--target', 'prod']);
    expect(table.stdout).toMatch(/GMT\+8\s+prod\s+default\s+销售日报\s+11\s+1\s+restarted/);
    expect(table.stdout).toMatch(/reset\s+by tester@test-host: fixed the source/);
  });

  it('refuses to reset an attempt in flight, and history shows it in flight', async () => {
    const config = await configFor(kind);
    emulator.seed(PROJECT, undefined, [failed(T0 - 40 * MIN)]);
    emulator.inject({ route: 'restart', kind: 'hang' });
    const io = fakeIo({ env: { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK }, now: () => clock.now() });
    const sweep = runCli(['--config', config, '--json'], io);
    while (emulator.count('restart') === 0) await new Promise((resolve) => setImmediate(resolve));
    const refused = await cli(['reset', '--config', config, '--instance', '11', '--reason', 'r']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^refused {2}prod\/default\/销售日报\/11: attempt 1 is in flight until /);
    const history = JSON.parse(
      (await cli(['history', '--config', config, '--job', '销售日报', '--json'])).stdout,
    );
    expect(history.events).toEqual([expect.objectContaining({ kind: 'attempt', outcome: 'in-flight' })]);
    io.interrupt();
    await sweep;
  });
});

it('history and reset need a selector, and reset more than a target', async () => {
  const config = join(await mkdtemp(join(tmpdir(), 'cli-sel-')), 'c.json');
  await writeFile(
    config,
    JSON.stringify({
      targets: [{ name: 'p', endpoint: 'https://x.example', projectId: 'p' }],
      ledger: { type: 'file', path: join(dir, 'l.json') },
    }),
  );
  ({ emulator, clock } = await emulatorWithClock());
  expect((await cli(['history', '--config', config])).stderr).toContain(
    '--target NAME, --job NAME and/or --instance ID',
  );
  expect((await cli(['reset', '--config', config, '--target', 'p', '--reason', 'x'])).stderr).toContain(
    'reset needs --instance ID or --job NAME',
  );
  expect(await cli(['history', '--config', config, '--target', 'p'])).toMatchObject({
    code: 0,
    stdout: `no ledger entry matches\nledger: file ${join(dir, 'l.json')}\n`,
  });
  await emulator.close();
});
