// Why this file exists: a masked column under a UNIQUE index must stay unique, or the UPDATE fails at run time
// (23505 / errno 1062) after the plan looked fine. The pre-flight reads every unique index (PostgreSQL: pg_index,
// so unique constraints, primary keys and unique indexes without a constraint; MySQL/MariaDB:
// information_schema.STATISTICS with NON_UNIQUE = 0) and refuses, with the other pre-flight problems, a strategy
// whose output is not injective on the column's values. The rules:
//
// - Injective, allowed: `hash` with length >= 16 (64 bits: two distinct values collide with probability 2^-64,
//   about 3e-8 for a million rows; a shorter hash is refused), `null` (NULLs never collide in a unique index,
//   unless PostgreSQL's NULLS NOT DISTINCT, which is refused), `email` where case-folding cannot merge two
//   values (below), `shuffle` on a single-column index (a permutation: the values end unique). Both engines
//   check a non-deferrable unique index row by row as the UPDATE writes, though, so such a shuffle fails at
//   run time (rolled back, the error naming the index) unless the PostgreSQL constraint is DEFERRABLE.
// - `email` hashes lower(value): harmless where the index compares case-insensitively (MySQL `_ci` collations;
//   PostgreSQL citext or a nondeterministic collation) or where a unique index on lower(column) already keeps
//   the values unique case-insensitively. Elsewhere the pre-flight counts (one read-only SELECT returning a count,
//   never a value) the groups of values that differ only in case; any such group is refused. Rows written
//   between that count and the table's lock can still collide: the run-time error then names the index.
// - Everything else (`fixed`, `partial`, `digits-*`, `first-name`, `last-name`, `noise`, `date-shift`) can map
//   two values to one and is refused on a unique column.
// - Several columns: an index over (a, b) stays unique when every masked column of it is masked injectively
//   (equal outputs imply equal inputs, so two rows can only collide if they already did), so the rules above
//   apply per masked column; shuffling one column of a composite index is refused (moving a alone can pair it
//   with a b it never met). The case count for `email` groups by the column alone: stricter than the index.
// - A PostgreSQL unique index over an expression of a masked column other than lower(column) is refused: no
//   strategy can be proved injective through an arbitrary expression. MySQL 8 functional key parts (no column
//   name in STATISTICS) are not linked to columns; MariaDB has none. A MySQL prefix index (SUB_PART) compares
//   only the first characters, so hash and email are judged by the length the index sees.
import type { Dialect, SqlSession } from '../database/target.ts';
import type { Strategy } from './rules.ts';

/** One unique index (or unique constraint) of a table, as the catalog describes it. */
export interface UniqueIndex {
  readonly name: string;
  /** Every column the index keys on, plain or inside an expression, in index order. */
  readonly columns: readonly string[];
  /** Key columns by name: how the index sees each (absent: only inside an expression). */
  readonly keys: ReadonlyMap<string, UniqueKey>;
  /** Columns used inside an expression key other than lower(column) (PostgreSQL). */
  readonly inExpression: readonly string[];
  /** PostgreSQL NULLS NOT DISTINCT: two NULLs collide. */
  readonly nullsNotDistinct: boolean;
  /** Key parts, plain or expression: more than one makes the index composite. */
  readonly width: number;
}

export interface UniqueKey {
  /** The key is lower(column) (PostgreSQL expression index), not the column itself. */
  readonly lowered: boolean;
  /** The comparison ignores case (MySQL `_ci`; PostgreSQL citext or a nondeterministic collation). */
  readonly caseInsensitive: boolean;
  /** MySQL prefix index: the characters compared, or null for the whole value. */
  readonly prefix: number | null;
}

/** Hex characters below which a truncated hash is refused on a unique column (64 bits). */
export const MIN_UNIQUE_HASH_LENGTH = 16;

interface PostgresKeyRow {
  index_name: string;
  nulls_not_distinct: boolean;
  position: number | string;
  column_name: string | null;
  expression: string | null;
  deterministic: boolean;
  type_name: string | null;
}

interface PostgresDependRow {
  index_name: string;
  column_name: string;
}

interface MysqlKeyRow {
  index_name: string;
  column_name: string | null;
  sub_part: number | string | null;
  collation_name: string | null;
}

const POSTGRES_KEYS = `SELECT i.relname AS index_name, x.indnullsnotdistinct AS nulls_not_distinct, k.ord AS position,
    a.attname AS column_name,
    CASE WHEN k.attnum = 0 THEN pg_get_indexdef(x.indexrelid, k.ord::int, true) END AS expression,
    coalesce(coll.collisdeterministic, true) AS deterministic, ty.typname AS type_name
  FROM pg_index x
  JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class i ON i.oid = x.indexrelid
  CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
  LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum > 0
  LEFT JOIN pg_type ty ON ty.oid = a.atttypid
  LEFT JOIN pg_collation coll ON coll.oid = x.indcollation[k.ord - 1]
  WHERE x.indisunique AND n.nspname = $1 AND c.relname = $2 AND k.ord <= x.indnkeyatts
  ORDER BY i.relname, k.ord`;

// Columns an index's expressions (and predicate) refer to: PostgreSQL records them as dependencies.
const POSTGRES_DEPENDS = `SELECT DISTINCT i.relname AS index_name, a.attname AS column_name
  FROM pg_index x
  JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = x.indexrelid
    AND d.refclassid = 'pg_class'::regclass AND d.refobjid = x.indrelid AND d.refobjsubid > 0
  JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = d.refobjsubid
  WHERE x.indisunique AND x.indexprs IS NOT NULL AND n.nspname = $1 AND c.relname = $2`;

const MYSQL_KEYS = `SELECT s.INDEX_NAME AS index_name, s.COLUMN_NAME AS column_name, s.SUB_PART AS sub_part,
    c.COLLATION_NAME AS collation_name
  FROM information_schema.STATISTICS s
  LEFT JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = s.TABLE_SCHEMA AND c.TABLE_NAME = s.TABLE_NAME
    AND c.COLUMN_NAME = s.COLUMN_NAME
  WHERE s.NON_UNIQUE = 0 AND s.TABLE_SCHEMA = ? AND s.TABLE_NAME = ?
  ORDER BY s.INDEX_NAME, s.SEQ_IN_INDEX`;

/** `lower(email)` or `lower((email)::text)` as pg_get_indexdef prints it: the column, or undefined. */
function loweredColumn(expression: string): string | undefined {
  const match = /^lower\(\(?("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\)?(?:::[a-z ]+)?\)$/.exec(
    expression.trim(),
  );
  const name = match?.[1];
  if (name === undefined) return undefined;
  return name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name;
}

async function postgresIndexes(session: SqlSession, schema: string, table: string): Promise<UniqueIndex[]> {
  const { rows } = await session.query<PostgresKeyRow>(POSTGRES_KEYS, [schema, table]);
  const depends = (await session.query<PostgresDependRow>(POSTGRES_DEPENDS, [schema, table])).rows;
  const names = [...new Set(rows.map((row) => row.index_name))];
  return names.map((name) => {
    const parts = rows.filter((row) => row.index_name === name);
    const keys = new Map<string, UniqueKey>();
    for (const part of parts) {
      const caseInsensitive = part.type_name === 'citext' || part.deterministic === false;
      if (part.column_name !== null) {
        keys.set(part.column_name, { lowered: false, caseInsensitive, prefix: null });
        continue;
      }
      const lowered = part.expression === null ? undefined : loweredColumn(part.expression);
      if (lowered !== undefined && !keys.has(lowered)) {
        keys.set(lowered, { lowered: true, caseInsensitive, prefix: null });
      }
    }
    const referenced = depends.filter((row) => row.index_name === name).map((row) => row.column_name);
    const plainOrLowered = new Set(keys.keys());
    // A column an expression refers to other than as lower(column), or a plain key also used in an expression.
    const hasOtherExpression = parts.some(
      (part) =>
        part.column_name === null &&
        (part.expression === null || loweredColumn(part.expression) === undefined),
    );
    const inExpression = hasOtherExpression
      ? referenced
      : referenced.filter((column) => !plainOrLowered.has(column));
    return {
      name,
      columns: [...new Set([...keys.keys(), ...referenced])],
      keys,
      inExpression,
      nullsNotDistinct: parts.some((part) => part.nulls_not_distinct === true),
      width: parts.length,
    };
  });
}

async function mysqlIndexes(session: SqlSession, schema: string, table: string): Promise<UniqueIndex[]> {
  const { rows } = await session.query<MysqlKeyRow>(MYSQL_KEYS, [schema, table]);
  const names = [...new Set(rows.map((row) => row.index_name))];
  return names.map((name) => {
    const parts = rows.filter((row) => row.index_name === name);
    const keys = new Map<string, UniqueKey>();
    for (const part of parts) {
      if (part.column_name === null) continue;
      keys.set(part.column_name, {
        lowered: false,
        // Only a `_ci` collation is known to ignore case; `_bin`, `_cs`, binary types compare exactly.
        caseInsensitive: /_ci$/i.test(part.collation_name ?? ''),
        prefix: part.sub_part === null ? null : Number(part.sub_part),
      });
    }
    return {
      name,
      columns: [...keys.keys()],
      keys,
      inExpression: [],
      nullsNotDistinct: false,
      width: parts.length,
    };
  });
}

/** Every unique index of the table (the primary key included), from the catalog. */
export function uniqueIndexes(
  session: SqlSession,
  dialect: Dialect,
  schema: string,
  table: string,
): Promise<UniqueIndex[]> {
  return dialect === 'postgres'
    ? postgresIndexes(session, schema, table)
    : mysqlIndexes(session, schema, table);
}

/** The verdict on one masked column under one unique index. */
export type UniqueVerdict =
  | { readonly kind: 'safe' }
  | { readonly kind: 'refused'; readonly why: string }
  /** email on a case-sensitive comparison: safe only if no two values differ only in case (counted). */
  | { readonly kind: 'count-case-twins'; readonly index: UniqueIndex };

/**
 * Whether masking `column` with `strategy` keeps `index` unique. `why` texts name the index and the strategy,
 * never a value.
 */
export function uniqueVerdict(
  strategy: Strategy,
  column: string,
  index: UniqueIndex,
  all: readonly UniqueIndex[],
): UniqueVerdict {
  const name = strategy.strategy;
  const key = index.keys.get(column);
  if (index.inExpression.includes(column)) {
    return name === 'null'
      ? { kind: 'safe' }
      : {
          kind: 'refused',
          why: `strategy ${name} cannot be proved to keep unique index ${index.name} unique: the index uses the column inside an expression; mask another way, or drop the index around masking`,
        };
  }
  const prefix = key?.prefix ?? null;
  switch (name) {
    case 'null':
      return index.nullsNotDistinct
        ? {
            kind: 'refused',
            why: `strategy null writes NULL to every row, but unique index ${index.name} is NULLS NOT DISTINCT; use hash`,
          }
        : { kind: 'safe' };
    case 'fixed':
      if (strategy.value === null && !index.nullsNotDistinct) return { kind: 'safe' };
      return {
        kind: 'refused',
        why: `strategy fixed writes one value to every row, but unique index ${index.name} needs them distinct; use hash`,
      };
    case 'hash': {
      const seen = Math.min(strategy.length ?? 32, prefix ?? Number.POSITIVE_INFINITY);
      return seen >= MIN_UNIQUE_HASH_LENGTH
        ? { kind: 'safe' }
        : {
            kind: 'refused',
            why: `strategy hash keeps ${seen} hex characters, which can collide, but unique index ${index.name} needs distinct values; use a length of at least ${MIN_UNIQUE_HASH_LENGTH}`,
          };
    }
    case 'email': {
      // u_ + 16 hex: a prefix index that sees fewer than 16 of the hex characters compares a shorter hash.
      if (prefix !== null && prefix - 'u_'.length < MIN_UNIQUE_HASH_LENGTH) {
        return {
          kind: 'refused',
          why: `strategy email writes a 16-character hash, but unique index ${index.name} compares only its first ${Math.max(0, prefix - 2)}; use hash, or index the whole column`,
        };
      }
      if (key?.caseInsensitive || key?.lowered) return { kind: 'safe' };
      // Another unique index on lower(column) already keeps the values unique case-insensitively.
      const loweredUnique = all.some(
        (other) =>
          other.width === 1 && other.keys.get(column)?.lowered === true && other.inExpression.length === 0,
      );
      return loweredUnique ? { kind: 'safe' } : { kind: 'count-case-twins', index };
    }
    case 'shuffle':
      return index.width === 1
        ? { kind: 'safe' }
        : {
            kind: 'refused',
            why: `strategy shuffle moves ${column} alone, but unique index ${index.name} spans several columns, so moved values can pair up twice; use hash`,
          };
    default:
      return {
        kind: 'refused',
        why: `strategy ${name} can give two rows the same value, but unique index ${index.name} needs them distinct; use hash`,
      };
  }
}

/** Counts groups of non-null values that are distinct but equal once lower-cased: one number, never a value. */
export function caseTwinsQuery(table: string, column: string): string {
  return `SELECT COUNT(*) AS n FROM (SELECT lower(${column}) AS folded FROM ${table} WHERE ${column} IS NOT NULL
    GROUP BY lower(${column}) HAVING COUNT(DISTINCT ${column}) > 1) twins`;
}
