import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One shell command of a README: where it is and what a user types. */
export interface ReadmeCommand {
  /** The README's file name, e.g. `README.zh-CN.md`. */
  file: string;
  /** 1-based line of the command's first line. */
  line: number;
  /** The command as typed: continuation lines joined, a trailing `# comment` left out. */
  command: string;
}

/** The READMEs whose commands the suite runs. */
export const READMES = ['README.md', 'README.zh-CN.md'] as const;

/** Fence languages whose every line is a command (comments and blank lines aside). */
const SHELL = new Set(['sh', 'bash', 'shell', 'zsh']);
/** Fence languages of a terminal transcript: only `$ ` lines are commands, the rest is output. */
const TRANSCRIPT = new Set(['console', 'shell-session', 'terminal']);
/** A line that reads as a command in an unlabelled (or `text`) block. */
const LOOKS_LIKE_COMMAND =
  /^(\$ |(npm|npx|node|tsx|serverless|sls|aws|export|cd|git|curl|bash|sh|make|docker|jest)\s|\.{0,2}\/[\w./-]+\.(sh|mjs|js|ts)\b)/;

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

/** Every command of the fenced shell blocks of `markdown` (file name `file`), in order. */
export function extractCommands(markdown: string, file: string): ReadmeCommand[] {
  return fencedBlocks(markdown).flatMap((block) =>
    blockCommands(block).map(({ offset, command }) => ({ file, line: block.start + offset, command })),
  );
}

/** Every command of both READMEs of the repository at `root`. */
export function readmeCommands(root: string): ReadmeCommand[] {
  return READMES.flatMap((file) => extractCommands(readFileSync(join(root, file), 'utf8'), file));
}

/** The fenced blocks of one language, with their first line, e.g. the `yaml` examples. */
export function readmeBlocks(
  root: string,
  file: string,
  lang: string,
): Array<{ line: number; text: string }> {
  return fencedBlocks(readFileSync(join(root, file), 'utf8'))
    .filter((b) => b.lang === lang)
    .map((b) => ({ line: b.start, text: b.lines.join('\n') }));
}
