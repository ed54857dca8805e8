// Why this file exists: text-scrub finds personal data inside free text (e-mail addresses, phone numbers, card
// numbers, IBANs) and replaces each occurrence by a fixed token. The same patterns drive the masking expression
// and the verification (a scrubbed value must match none of them), on both dialects: they are bound as
// parameters, and written only with constructs that mean the same in PostgreSQL's ARE, ICU (MySQL 8) and PCRE2
// (MariaDB): bracket classes, [:space:], (?:…) and {m,n}.
import { DECIMAL_DIGIT_CLASS } from './digits.ts';
import type { Strategy } from './rules.ts';

export type ScrubKind = 'email' | 'iban' | 'card' | 'phone';

const EMAIL_CHAR = `[^[:space:]@<>(),;:"']`;
const D = DECIMAL_DIGIT_CLASS;

/**
 * The detectors, in the order they are applied: an e-mail first (it may hold digits), then an IBAN (its digit
 * groups would otherwise be taken for a card), then a card before a phone (a card number is also a long phone
 * number).
 *
 * - email: something@domain.tld, no spaces, no @ and no <>(),;:"' in either part.
 * - iban: two capital letters, two ASCII digits, then 11 to 30 capital letters or digits, a single space allowed
 *   before each (ISO 13616 print form, `DE89 3704 0044 0532 0130 00`). Lower-case IBANs are not detected.
 * - card: 13 to 19 decimal digits of any script, a single space or dash allowed between them. The Luhn check is
 *   NOT applied (a set-based Luhn over every digit run is not feasible portably): every such run is a card.
 * - phone: an optional + or (, then at least 7 decimal digits of any script, with spaces, dashes, dots and
 *   parentheses between them. Dates written with digits only (2024-01-15) are scrubbed as phones too.
 */
export const SCRUB_PATTERNS: readonly { readonly kind: ScrubKind; readonly pattern: string }[] = [
  { kind: 'email', pattern: `${EMAIL_CHAR}+@${EMAIL_CHAR}+\\.${EMAIL_CHAR}+` },
  { kind: 'iban', pattern: '[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}' },
  { kind: 'card', pattern: `${D}(?:[ -]?${D}){12,18}` },
  { kind: 'phone', pattern: `[+(]?${D}(?:[ .()-]*${D}){6,}` },
];

export const DEFAULT_REPLACEMENTS: Readonly<Record<ScrubKind, string>> = {
  email: '[email]',
  iban: '[iban]',
  card: '[card]',
  phone: '[phone]',
};

/** Every detector as one alternation: a value matching it still holds something text-scrub must remove. */
export const ANY_SCRUB_PATTERN: string = SCRUB_PATTERNS.map(({ pattern }) => `(?:${pattern})`).join('|');

/** The token written for each kind, the configured one or the default. */
export function replacementOf(
  strategy: Extract<Strategy, { strategy: 'text-scrub' }>,
  kind: ScrubKind,
): string {
  return strategy.replacement?.[kind] ?? DEFAULT_REPLACEMENTS[kind];
}
