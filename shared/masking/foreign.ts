// Why this file exists: a foreign key between masked columns (visits.patient_email → patients.email) breaks if
// each table is masked in its own transaction: whichever side commits first no longer matches the other (23503,
// MySQL errno 1451/1452). The pre-flight reads every foreign key whose referencing or referenced table is in the
// plan (PostgreSQL: pg_constraint contype 'f', conkey/confkey pairwise; MySQL/MariaDB:
// information_schema.KEY_COLUMN_USAGE joined with REFERENTIAL_CONSTRAINTS) and judges each column pair of which
// at least one side is masked. The rules:
//
// - Both sides masked with the same deterministic strategy and options: allowed. Deterministic here means a
//   function of the value and the salt only: `email`, `hash` (same length), `first-name`, `last-name`,
//   `full-name`; `fixed`
//   (same value) and `null` map every value to one output, so the two sides still agree (the unique index
//   under the referenced column, and NOT NULL, are judged by their own rules). Anything else, or two different
//   strategies, would make referencing values lose their row: refused, naming the constraint, both columns and
//   both strategies, never a value.
// - One side masked only: refused, the reference would break. ON UPDATE CASCADE would carry the referenced
//   side's new value into the referencing rows on PostgreSQL, but it is not relied on: MySQL/MariaDB do not
//   cascade while foreign_key_checks = 0 (which masking a group needs), and the referencing column would be
//   written without being verified. Mask both sides with the same strategy instead; the cascade then finds no
//   old value to carry (the referencing table is masked first in the group).
// - A `where` on a rule masking either side: refused, the rows outside the filter would keep values that no
//   longer match (or no longer find) the other side. A column of a foreign key masked by two rules: refused.
// - Tables joined by allowed foreign keys form a group, masked in ONE transaction (mask.ts), the referencing
//   tables first: PostgreSQL defers each such constraint (`SET CONSTRAINTS … DEFERRED`) to the commit, so the
//   constraint must be DEFERRABLE; a non-deferrable one is refused (disabling it needs a superuser), with the
//   statement that fixes it (`ALTER TABLE … ALTER CONSTRAINT … DEFERRABLE`, e.g. in an sql hook before mask).
//   MySQL/MariaDB turn foreign_key_checks off for the masking session during the group's transaction and
//   restore the previous value afterwards, committed or rolled back; since the engine then checks nothing,
//   masking itself counts (never shows) the referencing rows that no longer find their row before committing,
//   on both engines.
import type { Dialect, SqlSession } from '../database/target.ts';
import type { Strategy } from './rules.ts';

/** One foreign key, as the catalog describes it; columns pairwise in key order. */
export interface ForeignKey {
  readonly name: string;
  readonly from: { readonly schema: string; readonly table: string; readonly columns: readonly string[] };
  readonly to: { readonly schema: string; readonly table: string; readonly columns: readonly string[] };
  /** PostgreSQL DEFERRABLE (MySQL/MariaDB: true, foreign_key_checks covers every constraint). */
  readonly deferrable: boolean;
  readonly onUpdateCascade: boolean;
}

interface ForeignKeyRow {
  name: string;
  from_schema: string;
  from_table: string;
  to_schema: string;
  to_table: string;
  from_column: string;
  to_column: string;
  is_deferrable: boolean | number | string;
  update_cascade: boolean | number | string;
}

const POSTGRES_FOREIGN_KEYS = `SELECT con.conname AS name, fn.nspname AS from_schema, fc.relname AS from_table,
    tn.nspname AS to_schema, tc.relname AS to_table, fa.attname AS from_column, ta.attname AS to_column,
    con.condeferrable AS is_deferrable, con.confupdtype = 'c' AS update_cascade
  FROM pg_constraint con
  JOIN pg_class fc ON fc.oid = con.conrelid
  JOIN pg_namespace fn ON fn.oid = fc.relnamespace
  JOIN pg_class tc ON tc.oid = con.confrelid
  JOIN pg_namespace tn ON tn.oid = tc.relnamespace
  CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(from_attnum, to_attnum, ord)
  JOIN pg_attribute fa ON fa.attrelid = con.conrelid AND fa.attnum = k.from_attnum
  JOIN pg_attribute ta ON ta.attrelid = con.confrelid AND ta.attnum = k.to_attnum
  WHERE con.contype = 'f' AND ((fn.nspname = $1 AND fc.relname = $2) OR (tn.nspname = $1 AND tc.relname = $2))
  ORDER BY fn.nspname, fc.relname, con.conname, k.ord`;

const MYSQL_FOREIGN_KEYS = `SELECT k.CONSTRAINT_NAME AS name, k.TABLE_SCHEMA AS from_schema, k.TABLE_NAME AS from_table,
    k.REFERENCED_TABLE_SCHEMA AS to_schema, k.REFERENCED_TABLE_NAME AS to_table, k.COLUMN_NAME AS from_column,
    k.REFERENCED_COLUMN_NAME AS to_column, 1 AS is_deferrable, r.UPDATE_RULE = 'CASCADE' AS update_cascade
  FROM information_schema.KEY_COLUMN_USAGE k
  JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA
    AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
  WHERE k.REFERENCED_TABLE_NAME IS NOT NULL
    AND ((k.TABLE_SCHEMA = ? AND k.TABLE_NAME = ?) OR (k.REFERENCED_TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME = ?))
  ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`;

const truthy = (value: boolean | number | string) => value === true || Number(value) === 1;

/** Every foreign key from or to the table, from the catalog. */
export async function foreignKeys(
  session: SqlSession,
  dialect: Dialect,
  schema: string,
  table: string,
): Promise<ForeignKey[]> {
  const { rows } =
    dialect === 'postgres'
      ? await session.query<ForeignKeyRow>(POSTGRES_FOREIGN_KEYS, [schema, table])
      : await session.query<ForeignKeyRow>(MYSQL_FOREIGN_KEYS, [schema, table, schema, table]);
  const keys = new Map<string, ForeignKey>();
  for (const row of rows) {
    const id = foreignKeyId({ name: row.name, from: { schema: row.from_schema, table: row.from_table } });
    const known = keys.get(id);
    if (known) {
      (known.from.columns as string[]).push(row.from_column);
      (known.to.columns as string[]).push(row.to_column);
      continue;
    }
    keys.set(id, {
      name: row.name,
      from: { schema: row.from_schema, table: row.from_table, columns: [row.from_column] },
      to: { schema: row.to_schema, table: row.to_table, columns: [row.to_column] },
      deferrable: truthy(row.is_deferrable),
      onUpdateCascade: truthy(row.update_cascade),
    });
  }
  return [...keys.values()];
}

/** Constraint names are unique per table: the key of a foreign key is its table and name. */
export function foreignKeyId(key: {
  readonly name: string;
  readonly from: { readonly schema: string; readonly table: string };
}): string {
  return JSON.stringify([key.from.schema, key.from.table, key.name]);
}

/** Strategies that give one original the same output on every row and in every table (for one salt). */
const DETERMINISTIC = new Set(['email', 'hash', 'first-name', 'last-name', 'full-name', 'fixed', 'null']);

/** A strategy with its defaults filled in, as text: equal texts mask equal values equally. */
function canonical(strategy: Strategy): string {
  if (strategy.strategy === 'hash') return `hash(length ${strategy.length ?? 32})`;
  if (strategy.strategy === 'fixed') return `fixed(${JSON.stringify(strategy.value)})`;
  return strategy.strategy;
}

/** `email`, `hash (length 16)`, `fixed`: how a strategy is named in a refusal (never a configured value). */
export function describeStrategy(strategy: Strategy): string {
  return strategy.strategy === 'hash' ? `hash (length ${strategy.length ?? 32})` : strategy.strategy;
}

/** The verdict on one column pair of a foreign key (referencing `from`, referenced `to`). */
export type ForeignKeyVerdict =
  | { readonly kind: 'unmasked' }
  | { readonly kind: 'linked' }
  | { readonly kind: 'refused'; readonly why: string };

/**
 * Whether masking the pair keeps every reference of `key` intact. `from`/`to` are the columns' labels
 * (`schema.table.column`), `fromStrategy`/`toStrategy` their strategies (undefined: not masked). `why` texts
 * name the constraint, both columns and the strategies, never a value.
 */
export function foreignKeyVerdict(
  key: ForeignKey,
  from: string,
  to: string,
  fromStrategy: Strategy | undefined,
  toStrategy: Strategy | undefined,
  dialect: Dialect,
): ForeignKeyVerdict {
  const pair = `foreign key ${key.name} (${from} → ${to})`;
  if (fromStrategy === undefined && toStrategy === undefined) return { kind: 'unmasked' };
  if (fromStrategy === undefined || toStrategy === undefined) {
    const [masked, strategy, other] =
      fromStrategy === undefined ? [to, toStrategy as Strategy, from] : [from, fromStrategy, to];
    return {
      kind: 'refused',
      why: `${pair}: ${masked} is masked with ${describeStrategy(strategy)} but ${other} is not, so the reference would break${
        key.onUpdateCascade && fromStrategy === undefined ? ' (ON UPDATE CASCADE is not relied on)' : ''
      }; mask both columns with the same deterministic strategy`,
    };
  }
  if (!DETERMINISTIC.has(fromStrategy.strategy) || canonical(fromStrategy) !== canonical(toStrategy)) {
    return {
      kind: 'refused',
      why: `${pair}: the columns are masked with ${describeStrategy(fromStrategy)} and ${describeStrategy(toStrategy)}, so the references would break; mask both with the same deterministic strategy (email, hash of one length, first-name, last-name, full-name)`,
    };
  }
  if (dialect === 'postgres' && !key.deferrable) {
    return {
      kind: 'refused',
      why: `${pair}: the constraint is not DEFERRABLE, and both tables must be masked in one transaction with it deferred to the commit; run ALTER TABLE ${key.from.schema}.${key.from.table} ALTER CONSTRAINT ${key.name} DEFERRABLE first (an sql hook before mask can)`,
    };
  }
  return { kind: 'linked' };
}

/**
 * Counts the referencing rows of `key` (all its columns non-null: MATCH SIMPLE) that find no referenced row:
 * one number, never a value. Tables and columns are quoted by the caller.
 */
export function orphansQuery(
  from: string,
  to: string,
  pairs: readonly { readonly from: string; readonly to: string }[],
): string {
  const notNull = pairs.map((pair) => `f.${pair.from} IS NOT NULL`).join(' AND ');
  const match = pairs.map((pair) => `r.${pair.to} = f.${pair.from}`).join(' AND ');
  return `SELECT COUNT(*) AS n FROM ${from} f WHERE ${notNull}
    AND NOT EXISTS (SELECT 1 FROM ${to} r WHERE ${match})`;
}
