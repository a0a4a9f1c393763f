/** Latency added before every answer (of one route, when set for it), in real milliseconds. */
import type { Route } from './options';

export class Latency {
  private readonly perRoute = new Map<Route, number>();
  /** Requests held by the latency: close() lets them finish at once instead of leaving timers behind. */
  private readonly delayed = new Map<NodeJS.Timeout, () => void>();

  constructor(private all: number) {}

  set(ms: number, route?: Route): void {
    if (route) this.perRoute.set(route, ms);
    else this.all = ms;
  }

  /** The delay of a request of `route` (undefined: no route matched). */
  of(route: Route | undefined): number {
    return (route === undefined ? undefined : this.perRoute.get(route)) ?? this.all;
  }

  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.delayed.delete(timer);
        resolve();
      }, ms);
      this.delayed.set(timer, resolve);
    });
  }

  /** Ends every wait now. */
  releaseAll(): void {
    for (const [timer, release] of this.delayed) {
      clearTimeout(timer);
      release();
    }
    this.delayed.clear();
  }
}
