/**
 * `npm run sizes`: packages the function as `npx serverless package --stage prod` does
 * (offline, fake AWS credentials), measures the zip and the bundle inside it, prints them
 * and writes them into the `sizes` block of docs/dev/performance.md.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeMeasuredBlock } from './doc-block';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
/** The stage guard refuses placeholder params on prod: an example target and secret, never deployed. */
const PROD_PARAMS = [
  '--param',
  'targets=[{"name":"cn4-prod","endpoint":"https://dayu-dlf.cn-north-4.myhuaweicloud.com","projectId":"0a1b2c3d4e5f60718293a4b5c6d7e8f9"}]',
  '--param',
  'secretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:dataarts-autoretry/prod-AbCdEf',
];
const ZIP = 'dataarts-autoretry.zip';

/** Bytes of each file in the zip, by name (`unzip -l`). */
async function zipEntries(zip: string): Promise<Map<string, number>> {
  const { stdout } = await run('unzip', ['-l', zip]);
  const entries = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const match = /^\s*(\d+)\s+\S+\s+\S+\s+(\S+)$/.exec(line);
    if (match) entries.set(match[2] as string, Number(match[1]));
  }
  return entries;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB (${bytes} bytes)`;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sizes-'));
  try {
    await run(
      join(ROOT, 'node_modules/.bin/serverless'),
      ['package', '--stage', 'prod', '--package', dir, ...PROD_PARAMS],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'x',
          AWS_SECRET_ACCESS_KEY: 'x',
        },
      },
    );
    const zip = join(dir, ZIP);
    const entries = await zipEntries(zip);
    const bundle = entries.get('handlers/sweep.js');
    if (bundle === undefined) throw new Error(`handlers/sweep.js is not in ${ZIP}`);
    const lines = [
      `bundle handlers/sweep.js (esbuild, minified, keepNames, @aws-sdk/* external): ${kb(bundle)}`,
      `source map handlers/sweep.js.map: ${kb(entries.get('handlers/sweep.js.map') ?? 0)}`,
      `zip ${ZIP} (what is uploaded): ${kb((await stat(zip)).size)}`,
    ];
    for (const line of lines) process.stdout.write(`${line}\n`);
    writeMeasuredBlock(join(ROOT, 'docs/dev/performance.md'), 'sizes', 'npm run sizes', lines);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`sizes failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
