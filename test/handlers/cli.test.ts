import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { failedSeed } from '../../emulator/builders';
import { type Emulator, startEmulator } from '../../emulator/server';
import type { SweepReport } from '../../lib/sweep/report';
import { chatWebhooks, SIGNING_SECRETS } from '../notify/channels';
import { type ChatServers, startChatServers } from '../support/chat-servers';
import { writeConfigFile } from '../support/cli-run';
import { freshDynamoLedger } from '../support/dynamo';
import { type FaultyDynamo, isClaim, startFaultyDynamo } from '../support/faulty-dynamo';
import { WEBHOOK_TOKEN } from '../support/secrets';
import { AK, PROJECT, SK } from '../support/targets';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

// Each test starts tsx (and one npm as well), which takes seconds on a loaded 2-core CI
// machine; the command line itself runs with its default 10 s client timeout.
jest.setTimeout(90_000);

let emulator: Emulator;
let dir: string;
let configPath: string;

async function cli(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
  const result = await run(TSX, [join(ROOT, 'handlers/cli.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, ...env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
  return result;
}

beforeEach(async () => {
  // The command line signs with the real clock, so the emulator runs on it too.
  emulator = await startEmulator({ clock: { now: () => Date.now() }, accessKeys: { [AK]: SK } });
  const now = Date.now();
  emulator.seed(PROJECT, undefined, [
    failedSeed(now, { jobName: 'ods_orders', instanceId: 11 }),
    failedSeed(now, { jobName: 'dwd_users', instanceId: 12 }),
    failedSeed(now, { jobName: 'ads_manual', instanceId: 13, instanceType: 2 }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'cli-'));
  configPath = join(dir, 'config.json');
  await writeConfigFile(configPath, emulator.url, dir, { policy: { rateLimit: 100 } });
});
afterEach(async () => emulator.close());

describe('dataarts-autoretry command line', () => {
  it('prints a readable table of what was done and why', async () => {
    const { code, stdout } = await cli(['--config', configPath]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/restarted\s+prod\s+dwd_users\s+12\s+1\/3/);
    expect(stdout).toMatch(/instance-type\s+prod\s+ads_manual\s+13\s+manually scheduled/);
    expect(stdout).toContain('2 restarted, 0 exhausted, 0 errors');
    expect(emulator.restarts(11)).toBe(1);
    expect(stdout).not.toContain(SK);
  });

  it('--json prints exactly one SweepReport on stdout', async () => {
    const { code, stdout } = await cli(['--config', configPath, '--json', '--verbose']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as SweepReport;
    expect(report.restarted.map((r) => r.instanceId).sort()).toEqual(['11', '12']);
    expect(report.totals).toEqual({ restarted: 2, 'instance-type': 1 });
  });

  it('npm run --silent sweep -- --json prints parseable JSON', async () => {
    const result = await run(
      'npm',
      ['run', '--silent', 'sweep', '--', '--config', configPath, '--json', '--dry-run'],
      {
        cwd: ROOT,
        env: { ...process.env, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK },
      },
    );
    expect((JSON.parse(result.stdout) as SweepReport).dryRun).toBe(true);
  });

  it('--dry-run restarts nothing', async () => {
    const { code, stdout } = await cli(['--config', configPath, '--dry-run']);
    expect(code).toBe(0);
    expect(stdout).toContain('DRY RUN');
    expect(stdout).toMatch(/^dry-run\s+prod\s+dwd_users/m);
    expect(emulator.count('restart')).toBe(0);
  });

  it('a dry run names its outcome with one word, dry-run, in the table and the JSON report alike', async () => {
    const table = (await cli(['--config', configPath, '--dry-run', '--all'])).stdout;
    const report = JSON.parse(
      (await cli(['--config', configPath, '--dry-run', '--json'])).stdout,
    ) as SweepReport;
    const wouldRestart = report.decisions.filter((d) => d.outcome === 'dry-run');
    expect(wouldRestart.length).toBeGreaterThan(0);
    for (const d of wouldRestart)
      expect(table).toMatch(new RegExp(`^dry-run\\s+${d.target}\\s+${d.jobName}\\s+${d.instanceId}\\s`, 'm'));
    expect(table).not.toContain('would-restart');
  });

  it('--job and --lookback narrow the sweep', async () => {
    const { stdout } = await cli(['--config', configPath, '--json', '--job', 'ods_*', '--lookback', '2h']);
    const report = JSON.parse(stdout) as SweepReport;
    expect(report.restarted.map((r) => r.jobName)).toEqual(['ods_orders']);
    expect(report.totals.excluded).toBe(2);
  });

  it.each([
    [['--config', '/nope.json'], {}, 2, /invalid --config: cannot read \/nope.json/],
    [['--lookback', 'soon', '--config', 'x'], {}, 2, /invalid --lookback/],
    [['--frobnicate'], {}, 2, /invalid arguments/],
    [[], {}, 2, /--config: is required/],
    [
      ['--config', 'CONFIG'],
      { HUAWEICLOUD_SDK_AK: '', HUAWEICLOUD_SDK_SK: '' },
      2,
      /invalid credentials: set HUAWEICLOUD_SDK_AK/,
    ],
    [
      ['--config', 'CONFIG'],
      { HUAWEICLOUD_SDK_SK: 'wrong-secret-value' },
      3,
      /authentication failed on every target/,
    ],
  ])('%j (env %j) exits with code %i', async (args, env, expectedCode, message) => {
    const { code, stderr, stdout } = await cli(
      args.map((a) => (a === 'CONFIG' ? configPath : a)),
      env as Record<string, string>,
    );
    expect(code).toBe(expectedCode);
    expect(stderr).toMatch(message);
    expect(stderr + stdout).not.toContain('wrong-secret-value');
    expect(emulator.count('restart')).toBe(0);
  });

  it('a bad config names the field and restarts nothing', async () => {
    await writeFile(
      configPath,
      JSON.stringify({
        targets: [{ name: 'prod', endpoint: emulator.url, projectId: PROJECT }],
        ledger: { type: 'file', path: 'x' },
        policy: { maxAttempts: -1 },
      }),
    );
    const { code, stderr } = await cli(['--config', configPath]);
    expect(code).toBe(2);
    expect(stderr).toContain('invalid policy.maxAttempts: must be a whole number from 1 to 20, got -1');
    expect(emulator.requests).toHaveLength(0);
  });

  it('--help prints usage', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: dataarts-autoretry --config');
  });
});

describe('a file ledger at a relative path', () => {
  it('is the one beside the configuration, from any working directory: one budget, one absolute path', async () => {
    // Each rerun fails at once: the next sweep lists a new failure of the same instance.
    emulator.seed(PROJECT, undefined, [
      failedSeed(Date.now(), { jobName: 'zh_orders', instanceId: 21, runMs: 0, afterScript: 'fail' }),
    ]);
    const ws = join(dir, 'ws');
    await mkdir(ws);
    await mkdir(join(dir, 'cron'));
    await writeFile(
      join(ws, 'zh.json'),
      JSON.stringify({
        targets: [{ name: 'prod', endpoint: emulator.url, projectId: PROJECT }],
        ledger: { type: 'file', path: './zh-ledger.json' },
        policy: { rateLimit: 100, maxAttempts: 1, firstRetryDelay: '0s', jobs: ['zh_*'] },
      }),
    );
    const first = await cli(['--config', 'ws/zh.json', '--json'], {}, dir);
    const second = await cli(['--config', '../ws/zh.json', '--json'], {}, join(dir, 'cron'));
    expect(emulator.restarts(21)).toBe(1);
    const [before, after] = [first, second].map((r) => JSON.parse(r.stdout) as SweepReport);
    expect(after?.totals['budget-exhausted']).toBe(1);
    const ledger = { type: 'file', path: join(ws, 'zh-ledger.json') };
    expect([before?.ledger, after?.ledger]).toEqual([ledger, ledger]);

    const table = await cli(['--config', join(ws, 'zh.json'), '--dry-run'], {}, join(dir, 'cron'));
    expect(table.stdout).toContain(`ledger: file ${ledger.path}`);
    const history = await cli(['history', '--config', 'zh.json', '--instance', '21'], {}, ws);
    expect(history.stdout).toMatch(/prod\s+default\s+zh_orders\s+21\s+1\s+restarted/);
    expect(history.stdout).toContain(`ledger: file ${ledger.path}`);
  });
});

describe('notifications from the command line', () => {
  let chat: ChatServers;
  let secretPath: string;
  beforeEach(async () => {
    chat = await startChatServers(SIGNING_SECRETS);
    secretPath = join(dir, 'secret.json');
    const hooks = Object.fromEntries(chatWebhooks(chat.url, true).map(({ kind, ...rest }) => [kind, rest]));
    await writeFile(secretPath, JSON.stringify({ webhooks: hooks }));
  });
  afterEach(() => chat.close());

  it('notify test --dry-run prints each request, URLs redacted, and sends nothing', async () => {
    const { code, stdout } = await cli(['notify', 'test', '--secret-file', secretPath, '--dry-run']);
    expect(code).toBe(0);
    expect(stdout).toContain('--- wecom#3 POST http://127.0.0.1:');
    expect(stdout).toContain('/[redacted]');
    expect(stdout).toContain('"msg_type": "interactive"');
    expect(stdout).not.toContain(WEBHOOK_TOKEN);
    expect(chat.received).toHaveLength(0);
  });

  it('notify test sends a sample to each channel and names a failed one with its platform code', async () => {
    chat.script('wecom', 'oversize');
    const { code, stdout } = await cli(['notify', 'test', '--secret-file', secretPath, '--locale', 'zh-CN']);
    expect(code).toBe(5);
    expect(stdout).toMatch(/FAILED wecom#3: 40058 /);
    expect(stdout).toMatch(/ok {5}slack#0/);
    expect(chat.received.map((r) => r.kind)).toEqual(
      expect.arrayContaining(['slack', 'feishu', 'dingtalk', 'wecom', 'generic']),
    );
  });

  it('--notify sends the sweep summary through the secret file channels', async () => {
    const { code, stderr } = await cli([
      '--config',
      configPath,
      '--notify=always',
      '--secret-file',
      secretPath,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const slack = chat.received.find((r) => r.kind === 'slack');
    expect(JSON.stringify(slack?.body)).toContain('restarted');
  });

  it('refuses a plain-http webhook that is not on a loopback address', async () => {
    await writeFile(secretPath, JSON.stringify({ webhooks: { slack: 'http://hooks.example.com/x' } }));
    const { code, stderr } = await cli(['notify', 'test', '--secret-file', secretPath]);
    expect(code).toBe(2);
    expect(stderr).toContain('invalid --secret-file webhooks.slack');
  });
});

describe('the command line against a DynamoDB ledger that stops answering', () => {
  let proxy: FaultyDynamo | undefined;
  let table: string;

  /** The config with its ledger in dynalite behind a proxy that stalls every claim. */
  async function stallingClaims(timeout: string): Promise<FaultyDynamo> {
    ({ table } = await freshDynamoLedger());
    const started = await startFaultyDynamo(process.env.DYNALITE_ENDPOINT as string, (call) =>
      isClaim(call) ? 'stall' : 'pass',
    );
    proxy = started;
    await writeConfigFile(configPath, emulator.url, dir, {
      policy: { rateLimit: 100 },
      ledger: { type: 'dynamodb', table, endpoint: started.endpoint, region: 'eu-west-1', timeout },
    });
    return started;
  }
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  const AWS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

  it('a claim that never answers: the report names the ledger, restarts nothing, and the process exits by itself with 4', async () => {
    const proxy = await stallingClaims('2s');
    const { code, stdout, stderr } = await cli(['--config', configPath, '--json'], AWS);
    expect(code).toBe(4);
    const report = JSON.parse(stdout) as SweepReport;
    expect(report.targets[0]?.error?.message).toContain('did not answer claim within 2 s');
    expect(emulator.count('restart')).toBe(0);
    expect(stderr).toContain('could not be swept: prod');
    // The stalled claim's socket was still open when the process ended.
    expect(proxy.calls.filter((c) => c.fault === 'stall').length).toBeGreaterThan(0);
  });

  it('SIGTERM while a claim hangs: the partial report, then the process exits', async () => {
    const proxy = await stallingClaims('5m');
    const child = spawn(TSX, [join(ROOT, 'handlers/cli.ts'), '--config', configPath, '--json'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, ...AWS },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    while (!proxy.calls.some((c) => c.fault === 'stall')) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(143);
    const report = JSON.parse(stdout) as SweepReport;
    expect(report.restarted).toEqual([]);
    expect(emulator.count('restart')).toBe(0);
  });

  it('--deadline bounds the sweep: a restart that could outlast it is not started, and says so', async () => {
    const { code, stdout } = await cli(['--config', configPath, '--json', '--deadline', '30s']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as SweepReport;
    // One restart's worst case (its tries at the 10 s client timeout, then the settle) is longer than 30 s;
    // the listing, even on a busy machine, is not.
    expect(report.totals).toEqual({ deferred: 2, 'instance-type': 1 });
    expect(emulator.count('restart')).toBe(0);
  });

  it('--deadline refuses what is not a duration, naming the flag', async () => {
    const { code, stderr } = await cli(['--config', configPath, '--deadline', 'soon']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/invalid --deadline/);
  });
});
