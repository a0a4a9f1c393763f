import { NOT_RUNNABLE, RUN_BY, SYNTAX } from './coverage';
import {
  extractCommands,
  isInlineCommand,
  isSyntax,
  type ReadmeCommand,
  readmeCommands,
  stripComment,
} from './extract';
import { ROOT } from './shell';

const commands = readmeCommands(ROOT);
const where = (c: ReadmeCommand) => `${c.file}:${c.line}: ${c.command}`;

describe('every shell command of the READMEs and docs pages is accounted for', () => {
  it('finds the commands of both READMEs and of the docs pages', () => {
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

  it('finds the inline commands too, and calls a syntax line with placeholders one, nothing else', () => {
    const inline = commands.filter((c) => c.inline);
    expect(inline.filter((c) => c.file !== 'README.zh-CN.md').length).toBeGreaterThan(10);
    expect(inline.filter((c) => c.file === 'README.zh-CN.md').length).toBeGreaterThan(3);
    const syntax = new Set(inline.filter((c) => isSyntax(c.command)).map((c) => c.command));
    // A syntax line is not run as written: NOT_RUNNABLE says so and names what runs its concrete form.
    for (const command of syntax) expect(command in RUN_BY).toBe(false);
    const saysSyntax = NOT_RUNNABLE.filter((n) => n.why.startsWith(SYNTAX)).map((n) => n.command);
    expect(new Set(saysSyntax)).toEqual(syntax);
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
      { file: 'X.md', line: 4, command: 'npm run a', inline: false },
      { file: 'X.md', line: 6, command: 'npm run b -- --reason "a # in quotes"', inline: false },
      { file: 'X.md', line: 10, command: 'npx c --flag', inline: false },
      { file: 'X.md', line: 14, command: "echo '#x'", inline: false },
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

  it('takes the code spans of prose that are commands, a wrapped one joined, none inside a fence', () => {
    const text = [
      "Run `npm run x -- --quick` and `.ci/run`; `npm test`'s suites, `--all`, `serverless`.",
      '',
      'Deploy with `serverless deploy --config',
      '  serverless.v4.yml --stage prod`, or `` npx y `z` `` here.',
      '```',
      'see `npm run hidden`',
      '```',
      '| `history --config FILE` | `PROPERTY_RUNS=2 npx jest t` | `./sweep.json` | `scripts/x.sh 3` |',
    ].join('\n');
    expect(md(text)).toEqual([
      { file: 'X.md', line: 1, command: 'npm run x -- --quick', inline: true },
      { file: 'X.md', line: 1, command: '.ci/run', inline: true },
      { file: 'X.md', line: 1, command: 'npm test', inline: true },
      {
        file: 'X.md',
        line: 3,
        command: 'serverless deploy --config serverless.v4.yml --stage prod',
        inline: true,
      },
      { file: 'X.md', line: 4, command: 'npx y `z`', inline: true },
      { file: 'X.md', line: 8, command: 'PROPERTY_RUNS=2 npx jest t', inline: true },
      { file: 'X.md', line: 8, command: 'scripts/x.sh 3', inline: true },
    ]);
  });

  it('tells a command from a tool name, a flag, a subcommand or a file name', () => {
    for (const command of [
      'npm ci',
      'npx serverless',
      'dataarts-autoretry explain ...',
      '.ci/run',
      'scripts/stress-test.sh',
    ])
      expect(isInlineCommand(command)).toBe(true);
    for (const fragment of [
      'serverless',
      'dataarts-autoretry',
      '--all',
      '-- --scale',
      'history --config FILE',
      'scripts/serverless-stage-guard.cjs',
      'dataarts-autoretry/report.schema.json',
      'jest.config.js',
      'node22',
      'POWERTOOLS_METRICS_DISABLED=true',
    ])
      expect(isInlineCommand(fragment)).toBe(false);
  });

  it('calls a command with placeholders a syntax line', () => {
    for (const syntax of [
      'npm run test:stress [-- N]',
      'npm run sweep -- <command> ...',
      'x --reason "..."',
      'x --config FILE',
      'npx serverless invoke local -f sweep …',
    ])
      expect(isSyntax(syntax)).toBe(true);
    for (const command of [
      'npm run bench -- --quick',
      'npx serverless invoke -f sweep --stage prod --data \'{"jobs":["ods_*"],"lookback":"48h"}\'',
      'npx dataarts-autoretry notify test --secret-file secret.json --dry-run --locale zh-CN',
      'PROPERTY_RUNS=200 npx jest test/reliability',
    ])
      expect(isSyntax(command)).toBe(false);
  });

  it('leaves # inside a word or quotes alone', () => {
    expect(stripComment('curl http://x/#frag')).toBe('curl http://x/#frag');
    expect(stripComment('a --data \'{"k":"#"}\' # c')).toBe('a --data \'{"k":"#"}\'');
    expect(stripComment('a "b \\" # c" d # e')).toBe('a "b \\" # c" d');
  });
});
