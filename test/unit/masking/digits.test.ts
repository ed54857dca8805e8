// The digit strategies treat every Unicode decimal digit (Nd) as a digit; the list they use must not fall behind
// the Unicode the JavaScript engine knows, and its layout (sets of ten in value order) must hold.
import { describe, expect, it } from 'vitest';
import {
  DECIMAL_DIGIT_CLASS,
  DECIMAL_DIGIT_COUNT,
  DECIMAL_DIGITS,
  DIGITS_OF_VALUE,
} from '#shared/masking/digits';
import { parseMaskingRules } from '#shared/masking/rules';

describe('decimal digits', () => {
  const listed = [...DECIMAL_DIGITS];

  it('lists every \\p{Nd} character, nothing else, each once', () => {
    const known: string[] = [];
    for (let code = 0; code < 0x110000; code += 1) {
      const char = String.fromCodePoint(code);
      if (/\p{Nd}/u.test(char)) known.push(char);
    }
    expect(listed.filter((char) => !/\p{Nd}/u.test(char))).toEqual([]);
    expect(known.filter((char) => !listed.includes(char))).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.length).toBe(DECIMAL_DIGIT_COUNT);
  });

  it('keeps sets of ten in value order, so index % 10 is the value', () => {
    const samples: [string, number][] = [
      ['7', 7],
      ['٣', 3],
      ['۵', 5],
      ['९', 9],
      ['০', 0],
      ['８', 8],
      ['𝟝', 5],
      ['𝟫', 9],
    ];
    for (const [char, value] of samples) {
      expect(listed.indexOf(char) % 10, char).toBe(value);
      expect([...(DIGITS_OF_VALUE[value] ?? '')], char).toContain(char);
    }
  });

  it('builds a class that matches every digit and nothing between the sets', () => {
    const pattern = new RegExp(DECIMAL_DIGIT_CLASS, 'u');
    for (const char of listed) expect(pattern.test(char), char).toBe(true);
    for (const char of ['a', '/', ':', '٪', '-', '+', ' ', 'Ⅻ', '½', '²']) {
      expect(pattern.test(char), char).toBe(false);
    }
  });

  it('refuses a mask character that is itself a digit of any script', () => {
    for (const maskChar of ['7', '٣', '３']) {
      expect(() =>
        parseMaskingRules([{ table: 't', columns: { c: { strategy: 'digits-mask', maskChar } } }], 'x'),
      ).toThrow(/maskChar/);
    }
    expect(() =>
      parseMaskingRules([{ table: 't', columns: { c: { strategy: 'digits-mask', maskChar: '•' } } }], 'x'),
    ).not.toThrow();
  });
});
