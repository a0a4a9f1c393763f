import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../lib/util/time';
import { answerList } from './list-route';
import { listenOnLoopback } from './listen';
import {
  DEFAULT_WORKSPACE,
  type EmulatedInstance,
  EmulatorState,
  type InstanceSeed,
  publicView,
  rerunsPerFailure,
  showView,
  storeKey,
  toJson,
} from './state';
import { verifySignature } from './verify-signature';

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

export type Route = 'list' | 'show' | 'restart' | 'token';

export type FaultKind =
  | 403
  | 500
  | 502
  | 503
  | 504
  | 429
  | 'hang'
  | 'reset'
  | 'malformed-json'
  | 'unknown-fields'
  | 'instance-vanished'
  /** Someone else reran the instance between list and restart: it is running now. */
  | 'status-changed'
  /** Answer 200 with `body` as it is (malformed shapes, huge answers). */
  | 'custom'
  /** 404 APIGW.0101: the gateway has no such route (wrong host, API not published). */
  | 'route-missing'
  /** 400 DLF.6888: the account lacks permissions. */
  | 'no-permission'
  /** 401 APIGW.0301 on this request only (e.g. a credential revoked mid-sweep). */
  | 401
  /** 400 APIGW.0106: the gateway says a required header is missing. */
  | 'header-missing'
  /** The answer (list or show) leaves out `endTime`, as seen on finished instances. */
  | 'end-time-missing';

/** Faults answered before DataArts sees the request: `processed` cannot apply to them. */
const NEVER_PROCESSED: ReadonlySet<FaultKind> = new Set<FaultKind>([
  401,
  403,
  429,
  503,
  'route-missing',
  'header-missing',
  'no-permission',
]);

/** How error bodies are shaped: the usual one, and the two Huawei's SDK core also reads. */
export type ErrorShape = 'error_code' | 'code' | 'nested';

export interface Fault {
  route: Route | 'any';
  kind: FaultKind;
  /** Only the nth request of that route (1-based) gets it; otherwise the next ones. */
  nth?: number;
  /** How many requests get it (default 1). */
  times?: number;
  /**
   * For restart: accept the restart, then answer with the fault (unknown outcome).
   * With `restartLagMs` the rerun is pending when the fault is answered.
   * Ignored for 429, 503, 'route-missing' and 'no-permission', which are answered
   * before DataArts sees the request.
   */
  processed?: boolean;
  /** For 429/503: send Retry-After (seconds). */
  retryAfterSeconds?: number;
  /** For `custom`. */
  body?: string;
}

export interface EmulatorOptions {
  clock: Clock;
  /** TCP port on 127.0.0.1 (default 0: one the OS picks). */
  port?: number;
  /** Access key -> secret key. */
  accessKeys?: Record<string, string>;
  /** IAM users that may get a token: `${domain}/${user}` -> password. */
  users?: Record<string, string>;
  /** Token lifetime on the emulator clock. */
  tokenTtlMs?: number;
  /**
   * What `offset` means: page index (default) or record offset (what Huawei's own
   * Terraform provider does with sibling DataArts APIs, and a public client assumes).
   */
  offsetMode?: 'page' | 'record';
  /**
   * Reject list requests whose `maxPlanTime - minPlanTime` exceeds this (400), `limit=1`
   * counts included. Default 7 days, as a recent edition; `Infinity` turns it off.
   */
  maxWindowMs?: number;
  /** Which time the window filters on: plan time (older docs, default) or start time (newer). */
  timeField?: 'planTime' | 'startTime';
  /**
   * Order of the list answer: newest plan time first (default), or `unordered`: a
   * stable order unrelated to time, each page shuffled as well (the order is undocumented).
   */
  listOrder?: 'newest-first' | 'unordered';
  /** Every page after the first repeats this many records of the page before it (default 0). */
  pageOverlap?: number;
  /**
   * The `total` the list answer claims, from the true count: a lying server over- or
   * under-reports, or caps it at the page size. Default: the true count.
   */
  reportTotal?: (actual: number, query: { limit: number; offset: number }) => number;
  /** Requests per second over all routes; beyond it 429 APIG.0308. */
  rateLimit?: { perSecond: number; burst?: number; retryAfterSeconds?: number };
  /** Added before every answer, real milliseconds. */
  latencyMs?: number;
  /**
   * Emulator-clock ms between accepting a restart and the rerun becoming visible
   * (default 0: at once). Until then list and show keep the old status and endTime.
   */
  restartLagMs?: number;
  /**
   * Accept a restart of a `running` or `waiting` instance too (booked against its last
   * ended run) instead of 400 DLF.EMU3. Default false.
   */
  acceptRunningRestart?: boolean;
  /** Every request moves the clock this much when it arrives (default 0). */
  advanceOnRequestMs?: number;
  /** How to move the clock; default: the clock's own `advance` (ManualClock has one). */
  advance?: (ms: number) => void;
  /**
   * List bounds are strict, `> minPlanTime` and `< maxPlanTime`, as every edition and
   * SDK model documents (default true); false reads both ends inclusively (lenient).
   */
  strictBounds?: boolean;
  /**
   * A POST without Content-Type gets 400 APIGW.0106, as the real gateway (default
   * true); false plays a lenient gateway.
   */
  requireContentType?: boolean;
  /** Prefix of every gateway code: 'APIGW' (default, the current docs) or the older pages' 'APIG'. */
  gatewayPrefix?: 'APIGW' | 'APIG';
  /**
   * Error body shape: 'error_code' (default, `{error_code, error_msg}`), or the two
   * others Huawei's SDK core reads: 'code' (`{code, message}`) and 'nested'
   * (`{"error": {code, message}}`).
   */
  errorShape?: ErrorShape;
}

export interface RecordedRequest {
  route: Route | 'unknown';
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  /** Sent back as the X-Request-Id header (and `request_id` of gateway errors). */
  requestId: string;
}

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

const ROUTES: Array<{ route: Route; method: string; pattern: RegExp }> = [
  { route: 'token', method: 'POST', pattern: /^\/v3\/auth\/tokens$/ },
  { route: 'list', method: 'GET', pattern: /^\/v1\/([^/]+)\/jobs\/instances\/detail$/ },
  { route: 'show', method: 'GET', pattern: /^\/v1\/([^/]+)\/jobs\/([^/]+)\/instances\/(\d+)$/ },
  { route: 'restart', method: 'POST', pattern: /^\/v1\/([^/]+)\/jobs\/([^/]+)\/instances\/(\d+)\/restart$/ },
];

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const state = new EmulatorState();
  const accessKeys = new Map(Object.entries(options.accessKeys ?? {}));
  const tokens = new Map<string, { projectId: string; expiresAt: number }>();
  const requests: RecordedRequest[] = [];
  const routeCounts = new Map<Route, number>();
  let faults: Array<Fault & { left: number }> = [];
  let rateLimit = options.rateLimit;
  let latencyMs = options.latencyMs ?? 0;
  /** Requests held by the latency: close() lets them finish at once instead of leaving timers behind. */
  const delayed = new Map<NodeJS.Timeout, () => void>();
  const routeLatency = new Map<Route, number>();
  let restartLagMs = options.restartLagMs ?? 0;
  let acceptRunningRestart = options.acceptRunningRestart ?? false;
  let advanceOnRequestMs = 0;
  const advanceClock = clockMover(options);
  const setAdvanceOnRequest = (ms: number) => {
    if (ms > 0 && !advanceClock)
      throw new Error('advanceOnRequestMs needs options.advance or a clock with advance()');
    advanceOnRequestMs = ms;
  };
  setAdvanceOnRequest(options.advanceOnRequestMs ?? 0);
  // Gateway codes: see EmulatorOptions.gatewayPrefix.
  const gateway = (n: string) => `${options.gatewayPrefix ?? 'APIGW'}.${n}`;
  let requestSeq = 0;
  let bucket = { tokens: 0, at: 0 };
  const resetBucket = () => {
    bucket = { tokens: rateLimit?.burst ?? rateLimit?.perSecond ?? 0, at: performance.now() };
  };
  resetBucket();

  let lastBody: string | undefined;
  const send = (
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    record.status = status;
    const text = body === undefined ? '' : typeof body === 'string' ? body : toJson(body);
    lastBody = text;
    res.writeHead(status, {
      ...(text ? { 'Content-Type': 'application/json' } : {}),
      'X-Request-Id': record.requestId,
      ...headers,
    });
    res.end(text);
  };
  const error = (
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    code: string,
    msg: string,
    headers?: Record<string, string>,
  ) =>
    send(
      res,
      record,
      status,
      errorBody(options.errorShape ?? 'error_code', code, msg, record.requestId),
      headers,
    );

  const takeFault = (route: Route): Fault | undefined => {
    const n = routeCounts.get(route) ?? 0;
    const fault = faults.find(
      (f) => (f.route === route || f.route === 'any') && f.left > 0 && (f.nth === undefined || f.nth === n),
    );
    if (fault) fault.left--;
    faults = faults.filter((f) => f.left > 0);
    return fault;
  };

  const throttled = (): boolean => {
    if (!rateLimit) return false;
    const now = performance.now();
    const capacity = rateLimit.burst ?? rateLimit.perSecond;
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rateLimit.perSecond);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return false;
    }
    return true;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string, requestId: string) => {
    // The clock moves while the request is in flight, before anything reads it.
    if (advanceOnRequestMs > 0) advanceClock?.(advanceOnRequestMs);
    const rawUrl = req.url ?? '/';
    const [rawPath = '/', rawQuery = ''] = rawUrl.split('?', 2);
    const path = rawPath.split('/').map(safeDecode).join('/');
    const query: Record<string, string> = {};
    for (const pair of rawQuery.split('&').filter(Boolean)) {
      const [k = '', v = ''] = pair.split('=', 2);
      query[safeDecode(k)] = safeDecode(v);
    }
    const found = ROUTES.map((r) => ({
      r,
      m: r.method === req.method ? r.pattern.exec(rawPath) : null,
    })).find((x) => x.m);
    const record: RecordedRequest = {
      route: found?.r.route ?? 'unknown',
      method: req.method ?? '',
      path,
      query,
      headers: { ...req.headers },
      status: 0,
      requestId,
    };
    requests.push(record);
    const delay = (found && routeLatency.get(found.r.route)) ?? latencyMs;
    if (delay > 0)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          delayed.delete(timer);
          resolve();
        }, delay);
        delayed.set(timer, resolve);
      });
    if (!found?.m)
      return error(res, record, 404, gateway('0101'), 'The API does not exist or has not been published.');
    const route = found.r.route;
    routeCounts.set(route, (routeCounts.get(route) ?? 0) + 1);

    if (throttled()) {
      const after = rateLimit?.retryAfterSeconds;
      return error(
        res,
        record,
        429,
        gateway('0308'),
        'The request is throttled.',
        after === undefined ? {} : { 'Retry-After': String(after) },
      );
    }
    if ((options.requireContentType ?? true) && req.method === 'POST' && !req.headers['content-type'])
      return error(res, record, 400, gateway('0106'), 'Invalid header parameter: Content-Type, required');
    const fault = takeFault(route);
    // No route, no authentication: the gateway answers before anything else.
    if (fault?.kind === 'route-missing') return answerFault(req, res, record, fault);
    const now = options.clock.now();

    if (route === 'token') {
      // IAM's own faults (an outage answers 5xx before any password is checked).
      if (fault && (await answerFault(req, res, record, fault))) return;
      return issueToken(res, record, body, now);
    }

    const projectId = safeDecode(found.m[1] ?? '');
    const auth = authenticate(req, body, projectId, now);
    if (auth) return error(res, record, 401, auth.code, auth.msg);

    const workspaceName =
      typeof req.headers.workspace === 'string' ? req.headers.workspace : DEFAULT_WORKSPACE;
    const store = state.workspace(projectId, workspaceName);
    if (!store)
      return error(res, record, 400, 'DLF.EMU1', `Workspace ${workspaceName} does not exist (EMU).`);

    const afterProcessing = fault?.processed === true && !NEVER_PROCESSED.has(fault.kind);
    if (fault && !afterProcessing && (await answerFault(req, res, record, fault))) return;

    if (route === 'list') {
      const settled = [...store.values()].map((i) => state.settle(i, now));
      const answer = answerList(settled, query, now, options);
      if (!answer.ok) return error(res, record, 400, answer.code, answer.msg);
      let rows = answer.rows.map(publicView);
      if (fault?.kind === 'unknown-fields') {
        rows = rows.map((r) => ({ ...r, newField: { nested: true }, anotherOne: 'x' }));
      }
      return send(res, record, 200, { total: answer.total, instances: rows });
    }

    const jobName = safeDecode(found.m[2] ?? '');
    const instanceId = found.m[3] ?? '';
    const instance = store.get(storeKey(jobName, instanceId));
    if (!instance || fault?.kind === 'instance-vanished') {
      return error(res, record, 400, 'DLF.0137', 'Job instance does not exist.');
    }
    state.settle(instance, now);

    if (route === 'show') {
      return send(
        res,
        record,
        200,
        showView(instance, projectId, { omitEndTime: fault?.kind === 'end-time-missing' }),
      );
    }

    // restart: a client that hung up while the request waited is not served (like a gateway).
    if (req.socket.destroyed) {
      record.status = -3;
      return;
    }
    if (fault?.kind === 'status-changed') {
      instance.status = 'running';
      instance.startTime = now;
    }
    if (instance.instanceType === 2)
      return error(res, record, 400, 'DLF.EMU2', 'Manually scheduled instances cannot be rerun (EMU).');
    if (!allowsRestart(instance, acceptRunningRestart)) {
      return error(
        res,
        record,
        400,
        'DLF.EMU3',
        `Instance status ${instance.status} does not allow rerun (EMU).`,
      );
    }
    // While a rerun is pending the instance still shows its failure, so a second
    // restart is accepted too: it answers the same failure and is booked as such.
    state.acceptRestart(instance, now, restartLagMs);
    if (fault && afterProcessing && (await answerFault(req, res, record, fault))) return;
    return send(res, record, 204);
  };

  const issueToken = (res: ServerResponse, record: RecordedRequest, body: string, now: number) => {
    try {
      const auth = JSON.parse(body).auth;
      const user = auth.identity.password.user;
      const key = `${user.domain.name}/${user.name}`;
      const projectId = auth.scope.project.id;
      if (typeof projectId !== 'string' || options.users?.[key] !== user.password) {
        return error(res, record, 401, gateway('0301'), 'Incorrect IAM authentication information.');
      }
      const token = `MII${randomUUID().replace(/-/g, '')}`;
      const expiresAt = now + (options.tokenTtlMs ?? 86_400_000);
      tokens.set(token, { projectId, expiresAt });
      return send(
        res,
        record,
        201,
        { token: { expires_at: new Date(expiresAt).toISOString(), methods: ['password'] } },
        {
          'X-Subject-Token': token,
        },
      );
    } catch {
      return error(res, record, 400, gateway('0201'), 'Request body is invalid.');
    }
  };

  const authenticate = (req: IncomingMessage, body: string, projectId: string, now: number) => {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string') {
      const known = tokens.get(token);
      if (!known || known.expiresAt <= now)
        return { code: gateway('0307'), msg: 'The token must be updated.' };
      if (known.projectId !== projectId)
        return { code: gateway('0301'), msg: 'Incorrect IAM authentication information.' };
      return undefined;
    }
    const verdict = verifySignature(req, body, accessKeys, now);
    if (!verdict.ok)
      return {
        code: gateway('0301'),
        msg: `Incorrect IAM authentication information: ${verdict.reason}.`,
      };
    return undefined;
  };

  const hanging = new Set<ServerResponse>();
  const answerFault = async (
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    fault: Fault,
  ): Promise<boolean> => {
    switch (fault.kind) {
      case 'hang':
        record.status = -1;
        hanging.add(res);
        return true;
      case 'reset':
        record.status = -2;
        req.socket.destroy();
        return true;
      case 'malformed-json':
        send(res, record, 200, '{"total": 3, "instances": [{"jobName": "x", ');
        return true;
      case 'custom':
        send(res, record, 200, fault.body ?? '');
        return true;
      case 429:
      case 503:
        error(
          res,
          record,
          fault.kind,
          gateway(fault.kind === 429 ? '0308' : '0203'),
          'Injected fault.',
          fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) },
        );
        return true;
      case 401:
        error(res, record, 401, gateway('0301'), 'Incorrect IAM authentication information.');
        return true;
      case 403:
        error(res, record, 403, gateway('0302'), 'The IAM user is not authorized to access the API.');
        return true;
      case 'header-missing':
        error(res, record, 400, gateway('0106'), 'Invalid header parameter: Content-Type, required');
        return true;
      case 500:
      case 502:
      case 504:
        error(res, record, fault.kind, gateway('0202'), 'Injected fault.');
        return true;
      case 'route-missing':
        error(res, record, 404, gateway('0101'), 'The API does not exist or has not been published.');
        return true;
      case 'no-permission':
        error(res, record, 400, 'DLF.6888', 'The account permissions do not allow this operation.');
        return true;
      default:
        return false;
    }
  };

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
      handle(req, res, Buffer.concat(chunks).toString('utf8'), requestId).catch((e: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json', 'X-Request-Id': requestId });
          res.end(JSON.stringify({ error_code: 'EMU.500', error_msg: String(e) }));
        }
      });
    });
  });
  server.keepAliveTimeout = 5_000;
  await listenOnLoopback(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
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
      return lastBody;
    },
    inject: (fault) => {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    clearFaults: () => {
      faults = [];
    },
    restarts: (instanceId) => findInstance(state, instanceId)?.restarts ?? 0,
    rerunsPerFailure: (instanceId) => {
      const instance = findInstance(state, instanceId);
      return instance ? rerunsPerFailure(instance) : 0;
    },
    maxRerunsPerFailure: () => Math.max(0, ...state.all().map(rerunsPerFailure)),
    settleAll: () => state.settleAll(options.clock.now()),
    setRestartLag: (ms) => {
      restartLagMs = ms;
    },
    setAcceptRunningRestart: (accept) => {
      acceptRunningRestart = accept;
    },
    setAdvanceOnRequest,
    count: (route, status) =>
      requests.filter((r) => r.route === route && (status === undefined || r.status === status)).length,
    maxInFlight: () => peakInFlight,
    expireTokens: () => {
      for (const t of tokens.values()) t.expiresAt = 0;
    },
    setRateLimit: (limit) => {
      rateLimit = limit;
      resetBucket();
    },
    setLatency: (ms, route) => {
      if (route) routeLatency.set(route, ms);
      else latencyMs = ms;
    },
    close: async () => {
      for (const [timer, release] of delayed) {
        clearTimeout(timer);
        release();
      }
      delayed.clear();
      for (const res of hanging) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function findInstance(state: EmulatorState, instanceId: string | number): EmulatedInstance | undefined {
  return state.all().find((i) => i.instanceId === String(instanceId));
}

/**
 * Documented: only success, fail and manual-stop may be rerun. A lenient server also
 * takes running and waiting ones, to count what a careless client would cause.
 */
function allowsRestart(instance: EmulatedInstance, acceptRunning: boolean): boolean {
  if (['success', 'fail', 'manual-stop'].includes(instance.status)) return true;
  return acceptRunning && ['running', 'waiting'].includes(instance.status);
}

/** The given `advance`, else the clock's own, else none. */
function clockMover(options: EmulatorOptions): ((ms: number) => void) | undefined {
  if (options.advance) return options.advance;
  const clock = options.clock as Clock & { advance?: unknown };
  if (typeof clock.advance === 'function') {
    const advance = clock.advance as (ms: number) => void;
    return (ms) => advance.call(clock, ms);
  }
  return undefined;
}

function errorBody(shape: ErrorShape, code: string, msg: string, requestId: string): Record<string, unknown> {
  // Gateway errors carry the request id in the body too.
  const id = code.startsWith('APIG') ? { request_id: requestId } : {};
  switch (shape) {
    case 'code':
      return { code, message: msg, ...id };
    case 'nested':
      return { error: { code, message: msg, ...id } };
    default:
      return { error_code: code, error_msg: msg, ...id };
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
