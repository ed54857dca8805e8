// Why this file exists: the command line reads and writes times for people: `--since 7d` in, "3m 05s" and
// "2026-11-23 00:00Z" out. Pure, so each form is tested on its own; a value it cannot read is a UsageError
// that says which forms it takes.
import { UsageError } from './errors.ts';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * The earliest moment `--since` asks for: a span back from `now` (`30m`, `12h`, `7d`, `2w`) or a UTC date or
 * date-time (`2026-11-01`, `2026-11-01T06:00:00Z`).
 */
export function parseSince(text: string, now: Date): Date {
  const span = /^(\d{1,4})([mhdw])$/.exec(text.trim());
  if (span) {
    const unit = span[2] as keyof typeof UNIT_MS;
    return new Date(now.getTime() - Number(span[1]) * UNIT_MS[unit]);
  }
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text.trim())) {
    const date = new Date(text.trim());
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new UsageError(
    '--since takes a span back from now (30m, 12h, 7d, 2w) or a UTC date (2026-11-01, 2026-11-01T06:00:00Z)',
  );
}

/** A positive whole number of at most `max`, or a UsageError naming the option. */
export function parseCount(option: string, text: string, max: number): number {
  const value = /^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(value >= 1 && value <= max))
    throw new UsageError(`${option} must be a whole number from 1 to ${max}`);
  return value;
}

/** The same words for a duration as the notices use (shared/duration-text.ts). */
export { formatDuration } from '#shared/duration-text';

/** "2026-11-23 00:00:05Z": UTC, as the schedule's cron speaks, to the second. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}
