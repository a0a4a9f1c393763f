/**
 * The way of one request through the emulator, in the order the real service answers:
 * the gateway (route, rate limit, required header, injected gateway faults), then IAM
 * or the credentials check, the workspace, DataArts' own faults, and the route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector } from './faults';
import type { IamAuthority } from './iam-route';
import type { Latency } from './latency';
import { serveList } from './list-route';
import type { EmulatorOptions, Fault, RecordedRequest, Route } from './options';
import type { GatewayRateLimit } from './rate-limit';
import { type MatchedRoute, readRequest, safeDecode } from './request';
import type { RequestClock } from './request-clock';
import type { Call, Responder } from './respond';
import type { RestartLog } from './restart-log';
import { type RestartSettings, serveRestart } from './restart-route';
import { serveShow } from './show-route';
import { DEFAULT_WORKSPACE, type EmulatedInstance, type EmulatorState, storeKey } from './state';

/** The emulator's parts, each owning one concern; `startEmulator` builds them. */
export interface EmulatorParts {
  options: EmulatorOptions;
  out: Responder;
  faults: FaultInjector;
  iam: IamAuthority;
  state: EmulatorState;
  rateLimit: GatewayRateLimit;
  latency: Latency;
  requestClock: RequestClock;
  settings: RestartSettings;
  restartLog: RestartLog;
}

export class Dispatcher {
  readonly requests: RecordedRequest[] = [];
  private readonly routeCounts = new Map<Route, number>();

  constructor(private readonly parts: EmulatorParts) {}

  /** Answers one request whose body was read. */
  async handle(req: IncomingMessage, res: ServerResponse, body: string, requestId: string): Promise<void> {
    const { out, faults, latency } = this.parts;
    // The clock moves while the request is in flight, before anything reads it.
    this.parts.requestClock.onRequest();
    const { record, found } = readRequest(req, requestId);
    const call: Call = { req, res, record, body };
    this.requests.push(record);
    const delay = latency.of(found?.route);
    if (delay > 0) await latency.wait(delay);
    if (!found)
      return out.error(call, 404, out.gateway('0101'), 'The API does not exist or has not been published.');
    const n = (this.routeCounts.get(found.route) ?? 0) + 1;
    this.routeCounts.set(found.route, n);
    if (this.gatewayRefused(call)) return;
    const fault = faults.take(found.route, n);
    // No route, no authentication: the gateway answers before anything else.
    if (fault?.kind === 'route-missing') {
      faults.answer(call, fault);
      return;
    }
    const now = this.parts.options.clock.now();
    if (found.route !== 'token') return this.serveDataArts(call, found, fault, now);
    // IAM's own faults (an outage answers 5xx before any password is checked).
    if (fault && faults.answer(call, fault)) return;
    return this.parts.iam.issueToken(call, now);
  }

  /** The gateway's own refusals: its rate limit (429) and a POST without Content-Type (400). */
  private gatewayRefused(call: Call): boolean {
    const { out, rateLimit, options } = this.parts;
    if (rateLimit.throttled()) {
      const after = rateLimit.retryAfterSeconds;
      const headers: Record<string, string> = after === undefined ? {} : { 'Retry-After': String(after) };
      out.error(call, 429, out.gateway('0308'), 'The request is throttled.', headers);
      return true;
    }
    const { req } = call;
    if ((options.requireContentType ?? true) && req.method === 'POST' && !req.headers['content-type']) {
      out.error(call, 400, out.gateway('0106'), 'Invalid header parameter: Content-Type, required');
      return true;
    }
    return false;
  }

  /** A DataArts route: credentials, workspace, faults answered before processing, the route. */
  private serveDataArts(call: Call, found: MatchedRoute, fault: Fault | undefined, now: number): void {
    const { out, faults, iam, state, options } = this.parts;
    const projectId = safeDecode(found.params[1] ?? '');
    const refusal = iam.authenticate(call, projectId, now);
    if (refusal) {
      out.error(call, 401, refusal.code, refusal.msg);
      return;
    }
    const header = call.req.headers.workspace;
    const workspaceName = typeof header === 'string' ? header : DEFAULT_WORKSPACE;
    const store = state.workspace(projectId, workspaceName);
    if (!store) {
      out.error(call, 400, 'DLF.EMU1', `Workspace ${workspaceName} does not exist (EMU).`);
      return;
    }
    if (fault && !faults.afterProcessing(fault) && faults.answer(call, fault)) return;
    if (found.route === 'list') {
      const settled = [...store.values()].map((i) => state.settle(i, now));
      serveList(call, out, settled, now, options, fault);
      return;
    }
    this.serveInstance(call, found, store, fault, { projectId, now });
  }

  /** Show or restart: the instance the path names, settled to `now`. */
  private serveInstance(
    call: Call,
    found: MatchedRoute,
    store: ReadonlyMap<string, EmulatedInstance>,
    fault: Fault | undefined,
    at: { projectId: string; now: number },
  ): void {
    const { out, state } = this.parts;
    const jobName = safeDecode(found.params[2] ?? '');
    const instance = store.get(storeKey(jobName, found.params[3] ?? ''));
    if (!instance || fault?.kind === 'instance-vanished') {
      out.error(call, 400, 'DLF.0137', 'Job instance does not exist.');
      return;
    }
    state.settle(instance, at.now);
    if (found.route === 'show') {
      serveShow(call, out, instance, at.projectId, fault);
      return;
    }
    serveRestart(call, this.parts, instance, fault, at.now);
  }
}
