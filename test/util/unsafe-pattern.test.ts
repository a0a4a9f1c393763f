import { unsafePattern } from '../../lib/util/unsafe-pattern';

/** The static check of retry-rule patterns: what it accepts, refuses, and reads as a group or a class. */

describe('unsafePattern', () => {
  it.each([
    ['connection (reset|refused)'],
    ['^Timeout after \\d+ ?s'],
    ['[a-z]+ was killed'],
    ['(?:queue|cluster) is (busy|full)'],
    ['a{2,3}b'],
  ])('accepts %s', (source) => expect(unsafePattern(source)).toBeUndefined());

  it.each([
    ['(a+)+$', /nests a quantifier/],
    ['(\\w*x?)*y', /nests a quantifier/],
    ['(a|aa)*c', /nests a quantifier/],
    ['((ab)*c)+', /nests a quantifier/],
    ['(x+){2,}', /nests a quantifier/],
    ['(a)\\1', /backreference/],
    ['(?<q>a)\\k<q>', /backreference/],
    ['(unclosed', /not a valid regular expression/],
  ])('refuses %s', (source, why) => expect(unsafePattern(source)).toMatch(why));

  it('does not mistake escaped or bracketed characters for groups', () => {
    expect(unsafePattern('\\(a+\\)+')).toBeUndefined();
    expect(unsafePattern('[(]a+[)]+')).toBeUndefined();
  });
});

describe('unsafePattern: what it reads as a character class', () => {
  it.each([
    ['(a[+*])+'],
    ['(x[|])*'],
    ['(id[{]1)+'],
    ['(a[^+]b)+'],
    ['(a[\\]+]b)+'], // an escaped bracket does not end the class
    ['([(]x[)])?'], // parentheses in brackets inside a group
  ])('a quantifier or bar inside a bracket class is a plain character: %s is accepted', (source) => {
    expect(unsafePattern(source)).toBeUndefined();
  });

  it('the class ends at its bracket: what follows it counts again', () => {
    expect(unsafePattern('(a[xy]+)+')).toMatch(/nests a quantifier/);
    expect(unsafePattern('([+]a|b)*')).toMatch(/nests a quantifier/);
  });
});

describe('unsafePattern: groups inside groups', () => {
  it('a risky inner group makes its enclosing group risky, even when the inner one is not quantified', () => {
    expect(unsafePattern('((a+)b)+')).toMatch(/nests a quantifier/);
    expect(unsafePattern('(x(a|b)y)*')).toMatch(/nests a quantifier/);
    expect(unsafePattern('(x((a+))y){2}')).toMatch(/nests a quantifier/);
  });

  it('a plain inner group does not', () => {
    expect(unsafePattern('((ab)c)+')).toBeUndefined();
    expect(unsafePattern('(x(?:ab)y)*')).toBeUndefined();
    // A risky group that is not itself quantified, at the top level, is fine.
    expect(unsafePattern('(a+)b(c)+')).toBeUndefined();
  });

  it('a counted quantifier inside a repeated group is refused like + and *', () => {
    expect(unsafePattern('(a{2,})+')).toMatch(/nests a quantifier/);
    expect(unsafePattern('(ab{1,3})*')).toMatch(/nests a quantifier/);
  });
});
