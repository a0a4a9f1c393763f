/**
 * How the emulator writes an answer: the status into the request's record, the
 * X-Request-Id header, and error bodies in the shape and gateway prefix it plays.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorOptions, ErrorShape, RecordedRequest } from './options';
import { toJson } from './state';

/** One request being answered: what it asked and where its answer goes. */
export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  body: string;
}

export class Responder {
  /** The body of the last answer sent (for shape checks). */
  lastBody: string | undefined;

  constructor(private readonly options: Pick<EmulatorOptions, 'errorShape' | 'gatewayPrefix'>) {}

  /** A gateway code with the prefix played (see EmulatorOptions.gatewayPrefix). */
  gateway(n: string): string {
    return `${this.options.gatewayPrefix ?? 'APIGW'}.${n}`;
  }

  send(call: Call, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    call.record.status = status;
    const text = body === undefined ? '' : typeof body === 'string' ? body : toJson(body);
    this.lastBody = text;
    call.res.writeHead(status, {
      ...(text ? { 'Content-Type': 'application/json' } : {}),
      'X-Request-Id': call.record.requestId,
      ...headers,
    });
    call.res.end(text);
  }

  error(call: Call, status: number, code: string, msg: string, headers?: Record<string, string>): void {
    const body = errorBody(this.options.errorShape ?? 'error_code', code, msg, call.record.requestId);
    this.send(call, status, body, headers);
  }
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
