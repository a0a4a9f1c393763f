/**
 * The file ledger's append-only log (lib/ledger/file-log.ts): a claim appends one line
 * whatever the ledger's size, a torn last line is ignored and cut off, corruption is
 * refused, a version 1 JSON file is migrated on its first write, and compaction keeps
 * the file within a small factor of its live records. Byte counts, never timings
 * (claims per second are measured by `npm run bench`).
 */
import { appendFile, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerError } from '../../lib/errors';
import { FileLedger } from '../../lib/ledger/file-ledger';
import { type ClaimRequest, type InstanceKey, keyString } from '../../lib/ledger/ledger';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const DAY = 86_400_000;
const keyOf = (i: number): InstanceKey => ({
  target: 't',
  workspace: 'w',
  jobName: `job_${i % 50}`,
  instanceId: String(i),
});
const claim = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
  expectedAttempts: 0,
  maxAttempts: 3,
  now: NOW,
  notBefore: NOW,
  expiresAt: NOW + 14 * DAY,
  claimId: 'c1',
  leaseUntil: NOW + 60_000,
  failureAt: NOW - 60_000,
  observedAt: NOW,
  ...overrides,
});

// Thousands of real, locked file writes: seconds on an idle machine, a minute on a busy
// 2-core one. Nothing here measures time, so the limit only stops a hang.
jest.setTimeout(180_000);

let path: string;
beforeEach(async () => {
  path = join(await mkdtemp(join(tmpdir(), 'file-log-')), 'ledger.json');
});
const size = async () => (await stat(path)).size;
const lines = async () => (await readFile(path, 'utf8')).split('\n').filter(Boolean);

describe('a claim costs the same whatever the ledger holds', () => {
  it('appends one line of the same size at 10 and at 1,500 entries, and rewrites nothing', async () => {
    const ledger = new FileLedger(path);
    const growth: number[] = [];
    for (let i = 0; i < 1_500; i++) {
      const before = i === 0 ? 0 : await size();
      const inode = i === 0 ? 0 : (await stat(path)).ino;
      await ledger.claim(keyOf(i), claim());
      if (i === 10 || i === 1_499) {
        growth.push((await size()) - before);
        // Appended to the same file: not rewritten.
        expect((await stat(path)).ino).toBe(inode);
      }
    }
    expect(growth[0]).toBeLessThan(600);
    expect(Math.abs((growth[1] as number) - (growth[0] as number))).toBeLessThan(10);
  });

  it('compacts once the log holds more lines than records: the file stays near its data', async () => {
    const ledger = new FileLedger(path);
    await ledger.claim(keyOf(1), claim());
    // 2,500 updates of one entry: without compaction, 2,500 lines.
    for (let i = 0; i < 2_500; i++) await ledger.reserveHourly('t', NOW, 1_000_000, 1);
    expect((await lines()).length).toBeLessThan(1_100);
    expect(await ledger.hourlyCount('t', NOW)).toBe(2_500);
    expect((await new FileLedger(path).read([keyOf(1)])).get(keyString(keyOf(1)))?.attempts).toBe(1);
  });

  it('a second process (another instance) sees each append, and a compaction by the other', async () => {
    const a = new FileLedger(path);
    const b = new FileLedger(path);
    for (let i = 0; i < 1_200; i++) {
      await (i % 2 ? a : b).claim(keyOf(i), claim());
      if (i % 300 === 0) expect((await a.read([keyOf(i)])).size + (await b.read([keyOf(i)])).size).toBe(2);
    }
    const all = Array.from({ length: 1_200 }, (_, i) => keyOf(i));
    expect((await a.read(all)).size).toBe(1_200);
    expect((await b.read(all)).size).toBe(1_200);
    // Both refused: each sees the other's claim.
    expect(await a.claim(keyOf(7), claim())).toBe(false);
    expect(await b.claim(keyOf(8), claim())).toBe(false);
  });

  it('entries past their retention are dropped by a later claim (indexed, not scanned)', async () => {
    const ledger = new FileLedger(path);
    for (let i = 0; i < 100; i++)
      await ledger.claim(keyOf(i), claim({ expiresAt: NOW + (i < 50 ? DAY : 30 * DAY) }));
    await ledger.claim(keyOf(1_000), claim({ now: NOW + 2 * DAY, notBefore: NOW + 2 * DAY }));
    const left = await new FileLedger(path).read(Array.from({ length: 100 }, (_, i) => keyOf(i)));
    expect(left.size).toBe(50);
  });
});

describe('crash safety', () => {
  it('a torn last line (a writer that died mid-append) is ignored, then cut off by the next writer', async () => {
    const ledger = new FileLedger(path);
    await ledger.claim(keyOf(1), claim());
    const whole = await readFile(path, 'utf8');
    await appendFile(path, '[["instances","t#w#job_2#2",{"target":"t","attem');
    const reader = new FileLedger(path);
    expect((await reader.read([keyOf(1), keyOf(2)])).size).toBe(1);
    expect(await reader.claim(keyOf(3), claim())).toBe(true);
    const after = await readFile(path, 'utf8');
    expect(after.startsWith(whole)).toBe(true);
    expect(after).not.toContain('"attem\n');
    expect((await new FileLedger(path).read([keyOf(1), keyOf(2), keyOf(3)])).size).toBe(2);
  });

  it('a torn last line that ends in a newline (zeros after a power cut) is ignored too', async () => {
    await new FileLedger(path).claim(keyOf(1), claim());
    await appendFile(path, '\0\0\0\0\n');
    const ledger = new FileLedger(path);
    expect((await ledger.read([keyOf(1)])).size).toBe(1);
    expect(await ledger.claim(keyOf(2), claim())).toBe(true);
    expect((await new FileLedger(path).read([keyOf(1), keyOf(2)])).size).toBe(2);
  });

  it('an unreadable line with lines after it is corruption: refused, the file untouched', async () => {
    await new FileLedger(path).claim(keyOf(1), claim());
    await appendFile(path, 'garbage\n[]\n');
    const before = await readFile(path, 'utf8');
    const ledger = new FileLedger(path);
    await expect(ledger.read([keyOf(1)])).rejects.toThrow(
      /is corrupt at byte \d+ \(refusing to overwrite it\)/,
    );
    await expect(ledger.claim(keyOf(2), claim())).rejects.toBeInstanceOf(LedgerError);
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('a log of a newer version is refused, not overwritten', async () => {
    const text = `${JSON.stringify({ format: 'dataarts-autoretry-ledger-log', version: 3 })}\n`;
    await writeFile(path, text);
    await expect(new FileLedger(path).claim(keyOf(1), claim())).rejects.toThrow(/log version 3/);
    expect(await readFile(path, 'utf8')).toBe(text);
  });
});

describe('migration from the version 1 JSON file', () => {
  it('reads it as is, and rewrites it as a log on the first write, keeping every entry', async () => {
    const entry = {
      ...keyOf(1),
      attempts: 2,
      lastOutcome: 'restarted',
      outcomes: {},
      expiresAt: NOW / 1000 + 86_400,
    };
    const hourly = { 't#2026-11-24T08': 4 };
    await writeFile(
      path,
      JSON.stringify({ version: 1, instances: { [keyString(keyOf(1))]: entry }, hourly }),
    );
    const ledger = new FileLedger(path);
    expect((await ledger.read([keyOf(1)])).get(keyString(keyOf(1)))?.attempts).toBe(2);
    expect(await ledger.claim(keyOf(2), claim())).toBe(true);
    expect(JSON.parse((await lines())[0] as string)).toMatchObject({
      format: 'dataarts-autoretry-ledger-log',
    });
    const fresh = new FileLedger(path);
    expect((await fresh.read([keyOf(1), keyOf(2)])).size).toBe(2);
    expect(await fresh.hourlyCount('t', NOW)).toBe(4);
  });
});
