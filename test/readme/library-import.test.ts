/**
 * README "As a library": `import { FileLedger, parseConfig, runSweep, type SweepReport }
 * from 'dataarts-autoretry'` from a project that installed the package, through the
 * `exports` map, with the entry point `prepare` builds (as `npm ci` and a git install
 * run it). test/cli/library.test.ts checks lib/index.ts itself; this checks the built
 * package: dist/index.js, its types in dist/types/, and the exported schema files.
 * Also the README's inline `npm run build` and `npm run schemas`, run as written in a clone.
 */
import { cp, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readmeBlocks } from './extract';
import {
  bash,
  expectExit,
  ROOT,
  readmeRunner,
  removeFolders,
  tempFolder,
  userEnv,
  workingCopy,
} from './shell';

/** Generous: prepare bundles and emits declarations on a shared, loaded 2-core machine. */
const SLOW_STEP = 600_000;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const readme = readmeRunner('library-import');

/** The README's import line, exactly. */
function readmeImport(): string {
  const blocks = readmeBlocks(ROOT, 'ts').filter((b) => b.text.includes("from 'dataarts-autoretry'"));
  expect(blocks).toHaveLength(1);
  return blocks[0]!.text.trim();
}

describe("README: the library entry point, built by `prepare`, imported as 'dataarts-autoretry'", () => {
  let clone: string;
  let consumer: string;

  beforeAll(async () => {
    clone = await workingCopy('library');
    const prepared = await bash('npm run prepare', clone, userEnv());
    expectExit(prepared, 0);
    for (const file of ['dist/cli.js', 'dist/index.js', 'dist/types/lib/index.d.ts'])
      expect((await stat(join(clone, file))).isFile()).toBe(true);
    // A project that installed the package: node_modules/dataarts-autoretry is the clone.
    consumer = await tempFolder('consumer');
    await mkdir(join(consumer, 'node_modules'));
    await symlink(clone, join(consumer, 'node_modules/dataarts-autoretry'));
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  }, SLOW_STEP);
  afterAll(removeFolders);

  it(
    'type-checks the README import against dist/types (exports "types")',
    async () => {
      const source = [
        readmeImport(),
        "const ledger = new FileLedger('ledger.json');",
        'const run: typeof runSweep = runSweep;',
        "const report: SweepReport['schemaVersion'] = 1;",
        'export { ledger, run, report, parseConfig };',
        '',
      ].join('\n');
      await writeFile(join(consumer, 'index.ts'), source);
      // And a name the entry does not export, which must be an error: the types really come from the package.
      await writeFile(
        join(consumer, 'wrong.ts'),
        "import { notExported } from 'dataarts-autoretry';\nvoid notExported;\n",
      );
      const checked = await bash(
        `node ${TSC} --noEmit --strict --skipLibCheck --module nodenext --moduleResolution nodenext --types node --typeRoots ${join(ROOT, 'node_modules/@types')} index.ts wrong.ts`,
        consumer,
        userEnv(),
      );
      expect(checked.stdout.trim().split('\n')).toEqual([
        `wrong.ts(1,10): error TS2305: Module '"dataarts-autoretry"' has no exported member 'notExported'.`,
      ]);
    },
    SLOW_STEP,
  );

  it(
    'runs dist/index.js through the exports map, with require and with import',
    async () => {
      const script = [
        "const lib = require('dataarts-autoretry');",
        "const names = ['runSweep', 'parseConfig', 'parseConfigText', 'FileLedger', 'DynamoDbLedger', 'settingsFromEnv', 'buildTargets', 'buildLedger'];",
        "console.log(names.filter((n) => typeof lib[n] !== 'function').join(',') || 'ok');",
        "console.log(require.resolve('dataarts-autoretry'));",
        "console.log(require('dataarts-autoretry/report.schema.json').title ?? 'schema');",
        "console.log(lib.REPORT_SCHEMA_VERSION, lib.parseConfigText(JSON.stringify({ targets: [{ name: 'a', endpoint: 'https://dayu-dlf.cn-north-4.myhuaweicloud.com', projectId: 'p1' }], ledger: { type: 'file', path: 'l.json' } })).targets.length);",
      ].join('\n');
      await writeFile(join(consumer, 'use.cjs'), script);
      const required = await bash('node use.cjs', consumer, userEnv());
      expectExit(required, 0);
      const [missing, resolved, , last] = required.stdout.trim().split('\n');
      expect(missing).toBe('ok');
      // Node resolves the installed package's real path: the clone's build.
      expect(resolved).toBe(join(clone, 'dist/index.js'));
      expect(last).toBe('1 1');
      await writeFile(
        join(consumer, 'use.mjs'),
        "import { FileLedger, parseConfig, runSweep } from 'dataarts-autoretry';\nconsole.log(typeof FileLedger, typeof parseConfig, typeof runSweep);\n",
      );
      const imported = await bash('node use.mjs', consumer, userEnv());
      expectExit(imported, 0);
      expect(imported.stdout.trim()).toBe('function function function');
    },
    SLOW_STEP,
  );
});

describe('README: `npm run build` and `npm run schemas` in a clone', () => {
  let dir: string;

  beforeAll(async () => {
    // scripts/ is a copy: gen-schemas writes beside its own file, so through a link it would write the repository's.
    dir = await workingCopy('build', ['scripts', 'config.schema.json', 'report.schema.json']);
    await cp(join(ROOT, 'scripts'), join(dir, 'scripts'), { recursive: true });
    // A clone has the repository's .gitignore, which Biome (run by gen-schemas) reads.
    await symlink(join(ROOT, '.gitignore'), join(dir, '.gitignore'));
  }, SLOW_STEP);
  afterAll(removeFolders);

  it(
    '`npm run build` builds the command line, the library entry point and its types',
    async () => {
      const ran = await readme.run('npm run build', dir, userEnv());
      expectExit(ran, 0);
      for (const file of ['dist/cli.js', 'dist/index.js', 'dist/types/lib/index.d.ts'])
        expect((await stat(join(dir, file))).isFile()).toBe(true);
      const version = await bash('node dist/cli.js --version', dir, userEnv());
      expectExit(version, 0);
      expect(version.stdout.trim()).toContain('0.1.0');
    },
    SLOW_STEP,
  );

  it(
    '`npm run schemas` writes config.schema.json and report.schema.json: the ones the package exports',
    async () => {
      const ran = await readme.run('npm run schemas', dir, userEnv());
      expectExit(ran, 0);
      expect(ran.stdout).toContain('wrote config.schema.json, report.schema.json');
      for (const file of ['config.schema.json', 'report.schema.json']) {
        const written = await readFile(join(dir, file), 'utf8');
        expect(JSON.parse(written).$id).toBe(`https://github.com/dataarts-autoretry/${file}`);
        // What the repository holds is current (test/config/schemas.test.ts says the same in memory).
        expect(written).toBe(await readFile(join(ROOT, file), 'utf8'));
      }
    },
    SLOW_STEP,
  );

  it('ran every README command given to this suite', () => {
    expect(readme.notRun()).toEqual([]);
  });
});
