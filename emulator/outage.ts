/**
 * Outages the emulator can play: a shared dependency (a DLI queue, a source database,
 * OBS) is down until a time on the emulator's clock, so a rerun of any instance of the
 * jobs that use it is accepted but fails again. What decides is when the rerun starts
 * (after the restart lag), not when it was asked for: a restart accepted just before
 * the outage ends may start after it, and then runs as it would anyway.
 */
import { compileGlob, matchesAny } from '../lib/util/glob';
import type { EmulatedInstance, ForcedRun } from './state';

export interface Outage {
  /** The jobs held: a list of names, or one glob (`*` any run of characters, `?` one). */
  jobs: readonly string[] | string;
  /** Emulator-clock epoch ms: a rerun that starts before it fails; from it on, reruns run as scripted. */
  until: number;
  /** What each failed rerun shows as its `errorMessage`. */
  errorMessage: string;
  /** How long a rerun runs before it fails (default 0: it fails as soon as it starts). */
  failAfterMs?: number;
}

/** The outages declared so far; the first that holds a rerun's job when it starts decides it. */
export class Outages {
  private readonly declared: Outage[] = [];

  constructor(outages: readonly Outage[] = []) {
    for (const outage of outages) this.declare(outage);
  }

  declare(outage: Outage): void {
    const problem = problemOf(outage);
    if (problem) throw new Error(`outage: ${problem}`);
    this.declared.push(outage);
  }

  /** How a rerun of `instance` that starts at `startAt` runs, when an outage holds it (state.ts calls it). */
  readonly rerunStarting = (instance: EmulatedInstance, startAt: number): ForcedRun | undefined => {
    const outage = this.declared.find((o) => startAt < o.until && holdsJob(o.jobs, instance.jobName));
    if (!outage) return undefined;
    return { outcome: 'fail', runMs: outage.failAfterMs ?? 0, errorMessage: outage.errorMessage };
  };
}

function problemOf(outage: Outage): string | undefined {
  const { jobs, until, failAfterMs } = outage;
  if (typeof jobs === 'string' ? jobs === '' : jobs.length === 0)
    return 'jobs must name at least one job, or be a glob';
  if (!Number.isFinite(until)) return 'until must be an epoch time in ms';
  if (failAfterMs !== undefined && !(Number.isFinite(failAfterMs) && failAfterMs >= 0))
    return 'failAfterMs must be a number of ms >= 0';
  return undefined;
}

function holdsJob(jobs: Outage['jobs'], jobName: string): boolean {
  return typeof jobs === 'string' ? matchesAny(jobName, [compileGlob(jobs)]) : jobs.includes(jobName);
}
