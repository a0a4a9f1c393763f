// @ts-check
/**
 * Mutation testing of the core: `npm run mutate` (all of it, ~tens of minutes on 2 cores)
 * or one module: `npm run mutate -- --mutate 'lib/ledger/**\/*.ts'`. Not part of
 * `npm test` or CI. Reports: reports/mutation/mutation.html and mutation.json.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    // The project's jest config, limited to the suites that cover the core.
    configFile: 'jest.mutation.config.js',
    enableFindRelatedTests: false,
  },
  // Type-checks each mutant first: a mutant tsc refuses is not counted (CompileError).
  // tsconfig.mutation.json checks only the core and its imports, so work in progress
  // elsewhere in the tree cannot fail the initial check.
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  // A shared 2-core machine: one test process.
  concurrency: 1,
  mutate: [
    'lib/policy/decide.ts',
    'lib/policy/rules.ts',
    'lib/policy/backoff.ts',
    'lib/ledger/ledger-state.ts',
    'lib/ledger/file-ledger.ts',
    'lib/ledger/file-lock.ts',
    'lib/ledger/dynamodb-ledger.ts',
    'lib/dataarts/signer.ts',
  ],
  ignorePatterns: ['dist', 'coverage', 'reports', '.demo', '.serverless', '.esbuild'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // A mutant that makes a lock or a DynamoDB loop spin is a timeout (counted as detected).
  timeoutMS: 10_000,
  thresholds: { high: 90, low: 80, break: null },
};
