// The command line's times: `--since` and `--limit` as typed, durations and timestamps as printed.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/errors.ts';
import { formatDuration, formatTimestamp, parseCount, parseSince } from '../../../cli/time-text.ts';

const now = new Date('2026-12-02T12:00:00.000Z');

describe('parseSince', () => {
  it.each([
    ['30m', '2026-12-02T11:30:00.000Z'],
    ['12h', '2026-12-02T00:00:00.000Z'],
    ['7d', '2026-11-25T12:00:00.000Z'],
    ['2w', '2026-11-18T12:00:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T06:00:00Z', '2026-11-01T06:00:00.000Z'],
    ['2026-11-01T06:00+02:00', '2026-11-01T04:00:00.000Z'],
  ])('%s → %s', (text, expected) => {
    expect(parseSince(text, now).toISOString()).toBe(expected);
  });

  it.each(['7', '7x', 'yesterday', '-7d', '2026-13-45', '2026-11-01 06:00', ''])('refuses %j', (text) => {
    expect(() => parseSince(text, now)).toThrow(UsageError);
  });
});

describe('parseCount', () => {
  it('takes 1 to max', () => {
    expect(parseCount('--limit', '1', 1000)).toBe(1);
    expect(parseCount('--limit', '1000', 1000)).toBe(1000);
  });

  it.each(['0', '1001', '-1', '1.5', 'ten', ''])('refuses %j, naming the option', (text) => {
    expect(() => parseCount('--limit', text, 1000)).toThrow('--limit must be a whole number from 1 to 1000');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [42_400, '42s'],
    [59_600, '1m 00s'],
    [185_000, '3m 05s'],
    [3_720_000, '1h 02m'],
    [183_600_000, '2d 03h'],
    [-5_000, '0s'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatTimestamp', () => {
  it('is UTC to the second, and leaves what is not a date as it is', () => {
    expect(formatTimestamp('2026-11-23T00:00:05.123Z')).toBe('2026-11-23 00:00:05Z');
    expect(formatTimestamp('2026-11-23T02:00:05+02:00')).toBe('2026-11-23 00:00:05Z');
    expect(formatTimestamp('soon')).toBe('soon');
  });
});
