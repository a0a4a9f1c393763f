/**
 * Where each shell command of README.md, README.zh-CN.md and the pages under docs/ is accounted for.
 * test/readme/accounted.test.ts fails while a README command is in neither table, or a
 * table names a command no README holds any more; each suite refuses to run a command
 * not given to it here, and fails if it did not run every command given to it.
 *
 * To add a command to a README: run it, exactly as written, in the suite that fits
 * (or a new one under test/readme/), assert its exit status and key output, and add it
 * to RUN_BY; only a command that cannot run offline goes to NOT_RUNNABLE, with why and
 * what runs instead.
 */

/** The suites that run README commands. */
export type Runner = 'cli-commands' | 'deploy-commands' | 'library-import';

/** Command (exactly as the README has it, trailing `# comment` left out) -> the suite that runs it. */
export const RUN_BY: Record<string, Runner> = {
  'npx dataarts-autoretry init': 'cli-commands',
  'npx dataarts-autoretry validate --config sweep.json': 'cli-commands',
  'npm run sweep -- --config sweep.json --dry-run': 'cli-commands',
  'export HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=...': 'cli-commands',
  'npm run sweep -- --config sweep.json': 'cli-commands',
  'npm run --silent sweep -- --config sweep.json --json': 'cli-commands',
  'npx dataarts-autoretry --help': 'cli-commands',
  'npx dataarts-autoretry history --config sweep.json --job ods_orders_daily': 'cli-commands',
  'npx dataarts-autoretry reset --config sweep.json --instance 34099 --reason "source table fixed" --dry-run':
    'cli-commands',
  'npx dataarts-autoretry reset --config sweep.json --instance 34099 --reason "source table fixed"':
    'cli-commands',
  'npx dataarts-autoretry notify test --secret-file secret.json --dry-run --locale zh-CN': 'cli-commands',
  'npx dataarts-autoretry notify test --secret-file secret.json': 'cli-commands',
  'npm run sweep -- --config sweep.json --notify --secret-file secret.json': 'cli-commands',
  'npm run validate -- --stage prod': 'deploy-commands',
  // Written inline in prose (see isInlineCommand in ./extract).
  'npx dataarts-autoretry history --config sweep.json --instance 34099': 'cli-commands',
  'npx serverless validate --stage prod': 'deploy-commands',
  'npx serverless package --stage prod': 'deploy-commands',
  'npx serverless': 'deploy-commands',
  'npm run local-stack': 'deploy-commands',
  'npm run local-stack -- --invoke': 'deploy-commands',
  'npm run build': 'library-import',
  'npm run schemas': 'library-import',
};

/** The start of the why of a syntax line (isSyntax in ./extract): a form with placeholders. */
export const SYNTAX = 'syntax with placeholders; ';

const needsAws = (what: string, instead: string) =>
  `${what} in a real AWS account (the deployed stack). ${instead}`;

/** Commands no test can run here, each with why and what runs in its place. */
export const NOT_RUNNABLE: ReadonlyArray<{ command: string; why: string }> = [
  {
    command: 'npm ci && npm run demo',
    why:
      '`npm ci` deletes and reinstalls node_modules (network, minutes) under every other suite; ' +
      '.ci/run runs `npm ci` itself. cli-commands runs `npm run demo` (its other half) as written.',
  },
  {
    command: 'npm test',
    why: 'it is the command that runs this suite (it would run itself); .ci/run runs it.',
  },
  {
    command:
      'aws secretsmanager create-secret --name dataarts-autoretry/prod --secret-string file://secret.json',
    why:
      'creates a secret in a real AWS account. deploy-commands checks instead that the secret.json it ' +
      "uploads (the README's example) is one the function's secret parser accepts.",
  },
  {
    command: 'git clone <repository-url> && cd dataarts-autoretry',
    why:
      'clones from the network, to an address each user fills in; every suite here runs in a working copy of ' +
      'this repository (workingCopy in ./shell), the folder that command makes.',
  },
  {
    command: 'npm run deploy -- --stage prod',
    why:
      'deploys to a real AWS account (it is `npx serverless deploy --stage prod`). deploy-commands runs ' +
      "`npx serverless package --stage prod` instead, with the docs' prod params.",
  },
  {
    command: 'npx serverless deploy --stage prod',
    why:
      'deploys to a real AWS account. deploy-commands runs `npx serverless package --stage prod` ' +
      "instead (everything deploy does before uploading: the stage guard, the bundle, the template) with the README's prod params.",
  },
  // Written inline in prose (see isInlineCommand in ./extract).
  {
    command: 'npm ci',
    why: 'deletes and reinstalls node_modules (network, minutes) under every other suite; .ci/run runs it.',
  },
  {
    command: '.ci/run',
    why: 'runs `npm ci` and `npm test`, which runs this suite (it would run itself); it is what CI runs.',
  },
  {
    command: 'npm run test:unit',
    why: '`npm test` runs these suites (its `jest --coverage` is test:unit and test:slow together); run from here it would run this suite again.',
  },
  {
    command: 'npm run test:slow',
    why: 'runs test/readme/ itself (it would run itself); `npm test` runs these suites.',
  },
  {
    command: 'PROPERTY_RUNS=200 npx jest test/reliability',
    why: 'a nested Jest run of minutes; `npm test` runs test/reliability with the full sample (600 runs).',
  },
  {
    command: 'scripts/stress-test.sh',
    why: 'runs `npm test` 3 times beside 4 CPU-bound processes (tens of minutes); run by hand before trusting a timing-free suite.',
  },
  {
    command: 'npm run test:stress [-- N]',
    why: `${SYNTAX}its concrete form runs \`npm test\` N times under load (tens of minutes), as scripts/stress-test.sh above.`,
  },
  {
    command: 'npm run bench',
    why: 'the full benchmark takes tens of minutes; .ci/run runs `npm run bench -- --quick` as written.',
  },
  {
    command: 'npm run bench -- --quick',
    why: '.ci/run runs it as written after `npm test` (a minute of load under every other suite if run here).',
  },
  {
    command: 'npm run bench -- --fifty',
    why: 'sweeps 50 targets of 5,000 instances (minutes); .ci/run runs `npm run bench -- --quick`.',
  },
  {
    command: 'npm run bench -- --incident-day',
    why: 'runs the simulated outage day in both modes (seconds); test/sweep/incident-day.test.ts runs the same day through runIncidentDay and asserts its figures.',
  },
  {
    command: 'npx dataarts-autoretry incidents --config autoretry.json',
    why: 'lists what the ledger of autoretry.json holds, which only a sweep of a real outage makes; test/cli/incidents.test.ts runs `incidents` on a ledger holding an open incident and asserts its columns.',
  },
  {
    command: 'npx dataarts-autoretry incidents --config autoretry.json --closed --json',
    why: 'lists what the ledger of autoretry.json holds, which only a sweep of a real outage makes; test/cli/incidents.test.ts runs `incidents` on a ledger holding incidents.',
  },
  {
    command:
      'npx dataarts-autoretry incidents close 3f9a0c1d2b4e5f60 --config autoretry.json --target cn4-prod --reason "queue etl_q resized by hand"',
    why: 'the cause key is that of one open incident in one ledger (a hash of its cause); test/cli/incidents.test.ts closes one by hand, checks the reason kept in the ledger, and the exit codes (1: no open incident with that key, 2: no reason).',
  },
  {
    command: 'npm run docs:config',
    why: 'writes the configuration reference into this repository; test/docs/config-reference.test.ts runs its generator in memory and fails while the pages on disk differ.',
  },
  {
    command: 'npm run bench -- --write-docs',
    why: 'the full benchmark (tens of minutes), writing its figures into docs/dev/performance.md; test/docs/performance.test.ts checks the block it writes.',
  },
  {
    command: 'npm run sizes',
    why: 'writes the measured sizes into docs/dev/performance.md; test/deploy/serverless-package.test.ts packages the same way and checks the bundle budget, test/docs/performance.test.ts the block.',
  },
  {
    command: 'npm run mutate',
    why: 'StrykerJS over the whole core takes hours; not part of `npm test` or CI (docs/dev/testing.md, Mutation testing).',
  },
  {
    command: 'npm run mutate -- --mutate lib/ledger/file-lock.ts',
    why: 'one module takes 5 to 30 minutes; not part of `npm test` or CI (docs/dev/testing.md, Mutation testing).',
  },
  {
    command: 'MUTATE_GROUP=ledger npm run mutate',
    why: 'one group takes 20 minutes to 2 hours; not part of `npm test` or CI (docs/dev/testing.md, Mutation testing).',
  },
  {
    command: 'node test/mutation/resume-from-events.cjs <group> <commit>',
    why: `${SYNTAX}it needs the recorded results of a stopped Stryker run (reports/mutation/events-<group>/), which only a mutation run of tens of minutes makes.`,
  },
  {
    command: 'node test/mutation/retest-timeouts.cjs <group>',
    why: `${SYNTAX}it needs a group's incremental file (reports/mutation/<group>-incremental.json), which only a mutation run of tens of minutes makes.`,
  },
  {
    command: 'MUTATE_GROUP=<group> npm run mutate -- --timeoutFactor 3',
    why: `${SYNTAX}tests a group's timeouts again, tens of minutes; not part of \`npm test\` or CI (docs/dev/testing.md, Mutation testing).`,
  },
  {
    command: 'npm run mutate -- --force',
    why: 'every mutant of the core again, hours; not part of `npm test` or CI (docs/dev/testing.md, Mutation testing).',
  },
  {
    command: 'npx serverless invoke -f sweep --stage prod --data \'{"dryRun":true}\'',
    why: needsAws(
      'invokes the deployed function',
      'deploy-commands runs `npm run local-stack -- --invoke` (the real handler, invoked locally).',
    ),
  },
  {
    command: 'npx serverless invoke -f sweep --stage prod --data \'{"jobs":["ods_*"],"lookback":"48h"}\'',
    why: needsAws(
      'invokes the deployed function',
      'deploy-commands runs `npm run local-stack -- --invoke` (the real handler, invoked locally).',
    ),
  },
  {
    command: 'npx serverless logs -f sweep --stage prod --tail',
    why: needsAws(
      "reads the deployed function's CloudWatch Logs",
      'test/lambda/handler.test.ts asserts the log lines the function writes.',
    ),
  },
  {
    command: 'npx serverless remove --stage prod',
    why: needsAws('removes the stack', 'Nothing runs in its place.'),
  },
  // Syntax lines: placeholders where a user puts their own values.
  {
    command: 'npm run sweep -- <command> ...',
    why: `${SYNTAX}cli-commands runs its concrete form \`npm run sweep -- --config sweep.json\` (the default command).`,
  },
  {
    command: 'npm run sweep -- --config ... --dry-run',
    why: `${SYNTAX}cli-commands runs its concrete form \`npm run sweep -- --config sweep.json --dry-run\`.`,
  },
  {
    command: 'dataarts-autoretry explain --config FILE --job NAME --instance ID [--target NAME] [--json]',
    why: `${SYNTAX}no README has a concrete form; test/cli/explain.test.ts checks what \`explain\` finds and prints.`,
  },
  {
    command: 'npm run sweep -- explain ...',
    why: `${SYNTAX}no README has a concrete form; test/cli/explain.test.ts checks what \`explain\` finds and prints.`,
  },
  {
    command: 'dataarts-autoretry explain ...',
    why: `${SYNTAX}no README has a concrete form; test/cli/explain.test.ts checks what \`explain\` finds and prints.`,
  },
  {
    command:
      'dataarts-autoretry notify test --secret-file FILE [--dry-run] [--locale zh-CN] [--time-zone Asia/Shanghai]',
    why: `${SYNTAX}cli-commands runs its concrete forms \`npx dataarts-autoretry notify test --secret-file secret.json [--dry-run --locale zh-CN]\`.`,
  },
  {
    command: 'npx dataarts-autoretry reset --config sweep.json --instance 34099 --reason "..."',
    why: `${SYNTAX}cli-commands runs its concrete form with \`--reason "source table fixed"\`.`,
  },
  {
    command: 'npx serverless invoke local -f sweep ...',
    why: `${SYNTAX}\`npm run local-stack\` prints its concrete form and \`npm run local-stack -- --invoke\` runs it (deploy-commands runs both).`,
  },
  {
    command: 'npx serverless package --stage fifty --param secretArn=...',
    why: `${SYNTAX}test/config/stage-config.test.ts packages the fifty stage with a concrete secretArn.`,
  },
];
