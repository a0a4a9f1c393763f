import type { Clock } from '../lib/util/time';

/** A clock that only moves when told to: tests, the demo and the emulator share one. */
export class ManualClock implements Clock {
  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(epochMs: number): void {
    this.current = epochMs;
  }
}
