// Why this file exists: a "digit" for the digit strategies and their verification is every Unicode decimal
// digit (general category Nd), not only ASCII 0-9: a phone number written in Arabic-Indic, Devanagari or
// fullwidth digits is as personal as one in ASCII. Regex classes such as [[:digit:]] or \d cannot be relied on
// for this (PostgreSQL under a C.UTF-8 locale and PCRE without UCP match ASCII only), so both dialects work from
// this explicit list of code points, which needs no extension and no locale.

/**
 * The first code point (digit zero) of every set of ten decimal digits in Unicode 17 (the 770 Nd characters):
 * Unicode encodes each set contiguously in value order 0-9, so the value of a digit is its offset from its set's
 * zero. A unit test checks that the list covers every \p{Nd} character the running JavaScript engine knows.
 */
const ZEROS: readonly number[] = [
  0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50,
  0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40,
  0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x10d40, 0x11066,
  0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x116d0, 0x116da, 0x11730, 0x118e0,
  0x11950, 0x11bf0, 0x11c50, 0x11d50, 0x11da0, 0x11de0, 0x11f50, 0x16130, 0x16a60, 0x16ac0, 0x16b50, 0x16d70,
  0x1ccf0, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e4f0, 0x1e5f1, 0x1e950, 0x1fbf0,
];

const setOf = (zero: number) => Array.from({ length: 10 }, (_, value) => String.fromCodePoint(zero + value));

/**
 * Every decimal digit, set after set, each in value order: the character at code-point index i has value i % 10
 * (PostgreSQL's strpos and translate count characters, not bytes, in a UTF8 database).
 */
export const DECIMAL_DIGITS: string = ZEROS.map((zero) => setOf(zero).join('')).join('');

/** Per value 0-9, every decimal digit of that value (ASCII first). */
export const DIGITS_OF_VALUE: readonly string[] = Array.from({ length: 10 }, (_, value) =>
  ZEROS.map((zero) => String.fromCodePoint(zero + value)).join(''),
);

/** Number of decimal digits (code points) in DECIMAL_DIGITS. */
export const DECIMAL_DIGIT_COUNT: number = ZEROS.length * 10;

/**
 * A regular-expression bracket class matching any decimal digit, as one range per set of ten. Only the characters
 * themselves and '-' appear, which mean the same in ICU (MySQL 8) and PCRE2 (MariaDB) on UTF-8 text.
 */
export const DECIMAL_DIGIT_CLASS: string = `[${ZEROS.map((zero) => `${String.fromCodePoint(zero)}-${String.fromCodePoint(zero + 9)}`).join('')}]`;

/** Per value 0-9, a bracket class matching every decimal digit of that value. */
export const DIGIT_OF_VALUE_CLASS: readonly string[] = DIGITS_OF_VALUE.map((digits) => `[${digits}]`);

/**
 * A bracket class matching every decimal digit except ASCII 0-9: a value it does not match holds ASCII digits
 * only, which a dialect may then randomize by code-point arithmetic, faster than by looking each character up.
 */
export const NON_ASCII_DIGIT_CLASS: string = `[${ZEROS.filter((zero) => zero !== 0x30)
  .map((zero) => `${String.fromCodePoint(zero)}-${String.fromCodePoint(zero + 9)}`)
  .join('')}]`;
