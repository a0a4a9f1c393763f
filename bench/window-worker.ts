/**
 * Scenario (b) of bench/large-window.ts in its own process (bundled, plain node with
 * the Lambda's flags), so peak RSS is the sweep's alone: one sweep of a window whose
 * failures are `job_${i % 40}` / `firstId + i`. Mode `ours` is the sweep as built;
 * `previous` adds what the plan before issue 15 did: read every listed failure's
 * ledger entry and hold them for the sweep, and report every decision. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { credentialsFromEnv } from '../lib/config/credentials';
import { parseConfig } from '../lib/config/parse';
import { buildLedger } from '../lib/ledger/build-ledger';
import type { InstanceKey, Ledger, LedgerEntry } from '../lib/ledger/ledger';
import { runSweep } from '../lib/sweep/sweep';
import { systemClock } from '../lib/util/time';
import { buildTargets } from '../lib/wiring';

interface WindowJob {
  config: unknown;
  mode: 'ours' | 'previous';
  failed: number;
  firstId: number;
}

/** Counts ledger items read: keys asked for, and entries the sparse indexes hand out. */
function counting(inner: Ledger, job: WindowJob, held: Array<Map<string, LedgerEntry>>) {
  const counts = { items: 0 };
  const ledger: Ledger = Object.create(inner) as Ledger;
  ledger.read = async (keys) => {
    counts.items += keys.length;
    return inner.read(keys);
  };
  ledger.attemptedKeys = async (target, since) => {
    const keys = await inner.attemptedKeys(target, since);
    counts.items += keys?.length ?? 0;
    if (job.mode === 'previous') held.push(await ledger.read(listedKeys(target, job)));
    return keys;
  };
  ledger.inFlight = async (target) => {
    const entries = await inner.inFlight(target);
    counts.items += entries.length;
    return entries;
  };
  return { ledger, counts };
}

function listedKeys(target: string, job: WindowJob): InstanceKey[] {
  return Array.from({ length: job.failed }, (_, i) => ({
    target,
    workspace: 'default',
    jobName: `job_${i % 40}`,
    instanceId: String(job.firstId + i),
  }));
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as WindowJob;
  const config = parseConfig(job.config);
  const held: Array<Map<string, LedgerEntry>> = [];
  const { ledger, counts } = counting(buildLedger(config.ledger), job, held);
  let peak = process.memoryUsage();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) peak = m;
  }, 20);
  const started = performance.now();
  const report = await runSweep(
    {
      config,
      targets: buildTargets(config, credentialsFromEnv(process.env), systemClock),
      ledger,
      clock: systemClock,
    },
    job.mode === 'previous' ? { itemsPerOutcome: Number.POSITIVE_INFINITY } : {},
  );
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  if (process.env.BENCH_DEBUG) {
    const mb = (n: number) => Math.round(n / 1_048_576);
    process.stderr.write(
      `at peak RSS ${mb(peak.rss)} MB: heap used ${mb(peak.heapUsed)} of ${mb(peak.heapTotal)}, external ${mb(peak.external)}, array buffers ${mb(peak.arrayBuffers)} MB\n`,
    );
  }
  const reportBytes = Buffer.byteLength(JSON.stringify(report));
  held.length = 0;
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(
    `${JSON.stringify({
      wallMs,
      maxRssKb: process.resourceUsage().maxRSS,
      heapAfterGcBytes: process.memoryUsage().heapUsed,
      itemsRead: counts.items,
      reportBytes,
      restarted: report.restarted.length,
      listed: report.targets[0]?.listed,
      errors: report.errors.slice(0, 3),
      listRequests: report.apiCalls.list,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
