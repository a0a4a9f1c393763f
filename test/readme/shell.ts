import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RUN_BY, type Runner } from './coverage';
import { readmeCommands } from './extract';

/** The repository root. */
export const ROOT = resolve(__dirname, '../..');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for messages that may go to either. */
  output: string;
}

/** What `.ci/run` exports for every test: dummy AWS credentials and region. */
export const CI_AWS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'eu-west-1' };

/**
 * Variables a user's shell does not have: Huawei credentials (each test gives the ones
 * it means), Jest's colour switch, and what `npm test` passes its scripts
 * (`npm_config_local_prefix` would make every `npm run` in a working copy run here).
 */
const NOT_A_USERS = /^(HUAWEICLOUD_|npm_|FORCE_COLOR$|NO_COLOR$|INIT_CWD$|JEST_WORKER_ID$)/i;

/** A user's shell: this process's environment without NOT_A_USERS, plus `.ci/run`'s AWS variables and `extra`. */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (NOT_A_USERS.test(key)) delete env[key];
  // `npm test` puts node_modules/.bin first on PATH; a user's shell finds `serverless` only through npx.
  const path = (env.PATH ?? '')
    .split(':')
    .filter((dir) => dir !== '' && !/node_modules\/\.bin\/?$|\/@npmcli\/run-script\//.test(dir));
  // No npm update check: the tests stay off the network.
  return { ...env, PATH: path.join(':'), npm_config_update_notifier: 'false', ...CI_AWS, ...extra };
}

/** Runs `command` with `bash -c` in `cwd`, as a user's shell would; never rejects. */
export function bash(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn('bash', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      output += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr, output }));
  });
}

/** A command started by readmeRunner's `start`. */
export interface Started {
  /** Resolves with the output so far once it matches `pattern`; rejects if the command ends first. */
  until(pattern: RegExp): Promise<string>;
  /** Ctrl-C: SIGINT to the command's process group, then its end (at once if it has ended). */
  interrupt(): Promise<Ran>;
}

function startBash(command: string, cwd: string, env: NodeJS.ProcessEnv): Started {
  const child = spawn('bash', ['-c', command], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  let ended = false;
  const waiting: Array<() => void> = [];
  const wake = () => {
    for (const check of waiting.splice(0)) check();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    output += chunk;
    wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
    output += chunk;
    wake();
  });
  const end = new Promise<Ran>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => {
      ended = true;
      wake();
      done({ code: code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : null), stdout, stderr, output });
    });
  });
  return {
    until: (pattern) =>
      new Promise((found, fail) => {
        const check = () => {
          if (pattern.test(output)) found(output);
          else if (ended) fail(new Error(`ended before printing ${pattern}; its output:\n${output}`));
          else waiting.push(check);
        };
        check();
      }),
    interrupt: () => {
      if (!ended && child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
      return end;
    },
  };
}

/**
 * The README commands one suite runs (RUN_BY), and a runner that runs only those,
 * exactly as the README writes them, and remembers what it ran.
 */
export function readmeRunner(runner: Runner) {
  const mine = Object.entries(RUN_BY)
    .filter(([, by]) => by === runner)
    .map(([command]) => command);
  const inReadme = new Set(readmeCommands(ROOT).map((c) => c.command));
  const ran = new Set<string>();
  return {
    /** Runs README command `command` (it must be one of this suite's) in `cwd`. */
    run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
      return this.session([command], cwd, env);
    },
    /** Runs README commands one after another in one shell session, as a user types a block. */
    session(commands: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
      for (const command of commands) {
        if (!inReadme.has(command)) throw new Error(`not a command of either README: ${command}`);
        if (RUN_BY[command] !== runner)
          throw new Error(`RUN_BY does not give this command to ${runner}: ${command}`);
      }
      for (const command of commands) ran.add(command);
      return bash(commands.join('\n'), cwd, env);
    },
    /**
     * Starts README command `command`, one that runs until stopped (a server), in `cwd`,
     * in its own process group as a terminal's foreground job is: `until` waits for its
     * output to match, `interrupt` presses Ctrl-C (SIGINT to the group) and waits for it to end.
     */
    start(command: string, cwd: string, env: NodeJS.ProcessEnv): Started {
      if (!inReadme.has(command)) throw new Error(`not a command of either README: ${command}`);
      if (RUN_BY[command] !== runner)
        throw new Error(`RUN_BY does not give this command to ${runner}: ${command}`);
      ran.add(command);
      return startBash(command, cwd, env);
    },
    /** This suite's commands it has not run. */
    notRun: () => mine.filter((command) => !ran.has(command)),
  };
}

/** Folders made by workingCopy and tempFolder, removed by removeFolders. */
const made: string[] = [];

/** A fresh temporary folder, removed by removeFolders. */
export async function tempFolder(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `readme-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes every folder made so far (a link is removed, never followed: the repository stays). */
export async function removeFolders(): Promise<void> {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** Top-level entries of the repository a working copy does not share. */
const NOT_SHARED = new Set([
  '.git',
  'dist',
  'coverage',
  'reports',
  '.stryker-tmp',
  '.serverless',
  '.esbuild',
  '.demo',
  'sweep.json',
  'secret.json',
  'autoretry-ledger.json',
]);

/**
 * A fresh folder that works as a clone of this repository after `npm ci`: every
 * top-level entry is a symbolic link to the repository's (node_modules, sources,
 * package.json, serverless.yml...) except the build output, `dist` (empty: build it),
 * and the files a user creates there (`sweep.json`, `secret.json`, ledgers) or those
 * named in `own`, which stay this folder's. Nothing a command writes reaches the repository.
 */
export async function workingCopy(prefix: string, own: readonly string[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `readme-${prefix}-`));
  made.push(dir);
  for (const name of await readdir(ROOT))
    if (!NOT_SHARED.has(name) && !own.includes(name) && !name.startsWith('.'))
      await symlink(join(ROOT, name), join(dir, name));
  return dir;
}

/** Fails with the command's whole output unless it exited with `code`. */
export function expectExit(ran: Ran, code: number): void {
  if (ran.code !== code) throw new Error(`exited ${ran.code}, expected ${code}; its output:\n${ran.output}`);
}
