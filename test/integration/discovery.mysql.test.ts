// Discovery against a real MariaDB (Debian's mariadb-server), with the same scenario as the PostgreSQL suite:
// primary-key order, a plain LIMIT for the table without a key, MariaDB's JSON (LONGTEXT with a json_valid
// check) skipped as JSON, and max_statement_time as the statement timeout. Skipped with a notice where MariaDB is
// not installed, and failed in CI (see test/support/mariadb.ts).
import { afterAll, beforeAll, describe } from 'vitest';
import { connectMysql } from '#shared/database/mysql';
import { type LocalMariadb, mariadbAvailable, startLocalMariadb } from '../support/mariadb.ts';
import { discoveryScenario } from './discovery-scenario.ts';

describe.runIf(mariadbAvailable('discovery.mysql'))('MariaDB', () => {
  let server: LocalMariadb;

  beforeAll(async () => {
    server = await startLocalMariadb('shop');
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  discoveryScenario('MariaDB', () => ({
    dialect: 'mysql',
    schema: 'shop',
    url: `mysql://${server.secret.username}@127.0.0.1:${server.secret.port}/shop`,
    password: server.secret.password,
    connect: () => connectMysql(server.secret, 'off'),
  }));
});
