/**
 * Rules of the file ledger (lib/ledger/file-ledger.ts) that its other tests leave
 * open: what a refused reset writes, how a failed write is reported, when a log is
 * compacted (counting the lines other instances appended), what an unchanged file
 * costs to check, that expiry is indexed for entries read back from the file, and that
 * no file handle is left open. Byte and line counts, never timings.
 */
import {
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerError } from '../../lib/errors';
import { FileLedger } from '../../lib/ledger/file-ledger';
import { type ClaimRequest, type InstanceKey, keyString } from '../../lib/ledger/ledger';
import { claimRequest } from '../support/ledger-entries';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const HOUR = 3_600_000;
const DAY = 86_400_000;
const WHO = { by: 'ops', reason: 'test' };
const keyOf = (i: number): InstanceKey => ({
  target: 't',
  workspace: 'w',
  jobName: 'j',
  instanceId: String(i),
});
const claim = (overrides: Partial<ClaimRequest> = {}): ClaimRequest =>
  claimRequest(NOW, { leaseUntil: NOW + 60_000, ...overrides });
/** A claim made at `at`, answering a failure a minute before. */
const claimAt = (at: number, overrides: Partial<ClaimRequest> = {}): ClaimRequest =>
  claimRequest(at, { leaseUntil: at + 60_000, ...overrides });

const fsp = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-ledger-mutation-'));
  path = join(dir, 'ledger.json');
});
afterEach(() => {
  jest.restoreAllMocks();
});

const lines = async () => (await readFile(path, 'utf8')).split('\n').filter(Boolean);
const header = (nonce: string) =>
  `${JSON.stringify({ format: 'dataarts-autoretry-ledger-log', version: 2, nonce })}\n`;

describe('file ledger: reset', () => {
  it('a refused reset leaves the file as it was', async () => {
    const ledger = new FileLedger(path);
    await ledger.claim(keyOf(1), claim());
    const before = await readFile(path);
    expect((await ledger.reset(keyOf(1), { now: NOW, ...WHO })).status).toBe('refused');
    expect((await readFile(path)).equals(before)).toBe(true);
  });

  it('a reset is written: another instance reads the cleared entry', async () => {
    const ledger = new FileLedger(path);
    await ledger.claim(keyOf(1), claim());
    await ledger.settle(keyOf(1), { attempt: 1, claimId: 'c1', at: NOW, outcome: 'restarted' });
    expect((await ledger.reset(keyOf(1), { now: NOW + 120_000, ...WHO })).status).toBe('reset');
    const entry = (await new FileLedger(path).read([keyOf(1)])).get(keyString(keyOf(1)));
    expect(entry?.attempts).toBe(0);
  });
});

describe('file ledger: a failed write', () => {
  it('is refused with a LedgerError naming the file', async () => {
    // The compaction's temporary file cannot be created: a directory holds its name.
    await mkdir(`${path}.${process.pid}.tmp`);
    const ledger = new FileLedger(path);
    const failed = ledger.claim(keyOf(1), claim());
    await expect(failed).rejects.toBeInstanceOf(LedgerError);
    await expect(failed).rejects.toThrow(`cannot write ledger file ${path}`);
  });
});

describe('file ledger: compaction', () => {
  it('waits for as many appended lines as records, counting the lines other instances appended', async () => {
    // A log of 1,001 records (more than the 1,000 lines a compaction waits for at least).
    const records = Array.from({ length: 1_001 }, (_, i) => ['hourly', `x${i}#2026-11-24T08`, 1]);
    await writeFile(path, `${header('n')}${JSON.stringify(records)}\n`);
    const writer = new FileLedger(path);
    const other = new FileLedger(path);
    expect(await other.hourlyCount('x0', NOW)).toBe(1);
    for (let i = 0; i < 1_001; i++) await writer.reserveHourly('t', NOW, 1_000_000, 1);
    // 1,001 appended lines: not yet more than the records, so no compaction.
    expect((await lines()).length).toBe(2 + 1_001);
    // The other instance read those 1,001 lines: its next write compacts.
    await other.reserveHourly('t', NOW, 1_000_000, 1);
    expect((await lines()).length).toBeLessThan(10);
    expect(await new FileLedger(path).hourlyCount('t', NOW)).toBe(1_002);
  });
});

describe('file ledger: reading', () => {
  it('checks an unchanged file by reading its header only', async () => {
    const ledger = new FileLedger(path);
    // The first write compacts (a new file): the next read checks the header only.
    await ledger.claim(keyOf(1), claim());
    const handle = await open(path, 'r');
    const read = jest.spyOn(Object.getPrototypeOf(handle), 'read');
    await handle.close();
    const { size } = await stat(path);
    expect((await ledger.read([keyOf(1)])).size).toBe(1);
    expect(read).toHaveBeenCalledTimes(1);
    expect(read.mock.calls[0]?.[2]).toBeLessThan(size / 2);
  });

  it('reads a version 1 JSON file again whole when it changed in place', async () => {
    const entry = (attempts: number) => ({
      ...keyOf(1),
      attempts,
      lastOutcome: 'restarted',
      outcomes: {},
      expiresAt: NOW / 1000 + 86_400,
    });
    const legacy = (attempts: number) =>
      JSON.stringify({ version: 1, instances: { [keyString(keyOf(1))]: entry(attempts) }, hourly: {} });
    await writeFile(path, legacy(2));
    const ledger = new FileLedger(path);
    expect((await ledger.read([keyOf(1)])).get(keyString(keyOf(1)))?.attempts).toBe(2);
    const { ino } = await stat(path);
    await writeFile(path, legacy(3));
    expect((await stat(path)).ino).toBe(ino);
    expect((await ledger.read([keyOf(1)])).get(keyString(keyOf(1)))?.attempts).toBe(3);
  });

  it('an append to a file without a torn line truncates nothing', async () => {
    const truncate = jest.spyOn(fsp, 'truncate');
    const ledger = new FileLedger(path);
    await ledger.claim(keyOf(1), claim());
    await ledger.claim(keyOf(2), claim());
    expect((await lines()).length).toBe(3);
    expect(truncate).not.toHaveBeenCalled();
  });

  it('refuses a path it cannot open for a reason other than absence, rather than reading it as empty', async () => {
    await writeFile(join(dir, 'plain-file'), 'not a directory');
    const ledger = new FileLedger(join(dir, 'plain-file', 'ledger.json'));
    await expect(ledger.read([keyOf(1)])).rejects.toThrow(LedgerError);
    await expect(ledger.read([keyOf(1)])).rejects.toThrow(/cannot read ledger file .*plain-file/);
  });

  it('reads whole a file replaced by one with the same header and size (a restored copy)', async () => {
    const ledger = new FileLedger(path);
    await ledger.claim(keyOf(1), claim());
    const [ours = ''] = await lines();
    // Another log of the same shape, holding instance 2 instead of 1, given our header.
    const other = join(dir, 'other.json');
    await new FileLedger(other).claim(keyOf(2), claim());
    const [theirs = '', ...rest] = (await readFile(other, 'utf8')).split('\n');
    const copy = join(dir, 'copy.json');
    await writeFile(copy, [ours, ...rest].join('\n'));
    expect(theirs).not.toBe(ours);
    expect((await stat(copy)).size).toBe((await stat(path)).size);
    await rename(copy, path);
    const read = await ledger.read([keyOf(1), keyOf(2)]);
    expect([...read.keys()]).toEqual([keyString(keyOf(2))]);
  });

  it('reads whole a file cut back in place to an earlier length (same file, same header)', async () => {
    const ledger = new FileLedger(path);
    await ledger.claim(keyOf(1), claim());
    const { size: before } = await stat(path);
    await ledger.claim(keyOf(2), claim());
    const { ino } = await stat(path);
    // As `truncate` or a copy over the file in place would leave it: the log as it was after the first claim.
    await truncate(path, before);
    expect((await stat(path)).ino).toBe(ino);
    const read = await ledger.read([keyOf(1), keyOf(2)]);
    expect([...read.keys()]).toEqual([keyString(keyOf(1))]);
  });

  it('leaves no file handle open', async () => {
    const ledger = new FileLedger(path);
    await ledger.claim(keyOf(1), claim());
    await ledger.claim(keyOf(2), claim());
    await ledger.read([keyOf(1)]);
    await new FileLedger(path).read([keyOf(1)]);
    const fds = await readdir('/proc/self/fd');
    const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
    expect(targets.filter((target) => target.startsWith(dir))).toEqual([]);
  });
});

describe('file ledger: expiry', () => {
  it('drops an expired entry that this instance read from the file, then others read the deletion', async () => {
    const first = new FileLedger(path);
    await first.claim(keyOf(1), claim({ expiresAt: NOW + DAY }));
    await first.claim(keyOf(2), claim({ expiresAt: NOW + 30 * DAY }));
    const second = new FileLedger(path);
    expect((await second.read([keyOf(1)])).size).toBe(1);
    expect(await second.claim(keyOf(3), claimAt(NOW + 2 * DAY, { expiresAt: NOW + 30 * DAY }))).toBe(true);
    const fresh = new FileLedger(path);
    expect((await fresh.read([keyOf(1), keyOf(2), keyOf(3)])).size).toBe(2);
    expect(await fresh.claim(keyOf(4), claimAt(NOW + 3 * DAY, { expiresAt: NOW + 30 * DAY }))).toBe(true);
    expect((await new FileLedger(path).read([keyOf(1), keyOf(2), keyOf(3), keyOf(4)])).size).toBe(3);
  });

  it('keeps in the index an entry that had not expired at an earlier prune', async () => {
    const ledger = new FileLedger(path);
    await ledger.claim(keyOf(1), claim({ expiresAt: NOW + DAY }));
    await ledger.claim(keyOf(2), claim({ expiresAt: NOW + 3 * DAY }));
    await ledger.claim(keyOf(3), claimAt(NOW + 2 * DAY, { expiresAt: NOW + 30 * DAY }));
    // The claim's line holds the expired entry's deletion and the claim: the entry not yet due is not touched.
    const last = JSON.parse((await lines()).at(-1) as string) as [string, string, unknown][];
    expect(last.map(([, id]) => id).sort()).toEqual([keyString(keyOf(1)), keyString(keyOf(3))]);
    expect((await new FileLedger(path).read([keyOf(1), keyOf(2)])).size).toBe(1);
    await ledger.claim(keyOf(4), claimAt(NOW + 4 * DAY, { expiresAt: NOW + 30 * DAY }));
    expect((await new FileLedger(path).read([keyOf(1), keyOf(2), keyOf(3), keyOf(4)])).size).toBe(2);
  });

  it('keeps an entry whose expiry a later write moved on', async () => {
    const ledger = new FileLedger(path);
    await ledger.claim(keyOf(1), claim({ expiresAt: NOW + DAY }));
    const later = NOW + 12 * HOUR;
    const second = claimAt(later, {
      expectedAttempts: 1,
      failureAt: later - 60_000,
      expiresAt: NOW + 5 * DAY,
    });
    expect(await ledger.claim(keyOf(1), second)).toBe(true);
    await ledger.claim(keyOf(2), claimAt(NOW + 2 * DAY, { expiresAt: NOW + 30 * DAY }));
    expect((await new FileLedger(path).read([keyOf(1)])).get(keyString(keyOf(1)))?.attempts).toBe(2);
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
