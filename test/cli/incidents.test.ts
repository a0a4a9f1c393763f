import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedEndedAgo } from '../../emulator/builders';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { runCli } from '../../lib/cli/main';
import { FileLedger } from '../../lib/ledger/file-ledger';
import type { SweepReport } from '../../lib/sweep/report';
import { AK, emulatorWithClock, PROJECT, SK, T0 } from '../support/targets';
import { fakeIo } from './fake-io';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
let dir: string;
let config: string;

async function cli(args: string[]) {
  const io = fakeIo({ env: { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK }, now: () => clock.now() });
  const code = await runCli(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

const outage = () =>
  Array.from({ length: 6 }, (_, i) =>
    failedEndedAgo(T0, i + 1, 20 - i, {
      jobName: `etl_${i}`,
      errorMessage: `queue etl_q unavailable: connection to 10.0.0.${i}:8998 refused`,
    }),
  );

beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
  dir = await mkdtemp(join(tmpdir(), 'incidents-cli-'));
  config = join(dir, 'sweep.json');
  await writeFile(
    config,
    JSON.stringify({
      targets: [{ name: 'prod', endpoint: emulator.url, projectId: PROJECT }],
      ledger: { type: 'file', path: join(dir, 'ledger.json') },
      policy: { rateLimit: 1000 },
      display: { timeZone: 'Asia/Shanghai' },
    }),
  );
  emulator.seed(PROJECT, undefined, outage());
});
afterEach(async () => emulator.close());

async function openIncident(): Promise<string> {
  const swept = await cli(['sweep', '--config', config, '--json']);
  const report = JSON.parse(swept.stdout) as SweepReport;
  const key = report.targets[0]?.incidents?.[0]?.causeKey;
  if (!key) throw new Error('no incident opened');
  return key;
}

describe('dataarts-autoretry incidents', () => {
  it('lists the open incidents: cause key, state, since, jobs, held, next canary, cause; times in display.timeZone', async () => {
    const key = await openIncident();
    const { code, stdout } = await cli(['incidents', '--config', config]);
    expect(code).toBe(0);
    const [header, row] = stdout.split('\n');
    expect(header?.split(/\s{2,}/)).toEqual([
      'TARGET',
      'CAUSE KEY',
      'STATE',
      'SINCE',
      'JOBS',
      'HELD',
      'PROBES',
      'NEXT CANARY',
      'CAUSE',
    ]);
    expect(row?.split(/\s{2,}/)).toEqual([
      'prod',
      key,
      'open',
      '2026-11-24 15:40:00 GMT+8',
      '6',
      '6',
      '0',
      '2026-11-24 16:15:00 GMT+8',
      'queue etl_q unavailable: connection to <host> refused',
    ]);
    expect(stdout).toContain('ledger.json');
  });

  it('closes one by hand with a reason kept in the ledger; the next sweep retries its failures', async () => {
    const key = await openIncident();
    const closed = await cli([
      'incidents',
      'close',
      key,
      '--config',
      config,
      '--target',
      'prod',
      '--reason',
      'queue resized',
    ]);
    expect(closed).toMatchObject({ code: 0 });
    expect(closed.stdout).toContain(`closed  prod ${key}`);
    const board = await new FileLedger(join(dir, 'ledger.json')).board('prod');
    expect(board.incidents[key]).toMatchObject({
      state: 'closed',
      closedBy: 'operator',
      reason: 'queue resized (by tester@test-host)',
    });
    expect((await cli(['incidents', '--config', config])).stdout).toContain('no open incident');
    expect((await cli(['incidents', '--config', config, '--closed', '--json'])).stdout).toContain(
      '"closedBy": "operator"',
    );
    clock.set(T0 + MIN);
    const after = JSON.parse((await cli(['sweep', '--config', config, '--json'])).stdout) as SweepReport;
    expect(after.restarted).toHaveLength(6);
  });

  it('refuses a close without a reason (2), of a key with no open incident (1)', async () => {
    const key = await openIncident();
    expect((await cli(['incidents', 'close', key, '--config', config, '--target', 'prod'])).code).toBe(2);
    const unknown = await cli([
      'incidents',
      'close',
      '0123456789abcdef',
      '--config',
      config,
      '--target',
      'prod',
      '--reason',
      'x',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no open incident with cause key 0123456789abcdef on target prod');
    expect(
      (await cli(['incidents', 'close', key, '--config', config, '--target', 'nope', '--reason', 'x'])).code,
    ).toBe(2);
  });

  it('explain names the cause and its incident: a failure a sweep would restart is held, the canary is not', async () => {
    const key = await openIncident();
    const held = await cli(['explain', '--config', config, '--job', 'etl_3', '--instance', '4']);
    expect(held.code).toBe(0);
    expect(held.stdout).toContain(
      `incident: open since 2026-11-24 15:40:00 GMT+8, next canary 2026-11-24 16:15:00 GMT+8: queue etl_q unavailable: connection to <host> refused (cause key ${key})`,
    );
    expect(held.stdout).toMatch(/decision now: held-by-incident/);
    clock.set(T0 + 16 * MIN);
    await cli(['sweep', '--config', config]);
    const json = JSON.parse(
      (await cli(['explain', '--config', config, '--job', 'etl_3', '--instance', '4', '--json'])).stdout,
    );
    expect(json.incident).toMatchObject({
      causeKey: key,
      state: 'probing',
      canary: { jobName: 'etl_0', instanceId: '1' },
    });
    expect(json.decision.outcome).toBe('held-by-incident');
  });

  it('--help shows its own exit codes', async () => {
    const { code, stdout } = await cli(['incidents', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('incidents close <cause-key>');
    expect(stdout).toMatch(/1\s+close: no open incident with that cause key/);
  });
});
