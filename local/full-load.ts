// What the simulated DMS task does when it runs: a full load in DMS's default DROP_AND_CREATE mode. Each
// source table is recreated in the target with its primary key and its rows copied over, table by table.
import type pg from 'pg';

export interface TableLoaded {
  readonly table: string;
  readonly rows: number;
}

export async function listTables(source: pg.Client): Promise<string[]> {
  const result = await source.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return result.rows.map((row) => row.table_name);
}

export async function loadTable(source: pg.Client, target: pg.Client, table: string): Promise<TableLoaded> {
  const columns = await source.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [`public.${target.escapeIdentifier(table)}`],
  );
  // DMS creates each target table with its primary key (and nothing else of the source's constraints).
  const primaryKey = await source.query<{ name: string }>(
    `SELECT a.attname AS name
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = to_regclass($1) AND i.indisprimary
      ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [`public.${target.escapeIdentifier(table)}`],
  );
  const quotedTable = target.escapeIdentifier(table);
  const definitions = columns.rows.map((column) => `${target.escapeIdentifier(column.name)} ${column.type}`);
  if (primaryKey.rows.length > 0) {
    definitions.push(
      `PRIMARY KEY (${primaryKey.rows.map((column) => target.escapeIdentifier(column.name)).join(', ')})`,
    );
  }
  await target.query(
    `DROP TABLE IF EXISTS ${quotedTable}; CREATE TABLE ${quotedTable} (${definitions.join(', ')})`,
  );

  // Rows travel as one JSON document per table: fine for the local run's small tables.
  const names = columns.rows.map((column) => target.escapeIdentifier(column.name)).join(', ');
  const { rows } = await source.query<{ data: unknown }>(
    `SELECT coalesce(json_agg(t), '[]'::json) AS data FROM ${source.escapeIdentifier(table)} t`,
  );
  const inserted = await target.query(
    `INSERT INTO ${quotedTable} (${names}) SELECT ${names} FROM json_populate_recordset(NULL::${quotedTable}, $1::json)`,
    [JSON.stringify(rows[0]?.data ?? [])],
  );
  return { table, rows: inserted.rowCount ?? 0 };
}
