// Masking against a real MariaDB (Debian's mariadb-server), through the production MySQL adapter. Skipped with a
// notice where MariaDB is not installed, and failed in CI (see test/support/mariadb.ts).
import { afterAll, beforeAll, describe } from 'vitest';
import { connectMysql } from '#shared/database/mysql';
import { type LocalMariadb, mariadbAvailable, startLocalMariadb } from '../support/mariadb.ts';
import { maskingScenario } from './masking-scenario.ts';

describe.runIf(mariadbAvailable('masking.mysql'))('MySQL dialect', () => {
  let server: LocalMariadb;

  beforeAll(async () => {
    server = await startLocalMariadb('masking_test');
  });

  afterAll(async () => {
    await server?.stop();
  });

  maskingScenario('MariaDB', () => ({
    secret: server.secret,
    connect: () => connectMysql(server.secret, 'off'),
  }));
});
