import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerError } from '../../lib/errors';
import { FileLedger } from '../../lib/ledger/file-ledger';
import type { ClaimRequest, InstanceKey } from '../../lib/ledger/ledger';
import { keyString } from '../../lib/ledger/ledger';
import { claimRequest } from '../support/ledger-entries';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const key: InstanceKey = { target: 't', workspace: 'w', jobName: 'j', instanceId: '1' };
const claim = (overrides: Partial<ClaimRequest> = {}): ClaimRequest =>
  claimRequest(NOW, { leaseUntil: NOW + 60_000, ...overrides });

/** The module itself (an `import * as` is a copy): a spy on it is what the ledger calls. */
const fsp = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-ledger-'));
  path = join(dir, 'ledger.json');
});

/** The file's bytes: a skipped write leaves them as they were, whatever the format. */
const contents = () => readFile(path);

describe('file ledger: the file', () => {
  it('reads nothing from a missing file and creates none until something changes', async () => {
    const ledger = new FileLedger(path);
    expect((await ledger.read([key])).size).toBe(0);
    expect(await ledger.inFlight('t')).toEqual([]);
    expect(await ledger.hourlyCount('t', NOW)).toBe(0);
    expect(await ledger.settle(key, { attempt: 1, claimId: 'c1', at: NOW, outcome: 'restarted' })).toBe(
      false,
    );
    expect(await ledger.release(key, 1, 'c1', NOW)).toBe(false);
    expect(await ledger.markInterrupted(key, 1, 'c1', NOW)).toBe(false);
    expect(await ledger.markExhausted(key, NOW)).toBe(false);
    expect(await ledger.reserveHourly('t', NOW, 0, 3)).toBe(0);
    await ledger.releaseHourly('t', NOW, 0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves no temporary or lock file behind, and another instance reads what it wrote', async () => {
    const ledger = new FileLedger(path);
    expect(await ledger.claim(key, claim())).toBe(true);
    expect(await readdir(dir)).toEqual(['ledger.json']);
    // Another instance on the same file sees it.
    expect((await new FileLedger(path).read([key])).get(keyString(key))).toMatchObject({ claimId: 'c1' });
  });

  it('skips the write when nothing changed', async () => {
    const ledger = new FileLedger(path);
    await ledger.claim(key, claim());
    const before = await contents();
    expect(await ledger.claim(key, claim({ claimId: 'c2' }))).toBe(false);
    expect(await ledger.settle(key, { attempt: 2, claimId: 'c1', at: NOW, outcome: 'restarted' })).toBe(
      false,
    );
    expect(await ledger.reserveHourly('t', NOW, 0, 1)).toBe(0);
    await ledger.releaseHourly('t', NOW, 0);
    expect((await contents()).equals(before)).toBe(true);
    expect(await ledger.reserveHourly('t', NOW, 5, 2)).toBe(2);
    expect((await contents()).equals(before)).toBe(false);
  });

  it('returns the reservation granted (the update itself only says whether it wrote)', async () => {
    const ledger = new FileLedger(path);
    expect(await ledger.reserveHourly('t', NOW, 10, 7)).toBe(7);
    expect(await ledger.reserveHourly('t', NOW, 10, 7)).toBe(3);
    expect(await ledger.hourlyCount('t', NOW)).toBe(10);
    await ledger.releaseHourly('t', NOW, 4);
    expect(await ledger.hourlyCount('t', NOW)).toBe(6);
    // The release reached the file, not only this instance's memory.
    expect(await new FileLedger(path).hourlyCount('t', NOW)).toBe(6);
  });

  it('reads entries written before attempts were leased (`claimed`) as in flight', async () => {
    const legacy = {
      ...key,
      attempts: 1,
      lastOutcome: 'claimed',
      claimId: 'old',
      outcomes: {},
      expiresAt: 2e9,
    };
    await writeFile(
      path,
      JSON.stringify({ version: 1, instances: { [keyString(key)]: legacy }, hourly: {} }),
    );
    const ledger = new FileLedger(path);
    expect((await ledger.read([key])).get(keyString(key))?.lastOutcome).toBe('in-flight');
    expect((await ledger.inFlight('t')).map((e) => e.claimId)).toEqual(['old']);
  });
});

describe('file ledger: temporary files of compactions', () => {
  /** The pid of a process that has ended: a writer that died mid-compaction. */
  const deadPid = async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    return child.pid!;
  };
  const leftover = async (pid: number, ageMs = 0) => {
    const file = `${path}.${pid}.tmp`;
    await writeFile(file, 'half a snapshot');
    const at = new Date(Date.now() - ageMs);
    await utimes(file, at, at);
    return `ledger.json.${pid}.tmp`;
  };

  it("removes a dead writer's when it compacts, never a live writer's", async () => {
    await leftover(await deadPid());
    // This test's parent (jest) is alive: its file may be a compaction in progress.
    const live = await leftover(process.ppid);
    // A new file: the first write compacts.
    expect(await new FileLedger(path).claim(key, claim())).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['ledger.json', live]);
  });

  it("removes a live pid's once untouched for over an hour (another host's writer, or a reused pid)", async () => {
    await leftover(process.ppid, 2 * 60 * 60_000);
    const recent = await leftover(1, 10 * 60_000);
    expect(await new FileLedger(path).claim(key, claim())).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['ledger.json', recent]);
  });

  it('a compaction that fails removes its own', async () => {
    const rename = jest
      .spyOn(fsp, 'rename')
      .mockRejectedValueOnce(Object.assign(new Error('EIO'), { code: 'EIO' }));
    try {
      await expect(new FileLedger(path).claim(key, claim())).rejects.toThrow(
        `cannot write ledger file ${path}`,
      );
    } finally {
      rename.mockRestore();
    }
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('file ledger: resources', () => {
  it('closes the file it writes (no descriptor left open per write)', async () => {
    const open = async () => (await readdir('/proc/self/fd')).length;
    const ledger = new FileLedger(path);
    await ledger.reserveHourly('t', NOW, 1000, 1);
    const before = await open();
    for (let i = 0; i < 20; i++) await ledger.reserveHourly('t', NOW, 1000, 1);
    expect(await open()).toBeLessThan(before + 10);
  });
});

describe('file ledger: refusing what is not a ledger', () => {
  it.each([
    ['not JSON', 'precious data', SyntaxError],
    ['another version', JSON.stringify({ version: 2, instances: {}, hourly: {} }), Error],
    ['no version', JSON.stringify({ instances: {}, hourly: {} }), Error],
    ['instances not an object', JSON.stringify({ version: 1, instances: 'x', hourly: {} }), Error],
    ['instances missing', JSON.stringify({ version: 1, hourly: {} }), Error],
    ['JSON null', 'null', TypeError],
  ])(
    '%s: a LedgerError naming the file, the file untouched, the lock released',
    async (_name, text, cause) => {
      await writeFile(path, text);
      const ledger = new FileLedger(path);
      for (const operation of [() => ledger.claim(key, claim()), () => ledger.read([key])]) {
        const error = await operation().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(LedgerError);
        expect((error as Error).message).toBe(
          `ledger file ${path} is not a ledger (refusing to overwrite it)`,
        );
        expect((error as Error).cause).toBeInstanceOf(cause);
        if (cause === Error) expect((error as Error).cause).toMatchObject({ message: 'unexpected shape' });
      }
      expect(await readFile(path, 'utf8')).toBe(text);
      expect(await readdir(dir)).toEqual(['ledger.json']);
    },
  );

  it('a file it cannot read is a LedgerError carrying the system error', async () => {
    await mkdir(path);
    const error = await new FileLedger(path).read([key]).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as Error).message).toBe(`cannot read ledger file ${path}`);
    expect((error as Error).cause).toMatchObject({ code: 'EISDIR' });
  });
});
