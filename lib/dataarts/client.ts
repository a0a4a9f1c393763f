import type { RequestContext } from '../errors';
import { apiPath } from './api-path';
import { assertHeaderSafe } from './header-values';
import { type Instance, type InstanceDetail, readInstanceDetail, readInstancePage } from './instance';
import {
  DEFAULT_LIST_OPTIONS,
  type FetchPage,
  type ListFilters,
  type ListOptions,
  type ListResult,
  listStatuses,
  listWindow,
  type TimeWindow,
} from './list-instances';
import { interpretRestart, readFailure } from './refusals';
import type { Transport, TransportResponse } from './transport';

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

export interface ApiCallCounts {
  list: number;
  show: number;
  restart: number;
}

/** The DataArts Factory v1 job-instance API of one project/workspace. */
export class DataArtsClient {
  readonly calls: ApiCallCounts = { list: 0, show: 0, restart: 0 };
  private readonly listOptions: ListOptions;

  constructor(
    private readonly transport: Transport,
    private readonly target: TargetAddress,
    listOptions: Partial<ListOptions> = {},
  ) {
    // Sent as a header on every request: refused before anything is sent. The config's
    // validator names the target's index; this guard is for a config it never saw.
    if (target.workspace !== undefined) assertHeaderSafe('workspace', target.workspace);
    this.listOptions = { ...DEFAULT_LIST_OPTIONS, ...listOptions };
  }

  get stats() {
    return this.transport.stats;
  }

  /**
   * Every instance whose plan (or start) time is in the window, each once; with
   * `filters.statuses`, those in any of these statuses and the window's `total`.
   */
  async listInstances(
    window: TimeWindow,
    filters: ListFilters = {},
    signal?: AbortSignal,
  ): Promise<ListResult> {
    const { statuses, keep, ...rest } = filters;
    const fetchFor =
      (status: string | undefined): FetchPage =>
      async (w, limit, offset) => {
        this.calls.list++;
        return this.readPage(w, limit, offset, status === undefined ? rest : { ...rest, status }, signal);
      };
    if (statuses) return listStatuses(fetchFor, window, statuses, this.listOptions, signal);
    return listWindow(fetchFor(rest.status), window, this.listOptions, signal, keep);
  }

  /** How many instances the window holds (one request with `limit=1`). */
  async countInstances(window: TimeWindow, filters: ListFilters = {}, signal?: AbortSignal): Promise<number> {
    this.calls.list++;
    return (await this.readPage(window, 1, 0, filters, signal)).total;
  }

  /** One instance with its nodes (`retryTimes` is the platform's own node retry count). */
  async getInstance(jobName: string, instanceId: string, signal?: AbortSignal): Promise<InstanceDetail> {
    const path = apiPath('v1', this.target.projectId, 'jobs', jobName, 'instances', instanceId);
    this.calls.show++;
    const response = await this.get(path, {}, signal);
    return readInstanceDetail(response.text, { method: 'GET', path }, { jobName, instanceId });
  }

  /**
   * Reruns one instance with exactly one logical POST. DataArts applies a restart
   * asynchronously and has no idempotency token, so a second POST is a second rerun:
   * the transport resends only while no try can have been processed (429, 503,
   * refused, DNS failure). Any other failure (timeout, reset, 500/502/504, abort
   * mid-flight) is a TransientError with `sent: true`: the rerun may have started,
   * so the caller must count it as an attempt and never resend blindly.
   */
  async restartInstance(
    jobName: string,
    instanceId: string,
    options?: RestartOptions,
    signal?: AbortSignal,
  ): Promise<void> {
    // Each parameter is one segment; a name that cannot be throws before anything is sent.
    const path = apiPath('v1', this.target.projectId, 'jobs', jobName, 'instances', instanceId, 'restart');
    const body = restartBody(options);
    this.calls.restart++;
    const response = await this.transport.send({
      method: 'POST',
      path,
      headers: this.headers(),
      ...(body === undefined ? {} : { body }),
      retryMode: 'once',
      signal,
    });
    interpretRestart(response, { method: 'POST', path });
  }

  /** One page of `GET /v1/{project}/jobs/instances/detail`, every filter that is set. */
  private async readPage(
    window: TimeWindow,
    limit: number,
    offset: number,
    filters: ListFilters,
    signal: AbortSignal | undefined,
  ) {
    const path = apiPath('v1', this.target.projectId, 'jobs', 'instances', 'detail');
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
    const response = await this.get(path, query, signal);
    return readInstancePage(response.text, { method: 'GET', path });
  }

  private headers(): Record<string, string> {
    return this.target.workspace ? { workspace: this.target.workspace } : {};
  }

  private async get(
    path: string,
    query: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<TransportResponse> {
    const context: RequestContext = { method: 'GET', path };
    const response = await this.transport.send({
      method: 'GET',
      path,
      query,
      headers: this.headers(),
      retryMode: 'idempotent',
      signal,
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

export type { Instance, InstanceDetail };
