import type { Server } from 'node:net';

/** The port asked for is taken (another emulator or local stack still running, say). */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly port: number,
    options: { cause: unknown },
  ) {
    super(`port ${port} on 127.0.0.1 is in use`, options);
  }
}

/**
 * Listens on 127.0.0.1:`port` (0: one the OS picks). A failure rejects, instead of the
 * server's unhandled `error` event ending the process with a stack trace.
 */
export function listenOnLoopback(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, { cause: error }) : error);
    server.once('error', failed);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', failed);
      resolve();
    });
  });
}
