// Why this file exists: it runs the masking plan table by table, each in one transaction (tables joined by
// foreign keys between masked columns: one transaction for the group, see foreign.ts): check every name
// against the catalog first; then, per table, lock it against other writers until the commit (and, on
// PostgreSQL, make row-level security fail the query rather than hide rows), copy the keys and originals of the
// selected rows into a temporary table, update in place with set-based SQL, then prove no original value is
// left before committing. Rows never leave the database; logs and errors carry names and counts only, never
// values or the salt. The salt reaches the database once per table, as the only parameter of a short statement
// of its own (never of the slow UPDATE, whose parameters slow-query logs record), and is gone from the session
// when the table is done.
import type { SqlSession, TargetDatabase } from '../database/target.ts';
import type { Log } from '../log.ts';
import { type MaskGroup, type ResolvedTable, resolveRules } from './catalog.ts';
import { BoundSql, type MaskDialect } from './dialects/dialect.ts';
import {
  describeUniqueViolation,
  driverErrorCode,
  isUniqueViolation,
  MaskingError,
  uniqueViolation,
} from './errors.ts';
import { type KeyPurpose, purposeKeys } from './keys.ts';
import type { MaskingRules } from './rules.ts';
import {
  type ColumnStatements,
  groupStatements,
  type MaskStatement,
  maskDialectOf,
  type TableWork,
  verifiedCounts,
} from './statements.ts';

export interface TableMaskReport {
  readonly table: string;
  readonly truncated: boolean;
  /** Rows whose value changed, per masked column (for shuffle: rows that received another row's value). */
  readonly rowsChanged: Record<string, number>;
  /**
   * Per masked column, rows still holding their non-null original value (0 for every column but shuffle, or the
   * table is rolled back; for shuffle, rows that drew their own value back, which is expected unless every row
   * did: a shuffle that moved no value fails like a leftover).
   */
  readonly verified: Record<string, { unchangedNonNull: number }>;
  readonly durationMs: number;
  /**
   * How long the table was locked against other writers: from the moment its transaction held the lock (its
   * first statement) to the commit. Every other writer of the table waited at most this long.
   */
  readonly lockMs: number;
}

export interface MaskReport {
  readonly tables: TableMaskReport[];
}

export interface MaskOptions {
  /** The secret every deterministic pseudonym derives from; only keys derived from it reach the database. */
  readonly salt: string;
  readonly log: Log;
  /** Clock for durations (milliseconds); defaults to performance.now. */
  readonly now?: () => number;
}

/**
 * Runs one statement; a failure becomes a MaskingError naming table and step, never the driver's message. A
 * duplicate in a unique index also names the index and its columns (`written`: the columns the statement sets).
 */
async function run(
  session: SqlSession,
  dialect: MaskDialect,
  table: ResolvedTable,
  step: string,
  sql: string,
  bound = new BoundSql(),
  written: readonly string[] = [],
): Promise<Record<string, unknown>[]> {
  const { sql: text, params } = bound.finalize(sql, dialect.placeholders);
  try {
    return (await session.query(text, params)).rows;
  } catch (error) {
    const code = driverErrorCode(error);
    if (isUniqueViolation(error)) {
      const unique = uniqueViolation(error, table.uniqueIndexes, written);
      throw new MaskingError(
        `Masking ${table.label} failed while ${step}: two rows would share a value of ${describeUniqueViolation(unique, table.uniqueIndexes)}${code ? ` (database error ${code})` : ''}; the table was rolled back`,
        table.label,
        code,
        unique,
      );
    }
    throw new MaskingError(
      `Masking ${table.label} failed while ${step}${code ? ` (database error ${code})` : ''}; the table was rolled back`,
      table.label,
      code,
    );
  }
}

/** Runs one built statement (statements.ts) for `table`. */
const runStatement = (
  session: SqlSession,
  dialect: MaskDialect,
  table: ResolvedTable,
  statement: MaskStatement,
): Promise<Record<string, unknown>[]> =>
  run(session, dialect, table, statement.step, statement.sql, statement.bound, statement.written);

async function maskColumns(
  session: SqlSession,
  dialect: MaskDialect,
  table: ResolvedTable,
  statements: ColumnStatements,
): Promise<Pick<TableMaskReport, 'rowsChanged' | 'verified'>> {
  for (const statement of [...statements.copy, ...statements.change]) {
    await runStatement(session, dialect, table, statement);
  }
  const [counts = {}] = await runStatement(session, dialect, table, statements.verify);
  for (const statement of statements.drop) await runStatement(session, dialect, table, statement);

  const rowsChanged: Record<string, number> = {};
  const verified: Record<string, { unchangedNonNull: number }> = {};
  const leftOver: string[] = [];
  table.columns.forEach((column, index) => {
    const { unchanged, changed, nonNull } = verifiedCounts(counts, index);
    rowsChanged[column.name] = changed;
    verified[column.name] = { unchangedNonNull: unchanged };
    if (column.strategy.strategy !== 'shuffle') {
      if (unchanged > 0) leftOver.push(`${column.name} (${unchanged} rows)`);
    } else {
      // Some rows drawing their own value back is expected; every row doing so (one selected row, one distinct
      // value, or an unlucky draw among very few rows) leaves the values where they were.
      if (changed === 0 && nonNull > 0)
        leftOver.push(`${column.name} (shuffle moved none of ${nonNull} values)`);
    }
  });
  if (leftOver.length > 0) {
    throw new MaskingError(
      `Masking ${table.label} left original values in ${leftOver.join(', ')}; the table was rolled back`,
      table.label,
    );
  }
  return { rowsChanged, verified };
}

/** Truncates or masks one table inside its open transaction. */
async function maskTableIn(
  session: SqlSession,
  dialect: MaskDialect,
  work: TableWork,
): Promise<Pick<TableMaskReport, 'rowsChanged' | 'verified'>> {
  const { table } = work;
  if ('columns' in work) return maskColumns(session, dialect, table, work.columns);
  await runStatement(session, dialect, table, work.truncate);
  const [left] = await runStatement(session, dialect, table, work.count);
  if (Number(left?.n ?? 0) !== 0) {
    throw new MaskingError(
      `Truncating ${table.label} left rows behind; the table was rolled back`,
      table.label,
    );
  }
  return { rowsChanged: {}, verified: {} };
}

type TableOutcome = Pick<TableMaskReport, 'rowsChanged' | 'verified' | 'lockMs'>;

/**
 * One group (one table, or the tables joined by foreign keys between masked columns) in one transaction. Its
 * first statements lock every table of the group against every other writer until the commit: a row written by
 * another session after the UPDATE would otherwise be committed unmasked and unverified next to rows masking
 * just proved clean. Then, where the engine has row-level security, every query of the transaction is made to
 * see every row or fail. Foreign keys of the
 * group are deferred to the commit (PostgreSQL) or switched off for the session around the transaction and
 * restored after it, committed or rolled back (MySQL/MariaDB); either way every referencing row is counted
 * against its referenced table before the commit.
 */
async function maskGroup(
  db: TargetDatabase,
  dialect: MaskDialect,
  group: MaskGroup,
  purposes: Readonly<Record<KeyPurpose, string>>,
  now: () => number,
): Promise<TableOutcome[]> {
  const [first] = group.tables;
  if (!first) return [];
  const statements = groupStatements(db.dialect, group, purposes);
  const checks = statements.foreignKeyChecks;
  let checksBefore: 0 | 1 | undefined;
  const lockedAt: number[] = [];
  let results: Pick<TableMaskReport, 'rowsChanged' | 'verified'>[];
  const restoreChecks = async () => {
    if (checks && checksBefore !== undefined) await db.query(checks.restore(checksBefore));
  };
  try {
    if (checks) {
      const [row] = await run(db, dialect, first, 'reading foreign_key_checks', checks.read);
      checksBefore = Number(row?.v ?? 1) === 0 ? 0 : 1;
      await run(db, dialect, first, 'switching foreign key checks off', checks.off);
    }
    if (statements.beforeTransaction) await runStatement(db, dialect, first, statements.beforeTransaction);
    results = await db.transaction(async (session) => {
      for (const [index, { table, statement }] of statements.locks.entries()) {
        await runStatement(session, dialect, table, statement);
        lockedAt[index] = now();
      }
      for (const { table, statement } of [
        ...(statements.allRowsOrFail ? [statements.allRowsOrFail] : []),
        ...statements.deferrals,
      ]) {
        await runStatement(session, dialect, table, statement);
      }
      const outcomes: Pick<TableMaskReport, 'rowsChanged' | 'verified'>[] = [];
      for (const work of statements.work) outcomes.push(await maskTableIn(session, dialect, work));
      for (const { key, table, statement } of statements.orphans) {
        const [row] = await runStatement(session, dialect, table, statement);
        const orphans = Number(row?.n ?? 0);
        if (orphans > 0) {
          throw new MaskingError(
            `Masking ${table.label} left ${orphans} rows whose foreign key ${key.key.name} finds no row in ${key.toLabel}; the table was rolled back`,
            table.label,
          );
        }
      }
      return outcomes;
    });
  } catch (error) {
    // The group's own failure is the one to report; should the restore fail too, the connection is gone anyway.
    await restoreChecks().catch(() => undefined);
    throw error;
  }
  const committed = now();
  const after = async (step: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      const code = driverErrorCode(error);
      throw new MaskingError(
        `Masking ${first.label} was committed, but ${step} failed${code ? ` (database error ${code})` : ''}`,
        first.label,
        code,
      );
    }
  };
  await after('restoring foreign_key_checks', restoreChecks);
  return results.map((result, index) => {
    const locked = lockedAt[index];
    return { ...result, lockMs: locked === undefined ? 0 : committed - locked };
  });
}

/** A group's error says that every table of the group was rolled back, not only the one that failed. */
function forGroup(error: MaskingError, group: MaskGroup): MaskingError {
  if (group.tables.length < 2) return error;
  const labels = [...new Set(group.tables.map((table) => table.label))].join(', ');
  const message = error.message.endsWith('; the table was rolled back')
    ? `${error.message.slice(0, -'; the table was rolled back'.length)}; the tables ${labels}, masked in one transaction (joined by foreign keys), were rolled back together`
    : error.message;
  return new MaskingError(message, error.table, error.driverCode, error.unique);
}

/**
 * Masks the target database by `rules`. Every table and column is checked against the catalog first (a
 * ConfigurationError lists every problem, nothing changed); then each table, or each group of tables joined by
 * foreign keys between masked columns, is masked and verified in its own transaction. A MaskingError (that
 * table or group rolled back, tables before it stay masked) ends the run.
 */
export async function maskDatabase(
  db: TargetDatabase,
  rules: MaskingRules,
  options: MaskOptions,
): Promise<MaskReport> {
  const now = options.now ?? (() => performance.now());
  const dialect = maskDialectOf(db.dialect);
  const purposes = purposeKeys(options.salt);
  const groups = await resolveRules(db, db.dialect, db.database, rules);
  const reports: TableMaskReport[] = [];
  for (const group of groups) {
    const started = now();
    const label = group.tables.map((table) => table.label).join(', ');
    try {
      const outcomes = await maskGroup(db, dialect, group, purposes, now);
      group.tables.forEach((table, index) => {
        const { rowsChanged = {}, verified = {}, lockMs = 0 } = outcomes[index] ?? {};
        const report = {
          table: table.label,
          truncated: table.truncate,
          rowsChanged,
          verified,
          durationMs: now() - started,
          lockMs,
        };
        options.log.info('Masked table', { ...report });
        reports.push(report);
      });
    } catch (error) {
      const failure = error instanceof MaskingError ? forGroup(error, group) : undefined;
      options.log.error(
        group.tables.length > 1 ? 'Masking failed; tables rolled back' : 'Masking failed; table rolled back',
        {
          table: failure?.table ?? label,
          ...(group.tables.length > 1 && { tables: label }),
          error: failure ? failure.message : 'unexpected error',
          durationMs: now() - started,
        },
      );
      if (failure) throw failure;
      const code = driverErrorCode(error);
      throw new MaskingError(
        `Masking ${label} failed${code ? ` (database error ${code})` : ''}; ${group.tables.length > 1 ? 'the tables were rolled back together' : 'the table was rolled back'}`,
        group.tables[0]?.label ?? label,
        code,
      );
    }
  }
  return { tables: reports };
}
