import { ManualClock } from '../../emulator/manual-clock';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../emulator/server';
import { AkSkAuthenticator } from '../../lib/dataarts/auth';
import { DataArtsClient } from '../../lib/dataarts/client';
import type { ListOptions } from '../../lib/dataarts/list-instances';
import { Transport, type TransportOptions } from '../../lib/dataarts/transport';
import type { Clock } from '../../lib/util/time';

export const AK = 'EMULATORAKEXAMPLE0001';
export const SK = 'emulator-secret-key-never-printed-7Hq2';
export const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
/** 2026-11-24T08:00:00Z: the fixed "now" of the tests. */
export const T0 = Date.UTC(2026, 10, 24, 8, 0, 0);

/**
 * Fast transport settings for tests: no real waiting between retries. The per-attempt
 * timeout is generous on purpose: CI is a shared, loaded 2-core machine, and a test that
 * is not about timeouts must never see one. A test about timeouts injects a `hang` (an
 * answer that never comes) and sets its own timeout.
 */
export const FAST: Partial<TransportOptions> = {
  timeoutMs: 5_000,
  retries: 3,
  baseDelayMs: 1,
  maxDelayMs: 5,
  maxRetryAfterMs: 20,
  ratePerSecond: 10_000,
  concurrency: 8,
};

export async function emulatorWithClock(
  options: Partial<EmulatorOptions> = {},
): Promise<{ emulator: Emulator; clock: ManualClock }> {
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock(T0);
  const emulator = await startEmulator({ accessKeys: { [AK]: SK }, ...options, clock });
  return { emulator, clock };
}

export function akskClient(
  emulator: Emulator,
  clock: Clock,
  options: {
    transport?: Partial<TransportOptions>;
    list?: Partial<ListOptions>;
    workspace?: string;
    sk?: string;
  } = {},
): { client: DataArtsClient; transport: Transport } {
  const transport = new Transport({
    baseUrl: emulator.url,
    authenticator: new AkSkAuthenticator({ ak: AK, sk: options.sk ?? SK }, PROJECT, () => clock.now()),
    options: { ...FAST, ...options.transport },
  });
  const client = new DataArtsClient(
    transport,
    { projectId: PROJECT, ...(options.workspace ? { workspace: options.workspace } : {}) },
    options.list,
  );
  return { client, transport };
}
