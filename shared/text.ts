// Small text helpers shared by the parsers and the alert fitting, which scan untrusted text one character at
// a time (no regex over a whole attacker-supplied string, so the work stays linear in its length).

const WHITESPACE = /\s/;

/** Exactly the characters of the regex class `\s`, for one code point (or one UTF-16 code unit). */
export function isWhitespace(code: number): boolean {
  return WHITESPACE.test(String.fromCodePoint(code));
}
