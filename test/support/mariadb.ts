// A throwaway MariaDB for the MySQL-dialect tests, from Debian's mariadb-server package: a fresh data directory,
// a free loopback port, a database and a password user, all gone on stop(). Without the binaries the suites are
// skipped with a visible notice locally and fail in CI (a skipped MySQL suite must never pass CI silently).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { DatabaseSecret } from '#shared/database/secret';
import { freePort } from '../../local/free-port.ts';
import { toolAvailable } from './missing-tools.ts';

export interface LocalMariadb {
  readonly secret: DatabaseSecret;
  /**
   * A monitoring account: SELECT on performance_schema and the PROCESS privilege (every session's current
   * statement), nothing on the data. What an operator's dashboard or a curious colleague typically has.
   */
  readonly watcher: DatabaseSecret;
  stop(): Promise<void>;
}

const onPath = (binary: string) => spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;

/** Whether this machine can start MariaDB; fails in CI when it cannot, records a visible skip otherwise. */
export function mariadbAvailable(suite: string): boolean {
  return toolAvailable(
    onPath('mariadbd') && onPath('mariadb-install-db'),
    suite,
    'mariadbd / mariadb-install-db not found (Debian package mariadb-server; on Debian they are in /usr/sbin)',
  );
}

async function waitUntilAnswering(socket: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null)
      throw new Error(`mariadbd exited with ${server.exitCode}: ${log().slice(-2000)}`);
    try {
      const connection = await mysql.createConnection({ socketPath: socket, user: 'root' });
      await connection.end();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`mariadbd did not answer within 60 s: ${log().slice(-2000)}`);
}

export async function startLocalMariadb(database = 'masking_test'): Promise<LocalMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'dms-scheduler-mariadb-'));
  const dataDir = join(dir, 'data');
  const socket = join(dir, 's.sock');
  const install = spawnSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--user=root'],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr.slice(-2000)}`);
  const port = await freePort();
  let output = '';
  const server = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      '--skip-log-bin',
      // On, with statement history, as monitoring setups run it: the masking tests check what it shows.
      '--performance-schema=ON',
      '--performance-schema-consumer-events-statements-history=ON',
      '--performance-schema-consumer-events-statements-history-long=ON',
      `--pid-file=${join(dir, 'mariadbd.pid')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  server.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await waitUntilAnswering(socket, server, () => output);

  // A throwaway server on loopback, gone when the suite ends; this password protects nothing.
  const password = `local-only-${Math.random().toString(36).slice(2)}`;
  const root = await mysql.createConnection({ socketPath: socket, user: 'root' });
  await root.query(`CREATE DATABASE \`${database}\``);
  // An explicit localhost entry: otherwise the anonymous ''@'localhost' account would win the host match.
  for (const host of ['localhost', '127.0.0.1']) {
    await root.query(`CREATE USER 'masker'@'${host}' IDENTIFIED BY ?`, [password]);
    await root.query(`GRANT ALL ON \`${database}\`.* TO 'masker'@'${host}'`);
    await root.query(`CREATE USER 'watcher'@'${host}' IDENTIFIED BY ?`, [password]);
    await root.query(`GRANT SELECT ON performance_schema.* TO 'watcher'@'${host}'`);
    await root.query(`GRANT PROCESS ON *.* TO 'watcher'@'${host}'`);
  }
  await root.end();

  return {
    secret: { dialect: 'mysql', host: '127.0.0.1', port, username: 'masker', password, database },
    watcher: {
      dialect: 'mysql',
      host: '127.0.0.1',
      port,
      username: 'watcher',
      password,
      database: 'performance_schema',
    },
    async stop() {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
