/**
 * Jest for mutation testing (`npm run mutate`, stryker.config.json): the project's
 * config limited to the suites that exercise the mutated core, so each mutant runs
 * only the tests that cover it (coverage per test) and never the 2-minute suite.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/policy/**/*.test.ts',
    '<rootDir>/test/ledger/**/*.test.ts',
    '<rootDir>/test/dataarts/**/*.test.ts',
    '<rootDir>/test/sweep/**/*.test.ts',
    '<rootDir>/test/reliability/**/*.test.ts',
    '<rootDir>/test/review/**/*.test.ts',
  ],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
};
