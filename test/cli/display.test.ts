import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { runCli } from '../../lib/cli/main';
import { SweepProgress } from '../../lib/cli/progress';
import type { SweepReport } from '../../lib/sweep/report';
import { CLI_MESSAGES } from '../../lib/text/cli-messages';
import { writeConfigFile } from '../support/cli-run';
import { englishWords } from '../support/english-words';
import { emulatorPerTest, failedAgo } from '../support/sweep-setup';
import { AK, PROJECT, SK } from '../support/targets';
import { fakeIo } from './fake-io';

const ZH = { LANG: 'zh_CN.UTF-8' };
const C = { LANG: 'C' };
const SUBCOMMANDS = ['sweep', 'history', 'explain', 'reset', 'init', 'validate', 'notify', 'incidents'];
/** The names this file gives jobs and targets: the user's data, which no locale changes. */
const DATA = [
  '销售日报',
  'ods_orders',
  'ods_stop',
  'ods_busy',
  'ods_late',
  'prod',
  'default',
  'tester@test-host',
  'main',
];

let emulator: Emulator;
let clock: ManualClock;
let dir: string;
emulatorPerTest((s) => ({ emulator, clock } = s));
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-locale-'));
});

async function cli(args: string[], env: Record<string, string>) {
  const io = fakeIo({
    env: { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, ...env },
    now: () => clock.now(),
  });
  const code = await runCli(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

/** One failure of each kind a table explains: rerun, waiting, not selected, never retried. */
async function sweepConfig(): Promise<string> {
  emulator.seed(PROJECT, undefined, [
    failedAgo(1, 30, { jobName: '销售日报' }),
    failedAgo(2, 30, { jobName: 'ods_orders' }),
    failedAgo(3, 1, { jobName: 'ods_late' }),
    failedAgo(4, 30, { jobName: 'ods_stop', status: 'manual-stop' }),
    failedAgo(5, 30, { jobName: 'ods_busy', errorMessage: 'Permission denied on ods.orders' }),
  ]);
  const path = join(dir, 'sweep.json');
  await writeConfigFile(path, emulator.url, dir, {
    policy: { rateLimit: 1000, neverRetryOn: ['permission denied'], lookback: '6h' },
    display: { timeZone: 'Asia/Shanghai' },
  });
  return path;
}

describe('under LANG=zh_CN.UTF-8 every command speaks Chinese (codes, paths, options and names aside)', () => {
  it('a dry run: the table, its reasons and its summary', async () => {
    const config = await sweepConfig();
    const { code, stdout } = await cli(['--config', config, '--dry-run'], ZH);
    expect(code).toBe(0);
    expect(stdout).toContain('演练');
    expect(englishWords(stdout, [...DATA, 'Permission denied on ods.orders'])).toEqual([]);
    // A Chinese reader is told what each outcome means, not only its code.
    expect(stdout).toMatch(/backing-off\s.*等待/);
  });

  it('a sweep, then history and reset of what it did', async () => {
    const config = await sweepConfig();
    expect((await cli(['--config', config], ZH)).code).toBe(0);
    const history = await cli(['history', '--config', config, '--target', 'prod'], ZH);
    expect(history.code).toBe(0);
    expect(englishWords(history.stdout, DATA)).toEqual([]);
    for (const args of [['--dry-run'], []]) {
      const reset = await cli(
        ['reset', '--config', config, '--job', '销售日报', '--reason', '源表已修复', ...args],
        ZH,
      );
      expect(reset.code).toBe(0);
      expect(englishWords(reset.stdout, DATA)).toEqual([]);
    }
    const after = await cli(['history', '--config', config, '--job', '销售日报'], ZH);
    expect(after.stdout).toContain('源表已修复');
    expect(englishWords(after.stdout, DATA)).toEqual([]);
    const nothing = await cli(['reset', '--config', config, '--instance', '999', '--reason', 'x'], ZH);
    expect(englishWords(nothing.stdout, DATA)).toEqual([]);
  });

  it('a dry run with an incident, then incidents and closing one by hand', async () => {
    const message = (i: number) => `DLI.0005：队列 'etl_q' 不可用，连接 10.0.0.${i}:8998 被拒绝`;
    emulator.seed(
      PROJECT,
      undefined,
      Array.from({ length: 6 }, (_, i) =>
        failedAgo(i + 1, 20, { jobName: `etl_${i}`, errorMessage: message(i) }),
      ),
    );
    const config = join(dir, 'sweep.json');
    await writeConfigFile(config, emulator.url, dir, {
      policy: { rateLimit: 1000 },
      display: { timeZone: 'Asia/Shanghai' },
    });
    const jobs = Array.from({ length: 6 }, (_, i) => `etl_${i}`);
    // The cause is DataArts' own message, its varying parts masked (<host>).
    const data = [...DATA, ...jobs, 'etl_q', 'host'];
    const dry = await cli(['--config', config, '--dry-run', '--all'], ZH);
    expect(dry.stdout).toMatch(/held-by-incident/);
    expect(englishWords(dry.stdout, data)).toEqual([]);
    expect((await cli(['--config', config], ZH)).code).toBe(0);
    const listed = await cli(['incidents', '--config', config], ZH);
    expect(listed.code).toBe(0);
    expect(englishWords(listed.stdout, data)).toEqual([]);
    const key = /\b[0-9a-f]{16}\b/.exec(listed.stdout)?.[0] ?? '';
    const closed = await cli(
      ['incidents', 'close', key, '--config', config, '--target', 'prod', '--reason', '队列已扩容'],
      ZH,
    );
    expect(closed.code).toBe(0);
    expect(englishWords(closed.stdout, [...data, key])).toEqual([]);
    const none = await cli(['incidents', '--config', config], ZH);
    expect(englishWords(none.stdout, data)).toEqual([]);
  });

  it('explain, of an instance a sweep would restart, one waiting and one not listed', async () => {
    const config = await sweepConfig();
    for (const [job, instance, status] of [
      ['ods_orders', '2', 0],
      ['ods_late', '3', 0],
      ['ods_busy', '5', 0],
      ['ods_orders', '99', 1],
    ] as const) {
      const out = await cli(['explain', '--config', config, '--job', job, '--instance', instance], ZH);
      expect({ job, code: out.code }).toEqual({ job, code: status });
      expect(englishWords(out.stdout, [...DATA, 'Permission denied on ods.orders'])).toEqual([]);
      // Times in display.timeZone, as the table shows them.
      expect(out.stdout).not.toMatch(/\d{4}-\d\d-\d\dT/);
    }
  });

  it('validate of a broken file: every problem, the field paths as written', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(
      path,
      JSON.stringify({
        targets: [{ name: 'p', endpoint: 'ftp://x', projectId: '' }, { nam: 'q' }],
        ledger: { type: 'file', path: 'l.json', retention: '1h' },
        policy: { maxAttempt: 3, maxAttempts: 99, lookback: 'soon', statuses: ['failed'], jobs: [] },
        client: { timeout: '1ms', retries: 'x', paging: true },
        display: { locale: 'fr', timeZone: 'Mars/Olympus' },
        extra: 1,
      }),
    );
    const { code, stderr } = await cli(['validate', '--config', path], ZH);
    expect(code).toBe(2);
    for (const field of ['targets[1].name', 'targets[1].nam', 'policy.maxAttempt', 'client.timeout', 'extra'])
      expect(stderr).toContain(field);
    // `extra` is the file's own key, named as the file wrote it.
    expect(
      englishWords(stderr, [path, 'extra', '"soon"', '"failed"', '"ftp://x"', '"fr"', '"x"', 'true']),
    ).toEqual([]);
    const syntax = join(dir, 'syntax.json');
    await writeFile(syntax, '{"targets": [}');
    const bad = await cli(['validate', '--config', syntax], ZH);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${syntax}:1:`);
    expect(englishWords(bad.stderr, [syntax])).toEqual([]);
    // Problems with the command line itself, before any configuration is read.
    for (const args of [
      ['validate'],
      ['--config', syntax, '--bogus'],
      ['--config'],
      ['--config', join(dir, 'none.json')],
    ]) {
      const { stderr: problem } = await cli(args, ZH);
      expect({ args, words: englishWords(problem, [syntax, join(dir, 'none.json'), "'--bogus'"]) }).toEqual({
        args,
        words: [],
      });
    }
  });

  it('init: the template comments and what to do next', async () => {
    const io = fakeIo({ env: ZH, cwd: dir });
    expect(await runCli(['init'], io)).toBe(0);
    expect(englishWords(io.out())).toEqual([]);
    const text = await readFile(join(dir, 'sweep.json'), 'utf8');
    // Every quoted string is JSON (a key, a value, an example of one): the comments are the words.
    const words = englishWords(text.replace(/"[^"]*"/g, ' ').replace(/\b(?:true|false)\b/g, ' '));
    expect(words).toEqual([]);
    // Valid the same way as the English template: only its placeholder is refused.
    const refused = fakeIo({ env: ZH, cwd: dir });
    expect(await runCli(['validate', '--config', join(dir, 'sweep.json')], refused)).toBe(2);
    expect(refused.err().match(/targets\[|policy\.|ledger\./g)).toHaveLength(1);
  });

  it('notify test of a secret file without channels', async () => {
    const secret = join(dir, 'secret.json');
    await writeFile(secret, JSON.stringify({ webhooks: {} }));
    const { code, stdout } = await cli(['notify', 'test', '--secret-file', secret], ZH);
    expect(code).toBe(5);
    expect(stdout).not.toBe('');
    expect(englishWords(stdout)).toEqual([]);
  });

  it('on a terminal: the progress line, and what Ctrl-C says as it stops a sweep', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30, { jobName: '销售日报' })]);
    emulator.inject({ route: 'restart', kind: 'hang' });
    const path = join(dir, 'sweep.json');
    await writeConfigFile(path, emulator.url, dir, { policy: { rateLimit: 1000 } });
    const io = fakeIo({
      env: { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, NO_COLOR: '1', ...ZH },
      now: () => clock.now(),
      tty: true,
    });
    const sweep = runCli(['--config', path], io);
    while (emulator.count('restart') === 0) await new Promise((resolve) => setImmediate(resolve));
    io.interrupt();
    expect(await sweep).toBe(130);
    expect(io.err()).toContain('不再开始新的重跑');
    expect(englishWords(io.err(), [...DATA, '销售日报/1'])).toEqual([]);
    expect(new SweepProgress(io.stderr, () => 0, 5, CLI_MESSAGES['zh-CN']).line()).toBe(
      '已列出 0 · 已重跑 0 · 0.0 个/秒 · 0 秒',
    );
  });

  it.each([[[]], ...SUBCOMMANDS.map((name) => [[name]])])('--help %j', async (args) => {
    const { code, stdout } = await cli([...args, '--help'], ZH);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^用法/);
    expect(englishWords(stdout)).toEqual([]);
  });
});

describe('what programs read does not change with the language', () => {
  it('--json: the same report, with its English codes and details', async () => {
    const config = await sweepConfig();
    const zh = JSON.parse((await cli(['--config', config, '--dry-run', '--json'], ZH)).stdout) as SweepReport;
    const en = JSON.parse((await cli(['--config', config, '--dry-run', '--json'], C)).stdout) as SweepReport;
    expect(zh.decisions).toEqual(en.decisions);
    expect(zh.decisions.map((d) => d.outcome)).toContain('backing-off');
    expect(zh.decisions.find((d) => d.outcome === 'dry-run')?.detail).toMatch(/^would restart/);
  });

  it('--json errors keep their English problem', async () => {
    const { stdout } = await cli(['--config', join(dir, 'none.json'), '--json'], ZH);
    expect(JSON.parse(stdout).error.issues[0]).toMatchObject({ field: '--config' });
    expect(JSON.parse(stdout).error.issues[0].problem).toMatch(/^cannot read/);
  });
});

describe('under LANG=C the command line stays English', () => {
  it('the table, --help and errors', async () => {
    const config = await sweepConfig();
    expect((await cli(['--config', config, '--dry-run'], C)).stdout).toContain('[DRY RUN');
    expect((await cli(['--help'], C)).stdout).toMatch(/^Usage: /);
    expect((await cli(['reset', '--help'], C)).stdout).toContain('Exit status:');
    const { stderr } = await cli(['validate'], C);
    expect(stderr).toBe('dataarts-autoretry: invalid --config: is required (a JSON configuration file)\n');
  });
});
