// Alerts tell a person that a run needs them: what happened, to which task, and what to do next. The port
// takes a finished message; building it lives here so the wording is the same on every path and testable.
//
// An alert SNS refuses is an alert lost: Publish fails with InvalidParameter on a subject that is not
// printable ASCII, holds a line break or is not *less* than 100 characters, and on an empty message or one
// over 256 KB. fitAlert makes any alert publishable (the message is kept to 64 KiB, small enough to be stored
// with the run in its ledger item too), and both buildAlert and the SNS adapter apply it.
import { createHash } from 'node:crypto';
import { isWhitespace } from '../text.ts';

export interface Alert {
  /** One line of printable ASCII, fewer than 100 characters, once fitted (fitAlert). */
  readonly subject: string;
  readonly message: string;
  /**
   * A stable per-run alert id the outbox assigns (e.g. `runId:start-failed`), published as the `alertId`
   * message attribute so a subscriber can drop a delivery repeated after a lost Publish response.
   */
  readonly id?: string;
}

export interface Alerts {
  publish(alert: Alert): Promise<void>;
}

/** SNS wants a subject of *less than* 100 characters. */
export const SUBJECT_MAX_CHARS = 99;
/** Well under SNS's 256 KB, and small enough for a DynamoDB item (400 KB) holding the alert with its run. */
export const MESSAGE_LIMIT_BYTES = 64 * 1024;
/** Longer ids are shortened to a prefix and a hash, which keeps them distinct and stable. */
export const ALERT_ID_MAX_CHARS = 256;

const SUBJECT_FALLBACK = 'dms-scheduler alert';
const MESSAGE_FALLBACK = '(this alert has no details)';
const ELLIPSIS = '...';
// Room kept for the truncation marker: "\n[... truncated: N more bytes]" is 29 bytes plus N's digits.
const MARKER_RESERVE_BYTES = 64;
const REPLACEMENT = '\uFFFD';

export function buildAlert(parts: {
  taskIdentifier: string;
  headline: string;
  lines: readonly string[];
  id?: string;
}): Alert {
  // A hook's name, for one, reaches the headline unchecked: fitAlert keeps the subject publishable.
  return fitAlert({
    subject: `dms-scheduler: ${parts.taskIdentifier}: ${parts.headline}`,
    message: [`${parts.headline}.`, '', ...parts.lines].join('\n'),
    ...(parts.id !== undefined && { id: parts.id }),
  });
}

/**
 * The alert within SNS's limits, changed as little as possible; pure and idempotent
 * (fitAlert(fitAlert(a)) equals fitAlert(a)).
 * - subject: whitespace runs become one space, other characters outside printable ASCII become `?`, leading
 *   characters that are neither letter, digit nor punctuation are dropped, at most 99 characters (cut with
 *   `...`), never empty;
 * - message: well-formed UTF-16 (lone surrogates, and the control characters XML cannot carry (SNS's API is
 *   XML-based), become U+FFFD), at most MESSAGE_LIMIT_BYTES of UTF-8, cut on a character boundary and marked
 *   `[... truncated: N more bytes]`, never empty;
 * - id: dropped when empty; otherwise printable ASCII of at most 256 characters, or a prefix and a hash.
 */
export function fitAlert(alert: Alert): Alert {
  const id = alert.id === undefined ? undefined : fitId(alert.id);
  return {
    subject: fitSubject(alert.subject),
    message: fitMessage(alert.message),
    ...(id !== undefined && { id }),
  };
}

function fitSubject(raw: string): string {
  let subject = '';
  let spaceBefore = false;
  for (const char of raw) {
    // One character past the limit is enough to know the subject must be cut.
    if (subject.length > SUBJECT_MAX_CHARS) break;
    const code = char.codePointAt(0) ?? 0;
    if (isWhitespace(code)) {
      spaceBefore = subject.length > 0;
      continue;
    }
    const printable = code > 0x20 && code < 0x7f ? char : '?';
    if (subject.length === 0 && !isSubjectStart(printable)) continue;
    if (spaceBefore) subject += ' ';
    spaceBefore = false;
    subject += printable;
  }
  if (subject.length > SUBJECT_MAX_CHARS) {
    subject = `${subject.slice(0, SUBJECT_MAX_CHARS - ELLIPSIS.length).trimEnd()}${ELLIPSIS}`;
  }
  return subject.length > 0 ? subject : SUBJECT_FALLBACK;
}

/** Letters, digits and ASCII punctuation (Unicode category P): what SNS documents a subject may start with. */
function isSubjectStart(char: string): boolean {
  return /^[A-Za-z0-9!"#%&'()*,\-./:;?@[\\\]_{}]$/.test(char);
}

/**
 * One pass over the message: each code point is made XML-safe and counted in UTF-8. The text is kept while
 * it fits the limit; once it does not, the text up to the last point that leaves room for the marker is.
 */
function fitMessage(raw: string): string {
  const budget = MESSAGE_LIMIT_BYTES - MARKER_RESERVE_BYTES;
  let kept = '';
  let total = 0;
  let cutLength = 0;
  let cutBytes = 0;
  let blank = true;
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    let char: string;
    let bytes: number;
    if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(raw.charCodeAt(i + 1))) {
      char = raw.slice(i, i + 2);
      bytes = 4;
      i++;
    } else if (isSurrogate(code) || isXmlInvalid(code)) {
      char = REPLACEMENT;
      bytes = 3;
    } else {
      char = raw[i] ?? '';
      bytes = code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
    }
    total += bytes;
    if (total <= MESSAGE_LIMIT_BYTES) kept += char;
    if (total <= budget) {
      cutLength = kept.length;
      cutBytes = total;
    }
    if (blank && !isWhitespace(char.codePointAt(0) ?? 0)) blank = false;
  }
  if (blank) return MESSAGE_FALLBACK;
  if (total <= MESSAGE_LIMIT_BYTES) return kept;
  return `${kept.slice(0, cutLength)}\n[... truncated: ${total - cutBytes} more bytes]`;
}

function fitId(raw: string): string | undefined {
  if (raw.length === 0) return undefined;
  let id = '';
  for (const char of raw) {
    if (id.length >= ALERT_ID_MAX_CHARS) break;
    const code = char.codePointAt(0) ?? 0;
    id += code >= 0x20 && code < 0x7f ? char : '?';
  }
  if (id === raw) return raw;
  // Not kept as is: a stable, distinct stand-in, so de-duplication still tells alerts apart.
  const digest = createHash('sha256').update(raw, 'utf8').digest('hex').slice(0, 16);
  return `${id.slice(0, 200)}~${digest}`;
}

/** C0 controls other than tab, line feed and carriage return, and the two non-characters U+FFFE/U+FFFF. */
function isXmlInvalid(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffe || code === 0xffff
  );
}

function isSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdfff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
