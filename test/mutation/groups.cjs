/**
 * Mutation-testing groups (`npm run mutate`, stryker.config.mjs): the modules of one
 * concern and the suites that cover them, so one group runs alone in minutes
 * (`MUTATE_GROUP=ledger npm run mutate`), two groups side by side, and the whole core
 * (no MUTATE_GROUP) is their union. Paths are relative to the project root.
 */

const ledgerModules = [
  'ledger-state',
  'file-ledger',
  // The compaction's temporary files, split out of file-ledger.
  'file-temporaries',
  'dynamodb-ledger',
  'ledger-recovery',
  'ledger-history',
  'create-table',
  'ledger',
];
const dataartsModules = [
  'signer',
  // The transport, as it was split into files.
  'transport',
  'http-attempt',
  'failure',
  'error-body',
  'refusals',
  'retry-after',
  'header-values',
  'api-path',
  'list-instances',
];
/**
 * Sweep tests (by the start of their full name) that take 10-55 s each and cover nearly
 * every line of lib/sweep: each mutant they cover would run them, and one that hangs
 * would cost minutes. What only they would catch survives and is pinned by a narrower
 * test instead.
 */
const slowSweepTests = [
  'overlapping sweeps on one ledger',
  'the rate limit is per credential',
  'shared per credential the concurrency bound',
];
const sweepSuites = ['test/sweep/**/*.test.ts', 'test/reliability/**/*.test.ts'];

/** @type {Record<string, { mutate: string[], tests: string[], skip?: string[], skipTests?: string[] }>} */
const groups = {
  // With the check of the retry rules' patterns, which config reads from util/.
  policy: {
    mutate: ['lib/policy/**/*.ts', '!lib/policy/incident.ts', 'lib/util/unsafe-pattern.ts'],
    tests: ['test/policy/**/*.test.ts', 'test/util/unsafe-pattern.test.ts'],
  },
  ledger: {
    mutate: ledgerModules.map((name) => `lib/ledger/${name}.ts`),
    tests: [
      'test/ledger/{ledgers,file-ledger,file-ledger-scale,conditions,failure-fields,dynamodb-ledger,parallel-read}.test.ts',
      'test/ledger/{dynamodb-ledger,file-ledger,ledger-parts}-mutation.test.ts',
    ],
  },
  lock: {
    mutate: ['lib/ledger/file-lock.ts', 'lib/ledger/file-log.ts'],
    tests: ['test/ledger/file-lock*.test.ts', 'test/ledger/file-log.test.ts'],
  },
  dataarts: {
    mutate: [...dataartsModules.map((name) => `lib/dataarts/${name}.ts`), 'lib/dataarts/listing/**/*.ts'],
    tests: ['test/dataarts/**/*.test.ts'],
  },
  // What one target's sweep decides: plan, caps, shares, report (its table: `display`).
  'sweep-plan': {
    mutate: [
      'phases/plan',
      'report',
      'fair-share',
      'phases/limit',
      'decision-log',
      'phases/inspect',
      'target-failures',
      'phases/reconcile',
      'phases/exhausted',
      'marks',
      'planned',
      'records',
      'outcome',
    ].map((name) => `lib/sweep/${name}.ts`),
    // And the check that report.schema.json is what report.ts generates: its descriptions.
    tests: [...sweepSuites, 'test/config/schemas.test.ts'],
    // Random sweeps by the hundred: one test covering every line (minutes per mutant).
    skip: ['properties.test.ts'],
    skipTests: slowSweepTests,
  },
  // How it runs: every target, claims, restarts, deadlines, recovery. Nearly every sweep test
  // covers these lines, so the suites that run thousands of sweeps are left out (a surviving
  // mutant would take minutes each); the suites kept reach the same lines.
  'sweep-run': {
    mutate: [
      'sweep',
      'target',
      'restart-one',
      'phases/execute',
      'hourly',
      'recovery-tracking',
      'phases/list',
    ].map((name) => `lib/sweep/${name}.ts`),
    tests: sweepSuites,
    skip: ['properties.test.ts', 'large-table.test.ts', 'lookback.test.ts', 'scale.test.ts'],
    skipTests: slowSweepTests,
  },
  // The breaker of incidents: its pure steps, the phase that acts on them, the board's rule.
  incidents: {
    mutate: [
      'lib/policy/incident.ts',
      'lib/sweep/phases/incidents.ts',
      'lib/sweep/phases/commit-incidents.ts',
      'lib/ledger/ledger-incidents.ts',
    ],
    // The outage day (a minute a run) is left out: the sweep-level suites reach its lines.
    tests: [
      'test/policy/incident.test.ts',
      'test/sweep/incidents.test.ts',
      'test/sweep/incidents-interleavings.test.ts',
      'test/ledger/ledgers.test.ts',
    ],
  },
  // The sweep table the command line prints (without --json): its counts and folded rows.
  display: {
    mutate: ['lib/render/format-table.ts'],
    tests: [
      'test/cli/terminal.test.ts',
      'test/render/format-table.test.ts',
      'test/sweep/failure-sweep.test.ts',
    ],
  },
};

/** The group MUTATE_GROUP names, or every group as one; a name not listed is refused. */
function selected(name = process.env.MUTATE_GROUP) {
  if (name === undefined || name === '') {
    const all = Object.values(groups);
    return {
      name: 'mutation',
      mutate: all.flatMap((group) => group.mutate),
      tests: [...new Set(all.flatMap((group) => group.tests))],
      skip: [],
      skipTests: [],
    };
  }
  const group = groups[name];
  if (!group)
    throw new Error(`MUTATE_GROUP=${name} is not a group; allowed: ${Object.keys(groups).join(', ')}`);
  return { name, skip: [], skipTests: [], ...group };
}

module.exports = { groups, selected };
