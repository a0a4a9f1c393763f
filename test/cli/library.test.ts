import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import type { Ledger, LedgerHistory, SweepReport } from '../../lib/index';
import * as library from '../../lib/index';
import { FileLedger, parseConfig, REPORT_SCHEMA_VERSION, SweepReportSchema } from '../../lib/index';
import { fixedReport } from '../support/fixed-report';

const ROOT = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('the library entry point', () => {
  it('exports runSweep, parseConfig, the ledgers and the report schema', () => {
    for (const name of ['runSweep', 'parseConfig', 'parseConfigText', 'FileLedger', 'DynamoDbLedger'])
      expect(typeof (library as Record<string, unknown>)[name]).toBe('function');
    const ledger: Ledger & LedgerHistory = new FileLedger('/tmp/never-written.json');
    expect(typeof ledger.history).toBe('function');
    const report: SweepReport = fixedReport();
    expect(v.parse(SweepReportSchema, report).schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(() => parseConfig({})).toThrow();
  });

  it('package.json maps "." to what scripts/build-lib.mjs writes, with types', () => {
    const script = readFileSync(join(ROOT, 'scripts/build-lib.mjs'), 'utf8');
    expect(script).toContain("outfile: 'dist/index.js'");
    expect(pkg.exports['.']).toEqual({ types: './dist/types/lib/index.d.ts', default: './dist/index.js' });
    expect(pkg.types).toBe('dist/types/lib/index.d.ts');
    expect(pkg.exports['./report.schema.json']).toBe('./report.schema.json');
    expect(pkg.bin['dataarts-autoretry']).toBe('dist/cli.js');
  });

  it('engines matches what the build targets and the Lambda runs', () => {
    expect(pkg.engines.node).toBe('>=20');
    const yml = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');
    expect(yml).toMatch(/runtime: nodejs22\.x/);
    expect(yml).toMatch(/target: node22/);
  });
});
