/**
 * Stryker counts a mutant whose tests ran past their limit (`Timeout`) as detected, and an
 * incremental run keeps that result. On a loaded machine a slow run of tests the mutant
 * does not fail is such a timeout too. This drops the group's timeouts from its
 * incremental file, so the next run tests them again (give it more time:
 * `MUTATE_GROUP=<group> npm run mutate -- --timeoutFactor 3`).
 *
 *   node test/mutation/retest-timeouts.cjs <group>
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const group = process.argv[2];
if (!group) throw new Error('usage: retest-timeouts.cjs <group>');
const file = join(__dirname, '../../reports/mutation', `${group}-incremental.json`);
const report = JSON.parse(readFileSync(file, 'utf8'));
let dropped = 0;
for (const entry of Object.values(report.files)) {
  const kept = entry.mutants.filter((m) => m.status !== 'Timeout');
  dropped += entry.mutants.length - kept.length;
  entry.mutants = kept;
}
writeFileSync(file, JSON.stringify(report));
console.log(`${dropped} timed-out mutants of ${group} will be tested again`);
