import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import { type Explanation, explainInstance, formatExplanation } from '../../lib/cli/explain';
import { runCli } from '../../lib/cli/main';
import { parseConfig } from '../../lib/config/parse';
import { formatTime } from '../../lib/text/time-format';
import { emulatorIo, writeSweepConfig } from '../support/cli-run';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, failedAgo, sweeper } from '../support/sweep-setup';
import { akskClient, PROJECT } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

const failed = (id: number, extra: Partial<InstanceSeed> = {}): InstanceSeed =>
  failedAgo(id, 30, {
    jobName: 'ods_orders',
    errorMessage: 'DLI queue q1 is busy',
    node: { nodeName: 'load', type: 'DLISQL' },
    ...extra,
  });

const policy = { firstRetryDelay: '1m', neverRetryOn: ['permission denied'] };

function explainWith(ledger: MemoryLedger, instanceId: string, extraPolicy: Record<string, unknown> = {}) {
  const config = parseConfig({
    targets: [{ name: 'prod', endpoint: emulator.url, projectId: PROJECT }],
    ledger: { type: 'file', path: '/unused' },
    policy: { ...policy, ...extraPolicy },
  });
  const { client } = akskClient(emulator, clock);
  return explainInstance({
    config,
    target: config.targets[0]!,
    client,
    ledger,
    now: clock.now(),
    jobName: 'ods_orders',
    instanceId,
  });
}

describe('explain', () => {
  it('shows the instance, its failure, and that a sweep would restart it now', async () => {
    emulator.seed(PROJECT, undefined, [failed(7)]);
    const e = await explainWith(new MemoryLedger(), '7');
    expect(e).toMatchObject({
      target: 'prod',
      jobName: 'ods_orders',
      instanceId: '7',
      listed: { status: 'fail' },
      failure: { errorMessage: 'DLI queue q1 is busy', failedNode: { nodeName: 'load', type: 'DLISQL' } },
      decision: { outcome: 'restart', attempt: 1, maxAttempts: 3 },
    });
    expect(e.ledger).toBeUndefined();
    expect(formatExplanation(e)).toContain('decision now: restart: would restart: attempt 1 of 3');
    // Explaining reads only.
    expect(emulator.state.all()[0]?.restarts).toBe(0);
  });

  it('lists the ledger history with times, outcomes and verdicts, and the reason it waits', async () => {
    emulator.seed(PROJECT, undefined, [failed(7, { afterScript: 'fail' })]);
    const ledger = new MemoryLedger();
    const s = sweeper(emulator, clock, ledger, policy);
    await s.run();
    // The rerun failed at 08:10; with firstRetryDelay 1m the next attempt waits until 08:11.
    clock.advance(10.5 * MIN);
    const e = await explainWith(ledger, '7');
    expect(e.ledger?.history).toEqual([{ attempt: 1, at: '2026-11-24T08:00:00Z', outcome: 'restarted' }]);
    expect(e.decision).toMatchObject({ outcome: 'backing-off', attempt: 2, maxAttempts: 3 });
    expect(formatExplanation(e)).toMatch(/attempt 1 at 2026-11-24 08:00:00 GMT\+0: restarted/);
    // A person reads its times in display.timeZone; the JSON keeps ISO UTC.
    const shanghai = formatExplanation(e, { timeZone: 'Asia/Shanghai' });
    expect(shanghai).toMatch(/attempt 1 at 2026-11-24 16:00:00 GMT\+8: restarted/);
    expect(shanghai).toContain('next not before 2026-11-24 16:08:08 GMT+8');
    expect(shanghai).not.toMatch(/ at 2026-11-24 08:00:00/);
    // After the next sweep records that the rerun failed again, explain shows the verdict.
    clock.advance(10 * MIN);
    await s.run();
    const again = await explainWith(ledger, '7');
    expect(again.ledger?.history[0]).toMatchObject({ attempt: 1, recovery: 'failed-again' });
    expect(again.ledger?.history[1]).toMatchObject({ attempt: 2, outcome: 'restarted' });
  });

  it('gives the non-retryable reason, from the message or from the failed node', async () => {
    emulator.seed(PROJECT, undefined, [
      failed(7, { errorMessage: 'Permission denied on ods.orders' }),
      failed(8, { node: { nodeName: 'prep', type: 'Shell' } }),
    ]);
    expect((await explainWith(new MemoryLedger(), '7')).decision).toMatchObject({
      outcome: 'non-retryable-failure',
      detail: 'errorMessage matches neverRetryOn "permission denied"',
    });
    expect(
      (await explainWith(new MemoryLedger(), '8', { neverRetryNodeTypes: ['Shell'] })).decision,
    ).toMatchObject({
      outcome: 'non-retryable-failure',
      detail: 'failed node prep is a Shell: in neverRetryNodeTypes',
    });
  });

  it('says so when the instance is not in the look-back', async () => {
    emulator.seed(PROJECT, undefined, [failed(7)]);
    const e = await explainWith(new MemoryLedger(), '99');
    expect(e.listed).toBeUndefined();
    expect(e.failure?.detailsError).toBe('INSTANCE_NOT_FOUND');
    expect(formatExplanation(e)).toContain('listed: not in the look-back window');
  });

  it('an instance that is not listed: says it was not found on that target in the window, exit 1', async () => {
    emulator.seed(PROJECT, undefined, [failed(7)]);
    const { config } = await writeSweepConfig(emulator.url, 'explain-', policy);
    const args = ['explain', '--config', config, '--job', 'ods_orders', '--instance', '99'];
    const text = emulatorIo(clock);
    expect(await runCli(args, text)).toBe(1);
    // In display.timeZone (UTC here), as every time a person reads.
    const from = formatTime(clock.now() - 86_400_000, 'UTC');
    const to = formatTime(clock.now(), 'UTC');
    const notFound = `decision now: not-found: instance 99 of job ods_orders is not listed on target prod from ${from} to ${to} (policy.lookback); DataArts does not know it`;
    expect(text.out()).toContain(notFound);
    expect(text.out()).not.toContain('not-failed');
    const json = emulatorIo(clock);
    expect(await runCli([...args, '--json'], json)).toBe(1);
    expect((JSON.parse(json.out()) as Explanation).decision.outcome).toBe('not-found');
  });

  it('runs as `dataarts-autoretry explain`, with --json giving one document', async () => {
    emulator.seed(PROJECT, undefined, [failed(7)]);
    const { config } = await writeSweepConfig(emulator.url, 'explain-', policy);
    const io = emulatorIo(clock);
    const code = await runCli(
      ['explain', '--config', config, '--job', 'ods_orders', '--instance', '7', '--json'],
      io,
    );
    expect({ code, err: io.err() }).toEqual({ code: 0, err: '' });
    const doc = JSON.parse(io.out()) as Explanation;
    expect(doc.decision.outcome).toBe('restart');
    const text = emulatorIo(clock);
    expect(
      await runCli(['explain', '--config', config, '--job', 'ods_orders', '--instance', 'x'], text),
    ).toBe(2);
    expect(text.err()).toContain('--instance');
  });
});
