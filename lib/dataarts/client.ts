import {
  type DataArtsError,
  InstanceNotFoundError,
  type RequestContext,
  RequestRejectedError,
  RestartRejectedError,
  TransientError,
} from '../errors';
import { type Instance, type InstanceDetail, readInstanceDetail, readInstancePage } from './instance';
import {
  DEFAULT_LIST_OPTIONS,
  type ListFilters,
  type ListOptions,
  type ListResult,
  listWindow,
  type TimeWindow,
} from './list-instances';
import { errorFromResponse, parseErrorBody, type Transport, type TransportResponse } from './transport';

/** Where one DataArts project/workspace is reached. */
export interface TargetAddress {
  projectId: string;
  workspace?: string;
}

/** Optional body of the restart call, sent only when configured. */
export interface RestartOptions {
  retryLocation?: 'error_node' | 'first_node' | 'specified_node';
  nodeName?: string;
  jobParamVersion?: 'original_version' | 'latest_version';
  ignoreObsMonitor?: boolean;
}

/**
 * What a restart did. `confirmed: false` never leaves this module: an attempt whose
 * effect is unknown is thrown as a TransientError with `sent: true`.
 */
export interface RestartResult {
  /** `reread`: the POST failed in an unknown way, then a read showed the rerun started. */
  via: 'response' | 'reread';
}

/** What the caller saw when it chose to restart, so an unknown outcome can be checked. */
export interface ExpectedState {
  status: string;
  endTime?: number;
}

export interface ApiCallCounts {
  list: number;
  show: number;
  restart: number;
}

/** Codes DLF uses for "job instance does not exist" across editions. */
const NOT_FOUND_CODES = new Set(['DLF.0137', 'DLF.30137']);

/** The DataArts Factory v1 job-instance API of one project/workspace. */
export class DataArtsClient {
  readonly calls: ApiCallCounts = { list: 0, show: 0, restart: 0 };
  private readonly listOptions: ListOptions;

  constructor(
    private readonly transport: Transport,
    private readonly target: TargetAddress,
    listOptions: Partial<ListOptions> = {},
  ) {
    this.listOptions = { ...DEFAULT_LIST_OPTIONS, ...listOptions };
  }

  get stats() {
    return this.transport.stats;
  }

  /** Every instance whose plan (or start) time is in the window, each once. */
  async listInstances(window: TimeWindow, filters: ListFilters = {}): Promise<ListResult> {
    return listWindow(
      async (w, limit, offset) => {
        this.calls.list++;
        return this.readPage(w, limit, offset, filters);
      },
      window,
      this.listOptions,
    );
  }

  /** How many instances the window holds (one request with `limit=1`). */
  async countInstances(window: TimeWindow, filters: ListFilters = {}): Promise<number> {
    this.calls.list++;
    return (await this.readPage(window, 1, 0, filters)).total;
  }

  /** One instance with its nodes (`retryTimes` is the platform's own node retry count). */
  async getInstance(jobName: string, instanceId: string): Promise<InstanceDetail> {
    const path = `/v1/${this.target.projectId}/jobs/${jobName}/instances/${instanceId}`;
    this.calls.show++;
    const response = await this.get(path, {});
    return readInstanceDetail(response.text, { method: 'GET', path });
  }

  /**
   * Reruns one instance. The POST is not idempotent, so it is resent only where the
   * server certainly did not process it (the transport's `once` mode); after a
   * timeout, reset, 500, 502 or 504 the instance is read again first: if it moved on,
   * the rerun happened; if it is unchanged, the POST is tried once more; if that read
   * fails too, the TransientError (`sent: true`) tells the caller the outcome is unknown.
   */
  async restartInstance(
    jobName: string,
    instanceId: string,
    options?: RestartOptions,
    expected?: ExpectedState,
  ): Promise<RestartResult> {
    const path = `/v1/${this.target.projectId}/jobs/${jobName}/instances/${instanceId}/restart`;
    const context: RequestContext = { method: 'POST', path };
    const body = restartBody(options);
    const maxLooks = 2;
    for (let look = 0; ; look++) {
      try {
        this.calls.restart++;
        const response = await this.transport.send({
          method: 'POST',
          path,
          headers: this.headers(),
          ...(body === undefined ? {} : { body }),
          retryMode: 'once',
        });
        interpretRestart(response, context);
        return { via: 'response' };
      } catch (error) {
        if (!(error instanceof TransientError) || !error.sent || !expected || look + 1 >= maxLooks)
          throw error;
        const current = await this.getInstance(jobName, instanceId).catch(() => undefined);
        if (!current) throw error;
        if (current.status !== expected.status || current.endTime !== expected.endTime)
          return { via: 'reread' };
      }
    }
  }

  /** One page of `GET /v1/{project}/jobs/instances/detail`, every filter that is set. */
  private async readPage(window: TimeWindow, limit: number, offset: number, filters: ListFilters) {
    const path = `/v1/${this.target.projectId}/jobs/instances/detail`;
    const query: Record<string, string> = {
      minPlanTime: String(window.from),
      maxPlanTime: String(window.to),
      limit: String(limit),
      offset: String(offset),
    };
    if (filters.jobName !== undefined) query.jobName = filters.jobName;
    if (filters.preciseQuery !== undefined) query.preciseQuery = String(filters.preciseQuery);
    if (filters.status !== undefined) query.status = filters.status;
    if (filters.instanceType !== undefined) query.instanceType = String(filters.instanceType);
    const response = await this.get(path, query);
    return readInstancePage(response.text, { method: 'GET', path });
  }

  private headers(): Record<string, string> {
    return this.target.workspace ? { workspace: this.target.workspace } : {};
  }

  private async get(path: string, query: Record<string, string>): Promise<TransportResponse> {
    const context: RequestContext = { method: 'GET', path };
    const response = await this.transport.send({
      method: 'GET',
      path,
      query,
      headers: this.headers(),
      retryMode: 'idempotent',
    });
    if (response.status === 200) return response;
    throw readFailure(response, context);
  }
}

function restartBody(options?: RestartOptions): string | undefined {
  if (!options) return undefined;
  const body: Record<string, unknown> = {};
  if (options.retryLocation !== undefined) body.retry_location = options.retryLocation;
  if (options.nodeName !== undefined) body.node_name = options.nodeName;
  if (options.jobParamVersion !== undefined) body.job_param_version = options.jobParamVersion;
  if (options.ignoreObsMonitor !== undefined) body.ignore_obs_monitor = options.ignoreObsMonitor;
  return Object.keys(body).length === 0 ? undefined : JSON.stringify(body);
}

function interpretRestart(response: TransportResponse, context: RequestContext): void {
  if (response.status === 204 || response.status === 200) return;
  const failure = readFailure(response, context);
  // A refused restart (the status does not allow it, a manual instance...) is its own error.
  if (failure instanceof RequestRejectedError && (response.status === 400 || response.status === 404)) {
    throw errorFromResponse(RestartRejectedError, 'RESTART_REJECTED', response, context);
  }
  throw failure;
}

/** A non-success answer to a request, as one of the project's errors. */
function readFailure(response: TransportResponse, context: RequestContext): DataArtsError {
  const { status } = response;
  const { code } = parseErrorBody(response.text);
  if (status >= 500) {
    return new TransientError(
      `${context.method} ${context.path} answered ${status}`,
      'SERVER_ERROR',
      context,
      true,
      status,
      code,
    );
  }
  if (code && NOT_FOUND_CODES.has(code)) {
    return errorFromResponse(InstanceNotFoundError, 'INSTANCE_NOT_FOUND', response, context);
  }
  return errorFromResponse(RequestRejectedError, 'REQUEST_REJECTED', response, context);
}

export type { Instance, InstanceDetail };
