// Whatever reaches an alert (a hook's name, a DMS error text, a database message) must not make SNS refuse
// it. These properties generate subjects, messages and ids from every awkward corner of Unicode (controls,
// line breaks, lone surrogates, astral characters, huge texts) and check that fitAlert's result always
// satisfies SNS's limits and the 64 KiB bound, and that fitting twice changes nothing.
// The seed is fixed and printed, so a failure here reproduces.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ALERT_ID_MAX_CHARS,
  type Alert,
  buildAlert,
  fitAlert,
  MESSAGE_LIMIT_BYTES,
} from '#shared/alerts/alerts';

const SEED = 20261201;
const NUM_RUNS = 1000;
const RUNS = { seed: SEED, numRuns: NUM_RUNS } as const;
console.log(`alert properties: fast-check seed ${SEED}, ${NUM_RUNS} runs each`);

const awkwardChar = fc.constantFrom(
  'a',
  'Z',
  '7',
  ' ',
  '.',
  '$',
  '~',
  '\n',
  '\r',
  '\t',
  '\u000b',
  '\u0000',
  '\u0007',
  '\u007f',
  '\u0085',
  '\u00a0',
  'é',
  '€',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ufffe',
  '\uffff',
  '🔥',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
);
const text = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: awkwardChar, maxLength, size: 'max' }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
  );
/** Large texts built by repeating a short awkward one, so sizes around and far over 64 KiB come up cheaply. */
const huge = fc
  .record({ piece: text(8).filter((piece) => piece.length > 0), times: fc.integer({ min: 1, max: 30_000 }) })
  .map(({ piece, times }) => piece.repeat(times));

const alertArb: fc.Arbitrary<Alert> = fc
  .record({
    subject: fc.oneof(text(200), huge),
    message: fc.oneof(text(500), huge),
    id: fc.option(fc.oneof(text(300), huge), { nil: undefined }),
  })
  .map(({ subject, message, id }) => ({ subject, message, ...(id !== undefined && { id }) }));

/** No lone surrogates: every high surrogate followed by a low one, every low one preceded by a high one. */
function isWellFormed(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) return false;
  }
  return true;
}

function assertWithinSnsLimits(alert: Alert): void {
  // Subject: printable ASCII, one line, fewer than 100 characters, starting with a letter, digit or punctuation.
  expect(alert.subject.length).toBeGreaterThan(0);
  expect(alert.subject.length).toBeLessThan(100);
  expect(alert.subject).toMatch(/^[A-Za-z0-9!"#%&'()*,\-./:;?@[\\\]_{}][\x20-\x7E]*$/);
  // Message: non-empty, well-formed, at most 64 KiB of UTF-8, no character XML cannot carry.
  expect(alert.message.trim().length).toBeGreaterThan(0);
  expect(isWellFormed(alert.message)).toBe(true);
  expect(Buffer.byteLength(alert.message, 'utf8')).toBeLessThanOrEqual(MESSAGE_LIMIT_BYTES);
  expect([...alert.message].some(isXmlInvalid)).toBe(false);
  if (alert.id !== undefined) {
    expect(alert.id.length).toBeGreaterThan(0);
    expect(alert.id.length).toBeLessThanOrEqual(ALERT_ID_MAX_CHARS);
    expect(alert.id).toMatch(/^[\x20-\x7E]+$/);
  }
}

const seen = { messagesCut: 0, subjectsCut: 0, largest: 0 };

afterAll(() => {
  console.log(`alert properties: ${JSON.stringify(seen)}`);
});

describe('fitAlert on generated alerts', () => {
  it('always satisfies SNS’s limits and the 64 KiB bound', () => {
    fc.assert(
      fc.property(alertArb, (alert) => {
        const fitted = fitAlert(alert);
        assertWithinSnsLimits(fitted);
        seen.largest = Math.max(seen.largest, Buffer.byteLength(alert.message, 'utf8'));
        if (fitted.message.includes('\n[... truncated: ')) seen.messagesCut++;
        if (fitted.subject.endsWith('...') && !alert.subject.endsWith('...')) seen.subjectsCut++;
      }),
      RUNS,
    );
    expect(seen.messagesCut).toBeGreaterThan(50);
    expect(seen.subjectsCut).toBeGreaterThan(50);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(alertArb, (alert) => {
        const once = fitAlert(alert);
        expect(fitAlert(once)).toStrictEqual(once);
      }),
      RUNS,
    );
  });

  it('leaves an alert that already fits untouched', () => {
    const fitting = fc
      .record({
        subject: fc.stringMatching(/^[A-Za-z0-9][\x21-\x7E]{0,40}( [\x21-\x7E]{1,20}){0,2}$/),
        message: fc
          .string({
            unit: fc.constantFrom('a', ' ', '\n', '\t', 'é', '€', '🔥'),
            minLength: 1,
            maxLength: 2000,
          })
          .filter((message) => message.trim().length > 0),
        id: fc.stringMatching(/^[\x20-\x7E]{1,256}$/),
      })
      // fc.record makes null-prototype objects; an Alert is a plain one.
      .map((alert): Alert => ({ ...alert }));
    fc.assert(
      fc.property(fitting, (alert) => {
        expect(fitAlert(alert)).toStrictEqual(alert);
      }),
      RUNS,
    );
  });

  it('keeps the message whole when it fits, else a prefix of it and a marker that counts the rest', () => {
    fc.assert(
      fc.property(fc.oneof(huge, text(500)), (message) => {
        const fitted = fitAlert({ subject: 's', message }).message;
        const expected = sanitised(message);
        if (expected.trim().length === 0) return; // the fallback text, checked in the unit tests
        const marker = /\n\[\.\.\. truncated: (\d+) more bytes\]$/.exec(fitted);
        const expectedBytes = Buffer.byteLength(expected, 'utf8');
        if (expectedBytes <= MESSAGE_LIMIT_BYTES) {
          expect(fitted).toBe(expected);
          return;
        }
        if (marker === null) throw new Error('a message over the limit was not marked as cut');
        const kept = fitted.slice(0, marker.index);
        expect(expected.startsWith(kept)).toBe(true);
        expect(Buffer.byteLength(kept, 'utf8') + Number(marker[1])).toBe(expectedBytes);
      }),
      RUNS,
    );
  });

  it('buildAlert returns fitted alerts whatever the task and headline', () => {
    fc.assert(
      fc.property(
        text(300),
        fc.oneof(text(300), huge),
        fc.array(text(100), { maxLength: 5 }),
        (taskIdentifier, headline, lines) => {
          const alert = buildAlert({ taskIdentifier, headline, lines });
          assertWithinSnsLimits(alert);
          expect(fitAlert(alert)).toStrictEqual(alert);
        },
      ),
      RUNS,
    );
  });
});

/** C0 controls but tab, line feed and carriage return; U+FFFE, U+FFFF; lone surrogates. */
function isXmlInvalid(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (
    (code >= 0xd800 && code <= 0xdfff) ||
    (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) ||
    code === 0xfffe ||
    code === 0xffff
  );
}

/** The message with each unit SNS's XML cannot carry replaced by U+FFFD, written independently of fitAlert. */
function sanitised(message: string): string {
  let out = '';
  for (const char of message) out += isXmlInvalid(char) ? '\ufffd' : char;
  return out;
}
