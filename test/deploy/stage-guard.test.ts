import { execFile } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkStage } from '../../lib/cli/stage-check';
import { ROOT, serverless as runServerless, secretArnParam, TARGETS_PARAM } from '../support/serverless';

const TARGETS = TARGETS_PARAM;
const SECRET = secretArnParam('prod');

// Each case starts the serverless command (seconds on a loaded 2-core machine).
jest.setTimeout(120_000);

async function serverless(args: string[]) {
  return runServerless(args).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

describe('the stage guard, before anything is packaged or uploaded', () => {
  it('refuses to package a stage whose schedule is on while its params hold placeholders', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sls-guard-'));
    const { code, out } = await serverless(['package', '--stage', 'prod', '--package', dir]);
    expect(code).not.toBe(0);
    expect(out).toContain('stage prod is not deployable');
    expect(out).toContain('param targets still holds the placeholder');
    expect(out).toContain('param secretArn still holds the placeholder');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a param the function would reject, naming the field, offline (npm run validate)', async () => {
    const { code, out } = await serverless([
      'validate',
      '--stage',
      'prod',
      '--param',
      TARGETS,
      '--param',
      SECRET,
      '--param',
      'policy={"maxAttempt":5}',
    ]);
    expect(code).not.toBe(0);
    expect(out).toMatch(/invalid policy\.maxAttempt: /);
  });

  it('passes a stage with real params; dev (schedule off) passes with the placeholders', async () => {
    expect(
      await serverless(['validate', '--stage', 'prod', '--param', TARGETS, '--param', SECRET]),
    ).toMatchObject({
      code: 0,
      out: expect.stringContaining('stage prod: params valid, schedule enabled'),
    });
    // As the READMEs write it: npm run validate -- --stage <stage>.
    const npm = await promisify(execFile)('npm', ['run', 'validate', '--', '--stage', 'dev'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AWS_REGION: 'eu-west-1' },
    });
    expect(npm.stdout).toContain('stage dev: params valid, schedule disabled');
  });
});

describe('checkStage (what the guard runs)', () => {
  const env = {
    AUTORETRY_TARGETS: JSON.parse(TARGETS.slice('targets='.length)),
    SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
    LEDGER_TABLE: 'dataarts-autoretry-prod-ledger',
    AUTORETRY_POLICY: '{}',
  };

  it.each([
    [{}, true, []],
    [
      { SECRET_ARN: 'arn:...:secret:dataarts-autoretry-replace-me' },
      true,
      ['param secretArn still holds the placeholder'],
    ],
    [{ SECRET_ARN: 'arn:...:secret:dataarts-autoretry-replace-me' }, false, []],
    [{ AUTORETRY_POLICY: '{"maxAttempts":0}' }, false, ['invalid policy.maxAttempts: ']],
    [{ AUTORETRY_CLIENT: '{"timeout":"soon"}' }, false, ['invalid client.timeout: ']],
    [{ NOTIFY_POLICY: 'sometimes' }, false, ['invalid NOTIFY_POLICY: ']],
  ])('%j (schedule %s) -> %j', (change, enabled, expected) => {
    const problems = checkStage({ ...env, ...change }, enabled as boolean);
    expect(problems).toHaveLength((expected as string[]).length);
    for (const [i, start] of (expected as string[]).entries()) expect(problems[i]).toContain(start);
  });
});
