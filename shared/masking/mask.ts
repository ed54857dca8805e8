// Why this file exists: it runs the masking plan table by table, each in one transaction: check every name
// against the catalog first; then, per table, lock it against other writers until the commit (and, on
// PostgreSQL, make row-level security fail the query rather than hide rows), copy the keys and originals of the
// selected rows into a temporary table, update in place with set-based SQL, then prove no original value is
// left before committing. Rows never leave the database; logs and errors carry names and counts only, never
// values or the salt. The salt reaches the database once per table, as the only parameter of a short statement
// of its own (never of the slow UPDATE, whose parameters slow-query logs record), and is gone from the session
// when the table is done.
import type { SqlSession, TargetDatabase } from '../database/target.ts';
import type { Log } from '../log.ts';
import { quoteIdentifier, type ResolvedTable, resolveRules } from './catalog.ts';
import { BoundSql, type MaskDialect, usesSalt } from './dialects/dialect.ts';
import { mysqlDialect } from './dialects/mysql.ts';
import { postgresDialect } from './dialects/postgres.ts';
import {
  describeUniqueViolation,
  driverErrorCode,
  isUniqueViolation,
  MaskingError,
  uniqueViolation,
} from './errors.ts';
import type { MaskingRules } from './rules.ts';

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
  readonly salt: string;
  readonly log: Log;
  /** Clock for durations (milliseconds); defaults to performance.now. */
  readonly now?: () => number;
}

const COPY = 'dms_mask_original';

function dialectOf(db: TargetDatabase): MaskDialect {
  return db.dialect === 'postgres' ? postgresDialect : mysqlDialect;
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

function rowFilter(dialect: MaskDialect, table: ResolvedTable, bound: BoundSql, alias = ''): string {
  if (!table.where) return '';
  const { column, filter } = table.where;
  const ref = `${alias}${column.quoted}`;
  if (filter.isNull !== undefined) return ` WHERE ${ref} IS ${filter.isNull ? '' : 'NOT '}NULL`;
  if (filter.in !== undefined) return ` WHERE ${dialect.inList(ref, filter.in, bound)}`;
  return ` WHERE ${ref} = ${bound.bind(filter.equals)}`;
}

async function maskColumns(
  session: SqlSession,
  dialect: MaskDialect,
  quote: (name: string) => string,
  table: ResolvedTable,
): Promise<Pick<TableMaskReport, 'rowsChanged' | 'verified'>> {
  const keys = table.primaryKey.map((key, index) => ({ copy: `p${index}`, table: key.quoted }));
  const originals = table.columns.map((column, index) => ({ column, copy: `c${index}` }));

  const copyColumns = [
    ...keys.map((key) => `${key.table} AS ${key.copy}`),
    ...originals.map(({ column, copy }) => `${column.quoted} AS ${copy}`),
  ].join(', ');
  const copyKeys = keys.map((key) => key.copy);
  const copyStatements = dialect.createCopy(
    quote(COPY),
    copyKeys,
    `SELECT ${copyColumns} FROM ${table.quoted}`,
  );
  for (const statement of copyStatements) {
    await run(session, dialect, table, 'creating the copy of the originals', statement);
  }
  const copyBound = new BoundSql();
  const copyFilter = rowFilter(dialect, table, copyBound);
  await run(
    session,
    dialect,
    table,
    'copying the original values',
    `INSERT INTO ${quote(COPY)} SELECT ${copyColumns} FROM ${table.quoted}${copyFilter}`,
    copyBound,
  );
  for (const statement of dialect.afterCopy(quote(COPY))) {
    await run(session, dialect, table, 'analysing the copy', statement);
  }

  const inPlace = table.columns.filter((column) => column.strategy.strategy !== 'shuffle');
  if (inPlace.length > 0) {
    const bound = new BoundSql();
    const assignments = inPlace.map(
      (column) => `${column.quoted} = ${dialect.expression(column, column.quoted, bound)}`,
    );
    const where = rowFilter(dialect, table, bound);
    await run(
      session,
      dialect,
      table,
      `updating ${inPlace.map((column) => column.name).join(', ')}`,
      `UPDATE ${table.quoted} SET ${assignments.join(', ')}${where}`,
      bound,
      inPlace.map((column) => column.name),
    );
  }
  for (const { column, copy } of originals.filter((entry) => entry.column.strategy.strategy === 'shuffle')) {
    for (const statement of dialect.shuffle(table.quoted, column.quoted, {
      name: quote(COPY),
      keys,
      original: copy,
    })) {
      await run(session, dialect, table, `shuffling ${column.name}`, statement, undefined, [column.name]);
    }
  }

  const verifyBound = new BoundSql();
  const sums = originals.flatMap(({ column, copy }, index) => {
    const exempt = dialect.unchangeable(column, `o.${copy}`, verifyBound);
    return [
      `SUM(CASE WHEN o.${copy} IS NOT NULL AND t.${column.quoted} = o.${copy}${exempt ? ` AND NOT (${exempt})` : ''} THEN 1 ELSE 0 END) AS u${index}`,
      `SUM(CASE WHEN ${dialect.distinct(`t.${column.quoted}`, `o.${copy}`)} THEN 1 ELSE 0 END) AS d${index}`,
      `SUM(CASE WHEN o.${copy} IS NOT NULL THEN 1 ELSE 0 END) AS n${index}`,
    ];
  });
  const join = keys.map((key) => `t.${key.table} = o.${key.copy}`).join(' AND ');
  const [counts = {}] = await run(
    session,
    dialect,
    table,
    'verifying',
    `SELECT ${sums.join(', ')} FROM ${table.quoted} t JOIN ${quote(COPY)} o ON ${join}`,
    verifyBound,
  );
  for (const statement of dialect.dropCopy(quote(COPY))) {
    await run(session, dialect, table, 'dropping the copy', statement);
  }

  const rowsChanged: Record<string, number> = {};
  const verified: Record<string, { unchangedNonNull: number }> = {};
  const leftOver: string[] = [];
  originals.forEach(({ column }, index) => {
    const unchanged = Number(counts[`u${index}`] ?? 0);
    const changed = Number(counts[`d${index}`] ?? 0);
    rowsChanged[column.name] = changed;
    verified[column.name] = { unchangedNonNull: unchanged };
    if (column.strategy.strategy !== 'shuffle') {
      if (unchanged > 0) leftOver.push(`${column.name} (${unchanged} rows)`);
    } else {
      // Some rows drawing their own value back is expected; every row doing so (one selected row, one distinct
      // value, or an unlucky draw among very few rows) leaves the values where they were.
      const values = Number(counts[`n${index}`] ?? 0);
      if (changed === 0 && values > 0)
        leftOver.push(`${column.name} (shuffle moved none of ${values} values)`);
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
  quote: (name: string) => string,
  table: ResolvedTable,
): Promise<Pick<TableMaskReport, 'rowsChanged' | 'verified'>> {
  if (!table.truncate) return maskColumns(session, dialect, quote, table);
  await run(session, dialect, table, 'truncating', dialect.truncate(table.quoted));
  const [left] = await run(session, dialect, table, 'verifying', `SELECT COUNT(*) AS n FROM ${table.quoted}`);
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
 * One table in one transaction. Its first statement locks the table against every other writer until the
 * commit: a row written by another session after the UPDATE would otherwise be committed unmasked and unverified
 * next to rows masking just proved clean. Then, where the engine has row-level security, every query of the
 * transaction is made to see every row or fail. Where a column needs the salt, it is set next, in a statement of
 * its own, and cleared again after the transaction, committed or rolled back (where the dialect needs a clear).
 */
async function maskTable(
  db: TargetDatabase,
  dialect: MaskDialect,
  table: ResolvedTable,
  salt: string,
  now: () => number,
): Promise<TableOutcome> {
  const quote = (name: string) => quoteIdentifier(db.dialect, name);
  const salted = table.columns.some((column) => usesSalt(column.strategy));
  let lockedAt: number | undefined;
  let result: Pick<TableMaskReport, 'rowsChanged' | 'verified'>;
  try {
    if (dialect.beforeTransaction) {
      await run(db, dialect, table, 'preparing the transaction', dialect.beforeTransaction);
    }
    result = await db.transaction(async (session) => {
      await run(session, dialect, table, 'locking the table', dialect.lock(table.quoted, table.truncate));
      lockedAt = now();
      // Truncating removes every row whatever the policies; only reading and updating rows are filtered.
      if (dialect.allRowsOrFail && !table.truncate) {
        await run(session, dialect, table, 'making every row visible', dialect.allRowsOrFail);
      }
      if (salted) {
        const bound = new BoundSql();
        await run(session, dialect, table, 'setting the salt', dialect.setSalt(bound.bind(salt)), bound);
      }
      return maskTableIn(session, dialect, quote, table);
    });
  } catch (error) {
    // The table's own failure is the one to report; should the clear fail too, the connection is gone anyway.
    if (salted && dialect.clearSalt) await db.query(dialect.clearSalt).catch(() => undefined);
    throw error;
  }
  const lockMs = lockedAt === undefined ? 0 : now() - lockedAt;
  if (salted && dialect.clearSalt) {
    try {
      await db.query(dialect.clearSalt);
    } catch (error) {
      const code = driverErrorCode(error);
      throw new MaskingError(
        `Masking ${table.label} was committed, but clearing the salt from the session failed${code ? ` (database error ${code})` : ''}`,
        table.label,
        code,
      );
    }
  }
  return { ...result, lockMs };
}

/**
 * Masks the target database by `rules`. Every table and column is checked against the catalog first (a
 * ConfigurationError lists every problem, nothing changed); then each table is masked and verified in its own
 * transaction. A MaskingError (table rolled back, tables before it stay masked) ends the run.
 */
export async function maskDatabase(
  db: TargetDatabase,
  rules: MaskingRules,
  options: MaskOptions,
): Promise<MaskReport> {
  const now = options.now ?? (() => performance.now());
  const dialect = dialectOf(db);
  const tables = await resolveRules(db, db.dialect, db.database, rules);
  const reports: TableMaskReport[] = [];
  for (const table of tables) {
    const started = now();
    try {
      const { rowsChanged, verified, lockMs } = await maskTable(db, dialect, table, options.salt, now);
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
    } catch (error) {
      options.log.error('Masking failed; table rolled back', {
        table: table.label,
        error: error instanceof MaskingError ? error.message : 'unexpected error',
        durationMs: now() - started,
      });
      if (error instanceof MaskingError) throw error;
      const code = driverErrorCode(error);
      throw new MaskingError(
        `Masking ${table.label} failed${code ? ` (database error ${code})` : ''}; the table was rolled back`,
        table.label,
        code,
      );
    }
  }
  return { tables: reports };
}
