import { truncate } from '../render/display-width';
import type { OutStream } from '../render/out-stream';
import type { TargetApi } from '../sweep/target-input';
import { CLI_MESSAGES, type CliMessages } from '../text/cli-messages';
import { restartOf, wrapClient } from './wrap-client';

/** One restart being sent: what a Ctrl-C leaves in flight. */
interface InFlight {
  jobName: string;
  instanceId: string;
}

/**
 * Progress of a sweep on stderr, for a person at a terminal: one line rewritten in
 * place (listed, restarted so far, rate, ETA). It counts by wrapping each target's
 * client, so the sweep itself knows nothing of terminals.
 */
export class SweepProgress {
  listed = 0;
  restarted = 0;
  failed = 0;
  private readonly inFlight = new Set<InFlight>();
  private readonly started: number;
  private shown = false;

  constructor(
    private readonly out: OutStream,
    private readonly now: () => number,
    /** Most restarts this sweep may make (policy.maxRestartsPerSweep): bounds the ETA. */
    private readonly cap: number,
    /** The reader's words for the line (English by default). */
    private readonly words: Pick<CliMessages, 'progress'> = CLI_MESSAGES.en,
  ) {
    this.started = now();
  }

  /** The client, counting what it lists and restarts. */
  wrap(client: TargetApi): TargetApi {
    const restart = restartOf(client);
    return wrapClient(client, {
      listInstances: async (...args) => {
        const result = await client.listInstances(...args);
        this.listed += result.instances.length;
        return result;
      },
      restartInstance: async (jobName, instanceId, options, signal) => {
        const item = { jobName, instanceId };
        this.inFlight.add(item);
        try {
          await restart(jobName, instanceId, options, signal);
          this.restarted++;
        } catch (error) {
          this.failed++;
          throw error;
        } finally {
          this.inFlight.delete(item);
        }
      },
    });
  }

  /** e.g. `listed 540 · restarted 120 (4 in flight, 2 failed) · 9.8/s · ETA ≤ 43 s`. */
  line(): string {
    const seconds = Math.max(0.001, (this.now() - this.started) / 1000);
    const done = this.restarted + this.failed;
    const rate = done / seconds;
    const left = Math.max(0, Math.min(this.cap, this.listed) - done - this.inFlight.size);
    return this.words.progress({
      listed: this.listed,
      restarted: this.restarted,
      inFlight: this.inFlight.size,
      failed: this.failed,
      rate: rate.toFixed(1),
      ...(rate > 0 && left > 0 ? { eta: Math.ceil(left / rate) } : {}),
      seconds: Math.round(seconds),
    });
  }

  /** Rewrites the progress line (stderr is a terminal: see the caller). */
  tick(): void {
    this.out.write(`\r\x1b[2K${truncate(this.line(), (this.out.columns ?? 80) - 1)}`);
    this.shown = true;
  }

  /** Removes the progress line before anything else is printed. */
  clear(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }

  /** What Ctrl-C leaves in flight, for the line that says so. */
  inFlightNow(): string[] {
    return [...this.inFlight].map((i) => `${i.jobName}/${i.instanceId}`);
  }
}
