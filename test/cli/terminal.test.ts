import { failedSeeds } from '../../emulator/builders';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { humanLogger } from '../../lib/cli/human-logger';
import { runCli } from '../../lib/cli/main';
import { SweepProgress } from '../../lib/cli/progress';
import { NO_COLOUR, paletteFor } from '../../lib/render/colour';
import { displayWidth, truncate } from '../../lib/render/display-width';
import { formatTable } from '../../lib/render/format-table';
import { layoutTable } from '../../lib/render/layout';
import { relativeTime } from '../../lib/render/relative-time';
import type { DecisionRecord, SweepReport } from '../../lib/sweep/report';
import { emulatorIo, writeConfigFile, writeSweepConfig } from '../support/cli-run';
import { fixedReport } from '../support/fixed-report';
import { tableReport } from '../support/table-report';
import { emulatorWithClock, PROJECT, T0 } from '../support/targets';

const ESC = '\x1b[';
/** One grapheme: four people joined by zero-width joiners. */
const FAMILY = '👨\u200d👩\u200d👧\u200d👦';

describe('display width', () => {
  it.each([
    ['ods_orders', 10],
    ['销售日报', 8],
    ['ads_销售日报<&>', 15],
    ['ｆｕｌｌ', 8],
    ['e\u0301', 1],
    [`${ESC}32mok${ESC}39m`, 2],
    ['✅ done', 7],
    ['👍🏽', 2],
    [FAMILY, 2],
    ['任务失败 ❌', 11],
  ])('%j is %i columns', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });

  it('aligns columns of Chinese job names by display width, and cuts to the terminal', () => {
    const rows = [
      ['OUTCOME', 'JOB', 'WHY'],
      ['restarted', '销售日报', 'attempt 1'],
      ['restarted', 'ods_orders', 'attempt 2'],
    ];
    const lines = layoutTable(rows).split('\n');
    const whyAt = lines.map((line) =>
      displayWidth(
        line.slice(0, line.indexOf('attempt') < 0 ? line.indexOf('WHY') : line.indexOf('attempt')),
      ),
    );
    expect(new Set(whyAt).size).toBe(1);
    const narrow = layoutTable(
      [
        ['a', 'x'.repeat(50)],
        ['b', '作'.repeat(40)],
      ],
      { width: 30 },
    ).split('\n');
    for (const line of narrow) expect(displayWidth(line)).toBeLessThanOrEqual(30);
    expect(truncate('作业作业', 5)).toBe('作业…');
  });

  it('aligns the column after a DataArts error text that holds emoji', () => {
    // The widest text is 12 columns (a family and a thumb are two each), then a gap of two.
    const table = layoutTable([
      ['WHY', 'J'],
      ['✅ done', 'a'],
      [`${FAMILY} 👍🏽 failed`, 'b'],
    ]);
    expect(table.split('\n')).toEqual([
      `WHY${' '.repeat(9 + 2)}J`,
      `✅ done${' '.repeat(5 + 2)}a`,
      `${FAMILY} 👍🏽 failed${' '.repeat(2)}b`,
    ]);
  });

  it('cuts between whole characters, never inside an emoji or a joined sequence', () => {
    const text = `a${FAMILY}👍🏽e\u0301✅作b`;
    const graphemes = Array.from(new Intl.Segmenter().segment(text), (s) => s.segment);
    const prefixes = graphemes.map((_, i) => graphemes.slice(0, i).join(''));
    for (let width = 1; width <= displayWidth(text); width++) {
      const cut = truncate(text, width);
      expect(displayWidth(cut)).toBeLessThanOrEqual(width);
      if (cut === text) continue;
      expect(cut.endsWith('…')).toBe(true);
      expect(prefixes).toContain(cut.slice(0, -1));
    }
    expect(truncate(`${FAMILY}${FAMILY}`, 3)).toBe(`${FAMILY}…`);
    expect(truncate('👍🏽👍🏽', 3)).toBe('👍🏽…');
  });
});

describe('colour', () => {
  it('only on a terminal, never with NO_COLOR, forced by FORCE_COLOR', () => {
    expect(paletteFor({ write() {}, isTTY: true }, {}).red('x')).toBe(`${ESC}31mx${ESC}39m`);
    expect(paletteFor({ write() {}, isTTY: true }, { NO_COLOR: '1' })).toBe(NO_COLOUR);
    expect(paletteFor({ write() {}, isTTY: false }, {})).toBe(NO_COLOUR);
    expect(paletteFor({ write() {}, isTTY: false }, { FORCE_COLOR: '1' }).red('x')).toContain(ESC);
  });
});

const storm = (i: number): DecisionRecord => ({
  target: 'cn4-prod',
  workspace: 'default',
  jobName: `job_${i % 12}`,
  instanceId: String(50_000 + i),
  status: 'fail',
  outcome: 'storm-guard',
  detail: 'storm suspected on this target',
});

describe('the table', () => {
  const report: SweepReport = fixedReport({
    decisions: [
      ...Array.from({ length: 540 }, (_, i) => storm(i)),
      {
        target: 'cn4-prod',
        workspace: 'default',
        jobName: '销售日报',
        instanceId: '7',
        status: 'fail',
        outcome: 'backing-off',
        detail: 'backing off until 2026-11-24T08:03:00Z',
        until: '2026-11-24T08:03:00Z',
      },
    ],
  });

  it('groups repeated rows (storm-guard ×540 across 12 jobs) unless --all', () => {
    const grouped = formatTable(report);
    expect(grouped).toMatch(/storm-guard ×540\s+cn4-prod\s+across 12 jobs/);
    expect(grouped.split('\n').filter((l) => l.startsWith('storm-guard'))).toHaveLength(1);
    const all = formatTable(report, { all: true });
    expect(all.split('\n').filter((l) => l.startsWith('storm-guard'))).toHaveLength(540);
  });

  it('shows times in display.timeZone, relative on a terminal; piped output has no colour', () => {
    const piped = formatTable(report, { timeZone: 'Asia/Shanghai' });
    expect(piped).toContain('at 2026-11-24 16:00:00 GMT+8');
    expect(piped).toContain('backing off until 2026-11-24 16:03:00 GMT+8');
    expect(piped).not.toContain(ESC);
    const tty = formatTable(report, {
      timeZone: 'Asia/Shanghai',
      now: Date.parse('2026-11-24T08:00:00Z'),
      width: 120,
    });
    expect(tty).toContain('16:03:00 GMT+8 (in 3 min');
    for (const line of tty.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(120);
  });

  it('a dry run counts what would be restarted on its last line (it restarts nothing)', () => {
    const dry = fixedReport({ dryRun: true, restarted: [], totals: { 'dry-run': 2, 'backing-off': 1 } });
    const last = formatTable(dry).trim().split('\n').pop() ?? '';
    expect(last).toContain('2 would be restarted');
  });

  it('speaks Chinese with display.locale zh-CN', () => {
    const zh = formatTable(report, { locale: 'zh-CN', timeZone: 'Asia/Shanghai' });
    expect(zh).toContain('结果');
    expect(zh).toMatch(/storm-guard ×540\s+cn4-prod\s+12 个作业/);
    expect(zh).toContain('重试次数已用尽，需人工处理');
    expect(zh).toMatch(/已重跑 \d+，重试用尽 1，错误 \d+.*，耗时 3120 毫秒/);
    expect(
      relativeTime(Date.parse('2026-11-24T08:03:00Z'), Date.parse('2026-11-24T08:00:00Z'), 'zh-CN'),
    ).toBe('3分钟后');
  });
});

describe('the table on a narrow or wide terminal', () => {
  const LONG_JOB = 'dws_finance_monthly_close_reconciliation_with_ledger_v2x';
  const dry = (): SweepReport => {
    const base = tableReport();
    return {
      ...base,
      dryRun: true,
      decisions: [
        ...base.decisions,
        {
          target: 'cn4-prod',
          workspace: 'default',
          jobName: LONG_JOB,
          instanceId: '9001',
          status: 'fail',
          outcome: 'dry-run',
          detail: 'would restart: attempt 1 of 3',
          attempt: 1,
          maxAttempts: 3,
          errorMessage: 'DLI queue q_finance is busy: too many running jobs, retry later',
        },
      ],
    };
  };

  /** The text of a row between two display columns (a header's start and the next one's). */
  const between = (line: string, from: number, to: number) => {
    let column = 0;
    let out = '';
    for (const { segment } of new Intl.Segmenter().segment(line)) {
      if (column >= from && column < to) out += segment;
      column += displayWidth(segment);
    }
    return out.trim();
  };

  /** Where each column of a table's header line starts, in display columns (cells are two apart). */
  const starts = (header: string) =>
    [...header.matchAll(/(?:^|(?<= {2}))\S/g)].map((m) => displayWidth(header.slice(0, m.index)));

  it.each([
    [60, 'en'],
    [120, 'en'],
    [60, 'zh-CN'],
    [120, 'zh-CN'],
  ] as const)(
    '%i columns, %s: every line fits, and a cut reason keeps more than the job name',
    (width, locale) => {
      const table = formatTable(dry(), { width, locale, timeZone: 'Asia/Shanghai', now: T0 });
      const lines = table.split('\n');
      expect(lines.filter((line) => displayWidth(line) > width)).toEqual([]);
      const row = lines.find((line) => line.includes(' 9001 ')) ?? '';
      // The decision table's header is the line just above its first row.
      const header = lines[lines.findIndex((line) => /^(restarted|dry-run) /.test(line)) - 1] ?? '';
      const [, , job = 0, instance = 0, , why = 0] = starts(header);
      const jobShown = between(row, job, instance);
      const reasonShown = between(row, why, Number.POSITIVE_INFINITY);
      expect(jobShown.length).toBeGreaterThan(0);
      expect(jobShown !== LONG_JOB || reasonShown.endsWith('…')).toBe(true);
      expect(displayWidth(reasonShown)).toBeGreaterThan(displayWidth(jobShown));
    },
  );
});

describe('progress and warnings on a terminal', () => {
  it('a progress line with listed, restarted, rate and ETA, cleared before anything else', () => {
    let out = '';
    let now = 0;
    const progress = new SweepProgress(
      { write: (t) => (out += t), isTTY: true, columns: 200 },
      () => now,
      50,
    );
    progress.listed = 540;
    progress.restarted = 20;
    now = 4_000;
    progress.tick();
    expect(out).toMatch(/listed 540 · restarted 20 · 5\.0\/s · ETA ≤ 6 s · 4 s$/);
    progress.clear();
    expect(out.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('warnings read as sentences, secrets redacted', () => {
    const lines: string[] = [];
    const logger = humanLogger({
      level: 'warn',
      write: (t) => lines.push(t),
      palette: NO_COLOUR,
      redact: ['hook-token-7Yb3'],
    });
    logger.info('not shown');
    logger.warn('target listing failed', {
      target: 'prod',
      code: 'NETWORK',
      message: 'connect refused hook-token-7Yb3',
    });
    expect(lines).toEqual([
      'warning: target listing failed (target=prod code=NETWORK message="connect refused [REDACTED]")\n',
    ]);
  });
});

describe('Ctrl-C mid-sweep', () => {
  let emulator: Emulator;
  let clock: ManualClock;
  afterEach(async () => emulator.close());

  it('stops new claims, names what is in flight, and prints the partial report', async () => {
    ({ emulator, clock } = await emulatorWithClock());
    emulator.seed(PROJECT, undefined, failedSeeds(6, { now: T0, firstId: 100 }));
    emulator.inject({ route: 'restart', kind: 'hang', times: 6 });
    const { config } = await writeSweepConfig(emulator.url, 'cli-sigint-', {
      concurrency: 1,
      rateLimit: 1000,
    });
    const io = emulatorIo(clock, { env: { NO_COLOR: '1' }, tty: true });
    const sweep = runCli(['--config', config], io);
    while (emulator.count('restart') === 0) await new Promise((resolve) => setImmediate(resolve));
    io.interrupt();
    const code = await sweep;
    expect(io.err()).toMatch(
      /SIGINT: no new restarts; waiting up to 5 s for 1 restart\(s\) in flight: job_\d\/10\d; the partial report follows/,
    );
    expect(emulator.count('restart')).toBe(1);
    expect(io.out()).toContain('dataarts-autoretry sweep');
    expect(io.out()).toMatch(/deferred/);
    expect(io.out()).not.toContain(ESC);
    // Interrupted: the conventional 128 + SIGINT, not "a target was not swept".
    expect(code).toBe(130);
    expect(io.exited).toEqual([]);
  });

  it('SIGTERM mid-sweep: the partial report, then exit 143', async () => {
    ({ emulator, clock } = await emulatorWithClock());
    emulator.seed(PROJECT, undefined, failedSeeds(3, { now: T0, firstId: 100 }));
    emulator.inject({ route: 'restart', kind: 'hang', times: 3 });
    const { config } = await writeSweepConfig(emulator.url, 'cli-sigterm-', {
      concurrency: 1,
      rateLimit: 1000,
    });
    const io = emulatorIo(clock);
    const sweep = runCli(['--config', config, '--json'], io);
    while (emulator.count('restart') === 0) await new Promise((resolve) => setImmediate(resolve));
    io.interrupt('SIGTERM');
    const code = await sweep;
    const report = JSON.parse(io.out()) as SweepReport;
    expect(report.totals.deferred).toBe(2);
    expect(code).toBe(143);
  });
});

describe("the command line speaks the environment's language unless display.locale says", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  beforeEach(async () => {
    ({ emulator, clock } = await emulatorWithClock());
    emulator.seed(PROJECT, undefined, failedSeeds(1, { now: T0, firstId: 200 }));
  });
  afterEach(async () => emulator.close());

  const dryRun = async (env: Record<string, string>, display?: Record<string, string>) => {
    const { dir, config } = await writeSweepConfig(emulator.url, 'cli-lang-', {});
    if (display) await writeConfigFile(config, emulator.url, dir, { display });
    const io = emulatorIo(clock, { env });
    expect(await runCli(['--config', config, '--dry-run'], io)).toBe(0);
    return io.out();
  };

  it.each([
    [{ LANG: 'zh_CN.UTF-8' }, 'zh'],
    [{ LANG: 'en_US.UTF-8', LC_ALL: 'zh_CN.UTF-8' }, 'zh'],
    [{ LANG: 'zh_CN.UTF-8', LC_MESSAGES: 'C' }, 'en'],
    [{ LANG: 'de_DE.UTF-8' }, 'en'],
    [{}, 'en'],
  ])('%j: the table is in %s', async (env, language) => {
    const out = await dryRun(env);
    expect(out.includes('演练')).toBe(language === 'zh');
    expect(out.includes('DRY RUN')).toBe(language === 'en');
  });

  it('display.locale in the file wins over LANG', async () => {
    const out = await dryRun({ LANG: 'zh_CN.UTF-8' }, { locale: 'en' });
    expect(out).toContain('DRY RUN');
  });
});
