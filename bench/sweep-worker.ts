/**
 * Runs one sweep in its own process (bundled like the Lambda, run with plain node)
 * so its wall time and peak RSS are the sweep's alone. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { credentialsFromEnv } from '../lib/config/credentials';
import { parseConfig } from '../lib/config/parse';
import { buildLedger } from '../lib/ledger/build-ledger';
import { runSweep } from '../lib/sweep/sweep';
import { systemClock } from '../lib/util/time';
import { buildTargets } from '../lib/wiring';

async function main(): Promise<void> {
  const config = parseConfig(JSON.parse(readFileSync(process.argv[2] as string, 'utf8')));
  const before = process.memoryUsage();
  let peak = { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss)
      peak = { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
  }, 50);
  const started = performance.now();
  const report = await runSweep({
    config,
    targets: buildTargets(config, credentialsFromEnv(process.env), systemClock),
    ledger: buildLedger(config.ledger),
    clock: systemClock,
  });
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  if (process.env.BENCH_DEBUG) {
    const mb = (n: number) => Math.round(n / 1048576);
    process.stderr.write(
      `memory before sweep: rss ${mb(before.rss)} heap ${mb(before.heapUsed)} MB; at peak: rss ${mb(peak.rss)} heap ${mb(peak.heapUsed)}/${mb(process.memoryUsage().heapTotal)} external ${mb(peak.external)} buffers ${mb(peak.arrayBuffers)} MB\n`,
    );
  }
  process.stdout.write(
    `${JSON.stringify({
      wallMs,
      maxRssKb: process.resourceUsage().maxRSS,
      restarted: report.restarted.length,
      totals: report.totals,
      errors: report.errors.length,
      firstErrors: report.errors.slice(0, 3),
      apiCalls: report.apiCalls,
      listed: report.targets[0]?.listed,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
