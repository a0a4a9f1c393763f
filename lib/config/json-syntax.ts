/** Where a JSON text stops being JSON, as an editor shows it (1-based), and why. */
export interface JsonSyntaxProblem {
  line: number;
  column: number;
  reason: string;
}

const AT_POSITION = / in JSON at position (\d+)/;
/** V8's "Unexpected token" message quotes the text around the token: never repeated (a file's contents). */
const QUOTED_TEXT = /, ".*" is not valid JSON$/s;

/** Why and where JSON.parse refused `text` (its `error`). */
export function jsonSyntaxProblem(text: string, error: Error): JsonSyntaxProblem {
  const reason = error.message
    .replace(AT_POSITION, '')
    .replace(QUOTED_TEXT, '')
    .replace(/ \(line \d+ column \d+\)/, '') // newer Node says it too: said once, as file:line:column
    // One line per problem: a line break as the unexpected token is written `\n`.
    .replace(/[\n\r\t]/g, (c) => JSON.stringify(c).slice(1, -1));
  return { ...lineAndColumn(text, offsetOf(text, error.message)), reason };
}

/**
 * The offset JSON.parse stopped at. Its message names it for most errors; where it does
 * not ("Unexpected token"), the shortest prefix of the text that fails other than by
 * ending early ends just past it: a prefix before the bad character is valid so far.
 */
function offsetOf(text: string, message: string): number {
  const named = AT_POSITION.exec(message)?.[1];
  if (named !== undefined) return Number(named);
  if (message.startsWith('Unexpected end')) return text.length;
  let low = 1;
  let high = text.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (failsWithin(text.slice(0, middle))) high = middle;
    else low = middle + 1;
  }
  return high - 1;
}

/** The prefix fails at one of its own characters, not for want of more. */
function failsWithin(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith('Unexpected end')) return false;
    const at = AT_POSITION.exec(message)?.[1];
    return at === undefined || Number(at) < prefix.length;
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
