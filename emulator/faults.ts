/**
 * Fault injection: the faults a test injected, which request takes each, and how a
 * fault that replaces the answer is answered.
 */
import type { ServerResponse } from 'node:http';
import type { Fault, FaultKind, Route } from './options';
import type { Call, Responder } from './respond';

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

export class FaultInjector {
  private faults: Array<Fault & { left: number }> = [];
  /** Answers a `hang` holds open: close() destroys their sockets. */
  private readonly hanging = new Set<ServerResponse>();

  constructor(private readonly out: Responder) {}

  inject(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault the `n`th request of `route` gets, if any; each taken counts against `times`. */
  take(route: Route, n: number): Fault | undefined {
    const fault = this.faults.find(
      (f) => (f.route === route || f.route === 'any') && f.left > 0 && (f.nth === undefined || f.nth === n),
    );
    if (fault) fault.left--;
    this.faults = this.faults.filter((f) => f.left > 0);
    return fault;
  }

  /** Whether `fault` was answered after DataArts processed the request (an unknown outcome). */
  afterProcessing(fault: Fault | undefined): boolean {
    return fault?.processed === true && !NEVER_PROCESSED.has(fault.kind);
  }

  /**
   * Answers the call with the fault; false for a fault that only alters the route's own
   * answer (`unknown-fields`, `instance-vanished`, ...), which the route then gives.
   */
  answer(call: Call, fault: Fault): boolean {
    switch (fault.kind) {
      case 'hang':
        call.record.status = -1;
        this.hanging.add(call.res);
        return true;
      case 'reset':
        call.record.status = -2;
        call.req.socket.destroy();
        return true;
      case 'malformed-json':
        this.out.send(call, 200, '{"total": 3, "instances": [{"jobName": "x", ');
        return true;
      case 'custom':
        this.out.send(call, 200, fault.body ?? '');
        return true;
      default:
        return this.answerRefusal(call, fault);
    }
  }

  /** Destroys the sockets of hanging answers, so the server can close. */
  releaseHanging(): void {
    for (const res of this.hanging) res.socket?.destroy();
  }

  /** The faults that answer an error status with the code the gateway or DataArts would give. */
  private answerRefusal(call: Call, fault: Fault): boolean {
    const { out } = this;
    switch (fault.kind) {
      case 429:
      case 503:
        out.error(
          call,
          fault.kind,
          out.gateway(fault.kind === 429 ? '0308' : '0203'),
          'Injected fault.',
          fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) },
        );
        return true;
      case 401:
        out.error(call, 401, out.gateway('0301'), 'Incorrect IAM authentication information.');
        return true;
      case 403:
        out.error(call, 403, out.gateway('0302'), 'The IAM user is not authorized to access the API.');
        return true;
      case 'header-missing':
        out.error(call, 400, out.gateway('0106'), 'Invalid header parameter: Content-Type, required');
        return true;
      case 500:
      case 502:
      case 504:
        out.error(call, fault.kind, out.gateway('0202'), 'Injected fault.');
        return true;
      case 'route-missing':
        out.error(call, 404, out.gateway('0101'), 'The API does not exist or has not been published.');
        return true;
      case 'no-permission':
        out.error(call, 400, 'DLF.6888', 'The account permissions do not allow this operation.');
        return true;
      default:
        return false;
    }
  }
}
