import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dispatcher, type EmulatorParts } from './dispatch';
import { FaultInjector } from './faults';
import { IamAuthority } from './iam-route';
import { Latency } from './latency';
import { listenOnLoopback } from './listen';
import type { EmulatorOptions, Fault, RecordedRequest, Route } from './options';
import { type Outage, Outages } from './outage';
import { GatewayRateLimit } from './rate-limit';
import { RequestClock } from './request-clock';
import { Responder } from './respond';
import { type AcceptedRestart, RestartLog } from './restart-log';
import { type EmulatedInstance, EmulatorState, type InstanceSeed, rerunsPerFailure } from './state';

export type {
  EmulatorOptions,
  ErrorShape,
  Fault,
  FaultKind,
  RecordedRequest,
  Route,
} from './options';
export type { AcceptedRestart } from './restart-log';

/**
 * A local DataArts Factory (DLF v1 job instances) and IAM token endpoint on
 * 127.0.0.1, for tests, the demo and the benchmark. It verifies signatures and
 * tokens, keeps instance state per workspace on a controllable clock, enforces a
 * rate limit, adds latency and injects faults. Error codes it invents for cases the
 * docs leave open (status does not allow rerun, manual instance) are marked EMU.
 *
 * Interleavings that break "at most one rerun per failure" are played on the shared
 * injected clock only, never on machine speed: a restart can take effect some clock
 * time after it was accepted (`restartLagMs`), every request can move the clock
 * (`advanceOnRequestMs`), and every accepted restart is booked against the failure it
 * answered (`rerunsPerFailure`).
 */

export interface Emulator {
  url: string;
  state: EmulatorState;
  requests: RecordedRequest[];
  seed(projectId: string, workspace: string | undefined, seeds: readonly InstanceSeed[]): void;
  /** Seeds from a list answer shaped like the documented example (test/fixtures). */
  seedFromListAnswer(
    projectId: string,
    workspace: string | undefined,
    answer: { instances: ReadonlyArray<Record<string, unknown>> },
  ): void;
  /** The body of the last answer sent (for shape checks). */
  readonly lastBody: string | undefined;
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Every restart accepted so far, in order: when, of which instance, answering which failure. */
  acceptedRestarts(): readonly AcceptedRestart[];
  /** Reruns the emulator accepted for this instance (the first with this id: `state` tells jobs sharing one apart). */
  restarts(instanceId: string | number): number;
  /**
   * The most restarts accepted for this instance that answered one and the same
   * failure (the same ended run); 0 when none was accepted.
   */
  rerunsPerFailure(instanceId: string | number): number;
  /** rerunsPerFailure over every instance: above 1 means a failure was rerun twice. */
  maxRerunsPerFailure(): number;
  /** Applies every pending rerun and ended run up to clock.now(). */
  settleAll(): void;
  /** Changes `restartLagMs` for restarts accepted from now on. */
  setRestartLag(ms: number): void;
  /** Jobs down until a time: their reruns are accepted but fail again (outage.ts). */
  declareOutage(outage: Outage): void;
  /** Changes `acceptRunningRestart`. */
  setAcceptRunningRestart(accept: boolean): void;
  /** Changes `advanceOnRequestMs`. */
  setAdvanceOnRequest(ms: number): void;
  count(route: Route, status?: number): number;
  /** Most requests the emulator was answering at once. */
  maxInFlight(): number;
  /** Revokes every token issued so far (they answer 401 from now on). */
  expireTokens(): void;
  setRateLimit(limit: EmulatorOptions['rateLimit'] | undefined): void;
  /** Added before every answer (of one route, when given). */
  setLatency(ms: number, route?: Route): void;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const out = new Responder(options);
  const requestClock = new RequestClock(options);
  requestClock.set(options.advanceOnRequestMs ?? 0);
  const outages = new Outages(options.outages);
  const parts: EmulatorParts = {
    options,
    out,
    faults: new FaultInjector(out),
    iam: new IamAuthority(options, out),
    state: new EmulatorState(outages.rerunStarting),
    rateLimit: new GatewayRateLimit(options.rateLimit),
    latency: new Latency(options.latencyMs ?? 0),
    requestClock,
    settings: {
      restartLagMs: options.restartLagMs ?? 0,
      acceptRunningRestart: options.acceptRunningRestart ?? false,
    },
    restartLog: new RestartLog(),
  };
  const dispatcher = new Dispatcher(parts);
  const http = serve(dispatcher);
  await listenOnLoopback(http.server, options.port ?? 0);
  const { port } = http.server.address() as AddressInfo;
  return emulatorApi(`http://127.0.0.1:${port}`, parts, dispatcher.requests, http, outages);
}

/** The HTTP server around the dispatcher, and the most requests it was answering at once. */
function serve(dispatcher: Dispatcher): { server: Server; peakInFlight: () => number } {
  let requestSeq = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  const server: Server = createServer((req, res) => {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    res.on('close', () => inFlight--);
    // Counted in arrival order, so ids do not depend on timing: 32 hex digits like the real ones.
    const requestId = (++requestSeq).toString(16).padStart(32, '0');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      dispatcher.handle(req, res, Buffer.concat(chunks).toString('utf8'), requestId).catch((e: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json', 'X-Request-Id': requestId });
          res.end(JSON.stringify({ error_code: 'EMU.500', error_msg: String(e) }));
        }
      });
    });
  });
  server.keepAliveTimeout = 5_000;
  return { server, peakInFlight: () => peakInFlight };
}

/** What a test holds: the emulator's parts behind the `Emulator` interface. */
function emulatorApi(
  url: string,
  parts: EmulatorParts,
  requests: RecordedRequest[],
  http: { server: Server; peakInFlight: () => number },
  outages: Outages,
): Emulator {
  const { state, faults, settings, out } = parts;
  return {
    url,
    state,
    requests,
    seed: (projectId, workspace, seeds) => state.seed(projectId, workspace, seeds),
    seedFromListAnswer: (projectId, workspace, answer) =>
      state.seed(
        projectId,
        workspace,
        answer.instances.map((row) => ({
          ...(row as unknown as InstanceSeed),
          instanceId: String(row.instanceId),
        })),
      ),
    get lastBody() {
      return out.lastBody;
    },
    inject: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    acceptedRestarts: () => parts.restartLog.all(),
    restarts: (instanceId) => findInstance(state, instanceId)?.restarts ?? 0,
    rerunsPerFailure: (instanceId) => {
      const instance = findInstance(state, instanceId);
      return instance ? rerunsPerFailure(instance) : 0;
    },
    maxRerunsPerFailure: () => Math.max(0, ...state.all().map(rerunsPerFailure)),
    settleAll: () => state.settleAll(parts.options.clock.now()),
    setRestartLag: (ms) => {
      settings.restartLagMs = ms;
    },
    declareOutage: (outage) => outages.declare(outage),
    setAcceptRunningRestart: (accept) => {
      settings.acceptRunningRestart = accept;
    },
    setAdvanceOnRequest: (ms) => parts.requestClock.set(ms),
    count: (route: Route, status?: number) =>
      requests.filter((r) => r.route === route && (status === undefined || r.status === status)).length,
    maxInFlight: http.peakInFlight,
    expireTokens: () => parts.iam.expireTokens(),
    setRateLimit: (limit) => parts.rateLimit.set(limit),
    setLatency: (ms, route) => parts.latency.set(ms, route),
    close: () => close(parts, http.server),
  };
}

/** Ends latency waits and hanging answers at once, then closes every connection. */
async function close(parts: EmulatorParts, server: Server): Promise<void> {
  parts.latency.releaseAll();
  parts.faults.releaseHanging();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function findInstance(state: EmulatorState, instanceId: string | number): EmulatedInstance | undefined {
  return state.all().find((i) => i.instanceId === String(instanceId));
}
