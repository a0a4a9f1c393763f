import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { exampleConfig } from '../../lib/cli/example-config';
import { loadConfig } from '../../lib/cli/load-config';
import { runCli } from '../../lib/cli/main';
import { parseConfig } from '../../lib/config/parse';
import { CLI_MESSAGES } from '../../lib/text/cli-messages';
import { fakeIo } from './fake-io';

const ROOT = resolve(__dirname, '../..');
// npm run local-stack starts tsx, the emulator and dynalite: seconds on a loaded machine.
jest.setTimeout(120_000);

describe('init', () => {
  it('writes sweep.json in the current folder: refused until its placeholder is replaced, then every value its default', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'cli-init-'));
    const io = fakeIo({ cwd });
    expect(await runCli(['init'], io)).toBe(0);
    expect(io.out()).toContain(`wrote ${join(cwd, 'sweep.json')}`);
    const path = join(cwd, 'sweep.json');
    const text = await readFile(path, 'utf8');
    expect(text).toBe(exampleConfig(CLI_MESSAGES.en.template));
    // As written, validate names the placeholder and nothing else: no request would ever succeed.
    const refused = fakeIo({ cwd });
    expect(await runCli(['validate', '--config', path], refused)).toBe(2);
    expect(refused.err()).toContain(
      'targets[0].projectId: is still the placeholder of the init template ("replace-with-your-project-id")',
    );
    expect(refused.err().match(/targets\[|policy\.|ledger\./g)).toHaveLength(1);
    const swept = fakeIo({ cwd, env: { HUAWEICLOUD_SDK_AK: 'ak', HUAWEICLOUD_SDK_SK: 'sk' } });
    expect(await runCli(['--config', path, '--dry-run'], swept)).toBe(2);
    expect(swept.err()).toContain('targets[0].projectId: is still the placeholder');

    await writeFile(path, text.replace('replace-with-your-project-id', '0b25a5c1ab80d2622f11c0137a1e5d27'));
    const config = await loadConfig(path);
    // Every value written is the default: the same as an empty policy, client, notify, display.
    // The ledger's relative path is read beside sweep.json.
    const defaults = parseConfig({
      targets: config.targets,
      ledger: { type: 'file', path: join(cwd, 'autoretry-ledger.json') },
    });
    expect(config).toEqual(defaults);
    const validated = fakeIo({ cwd });
    expect(await runCli(['validate', '--config', path], validated)).toBe(0);
    expect(validated.out()).toMatch(/^ok: .*1 target\(s\) \(cn4-prod\), ledger file/);
  });

  it('writes to a given path and never overwrites', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'cli-init-'));
    await writeFile(join(cwd, 'mine.json'), '{"precious": true}');
    const io = fakeIo({ cwd });
    expect(await runCli(['init', 'mine.json'], io)).toBe(2);
    expect(io.err()).toMatch(/mine\.json exists; refusing to overwrite it/);
    expect(await readFile(join(cwd, 'mine.json'), 'utf8')).toBe('{"precious": true}');
    expect(await runCli(['init', 'other.json'], fakeIo({ cwd }))).toBe(0);
  });
});

describe('examples/local-stack.json against npm run local-stack, as printed', () => {
  let stack: ChildProcess | undefined;
  afterEach(() => {
    if (stack?.pid) process.kill(-stack.pid, 'SIGINT');
  });

  it('the printed command-line sweep runs', async () => {
    await rm(join(ROOT, 'examples/local-stack-ledger.json'), { force: true });
    stack = spawn('npm', ['run', 'local-stack'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let printed = '';
    await new Promise<void>((done, fail) => {
      stack?.stdout?.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        if (printed.includes('Ctrl-C stops both')) done();
      });
      stack?.on('exit', (code) => fail(new Error(`local-stack exited ${code}`)));
    });
    const line = /^ {2}(HUAWEICLOUD_SDK_AK=\S+ HUAWEICLOUD_SDK_SK=\S+ npm run sweep -- .*)$/m.exec(
      printed,
    )?.[1];
    expect(line).toBe(
      'HUAWEICLOUD_SDK_AK=LOCALSTACKACCESSKEY1 HUAWEICLOUD_SDK_SK=local-stack-secret-key npm run sweep -- --config examples/local-stack.json --dry-run',
    );
    const { stdout } = await promisify(execFile)('sh', ['-c', line as string], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(stdout).toMatch(/dry-run\s+local\s+dwd_user_profile\s+5002/);
    expect(stdout).toContain('GMT+8');
  });
});
