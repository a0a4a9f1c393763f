import type { TargetApi } from '../sweep/target-input';

type Restart = (
  jobName: string,
  instanceId: string,
  options?: unknown,
  signal?: AbortSignal,
) => Promise<void>;

/**
 * The client with some calls replaced, every other one (and its live `calls` and
 * `stats`) passed through: how the command line counts progress and sends restarts
 * under its own signal without the sweep knowing.
 */
export function wrapClient(
  client: TargetApi,
  replace: { listInstances?: TargetApi['listInstances']; restartInstance?: Restart },
): TargetApi {
  return {
    listInstances: replace.listInstances ?? ((...args) => client.listInstances(...args)),
    countInstances: (...args) => client.countInstances(...args),
    getInstance: (...args) => client.getInstance(...args),
    restartInstance: (replace.restartInstance ??
      client.restartInstance.bind(client)) as TargetApi['restartInstance'],
    get calls() {
      return client.calls;
    },
    get stats() {
      return client.stats;
    },
  };
}

/** The client's restart, callable with any options and signal. */
export function restartOf(client: TargetApi): Restart {
  return client.restartInstance.bind(client) as Restart;
}
