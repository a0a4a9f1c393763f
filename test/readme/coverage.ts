/**
 * Where each shell command of README.md and README.zh-CN.md is accounted for.
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
export type Runner = 'cli-commands' | 'deploy-commands';

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
  'npx dataarts-autoretry reset --config sweep.json --instance 34099 --reason "源表已修复" --dry-run':
    'cli-commands',
  'npx dataarts-autoretry reset --config sweep.json --instance 34099 --reason "源表已修复"': 'cli-commands',
  'npx dataarts-autoretry notify test --secret-file secret.json --dry-run --locale zh-CN': 'cli-commands',
  'npx dataarts-autoretry notify test --secret-file secret.json': 'cli-commands',
  'npm run sweep -- --config sweep.json --notify --secret-file secret.json': 'cli-commands',
  'npm run validate -- --stage prod': 'deploy-commands',
};

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
    command: 'npx serverless deploy --stage prod',
    why:
      'deploys to a real AWS account. deploy-commands runs `npx serverless package --stage prod` ' +
      "instead (everything deploy does before uploading: the stage guard, the bundle, the template) with the README's prod params.",
  },
];
