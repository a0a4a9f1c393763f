/**
 * Figures a command measures live in a marked block of their page, written by that
 * command (`<!-- name:start -->` … `<!-- name:end -->`), headed with the date and the
 * commit they were measured at: never typed by hand, never silently stale.
 * test/docs/performance.test.ts checks that the blocks and their headers are there. A page's
 * Chinese twin (docs/zh-CN/) that shows the same block gets the same figures, written here
 * at the same time, so a figure is measured once (test/docs/zh-parity.test.ts compares them).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The commit measured, short; "unknown" outside a git checkout or without git. */
function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return 'unknown';
  }
}

/** `markdown` with the block `name` holding `body`; throws when its markers are not there once each. */
function replaceBlock(markdown: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from < 0 || to < from || markdown.indexOf(start, from + 1) >= 0) {
    throw new Error(`expected one "${start}" … "${end}" block`);
  }
  return `${markdown.slice(0, from + start.length)}\n${body}\n${markdown.slice(to)}`;
}

/** The Chinese edition of page `file`: the same name in the zh-CN folder beside it. */
function chineseTwin(file: string): string {
  return join(dirname(file), 'zh-CN', basename(file));
}

/** Whether `file` exists and holds block `name`. */
function holdsBlock(file: string, name: string): boolean {
  return existsSync(file) && readFileSync(file, 'utf8').includes(`<!-- ${name}:start -->`);
}

/**
 * Writes `lines`, as `command` printed them, into block `name` of `file`, under a header
 * naming the command, the UTC date and the commit. The command is plain text, not a code
 * span: the READMEs' commands test (test/readme/) would take it for a documented command.
 * The page's Chinese twin gets the same block when it shows one.
 */
export function writeMeasuredBlock(file: string, name: string, command: string, lines: string[]): void {
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const header = `Measured by ${command} on ${date} UTC at commit ${commit()} (Node ${process.version}):`;
  const body = [header, '', '```', ...lines, '```'].join('\n');
  const twin = chineseTwin(file);
  for (const page of holdsBlock(twin, name) ? [file, twin] : [file]) {
    writeFileSync(page, replaceBlock(readFileSync(page, 'utf8'), name, body));
  }
}
