import stringWidth from 'string-width';

/**
 * How many terminal columns a string takes, colour codes aside: East Asian wide
 * characters and emoji two, combining marks and joiners none, per grapheme cluster (a
 * skin-toned thumb or a ZWJ family is one emoji, two columns). Job names are Chinese and
 * DataArts error texts may hold emoji, so a table of our own would drift from Unicode.
 */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences is the point
const ANSI = /\x1b\[[0-9;]*m/g;

/** What a reader sees as one character: cuts fall between these, never inside an emoji. */
const graphemes = new Intl.Segmenter();

/** Pads to `width` columns (display width, not code units). */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Cuts to at most `width` columns between whole graphemes, ending with `…` when something was cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text.replace(ANSI, ''))) {
    const w = displayWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/**
 * A line broken into lines of at most `width` columns, at a space where there is one
 * (Chinese text breaks between any two characters), each continuation indented two more
 * than the line. Colour codes are kept and count for nothing.
 */
export function wrapLine(text: string, width: number): string[] {
  if (displayWidth(text) <= width) return [text];
  const indent = ' '.repeat(Math.min((/^ */.exec(text)?.[0].length ?? 0) + 2, Math.floor(width / 2)));
  const lines: string[] = [];
  let line = '';
  let used = 0;
  let lastSpace = -1;
  for (const piece of pieces(text)) {
    const w = piece.startsWith('\x1b') ? 0 : displayWidth(piece);
    if (used + w > width && used > indent.length) {
      const breakAt = lastSpace > indent.length ? lastSpace : line.length;
      lines.push(line.slice(0, breakAt).trimEnd());
      line = indent + line.slice(breakAt).trimStart();
      used = displayWidth(line);
      lastSpace = -1;
    }
    if (piece === ' ') lastSpace = line.length;
    line += piece;
    used += w;
  }
  lines.push(line);
  return lines;
}

/** Graphemes and whole colour codes, in order. */
function pieces(text: string): string[] {
  return text
    .split(new RegExp(`(${ANSI.source})`))
    .flatMap((part) =>
      part.startsWith('\x1b') ? [part] : Array.from(graphemes.segment(part), (s) => s.segment),
    );
}
