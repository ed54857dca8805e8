// The PostgreSQL side of the discovery section (bench/discovery.ts), and the only SQL that section writes: a
// schema shaped like the databases discovery is pointed at (many tables, millions of rows, personal data beside
// columns that only look like it), generated in the database from generate_series so that nothing but the
// statements crosses the wire; one table seeded again after a masking sample changed it; and VACUUM (ANALYZE), so
// that the row estimates discovery sizes its TABLESAMPLE by are the real ones, as on a database that has been
// loaded and analysed.
import type { TargetDatabase } from '#shared/database/target';
import { FIRST_NAMES, LAST_NAMES } from '#shared/masking/dictionaries';

/** A schema of its own, so that discovery reads the seeded tables and nothing the other sections left. */
export const DISCOVERY_SCHEMA = 'pii_bench';

/** Every seeded table's columns, in order: what the printed heading lists. */
export const SEEDED_COLUMNS = [
  'id bigint',
  'email',
  'phone',
  'full_name',
  'notes',
  'amount numeric',
  'created_at timestamptz',
  'product_code',
] as const;

/** How many times the typical table's rows the largest table holds: most schemas have one table of facts. */
export const LARGEST_TABLE_FACTOR = 10;

export interface SeededTable {
  /** Unqualified; every table is in DISCOVERY_SCHEMA. */
  readonly name: string;
  readonly rows: number;
  /** Shifts the generated values, so that no two tables hold the same names and numbers. */
  readonly ordinal: number;
}

export const qualified = (table: SeededTable) => `${DISCOVERY_SCHEMA}.${table.name}`;

/** `tables` tables of `rows` rows each, but the first, the largest, which holds LARGEST_TABLE_FACTOR times more. */
export function schemaLayout(tables: number, rows: number): SeededTable[] {
  const digits = Math.max(3, String(tables).length);
  return Array.from({ length: tables }, (_, index) => ({
    name: `records_${String(index + 1).padStart(digits, '0')}`,
    rows: index === 0 ? rows * LARGEST_TABLE_FACTOR : rows,
    ordinal: index + 1,
  }));
}

/**
 * Names from the masking dictionaries ($1, $2), shifted by the table's ordinal ($4), for rows 1..$3. Notes are
 * free text that mostly holds nothing personal, as real notes do: 1 row in 20 mentions a phone number, 1 in 20
 * an e-mail address. Product codes, amounts and timestamps are what a detector must not mistake for PII.
 */
const INSERT_ROWS = (table: string) => `INSERT INTO ${table}
  SELECT g, email, phone, first_name || ' ' || last_name,
    CASE g % 20 WHEN 0 THEN 'Asked to be called back on ' || phone || ' after 5 pm.'
      WHEN 10 THEN 'Wants the invoice sent to ' || email || ' instead.'
      ELSE 'Delivered on time, customer satisfied with order ' || g || '.' END,
    ((g * 7919 + $4) % 10000000) / 100.0,
    timestamptz '2020-01-01 00:00:00+00' + (g * 37 + $4) * interval '1 second',
    'SKU-' || lpad(((g * 31 + $4) % 1000000)::text, 6, '0')
  FROM (SELECT g, first_name, last_name,
      lower(first_name) || '.' || lower(last_name) || '.' || $4::bigint || '.' || g || '@example.com' AS email,
      '+1 555 ' || lpad(((g * 7 + $4) % 10000000)::text, 7, '0') AS phone
    FROM (SELECT g,
        ($1::text[])[1 + (g + $4) % ${FIRST_NAMES.length}] AS first_name,
        ($2::text[])[1 + ((g + $4) / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}] AS last_name
      FROM generate_series(1, $3::bigint) g) names) parts`;

/** Drops and creates the table holding its rows, identical on every call. */
export async function seedTable(db: TargetDatabase, table: SeededTable): Promise<void> {
  const name = qualified(table);
  await db.query(`DROP TABLE IF EXISTS ${name}`);
  // No autovacuum, as for the masking tables (bench/masking-postgres.ts): a background vacuum or analyze landing
  // inside a timed discovery or masking sample would be measured with it. The section analyses explicitly.
  await db.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, email text NOT NULL, phone text, full_name text,
    notes text, amount numeric(12,2), created_at timestamptz, product_code text) WITH (autovacuum_enabled = off)`);
  await db.query(INSERT_ROWS(name), [FIRST_NAMES, LAST_NAMES, table.rows, table.ordinal]);
}

/**
 * Creates the schema and seeds every table, the tables shared out over the connections given (one per core:
 * generating the rows is CPU work the server does per connection), the largest first so that it does not
 * finish alone at the end.
 */
export async function seedSchema(
  connections: readonly TargetDatabase[],
  layout: readonly SeededTable[],
): Promise<void> {
  const [first] = connections;
  if (first === undefined) throw new Error('seedSchema needs at least one connection');
  await first.query(`DROP SCHEMA IF EXISTS ${DISCOVERY_SCHEMA} CASCADE`);
  await first.query(`CREATE SCHEMA ${DISCOVERY_SCHEMA}`);
  const queue = [...layout].sort((a, b) => b.rows - a.rows);
  await Promise.all(
    connections.map(async (db) => {
      for (let table = queue.shift(); table !== undefined; table = queue.shift()) await seedTable(db, table);
    }),
  );
}

/** VACUUM (ANALYZE) of every table in one statement: row estimates, hint bits and visibility maps set. */
export async function vacuumAnalyze(db: TargetDatabase, tables: readonly SeededTable[]): Promise<void> {
  await db.query(`VACUUM (ANALYZE) ${tables.map(qualified).join(', ')}`);
}

export const dropSchema = (db: TargetDatabase) => db.query(`DROP SCHEMA ${DISCOVERY_SCHEMA} CASCADE`);
