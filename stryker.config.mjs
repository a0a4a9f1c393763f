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
  // The modules whose rules are the product's promises (issue 16). The transport is the
  // eight files it was split into; `lib/sweep/format-table.ts` is display only.
  mutate: [
    'lib/policy/**/*.ts',
    'lib/ledger/**/*.ts',
    'lib/dataarts/signer.ts',
    'lib/dataarts/transport.ts',
    'lib/dataarts/http-attempt.ts',
    'lib/dataarts/failure.ts',
    'lib/dataarts/error-body.ts',
    'lib/dataarts/refusals.ts',
    'lib/dataarts/retry-after.ts',
    'lib/dataarts/header-values.ts',
    'lib/dataarts/api-path.ts',
    'lib/dataarts/list-instances.ts',
    'lib/dataarts/listing/**/*.ts',
    'lib/sweep/**/*.ts',
    '!lib/sweep/format-table.ts',
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
