/**
 * The table the command line prints (lib/sweep/format-table.ts): what an operator reads
 * must name its columns and list every restart on its own row, however many there are.
 */
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import { formatTable } from '../../lib/sweep/format-table';
import type { DecisionRecord } from '../../lib/sweep/report';
import { fixedReport } from '../support/fixed-report';
import type { ManualClock } from '../support/manual-clock';
import { MemoryLedger } from '../support/memory-ledger';
import { sweeper } from '../support/sweep-setup';
import { emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
});
afterEach(async () => emulator.close());

function failures(count: number): InstanceSeed[] {
  return Array.from({ length: count }, (_, i) => {
    const endTime = T0 - 40 * MIN - (count - i) * 1000;
    return {
      jobName: `job_${i}`,
      instanceId: 1 + i,
      status: 'fail',
      planTime: endTime - 10 * MIN,
      startTime: endTime - 10 * MIN,
      endTime,
      runMs: 10 * MIN,
    };
  });
}

async function sweepOf(count: number, cap: number) {
  emulator.seed(PROJECT, undefined, failures(count));
  const policy = { maxRestartsPerSweep: cap, maxRestartsPerHour: 1000 };
  return sweeper(emulator, clock, new MemoryLedger(), policy).run();
}

const words = (line: string | undefined) => line?.trim().split(/\s{2,}/);

describe('the sweep table', () => {
  it('names the columns of the targets and of the decisions', async () => {
    const lines = formatTable(await sweepOf(3, 10)).split('\n');
    expect(words(lines[2])).toEqual([
      'TARGET',
      'WORKSPACE',
      'LISTED',
      'RESTARTED',
      'SKIPPED',
      'DEFERRED',
      'ERRORS',
      'STORM',
      'API CALLS',
    ]);
    expect(lines.some((line) => /^OUTCOME\s+TARGET\s+JOB\s+INSTANCE\s+ATTEMPT\s+WHY\s*$/.test(line))).toBe(
      true,
    );
  }, 60_000);

  it('names them in Chinese for a zh-CN reader', async () => {
    const lines = formatTable(await sweepOf(3, 10), { locale: 'zh-CN' }).split('\n');
    expect(words(lines[2])).toEqual([
      '目标',
      '工作空间',
      '列出',
      '已重跑',
      '跳过',
      '顺延',
      '错误',
      '风暴',
      'API 调用',
    ]);
    expect(lines.some((line) => /^结果\s+目标\s+作业\s+实例\s+次数\s+原因\s*$/.test(line))).toBe(true);
  }, 60_000);

  it('says on its first line that a dry run restarted and recorded nothing', async () => {
    emulator.seed(PROJECT, undefined, failures(2));
    const report = await sweeper(emulator, clock, new MemoryLedger()).run({ dryRun: true });
    expect(formatTable(report).split('\n')[0]).toMatch(
      / {2}\[DRY RUN: nothing restarted, nothing recorded\]$/,
    );
    expect(formatTable(report, { locale: 'zh-CN' }).split('\n')[0]).toMatch(/ {2}\[演练：未重跑，未记录\]$/);
  }, 60_000);

  it('lists each restart on its own row, more than a folded run of another outcome', async () => {
    const report = await sweepOf(16, 8);
    expect(report.restarted).toHaveLength(8);
    const table = formatTable(report);
    const restartedRows = table.split('\n').filter((line) => /^restarted\s/.test(line));
    expect(restartedRows).toHaveLength(8);
    expect(table).toMatch(/sweep-cap\s*×8\b/);
  }, 60_000);
});

const decision = (outcome: DecisionRecord['outcome'], jobName: string, detail = outcome): DecisionRecord => ({
  target: 'cn4-prod',
  workspace: 'default',
  jobName,
  instanceId: jobName,
  status: 'fail',
  outcome,
  detail,
});

describe('the decision rows', () => {
  it('come in the order of what was done, then what needs attention, then every other reason', () => {
    // Job names sort the other way round, so only the outcome's rank can put them in this order.
    const report = fixedReport({
      decisions: [
        decision('superseded', 'job_0'),
        decision('backing-off', 'job_1'),
        decision('error', 'job_2'),
        decision('restarted', 'job_3'),
      ],
    });
    const outcomes = formatTable(report)
      .split('\n')
      .filter((line) => /\sjob_\d\s/.test(line))
      .map((line) => line.split(/\s+/)[0]);
    expect(outcomes).toEqual(['restarted', 'error', 'backing-off', 'superseded']);
  });

  it('show a time with milliseconds (as toISOString writes it) in display.timeZone', () => {
    const report = fixedReport({
      decisions: [decision('backing-off', 'job_0', 'backing off until 2026-11-24T08:03:00.250Z')],
    });
    const table = formatTable(report, { timeZone: 'Asia/Shanghai' });
    expect(table).toContain('backing off until 2026-11-24 16:03:00 GMT+8');
    expect(table).not.toContain('08:03:00');
  });
});
