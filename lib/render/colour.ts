import type { OutStream } from './out-stream';

export type Paint = (text: string) => string;

export interface Palette {
  red: Paint;
  green: Paint;
  yellow: Paint;
  dim: Paint;
  bold: Paint;
}

const plain: Paint = (text) => text;
const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\x1b[${open}m${text}\x1b[${close}m`;

export const NO_COLOUR: Palette = { red: plain, green: plain, yellow: plain, dim: plain, bold: plain };
const COLOUR: Palette = {
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  dim: sgr(2, 22),
  bold: sgr(1, 22),
};

/**
 * Colour only for a terminal, and never when NO_COLOR is set to anything non-empty
 * (https://no-color.org); FORCE_COLOR forces it, for terminals that do not say they are one.
 */
export function paletteFor(stream: OutStream, env: Readonly<Record<string, string | undefined>>): Palette {
  if (env.NO_COLOR) return NO_COLOUR;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return COLOUR;
  return stream.isTTY && env.TERM !== 'dumb' ? COLOUR : NO_COLOUR;
}
