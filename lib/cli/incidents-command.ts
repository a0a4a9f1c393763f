import type { Config } from '../config/types';
import { ConfigError } from '../errors';
import { boundLedger } from '../ledger/bounded-ledger';
import { buildLedger } from '../ledger/build-ledger';
import type { Incident, IncidentBoard, LedgerIncidents } from '../ledger/ledger-incidents';
import { closeByHand } from '../policy/incident';
import { paletteFor } from '../render/colour';
import { ledgerLine } from '../render/format-table';
import { layoutTable } from '../render/layout';
import { ledgerRef, REPORT_SCHEMA_VERSION } from '../sweep/report';
import { CLI_MESSAGES, type CliMessages } from '../text/cli-messages';
import { formatTime } from '../text/time-format';
import { isoTime } from '../util/time';
import { parseFlags } from './args';
import { displayFor } from './display';
import { EXIT } from './exit-codes';
import type { CliIo } from './io';
import { loadConfig } from './load-config';
import { subcommand } from './subcommand';

/** Attempts at a close when sweeps keep writing the board in between. */
const CLOSE_TRIES = 3;

interface Row {
  target: string;
  incident: Incident;
}

function incidentsOf(config: Config): LedgerIncidents {
  const ledger = boundLedger(buildLedger(config.ledger), { timeoutMs: config.ledger.timeoutMs });
  if (!ledger.incidents)
    throw new ConfigError('ledger.type', `${config.ledger.type} ledger has no incidents`);
  return ledger.incidents;
}

function targetsOf(config: Config, target: string | undefined): string[] {
  const names = config.targets.map((t) => t.name);
  if (target === undefined) return names;
  if (!names.includes(target))
    throw new ConfigError(
      '--target',
      `must name a target of the configuration (${names.join(', ')}), got "${target}"`,
    );
  return [target];
}

async function incidents(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] === 'close') return close(argv.slice(1), io);
  const v = parseFlags(argv, {
    config: { type: 'string', short: 'c' },
    target: { type: 'string' },
    closed: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (typeof v.config !== 'string')
    throw new ConfigError('--config', 'is required (a JSON configuration file)');
  const config = await loadConfig(v.config);
  const port = incidentsOf(config);
  const rows: Row[] = [];
  for (const target of targetsOf(config, typeof v.target === 'string' ? v.target : undefined)) {
    const board = await port.board(target);
    for (const incident of Object.values(board.incidents))
      if (v.closed || incident.state !== 'closed') rows.push({ target, incident });
  }
  rows.sort((a, b) => b.incident.openedAt - a.incident.openedAt);
  const ledger = ledgerRef(config.ledger);
  const display = displayFor(config.display, io.env);
  const m = CLI_MESSAGES[display.locale];
  const footer = ledgerLine(ledger, display.locale);
  if (v.json) {
    const out = rows.map((r) => ({ target: r.target, ...jsonOf(r.incident) }));
    io.stdout.write(
      `${JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, ledger, incidents: out }, null, 2)}\n`,
    );
    return EXIT.OK;
  }
  if (rows.length === 0) {
    io.stdout.write(`${m.noIncident(Boolean(v.closed))}\n${footer}\n`);
    return EXIT.OK;
  }
  io.stdout.write(`${table(rows, display.timeZone, m, io)}\n${footer}\n`);
  return EXIT.OK;
}

function table(rows: readonly Row[], timeZone: string, m: CliMessages, io: CliIo): string {
  const at = (ms: number | undefined) => (ms === undefined ? '' : formatTime(ms, timeZone));
  const lines = [
    [...m.incidentHeaders],
    ...rows.map(({ target, incident: i }) => [
      target,
      i.causeKey,
      m.incidentState(i.state, i.closedBy),
      at(i.since),
      String(i.jobs),
      String(i.held),
      String(i.probes),
      i.state === 'open' || i.state === 'probing' ? at(i.nextProbeAt) : '',
      i.reason ? `${i.causeText} (${i.reason})` : i.causeText,
    ]),
  ];
  const palette = paletteFor(io.stdout, io.env);
  const paint = (cell: string, column: number, r: number) =>
    r > 0 && column === 2 && rows[r - 1]?.incident.state !== 'closed' ? palette.yellow(cell) : cell;
  const width = io.stdout.isTTY ? { width: io.stdout.columns ?? 80 } : {};
  // The cause (8) is the one column that may be cut.
  return layoutTable(lines, { ...width, flexible: { 8: 1 }, paint });
}

function jsonOf(i: Incident) {
  return {
    causeKey: i.causeKey,
    cause: i.causeText,
    state: i.state,
    openedAt: isoTime(i.openedAt),
    since: isoTime(i.since),
    jobs: i.jobs,
    held: i.held,
    probes: i.probes,
    released: i.released,
    ...(i.state === 'open' || i.state === 'probing' ? { nextProbeAt: isoTime(i.nextProbeAt) } : {}),
    ...(i.canary
      ? { canary: { jobName: i.canary.jobName, instanceId: i.canary.instanceId, at: isoTime(i.canary.at) } }
      : {}),
    ...(i.closedAt === undefined ? {} : { closedAt: isoTime(i.closedAt) }),
    ...(i.closedBy ? { closedBy: i.closedBy } : {}),
    ...(i.reason ? { reason: i.reason } : {}),
  };
}

async function close(argv: readonly string[], io: CliIo): Promise<number> {
  const [key, ...flags] = argv;
  const v = parseFlags(flags, {
    config: { type: 'string', short: 'c' },
    target: { type: 'string' },
    reason: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (key === undefined || !/^[0-9a-f]{16}$/.test(key))
    throw new ConfigError('cause-key', 'is required: the 16 hex digits `incidents` shows in CAUSE KEY');
  if (typeof v.config !== 'string')
    throw new ConfigError('--config', 'is required (a JSON configuration file)');
  if (typeof v.target !== 'string')
    throw new ConfigError('--target', 'is required: the target the incident is on');
  const reason = typeof v.reason === 'string' ? v.reason.trim() : '';
  if (!reason)
    throw new ConfigError('--reason', 'is required: why the incident is closed by hand (kept in the ledger)');
  const config = await loadConfig(v.config);
  const [target] = targetsOf(config, v.target) as [string];
  const closed = await closeOnBoard(incidentsOf(config), target, key, `${reason} (by ${io.user})`, io.now());
  const m = CLI_MESSAGES[displayFor(config.display, io.env).locale];
  if (v.json)
    io.stdout.write(
      `${JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, target, closed: closed ? jsonOf(closed) : null }, null, 2)}\n`,
    );
  if (!closed) {
    if (!v.json) io.stderr.write(`${m.noOpenIncident(key, target)}\n`);
    return EXIT.FAILED;
  }
  if (!v.json) io.stdout.write(`${m.incidentClosed(target, key, closed.causeText)}\n`);
  return EXIT.OK;
}

/** Closes the open incident `key` by a conditional board write, read again when a sweep wrote first. */
async function closeOnBoard(
  port: LedgerIncidents,
  target: string,
  key: string,
  reason: string,
  now: number,
): Promise<Incident | undefined> {
  for (let attempt = 0; attempt < CLOSE_TRIES; attempt++) {
    const board: IncidentBoard = await port.board(target);
    const open = board.incidents[key];
    if (!open || open.state === 'closed') return undefined;
    const closed = closeByHand(open, reason, now);
    const next = { ...board, version: board.version + 1, incidents: { ...board.incidents, [key]: closed } };
    if (await port.writeBoard(next, now + 30 * 86_400_000)) return closed;
  }
  throw new Error(`the incident board of ${target} kept changing while closing: try again`);
}

export const incidentsCommand = subcommand('incidents', incidents);
