import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { failedSeed } from '../../emulator/builders';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { runCli } from '../../lib/cli/main';
import { REPORT_SCHEMA_VERSION, type SweepReport, SweepReportSchema } from '../../lib/sweep/report';
import { writeConfigFile } from '../support/cli-run';
import { closedPort } from '../support/closed-port';
import { KNOWN_SECRETS, WRONG_SK } from '../support/secrets';
import { AK, emulatorWithClock, PROJECT, SK, T0 } from '../support/targets';
import { fakeIo } from './fake-io';

const ENV = { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK };
let emulator: Emulator;
let clock: ManualClock;
let dir: string;

async function config(overrides: Record<string, unknown> = {}): Promise<string> {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  await writeConfigFile(path, emulator.url, dir, {
    policy: { rateLimit: 1000 },
    client: { retries: 0 },
    ...overrides,
  });
  return path;
}

async function cli(args: string[], env: Record<string, string> = ENV) {
  const io = fakeIo({ env, now: () => clock.now() });
  const code = await runCli(args, io);
  for (const secret of KNOWN_SECRETS) expect(io.out() + io.err()).not.toContain(secret);
  return { code, stdout: io.out(), stderr: io.err() };
}

beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
  emulator.seed(PROJECT, undefined, [failedSeed(T0, { jobName: 'ods_orders', instanceId: 11 })]);
  dir = await mkdtemp(join(tmpdir(), 'cli-exit-'));
});
afterEach(async () => emulator.close());

describe('exit status per failure kind', () => {
  it('0 when every target was swept; the JSON report is valid against the report schema', async () => {
    const { code, stdout } = await cli(['--config', await config(), '--json']);
    expect(code).toBe(0);
    // report.schema.json is generated from SweepReportSchema (a test fails while it is stale).
    const report = v.parse(SweepReportSchema, JSON.parse(stdout));
    expect(report).toMatchObject({
      schemaVersion: 1,
      restarted: [expect.objectContaining({ instanceId: '11' })],
    });
    const schema = JSON.parse(readFileSync(join(__dirname, '../../report.schema.json'), 'utf8'));
    expect(schema.required).toContain('schemaVersion');
    expect(schema.properties.schemaVersion).toMatchObject({ const: REPORT_SCHEMA_VERSION });
  });

  it('4 when a target cannot be reached (a wrong endpoint): the others are still swept', async () => {
    const wrong = `http://127.0.0.1:${await closedPort()}`;
    const path = await config({
      targets: [
        { name: 'prod', endpoint: emulator.url, projectId: PROJECT },
        { name: 'typo', endpoint: wrong, projectId: PROJECT, workspace: 'w2' },
      ],
    });
    const { code, stdout, stderr } = await cli(['--config', path, '--json']);
    expect(code).toBe(4);
    const report = JSON.parse(stdout) as SweepReport;
    expect(report.restarted).toHaveLength(1);
    expect(report.targets.find((t) => t.target === 'typo')?.error).toBeDefined();
    expect(stderr).toContain('1 of 2 target(s) could not be swept: typo (');
  });

  it('4 when every target fails on the network, and the table says so', async () => {
    const path = await config({
      targets: [{ name: 'prod', endpoint: `http://127.0.0.1:${await closedPort()}`, projectId: PROJECT }],
    });
    const { code, stdout } = await cli(['--config', path]);
    expect(code).toBe(4);
    expect(stdout).toMatch(/prod: NETWORK/);
  });

  it('4 when the ledger cannot be used', async () => {
    await writeFile(join(dir, 'ledger.json'), 'not a ledger');
    const { code, stdout } = await cli(['--config', await config(), '--json']);
    expect(code).toBe(4);
    expect((JSON.parse(stdout) as SweepReport).targets[0]?.error?.code).toBe('LEDGER_FAILED');
    expect(emulator.count('restart')).toBe(0);
  });

  it('3 when authentication fails on every target', async () => {
    const { code } = await cli(['--config', await config()], { ...ENV, HUAWEICLOUD_SDK_SK: WRONG_SK });
    expect(code).toBe(3);
  });

  it('2 for bad arguments, configuration or credentials', async () => {
    expect((await cli(['--frobnicate'])).code).toBe(2);
    expect((await cli(['--config', await config({ policy: { maxAttempt: 5 } })])).code).toBe(2);
    expect((await cli(['--config', await config()], {})).code).toBe(2);
  });
});

describe('configuration errors, as a new user meets them', () => {
  it('a JSON syntax error names the file, line and column', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(
      path,
      '{\n  // a comment keeps its place\n  "policy": {"lookback": "1d" "maxAttempts": 3}\n}\n',
    );
    const { code, stderr } = await cli(['validate', '--config', path]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `dataarts-autoretry: invalid ${path}:3:31: is not valid JSON: Expected ',' or '}' after property value\n`,
    );
  });

  it('every typo of a file at once, each with a did-you-mean', async () => {
    const path = await config({ policy: { lookbak: '1d', maxAttemps: 3 } });
    const { code, stderr } = await cli(['validate', '--config', path]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^dataarts-autoretry: invalid policy.lookbak: unknown key; did you mean "lookback"\?/m,
    );
    expect(stderr).toMatch(
      /^dataarts-autoretry: invalid policy.maxAttemps: unknown key; did you mean "maxAttempts"\?/m,
    );
  });
});

describe('--json errors', () => {
  it('a configuration error is one JSON document on stdout, naming each field', async () => {
    const { code, stdout, stderr } = await cli([
      '--config',
      await config({ policy: { maxAttempt: 5 } }),
      '--json',
    ]);
    expect(code).toBe(2);
    expect(stderr).toBe('');
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({
      schemaVersion: 1,
      exitCode: 2,
      error: { name: 'ConfigError', code: 'CONFIG_INVALID' },
    });
    expect(doc.error.issues).toContainEqual(expect.objectContaining({ field: 'policy.maxAttempt' }));
  });

  it('an unreadable config file too', async () => {
    const { stdout } = await cli(['--config', '/nope.json', '--json']);
    expect(JSON.parse(stdout).error.issues[0]).toMatchObject({ field: '--config' });
  });
});

describe('help and version', () => {
  it('--help lists every command and every exit status', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const name of ['sweep', 'history', 'reset', 'init', 'validate', 'notify'])
      expect(stdout).toMatch(new RegExp(`^  ${name}\\s`, 'm'));
    for (const status of [0, 1, 2, 3, 4, 5, 130, 143])
      expect(stdout).toMatch(new RegExp(`^  ${status}  `, 'm'));
  });

  it("<command> --help shows that command, with that command's own exit statuses", async () => {
    const statuses = (text: string) => [...text.matchAll(/^ {2}(\d+) {2}/gm)].map((m) => Number(m[1]));
    const reset = (await cli(['reset', '--help'])).stdout;
    expect(reset).toMatch(/^Usage: dataarts-autoretry reset/);
    expect(statuses(reset)).toEqual([0, 1, 2]);
    expect(reset).toMatch(/^ {2}1 {2}.*refused/m);
    expect(reset).not.toContain('could not be swept');
    expect(statuses((await cli(['validate', '--help'])).stdout)).toEqual([0, 1, 2]);
    expect(statuses((await cli(['notify', '--help'])).stdout)).toEqual([0, 1, 2, 5]);
    expect(statuses((await cli(['explain', '--help'])).stdout)).toEqual([0, 1, 2, 3]);
    expect(statuses((await cli(['sweep', '--help'])).stdout)).toEqual([0, 1, 2, 3, 4, 5, 130, 143]);
  });

  it('--help lists the short flags beside their long names', async () => {
    const { stdout } = await cli(['--help']);
    expect(stdout).toMatch(/^ {2}-c, --config <file>/m);
    expect(stdout).toMatch(/^ {2}-h, --help/m);
    expect(stdout).toMatch(/^ {2}-V, --version/m);
    expect(stdout).toMatch(/^ {6}--verbose/m);
  });

  it('-v is refused (exit 2), pointing to --verbose and --version; -V is the version', async () => {
    for (const args of [['-v'], ['--config', await config(), '-v'], ['history', '-v']]) {
      const { code, stderr } = await cli(args);
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(stderr).toContain(
        'invalid -v: is ambiguous: --verbose logs every decision, --version (or -V) prints the version',
      );
    }
    expect(emulator.count('restart')).toBe(0);
    expect((await cli(['-V'])).stdout).toBe('dataarts-autoretry 9.9.9-test\n');
  });

  it('--version (or -V), also after a command as the help says', async () => {
    for (const args of [['--version'], ['-V'], ['history', '--version'], ['--config', 'x.json', '-V']])
      expect(await cli(args)).toEqual({ code: 0, stdout: 'dataarts-autoretry 9.9.9-test\n', stderr: '' });
  });
});
