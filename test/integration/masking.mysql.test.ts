// Masking against a real MariaDB (Debian's mariadb-server), through the production MySQL adapter. Skipped with a
// notice where MariaDB is not installed, and failed in CI (see test/support/mariadb.ts).
import { afterAll, beforeAll, describe } from 'vitest';
import { connectMysql } from '#shared/database/mysql';
import { type LocalMariadb, mariadbAvailable, startLocalMariadb } from '../support/mariadb.ts';
import { maskingForeignKeyScenario } from './masking-fk-scenario.ts';
import { maskingKeysScenario } from './masking-keys-scenario.ts';
import { maskingLeaksScenario } from './masking-leaks-scenario.ts';
import { maskingScenario } from './masking-scenario.ts';
import { maskingStrategiesScenario } from './masking-strategies-scenario.ts';

describe.runIf(mariadbAvailable('masking.mysql'))('MySQL dialect', () => {
  let server: LocalMariadb;

  beforeAll(async () => {
    server = await startLocalMariadb('masking_test');
  });

  afterAll(async () => {
    await server?.stop();
  });

  const target = () => ({ secret: server.secret, connect: () => connectMysql(server.secret, 'off') });
  maskingScenario('MariaDB', target);
  maskingStrategiesScenario('MariaDB', target);
  // MySQL and MariaDB have no row-level security (the PostgreSQL suite tests RLS). InnoDB's default REPEATABLE
  // READ already keeps inserts out once the originals are copied (shared next-key locks); READ COMMITTED, which
  // many targets run, does not: masking must lock on its own.
  maskingLeaksScenario('MariaDB', target, { isolationLevels: ['READ COMMITTED', undefined] });
  maskingForeignKeyScenario('MariaDB', target);
  maskingKeysScenario('MariaDB', () => ({
    ...target(),
    async watch() {
      const watcher = await connectMysql(server.watcher, 'off');
      return {
        async sample() {
          const { rows } = await watcher.query<{ text: string | null }>(
            `SELECT SQL_TEXT AS text FROM performance_schema.events_statements_current
             UNION ALL SELECT SQL_TEXT FROM performance_schema.events_statements_history
             UNION ALL SELECT SQL_TEXT FROM performance_schema.events_statements_history_long
             UNION ALL SELECT VARIABLE_VALUE FROM performance_schema.user_variables_by_thread
             UNION ALL SELECT INFO FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID()`,
          );
          return rows.flatMap((row) => (row.text === null ? [] : [String(row.text)]));
        },
        close: () => watcher.close(),
      };
    },
  }));
});
