import { LedgerError } from '../../lib/errors';
import {
  applyOperation,
  ExpiryHeap,
  headerLine,
  isLogHeader,
  LOG_FORMAT,
  LOG_VERSION,
  type LogRecord,
  parseLines,
  recording,
  type Sections,
  snapshot,
  touchedRecords,
} from '../../lib/ledger/file-log';

/**
 * The file ledger's log format (lib/ledger/file-log.ts), line by line: what a writer
 * puts in the file and what a reader gets back from it.
 */

const PATH = '/var/ledger/ledger.json';
const bytes = (text: string) => Buffer.from(text, 'utf8');
const line = (operation: LogRecord[]) => `${JSON.stringify(operation)}\n`;
const thrown = (run: () => unknown): Error => {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected it to throw');
};

describe('headerLine and isLogHeader', () => {
  it('a header is one JSON line naming the format, the version and a fresh nonce', () => {
    const first = headerLine();
    const second = headerLine();
    expect(first.endsWith('\n')).toBe(true);
    expect(first.indexOf('\n')).toBe(first.length - 1);
    const parsed = JSON.parse(first) as Record<string, unknown>;
    expect(parsed).toEqual({
      format: 'dataarts-autoretry-ledger-log',
      version: 2,
      nonce: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
    });
    expect(LOG_FORMAT).toBe('dataarts-autoretry-ledger-log');
    expect(LOG_VERSION).toBe(2);
    // A rewrite is told from the file before it by its nonce.
    expect((JSON.parse(second) as { nonce: string }).nonce).not.toBe(parsed.nonce);
    expect(isLogHeader(first, PATH)).toBe(true);
  });

  it.each([
    ['not JSON', '{"format":'],
    ['a legacy JSON ledger', '{"version":1,"instances":{}}'],
    ['another format', JSON.stringify({ format: 'something-else', version: 2 })],
    ['JSON null', 'null'],
    ['a number', '2'],
    ['a string naming the format', JSON.stringify(LOG_FORMAT)],
    ['an array', JSON.stringify([LOG_FORMAT, 2])],
  ])('%s is no header', (_name, text) => {
    expect(isLogHeader(text, PATH)).toBe(false);
  });

  it.each([
    [1, '1'],
    [3, '3'],
    ['2', '2'],
    [undefined, 'undefined'],
  ])('a log of version %p is refused, never overwritten', (version, shown) => {
    const error = thrown(() => isLogHeader(JSON.stringify({ format: LOG_FORMAT, version }), PATH));
    expect(error).toBeInstanceOf(LedgerError);
    expect(error.message).toBe(
      `ledger file ${PATH} has log version ${shown}; this version reads 2 (refusing to overwrite it)`,
    );
  });
});

describe('parseLines', () => {
  const a: LogRecord[] = [['instances', 'a', { attempts: 1 }]];
  const b: LogRecord[] = [
    ['instances', 'b', null],
    ['hourly', 't#1', 3],
  ];

  it('reads every complete line, in order, and counts their bytes', () => {
    const text = line(a) + line(b);
    expect(parseLines(bytes(text), PATH)).toEqual({ operations: [a, b], consumed: Buffer.byteLength(text) });
    expect(parseLines(bytes(''), PATH)).toEqual({ operations: [], consumed: 0 });
  });

  it('counts bytes, not characters', () => {
    const wide: LogRecord[] = [['instances', 'é', { note: '中文' }]];
    const text = line(wide) + line(a);
    expect(parseLines(bytes(text), PATH)).toEqual({
      operations: [wide, a],
      consumed: Buffer.byteLength(text),
    });
  });

  it('a last line without its newline is torn: not read, not consumed', () => {
    const whole = line(a);
    // Even when the torn part is valid JSON: its writer had not finished (no newline, no sync).
    const torn = JSON.stringify(b);
    expect(parseLines(bytes(whole + torn), PATH)).toEqual({
      operations: [a],
      consumed: Buffer.byteLength(whole),
    });
    expect(parseLines(bytes(torn), PATH)).toEqual({ operations: [], consumed: 0 });
  });

  it('an unreadable last line is torn too, even with its newline', () => {
    const whole = line(a);
    expect(parseLines(bytes(`${whole}[["instan\n`), PATH)).toEqual({
      operations: [a],
      consumed: Buffer.byteLength(whole),
    });
  });

  it('an unreadable line with anything after it is corruption, named by its byte', () => {
    const whole = line(a);
    for (const after of ['x', '\n', line(b)]) {
      const error = thrown(() => parseLines(bytes(`${whole}garbage\n${after}`), PATH));
      expect(error).toBeInstanceOf(LedgerError);
      expect(error.message).toBe(
        `ledger file ${PATH} is corrupt at byte ${Buffer.byteLength(whole)} (refusing to overwrite it)`,
      );
    }
    expect(thrown(() => parseLines(bytes(`garbage\n${whole}`), PATH)).message).toContain('at byte 0 ');
  });

  it('an empty line is unreadable too: corrupt when lines follow it, torn when last', () => {
    expect(() => parseLines(bytes(`\n${line(a)}`), PATH)).toThrow(
      `ledger file ${PATH} is corrupt at byte 0 (refusing to overwrite it)`,
    );
    expect(() => parseLines(bytes(`${line(a)}\n${line(b)}`), PATH)).toThrow(
      `is corrupt at byte ${Buffer.byteLength(line(a))} `,
    );
    expect(parseLines(bytes(`${line(a)}\n`), PATH)).toEqual({
      operations: [a],
      consumed: Buffer.byteLength(line(a)),
    });
  });

  it.each([
    ['an object', '{"instances":{}}'],
    ['a bare record', '["instances","a",1]'],
    ['a record that is not an array', '[{"section":"instances"}]'],
    ['a record without a string section', '[[1,"a",1]]'],
    ['a record without a string key', '[["instances",7,1]]'],
    ['a record without a key', '[["instances"]]'],
    ['one bad record among good ones', '[["instances","a",1],["instances",null,1]]'],
    ['JSON null', 'null'],
  ])('%s is not an operation', (_name, text) => {
    // Last: torn, not read.
    expect(parseLines(bytes(`${line(a)}${text}\n`), PATH)).toEqual({
      operations: [a],
      consumed: Buffer.byteLength(line(a)),
    });
    // Followed by another line: corrupt.
    expect(() => parseLines(bytes(`${text}\n${line(a)}`), PATH)).toThrow(LedgerError);
  });

  it('an empty operation is a line like any other', () => {
    const text = `[]\n${line(a)}`;
    expect(parseLines(bytes(text), PATH)).toEqual({ operations: [[], a], consumed: Buffer.byteLength(text) });
  });
});

describe('applyOperation', () => {
  it('sets and deletes whole values, creating sections, and returns the change in live records', () => {
    const sections: Sections = { instances: { a: { attempts: 1 }, b: { attempts: 2 } } };
    expect(
      applyOperation(sections, [
        ['instances', 'a', { attempts: 3 }], // replaced: no new record
        ['instances', 'c', { attempts: 1 }], // new
        ['instances', 'b', null], // deleted
        ['instances', 'gone', null], // deleting what is not there changes nothing
        ['hourly', 't#1', 4], // new, in a new section
      ]),
    ).toBe(1);
    expect(sections).toEqual({
      instances: { a: { attempts: 3 }, c: { attempts: 1 } },
      hourly: { 't#1': 4 },
    });
    expect(Object.hasOwn(sections.instances!, 'b')).toBe(false);
    expect(applyOperation(sections, [])).toBe(0);
  });

  it('counts each new key once and each deleted key once', () => {
    const sections: Sections = {};
    expect(
      applyOperation(sections, [
        ['s', 'x', 1],
        ['s', 'y', 2],
        ['s', 'z', 3],
      ]),
    ).toBe(3);
    expect(
      applyOperation(sections, [
        ['s', 'x', null],
        ['s', 'y', null],
      ]),
    ).toBe(-2);
    expect(sections).toEqual({ s: { z: 3 } });
    // Replaying a line changes nothing more.
    expect(applyOperation(sections, [['s', 'z', 3]])).toBe(0);
    expect(applyOperation(sections, [['s', 'y', null]])).toBe(0);
  });

  it('a falsy value other than null is kept, not deleted', () => {
    const sections: Sections = { hourly: { 't#1': 2 } };
    expect(applyOperation(sections, [['hourly', 't#1', 0]])).toBe(0);
    expect(applyOperation(sections, [['hourly', 't#2', false]])).toBe(1);
    expect(sections).toEqual({ hourly: { 't#1': 0, 't#2': false } });
  });

  it('keeps the existing records of a section it adds to', () => {
    const instances = { a: 1 };
    const sections: Sections = { instances };
    applyOperation(sections, [['instances', 'b', 2]]);
    expect(sections.instances).toBe(instances);
    expect(instances).toEqual({ a: 1, b: 2 });
  });

  it('a key named like an inherited property is an ordinary record', () => {
    const sections: Sections = { s: {} };
    expect(applyOperation(sections, [['s', 'toString', 1]])).toBe(1);
    expect(applyOperation(sections, [['s', 'constructor', null]])).toBe(0);
    expect(sections.s).toEqual({ toString: 1 });
  });
});

describe('snapshot', () => {
  const read = (text: string) => parseLines(bytes(text), PATH);

  it('writes every record of every section, read back as the same state', () => {
    const sections: Sections = {
      instances: { a: { attempts: 1 }, b: { attempts: 2 } },
      hourly: { 't#1': 3 },
      empty: {},
    };
    const text = snapshot(sections);
    expect(text).toBe(
      `${JSON.stringify([
        ['instances', 'a', { attempts: 1 }],
        ['instances', 'b', { attempts: 2 }],
      ])}\n${JSON.stringify([['hourly', 't#1', 3]])}\n`,
    );
    const back: Sections = {};
    for (const operation of read(text).operations) applyOperation(back, operation);
    expect(back).toEqual({ instances: sections.instances, hourly: sections.hourly });
    expect(snapshot({})).toBe('');
  });

  it.each([
    [1, [1]],
    [499, [499]],
    [500, [500]],
    [501, [500, 1]],
    [1000, [500, 500]],
    [1201, [500, 500, 201]],
  ])('%i records are lines of at most 500: %j', (count, sizes) => {
    const records: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) records[`k${i}`] = i;
    const { operations } = read(snapshot({ instances: records }));
    expect(operations.map((operation) => operation.length)).toEqual(sizes);
    expect(operations.flat()).toEqual(Object.keys(records).map((key) => ['instances', key, records[key]]));
  });
});

describe('recording and touchedRecords', () => {
  const state = (): Sections => ({
    instances: { a: { attempts: 1 }, b: { attempts: 2 } },
    hourly: { 't#1': 3, 't#2': 4 },
  });

  it('records the keys set, deleted, or whose object was read (changed in place), and only those', () => {
    const sections = state();
    const touched = new Set<string>();
    const view = recording(sections, touched);
    expect(touched.size).toBe(0);
    (view.instances!.a as { attempts: number }).attempts = 5; // an entry changed in place
    expect(view.hourly!['t#1']).toBe(3); // a number read: cannot change in place
    view.hourly!['t#2'] = 9;
    view.instances!.c = { attempts: 1 };
    delete view.instances!.b;
    expect(Object.keys(view.instances!).sort()).toEqual(['a', 'c']);
    expect(touchedRecords(sections, touched)).toEqual([
      ['instances', 'a', { attempts: 5 }],
      ['hourly', 't#2', 9],
      ['instances', 'c', { attempts: 1 }],
      ['instances', 'b', null],
    ]);
    // The view writes through to the state.
    expect(sections).toEqual({
      instances: { a: { attempts: 5 }, c: { attempts: 1 } },
      hourly: { 't#1': 3, 't#2': 9 },
    });
  });

  it('a line of touched records, replayed on the old state, gives the new one', () => {
    const before = state();
    const sections = state();
    const touched = new Set<string>();
    const view = recording(sections, touched);
    (view.instances!.b as { attempts: number }).attempts = 3;
    delete view.hourly!['t#1'];
    view.hourly!['t#3'] = 1;
    const [operation] = parseLines(bytes(line(touchedRecords(sections, touched))), PATH).operations;
    expect(applyOperation(before, operation!)).toBe(0);
    expect(before).toEqual(sections);
  });

  it('reading a missing key, or a null or absent value, touches nothing', () => {
    const sections: Sections = { s: { n: null, u: 1 } };
    const touched = new Set<string>();
    const view = recording(sections, touched);
    expect(view.s!.missing).toBeUndefined();
    expect(view.s!.n).toBeNull();
    expect(view.s!.u).toBe(1);
    expect(touched.size).toBe(0);
    expect(touchedRecords(sections, touched)).toEqual([]);
  });

  it('symbol keys are never records', () => {
    const sections: Sections = { s: { a: 1 } };
    const touched = new Set<string>();
    const view = recording(sections, touched);
    const tag = Symbol('tag');
    (view.s as Record<symbol, unknown>)[tag] = { x: 1 };
    void (view.s as Record<symbol, unknown>)[tag];
    delete (view.s as Record<symbol, unknown>)[tag];
    expect(touched.size).toBe(0);
  });

  it('a touched key of a section that is gone is a deletion', () => {
    const touched = new Set([JSON.stringify(['gone', 'k']), JSON.stringify(['s', 'k'])]);
    expect(touchedRecords({ s: {} }, touched)).toEqual([
      ['gone', 'k', null],
      ['s', 'k', null],
    ]);
  });

  it('a touched key named like an inherited property is read as a record', () => {
    const touched = new Set([JSON.stringify(['s', 'toString'])]);
    expect(touchedRecords({ s: {} }, touched)).toEqual([['s', 'toString', null]]);
  });
});

describe('ExpiryHeap', () => {
  /** A deterministic shuffle (a small LCG): the test is the same on every run. */
  function shuffled(values: number[], seed: number): number[] {
    const out = [...values];
    let s = seed;
    for (let i = out.length - 1; i > 0; i--) {
      s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
      const j = s % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  function drain(heap: ExpiryHeap, until = Number.POSITIVE_INFINITY): Array<[number, string]> {
    const out: Array<[number, string]> = [];
    for (let item = heap.popUntil(until); item; item = heap.popUntil(until)) out.push(item);
    return out;
  }

  it('pops the earliest expiry first, whatever the order pushed', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const values = Array.from({ length: 37 }, (_, i) => (i * 7) % 23);
      const heap = new ExpiryHeap();
      for (const [i, v] of shuffled(values, seed).entries()) heap.push(v, `k${i}-${v}`);
      expect(heap.size).toBe(37);
      const popped = drain(heap);
      expect(popped.map(([at]) => at)).toEqual([...values].sort((x, y) => x - y));
      for (const [at, key] of popped) expect(key.endsWith(`-${at}`)).toBe(true);
      expect(heap.size).toBe(0);
    }
  });

  it('leaves out an expiry that is not a number, and keeps the others in order', () => {
    const heap = new ExpiryHeap();
    heap.push(30, 'k30');
    for (const bad of [Number.NaN, undefined as unknown as number, Number.POSITIVE_INFINITY])
      heap.push(bad, 'bad');
    for (const at of [20, 10, 40]) heap.push(at, `k${at}`);
    expect(heap.size).toBe(4);
    expect(drain(heap, 30)).toEqual([
      [10, 'k10'],
      [20, 'k20'],
      [30, 'k30'],
    ]);
    expect(drain(heap)).toEqual([[40, 'k40']]);
  });

  it('pops only what expired at or before the time, and keeps the rest in order', () => {
    const heap = new ExpiryHeap();
    for (const at of [50, 10, 40, 20, 30, 20]) heap.push(at, `k${at}`);
    expect(heap.popUntil(9)).toBeUndefined();
    expect(heap.size).toBe(6);
    expect(drain(heap, 20)).toEqual([
      [10, 'k10'],
      [20, 'k20'],
      [20, 'k20'],
    ]);
    expect(heap.size).toBe(3);
    heap.push(5, 'k5');
    expect(drain(heap, 35)).toEqual([
      [5, 'k5'],
      [30, 'k30'],
    ]);
    expect(drain(heap)).toEqual([
      [40, 'k40'],
      [50, 'k50'],
    ]);
    expect(heap.popUntil(Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it('an empty heap pops nothing; clear empties it', () => {
    const heap = new ExpiryHeap();
    expect(heap.size).toBe(0);
    expect(heap.popUntil(1e12)).toBeUndefined();
    heap.push(1, 'a');
    heap.push(2, 'b');
    heap.clear();
    expect(heap.size).toBe(0);
    expect(heap.popUntil(1e12)).toBeUndefined();
    heap.push(3, 'c');
    expect(drain(heap)).toEqual([[3, 'c']]);
  });

  it('orders interleaved pushes and pops like a sorted list', () => {
    const heap = new ExpiryHeap();
    const model: number[] = [];
    let s = 42;
    for (let step = 0; step < 400; step++) {
      s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
      if (s % 3 === 0 && model.length > 0) {
        const until = model[0]! + (s % 5);
        const expected = model.filter((v) => v <= until);
        model.splice(0, expected.length);
        expect(drain(heap, until).map(([at]) => at)).toEqual(expected);
      } else {
        const at = s % 100;
        heap.push(at, String(at));
        model.push(at);
        model.sort((x, y) => x - y);
      }
      expect(heap.size).toBe(model.length);
    }
  });
});
