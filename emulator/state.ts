/** The emulator's instance store: per project and workspace, with scripted reruns. */

export type Outcome = 'success' | 'fail';

export interface EmulatedInstance {
  jobName: string;
  instanceId: string;
  status: string;
  jobId?: number;
  planTime: number;
  startTime?: number;
  endTime?: number;
  submitTime?: number;
  executeTime?: number;
  instanceType: number;
  forceSuccess: boolean;
  ignoreSuccess: boolean;
  version: number;
  errorMessage?: string;
  /** The job's node as the show answer lists it (default: one DLISQL node `main`). */
  node?: { nodeName?: string; type?: string; retryTimes?: number; queue?: string };
  /** Outcomes of the next reruns, in order; when used up, `afterScript` applies. */
  script: Outcome[];
  afterScript: Outcome;
  /** How long a rerun runs before it ends. */
  runMs: number;
  /** Reruns accepted so far. */
  restarts: number;
  /** Emulator bookkeeping of reruns, never shown by the API. */
  book: RerunBook;
}

/**
 * What the emulator remembers about reruns, to replay and to judge interleavings:
 * which ended run each accepted restart answered, and a restart accepted but not yet
 * visible (the restart lag).
 */
export interface RerunBook {
  /**
   * The failure generation: how many runs of this instance have ended since it was
   * seeded (the seeded state is generation 0). A restart answers the generation that
   * is current when it is accepted, so two restarts accepted without a run ending in
   * between answered the same failure.
   */
  generation: number;
  /** generation -> restarts accepted while it was current. */
  acceptedPerGeneration: Map<number, number>;
  /** An accepted restart whose effect is not visible yet: the rerun starts at `startAt`. */
  pending?: { acceptedAt: number; startAt: number };
  /** The seeded errorMessage, shown again whenever a rerun ends in `fail`. */
  errorMessage?: string;
  /** How the current run ends when something other than the script decides it (an outage). */
  forced?: ForcedRun;
}

/** A run whose end the script does not decide: its outcome, length and message. */
export interface ForcedRun {
  outcome: Outcome;
  runMs: number;
  errorMessage?: string;
}

/** Asked as each rerun starts; undefined leaves the rerun to its script (see outage.ts). */
export type RerunStarting = (instance: EmulatedInstance, startAt: number) => ForcedRun | undefined;

export type InstanceSeed = Partial<Omit<EmulatedInstance, 'instanceId' | 'restarts' | 'book'>> & {
  jobName: string;
  instanceId: string | number;
  planTime: number;
};

export const DEFAULT_WORKSPACE = 'default';

/**
 * An instance's place in its workspace: job and id. Huawei's docs do not promise ids
 * unique across jobs, so two jobs may hold the same id (each its own instance).
 */
export function storeKey(jobName: string, instanceId: string): string {
  return `${instanceId}:${jobName}`;
}

export class EmulatorState {
  /** project -> workspace -> storeKey(job, id) -> instance */
  private readonly projects = new Map<string, Map<string, Map<string, EmulatedInstance>>>();

  constructor(private readonly rerunStarting: RerunStarting = () => undefined) {}

  seed(projectId: string, workspace: string | undefined, seeds: readonly InstanceSeed[]): void {
    const store = this.workspace(projectId, workspace ?? DEFAULT_WORKSPACE, true)!;
    for (const seed of seeds) {
      const instance: EmulatedInstance = {
        status: 'fail',
        instanceType: 0,
        forceSuccess: false,
        ignoreSuccess: false,
        version: 1,
        script: [],
        afterScript: 'success',
        runMs: 60_000,
        ...seed,
        instanceId: String(seed.instanceId),
        restarts: 0,
        book: {
          generation: 0,
          acceptedPerGeneration: new Map(),
          ...(seed.errorMessage === undefined ? {} : { errorMessage: seed.errorMessage }),
        },
      };
      store.set(storeKey(instance.jobName, instance.instanceId), instance);
    }
  }

  /** The workspace's instances, or undefined when the workspace does not exist. */
  workspace(projectId: string, workspace: string, create = false): Map<string, EmulatedInstance> | undefined {
    let project = this.projects.get(projectId);
    if (!project && create) {
      project = new Map();
      this.projects.set(projectId, project);
    }
    let store = project?.get(workspace);
    if (project && !store && create) {
      store = new Map();
      project.set(workspace, store);
    }
    return store;
  }

  /**
   * Lets time pass up to `now`: a pending rerun whose lag is over starts, and a run
   * whose run time is over ends as scripted. The two events are applied in time order,
   * so a run that ended before a pending rerun started still counts as a failure.
   */
  settle(instance: EmulatedInstance, now: number): EmulatedInstance {
    for (;;) {
      const runEnd = runEndOf(instance);
      const rerunStart = instance.book.pending?.startAt;
      if (runEnd !== undefined && runEnd <= now && (rerunStart === undefined || runEnd <= rerunStart)) {
        finishRun(instance);
      } else if (rerunStart !== undefined && rerunStart <= now) {
        startPendingRerun(instance, this.rerunStarting);
      } else {
        return instance;
      }
    }
  }

  /** Settles every instance of every workspace (tests call it before inspecting state). */
  settleAll(now: number): void {
    for (const instance of this.all()) this.settle(instance, now);
  }

  /**
   * Records an accepted restart against the current failure generation and schedules
   * the rerun `lagMs` later. A restart accepted while another is still pending answers
   * the same failure: it replaces the pending one (the rerun starts later) and counts.
   * With no lag the rerun starts at once, exactly as before lags existed: it is not
   * also settled here, so a rerun with `runMs: 0` ends at the next read.
   */
  acceptRestart(instance: EmulatedInstance, now: number, lagMs: number): void {
    const { book } = instance;
    instance.restarts++;
    book.acceptedPerGeneration.set(
      book.generation,
      (book.acceptedPerGeneration.get(book.generation) ?? 0) + 1,
    );
    book.pending = { acceptedAt: now, startAt: now + Math.max(0, lagMs) };
    if (book.pending.startAt <= now) startPendingRerun(instance, this.rerunStarting);
  }

  all(): EmulatedInstance[] {
    const out: EmulatedInstance[] = [];
    for (const project of this.projects.values())
      for (const store of project.values()) out.push(...store.values());
    return out;
  }
}

/** When the current run ends, or undefined when the instance is not running. */
function runEndOf(instance: EmulatedInstance): number | undefined {
  if (instance.status !== 'running' || instance.startTime === undefined) return undefined;
  return instance.startTime + runMsOf(instance);
}

function runMsOf(instance: EmulatedInstance): number {
  return instance.book.forced?.runMs ?? instance.runMs;
}

/** The run ends as scripted; that opens a new failure generation. */
function finishRun(instance: EmulatedInstance): void {
  const { book } = instance;
  const startTime = instance.startTime ?? 0;
  const runMs = runMsOf(instance);
  // A forced run leaves the script to the runs after it.
  const outcome = book.forced?.outcome ?? instance.script.shift() ?? instance.afterScript;
  const message = book.forced ? book.forced.errorMessage : book.errorMessage;
  delete book.forced;
  instance.status = outcome;
  instance.endTime = startTime + runMs;
  instance.executeTime = runMs;
  if (outcome === 'fail' && message !== undefined) instance.errorMessage = message;
  book.generation++;
}

/** The pending rerun becomes visible: running since the moment it was due. */
function startPendingRerun(instance: EmulatedInstance, rerunStarting: RerunStarting): void {
  const pending = instance.book.pending;
  if (!pending) return;
  delete instance.book.pending;
  const forced = rerunStarting(instance, pending.startAt);
  if (forced) instance.book.forced = forced;
  else delete instance.book.forced;
  instance.status = 'running';
  instance.startTime = pending.startAt;
  delete instance.endTime;
  // A running instance has no error yet. `version` is the job's version: a rerun keeps it.
  delete instance.errorMessage;
}

/** The largest number of accepted restarts that answered one failure generation. */
export function rerunsPerFailure(instance: EmulatedInstance): number {
  return Math.max(0, ...instance.book.acceptedPerGeneration.values());
}

/** Fields the list API shows (no emulator bookkeeping). */
export function publicView(instance: EmulatedInstance): Record<string, unknown> {
  const {
    script: _s,
    afterScript: _t,
    runMs: _r,
    restarts: _n,
    book: _b,
    node: _d,
    instanceId,
    ...rest
  } = instance;
  // instanceId is a Long: write it as a bare number, digits intact, like the real API.
  return { ...rest, instanceId: new RawNumber(instanceId) };
}

/**
 * The show answer, shaped as the SDK's `ShowJobInstanceResponse` (huaweicloud-sdk-go-v3
 * `services/dgc/v1/model`): the instance's job, id, status and times, `instanceType`,
 * `forceSuccess`, `ignoreSuccess`, `total` and `nodes[]`; no `jobId`, `version` or
 * `submitTime`. Each node carries its own `instanceId` and the DLI `queue`.
 * `omitEndTime` plays answers seen without `endTime` on finished instances.
 */
export function showView(
  instance: EmulatedInstance,
  projectId: string,
  options: { omitEndTime?: boolean } = {},
): Record<string, unknown> {
  const times = {
    planTime: instance.planTime,
    ...(instance.startTime === undefined ? {} : { startTime: instance.startTime }),
    ...(instance.endTime === undefined || options.omitEndTime ? {} : { endTime: instance.endTime }),
  };
  const node = {
    nodeName: instance.node?.nodeName ?? 'main',
    type: instance.node?.type ?? 'DLISQL',
    status: instance.status,
    ...times,
    retryTimes: instance.node?.retryTimes ?? 0,
    instanceId: new RawNumber(`${instance.instanceId}01`),
    inputRowCount: 0,
    speed: 0,
    logPath: `obs://dlf-log-${projectId}/${instance.jobName}/${instance.instanceId}.log`,
    queue: instance.node?.queue ?? 'default',
  };
  return {
    jobName: instance.jobName,
    instanceId: new RawNumber(instance.instanceId),
    status: instance.status,
    ...times,
    ...(instance.executeTime === undefined ? {} : { executeTime: instance.executeTime }),
    instanceType: instance.instanceType,
    forceSuccess: instance.forceSuccess,
    ignoreSuccess: instance.ignoreSuccess,
    total: 1,
    nodes: [node],
  };
}

/** Marks a decimal string to be written into JSON as a bare number (ids beyond 2^53). */
export class RawNumber {
  constructor(readonly digits: string) {}
}

/** JSON.stringify that writes RawNumber values as bare numbers. */
export function toJson(value: unknown): string {
  const marks: string[] = [];
  const text = JSON.stringify(value, (_key, v) => {
    if (v instanceof RawNumber) {
      marks.push(v.digits);
      return `__raw_${marks.length - 1}__`;
    }
    return v;
  });
  return text.replace(/"__raw_(\d+)__"/g, (_m, i: string) => marks[Number(i)] as string);
}
