// What both sections of the masking bench (bench/masking.ts: four columns; bench/masking-strategies.ts: one
// column per strategy) measure and print the same way: settings read from the environment, one whole-table
// UPDATE timed, the spread of a subject's samples, the duration and ratio formats, and the shape of a printed
// section. Kept apart so that a figure means the same thing in either section.
import type { TargetDatabase } from '#shared/database/target';
import type { EngineName } from './masking-engine.ts';

/** The salt every masking subject runs with: the figures must not depend on a random key. */
export const BENCH_SALT = 'bench-salt';

/** maskDatabase logs a line per table: the bench prints figures, not logs. */
export const silentLog = { debug() {}, info() {}, warn() {}, error() {} };

export function positiveIntegerFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, not ${text}`);
  return value;
}

/** A comma-separated list of `allowed` names from env `name` (all of them when unset), duplicates dropped. */
export function namesFromEnv<Name extends string>(name: string, allowed: readonly Name[]): Name[] {
  const text = process.env[name] ?? allowed.join(',');
  const names = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const unknown = names.filter((entry) => !(allowed as readonly string[]).includes(entry));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`${name} lists ${allowed.join(' and/or ')}, comma-separated, not ${text}`);
  }
  return [...new Set(names as Name[])];
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function spreadOf(samples: readonly number[]): Spread {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] ?? Number.NaN)
      : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted.at(-1) ?? Number.NaN };
}

/** One statement in its own transaction, timed; it must have touched every row of the table. */
export async function timeWholeTableUpdate(
  db: TargetDatabase,
  sql: string,
  params: readonly unknown[],
  rows: number,
): Promise<number> {
  const started = performance.now();
  const { rowCount } = await db.transaction((session) => session.query(sql, params));
  const elapsed = performance.now() - started;
  // MariaDB counts matched rows here too (mysql2 connects with FOUND_ROWS), also those a no-op left unchanged.
  if (rowCount !== rows) throw new Error(`expected the UPDATE to match ${rows} rows, it matched ${rowCount}`);
  return elapsed;
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export const count = (rows: number) => rows.toLocaleString('en-US');
export const times = (ratio: number) => `${ratio.toFixed(ratio >= 100 ? 0 : 2)}×`;

/** Progress on stderr, so that stdout holds only the tables. */
export const progress = (engine: EngineName, text: string) =>
  process.stderr.write(`[masking ${engine}] ${text}\n`);

export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface MaskingSection {
  readonly heading: readonly string[];
  readonly tables: readonly Table[];
  readonly notes: readonly string[];
}
