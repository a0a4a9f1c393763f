/**
 * Runs the deployed handler (handlers/sweep.ts, bundled like the Lambda) once in its
 * own process, so wall time and peak RSS are the invocation's alone. Its settings
 * come from the environment as deployed (AUTORETRY_CONFIG_FILE); its log goes to
 * stdout as in Lambda. Writes one JSON line to the file named by argv[2].
 */
import { writeFileSync } from 'node:fs';
import { handler } from '../handlers/sweep';

async function main(): Promise<void> {
  const started = performance.now();
  const response = await handler({}, { getRemainingTimeInMillis: () => 900_000, functionName: 'bench' });
  const wallMs = performance.now() - started;
  const restartedPerTarget = response.targets.map((t) => t.counts.restarted ?? 0);
  writeFileSync(
    process.argv[2] as string,
    JSON.stringify({
      wallMs,
      maxRssKb: process.resourceUsage().maxRSS,
      responseBytes: Buffer.byteLength(JSON.stringify(response)),
      truncated: response.truncated ?? null,
      listed: response.targets.reduce((sum, t) => sum + t.listed, 0),
      restartedPerTarget,
      limitedBy: response.targets.map((t) => t.limitedBy ?? null),
      apiCalls: response.apiCalls,
      errors: response.errors.slice(0, 3),
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
