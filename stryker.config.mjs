// @ts-check
import groupsModule from './test/mutation/groups.cjs';

/**
 * Mutation testing of the core: `npm run mutate` (every group, hours on 2 cores), one
 * group (`MUTATE_GROUP=sweep-plan npm run mutate`; groups in test/mutation/groups.cjs)
 * or one file (`npm run mutate -- --mutate lib/ledger/ledger-state.ts`). Not part of
 * `npm test` or CI. Incremental: a rerun tests only the mutants whose code or covering
 * tests changed (`-- --force` for all). Reports: reports/mutation/<group>.html and .json.
 */
const group = groupsModule.selected();

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    // The project's jest config, limited to the group's suites.
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
  // A shared 2-core machine: one test process per group.
  concurrency: 1,
  mutate: group.mutate,
  // Each group its own sandbox, so two groups can run side by side.
  tempDirName: `.stryker-tmp-${group.name}`,
  ignorePatterns: ['dist', 'coverage', 'reports', '.demo', '.serverless', '.esbuild', '.stryker-tmp*'],
  cleanTempDir: true,
  incremental: true,
  incrementalFile: `reports/mutation/${group.name}-incremental.json`,
  // event-recorder writes each mutant's result as it is tested (reports/mutation/events-<group>/),
  // so the survivors of a long run can be read, and worked on, before it ends.
  reporters: ['html', 'json', 'clear-text', 'progress', 'event-recorder'],
  eventReporter: { baseDir: `reports/mutation/events-${group.name}` },
  htmlReporter: { fileName: `reports/mutation/${group.name}.html` },
  jsonReporter: { fileName: `reports/mutation/${group.name}.json` },
  // A mutant that makes a lock or a DynamoDB loop spin is a timeout (counted as detected).
  timeoutMS: 10_000,
  // The sweep suites take minutes on a loaded machine; the default 5 is not enough.
  dryRunTimeoutMinutes: 30,
  thresholds: { high: 90, low: 80, break: null },
};
