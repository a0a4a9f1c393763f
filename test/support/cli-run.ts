import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../lib/util/time';
import { type FakeIo, fakeIo } from '../cli/fake-io';
import { AK, PROJECT, SK } from './targets';

/**
 * Writes a sweep config to `path`: one target (`prod`) on the emulator at `endpoint`, a
 * file ledger in `ledgerDir`, then `fields` (policy, client, or replacements of either).
 */
export async function writeConfigFile(
  path: string,
  endpoint: string,
  ledgerDir: string,
  fields: Record<string, unknown>,
): Promise<void> {
  await writeFile(
    path,
    JSON.stringify({
      targets: [{ name: 'prod', endpoint, projectId: PROJECT }],
      ledger: { type: 'file', path: join(ledgerDir, 'ledger.json') },
      ...fields,
    }),
  );
}

/** A sweep config file (`sweep.json`, see writeConfigFile) in a fresh temporary directory. */
export async function writeSweepConfig(
  endpoint: string,
  prefix: string,
  policy: Record<string, unknown>,
): Promise<{ dir: string; config: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const config = join(dir, 'sweep.json');
  await writeConfigFile(config, endpoint, dir, { policy });
  return { dir, config };
}

/** A fake CLI io carrying the emulator's credentials and reading `clock`. */
export function emulatorIo(
  clock: Clock,
  options: { env?: Record<string, string>; tty?: boolean } = {},
): FakeIo {
  return fakeIo({
    env: { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, ...options.env },
    now: () => clock.now(),
    ...(options.tty === undefined ? {} : { tty: options.tty }),
  });
}
