// Why this file exists: discovery must recognise personal data in ONE sampled value, knowing nothing of its
// column, and strictly enough that the look-alikes every schema is full of (order numbers, product codes, hashes,
// versions, timestamps, prices) stay out: score.ts builds a column's verdict from how many of its values these
// checks accept. text-scrub's patterns (shared/masking/scrub.ts) run inside the database and must over-match to be
// safe; these run in the Lambda on a bounded sample, so they afford exact checks instead: Luhn plus the card
// networks' prefixes, the IBAN registry's lengths plus mod-97, SSN ranges, calendar dates. They keep scrub's
// conventions where both look at the same thing: every Unicode decimal digit is a digit (digits.ts), an IBAN is
// written in capitals, an e-mail part holds no space, @, <>(),;:" or '.
//
// Bounded cost: a sampled value can be a 100 KB text. Whole-value checks give up on any value longer than the
// longest thing they accept; the scans for embedded data (free text) are single passes whose look-around is
// bounded by a constant (an e-mail part's maximum length, a phone's maximum number of groups). No regular
// expression here nests quantifiers, so none can backtrack catastrophically.
import { DECIMAL_DIGITS, NON_ASCII_DIGIT_CLASS } from '../masking/digits.ts';
import type { PiiKind } from './types.ts';

// ---------------------------------------------------------------------------------------------------------------
// Digits of any script

const VALUE_OF_DIGIT: ReadonlyMap<string, string> = new Map(
  Array.from(DECIMAL_DIGITS, (digit, index) => [digit, String(index % 10)]),
);
const NON_ASCII_DIGIT = new RegExp(NON_ASCII_DIGIT_CLASS, 'u');

/** The value with every Unicode decimal digit replaced by its ASCII digit (`٠٧٧٠٠` → `07700`). */
export function toAsciiDigits(value: string): string {
  if (!NON_ASCII_DIGIT.test(value)) return value;
  return Array.from(value, (char) => VALUE_OF_DIGIT.get(char) ?? char).join('');
}

/** Fullwidth and typographic forms of the punctuation numbers are written with (`＋４４`, `555‑123‑4567`). */
const NUMBER_PUNCTUATION_FORMS: ReadonlyMap<string, string> = new Map([
  ['＋', '+'],
  ['（', '('],
  ['）', ')'],
  ['．', '.'],
  ['－', '-'],
  ['\u2010', '-'],
  ['\u2011', '-'],
  ['\u2012', '-'],
  ['\u2013', '-'],
  ['\u2212', '-'],
]);
const NUMBER_PUNCTUATION_FORM = /[＋（）．－\u2010-\u2013\u2212]/g;

/**
 * Digits as the number checks read them: ASCII, every Unicode space (NBSP, thin space) a plain space, fullwidth
 * and typographic punctuation plain. Each replacement is one code unit for one, except astral digits (two for
 * one), which do not matter: only the checks' verdicts are used, never positions in the original.
 */
function numericForm(value: string): string {
  return toAsciiDigits(value)
    .replace(/\p{Zs}/gu, ' ')
    .replace(NUMBER_PUNCTUATION_FORM, (char) => NUMBER_PUNCTUATION_FORMS.get(char) ?? char);
}

const ASCII_DIGITS = /^[0-9]+$/;

// ---------------------------------------------------------------------------------------------------------------
// E-mail

/**
 * A character of an address's local part: RFC 5322 atext (Unicode letters too, RFC 6531) and the dot, without
 * the quote characters scrub.ts also leaves out (quoted local parts are not worth their false positives).
 */
const LOCAL_CHAR = /[\p{L}\p{M}\p{N}!#$%&*+/=?^_{|}~.-]/u;
const DOMAIN_CHAR = /[\p{L}\p{M}\p{N}.-]/u;
const DOMAIN_LABEL = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?$/u;
/** A top-level domain: letters only (a numeric one would be an IP literal), or an IDN's A-label. */
const TOP_LEVEL_DOMAIN = /^(?:[\p{L}\p{M}]{2,63}|xn--[a-z0-9-]{1,59})$/iu;
const MAX_LOCAL_PART = 64;
const MAX_DOMAIN = 253;
const MAX_ADDRESS = 254;

function localPartValid(local: string): boolean {
  if (local.length === 0 || local.length > MAX_LOCAL_PART) return false;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  for (const char of local) if (!LOCAL_CHAR.test(char)) return false;
  return true;
}

/**
 * A domain of at least two labels with a real top-level domain. `.invalid` (RFC 2606: can never be delivered) is
 * refused: it is where masking puts its pseudonyms (`u_<16 hex>@example.invalid`), so an address there is one
 * already masked, not personal data.
 */
function domainValid(domain: string): boolean {
  if (domain.length === 0 || domain.length > MAX_DOMAIN) return false;
  const labels = domain.split('.');
  const topLevel = labels.at(-1) ?? '';
  if (labels.length < 2 || !TOP_LEVEL_DOMAIN.test(topLevel) || topLevel.toLowerCase() === 'invalid') {
    return false;
  }
  return labels.every((label) => DOMAIN_LABEL.test(label));
}

/** The whole value is one e-mail address, `local@domain.tld` (an address at `*.invalid` is not). */
export function isEmail(value: string): boolean {
  const address = value.trim();
  if (address.length > MAX_ADDRESS) return false;
  const at = address.indexOf('@');
  if (at < 0 || address.indexOf('@', at + 1) >= 0) return false;
  return localPartValid(address.slice(0, at)) && domainValid(address.slice(at + 1));
}

/**
 * Some e-mail address appears inside the text. Each @ is looked at once: the local part is read backwards and the
 * domain forwards, each at most its maximum length and never past another @, so the scan is linear.
 */
export function containsEmail(text: string): boolean {
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start <= MAX_LOCAL_PART && LOCAL_CHAR.test(text.charAt(start - 1))) start -= 1;
    // Ran out of length while still on local-part characters: whatever precedes the @ is no local part.
    if (at - start > MAX_LOCAL_PART) continue;
    let end = at + 1;
    while (end < text.length && end - at <= MAX_DOMAIN && DOMAIN_CHAR.test(text.charAt(end))) end += 1;
    // A sentence ends after an address ("write to ana@example.org."): the dot is the sentence's.
    const domain = text.slice(at + 1, end).replace(/[.-]+$/, '');
    const local = text.slice(start, at).replace(/^\.+/, '');
    if (localPartValid(local) && domainValid(domain)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Runs of digits (phone and card numbers)

/** Space ( ) + - . : what stands between the digits of a written phone or card number. */
const NUMBER_PUNCTUATION: ReadonlySet<number> = new Set([32, 40, 41, 43, 45, 46]);

/** Characters a written phone or card number is made of, once digits are ASCII and spaces plain. */
function isNumberChar(code: number): boolean {
  return (code >= 48 && code <= 57) || NUMBER_PUNCTUATION.has(code);
}

/**
 * A character that, right against a number, makes the number part of something else: a product code
 * (`SKU-4111-1111`), a version (`v2.0.1`), a hex hash or UUID, a masked card (`****1111`), an amount (`€1234`).
 */
const GLUE = /[\p{L}\p{M}\p{N}_@/\\#&=%$€£¥*~^]/u;

interface Span {
  readonly start: number;
  readonly end: number;
}

/** A maximal stretch of number characters holding at least one digit, with its groups of digits. */
interface NumberRun extends Span {
  readonly groups: readonly Span[];
}

/** A candidate number inside a run: consecutive groups, what is written before, between and after them. */
interface NumberWindow {
  /** What stands before the first group since the last space (`+`, `(`, `(+`, or nothing). */
  readonly prefix: string;
  readonly groups: readonly string[];
  /** The separators between the groups, one fewer than the groups. */
  readonly separators: readonly string[];
  /** What stands after the last group up to the next space. */
  readonly suffix: string;
}

function numberRuns(text: string): NumberRun[] {
  const runs: NumberRun[] = [];
  let index = 0;
  while (index < text.length) {
    if (!isNumberChar(text.charCodeAt(index))) {
      index += 1;
      continue;
    }
    const start = index;
    const groups: Span[] = [];
    while (index < text.length && isNumberChar(text.charCodeAt(index))) {
      const code = text.charCodeAt(index);
      if (code >= 48 && code <= 57) {
        const groupStart = index;
        while (index < text.length && text.charCodeAt(index) >= 48 && text.charCodeAt(index) <= 57)
          index += 1;
        groups.push({ start: groupStart, end: index });
      } else {
        index += 1;
      }
    }
    if (groups.length > 0) runs.push({ start, end: index, groups });
  }
  return runs;
}

/**
 * What stands before group `first` of a run since the last space, or undefined when a window cannot start there:
 * it must start at the run's start or after a space, and not be glued to a word outside the run.
 */
function prefixAt(text: string, run: NumberRun, first: number): string | undefined {
  const group = run.groups[first];
  if (group === undefined) return undefined;
  const before = text.slice(first === 0 ? run.start : (run.groups[first - 1]?.end ?? run.start), group.start);
  const space = before.lastIndexOf(' ');
  if (space < 0 && (first > 0 || GLUE.test(text.charAt(run.start - 1)))) return undefined;
  return before.slice(space + 1);
}

/** What stands after group `last` up to the next space, or undefined when a window cannot end there. */
function suffixAt(text: string, run: NumberRun, last: number): string | undefined {
  const group = run.groups[last];
  if (group === undefined) return undefined;
  const isLast = last === run.groups.length - 1;
  const after = text.slice(group.end, isLast ? run.end : run.groups[last + 1]?.start);
  const space = after.indexOf(' ');
  if (space < 0 && (!isLast || GLUE.test(text.charAt(run.end)))) return undefined;
  return space < 0 ? after : after.slice(0, space);
}

/** The whole value as one window, when it is nothing but one written number. */
function wholeWindow(value: string, maxLength: number): NumberWindow | undefined {
  const trimmed = value.trim();
  // Before normalising: an astral digit is two code units, so only twice the limit is surely too long.
  if (trimmed.length === 0 || trimmed.length > maxLength * 2) return undefined;
  const text = numericForm(trimmed);
  if (text.length > maxLength) return undefined;
  for (let index = 0; index < text.length; index += 1)
    if (!isNumberChar(text.charCodeAt(index))) return undefined;
  const [run] = numberRuns(text);
  if (run === undefined || run.start !== 0 || run.end !== text.length) return undefined;
  const groups = run.groups.map((group) => text.slice(group.start, group.end));
  const separators = run.groups
    .slice(1)
    .map((group, index) => text.slice(run.groups[index]?.end, group.start));
  const prefix = prefixAt(text, run, 0);
  const suffix = suffixAt(text, run, run.groups.length - 1);
  return prefix === undefined || suffix === undefined ? undefined : { prefix, groups, separators, suffix };
}

/**
 * Some window of some run in the text is accepted. From every group a window can start at, it grows one group at
 * a time up to maxGroups and is offered wherever it can end: the cost is linear in the text.
 */
function someWindow(text: string, maxGroups: number, accept: (window: NumberWindow) => boolean): boolean {
  const numeric = numericForm(text);
  for (const run of numberRuns(numeric)) {
    for (let first = 0; first < run.groups.length; first += 1) {
      const prefix = prefixAt(numeric, run, first);
      if (prefix === undefined) continue;
      const groups: string[] = [];
      const separators: string[] = [];
      const lastAllowed = Math.min(run.groups.length - 1, first + maxGroups - 1);
      for (let last = first; last <= lastAllowed; last += 1) {
        const group = run.groups[last];
        const previous = run.groups[last - 1];
        if (group === undefined) break;
        if (last > first && previous !== undefined) separators.push(numeric.slice(previous.end, group.start));
        groups.push(numeric.slice(group.start, group.end));
        const suffix = suffixAt(numeric, run, last);
        if (
          suffix !== undefined &&
          accept({ prefix, groups: [...groups], separators: [...separators], suffix })
        ) {
          return true;
        }
      }
    }
  }
  return false;
}

/**
 * The first three groups read as a date (`01.02.2024`, `2024-01-15`): a date followed by a time would otherwise
 * have the digits of a national phone number.
 */
function dateShaped(window: NumberWindow): boolean {
  const [day, month, year] = window.groups.map((group) => group.length);
  const [first, second] = window.separators;
  if (day === undefined || month === undefined || year === undefined) return false;
  if (first !== second || (first !== '.' && first !== '-')) return false;
  return (day <= 2 && month <= 2 && year === 4) || (day === 4 && month <= 2 && year <= 2);
}

/** Four dotted groups of at most three digits: an IPv4 address (leading zeros included), not a phone. */
function ipv4Shaped(window: NumberWindow): boolean {
  return (
    window.groups.length === 4 &&
    window.separators.every((separator) => separator === '.') &&
    window.groups.every((group) => group.length <= 3)
  );
}

/** `AAA-GG-SSSS`: an SSN's shape is the SSN detector's, even where its digits could be a national number. */
function ssnShaped(window: NumberWindow): boolean {
  return (
    window.groups.map((group) => group.length).join('-') === '3-2-4' &&
    window.separators.every((separator) => separator === '-')
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Phone

/** A separator between a phone's groups: one space, dot or dash, a bracket closing before and one opening after. */
const PHONE_SEPARATOR = /^(\)?)[ .-]?(\(?)$/;
const PHONE_PREFIX = /^(?:\+|\(|\(\+)?$/;
const PHONE_SUFFIX = /^[.)-]?$/;
const MAX_PHONE_GROUPS = 7;
const MIN_PHONE_DIGITS = 8;
/** E.164's 15, after an international `00` and a bracketed trunk zero. */
const MAX_PHONE_DIGITS = 18;
const MAX_PHONE_LENGTH = 40;

/** Where the (single) bracketed group stands, -1 for none, or undefined when the brackets do not pair up. */
function bracketedGroup(window: NumberWindow): number | undefined {
  let open = window.prefix.includes('(');
  let bracketed = open ? 0 : -1;
  for (let index = 0; index < window.separators.length; index += 1) {
    const separator = window.separators[index] ?? '';
    const parts = PHONE_SEPARATOR.exec(separator);
    if (separator === '' || parts === null) return undefined;
    const [, close, reopen] = parts;
    if ((close === ')') !== open) return undefined;
    open = false;
    if (reopen === '(') {
      if (bracketed >= 0) return undefined;
      bracketed = index + 1;
      open = true;
    }
  }
  if (open) return undefined;
  const digits = bracketed >= 0 ? (window.groups[bracketed]?.length ?? 0) : 0;
  return bracketed >= 0 && (digits < 1 || digits > 5) ? undefined : bracketed;
}

/** The two-digit E.164 country codes; the other codes are 1 or 7 alone, or three digits. */
const TWO_DIGIT_COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 ' +
    '86 90 91 92 93 94 95 98'
  ).split(' '),
);

/** An E.164 country code, as written right after an international `00` (`0044`, `00 1`, `00351`). */
function isCountryCode(code: string): boolean {
  if (code.length === 1) return code === '1' || code === '7';
  if (code.length === 2) return TWO_DIGIT_COUNTRY_CODES.has(code);
  return code.length === 3 && !/^[017]/.test(code) && !TWO_DIGIT_COUNTRY_CODES.has(code.slice(0, 2));
}

/** Six groups of two digits, one kind of separator: a MAC address whose hex digits all happen to be decimal. */
function macShaped(window: NumberWindow): boolean {
  return (
    window.groups.length === 6 &&
    window.groups.every((group) => group.length === 2) &&
    window.separators.every((separator) => separator === window.separators[0])
  );
}

/** Where bare digits (one group, no `+`) may be a phone number. */
type BareDigits = 'refused' | 'national';

/**
 * A written phone number. Accepted shapes:
 * - international: `+` and 8 to 15 digits (E.164) in at most 7 groups, a bracketed trunk zero (`+44 (0)20 …`)
 *   not counted; or `00`, a valid country code and the rest, in groups (`0044 20 7946 0018`, `00 1 555 …`);
 * - NANP: 3-3-4 digits, optionally after a 1, the area code not starting with 0 or 1 (`(555) 123-4567`,
 *   `555.123.4567`, `1-555-123-4567`);
 * - national with a trunk 0 (UK, DE, FR, NL, IT, BE …): 9 to 12 digits in groups, the first 2 to 5 digits starting
 *   0 then not 0 (`020 7946 0018`, `07700 900123`, `030 1234567`, `01 23 45 67 89`), the others at least 2;
 *   as bare digits (`07700900123`) only 10 or 11 of them, and only where `bare` allows it.
 * Everything else is refused: plain integers and order numbers, dates, IPv4, MAC and SSN shapes, versions,
 * decimals, 7-digit local numbers and digits grouped as thousands (`912 345 678`).
 */
function phoneWindowValid(window: NumberWindow, bare: BareDigits): boolean {
  const digitCount = window.groups.reduce((count, group) => count + group.length, 0);
  // Checked first because it is cheap: no accepted shape has fewer than 8 digits or more than 2 + 15.
  if (digitCount < MIN_PHONE_DIGITS || digitCount > MAX_PHONE_DIGITS) return false;
  if (!PHONE_PREFIX.test(window.prefix) || !PHONE_SUFFIX.test(window.suffix)) return false;
  const bracketed = bracketedGroup(window);
  if (bracketed === undefined) return false;
  if (dateShaped(window) || ipv4Shaped(window) || ssnShaped(window) || macShaped(window)) return false;
  const { groups } = window;
  const digits = groups.join('');
  if (window.prefix.includes('+')) {
    const trunkZero = bracketed > 0 && groups[bracketed] === '0';
    const significant = trunkZero ? groups.filter((_, index) => index !== bracketed).join('') : digits;
    return (
      groups.length <= MAX_PHONE_GROUPS &&
      !significant.startsWith('0') &&
      significant.length >= 8 &&
      significant.length <= 15
    );
  }
  if (window.prefix.includes('(') && bracketed !== 0) return false;
  const [firstGroup = '', secondGroup = ''] = groups;
  if (firstGroup.startsWith('00')) {
    // The country code is the rest of the first group (`0044`) or, after a lone `00`, the second (`00 44`).
    const countryCode = firstGroup === '00' ? secondGroup : firstGroup.slice(2);
    const international = digits.slice(2);
    return (
      groups.length >= 2 &&
      isCountryCode(countryCode) &&
      international.length >= 8 &&
      international.length <= 15
    );
  }
  const sizes = groups.map((group) => group.length).join('-');
  if (sizes === '3-3-4' || (sizes === '1-3-3-4' && firstGroup === '1')) {
    const areaIndex = sizes === '3-3-4' ? 0 : 1;
    const areaCode = groups[areaIndex] ?? '';
    if ((bracketed < 0 || bracketed === areaIndex) && areaCode >= '2') return true;
  }
  if (!digits.startsWith('0') || bracketed > 0) return false;
  if (groups.length === 1) return bare === 'national' && digits.length >= 10 && digits.length <= 11;
  return (
    digits.length >= 9 &&
    digits.length <= 12 &&
    groups.length <= 6 &&
    firstGroup.length >= 2 &&
    firstGroup.length <= 5 &&
    groups.slice(1).every((group) => group.length >= 2)
  );
}

/**
 * The whole value is one written phone number (see phoneWindowValid for the shapes). Bare digits are not: a
 * column of them (`0123456789`) is as often zero-padded identifiers; score.ts counts them (isBarePhone) only where
 * the column's name says phone, as it does for bare SSNs.
 */
export function isPhone(value: string): boolean {
  const window = wholeWindow(value, MAX_PHONE_LENGTH);
  return window !== undefined && window.suffix === '' && phoneWindowValid(window, 'refused');
}

/** Ten or eleven bare digits with a trunk 0 (`07700900123`): a phone number where the column's name says so. */
export function isBarePhone(value: string): boolean {
  const window = wholeWindow(value, MAX_PHONE_LENGTH);
  return (
    window !== undefined &&
    window.groups.length === 1 &&
    window.prefix === '' &&
    window.suffix === '' &&
    phoneWindowValid(window, 'national')
  );
}

/**
 * Some phone number appears inside the text. Here bare national numbers count too: written in a sentence
 * ("ring me on 07700900123"), ten or eleven digits after a trunk 0 are a person's number.
 */
export function containsPhone(text: string): boolean {
  return someWindow(text, MAX_PHONE_GROUPS, (window) => phoneWindowValid(window, 'national'));
}

// ---------------------------------------------------------------------------------------------------------------
// Card

/** True when the digits pass the Luhn (mod 10) check every payment card number carries. */
export function luhnValid(digits: string): boolean {
  if (!ASCII_DIGITS.test(digits)) return false;
  let sum = 0;
  for (let position = 0; position < digits.length; position += 1) {
    let digit = digits.charCodeAt(digits.length - 1 - position) - 48;
    if (position % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export type CardNetwork = 'visa' | 'mastercard' | 'amex' | 'discover' | 'jcb' | 'diners' | 'unionpay';

interface IssuerRange {
  readonly network: CardNetwork;
  /** The first digits (IIN prefix) from..to, both `digits` long. */
  readonly from: number;
  readonly to: number;
  readonly digits: number;
  readonly lengths: readonly number[];
}

const SIXTEEN_TO_NINETEEN = [16, 17, 18, 19];

/** The networks' issuer (IIN) ranges and the card lengths each issues. */
const ISSUER_RANGES: readonly IssuerRange[] = [
  { network: 'visa', from: 4, to: 4, digits: 1, lengths: [13, 16, 19] },
  { network: 'mastercard', from: 51, to: 55, digits: 2, lengths: [16] },
  { network: 'mastercard', from: 2221, to: 2720, digits: 4, lengths: [16] },
  { network: 'amex', from: 34, to: 34, digits: 2, lengths: [15] },
  { network: 'amex', from: 37, to: 37, digits: 2, lengths: [15] },
  { network: 'discover', from: 6011, to: 6011, digits: 4, lengths: SIXTEEN_TO_NINETEEN },
  { network: 'discover', from: 65, to: 65, digits: 2, lengths: SIXTEEN_TO_NINETEEN },
  { network: 'jcb', from: 3528, to: 3589, digits: 4, lengths: SIXTEEN_TO_NINETEEN },
  { network: 'diners', from: 36, to: 36, digits: 2, lengths: [14, 15, 16, 17, 18, 19] },
  { network: 'diners', from: 38, to: 38, digits: 2, lengths: [14, 15, 16, 17, 18, 19] },
  { network: 'diners', from: 300, to: 305, digits: 3, lengths: [14, 15, 16, 17, 18, 19] },
  { network: 'unionpay', from: 62, to: 62, digits: 2, lengths: SIXTEEN_TO_NINETEEN },
];

/**
 * The network whose issuer prefix and card length the digits have, or undefined. This, not Luhn, is what keeps
 * order and invoice numbers out: one number in ten passes Luhn by chance, far fewer also start like a card.
 */
export function cardNetworkOf(digits: string): CardNetwork | undefined {
  if (!ASCII_DIGITS.test(digits)) return undefined;
  const range = ISSUER_RANGES.find(({ from, to, digits: prefixDigits, lengths }) => {
    const prefix = Number(digits.slice(0, prefixDigits));
    return lengths.includes(digits.length) && prefix >= from && prefix <= to;
  });
  return range?.network;
}

const MIN_CARD_DIGITS = 13;
const MAX_CARD_DIGITS = 19;
const MAX_CARD_GROUPS = 5;
const MAX_CARD_LENGTH = 30;
const CARD_SUFFIX = /^[.)]?$/;

/** Groups as cards are printed: fours with a shorter last group (Visa, Mastercard …), or 4-6-5 / 4-6-4 (Amex, Diners). */
function printedCardGrouping(groups: readonly string[]): boolean {
  const sizes = groups.map((group) => group.length);
  const last = sizes.at(-1) ?? 0;
  if (sizes.length >= 4 && sizes.slice(0, -1).every((size) => size === 4) && last >= 1 && last <= 4)
    return true;
  return sizes.join('-') === '4-6-5' || sizes.join('-') === '4-6-4';
}

/**
 * A card number: 13 to 19 digits, bare or in printed groups separated by one kind of single space or dash, with
 * a known network's prefix and length, passing Luhn. Nothing may stand before it (not a `+`: phone numbers are
 * long digit runs too).
 */
function cardWindowValid(window: NumberWindow): boolean {
  const digitCount = window.groups.reduce((count, group) => count + group.length, 0);
  if (digitCount < MIN_CARD_DIGITS || digitCount > MAX_CARD_DIGITS) return false;
  if (window.prefix !== '' || !CARD_SUFFIX.test(window.suffix)) return false;
  const [separator] = window.separators;
  if (separator !== undefined) {
    if (separator !== ' ' && separator !== '-') return false;
    if (window.separators.some((other) => other !== separator)) return false;
    if (!printedCardGrouping(window.groups)) return false;
  }
  const digits = window.groups.join('');
  return cardNetworkOf(digits) !== undefined && luhnValid(digits);
}

/** The whole value is one payment card number. */
export function isCard(value: string): boolean {
  const window = wholeWindow(value, MAX_CARD_LENGTH);
  return window !== undefined && window.suffix === '' && cardWindowValid(window);
}

/** Some payment card number appears inside the text. */
export function containsCard(text: string): boolean {
  return someWindow(text, MAX_CARD_GROUPS, cardWindowValid);
}

// ---------------------------------------------------------------------------------------------------------------
// IBAN

/**
 * IBAN length per country (SWIFT IBAN registry): every SEPA country, and the other registry countries commonly
 * met. A country not listed here is not detected rather than guessed.
 */
export const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  (
    'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 ES24 ' +
    'FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 ' +
    'LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 ' +
    'SC31 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20'
  )
    .split(' ')
    .map((entry): [string, number] => [entry.slice(0, 2), Number(entry.slice(2))]),
);
const MAX_IBAN_LENGTH = 34;
const IBAN_COMPACT = /^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/;
/** The print form: groups separated by single spaces (`DE89 3704 0044 0532 0130 00`); linear, one char per step. */
const IBAN_PRINTED = /^[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9])+$/;

/**
 * A compact IBAN (no spaces) of the right length for its country, with check digits 02-98 that pass mod-97
 * (ISO 13616: the number with its first four characters moved to the end, letters as 10-35, leaves 1).
 */
export function ibanValid(compact: string): boolean {
  if (!IBAN_COMPACT.test(compact) || IBAN_LENGTHS.get(compact.slice(0, 2)) !== compact.length) return false;
  const checkDigits = Number(compact.slice(2, 4));
  if (checkDigits < 2 || checkDigits > 98) return false;
  let remainder = 0;
  for (const char of compact.slice(4) + compact.slice(0, 4)) {
    const code = char.charCodeAt(0);
    remainder = code >= 65 ? (remainder * 100 + code - 55) % 97 : (remainder * 10 + code - 48) % 97;
  }
  return remainder === 1;
}

/** The whole value is one IBAN, compact or printed in capitals (lower-case ones are not, as in text-scrub). */
export function isIban(value: string): boolean {
  const text = value.trim();
  if (text.length > MAX_IBAN_LENGTH + MAX_IBAN_LENGTH / 2 || !IBAN_PRINTED.test(text)) return false;
  return ibanValid(text.replaceAll(' ', ''));
}

const IBAN_BOUNDARY = /[\p{L}\p{M}\p{N}_]/u;
const IBAN_CHAR = /[A-Z0-9]/;

/**
 * Some IBAN appears inside the text: at each country code and two digits standing at a word's start, exactly the
 * country's length of characters is read (single spaces skipped), and the word must end there.
 */
export function containsIban(text: string): boolean {
  const start = /[A-Z]{2}[0-9]{2}/g;
  for (let match = start.exec(text); match !== null; match = start.exec(text)) {
    const at = match.index;
    start.lastIndex = at + 1;
    const length = IBAN_LENGTHS.get(text.slice(at, at + 2));
    if (length === undefined || IBAN_BOUNDARY.test(text.charAt(at - 1))) continue;
    let compact = '';
    let index = at;
    while (index < text.length && compact.length < length) {
      const char = text.charAt(index);
      if (IBAN_CHAR.test(char)) compact += char;
      else if (
        !(char === ' ' && IBAN_CHAR.test(text.charAt(index - 1)) && IBAN_CHAR.test(text.charAt(index + 1)))
      ) {
        break;
      }
      index += 1;
    }
    if (compact.length === length && !IBAN_BOUNDARY.test(text.charAt(index)) && ibanValid(compact))
      return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// US Social Security number

const SSN_DASHED = /^([0-9]{3})-([0-9]{2})-([0-9]{4})$/;
const SSN_BARE = /^([0-9]{3})([0-9]{2})([0-9]{4})$/;

/** The parts of an SSN as the SSA issues them: area not 000, 666 or 900-999; group not 00; serial not 0000. */
export function ssnPartsValid(area: string, group: string, serial: string): boolean {
  const areaNumber = Number(area);
  return areaNumber !== 0 && areaNumber !== 666 && areaNumber < 900 && group !== '00' && serial !== '0000';
}

/** The whole value is an SSN written `AAA-GG-SSSS` (dashes required: nine bare digits are any number). */
export function isSsn(value: string): boolean {
  const text = value.trim();
  if (text.length > 16) return false;
  const parts = SSN_DASHED.exec(toAsciiDigits(text));
  return parts !== null && ssnPartsValid(parts[1] ?? '', parts[2] ?? '', parts[3] ?? '');
}

/**
 * Nine bare digits that could be an SSN. Alone this says nothing; score.ts counts it only in a column whose name
 * says SSN.
 */
export function isBareSsn(value: string): boolean {
  const text = value.trim();
  if (text.length > 16) return false;
  const parts = SSN_BARE.exec(toAsciiDigits(text));
  return parts !== null && ssnPartsValid(parts[1] ?? '', parts[2] ?? '', parts[3] ?? '');
}

// ---------------------------------------------------------------------------------------------------------------
// IP address

const IPV4_PART = /^(?:0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const MAX_IPV6_LENGTH = 45;

/**
 * Exactly four dotted decimal parts, each 0-255 without leading zeros. `1.2.3.4` is accepted: as a value it IS a
 * valid address, and only its column can tell it is a version (score.ts takes that from the name); `1.2.3` is not.
 */
export function isIpv4(value: string): boolean {
  const parts = value.trim().split('.');
  return parts.length === 4 && parts.every((part) => IPV4_PART.test(part) && Number(part) <= 255);
}

/**
 * An IPv6 address: eight hex groups, or fewer around one `::`, optionally ending in an IPv4 address
 * (`::ffff:192.0.2.1`). Not a MAC address (six groups; the 8-group EUI-64 form of two-digit groups is refused too)
 * and not a time (`10:30:00` has three groups and no `::`).
 */
export function isIpv6(value: string): boolean {
  const text = value.trim();
  if (text.length < 2 || text.length > MAX_IPV6_LENGTH || !/^[0-9A-Fa-f:.]+$/.test(text)) return false;
  let hex = text;
  let embeddedGroups = 0;
  if (text.includes('.')) {
    const lastColon = text.lastIndexOf(':');
    if (lastColon < 0 || !isIpv4(text.slice(lastColon + 1))) return false;
    hex = text.slice(0, lastColon + 1);
    if (!hex.endsWith('::')) hex = hex.slice(0, -1);
    embeddedGroups = 2;
  }
  const halves = hex.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  if (!groups.every((group) => IPV6_GROUP.test(group))) return false;
  const total = groups.length + embeddedGroups;
  if (halves.length === 2) return total <= 7;
  return total === 8 && (embeddedGroups > 0 || !groups.every((group) => group.length === 2));
}

/** The whole value is an IPv4 or IPv6 address. */
export function isIpAddress(value: string): boolean {
  return isIpv4(value) || isIpv6(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Date of birth

/** ISO 8601 date, optionally with a time and zone (`1987-03-14`, `1987-03-14T00:00:00Z`, `… 00:00:00+01`). */
const ISO_DATE_TIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,][0-9]{1,9})?)? ?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?$/;
const MAX_DATE_TIME_LENGTH = 40;
const OLDEST_BIRTH = Date.UTC(1900, 0, 1);
const YOUNGEST_AGE_YEARS = 10;

/**
 * An ISO date (a time may follow) on a real calendar day between 1900-01-01 and ten years before `now`: someone's
 * birth could have been then. Timestamps fall there too, which is why score.ts requires a name signal for it.
 */
export function isDateOfBirth(value: string, now: Date = new Date()): boolean {
  const text = value.trim();
  if (text.length > MAX_DATE_TIME_LENGTH) return false;
  const parts = ISO_DATE_TIME.exec(text);
  if (parts === null) return false;
  const [year, month, day, hour, minute, second] = parts.slice(1).map((part) => Number(part ?? 0));
  if (year === undefined || month === undefined || day === undefined) return false;
  const time = Date.UTC(year, month - 1, day);
  const calendarDay = new Date(time);
  if (calendarDay.getUTCMonth() !== month - 1 || calendarDay.getUTCDate() !== day) return false;
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59) return false;
  const youngest = Date.UTC(now.getUTCFullYear() - YOUNGEST_AGE_YEARS, now.getUTCMonth(), now.getUTCDate());
  return time >= OLDEST_BIRTH && time <= youngest;
}

// ---------------------------------------------------------------------------------------------------------------
// Free text

const FREE_TEXT_MIN_CHARACTERS = 20;

/** Which of e-mail, phone, card and IBAN appear somewhere inside the text (each scan linear). */
export function embeddedKinds(text: string): PiiKind[] {
  const kinds: PiiKind[] = [];
  if (containsEmail(text)) kinds.push('email');
  if (containsPhone(text)) kinds.push('phone');
  if (containsCard(text)) kinds.push('card');
  if (containsIban(text)) kinds.push('iban');
  return kinds;
}

function hasAtLeastCharacters(text: string, count: number): boolean {
  if (text.length >= count * 2) return true;
  let seen = 0;
  for (const _ of text) {
    seen += 1;
    if (seen >= count) return true;
  }
  return false;
}

/**
 * Free text holding personal data: a value with whitespace, at least 20 characters, that CONTAINS an e-mail,
 * phone, card or IBAN without BEING one (a printed IBAN has spaces too; it is an iban, not a text).
 */
export function isFreeTextWithPii(value: string): boolean {
  if (!/\s/.test(value) || !hasAtLeastCharacters(value, FREE_TEXT_MIN_CHARACTERS)) return false;
  if (isEmail(value) || isPhone(value) || isCard(value) || isIban(value)) return false;
  return embeddedKinds(value).length > 0;
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Every kind the value's content alone suggests, in a fixed order. Content cannot tell a person's name, address,
 * postcode, passport, national or tax id from any other word or code, so those kinds come from names only.
 */
export function detectValue(value: string, now: Date = new Date()): readonly PiiKind[] {
  const kinds: PiiKind[] = [];
  if (isEmail(value)) kinds.push('email');
  if (isPhone(value)) kinds.push('phone');
  if (isCard(value)) kinds.push('card');
  if (isIban(value)) kinds.push('iban');
  if (isSsn(value)) kinds.push('ssn');
  if (isIpAddress(value)) kinds.push('ip-address');
  if (isDateOfBirth(value, now)) kinds.push('date-of-birth');
  if (isFreeTextWithPii(value)) kinds.push('free-text');
  return kinds;
}
