import { NOT_RUNNABLE, RUN_BY } from './coverage';
import { extractCommands, type ReadmeCommand, readmeCommands, stripComment } from './extract';
import { ROOT } from './shell';

const commands = readmeCommands(ROOT);
const where = (c: ReadmeCommand) => `${c.file}:${c.line}: ${c.command}`;

describe('every shell command of README.md and README.zh-CN.md is accounted for', () => {
  it('finds the commands of both READMEs', () => {
    expect(commands.filter((c) => c.file === 'README.md').length).toBeGreaterThan(10);
    expect(commands.filter((c) => c.file === 'README.zh-CN.md').length).toBeGreaterThan(10);
  });

  it('runs each one in a test (RUN_BY) or says why it cannot run (NOT_RUNNABLE)', () => {
    const excused = new Set(NOT_RUNNABLE.map((n) => n.command));
    const unaccounted = commands.filter((c) => !(c.command in RUN_BY) && !excused.has(c.command));
    // A command added to a README without a test: run it in test/readme/ (see test/readme/coverage.ts).
    expect(unaccounted.map(where)).toEqual([]);
  });

  it('names no command that no README holds, and none twice', () => {
    const inReadme = new Set(commands.map((c) => c.command));
    const named = [...Object.keys(RUN_BY), ...NOT_RUNNABLE.map((n) => n.command)];
    expect(named.filter((command) => !inReadme.has(command))).toEqual([]);
    expect(named.filter((command, i) => named.indexOf(command) !== i)).toEqual([]);
    for (const { why } of NOT_RUNNABLE) expect(why.length).toBeGreaterThan(20);
  });
});

describe('command extraction', () => {
  const md = (text: string) => extractCommands(text, 'X.md');

  it('reads sh, bash, shell and indented blocks line by line, without comments or blank lines', () => {
    const text = [
      'intro',
      '```sh',
      '# a comment line',
      'npm run a   # trailing comment',
      '',
      'npm run b -- --reason "a # in quotes" # comment',
      '```',
      '1. step',
      '   ```bash',
      '   npx c \\',
      '     --flag',
      '   ```',
      '```shell',
      "echo '#x' #y",
      '```',
    ].join('\n');
    expect(md(text)).toEqual([
      { file: 'X.md', line: 4, command: 'npm run a' },
      { file: 'X.md', line: 6, command: 'npm run b -- --reason "a # in quotes"' },
      { file: 'X.md', line: 10, command: 'npx c --flag' },
      { file: 'X.md', line: 14, command: "echo '#x'" },
    ]);
  });

  it('takes only the $ lines of a console transcript, and unlabelled blocks only when they hold commands', () => {
    const text = [
      '```console',
      '$ npm run x',
      'output line',
      '```',
      '```',
      'state --claim--> in-flight',
      '```',
      '```',
      'npx serverless package',
      '```',
      '```text',
      'sweep: 20.65 s',
      '```',
      '```json',
      '{ "npm": "x" }',
      '```',
    ].join('\n');
    expect(md(text).map((c) => c.command)).toEqual(['npm run x', 'npx serverless package']);
  });

  it('leaves # inside a word or quotes alone', () => {
    expect(stripComment('curl http://x/#frag')).toBe('curl http://x/#frag');
    expect(stripComment('a --data \'{"k":"#"}\' # c')).toBe('a --data \'{"k":"#"}\'');
    expect(stripComment('a "b \\" # c" d # e')).toBe('a "b \\" # c" d');
  });
});
