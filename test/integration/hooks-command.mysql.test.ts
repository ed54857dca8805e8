// The hooks command against a real MariaDB (Debian's mariadb-server), on the clinic schema a team brings, with
// the same scenario as the PostgreSQL suite. Skipped with a notice where MariaDB is not installed, and failed in
// CI (see test/support/mariadb.ts).
import { afterAll, beforeAll, describe } from 'vitest';
import { connectMysql } from '#shared/database/mysql';
import { freePort } from '../../local/free-port.ts';
import { type LocalMariadb, mariadbAvailable, startLocalMariadb } from '../support/mariadb.ts';
import { type HooksCommandTarget, hooksCommandScenario } from './hooks-command-scenario.ts';

describe.runIf(mariadbAvailable('hooks-command.mysql'))('MariaDB', () => {
  let server: LocalMariadb;
  let closedPort: number;

  beforeAll(async () => {
    server = await startLocalMariadb('clinic');
    closedPort = await freePort();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  hooksCommandScenario('MariaDB', (): HooksCommandTarget => {
    const { secret } = server;
    return {
      dialect: 'mysql',
      url: `mysql://${secret.username}@127.0.0.1:${secret.port}/clinic`,
      urlWithPassword: `mysql://${secret.username}:${encodeURIComponent(secret.password)}@127.0.0.1:${secret.port}/clinic`,
      unreachableUrl: `mariadb://${secret.username}@127.0.0.1:${closedPort}/clinic`,
      password: secret.password,
      connect: () => connectMysql(secret, 'off'),
    };
  });
});
