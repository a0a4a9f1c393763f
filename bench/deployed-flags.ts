import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The V8 flags of the Lambda's NODE_OPTIONS, read from serverless.yml (their one
 * definition), so the benchmark measures memory as deployed.
 */
export function deployedNodeFlags(): string[] {
  const yml = readFileSync(join(__dirname, '..', 'serverless.yml'), 'utf8');
  const options = /^\s*NODE_OPTIONS:\s*(.+)$/m.exec(yml)?.[1] ?? '';
  return options.split(/\s+/).filter((flag) => flag.startsWith('--max-'));
}
