/**
 * Every restart the emulator accepted, in order, with the emulator-clock time and the
 * failure it answered: what a scenario measures a whole day of sweeps by (when each
 * rerun was asked for, of which instance, and whether two answered one failure),
 * without reading the sweep's own report.
 */
import type { EmulatedInstance } from './state';

export interface AcceptedRestart {
  /** Emulator-clock epoch ms at which the restart was accepted. */
  at: number;
  jobName: string;
  instanceId: string;
  /** The failure generation it answered (state.ts `RerunBook.generation`: 0 is the seeded run). */
  failure: number;
  /** When the run it answered ended (its `endTime` then), if it had one. */
  failedAt?: number;
}

export class RestartLog {
  private readonly accepted: AcceptedRestart[] = [];

  /** Called as a restart is accepted, before its rerun starts (restart-route.ts). */
  record(instance: EmulatedInstance, now: number): void {
    this.accepted.push({
      at: now,
      jobName: instance.jobName,
      instanceId: instance.instanceId,
      failure: instance.book.generation,
      ...(instance.endTime === undefined ? {} : { failedAt: instance.endTime }),
    });
  }

  all(): readonly AcceptedRestart[] {
    return this.accepted;
  }
}
