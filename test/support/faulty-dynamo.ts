import { createServer, request } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What the proxy does with one DynamoDB request: pass it on; `stall` (never answer,
 * the request never reaches DynamoDB); `drop` (DynamoDB acts, its answer is lost: the
 * connection is cut after the write).
 */
export type Fault = 'pass' | 'stall' | 'drop';

/** A DynamoDB request as the proxy sees it: the operation (`UpdateItem`) and its JSON body. */
export interface DynamoCall {
  operation: string;
  body: { ConditionExpression?: string; UpdateExpression?: string; [key: string]: unknown };
}

export interface FaultyDynamo {
  endpoint: string;
  /** Every operation received, in order, with what was done to it. */
  calls: Array<{ operation: string; fault: Fault }>;
  close(): Promise<void>;
}

/** The claim of an attempt, as DynamoDbLedger writes it. */
export const isClaim = (c: DynamoCall) =>
  c.operation === 'UpdateItem' && (c.body.ConditionExpression ?? '').includes(':expected');
/** The settle of an attempt, as DynamoDbLedger writes it. */
export const isSettle = (c: DynamoCall) =>
  c.operation === 'UpdateItem' && (c.body.UpdateExpression ?? '').startsWith('SET lastOutcome = :outcome');

/**
 * A real HTTP proxy on 127.0.0.1 in front of dynalite that plays a hostile DynamoDB
 * endpoint: `fault` picks, per request, whether it passes, stalls or loses its answer.
 * The ledger's real client talks to it; nothing of the SDK is mocked.
 */
export async function startFaultyDynamo(
  upstream: string,
  fault: (call: DynamoCall) => Fault,
): Promise<FaultyDynamo> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  const calls: FaultyDynamo['calls'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const chosen = fault({ operation, body: raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {} });
      calls.push({ operation, fault: chosen });
      if (chosen === 'stall') return;
      const forward = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            if (chosen === 'drop') {
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      forward.on('error', () => req.socket.destroy());
      forward.end(raw);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
