/**
 * Why a pattern is refused, if it is: it does not compile, it uses a backreference,
 * or it nests a quantifier inside a quantified group (`(a+)+`, `(\w*x?)*`, `(a|a)*`
 * style): the shapes that make a backtracking engine take exponential time. A small
 * static check, deliberately strict: a refused pattern can almost always be written
 * without the nesting.
 */
export function unsafePattern(source: string): string | undefined {
  try {
    // Stryker disable next-line StringLiteral: equivalent, whether a pattern compiles does not depend on the case-insensitive flag.
    new RegExp(source, 'i');
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message})`;
  }
  if (/\\[1-9]|\\k</.test(source)) return 'uses a backreference, which can run for very long';
  if (nestedQuantifier(source))
    return 'nests a quantifier inside a repeated group (e.g. "(a+)+"), which can run for very long';
  return undefined;
}

/** True when a group that holds a quantifier (or an alternation) is itself quantified. */
function nestedQuantifier(source: string): boolean {
  const stack: boolean[] = [];
  let inClass = false;
  // Stryker disable next-line EqualityOperator: equivalent, one more turn reads `undefined`, which matches no branch.
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push(false);
    else if (c === ')') {
      // Stryker disable next-line BooleanLiteral: equivalent, the stack is never empty here: a pattern that compiles has no unmatched ")".
      const risky = stack.pop() ?? false;
      if (risky && /^[*+?{]/.test(source.slice(i + 1))) return true;
      // A risky inner group makes its enclosing group risky too.
      if (
        risky &&
        // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, with no enclosing group the mark lands on index -1, which no pop reads.
        stack.length > 0
      )
        // Stryker disable next-line ArithmeticOperator: equivalent, the enclosing group's ")" still pops this mark first (see below).
        stack[stack.length - 1] = true;
    } else if (
      (c === '*' || c === '+' || c === '{' || c === '|') &&
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, outside any group the mark lands on index -1, which no pop reads.
      stack.length > 0
    ) {
      // Stryker disable next-line ArithmeticOperator: equivalent, a mark above the top is still what this group's ")" pops first; the slots left below it are never popped in a balanced pattern.
      stack[stack.length - 1] = true;
    }
  }
  return false;
}
