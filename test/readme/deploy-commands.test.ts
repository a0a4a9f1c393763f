/**
 * The deployment commands of the docs (docs/deploy.md, its summary in README.md, and
 * README.zh-CN.md: "Deploying to AWS", with
 * "Running the function locally"; in fenced blocks and inline in prose), run
 * exactly as written in a fresh working copy of the repository whose serverless.yml
 * carries the README's own `prod` stage params (step 2). What needs a real AWS account
 * (`aws secretsmanager create-secret`, `serverless deploy`) is in NOT_RUNNABLE; its
 * offline part runs here instead. See test/readme/coverage.ts.
 */
import { readFileSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseSecret } from '../../lib/lambda/secret';
import { occupiedPort } from '../support/closed-port';
import { readmeBlocks } from './extract';
import { bash, expectExit, ROOT, readmeRunner, removeFolders, userEnv, workingCopy } from './shell';

/** Generous: serverless starts slowly and packaging bundles with esbuild on a loaded machine. */
const SLOW_STEP = 600_000;
const readme = readmeRunner('deploy-commands');

/** README.md's step 2 example: the `params:` block that sets the `prod` stage's targets and secretArn. */
function readmeProdParams(): string {
  const blocks = readmeBlocks(ROOT, 'yaml').filter(
    (b) => b.text.startsWith('params:\n  prod:\n') && b.text.includes('targets: \'[{"name"'),
  );
  expect(blocks).toHaveLength(1);
  return blocks[0]!.text;
}

describe('README: deploying to AWS', () => {
  let dir: string;

  beforeAll(async () => {
    // Its own examples/: the local stack's sweep keeps its ledger there.
    dir = await workingCopy('deploy', ['serverless.yml', 'examples']);
    await cp(join(ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
    // Step 2: "Set the stage params in serverless.yml (a prod: block under params:)".
    const yml = await readFile(join(ROOT, 'serverless.yml'), 'utf8');
    const prod = readmeProdParams().split('\n').slice(1).join('\n');
    expect(yml).toMatch(/^params:\n/m);
    await writeFile(join(dir, 'serverless.yml'), yml.replace(/^params:\n/m, `params:\n${prod}\n`));
  }, SLOW_STEP);
  afterAll(removeFolders);

  it(
    '`npm run validate -- --stage prod` passes a stage set as step 2 shows, offline',
    async () => {
      const ran = await readme.run('npm run validate -- --stage prod', dir, userEnv());
      expectExit(ran, 0);
      expect(ran.stdout).toContain('stage prod: params valid, schedule enabled');
    },
    SLOW_STEP,
  );

  it(
    '`npx serverless validate --stage prod` is the same check as `npm run validate -- --stage prod`',
    async () => {
      const ran = await readme.run('npx serverless validate --stage prod', dir, userEnv());
      expectExit(ran, 0);
      expect(ran.stdout).toContain('stage prod: params valid, schedule enabled');
    },
    SLOW_STEP,
  );

  it(
    '`npx serverless` runs osls, the devDependency: no vendor login, nothing asked without a terminal',
    async () => {
      const ran = await readme.run('npx serverless', dir, userEnv());
      expectExit(ran, 0);
      expect(ran.output).not.toMatch(/log ?in|licen[cs]e|access key/i);
      const version = await bash('npx serverless --version', dir, userEnv());
      expectExit(version, 0);
      expect(version.output).toContain('osls version: ');
    },
    SLOW_STEP,
  );

  it(
    '`npm run validate -- --stage prod` refuses the stage while its params are the placeholders (step 2 not done)',
    async () => {
      // osls finds no local plugin through a symbolic serverless.yml: the copy has its own, as a clone does.
      const untouched = await workingCopy('deploy-untouched', ['serverless.yml']);
      await writeFile(
        join(untouched, 'serverless.yml'),
        await readFile(join(ROOT, 'serverless.yml'), 'utf8'),
      );
      const ran = await readme.run('npm run validate -- --stage prod', untouched, userEnv());
      expect(ran.code).not.toBe(0);
      expect(ran.output).toContain('stage prod is not deployable (nothing was packaged or uploaded)');
      expect(ran.output).toContain('param targets still holds the placeholder (replace-me)');
      expect(ran.output).toContain('param secretArn still holds the placeholder (replace-me)');
    },
    SLOW_STEP,
  );

  it(
    '`npx serverless package --stage prod` builds what `npx serverless deploy --stage prod` (needs AWS) would upload',
    async () => {
      const ran = await readme.run('npx serverless package --stage prod', dir, userEnv());
      expectExit(ran, 0);
      const template = JSON.parse(
        await readFile(join(dir, '.serverless/cloudformation-template-update-stack.json'), 'utf8'),
      );
      const fn = template.Resources.SweepLambdaFunction.Properties;
      expect(fn.Environment.Variables.AUTORETRY_TARGETS).toContain('"name":"cn4-prod"');
      expect(JSON.stringify(template)).toContain('data-platform-oncall@example.com');
      // The one secret the function may read is the stage's own.
      expect(JSON.stringify(template.Resources.IamRoleLambdaExecution)).toContain(
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:dataarts-autoretry/prod-AbCdEf',
      );
    },
    SLOW_STEP,
  );

  it(
    '`npm run local-stack -- --invoke` runs the real handler, invoked locally, against the emulator and dynalite',
    async () => {
      const ran = await readme.run('npm run local-stack -- --invoke', dir, userEnv());
      expectExit(ran, 0);
      expect(ran.stdout).toContain('EMULATOR restarts accepted: 2');
      expect(ran.stdout).toMatch(/"restarted": 2/);
      expect(ran.output).not.toContain('local-stack-secret-key');
    },
    SLOW_STEP,
  );

  it(
    '`npm run local-stack` serves the emulator until Ctrl-C (LOCAL_STACK_PORT=0: a free port); the sweep it prints runs as printed',
    async () => {
      // The default, 18080, is the endpoint of examples/local-stack.json; the test takes a free port.
      const example = JSON.parse(await readFile(join(dir, 'examples/local-stack.json'), 'utf8'));
      expect(example.targets[0].endpoint).toBe('http://127.0.0.1:18080');
      const stack = readme.start('npm run local-stack', dir, userEnv({ LOCAL_STACK_PORT: '0' }));
      try {
        const printed = await stack.until(/Ctrl-C stops both\./);
        const url = /^DataArts emulator: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(printed)?.[1];
        expect(url).toMatch(/:[1-9]\d*$/);
        expect(printed).toMatch(/^ {2}npx serverless invoke local -f sweep /m);
        const sweep =
          /^ {2}(HUAWEICLOUD_SDK_AK=\S+ HUAWEICLOUD_SDK_SK=\S+ npm run sweep -- --config (\S+) --dry-run)$/m.exec(
            printed,
          );
        expect(sweep).not.toBeNull();
        const config = JSON.parse(await readFile(resolve(dir, sweep![2]!), 'utf8'));
        expect(config.targets[0].endpoint).toBe(url);
        const ran = await bash(sweep![1]!, dir, userEnv());
        expectExit(ran, 0);
        expect(ran.stdout).toMatch(/dry-run\s+local\s+ods_orders_daily\s+5001/);
        expect(ran.stdout).toMatch(/dry-run\s+local\s+dwd_user_profile\s+5002/);
      } finally {
        // Ends, the emulator and dynalite with it (a left-over server would hold the port).
        await stack.interrupt();
      }
    },
    SLOW_STEP,
  );

  it(
    '`npm run local-stack` on a port in use ends with one line naming the port and LOCAL_STACK_PORT',
    async () => {
      const held = await occupiedPort();
      try {
        const ran = await readme.run(
          'npm run local-stack',
          dir,
          userEnv({ LOCAL_STACK_PORT: String(held.port) }),
        );
        expect(ran.code).toBe(1);
        // npm adds its own lines about the failed script; the script's own is one line, no stack trace.
        expect(ran.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('npm '))).toEqual([
          `local-stack: port ${held.port} on 127.0.0.1 is in use; choose another with LOCAL_STACK_PORT=<port>, or LOCAL_STACK_PORT=0 for a free one`,
        ]);
      } finally {
        await held.release();
      }
    },
    SLOW_STEP,
  );

  it(
    '`npm run local-stack` with a LOCAL_STACK_PORT that is no port says so in one line',
    async () => {
      const ran = await readme.run('npm run local-stack', dir, userEnv({ LOCAL_STACK_PORT: '80800' }));
      expect(ran.code).toBe(1);
      expect(ran.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('npm '))).toEqual([
        'local-stack: LOCAL_STACK_PORT must be a port from 0 to 65535 (0: a free one), got "80800"',
      ]);
    },
    SLOW_STEP,
  );

  it("`aws secretsmanager create-secret ... file://secret.json` (needs AWS): the README's secret.json is one the function accepts", () => {
    const blocks = readmeBlocks(ROOT, 'json').filter((b) => b.text.includes('"HUAWEICLOUD_SDK_AK"'));
    expect(blocks).toHaveLength(1);
    const secret = parseSecret(blocks[0]!.text);
    expect(secret.webhooks.map((w) => w.kind)).toEqual(['slack', 'feishu', 'dingtalk', 'wecom', 'generic']);
    // The template the docs tell a user to copy is that very secret.
    const template = readFileSync(join(ROOT, 'examples/secret.example.json'), 'utf8');
    expect(JSON.parse(template)).toEqual(JSON.parse(blocks[0]!.text));
  });

  it('ran every README command given to this suite', () => {
    expect(readme.notRun()).toEqual([]);
  });
});
