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
  /** Outcomes of the next reruns, in order; when used up, `afterScript` applies. */
  script: Outcome[];
  afterScript: Outcome;
  /** How long a rerun runs before it ends. */
  runMs: number;
  /** Reruns accepted so far. */
  restarts: number;
}

export type InstanceSeed = Partial<Omit<EmulatedInstance, 'instanceId' | 'restarts'>> & {
  jobName: string;
  instanceId: string | number;
  planTime: number;
};

export const DEFAULT_WORKSPACE = 'default';

export class EmulatorState {
  /** project -> workspace -> instanceId -> instance */
  private readonly projects = new Map<string, Map<string, Map<string, EmulatedInstance>>>();

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
      };
      store.set(instance.instanceId, instance);
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

  /** Lets time pass: running reruns whose run time is over end as scripted. */
  settle(instance: EmulatedInstance, now: number): EmulatedInstance {
    if (
      instance.status === 'running' &&
      instance.startTime !== undefined &&
      now >= instance.startTime + instance.runMs
    ) {
      const outcome = instance.script.shift() ?? instance.afterScript;
      instance.status = outcome;
      instance.endTime = instance.startTime + instance.runMs;
      instance.executeTime = instance.runMs;
    }
    return instance;
  }

  all(): EmulatedInstance[] {
    const out: EmulatedInstance[] = [];
    for (const project of this.projects.values())
      for (const store of project.values()) out.push(...store.values());
    return out;
  }
}

/** Fields the list API shows (no emulator bookkeeping). */
export function publicView(instance: EmulatedInstance): Record<string, unknown> {
  const { script: _s, afterScript: _t, runMs: _r, restarts: _n, instanceId, ...rest } = instance;
  // instanceId is a Long: write it as a bare number, digits intact, like the real API.
  return { ...rest, instanceId: new RawNumber(instanceId) };
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
