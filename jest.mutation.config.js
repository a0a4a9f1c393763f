/**
 * Jest for mutation testing (`npm run mutate`, stryker.config.mjs): the project's config
 * limited to the suites of the group being mutated (test/mutation/groups.cjs), so each
 * mutant runs only the tests that cover it (coverage per test), smallest suite first.
 */
const base = require('./jest.config.js');
const { selected } = require('./test/mutation/groups.cjs');

const group = selected();
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every test but those whose full name starts with one of the group's `skipTests`. */
const testNamePattern =
  group.skipTests.length > 0 ? `^(?!(?:${group.skipTests.map(escapeRegExp).join('|')}))` : undefined;

module.exports = {
  ...base,
  testMatch: group.tests.map((glob) => `<rootDir>/${glob}`),
  testPathIgnorePatterns: ['/node_modules/', ...group.skip],
  testSequencer: '<rootDir>/test/mutation/small-first.cjs',
  maxWorkers: 1,
  ...(testNamePattern === undefined ? {} : { testNamePattern }),
};
