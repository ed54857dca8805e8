// Why this file exists: the SQL that masks a group of tables (lock, copy the originals, change the values,
// verify, drop the copy, count orphans) is built here as data, apart from running it, so that the masking run
// (mask.ts) executes exactly the statements a plan (plan.ts) shows. Values and keys are bound parameters of each statement (BoundSql); the text
// holds only catalog-spelled, quoted names and SQL of ours.
import type { Dialect } from '../database/target.ts';
import { type LinkedForeignKey, type MaskGroup, quoteIdentifier, type ResolvedTable } from './catalog.ts';
import { BoundSql, boundKeys, type MaskDialect } from './dialects/dialect.ts';
import { mysqlDialect } from './dialects/mysql.ts';
import { postgresDialect } from './dialects/postgres.ts';
import { orphansQuery } from './foreign.ts';
import type { KeyPurpose } from './keys.ts';

export interface MaskStatement {
  /** What the statement does, for errors ("… failed while <step>") and plans. */
  readonly step: string;
  readonly sql: string;
  readonly bound: BoundSql;
  /** The columns the statement writes: a duplicate in a unique index over them is named in the error. */
  readonly written: readonly string[];
}

export interface ColumnStatements {
  /** Creates and fills the temporary copy of the keys and originals of the selected rows. */
  readonly copy: readonly MaskStatement[];
  /** The in-place UPDATE of every non-shuffled column, then the statements of each shuffle. */
  readonly change: readonly MaskStatement[];
  /**
   * One row of counts over the table joined with its copy, per masked column `i` (in table.columns order):
   * `u<i>` rows still holding their original (or a residue), `d<i>` rows whose value changed, and for a shuffled
   * column `n<i>` its non-null originals. Read them with verifiedCounts.
   */
  readonly verify: MaskStatement;
  /** Drops the copy where the end of the transaction does not. */
  readonly drop: readonly MaskStatement[];
}

const statement = (step: string, sql: string, bound = new BoundSql(), written: readonly string[] = []) => ({
  step,
  sql,
  bound,
  written,
});

/** The WHERE a rule's filter adds to the copy and the UPDATE (empty without a filter); its values bound. */
export function rowFilter(dialect: MaskDialect, table: ResolvedTable, bound: BoundSql): string {
  if (!table.where) return '';
  const { column, filter } = table.where;
  const ref = column.quoted;
  if (filter.isNull !== undefined) return ` WHERE ${ref} IS ${filter.isNull ? '' : 'NOT '}NULL`;
  if (filter.in !== undefined) return ` WHERE ${dialect.inList(ref, filter.in, bound)}`;
  return ` WHERE ${ref} = ${bound.bind(filter.equals)}`;
}

/** The statements that mask the columns of one (not truncated) table, its copy named `copyName` (quoted). */
export function columnStatements(
  dialect: MaskDialect,
  table: ResolvedTable,
  copyName: string,
  purposes: Readonly<Record<KeyPurpose, string>>,
): ColumnStatements {
  const keys = table.primaryKey.map((key, index) => ({ copy: `p${index}`, table: key.quoted }));
  const originals = table.columns.map((column, index) => ({ column, copy: `c${index}` }));
  const copyColumns = [
    ...keys.map((key) => `${key.table} AS ${key.copy}`),
    ...originals.map(({ column, copy }) => `${column.quoted} AS ${copy}`),
  ].join(', ');

  const copyBound = new BoundSql();
  const copyFilter = rowFilter(dialect, table, copyBound);
  const copy = [
    ...dialect
      .createCopy(
        copyName,
        keys.map((key) => key.copy),
        `SELECT ${copyColumns} FROM ${table.quoted}`,
      )
      .map((sql) => statement('creating the copy of the originals', sql)),
    statement(
      'copying the original values',
      `INSERT INTO ${copyName} SELECT ${copyColumns} FROM ${table.quoted}${copyFilter}`,
      copyBound,
    ),
    ...dialect.afterCopy(copyName).map((sql) => statement('analysing the copy', sql)),
  ];

  const change: MaskStatement[] = [];
  const inPlace = table.columns.filter((column) => column.strategy.strategy !== 'shuffle');
  if (inPlace.length > 0) {
    const bound = new BoundSql();
    const key = boundKeys(bound, purposes);
    const assignments = inPlace.map(
      (column) => `${column.quoted} = ${dialect.expression(column, column.quoted, bound, key)}`,
    );
    const where = rowFilter(dialect, table, bound);
    change.push(
      statement(
        `updating ${inPlace.map((column) => column.name).join(', ')}`,
        `UPDATE ${table.quoted} SET ${assignments.join(', ')}${where}`,
        bound,
        inPlace.map((column) => column.name),
      ),
    );
  }
  for (const { column, copy: original } of originals.filter(
    (entry) => entry.column.strategy.strategy === 'shuffle',
  )) {
    for (const sql of dialect.shuffle(table.quoted, column.quoted, { name: copyName, keys, original })) {
      change.push(statement(`shuffling ${column.name}`, sql, undefined, [column.name]));
    }
  }

  const verifyBound = new BoundSql();
  const sums = originals.flatMap(({ column, copy: original }, index) => {
    const exempt = dialect.unchangeable(column, `o.${original}`, verifyBound);
    const residue = dialect.residue(column, `t.${column.quoted}`, verifyBound);
    const unchanged = `o.${original} IS NOT NULL AND t.${column.quoted} = o.${original}${exempt ? ` AND NOT (${exempt})` : ''}`;
    return [
      `SUM(CASE WHEN ${residue ? `(${unchanged}) OR (${residue})` : unchanged} THEN 1 ELSE 0 END) AS u${index}`,
      `SUM(CASE WHEN ${dialect.distinct(`t.${column.quoted}`, `o.${original}`)} THEN 1 ELSE 0 END) AS d${index}`,
      // Only a shuffle needs the number of values it had to move.
      ...(column.strategy.strategy === 'shuffle'
        ? [`SUM(CASE WHEN o.${original} IS NOT NULL THEN 1 ELSE 0 END) AS n${index}`]
        : []),
    ];
  });
  const join = keys.map((key) => `t.${key.table} = o.${key.copy}`).join(' AND ');
  const verify = statement(
    'verifying',
    `SELECT ${sums.join(', ')} FROM ${table.quoted} t JOIN ${copyName} o ON ${join}`,
    verifyBound,
  );
  const drop = dialect.dropCopy(copyName).map((sql) => statement('dropping the copy', sql));
  return { copy, change, verify, drop };
}

/** The counts of masked column `index` in the row the verify statement returned. */
export function verifiedCounts(
  row: Record<string, unknown>,
  index: number,
): { unchanged: number; changed: number; nonNull: number } {
  return {
    unchanged: Number(row[`u${index}`] ?? 0),
    changed: Number(row[`d${index}`] ?? 0),
    nonNull: Number(row[`n${index}`] ?? 0),
  };
}

/** The dialect that renders masking SQL for an engine. */
export function maskDialectOf(dialect: Dialect): MaskDialect {
  return dialect === 'postgres' ? postgresDialect : mysqlDialect;
}

/** The temporary copy of a group's `index`-th table's originals (PostgreSQL drops them only at the commit). */
const copyNameOf = (index: number) => (index === 0 ? 'dms_mask_original' : `dms_mask_original_${index}`);

/** A statement that belongs to one table of the group (for errors: which table failed). */
export interface TableStatement {
  readonly table: ResolvedTable;
  readonly statement: MaskStatement;
}

/** What masks one table inside the group's transaction: its column statements, or its emptying and count. */
export type TableWork =
  | { readonly table: ResolvedTable; readonly columns: ColumnStatements }
  | { readonly table: ResolvedTable; readonly truncate: MaskStatement; readonly count: MaskStatement };

/**
 * Every statement of a group (one table, or the tables joined by foreign keys between masked columns), in the
 * order masking sends them: before the transaction, foreign key checks read and switched off (MySQL) and the
 * isolation level set; in it, each table locked, row security made to fail rather than hide (PostgreSQL), the
 * foreign keys deferred (PostgreSQL), each table's work, the orphans counted. mask.ts runs exactly these; a plan
 * (plan.ts) prints exactly these.
 */
export interface GroupStatements {
  readonly foreignKeyChecks: MaskDialect['foreignKeyChecks'];
  readonly beforeTransaction: MaskStatement | undefined;
  readonly locks: readonly TableStatement[];
  readonly allRowsOrFail: TableStatement | undefined;
  readonly deferrals: readonly TableStatement[];
  readonly work: readonly TableWork[];
  readonly orphans: readonly (TableStatement & { readonly key: LinkedForeignKey })[];
}

export function groupStatements(
  dialect: Dialect,
  group: MaskGroup,
  purposes: Readonly<Record<KeyPurpose, string>>,
): GroupStatements {
  const mask = maskDialectOf(dialect);
  const quote = (name: string) => quoteIdentifier(dialect, name);
  const { tables, foreignKeys } = group;
  const byLabel = (label: string) =>
    tables.find((table) => table.label === label) ?? (tables[0] as ResolvedTable);
  // Truncating removes every row whatever the policies; only reading and updating rows are filtered.
  const filtered = tables.find((table) => !table.truncate);
  return {
    foreignKeyChecks: foreignKeys.length > 0 ? mask.foreignKeyChecks : undefined,
    beforeTransaction: mask.beforeTransaction
      ? statement('preparing the transaction', mask.beforeTransaction)
      : undefined,
    locks: tables.map((table) => ({
      table,
      statement: statement('locking the table', mask.lock(table.quoted, table.truncate)),
    })),
    allRowsOrFail:
      mask.allRowsOrFail && filtered
        ? { table: filtered, statement: statement('making every row visible', mask.allRowsOrFail) }
        : undefined,
    deferrals: foreignKeys.flatMap((key) => {
      const defer = mask.deferForeignKey(key.quotedName);
      return defer
        ? [
            {
              table: byLabel(key.fromLabel),
              statement: statement(`deferring foreign key ${key.key.name}`, defer),
            },
          ]
        : [];
    }),
    work: tables.map((table, index) =>
      table.truncate
        ? {
            table,
            truncate: statement('truncating', mask.truncate(table.quoted)),
            count: statement('verifying', `SELECT COUNT(*) AS n FROM ${table.quoted}`),
          }
        : { table, columns: columnStatements(mask, table, quote(copyNameOf(index)), purposes) },
    ),
    orphans: foreignKeys.map((key) => ({
      key,
      table: byLabel(key.fromLabel),
      statement: statement(
        `verifying foreign key ${key.key.name}`,
        orphansQuery(key.fromQuoted, key.toQuoted, key.pairs),
      ),
    })),
  };
}
