/**
 * The command-line commands of README.md and README.zh-CN.md ("Quick start", "Command
 * line", "History and resetting a budget", "Trying a webhook before deploying"), run
 * exactly as written with `bash -c` in a fresh working copy of the repository, against
 * the DataArts emulator on 127.0.0.1 standing in for "your own project" and local chat
 * servers standing in for the webhooks. See test/readme/coverage.ts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { type Emulator, startEmulator } from '../../emulator/server';
import { SweepReportSchema } from '../../lib/sweep/report';
import { type ChatServers, startChatServers } from '../support/chat-servers';
import { WEBHOOK_TOKEN } from '../support/secrets';
import { AK, PROJECT, SK } from '../support/targets';
import { bash, expectExit, readmeRunner, removeFolders, userEnv, workingCopy } from './shell';

/** Generous: every step starts npm or node on a shared, loaded 2-core machine. */
const SLOW_STEP = 600_000;
const MIN = 60_000;
const readme = readmeRunner('cli-commands');
/** The credentials `export HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=...` stands for: the emulator's. */
const withCredentials = () => userEnv({ HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK });

/** A working copy with the command line built (what `npm ci`'s prepare does for the bin). */
async function clone(prefix: string): Promise<string> {
  const dir = await workingCopy(prefix);
  const built = await bash('node scripts/build.mjs', dir, userEnv());
  expectExit(built, 0);
  return dir;
}

/** "Your own project": a DataArts emulator (real clock) with three failed instances. */
async function ownProject(): Promise<Emulator> {
  const emulator = await startEmulator({ clock: { now: () => Date.now() }, accessKeys: { [AK]: SK } });
  const now = Date.now();
  const failed = (minutesAgo: number) => ({
    status: 'fail' as const,
    planTime: now - (minutesAgo + 30) * MIN,
    startTime: now - (minutesAgo + 30) * MIN,
    endTime: now - minutesAgo * MIN,
  });
  emulator.seed(PROJECT, undefined, [
    { jobName: 'ods_orders_daily', instanceId: 34099, ...failed(60) },
    { jobName: 'dwd_user_profile', instanceId: 34100, ...failed(50) },
    { jobName: 'ads_manual_backfill', instanceId: 34101, instanceType: 2, ...failed(40) },
  ]);
  return emulator;
}

/** What `init` says to do next: set targets[0].endpoint and projectId (here: the emulator's). */
async function pointAt(dir: string, emulator: Emulator): Promise<void> {
  const path = join(dir, 'sweep.json');
  const text = await readFile(path, 'utf8');
  const edited = text
    .replace('"https://dayu-dlf.cn-north-4.myhuaweicloud.com"', JSON.stringify(emulator.url))
    .replace('"replace-with-your-project-id"', JSON.stringify(PROJECT));
  expect(edited).not.toBe(text);
  await writeFile(path, edited);
}

/** The ledger's events of instance 34099, read with the built command line (not a README command). */
async function historyOf34099(
  dir: string,
): Promise<Array<{ kind: string; outcome?: string; reason?: string }>> {
  const ran = await bash(
    'node dist/cli.js history --config sweep.json --instance 34099 --json',
    dir,
    userEnv(),
  );
  expectExit(ran, 0);
  return JSON.parse(ran.stdout).events;
}

describe('README: quick start, command line, history and reset', () => {
  let dir: string;
  let emulator: Emulator;

  beforeAll(async () => {
    dir = await clone('cli');
    emulator = await ownProject();
  }, SLOW_STEP);
  afterAll(() => emulator?.close());

  it(
    '`npx dataarts-autoretry init` writes ./sweep.json and never overwrites it',
    async () => {
      const first = await readme.run('npx dataarts-autoretry init', dir, userEnv());
      expectExit(first, 0);
      expect(first.stdout).toContain(`wrote ${join(dir, 'sweep.json')}`);
      const written = await readFile(join(dir, 'sweep.json'), 'utf8');
      expect(written).toContain('"targets"');
      const again = await readme.run('npx dataarts-autoretry init', dir, userEnv());
      expectExit(again, 2);
      expect(again.stderr).toContain('refusing to overwrite');
      expect(await readFile(join(dir, 'sweep.json'), 'utf8')).toBe(written);
    },
    SLOW_STEP,
  );

  it(
    '`npx dataarts-autoretry validate --config sweep.json` checks it offline, naming the placeholder until it is set; a dry run without credentials exits 2',
    async () => {
      const ran = await readme.run('npx dataarts-autoretry validate --config sweep.json', dir, userEnv());
      expectExit(ran, 2);
      expect(ran.stderr).toContain('targets[0].projectId: is still the placeholder of the init template');
      await pointAt(dir, emulator);
      const pointed = await readme.run('npx dataarts-autoretry validate --config sweep.json', dir, userEnv());
      expectExit(pointed, 0);
      expect(pointed.stdout).toContain('ok: sweep.json: 1 target(s) (cn4-prod)');
      // Quick start's dry run before the credentials are set: exit 2, nothing sent.
      const early = await readme.run('npm run sweep -- --config sweep.json --dry-run', dir, userEnv());
      expectExit(early, 2);
      expect(early.stderr).toContain('invalid credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK');
      expect(emulator.count('restart')).toBe(0);
    },
    SLOW_STEP,
  );

  it(
    '`export HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=...` exports both; left as placeholders, a sweep fails authentication (exit 3)',
    async () => {
      const exported = await bash(
        'export HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=...\nbash -c \'echo "$HUAWEICLOUD_SDK_AK $HUAWEICLOUD_SDK_SK"\'',
        dir,
        userEnv(),
      );
      expect(exported.stdout).toBe('... ...\n');
      // The block as one shell session: the export, then the dry run.
      const session = await readme.session(
        [
          'export HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=...',
          'npm run sweep -- --config sweep.json --dry-run',
        ],
        dir,
        userEnv(),
      );
      expectExit(session, 3);
      expect(session.output).toContain('AUTHENTICATION_FAILED');
      expect(emulator.count('restart')).toBe(0);
    },
    SLOW_STEP,
  );

  it(
    '`npm run sweep -- --config sweep.json --dry-run` explains what would be rerun and restarts nothing',
    async () => {
      const ran = await readme.run('npm run sweep -- --config sweep.json --dry-run', dir, withCredentials());
      expectExit(ran, 0);
      expect(ran.stdout).toMatch(/dry-run\s+cn4-prod\s+ods_orders_daily\s+34099\s+1\/3/);
      expect(ran.stdout).toMatch(/dry-run\s+cn4-prod\s+dwd_user_profile\s+34100\s+1\/3/);
      expect(ran.stdout).toMatch(/instance-type\s+cn4-prod\s+ads_manual_backfill\s+34101/);
      expect(emulator.count('restart')).toBe(0);
    },
    SLOW_STEP,
  );

  it(
    '`npm run sweep -- --config sweep.json` restarts what policy allows, once',
    async () => {
      const ran = await readme.run('npm run sweep -- --config sweep.json', dir, withCredentials());
      expectExit(ran, 0);
      expect(ran.stdout).toMatch(/restarted\s+cn4-prod\s+ods_orders_daily\s+34099\s+1\/3/);
      expect(ran.stdout).toContain('2 restarted, 0 exhausted, 0 errors');
      expect([emulator.restarts(34099), emulator.restarts(34100), emulator.restarts(34101)]).toEqual([
        1, 1, 0,
      ]);
    },
    SLOW_STEP,
  );

  it(
    '`npm run --silent sweep -- --config sweep.json --json` prints one JSON SweepReport on stdout',
    async () => {
      const ran = await readme.run(
        'npm run --silent sweep -- --config sweep.json --json',
        dir,
        withCredentials(),
      );
      expectExit(ran, 0);
      const report = v.parse(SweepReportSchema, JSON.parse(ran.stdout));
      expect(report).toMatchObject({ schemaVersion: 1, dryRun: false, restarted: [], errors: [] });
      expect(report.targets.map((t) => t.target)).toEqual(['cn4-prod']);
      // The reruns of the previous sweep are not failures: nothing is rerun twice.
      expect([emulator.restarts(34099), emulator.restarts(34100)]).toEqual([1, 1]);
    },
    SLOW_STEP,
  );

  it(
    '`npx dataarts-autoretry --help` lists every command and exit status',
    async () => {
      const ran = await readme.run('npx dataarts-autoretry --help', dir, userEnv());
      expectExit(ran, 0);
      for (const command of ['sweep', 'history', 'explain', 'reset', 'init', 'validate', 'notify'])
        expect(ran.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
      for (const status of [0, 1, 2, 3, 4, 5])
        expect(ran.stdout).toMatch(new RegExp(`^  ${status}  \\S`, 'm'));
    },
    SLOW_STEP,
  );

  it(
    '`history --config sweep.json --job ods_orders_daily` and `--instance 34099` show the attempt',
    async () => {
      const ran = await readme.run(
        'npx dataarts-autoretry history --config sweep.json --job ods_orders_daily',
        dir,
        userEnv(),
      );
      expectExit(ran, 0);
      expect(ran.stdout).toMatch(/cn4-prod\s+default\s+ods_orders_daily\s+34099\s+1\s+restarted/);
      expect(ran.stdout).not.toContain('dwd_user_profile');
      // The Runbook's form: one instance.
      const one = await readme.run(
        'npx dataarts-autoretry history --config sweep.json --instance 34099',
        dir,
        userEnv(),
      );
      expectExit(one, 0);
      expect(one.stdout).toMatch(/cn4-prod\s+default\s+ods_orders_daily\s+34099\s+1\s+restarted/);
      expect(one.stdout).not.toContain('34100');
    },
    SLOW_STEP,
  );

  it(
    '`reset ... --reason "source table fixed"`: the dry run changes nothing, then the reset is kept with its reason',
    async () => {
      const dry = await readme.run(
        'npx dataarts-autoretry reset --config sweep.json --instance 34099 --reason "source table fixed" --dry-run',
        dir,
        userEnv(),
      );
      expectExit(dry, 0);
      expect(dry.stdout).toContain('34099');
      expect((await historyOf34099(dir)).map((e) => e.kind)).not.toContain('reset');
      const reset = await readme.run(
        'npx dataarts-autoretry reset --config sweep.json --instance 34099 --reason "source table fixed"',
        dir,
        userEnv(),
      );
      expectExit(reset, 0);
      expect(await historyOf34099(dir)).toContainEqual(
        expect.objectContaining({ kind: 'reset', reason: 'source table fixed' }),
      );
    },
    SLOW_STEP,
  );

  it(
    '`npm ci && npm run demo`: its `npm run demo` runs a complete sweep against the emulator (npm ci: see NOT_RUNNABLE)',
    async () => {
      const ran = await bash('npm run demo', dir, userEnv());
      expectExit(ran, 0);
      expect(ran.stdout).toContain('4 restarted, 0 exhausted, 0 errors');
      // Sweep 2: two reruns and the incident's canary; sweep 3: the five it held, released.
      expect(ran.stdout).toContain('3 restarted, 1 exhausted, 0 errors');
      expect(ran.stdout).toContain('5 restarted, 0 exhausted, 0 errors');
      expect(ran.stdout).toContain('incident over after 1 h, 5 held failures released');
      expect(ran.stdout).toContain('The emulator accepted 12 restarts');
    },
    SLOW_STEP,
  );
});

describe('README: trying a webhook, a notifying sweep, and the zh-CN reset', () => {
  let dir: string;
  let emulator: Emulator;
  let chat: ChatServers;
  const KINDS = ['slack', 'feishu', 'dingtalk', 'wecom', 'generic'] as const;

  beforeAll(async () => {
    dir = await clone('notify');
    emulator = await ownProject();
    chat = await startChatServers();
    expectExit(await readme.run('npx dataarts-autoretry init', dir, userEnv()), 0);
    await pointAt(dir, emulator);
    // The secret's webhooks, each on a local server that answers like its platform.
    const webhooks = Object.fromEntries(KINDS.map((kind) => [kind, `${chat.url}/${kind}/${WEBHOOK_TOKEN}`]));
    await writeFile(join(dir, 'secret.json'), JSON.stringify({ webhooks }, null, 2));
  }, SLOW_STEP);
  afterAll(async () => {
    await emulator?.close();
    await chat?.close();
  });

  it(
    '`notify test --secret-file secret.json --dry-run --locale zh-CN` prints each body with its URL redacted, sends nothing',
    async () => {
      const ran = await readme.run(
        'npx dataarts-autoretry notify test --secret-file secret.json --dry-run --locale zh-CN',
        dir,
        userEnv(),
      );
      expectExit(ran, 0);
      for (const [i, kind] of KINDS.entries())
        expect(ran.stdout).toContain(`--- ${kind}#${i} POST ${chat.url}/[redacted]`);
      expect(ran.stdout).toContain('DataArts 自动重试');
      expect(ran.output).not.toContain(WEBHOOK_TOKEN);
      expect(chat.received).toEqual([]);
    },
    SLOW_STEP,
  );

  it(
    '`notify test --secret-file secret.json` sends to every channel; exits 5 naming one that failed',
    async () => {
      const command = 'npx dataarts-autoretry notify test --secret-file secret.json';
      const ok = await readme.run(command, dir, userEnv());
      expectExit(ok, 0);
      expect(new Set(chat.received.map((r) => r.kind))).toEqual(new Set(KINDS));
      chat.script('wecom', 'reject');
      const failed = await readme.run(command, dir, userEnv());
      expectExit(failed, 5);
      // The README's example line, exactly.
      expect(failed.stdout).toContain('FAILED wecom#3: 93000 invalid webhook url (1 attempt(s))');
      expect(failed.stdout).toContain('ok     slack#0');
      expect(failed.output).not.toContain(WEBHOOK_TOKEN);
    },
    SLOW_STEP,
  );

  it(
    '`npm run sweep -- --config sweep.json --notify --secret-file secret.json` sweeps and sends its summary',
    async () => {
      const before = chat.received.length;
      const ran = await readme.run(
        'npm run sweep -- --config sweep.json --notify --secret-file secret.json',
        dir,
        withCredentials(),
      );
      expectExit(ran, 0);
      expect(emulator.restarts(34099)).toBe(1);
      const sent = chat.received.slice(before);
      expect(new Set(sent.map((r) => r.kind))).toEqual(new Set(KINDS));
      for (const request of sent) expect(request.text).toContain('ods_orders_daily');
    },
    SLOW_STEP,
  );
});

afterAll(removeFolders);

describe('README command-line commands', () => {
  it('ran every one given to this suite', () => {
    expect(readme.notRun()).toEqual([]);
  });
});
