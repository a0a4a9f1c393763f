import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/** The repository root: serverless.yml and node_modules/.bin live here. */
export const ROOT = resolve(__dirname, '../..');

/** A stage's real `targets` param (one DataArts target), as `--param` takes it. */
export const TARGETS_PARAM =
  'targets=[{"name":"cn4-prod","endpoint":"https://dayu-dlf.cn-north-4.myhuaweicloud.com","projectId":"0a1b2c3d4e5f60718293a4b5c6d7e8f9"}]';

/** A stage's real `secretArn` param, as `--param` takes it. */
export const secretArnParam = (stage: string) =>
  `secretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:dataarts-autoretry/${stage}-AbCdEf`;

/**
 * Runs the serverless command offline (dummy AWS credentials: osls packages and validates
 * without calling AWS). Rejects when the command fails.
 */
export function serverless(args: string[]) {
  return promisify(execFile)(join(ROOT, 'node_modules/.bin/serverless'), args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
    },
  });
}

/** The CloudFormation template `serverless package` wrote to `dir`. */
export async function packagedTemplate(dir: string) {
  return JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
}
