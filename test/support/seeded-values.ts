// Generated test values that are the same on every machine: a seeded generator, and the check digits real
// identifiers carry (Luhn for card numbers, mod-97 for IBANs), so the discovery tests' PII passes the same checks
// real data does and their look-alikes fail them for the right reason.

/** mulberry32: a small, well-mixed 32-bit generator; the same seed gives the same values everywhere. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** One of the makers, called: for values that come in several shapes. */
  oneOf(makers: readonly (() => string)[]): string {
    return this.pick(makers)();
  }

  digits(count: number): string {
    return Array.from({ length: count }, () => String(this.int(0, 9))).join('');
  }

  hex(count: number): string {
    return Array.from({ length: count }, () => this.int(0, 15).toString(16)).join('');
  }

  letters(count: number): string {
    return Array.from({ length: count }, () => String.fromCharCode(65 + this.int(0, 25))).join('');
  }
}

const pad2 = (value: number) => String(value).padStart(2, '0');

/** The Luhn check digit of `body` (the digits before it). */
function luhnDigit(body: string): number {
  let sum = 0;
  [...body].reverse().forEach((char, position) => {
    const value = position % 2 === 0 ? Number(char) * 2 : Number(char);
    sum += value > 9 ? value - 9 : value;
  });
  return (10 - (sum % 10)) % 10;
}

/** The body with its Luhn check digit, so generated cards (and order numbers) pass Luhn. */
export const luhnCompleted = (body: string): string => `${body}${luhnDigit(body)}`;

/** ISO 13616 mod-97 of an IBAN's text, letters as 10-35. */
function mod97(text: string): number {
  const numeric = text.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const char of numeric) remainder = (remainder * 10 + Number(char)) % 97;
  return remainder;
}

/** An IBAN with correct check digits for a BBAN. */
export const ibanOf = (country: string, bban: string): string =>
  `${country}${pad2(98 - mod97(`${bban}${country}00`))}${bban}`;
