/**
 * `npm run emulator`: the DataArts emulator alone, on 127.0.0.1, on the wall clock.
 *
 *   npm run emulator -- [--port 8080] [--ak AK --sk SK] [--seed seeds.json]
 *                       [--project ID] [--workspace WS] [--options options.json]
 *
 * `--seed` is a JSON array of instance seeds (see InstanceSeed in state.ts), or a list
 * answer shaped like the documented example (`{"instances": [...]}`); `--options` is a
 * JSON object of EmulatorOptions (strictness, paging, rate limit, lag; see README.md).
 * Without `--seed` it holds three failed instances planned in the last two hours.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { failedSeeds } from './builders';
import { PortInUseError } from './listen';
import { type EmulatorOptions, startEmulator } from './server';

const DEFAULT_PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';

async function readJson(path: string | undefined): Promise<unknown> {
  return path === undefined ? undefined : JSON.parse(await readFile(path, 'utf8'));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      ak: { type: 'string', default: 'EMULATORAKEXAMPLE0001' },
      sk: { type: 'string', default: 'emulator-secret-key' },
      project: { type: 'string', default: DEFAULT_PROJECT },
      workspace: { type: 'string' },
      seed: { type: 'string' },
      options: { type: 'string' },
    },
  });
  const extra = ((await readJson(values.options)) ?? {}) as Partial<EmulatorOptions>;
  const emulator = await startEmulator({
    ...extra,
    clock: { now: () => Date.now() },
    accessKeys: { [values.ak]: values.sk },
    port: Number(values.port),
  });
  const seeds = await readJson(values.seed);
  if (seeds && !Array.isArray(seeds)) {
    emulator.seedFromListAnswer(values.project, values.workspace, seeds as { instances: [] });
  } else {
    const now = Date.now();
    emulator.seed(values.project, values.workspace, (seeds as never[]) ?? failedSeeds(3, { now }));
  }
  process.stdout.write(
    `DataArts emulator at ${emulator.url}\nproject ${values.project}, AK ${values.ak} (the SK is the one you gave)\nCtrl-C stops it.\n`,
  );
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** One line for the user: the port case says how to pick another. */
function describeFailure(error: unknown): string {
  if (error instanceof PortInUseError)
    return `emulator: ${error.message}; choose another with --port <port>, or leave --port out for a free one`;
  return error instanceof Error ? error.message : String(error);
}

main().catch((error: unknown) => {
  process.stderr.write(`${describeFailure(error)}\n`);
  process.exit(2);
});
