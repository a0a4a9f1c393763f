/**
 * A mutation run stopped before its end keeps what it measured: Stryker writes its
 * incremental file only at the end, but the event recorder (stryker.config.mjs) wrote
 * each mutant's result as it was tested. This turns those results into the group's
 * incremental file, so the next `MUTATE_GROUP=<group> npm run mutate` tests only the
 * mutants not tested yet (and those whose code or tests changed since).
 *
 *   node test/mutation/resume-from-events.cjs <group> <commit the run started from>
 *
 * The commit gives the sources the results refer to (the run's sandbox was a copy of
 * them); Stryker then moves each result onto today's code, as for any incremental run.
 * Prints per-file counts of what was tested.
 */
const { execFileSync } = require('node:child_process');
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '../..');
const [group, commit] = process.argv.slice(2);
if (!group || !commit) throw new Error('usage: resume-from-events.cjs <group> <commit>');
const events = join(root, 'reports/mutation', `events-${group}`);
const read = (file) => JSON.parse(readFileSync(join(events, file), 'utf8'));
const sourceAt = (file) =>
  execFileSync('git', ['show', `${commit}:${file}`], { cwd: root, encoding: 'utf8' });
const rel = (file) => relative(root, file);

const names = readdirSync(events).sort();
const dryRun = read(names.find((name) => name.endsWith('onDryRunCompleted.json')));
const tested = names.filter((name) => name.endsWith('onMutantTested.json')).map(read);

const files = {};
for (const m of tested) {
  const file = rel(m.fileName);
  files[file] ??= { language: 'typescript', source: sourceAt(file), mutants: [] };
  files[file].mutants.push({
    id: m.id,
    mutatorName: m.mutatorName,
    replacement: m.replacement,
    location: m.location,
    status: m.status,
    ...(m.statusReason === undefined ? {} : { statusReason: m.statusReason }),
    coveredBy: m.coveredBy ?? [],
    killedBy: m.killedBy ?? [],
    ...(m.testsCompleted === undefined ? {} : { testsCompleted: m.testsCompleted }),
    static: m.static ?? false,
  });
}

const testFiles = {};
for (const t of dryRun.result.tests) {
  const file = rel(t.fileName);
  testFiles[file] ??= { source: sourceAt(file), tests: [] };
  testFiles[file].tests.push({
    id: t.id,
    name: t.name,
    ...(t.startPosition ? { location: { start: t.startPosition } } : {}),
  });
}

const report = {
  schemaVersion: '1.0',
  thresholds: { high: 90, low: 80 },
  projectRoot: root,
  files,
  testFiles,
};
writeFileSync(join(root, 'reports/mutation', `${group}-incremental.json`), JSON.stringify(report));

const counts = {};
for (const [file, { mutants }] of Object.entries(files))
  for (const { status } of mutants) {
    counts[file] ??= {};
    counts[file][status] = (counts[file][status] ?? 0) + 1;
  }
console.log(JSON.stringify(counts, null, 1));
