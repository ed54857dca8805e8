// Alerts are how a person learns that a run needs them, so an alert SNS would refuse is an alert lost. SNS
// refuses a subject that is not printable ASCII, holds a line break or is not less than 100 characters,
// and a message that is empty or over 256 KB. These tests pin how buildAlert words an alert and how
// fitAlert brings any alert within those limits (the message within 64 KiB) while changing as little as
// it can, idempotently.
import { describe, expect, it } from 'vitest';
import {
  ALERT_ID_MAX_CHARS,
  buildAlert,
  fitAlert,
  MESSAGE_LIMIT_BYTES,
  SUBJECT_MAX_CHARS,
} from '#shared/alerts/alerts';

const PREFIX = 'dms-scheduler: nightly-refresh: ';
const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

describe('buildAlert', () => {
  it('names the scheduler and the task in the subject, and starts the message with the headline', () => {
    const alert = buildAlert({
      taskIdentifier: 'nightly-refresh',
      headline: 'the run failed',
      lines: ['Task: nightly-refresh', 'DMS stop reason: Stop Reason FATAL_ERROR'],
    });
    expect(alert).toStrictEqual({
      subject: 'dms-scheduler: nightly-refresh: the run failed',
      message: 'the run failed.\n\nTask: nightly-refresh\nDMS stop reason: Stop Reason FATAL_ERROR',
    });
  });

  it('carries the alert id when given one', () => {
    const alert = buildAlert({ taskIdentifier: 't', headline: 'h', lines: [], id: 'run-1:start-failed' });
    expect(alert.id).toBe('run-1:start-failed');
  });

  it('keeps a subject of exactly 99 characters whole', () => {
    const headline = 'h'.repeat(SUBJECT_MAX_CHARS - PREFIX.length);
    expect(buildAlert({ taskIdentifier: 'nightly-refresh', headline, lines: [] }).subject).toBe(
      PREFIX + headline,
    );
  });

  it('cuts a subject of 100 characters, which SNS would refuse', () => {
    const headline = 'h'.repeat(100 - PREFIX.length);
    const { subject } = buildAlert({ taskIdentifier: 'nightly-refresh', headline, lines: [] });
    expect(subject).toBe(`${PREFIX}${'h'.repeat(96 - PREFIX.length)}...`);
    expect(subject).toHaveLength(99);
  });

  it.each([
    ['a long headline', 'nightly-refresh', `hook ${'mask-'.repeat(30)}failed`],
    ['a long task identifier', `t${'x'.repeat(254)}`, 'the run failed'],
  ])('truncates %s to 99 characters, marked with an ellipsis', (_, taskIdentifier, headline) => {
    const { subject, message } = buildAlert({ taskIdentifier, headline, lines: ['details'] });
    expect(subject).toHaveLength(99);
    expect(subject.endsWith('...')).toBe(true);
    expect(subject.startsWith('dms-scheduler: ')).toBe(true);
    // The message is not shortened: the full headline is still there.
    expect(message.startsWith(`${headline}.`)).toBe(true);
  });

  it('does not leave a space before the ellipsis', () => {
    const headline = `${'h'.repeat(96 - PREFIX.length - 1)} and more words`;
    const { subject } = buildAlert({ taskIdentifier: 'nightly-refresh', headline, lines: [] });
    expect(subject).toBe(`${PREFIX}${'h'.repeat(96 - PREFIX.length - 1)}...`);
  });

  it.each([
    ['accents', 'hook masque-données failed', 'hook masque-donn?es failed'],
    ['an em dash', 'the run failed — tables in error', 'the run failed ? tables in error'],
    ['a line break', 'the run failed\nsee the log', 'the run failed see the log'],
    ['CRLF and runs of blanks', 'the run failed\r\n\r\n   see  the log', 'the run failed see the log'],
    ['a tab and a control character', 'the run\tfailed\u0007', 'the run failed?'],
    ['DEL', 'the run\u007ffailed', 'the run?failed'],
    ['an emoji (one character, one ?)', 'the run failed 🔥', 'the run failed ?'],
    ['a lone surrogate', 'the run failed \ud800', 'the run failed ?'],
    ['a no-break space and a line separator', 'the\u00a0run\u2028failed', 'the run failed'],
    ['trailing whitespace', 'the run failed \n\t ', 'the run failed'],
  ])('makes a subject with %s plain one-line ASCII', (_, headline, expected) => {
    const { subject } = buildAlert({ taskIdentifier: 'nightly-refresh', headline, lines: [] });
    expect(subject).toBe(`${PREFIX}${expected}`);
    expect(subject).toMatch(/^[\x20-\x7E]+$/);
  });

  it('truncates after making the subject ASCII, so it still fits', () => {
    const { subject } = buildAlert({
      taskIdentifier: 'nightly-refresh',
      headline: 'é'.repeat(120),
      lines: [],
    });
    expect(subject).toBe(`${PREFIX}${'?'.repeat(96 - PREFIX.length)}...`);
  });

  it('keeps the message body as written (SNS messages may be any UTF-8)', () => {
    const { message } = buildAlert({
      taskIdentifier: 'nightly-refresh',
      headline: 'hook masque-données failed',
      lines: ['é', '🔥'],
    });
    expect(message).toBe('hook masque-données failed.\n\né\n🔥');
  });
});

describe('fitAlert on the subject', () => {
  const subjectOf = (subject: string) => fitAlert({ subject, message: 'm' }).subject;

  it.each([
    ['empty', ''],
    ['only whitespace', ' \n\t\r '],
    ['only characters a subject may not start with', '$+<=>^`|~'],
  ])('falls back to a fixed subject when it is %s', (_, subject) => {
    expect(subjectOf(subject)).toBe('dms-scheduler alert');
  });

  it.each([
    ['whitespace', '  \n dms-scheduler', 'dms-scheduler'],
    ['a symbol SNS may not accept first', '+1 run failed', '1 run failed'],
    ['several such symbols and blanks', '~ ~ $run failed', 'run failed'],
  ])('drops leading %s', (_, subject, expected) => {
    expect(subjectOf(subject)).toBe(expected);
  });

  it.each([
    ['a letter', 'a'],
    ['a digit', '1'],
    ['punctuation', '[dms-scheduler] failed'],
    ['a question mark (what non-ASCII becomes)', '?'],
  ])('keeps a subject starting with %s', (_, subject) => {
    expect(subjectOf(subject)).toBe(subject);
  });

  it('keeps symbols after the first character', () => {
    expect(subjectOf('a $+<=>^`|~ b')).toBe('a $+<=>^`|~ b');
  });

  it('reads only what it needs of a huge subject', () => {
    expect(subjectOf('s'.repeat(10_000_000))).toBe(`${'s'.repeat(96)}...`);
  });
});

describe('fitAlert on the message', () => {
  const messageOf = (message: string) => fitAlert({ subject: 's', message }).message;

  it.each([
    ['empty', ''],
    ['only whitespace', ' \n\t '],
  ])('falls back to a fixed text when it is %s', (_, message) => {
    expect(messageOf(message)).toBe('(this alert has no details)');
  });

  it('keeps a message of exactly 64 KiB whole', () => {
    const message = 'm'.repeat(MESSAGE_LIMIT_BYTES);
    expect(messageOf(message)).toBe(message);
  });

  it('keeps a message of exactly 64 KiB of multi-byte characters whole', () => {
    const message = `${'€'.repeat((MESSAGE_LIMIT_BYTES - 1) / 3)}x`;
    expect(utf8(message)).toBe(MESSAGE_LIMIT_BYTES);
    expect(messageOf(message)).toBe(message);
  });

  it('cuts a message one byte over, saying how much it dropped', () => {
    const fitted = messageOf('m'.repeat(MESSAGE_LIMIT_BYTES + 1));
    // 64 bytes are kept free for the marker, so 65 bytes of the original are dropped.
    expect(fitted).toBe(`${'m'.repeat(MESSAGE_LIMIT_BYTES - 64)}\n[... truncated: 65 more bytes]`);
    expect(utf8(fitted)).toBeLessThanOrEqual(MESSAGE_LIMIT_BYTES);
  });

  it.each([
    ['2-byte characters', 'é', 2],
    ['3-byte characters', '€', 3],
    ['surrogate pairs', '🔥', 4],
  ])('cuts %s on a character boundary', (_, char, bytes) => {
    const message = `x${char.repeat(MESSAGE_LIMIT_BYTES)}`;
    const fitted = messageOf(message);
    const kept = fitted.slice(0, fitted.indexOf('\n[... truncated: '));
    expect(kept.slice(1)).toBe(char.repeat((kept.length - 1) / char.length));
    const keptBytes = utf8(kept);
    expect(keptBytes).toBeGreaterThan(MESSAGE_LIMIT_BYTES - 64 - bytes);
    expect(fitted.endsWith(`[... truncated: ${utf8(message) - keptBytes} more bytes]`)).toBe(true);
    expect(utf8(fitted)).toBeLessThanOrEqual(MESSAGE_LIMIT_BYTES);
  });

  it('says how many bytes of a huge message it dropped', () => {
    const fitted = messageOf('m'.repeat(10_000_000));
    expect(fitted.endsWith(`[... truncated: ${10_000_000 - (MESSAGE_LIMIT_BYTES - 64)} more bytes]`)).toBe(
      true,
    );
  });

  it.each([
    ['a lone high surrogate', 'a\ud800b', 'a\ufffdb'],
    ['a lone low surrogate', 'a\udc00b', 'a\ufffdb'],
    ['a reversed pair', '\udc00\ud800', '\ufffd\ufffd'],
    ['NUL and other C0 controls', 'a\u0000b\u001bc', 'a\ufffdb\ufffdc'],
    ['the non-characters U+FFFE and U+FFFF', 'a\ufffe\uffffb', 'a\ufffd\ufffdb'],
  ])('replaces %s, which XML (SNS’s API) cannot carry', (_, message, expected) => {
    expect(messageOf(message)).toBe(expected);
  });

  it('keeps tabs, line breaks, carriage returns, DEL and astral characters', () => {
    const message = 'a\tb\nc\r\nd\u007fe🔥';
    expect(messageOf(message)).toBe(message);
  });
});

describe('fitAlert on the id', () => {
  const idOf = (id: string | undefined) =>
    fitAlert({ subject: 's', message: 'm', ...(id !== undefined && { id }) }).id;

  it('keeps an ordinary id as it is', () => {
    expect(idOf('2026-11-23T00:00:05.000Z:start-failed')).toBe('2026-11-23T00:00:05.000Z:start-failed');
  });

  it('keeps an id of 256 characters', () => {
    expect(idOf('i'.repeat(ALERT_ID_MAX_CHARS))).toBe('i'.repeat(ALERT_ID_MAX_CHARS));
  });

  it('leaves out an absent or empty id (SNS refuses an empty attribute value)', () => {
    expect('id' in fitAlert({ subject: 's', message: 'm' })).toBe(false);
    expect('id' in fitAlert({ subject: 's', message: 'm', id: '' })).toBe(false);
  });

  it('replaces a long id by a prefix and a hash: stable, and distinct for ids differing only at the end', () => {
    const a = idOf(`${'i'.repeat(300)}a`);
    const b = idOf(`${'i'.repeat(300)}b`);
    expect(a).toMatch(/^i{200}~[0-9a-f]{16}$/);
    expect(b).toMatch(/^i{200}~[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
    expect(idOf(`${'i'.repeat(300)}a`)).toBe(a);
  });

  it('replaces an id with non-ASCII characters the same way', () => {
    expect(idOf('run-é')).toMatch(/^run-\?~[0-9a-f]{16}$/);
    expect(idOf('run-é')).not.toBe(idOf('run-è'));
  });
});

describe('fitAlert is idempotent on the cases above', () => {
  it.each([
    ['a fitted alert', { subject: 'dms-scheduler: t: failed', message: 'm', id: 'r:x' }],
    ['a cut subject', { subject: 's '.repeat(200), message: 'm' }],
    ['a cut message', { subject: 's', message: '🔥'.repeat(MESSAGE_LIMIT_BYTES) }],
    ['a fallback', { subject: '\n', message: '' }],
    ['a hashed id', { subject: 's', message: 'm', id: 'é'.repeat(400) }],
  ])('%s', (_, alert) => {
    const once = fitAlert(alert);
    expect(fitAlert(once)).toStrictEqual(once);
  });
});
