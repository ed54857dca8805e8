// Rows in and out of a real test database, the same way on both engines: the masking scenarios seed their
// tables with bound values (never values in SQL text) and read them back as strings for comparison.
import type { SqlSession } from '#shared/database/target';

export type Row = Record<string, unknown>;

/** The placeholder for the n-th bound value (1-based) in each dialect. */
export const mark = (dialect: 'postgres' | 'mysql', n: number) => (dialect === 'postgres' ? `$${n}` : '?');

/** Inserts `rows` (all with the same columns) in statements of at most 500 rows each. */
export async function insertRows(
  db: SqlSession,
  dialect: 'postgres' | 'mysql',
  table: string,
  rows: readonly Row[],
): Promise<void> {
  const columns = Object.keys(rows[0] ?? {});
  for (let start = 0; start < rows.length; start += 500) {
    const chunk = rows.slice(start, start + 500);
    const values = chunk.map(
      (_, r) => `(${columns.map((_, c) => mark(dialect, r * columns.length + c + 1)).join(', ')})`,
    );
    await db.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`,
      chunk.flatMap((row) => columns.map((c) => row[c])),
    );
  }
}

/** Every row of `table` by id, each value as a string (or null), so both engines compare alike. */
export async function rowsOf(db: SqlSession, table: string): Promise<Row[]> {
  const { rows } = await db.query(`SELECT * FROM ${table} ORDER BY id`);
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])),
  );
}
