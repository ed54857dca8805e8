// The content detectors decide, value by value, what a sampled column holds: each must accept the shapes real
// data comes in and refuse the look-alikes every schema is full of (order numbers, product codes, hashes, UUIDs,
// timestamps, versions, prices, ISBNs, the pseudonyms masking writes), and stay linear on hostile 100 KB values.
import { describe, expect, it } from 'vitest';
import {
  cardNetworkOf,
  containsCard,
  containsEmail,
  containsIban,
  containsPhone,
  detectValue,
  embeddedKinds,
  ibanValid,
  isBarePhone,
  isBareSsn,
  isCard,
  isDateOfBirth,
  isEmail,
  isFreeTextWithPii,
  isIban,
  isIpAddress,
  isIpv4,
  isIpv6,
  isPhone,
  isSsn,
  luhnValid,
  ssnPartsValid,
  toAsciiDigits,
} from '#shared/discovery/detectors';

const NOW = new Date('2026-06-01T00:00:00Z');

/** The number with its Luhn check digit appended, computed independently of luhnValid. */
function withCheckDigit(body: string): string {
  let sum = 0;
  [...body].reverse().forEach((char, position) => {
    const doubled = position % 2 === 0 ? Number(char) * 2 : Number(char);
    sum += doubled > 9 ? doubled - 9 : doubled;
  });
  return `${body}${(10 - (sum % 10)) % 10}`;
}

describe('toAsciiDigits', () => {
  it('maps every script’s digits to ASCII and leaves everything else', () => {
    expect(toAsciiDigits('٠٧٧٠٠ ९००१२३ ０２０ 𝟕')).toBe('07700 900123 020 7');
    expect(toAsciiDigits('abc-123')).toBe('abc-123');
  });
});

describe('email', () => {
  it.each([
    'ana@example.org',
    'first.last+tag@sub.example.co.uk',
    'USER_1@EXAMPLE.COM',
    'jürgen.müller@beispiel.de',
    'x@xn--bcher-kva.example',
    '  padded@example.org  ',
  ])('accepts %s', (value) => {
    expect(isEmail(value)).toBe(true);
    expect(detectValue(value, NOW)).toEqual(['email']);
  });

  it.each([
    ['the pseudonym masking writes', 'u_a67ad5551d3e72b2@example.invalid'],
    ['any address at .invalid', 'someone@test.invalid'],
    ['no top-level domain', 'a@localhost'],
    ['a one-letter top-level domain', 'a@b.c'],
    ['a numeric top-level domain', 'a@10.0.0.1'],
    ['two @', 'a@@b.com'],
    ['a space', 'a b@c.com'],
    ['a leading dot', '.a@b.com'],
    ['two dots', 'a..b@c.com'],
    ['a label starting with a dash', 'a@-b.com'],
    ['no local part', '@b.com'],
    ['no domain', 'a@'],
    ['a display name', 'Ana <ana@example.org>'],
    ['a mailto: link', 'mailto:ana@example.org'],
    ['a quote (left out, as in text-scrub)', "o'brien@example.org"],
    ['a hex hash', '5d41402abc4b2a76b9719d911017c592'],
  ])('refuses %s', (_why, value) => {
    expect(isEmail(value)).toBe(false);
  });

  it('finds an address inside text, a sentence’s full stop not included, but not a pseudonym', () => {
    expect(containsEmail('Please write to ana@example.org.')).toBe(true);
    expect(containsEmail('mailto:ana@example.org')).toBe(true);
    expect(containsEmail('masked: u_a67ad5551d3e72b2@example.invalid')).toBe(false);
    expect(containsEmail('twitter @ana and @bob')).toBe(false);
  });
});

describe('phone', () => {
  it.each([
    ['E.164', '+4915112345678'],
    ['E.164 with spaces', '+44 20 7946 0018'],
    ['E.164 with a bracketed trunk zero', '+44 (0)20 7946 0018'],
    ['E.164, 8 digits', '+1-555-9595'],
    ['France, international', '+33 1 23 45 67 89'],
    ['international 00', '0044 20 7946 0018'],
    ['international 00, apart', '00 44 20 7946 0018'],
    ['NANP with brackets', '(555) 123-4567'],
    ['NANP with dashes', '555-123-4567'],
    ['NANP with dots', '555.123.4567'],
    ['NANP after a 1', '1-555-123-4567'],
    ['NANP after +1', '+1 (555) 123-4567'],
    ['UK London', '020 7946 0018'],
    ['UK mobile', '07700 900123'],
    ['DE Berlin', '030 1234567'],
    ['DE with bracketed area code', '(030) 1234567'],
    ['DE mobile', '0151 1234 5678'],
    ['FR', '01 23 45 67 89'],
    ['FR with dots', '01.23.45.67.89'],
    ['NL', '020-123 4567'],
    ['Arabic-Indic digits', '٠٧٧٠٠ ٩٠٠١٢٣'],
    ['Devanagari digits', '०२० ७९४६ ००१८'],
    ['fullwidth digits', '＋４４ ２０ ７９４６ ００１８'],
    ['no-break spaces', '01\u00a023\u00a045\u00a067\u00a089'],
    ['non-breaking hyphens', '555\u2011123\u20114567'],
  ])('accepts %s: %s', (_why, value) => {
    expect(isPhone(value)).toBe(true);
  });

  it.each([
    ['a plain integer', '12345'],
    ['a year', '2024'],
    ['an ISO date', '2024-01-15'],
    ['a dotted date', '15.01.2024'],
    ['a dotted date starting 0', '01.02.2024'],
    ['a time', '10:30:00'],
    ['an ISO timestamp', '2024-01-15T10:30:00Z'],
    ['a decimal', '3.14159265358979'],
    ['a decimal below 1', '0.1234567890'],
    ['a price', '1234.56'],
    ['an IPv4-like version', '1.2.3.4'],
    ['a build version', '10.0.19041.1'],
    ['an 8-digit order number', '12345678'],
    ['a 9-digit order number', '123456789'],
    ['a 10-digit number without trunk 0', '1234567890'],
    ['a 7-digit local number', '555-1234'],
    ['an SSN', '123-45-6789'],
    ['too short after +', '+123 456'],
    ['too long after +', '+1234567890123456'],
    ['too many groups after +', '+1 2 3 4 5 6 7 8'],
    ['an unbalanced bracket', '(555 123-4567'],
    ['a closing bracket alone', '555) 123-4567'],
    ['thousands written with spaces', '912 345 678'],
    ['an IPv4 address with leading zeros', '010.010.010.010'],
    ['a product code', 'SKU-0207-9460018'],
    ['bare digits, even with a trunk 0 (only with a name: score.ts)', '07700900123'],
    ['a zero-padded identifier', '0123456789'],
    ['an order number after 00 with no country code', '005-8399131-4993165'],
    ['a MAC address of decimal digits', '03-66-71-11-40-78'],
    ['a card number', '4111 1111 1111 1111'],
    ['an ISBN-13', '978-3-16-148410-0'],
    ['an ISBN-10 with hyphens', '0-306-40615-2'],
    ['an ISBN-10 whose digits start 00', '0-096-99113-2'],
    ['an SSN with area 0xx (its shape is the SSN detector’s)', '078-05-1120'],
  ])('refuses %s: %s', (_why, value) => {
    expect(isPhone(value)).toBe(false);
  });

  it('reads ten or eleven bare digits after a trunk 0 as a possible phone number', () => {
    expect(isBarePhone('07700900123')).toBe(true);
    expect(isBarePhone('0301234567')).toBe(true);
    expect(isBarePhone('030123456')).toBe(false);
    expect(isBarePhone('0030123456')).toBe(false);
    expect(isBarePhone('7700900123')).toBe(false);
    expect(isBarePhone('07700 900123')).toBe(false);
  });

  it('finds a number inside text, bare ones included, also after a date or before a word', () => {
    expect(containsPhone('ring me on 07700900123 tonight')).toBe(true);
    expect(containsPhone('Call me on +44 20 7946 0018 after six')).toBe(true);
    expect(containsPhone('Termin 01.02.2024 0612345678')).toBe(true);
    expect(containsPhone('ring 020 7946 0018 2 times')).toBe(true);
    expect(containsPhone('Meeting 01.02.2024 12:30 in room 0815')).toBe(false);
    expect(containsPhone('Order 12345678 shipped 2024-01-15 at 10:30')).toBe(false);
    expect(containsPhone('item SKU-020-7946-0018 is back')).toBe(false);
    expect(containsPhone('uuid 123e4567-e89b-12d3-a456-426614174000')).toBe(false);
    // Digits glued to letters are part of a word: a hash, a code, a reference.
    expect(containsPhone('hash f3a07700900123 stored')).toBe(false);
    expect(containsPhone('ref 07700900123b stored')).toBe(false);
    expect(containsPhone('ref #07700900123 stored')).toBe(false);
  });
});

describe('card', () => {
  it.each([
    ['Visa', '4111111111111111'],
    ['Visa, 13 digits', '4222222222222'],
    ['Visa, 19 digits', '4111111111111111003'],
    ['Visa, printed', '4111 1111 1111 1111'],
    ['Visa, dashed', '4012-8888-8888-1881'],
    ['Mastercard 51-55', '5555555555554444'],
    ['Mastercard 2-series', '2221000000000009'],
    ['Amex', '378282246310005'],
    ['Amex, printed 4-6-5', '3714 496353 98431'],
    ['Discover 6011', '6011111111111117'],
    ['Discover 65', withCheckDigit('650000000000000')],
    ['JCB', '3530111333300000'],
    ['Diners 305', '30569309025904'],
    ['Diners 36, printed 4-6-4', '3622 720627 1667'],
    ['Diners 38', '38520000023237'],
    ['UnionPay', '6200000000000005'],
    ['Arabic-Indic digits', '٤١١١١١١١١١١١١١١١'],
  ])('accepts %s: %s', (_why, value) => {
    expect(isCard(value)).toBe(true);
    expect(detectValue(value, NOW)).toContain('card');
  });

  it.each([
    ['a Luhn failure', '4111111111111112'],
    ['an order number passing Luhn, prefix 9', withCheckDigit('911111111111111')],
    ['an order number passing Luhn, prefix 1', withCheckDigit('123456789012345')],
    ['an order number passing Luhn, prefix 0', withCheckDigit('000012345678901')],
    ['an order number passing Luhn, prefix 7', withCheckDigit('700000001234567')],
    ['a 10-digit order number passing Luhn', withCheckDigit('412345678')],
    ['an Amex prefix at 16 digits', withCheckDigit('341111111111111')],
    ['a Mastercard prefix at 15 digits', withCheckDigit('55555555555544')],
    ['a product code', 'SKU-4111-1111'],
    ['a product code around a card', 'SKU-4111-1111-1111-1111'],
    ['mixed separators', '4111-1111 1111-1111'],
    ['groups not as printed', '41 11 11 11 11 11 11 11'],
    ['double spaces', '4111  1111  1111  1111'],
    ['a masked card', '411111******1111'],
    ['an ISBN-13', '9780306406157'],
    ['a phone number', '+49 151 12345678'],
  ])('refuses %s: %s', (_why, value) => {
    expect(isCard(value)).toBe(false);
  });

  it('checks Luhn and the networks’ prefixes and lengths', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('4111-1111')).toBe(false);
    expect(cardNetworkOf('4111111111111111')).toBe('visa');
    expect(cardNetworkOf('2720999999999999')).toBe('mastercard');
    expect(cardNetworkOf('2721000000000000')).toBeUndefined();
    expect(cardNetworkOf('3589000000000000')).toBe('jcb');
    expect(cardNetworkOf('3590000000000000')).toBeUndefined();
    expect(cardNetworkOf('30600000000000')).toBeUndefined();
    expect(cardNetworkOf('9111111111111111')).toBeUndefined();
  });

  it('finds a card inside text, not one glued to a code or after a +', () => {
    expect(containsCard('Paid with 4111 1111 1111 1111, refund pending')).toBe(true);
    expect(containsCard('card:4111111111111111')).toBe(true);
    expect(containsCard('SKU-4111-1111-1111-1111 back in stock')).toBe(false);
    expect(containsCard('call +49 151 12345678')).toBe(false);
    expect(containsCard('hash ab4111111111111111 stored')).toBe(false);
    expect(containsCard('hash 4111111111111111ab stored')).toBe(false);
    expect(containsCard('masked ****4111111111111111 stored')).toBe(false);
  });
});

describe('iban', () => {
  it.each([
    'DE89 3704 0044 0532 0130 00',
    'DE89370400440532013000',
    'GB82 WEST 1234 5698 7654 32',
    'FR14 2004 1010 0505 0001 3M02 606',
    'NL91ABNA0417164300',
    'CH93 0076 2011 6238 5295 7',
    'NO93 8601 1117 947',
    'ES91 2100 0418 4502 0005 1332',
    'IT60 X054 2811 1010 0000 0123 456',
    'BE68 5390 0754 7034',
    'AT61 1904 3002 3457 3201',
    'PL61 1090 1014 0000 0712 1981 2874',
  ])('accepts %s', (value) => {
    expect(isIban(value)).toBe(true);
    expect(detectValue(value, NOW)).toEqual(['iban']);
  });

  it.each([
    ['a wrong check', 'DE89 3704 0044 0532 0130 01'],
    ['too short for DE', 'DE8937040044053201300'],
    ['too long for DE', 'DE893704004405320130000'],
    ['an unknown country', 'XX89370400440532013000'],
    ['lower case (as in text-scrub)', 'de89370400440532013000'],
    ['check digits 00', 'DE00370400440532013000'],
    ['two spaces', 'DE89  3704 0044 0532 0130 00'],
    ['a hex hash', 'DE1234567890ABCDEF1234567890ABCDEF'],
  ])('refuses %s', (_why, value) => {
    expect(isIban(value)).toBe(false);
  });

  it('validates the compact form alone', () => {
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('GB82 WEST 1234 5698 7654 32')).toBe(false);
    expect(ibanValid('GB83WEST12345698765432')).toBe(false);
  });

  it('finds an IBAN inside text, not one running on into a word', () => {
    expect(containsIban('Transfer to DE89 3704 0044 0532 0130 00 by Friday')).toBe(true);
    expect(containsIban('IBAN:GB82WEST12345698765432.')).toBe(true);
    expect(containsIban('ref DE89370400440532013000X1')).toBe(false);
    expect(containsIban('XDE89370400440532013000')).toBe(false);
  });
});

describe('ssn', () => {
  it.each(['123-45-6789', '078-05-1120', '899-99-9999', '١٢٣-٤٥-٦٧٨٩'])('accepts %s', (value) => {
    expect(isSsn(value)).toBe(true);
    expect(detectValue(value, NOW)).toEqual(['ssn']);
  });

  it.each([
    ['area 000', '000-12-3456'],
    ['area 666', '666-12-3456'],
    ['area 900-999', '900-12-3456'],
    ['group 00', '123-00-4567'],
    ['serial 0000', '123-45-0000'],
    ['no dashes (only with a name: score.ts)', '123456789'],
    ['other grouping', '12-345-6789'],
  ])('refuses %s', (_why, value) => {
    expect(isSsn(value)).toBe(false);
  });

  it('reads nine bare digits as a possible SSN, with the same ranges', () => {
    expect(isBareSsn('123456789')).toBe(true);
    expect(isBareSsn('666123456')).toBe(false);
    expect(isBareSsn('12345678')).toBe(false);
    expect(ssnPartsValid('999', '12', '3456')).toBe(false);
  });
});

describe('ip-address', () => {
  it.each([
    '192.168.0.1',
    '0.0.0.0',
    '255.255.255.255',
    // A valid address and a version string alike: content cannot tell, the column's name can (score.ts).
    '1.2.3.4',
    '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
    '2001:db8::8a2e:370:7334',
    '::1',
    'fe80::1',
    '::ffff:192.0.2.128',
    '64:ff9b::192.0.2.33',
  ])('accepts %s', (value) => {
    expect(isIpAddress(value)).toBe(true);
    expect(detectValue(value, NOW)).toEqual(['ip-address']);
  });

  it.each([
    ['a part over 255', '256.1.1.1'],
    ['a semantic version', '1.2.3'],
    ['five parts', '1.2.3.4.5'],
    ['a leading zero', '01.2.3.4'],
    ['a MAC address', '00:1A:2B:3C:4D:5E'],
    ['a dashed MAC address', '00-1A-2B-3C-4D-5E'],
    ['an EUI-64', '00:1a:2b:ff:fe:3c:4d:5e'],
    ['a time', '10:30:00'],
    ['a short time', '12:30'],
    ['two ::', '1::2::3'],
    ['three colons', '2001:db8:::1'],
    ['a group of five', '12345::'],
    ['a non-hex group', 'g::1'],
    ['nine groups', '1:2:3:4:5:6:7:8:9'],
    ['a UUID', '550e8400-e29b-41d4-a716-446655440000'],
  ])('refuses %s', (_why, value) => {
    expect(isIpAddress(value)).toBe(false);
  });

  it('tells the two families apart', () => {
    expect(isIpv4('10.0.0.1')).toBe(true);
    expect(isIpv6('10.0.0.1')).toBe(false);
    expect(isIpv6('::')).toBe(true);
    expect(isIpv4('::')).toBe(false);
  });
});

describe('date-of-birth', () => {
  it.each([
    '1987-03-14',
    '1900-01-01',
    // Exactly ten years before NOW.
    '2016-06-01',
    '1987-03-14T08:30:00Z',
    '1987-03-14 00:00:00+01',
    '1987-03-14 00:00:00.000000',
    '1988-02-29',
  ])('accepts %s', (value) => {
    expect(isDateOfBirth(value, NOW)).toBe(true);
  });

  it.each([
    ['before 1900', '1899-12-31'],
    ['under ten years before now', '2016-06-02'],
    ['this year', '2026-01-01'],
    ['not a calendar day', '1987-02-30'],
    ['not a leap year', '1987-02-29'],
    ['month 13', '1987-13-01'],
    ['not ISO', '14.03.1987'],
    ['a bad hour', '1987-03-14T25:00:00'],
    ['no dashes', '19870314'],
  ])('refuses %s', (_why, value) => {
    expect(isDateOfBirth(value, NOW)).toBe(false);
  });

  it('moves with now', () => {
    expect(isDateOfBirth('2016-06-02', new Date('2026-06-02T00:00:00Z'))).toBe(true);
  });
});

describe('free-text', () => {
  it.each([
    ['a phone', 'Please call me on +44 20 7946 0018 after six'],
    ['an e-mail', 'Customer wrote from ana@example.org about the refund'],
    ['a card', 'Paid with 4111 1111 1111 1111, refund pending'],
    ['an IBAN', 'Transfer to DE89 3704 0044 0532 0130 00 by Friday'],
    ['a phone in Devanagari digits', 'Bitte unter ०७७०० ९००१२३ zurückrufen'],
    ['a named mailbox', 'Ana Lovelace <ana@example.org>'],
  ])('accepts text with %s', (_why, value) => {
    expect(isFreeTextWithPii(value)).toBe(true);
    expect(detectValue(value, NOW)).toContain('free-text');
  });

  it.each([
    ['a printed IBAN itself', 'DE89 3704 0044 0532 0130 00'],
    ['a phone itself', '+44 (0)20 7946 0018'],
    ['short text', 'at ana@example.org'],
    ['no whitespace', 'contact:ana@example.org;phone:+442079460018'],
    ['order numbers and timestamps', 'Order 12345678 shipped on 2024-01-15 at 10:30'],
    ['a version and a date', 'Version 1.2.3.4 released 2024-01-15'],
    ['a pseudonym', 'masked u_a67ad5551d3e72b2@example.invalid, nothing else'],
    ['a product code', 'SKU-4111-1111-1111-1111 back in stock'],
    ['ISBNs', 'See ISBN 978-3-16-148410-0 and 0-306-40615-2'],
    ['a UUID', 'uuid 550e8400-e29b-41d4-a716-446655440000 failed'],
    ['a price', 'Total € 1.234,56 incl. VAT, due 2024-01-15'],
  ])('refuses %s', (_why, value) => {
    expect(isFreeTextWithPii(value)).toBe(false);
  });

  it('says which kinds it found inside', () => {
    expect(embeddedKinds('Ana (ana@example.org, +44 20 7946 0018) paid DE89370400440532013000')).toEqual([
      'email',
      'phone',
      'iban',
    ]);
  });
});

describe('detectValue', () => {
  it('says nothing about look-alikes', () => {
    const lookAlikes = [
      '',
      'hello',
      '42',
      '19.99',
      '1.2.3',
      'v2.0.1',
      '2024-01-15T10:30:00Z',
      '550e8400-e29b-41d4-a716-446655440000',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'SKU-4111-1111',
      '978-3-16-148410-0',
      'u_a67ad5551d3e72b2@example.invalid',
      withCheckDigit('912345678901234'),
    ];
    for (const value of lookAlikes) expect(detectValue(value, NOW), value).toEqual([]);
  });

  it('reports each kind a value is at once', () => {
    expect(detectValue('1987-03-14', NOW)).toEqual(['date-of-birth']);
    expect(detectValue('1987-03-14', new Date('1990-01-01T00:00:00Z'))).toEqual([]);
  });

  // Each input would make a naive pattern backtrack for minutes ((a+)+@, ([0-9] ?)+, (\w+\.)+ …). Only the results
  // are asserted: a regression shows as this file timing out, not as a flaky duration threshold.
  it.each([
    ['local-part characters and no domain', `${'a'.repeat(100_000)}@`],
    ['a domain of endless labels', `@${'a.'.repeat(50_000)}`],
    ['an @ after every character', `${'a@'.repeat(50_000)} x`],
    ['digits and spaces', '1 '.repeat(50_000)],
    ['digits and dashes', `${'1-'.repeat(50_000)} x`],
    ['open brackets', '+1 ('.repeat(25_000)],
    ['colons', ':'.repeat(100_000)],
    ['country codes', 'DE89 '.repeat(20_000)],
    ['dotted digits', '1.'.repeat(50_000)],
    ['zeros and spaces', '0 0 '.repeat(25_000)],
  ])('stays linear on %s (100 KB)', (_why, value) => {
    expect(value.length).toBeGreaterThanOrEqual(100_000);
    expect(detectValue(value, NOW)).toEqual([]);
  });

  it('still finds what a 100 KB text holds at its very end', () => {
    expect(detectValue(`${'lorem ipsum '.repeat(8_500)}ana@example.org`, NOW)).toEqual(['free-text']);
    expect(detectValue(`${'1 '.repeat(50_000)}+44 20 7946 0018`, NOW)).toEqual(['free-text']);
  });
});
