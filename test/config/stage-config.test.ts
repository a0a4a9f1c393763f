import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { settingsFromEnv } from '../../lib/config/lambda-env';
import { loadStageConfig } from '../../lib/config/stage-config';
import { ConfigError } from '../../lib/errors';
import { packagedTemplate, ROOT, secretArnParam, serverless } from '../support/serverless';

const FIFTY = 'config/example-fifty.json';
/** Lambda's limit on all environment variables of a function together (names and values). */
const LAMBDA_ENV_LIMIT = 4096;
const BASE = { LEDGER_TABLE: 'dataarts-autoretry-prod-ledger', STAGE: 'prod' };
const envBytes = (env: Record<string, string>) =>
  Object.entries(env).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.field}: ${i.problem}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

async function fileWith(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stage-config-'));
  const path = join(dir, 'stage.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('a stage configuration file', () => {
  it('holds 50 targets with workspaces that stage params cannot (9 KB against the 4 KB limit)', async () => {
    const file = loadStageConfig(FIFTY, ROOT);
    const asParams = { ...BASE, AUTORETRY_TARGETS: JSON.stringify(file.targets) };
    expect(envBytes(asParams)).toBeGreaterThan(LAMBDA_ENV_LIMIT);
    const env = { ...BASE, AUTORETRY_CONFIG_FILE: FIFTY };
    expect(envBytes(env)).toBeLessThan(LAMBDA_ENV_LIMIT);
    const settings = settingsFromEnv(env, {}, undefined, ROOT);
    expect(settings.config.targets).toHaveLength(50);
    expect(settings.config.policy.defaults.maxAttempts).toBe(3);
    expect(settings.config.ledger).toMatchObject({ type: 'dynamodb', table: BASE.LEDGER_TABLE });
  });

  it('is validated by the same parser, naming the field', async () => {
    const path = await fileWith({ targets: [{ name: 'a', endpoint: 'ftp://x', projectId: 'p' }] });
    expect(issuesOf(() => settingsFromEnv({ ...BASE, AUTORETRY_CONFIG_FILE: path }))).toEqual([
      expect.stringMatching(/^targets\[0\]\.endpoint: /),
    ]);
  });

  it.each([
    ['a missing file', 'config/no-such-stage.json', /cannot read config\/no-such-stage.json \(ENOENT\)/],
    ['not JSON', '{targets', /is not valid JSON/],
    [
      'a ledger section',
      { targets: [], ledger: { type: 'file', path: 'x' } },
      /the ledger is the stack's table\), got ledger/,
    ],
  ])('%s is refused, naming AUTORETRY_CONFIG_FILE', async (_name, content, problem) => {
    const path =
      typeof content === 'string' && content.startsWith('config/') ? content : await fileWith(content);
    const issues = issuesOf(() =>
      settingsFromEnv({ ...BASE, AUTORETRY_CONFIG_FILE: path }, {}, undefined, ROOT),
    );
    expect(issues).toEqual([expect.stringMatching(problem)]);
  });

  it('and a stage param for the same section are refused together: they would merge silently', () => {
    const env = { ...BASE, AUTORETRY_CONFIG_FILE: FIFTY, AUTORETRY_POLICY: '{"maxAttempts":1}' };
    expect(issuesOf(() => settingsFromEnv(env, {}, undefined, ROOT))).toEqual([
      expect.stringMatching(/^AUTORETRY_POLICY: is set, and config\/example-fifty.json sets policy too/),
    ]);
  });

  it("keeps stage params working when no file is named (and '{}' defaults beside a file)", () => {
    const targets = '[{"name":"a","endpoint":"https://dlf.example.com","projectId":"p1"}]';
    expect(settingsFromEnv({ ...BASE, AUTORETRY_TARGETS: targets }).config.targets).toHaveLength(1);
    const env = { ...BASE, AUTORETRY_CONFIG_FILE: FIFTY, AUTORETRY_TARGETS: '', AUTORETRY_POLICY: '{}' };
    expect(settingsFromEnv(env, {}, undefined, ROOT).config.targets).toHaveLength(50);
  });
});

describe('serverless package with a 50-target stage file', () => {
  it('packages offline, ships the file, and keeps the environment under 4 KB', async () => {
    const out = await mkdtemp(join(tmpdir(), 'sls-fifty-'));
    await serverless(['package', '--stage', 'fifty', '--package', out, '--param', secretArnParam('fifty')]);
    const template = await packagedTemplate(out);
    const fn = Object.values(
      template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
    ).find((r) => r.Type === 'AWS::Lambda::Function');
    const environment = fn?.Properties.Environment as { Variables: Record<string, string> } | undefined;
    const variables = environment?.Variables ?? {};
    expect(variables.AUTORETRY_CONFIG_FILE).toBe(FIFTY);
    expect(envBytes(variables)).toBeLessThan(LAMBDA_ENV_LIMIT);
    const { stdout } = await promisify(execFile)('unzip', ['-l', join(out, 'dataarts-autoretry.zip')]);
    expect(stdout).toContain(FIFTY);
  }, 300_000);
});
