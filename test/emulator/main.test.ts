/** `npm run emulator` (emulator/main.ts) as a user starts it, in a child process. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { occupiedPort } from '../support/closed-port';

const ROOT = join(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
/** tsx compiles the emulator at start: seconds on a loaded machine. */
const STARTS_A_PROCESS = 60_000;

describe('npm run emulator', () => {
  it(
    'on a port in use ends with one line naming the port and --port, not a stack trace',
    async () => {
      const held = await occupiedPort();
      try {
        const ran = await promisify(execFile)(TSX, ['emulator/main.ts', '--port', String(held.port)], {
          cwd: ROOT,
        }).then(
          () => ({ code: 0, stderr: '' }),
          (error: { code: number; stderr: string }) => error,
        );
        expect({ code: ran.code, stderr: ran.stderr }).toEqual({
          code: 2,
          stderr: `emulator: port ${held.port} on 127.0.0.1 is in use; choose another with --port <port>, or leave --port out for a free one\n`,
        });
      } finally {
        await held.release();
      }
    },
    STARTS_A_PROCESS,
  );
});
