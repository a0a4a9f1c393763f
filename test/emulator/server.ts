import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../lib/util/time';
import { DEFAULT_WORKSPACE, EmulatorState, type InstanceSeed, publicView, toJson } from './state';
import { verifySignature } from './verify-signature';

/**
 * A local DataArts Factory (DLF v1 job instances) and IAM token endpoint on
 * 127.0.0.1, for tests, the demo and the benchmark. It verifies signatures and
 * tokens, keeps instance state per workspace on a controllable clock, enforces a
 * rate limit, adds latency and injects faults. Error codes it invents for cases the
 * docs leave open (status does not allow rerun, manual instance) are marked EMU.
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
  | 'custom';

export interface Fault {
  route: Route | 'any';
  kind: FaultKind;
  /** Only the nth request of that route (1-based) gets it; otherwise the next ones. */
  nth?: number;
  /** How many requests get it (default 1). */
  times?: number;
  /**
   * For restart: apply the restart, then answer with the fault (unknown outcome).
   * Ignored for 429 and 503, which the gateway answers before DataArts sees the request.
   */
  processed?: boolean;
  /** For 429/503: send Retry-After (seconds). */
  retryAfterSeconds?: number;
  /** For `custom`. */
  body?: string;
}

export interface EmulatorOptions {
  clock: Clock;
  /** Access key -> secret key. */
  accessKeys?: Record<string, string>;
  /** IAM users that may get a token: `${domain}/${user}` -> password. */
  users?: Record<string, string>;
  /** Token lifetime on the emulator clock. */
  tokenTtlMs?: number;
  /** What `offset` means: page index (default) or record offset. */
  offsetMode?: 'page' | 'record';
  /** Reject windows longer than this (a recent edition caps at 7 days). */
  maxWindowMs?: number;
  /** Which time the window filters on. */
  timeField?: 'planTime' | 'startTime';
  /** Requests per second over all routes; beyond it 429 APIG.0308. */
  rateLimit?: { perSecond: number; burst?: number; retryAfterSeconds?: number };
  /** Added before every answer, real milliseconds. */
  latencyMs?: number;
}

export interface RecordedRequest {
  route: Route | 'unknown';
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
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
  /** Reruns the emulator accepted for this instance. */
  restarts(instanceId: string | number): number;
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
  const routeLatency = new Map<Route, number>();
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
    res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json' } : {}), ...headers });
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
      {
        error_code: code,
        error_msg: msg,
        ...(code.startsWith('APIG') ? { request_id: randomUUID().replace(/-/g, '') } : {}),
      },
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

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
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
    };
    requests.push(record);
    const delay = (found && routeLatency.get(found.r.route)) ?? latencyMs;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (!found?.m)
      return error(res, record, 404, 'APIG.0101', 'The API does not exist or has not been published.');
    const route = found.r.route;
    routeCounts.set(route, (routeCounts.get(route) ?? 0) + 1);

    if (throttled()) {
      const after = rateLimit?.retryAfterSeconds;
      return error(
        res,
        record,
        429,
        'APIG.0308',
        'The request is throttled.',
        after === undefined ? {} : { 'Retry-After': String(after) },
      );
    }
    const fault = takeFault(route);
    const now = options.clock.now();

    if (route === 'token') return issueToken(res, record, body, now);

    const projectId = safeDecode(found.m[1] ?? '');
    const auth = authenticate(req, body, projectId, now);
    if (auth) return error(res, record, 401, auth.code, auth.msg);

    const workspaceName =
      typeof req.headers.workspace === 'string' ? req.headers.workspace : DEFAULT_WORKSPACE;
    const store = state.workspace(projectId, workspaceName);
    if (!store)
      return error(res, record, 400, 'DLF.EMU1', `Workspace ${workspaceName} does not exist (EMU).`);

    const afterProcessing = fault?.processed === true && fault.kind !== 429 && fault.kind !== 503;
    if (fault && !afterProcessing && (await answerFault(req, res, record, fault))) return;

    if (route === 'list') {
      const limit = query.limit === undefined ? 10 : Number(query.limit);
      const offset = query.offset === undefined ? 0 : Number(query.offset);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        return error(res, record, 400, 'DLF.0001', 'limit must be 1..1000 (EMU).');
      if (!Number.isInteger(offset) || offset < 0)
        return error(res, record, 400, 'DLF.0001', 'offset must be >= 0 (EMU).');
      const startOfDay = new Date(now).setUTCHours(0, 0, 0, 0);
      const min = query.minPlanTime === undefined ? startOfDay : Number(query.minPlanTime);
      const max = query.maxPlanTime === undefined ? now : Number(query.maxPlanTime);
      if (options.maxWindowMs !== undefined && max - min > options.maxWindowMs) {
        return error(res, record, 400, 'DLF.0001', 'The time window may not exceed 7 days (EMU).');
      }
      const field = options.timeField ?? 'planTime';
      const type = query.instanceType === undefined ? undefined : Number(query.instanceType);
      const precise = query.preciseQuery === 'true';
      const matches = [...store.values()]
        .map((i) => state.settle(i, now))
        .filter((i) => {
          const t = i[field];
          if (t === undefined || t < min || t > max) return false;
          if (query.status !== undefined && i.status !== query.status) return false;
          if (type !== undefined && i.instanceType !== type) return false;
          if (
            query.jobName !== undefined &&
            (precise ? i.jobName !== query.jobName : !i.jobName.includes(query.jobName))
          )
            return false;
          return true;
        })
        .sort((a, b) => b.planTime - a.planTime || (a.instanceId < b.instanceId ? -1 : 1));
      const skip = options.offsetMode === 'record' ? offset : offset * limit;
      let rows = matches.slice(skip, skip + limit).map(publicView);
      if (fault?.kind === 'unknown-fields') {
        rows = rows.map((r) => ({ ...r, newField: { nested: true }, anotherOne: 'x' }));
      }
      return send(res, record, 200, { total: matches.length, instances: rows });
    }

    const jobName = safeDecode(found.m[2] ?? '');
    const instanceId = found.m[3] ?? '';
    const instance = store.get(instanceId);
    if (!instance || instance.jobName !== jobName || fault?.kind === 'instance-vanished') {
      return error(res, record, 400, 'DLF.0137', 'Job instance does not exist.');
    }
    state.settle(instance, now);

    if (route === 'show') {
      const nodes = [
        {
          nodeName: 'main',
          type: 'DLISQL',
          status:
            instance.status === 'fail' ? 'fail' : instance.status === 'success' ? 'success' : instance.status,
          planTime: instance.planTime,
          startTime: instance.startTime,
          endTime: instance.endTime,
          retryTimes: 0,
          inputRowCount: 0,
          speed: 0,
          logPath: `obs://dlf-log-${projectId}/${jobName}/${instanceId}.log`,
        },
      ];
      return send(res, record, 200, { ...publicView(instance), total: nodes.length, nodes });
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
    if (!['success', 'fail', 'manual-stop'].includes(instance.status)) {
      return error(
        res,
        record,
        400,
        'DLF.EMU3',
        `Instance status ${instance.status} does not allow rerun (EMU).`,
      );
    }
    instance.status = 'running';
    instance.startTime = now;
    delete instance.endTime;
    instance.restarts++;
    instance.version++;
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
        return error(res, record, 401, 'APIG.0301', 'Incorrect IAM authentication information.');
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
      return error(res, record, 400, 'APIG.0201', 'Request body is invalid.');
    }
  };

  const authenticate = (req: IncomingMessage, body: string, projectId: string, now: number) => {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string') {
      const known = tokens.get(token);
      if (!known || known.expiresAt <= now) return { code: 'APIG.0307', msg: 'The token must be updated.' };
      if (known.projectId !== projectId)
        return { code: 'APIG.0301', msg: 'Incorrect IAM authentication information.' };
      return undefined;
    }
    const verdict = verifySignature(req, body, accessKeys, now);
    if (!verdict.ok)
      return { code: 'APIG.0301', msg: `Incorrect IAM authentication information: ${verdict.reason}.` };
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
          fault.kind === 429 ? 'APIG.0308' : 'APIG.0203',
          'Injected fault.',
          fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) },
        );
        return true;
      case 403:
        error(res, record, 403, 'APIG.0302', 'The IAM user is not authorized to access the API.');
        return true;
      case 500:
      case 502:
      case 504:
        error(res, record, fault.kind, 'APIG.0202', 'Injected fault.');
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
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((e: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ error_code: 'EMU.500', error_msg: String(e) }));
        }
      });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
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
    restarts: (instanceId) => state.all().find((i) => i.instanceId === String(instanceId))?.restarts ?? 0,
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
      for (const res of hanging) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
