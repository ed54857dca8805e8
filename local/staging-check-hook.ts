// A hook for the local run that works against the target database, as real hooks do: it checks that the
// refresh left every staging table populated and reports the row counts. (Masking comes as its own hook.)

import type pg from 'pg';
import type { Hook } from '#shared/hooks/contract';

export function stagingCheckHook(target: pg.Client): Hook {
  return {
    name: 'staging-check',
    async run() {
      const tables = await target.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      );
      if (tables.rows.length === 0) throw new Error('the staging database has no tables after the load');
      const counts: string[] = [];
      for (const { table_name: table } of tables.rows) {
        const result = await target.query<{ rows: string }>(
          `SELECT count(*) AS rows FROM ${target.escapeIdentifier(table)}`,
        );
        const rows = Number(result.rows[0]?.rows ?? 0);
        if (rows === 0) throw new Error(`staging table ${table} is empty after the load`);
        counts.push(`${table} ${rows} rows`);
      }
      return { changed: `nothing; checked ${counts.join(', ')}` };
    },
  };
}
