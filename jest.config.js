/**
 * Jest: @swc/jest transform to CommonJS. `npm test` runs every suite with the coverage
 * gate on lib/; `npm run test:unit` (AUTORETRY_TESTS=unit) skips the slow suites below
 * and finishes in seconds; `npm run test:slow` (AUTORETRY_TESTS=slow) runs only them.
 */

/** Suites that start processes or dynalite tables, or run hundreds of sweeps (or a simulated day of them). */
const SLOW = [
  'test/reliability/',
  'test/deploy/',
  'test/ledger/ledgers.test.ts',
  'test/handlers/cli.test.ts',
  'test/sweep/sweep.test.ts',
  'test/sweep/protocol.test.ts',
  'test/sweep/incident-day.test.ts',
  'test/readme/cli-commands.test.ts',
  'test/readme/deploy-commands.test.ts',
  'test/readme/library-import.test.ts',
];

const escapeRegExp = (path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const selection = {
  all: {},
  unit: { testPathIgnorePatterns: ['/node_modules/', ...SLOW.map((p) => `<rootDir>/${escapeRegExp(p)}`)] },
  slow: { testMatch: SLOW.map((p) => (p.endsWith('/') ? `<rootDir>/${p}**/*.test.ts` : `<rootDir>/${p}`)) },
}[process.env.AUTORETRY_TESTS ?? 'all'];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  ...selection,
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // string-width and its dependencies ship only ES modules: transformed to CommonJS like our own code.
  transformIgnorePatterns: ['/node_modules/(?!(string-width|strip-ansi|ansi-regex|get-east-asian-width)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/scan-secrets.ts'],
  maxWorkers: 2,
  testTimeout: 20000,
  coverageProvider: 'v8',
  collectCoverageFrom: ['<rootDir>/lib/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  // Measured when the gate was added (V8: statements 97.3%, branches 90.1%, functions
  // 96.9%); a point below for runs whose retries take other branches. Only ever raise it.
  coverageThreshold: { global: { statements: 96, branches: 89, functions: 95, lines: 96 } },
};
