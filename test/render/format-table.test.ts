/**
 * The table the command line prints (lib/render/format-table.ts): what an operator reads
 * must name its columns and list every restart on its own row, however many there are.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { displayWidth } from '../../lib/render/display-width';
import { formatTable } from '../../lib/render/format-table';
import type { DecisionRecord } from '../../lib/sweep/report';
import { fixedReport } from '../support/fixed-report';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, failuresSecondsApart, sweeper } from '../support/sweep-setup';
import { tableReport } from '../support/table-report';
import { PROJECT } from '../support/targets';

let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

/** `count` failures of as many jobs. */
const failures = (count: number) => failuresSecondsApart(count, { jobs: count });

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

const decision = (
  outcome: DecisionRecord['outcome'],
  jobName: string,
  detail: string = outcome,
): DecisionRecord => ({
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

// Every part of the table at once, written out whole: a word, a count, a section or an
// order that changes shows here (the sweeps above check the table against real sweeps).
const WHOLE_EN = `dataarts-autoretry sweep 5f0c1a2b at 2026-11-24T08:00:00Z

TARGET      WORKSPACE  LISTED  RESTARTED  SKIPPED  DEFERRED  ERRORS           STORM      API CALLS
cn4-prod    default    23      2          15       2         1                SUSPECTED  9
cn4-backup  default    0       0          1        0         0 + AUTH_FAILED  no         1

OUTCOME           TARGET      JOB            INSTANCE  ATTEMPT  WHY
restarted         cn4-prod    ods_a          101       1/3      attempt 1 of 3
restarted         cn4-prod    ods_b          102       2/3      attempt 2 of 3
error             cn4-prod    ods_e          201                answered 400 (DLF.3051)
deferred          cn4-prod    late_a         401                deferred
deferred          cn4-prod    late_b         402                deferred
target-halted     cn4-backup  ods_h          801                target-halted
budget-exhausted  cn4-prod    dws_close      301       3/3      budget-exhausted
storm-guard ×8    cn4-prod    across 3 jobs                     storm suspected on this target (--all lists each)
backing-off       cn4-prod    bk_0           600                backing off until 2026-11-24 08:03:00 GMT+0
backing-off       cn4-prod    bk_1           601                backing off until 2026-11-24 08:03:00 GMT+0
backing-off       cn4-prod    bk_2           602                backing off until 2026-11-24 08:03:00 GMT+0
backing-off       cn4-prod    bk_3           603                backing off until 2026-11-24 08:03:00 GMT+0
backing-off       cn4-prod    bk_4           604                backing off until 2026-11-24 08:03:00 GMT+0
superseded        cn4-prod    aaa_job        501                superseded

STORM SUSPECTED: cn4-prod: 21 distinct jobs failed (limit 20); look for a shared cause (cluster, source, storage)

Retry budget exhausted, needs a human (2):
  cn4-prod / workspace default / job dws_close / instance 301: 3/3 attempts used, restarted
  cn4-prod / workspace default / job dws_open / instance 302: 3/3 attempts used, n/a

Unconfirmed attempts, counted (1):
  cn4-prod / workspace default / job ods_b / instance 102: attempt 2/3, RESTART_TIMEOUT

Not swept: target errors (1):
  cn4-backup: AUTH_FAILED: APIGW.0301: incorrect IAM authentication information

2 restarted, 2 exhausted, 2 errors, 1 unconfirmed, 2 deferred in 3120 ms
`;

const WHOLE_ZH = `dataarts-autoretry 巡检 5f0c1a2b，开始于 2026-11-24 16:00:00 GMT+8

目标        工作空间  列出  已重跑  跳过  顺延  错误             风暴  API 调用
cn4-prod    default   23    2       15    2     1                疑似  9
cn4-backup  default   0     0       1     0     0 + AUTH_FAILED  否    1

结果              目标        作业       实例  次数  原因
restarted         cn4-prod    ods_a      101   1/3   已重跑（第 1/3 次）
restarted         cn4-prod    ods_b      102   2/3   已重跑（第 2/3 次）
error             cn4-prod    ods_e      201         重跑请求失败：answered 400 (DLF.3051)
deferred          cn4-prod    late_a     401         巡检时间用完，未轮到该实例
deferred          cn4-prod    late_b     402         巡检时间用完，未轮到该实例
target-halted     cn4-backup  ods_h      801         目标已停止（认证或账本失败）
budget-exhausted  cn4-prod    dws_close  301   3/3   允许的重跑次数均已用完（3/3）
storm-guard ×8    cn4-prod    3 个作业               同时失败过多，疑有共同原因（--all 逐条列出）
backing-off       cn4-prod    bk_0       600         等待重试间隔：不早于 2026-11-24 16:03:00 GMT+8
backing-off       cn4-prod    bk_1       601         等待重试间隔：不早于 2026-11-24 16:03:00 GMT+8
backing-off       cn4-prod    bk_2       602         等待重试间隔：不早于 2026-11-24 16:03:00 GMT+8
backing-off       cn4-prod    bk_3       603         等待重试间隔：不早于 2026-11-24 16:03:00 GMT+8
backing-off       cn4-prod    bk_4       604         等待重试间隔：不早于 2026-11-24 16:03:00 GMT+8
superseded        cn4-prod    aaa_job    501         同一作业更新的实例已成功

疑似故障风暴：cn4-prod：21 个不同作业失败（上限 20）；请排查共同原因（集群、数据源、存储）

重试次数已用尽，需人工处理（2）：
  cn4-prod / 工作空间 default / 作业 dws_close / 实例 301：已用 3/3 次，已重跑
  cn4-prod / 工作空间 default / 作业 dws_open / 实例 302：已用 3/3 次，无

结果未确认的重跑，已计入次数（1）：
  cn4-prod / 工作空间 default / 作业 ods_b / 实例 102：第 2/3 次，RESTART_TIMEOUT

未能巡检的目标（1）：
  cn4-backup：AUTH_FAILED: APIGW.0301: incorrect IAM authentication information

已重跑 2，重试用尽 2，错误 2，未确认 1，顺延 2，耗时 3120 毫秒
`;

describe('the whole table', () => {
  it('reads, in English, in UTC', () => {
    expect(formatTable(tableReport())).toBe(WHOLE_EN);
  });

  it('reads, in Chinese, in Asia/Shanghai', () => {
    expect(formatTable(tableReport(), { locale: 'zh-CN', timeZone: 'Asia/Shanghai' })).toBe(WHOLE_ZH);
  });

  it('of a quiet sweep has no decisions and no sections, only its totals', () => {
    const quiet = fixedReport({ decisions: [], exhausted: [], unconfirmed: [], errors: [], restarted: [] });
    expect(formatTable(quiet).split('\n')).toEqual([
      'dataarts-autoretry sweep 5f0c1a2b at 2026-11-24T08:00:00Z',
      '',
      'TARGET    WORKSPACE  LISTED  RESTARTED  SKIPPED  DEFERRED  ERRORS  STORM  API CALLS',
      'cn4-prod  default    19      14         4        0         1       no     19',
      '',
      '0 restarted, 0 exhausted, 0 errors in 3120 ms',
      '',
    ]);
  });

  it('names the unknown statuses of each target, quoted as answered, in English and Chinese', () => {
    const report = tableReport();
    report.targets[0]!.unknownStatuses = { FAIL: 2, 'fail ': 1, '\u001b[2J': 1 };
    const lines = formatTable(report).split('\n');
    const at = lines.indexOf('Unknown statuses (unknown-status), never retried (4):');
    expect(at).toBeGreaterThan(0);
    expect(lines[at - 1]).toBe('');
    // Quoted: a trailing space shows, and a control character never reaches the terminal.
    expect(lines[at + 1]).toBe('  cn4-prod: "FAIL" ×2, "fail " ×1, "\\u001b[2J" ×1');
    const zh = formatTable(report, { locale: 'zh-CN' }).split('\n');
    expect(zh).toContain('未知状态（unknown-status），不会重跑（4）：');
    expect(zh).toContain('  cn4-prod："FAIL" ×2, "fail " ×1, "\\u001b[2J" ×1');
  });

  it.each([
    [
      'en',
      { type: 'file' as const, path: '/srv/autoretry/zh-ledger.json' },
      'ledger: file /srv/autoretry/zh-ledger.json',
    ],
    [
      'zh-CN',
      { type: 'file' as const, path: '/srv/autoretry/zh-ledger.json' },
      '台账：文件 /srv/autoretry/zh-ledger.json',
    ],
    [
      'en',
      { type: 'dynamodb' as const, table: 'autoretry-prod-ledger' },
      'ledger: DynamoDB table autoretry-prod-ledger',
    ],
    [
      'zh-CN',
      { type: 'dynamodb' as const, table: 'autoretry-prod-ledger' },
      '台账：DynamoDB 表 autoretry-prod-ledger',
    ],
  ] as const)('ends (%s) naming the ledger the budgets were counted in', (locale, ledger, footer) => {
    const quiet = fixedReport({
      decisions: [],
      exhausted: [],
      unconfirmed: [],
      errors: [],
      restarted: [],
      ledger,
    });
    expect(formatTable(quiet, { locale }).split('\n').slice(-3)).toEqual([
      locale === 'en'
        ? '0 restarted, 0 exhausted, 0 errors in 3120 ms'
        : expect.stringContaining('耗时 3120 毫秒'),
      footer,
      '',
    ]);
  });

  it('names a suspected storm without its reason (the report schema lets it out) by its target alone', () => {
    const report = tableReport();
    report.targets[0]!.storm = { suspected: true, failedJobs: 21, failedInstances: 23 };
    expect(formatTable(report).split('\n')).toContain(
      'STORM SUSPECTED: cn4-prod: ; look for a shared cause (cluster, source, storage)',
    );
  });

  it('of a dry run names what would be restarted, and counts it', () => {
    const report = {
      ...tableReport(),
      dryRun: true,
      totals: { 'dry-run': 3 },
      restarted: [],
      decisions: [decision('dry-run', 'ods_a')],
    };
    report.targets[0]!.counts = { 'dry-run': 3, 'backing-off': 1 };
    const table = formatTable(report);
    expect(table).toMatch(/^cn4-prod\s+default\s+23\s+3 \(would\)\s+1\s+0\s+0\s/m);
    expect(table).toMatch(/^dry-run\s+cn4-prod\s+ods_a\s/m);
    expect(table).toContain('Retry budget would be reported as exhausted (2):');
  });

  it('paints only the outcome cells of the decisions, by what they ask of a reader', () => {
    const tag =
      (name: string) =>
      (text: string): string =>
        `<${name}>${text}</${name}>`;
    const palette = {
      red: tag('red'),
      green: tag('green'),
      yellow: tag('yellow'),
      dim: tag('dim'),
      bold: tag('bold'),
    };
    const report = tableReport();
    report.decisions.push({ ...decision('dry-run', 'ods_w'), outcome: 'dry-run' });
    const lines = formatTable(report, { palette }).split('\n');
    const colourOf = (job: string) => {
      const line = lines.find((l) => l.includes(` ${job} `)) ?? '';
      return /^<(\w+)>/.exec(line)?.[1];
    };
    expect(lines[0]).toMatch(/^<bold>dataarts-autoretry sweep 5f0c1a2b at .*<\/bold>$/);
    expect(lines.find((l) => l.includes('OUTCOME'))).not.toContain('<');
    expect(colourOf('ods_a')).toBe('green');
    expect(colourOf('ods_w')).toBe('green');
    expect(colourOf('ods_e')).toBe('red');
    expect(colourOf('ods_h')).toBe('red');
    expect(colourOf('dws_close')).toBe('yellow');
    expect(colourOf('across')).toBe('yellow');
    expect(colourOf('bk_0')).toBe('dim');
    expect(colourOf('late_a')).toBe('dim');
    // Only the outcome's cell: the job, instance and reason are plain.
    for (const line of lines.filter((l) => / (ods|bk|late)_\w+ /.test(l)))
      expect(line.replace(/^<(\w+)>[^<]*<\/\1>/, '')).not.toContain('<');
    expect(lines).toContain('<red>Not swept: target errors (1):</red>');
  });

  it('fits a terminal: the column widest for its weight gives up space (a reason keeps twice a name), ending in …', () => {
    const long = JSON.parse(
      JSON.stringify(tableReport()).replaceAll('cn4-prod', 'cn4-production-lakehouse-east'),
    );
    const tableAt = (width: number, first: RegExp) => {
      const lines = formatTable(long, { width }).split('\n');
      const start = lines.findIndex((l) => first.test(l));
      return lines.slice(start, lines.indexOf('', start));
    };
    const targets = tableAt(96, /^TARGET/);
    for (const line of targets) expect(displayWidth(line)).toBeLessThanOrEqual(96);
    expect(targets[1]).toMatch(/^cn4-pro…\s+default\s+23\s/);
    const decisions = tableAt(88, /^OUTCOME/);
    for (const line of decisions) expect(displayWidth(line)).toBeLessThanOrEqual(88);
    // The long target name gives up space first; a short reason stays whole, a long one is cut last.
    expect(decisions).toContainEqual(
      expect.stringMatching(/^budget-exhausted\s+cn4-produc…\s+dws_close\s+301\s+3\/3\s+budget-exhausted$/),
    );
    expect(decisions).toContainEqual(
      expect.stringMatching(/^storm-guard ×8\s+cn4-produc…\s+across 3 jo…\s+storm suspected on this…$/),
    );
  });
});

describe('the sweep table with decisions left out of the report', () => {
  it('a folded row counts every decision of its outcome, not the items kept', async () => {
    emulator.seed(PROJECT, undefined, failuresSecondsApart(300));
    const policy = { maxRestartsPerSweep: 5, maxRestartsPerHour: 1000 };
    const report = await sweeper(emulator, clock, new MemoryLedger(), policy).run({ itemsPerOutcome: 50 });
    expect(report.totals['sweep-cap']).toBe(295);
    expect(report.omittedDecisions?.['sweep-cap']).toBe(245);

    const table = formatTable(report);
    const row = table.split('\n').find((line) => /sweep-cap\s*×/.test(line));
    expect(row).toBeDefined();
    // What the operator reads: 295 held back by the cap, not 50.
    expect(row).toMatch(/×295\b/);
  }, 120_000);
});
