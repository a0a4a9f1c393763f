import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One shell command of the docs: where it is and what a user types. */
export interface ReadmeCommand {
  /** The file, relative to the repository, e.g. `README.zh-CN.md` or `docs/deploy.md`. */
  file: string;
  /** 1-based line of the command's first line. */
  line: number;
  /** The command as typed: continuation lines joined, a trailing `# comment` left out. */
  command: string;
  /** Written inline in prose (a code span), not in a fenced block. */
  inline: boolean;
}

/** The READMEs whose commands the suite runs, beside every page under docs/ (docFiles). */
const READMES = ['README.md', 'README.zh-CN.md'] as const;

/** The markdown files of the repository at `root` a user reads: both READMEs and docs/**\/*.md. */
export function docFiles(root: string): string[] {
  const pages = readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name))
    .sort();
  return [...READMES, ...pages];
}

/** Fence languages whose every line is a command (comments and blank lines aside). */
const SHELL = new Set(['sh', 'bash', 'shell', 'zsh']);
/** Fence languages of a terminal transcript: only `$ ` lines are commands, the rest is output. */
const TRANSCRIPT = new Set(['console', 'shell-session', 'terminal']);
/** A line that reads as a command in an unlabelled (or `text`) block. */
const LOOKS_LIKE_COMMAND =
  /^(\$ |(npm|npx|node|tsx|serverless|sls|aws|export|cd|git|curl|bash|sh|make|docker|jest)\s|\.{0,2}\/[\w./-]+\.(sh|mjs|js|ts)\b)/;

/**
 * Commands written inline in prose. A code span outside the fenced blocks is a command when
 *  - after any leading `NAME=value` assignments, its first word is one of PROGRAMS and at
 *    least one argument follows (`npm test`, `npx serverless ...`,
 *    `PROPERTY_RUNS=200 npx jest test/reliability`), or
 *  - it is a shell script of the repository, alone or with arguments: a file under `.ci/`
 *    or a `.sh` file (`.ci/run`, `scripts/stress-test.sh`).
 * Nothing else is: a bare program name names the tool (`serverless`, `dataarts-autoretry`),
 * a span that starts with a flag (`--all`, `-- --scale`) or a subcommand
 * (`history --config FILE`) is part of a command, and any other file name
 * (`./sweep.json`, `scripts/serverless-stage-guard.cjs`, `dataarts-autoretry/report.schema.json`)
 * is not run. Prose around the span (`npm test`'s) is not part of it.
 */
const PROGRAMS =
  /^([A-Z_][A-Z0-9_]*=\S*\s+)*(npm|npx|node|tsx|serverless|sls|dataarts-autoretry|aws|git|curl|bash|sh|docker|make|jest)\s+\S/;
/** A shell script of the repository: see PROGRAMS. */
const SCRIPT = /^(\.{0,2}\/)?(\.ci\/[\w.-]+|[\w./-]+\.sh)(\s|$)/;

/** Whether inline code `span` is a command (see PROGRAMS). */
export function isInlineCommand(span: string): boolean {
  return PROGRAMS.test(span) || SCRIPT.test(span);
}

/**
 * Whether `command` is a syntax line rather than one to run as written: it holds a
 * placeholder, `...` or `…` (`--reason "..."`), `<name>` (`<command>`), an optional part
 * in brackets (`[-- N]`, `[--json]`) or an upper-case word (`--config FILE`).
 */
export function isSyntax(command: string): boolean {
  return /\.\.\.|…|<[^<>\s]+>|(^|\s)\[|(^|\s)[A-Z]{2,}(\s|$)/.test(command);
}

/** `text` with a trailing shell comment (`# ...` outside quotes, after a blank) removed. */
export function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '\\') i++;
    else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) return text.slice(0, i).trimEnd();
  }
  return text.trimEnd();
}

type Block = { lang: string; start: number; lines: string[] };

/** Every fenced code block of `markdown`, indented ones (inside list items) included. */
function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let open: (Block & { fence: string; indent: number }) | undefined;
  markdown.split('\n').forEach((text, index) => {
    const fence = /^( {0,12})(`{3,}|~{3,})\s*([\w+-]*)/.exec(text);
    if (!open) {
      if (fence)
        open = {
          fence: fence[2]!,
          indent: fence[1]!.length,
          lang: fence[3]!.toLowerCase(),
          start: index + 2,
          lines: [],
        };
      return;
    }
    if (text.trim().startsWith(open.fence) && text.trim().replace(/[`~]/g, '') === '') {
      blocks.push({ lang: open.lang, start: open.start, lines: open.lines });
      open = undefined;
      return;
    }
    open.lines.push(text.slice(Math.min(open.indent, text.length - text.trimStart().length)));
  });
  return blocks;
}

/** The commands of one block: a shell block line by line, a transcript's `$ ` lines. */
function blockCommands(block: Block): Array<{ offset: number; command: string }> {
  const transcript =
    TRANSCRIPT.has(block.lang) ||
    (!SHELL.has(block.lang) && block.lines.some((l) => l.trimStart().startsWith('$ ')));
  const shell =
    SHELL.has(block.lang) ||
    transcript ||
    ((block.lang === '' || block.lang === 'text') &&
      block.lines.some((l) => LOOKS_LIKE_COMMAND.test(l.trim())));
  if (!shell) return [];
  const commands: Array<{ offset: number; command: string }> = [];
  for (let i = 0; i < block.lines.length; i++) {
    let text = block.lines[i]!.trim();
    if (transcript) {
      if (!text.startsWith('$ ')) continue;
      text = text.slice(2);
    }
    const offset = i;
    while (text.endsWith('\\') && i + 1 < block.lines.length) {
      text = `${text.slice(0, -1).trimEnd()} ${block.lines[++i]!.trim()}`;
    }
    const command = stripComment(text);
    if (command !== '') commands.push({ offset, command });
  }
  return commands;
}

/**
 * The code spans of `markdown` outside its fenced blocks, with their line: a span may
 * wrap onto the next line of its paragraph (the line break reads as a space), never
 * across a blank line.
 */
function codeSpans(markdown: string): Array<{ line: number; text: string }> {
  const lines = markdown.split('\n');
  // The fence lines and the body, blanked: line numbers stay.
  for (const block of fencedBlocks(markdown))
    for (let i = block.start - 2; i <= block.start + block.lines.length - 1; i++) lines[i] = '';
  const spans: Array<{ line: number; text: string }> = [];
  let first = 0;
  while (first < lines.length) {
    if (lines[first]!.trim() === '') {
      first++;
      continue;
    }
    let end = first;
    while (end < lines.length && lines[end]!.trim() !== '') end++;
    const paragraph = lines.slice(first, end).join('\n');
    // CommonMark: a run of n backticks opens a span that the next run of exactly n closes.
    for (const m of paragraph.matchAll(/(?<!`)(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g)) {
      let text = m[2]!.replace(/[ \t]*\n[ \t]*/g, ' ');
      if (text.startsWith(' ') && text.endsWith(' ') && text.trim() !== '') text = text.slice(1, -1);
      spans.push({ line: first + 1 + (paragraph.slice(0, m.index).match(/\n/g)?.length ?? 0), text });
    }
    first = end;
  }
  return spans;
}

/**
 * Every command of `markdown` (file name `file`): those of the fenced shell blocks, in
 * order, then those written inline (isInlineCommand), in order.
 */
export function extractCommands(markdown: string, file: string): ReadmeCommand[] {
  const fenced = fencedBlocks(markdown).flatMap((block) =>
    blockCommands(block).map(({ offset, command }) => ({
      file,
      line: block.start + offset,
      command,
      inline: false,
    })),
  );
  const inline = codeSpans(markdown)
    .filter((span) => isInlineCommand(span.text))
    .map((span) => ({ file, line: span.line, command: span.text, inline: true }));
  return [...fenced, ...inline];
}

/** Every command of the READMEs and docs pages of the repository at `root` (docFiles). */
export function readmeCommands(root: string): ReadmeCommand[] {
  return docFiles(root).flatMap((file) => extractCommands(readFileSync(join(root, file), 'utf8'), file));
}

/** A fenced block of a docs file: its language, file, first line, text, and whether it is marked partial. */
export interface DocBlock {
  file: string;
  lang: string;
  line: number;
  text: string;
  /** A `<!-- partial -->` comment stands before it: a fragment, not a whole document. */
  partial: boolean;
}

/** Every fenced block of every docs file (docFiles), e.g. the `yaml` examples wherever they are. */
export function docBlocks(root: string): DocBlock[] {
  return docFiles(root).flatMap((file) => {
    const markdown = readFileSync(join(root, file), 'utf8');
    const lines = markdown.split('\n');
    return fencedBlocks(markdown).map((b) => ({
      file,
      lang: b.lang,
      line: b.start,
      text: b.lines.join('\n'),
      partial: precedingLine(lines, b.start - 2) === '<!-- partial -->',
    }));
  });
}

/** The last non-blank line before line index `fence` (0-based), trimmed. */
function precedingLine(lines: readonly string[], fence: number): string {
  for (let i = fence - 1; i >= 0; i--) if (lines[i]!.trim() !== '') return lines[i]!.trim();
  return '';
}

/**
 * The fenced blocks of one language in any docs file, with their first line. The
 * Chinese pages are left out: their blocks are the English ones byte for byte
 * (test/docs/zh-parity.test.ts), so a block is found once.
 */
export function readmeBlocks(
  root: string,
  lang: string,
): Array<{ file: string; line: number; text: string }> {
  return docBlocks(root).filter((b) => b.lang === lang && !isTranslation(b.file));
}

function isTranslation(file: string): boolean {
  return file.startsWith('docs/zh-CN/') || file.endsWith('.zh-CN.md');
}
