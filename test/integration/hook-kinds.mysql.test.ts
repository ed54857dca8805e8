// The runner's handling of the target connection against a real MariaDB (Debian's mariadb-server), through
// the production MySQL adapter: mysql2's end() waits behind a running statement, so a timed-out hook's
// connection must be dropped, not closed. Skipped with a notice where MariaDB is not installed, and failed
// in CI (see test/support/mariadb.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMysql } from '#shared/database/mysql';
import { sqlHook } from '#shared/hooks/kinds/sql';
import { SequentialHookRunner } from '#shared/hooks/runner';
import { RUN } from '../support/hooks.ts';
import { type LocalMariadb, mariadbAvailable, startLocalMariadb } from '../support/mariadb.ts';
import { RecordingLog } from '../support/ports.ts';
import { hookTimeoutScenario } from './hook-timeout-scenario.ts';

describe.runIf(mariadbAvailable('hook-kinds.mysql'))('hooks on MariaDB', () => {
  let server: LocalMariadb;

  beforeAll(async () => {
    server = await startLocalMariadb('hooks_test');
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('a transaction whose connection is dropped mid-way fails with its own error, and commits nothing', async () => {
    const setup = await connectMysql(server.secret, 'off');
    await setup.query('DROP TABLE IF EXISTS dropped');
    await setup.query('CREATE TABLE dropped (id integer PRIMARY KEY)');
    const db = await connectMysql(server.secret, 'off');
    const failure = await db
      .transaction(async (session) => {
        await session.query('INSERT INTO dropped VALUES (1)');
        db.abort();
        throw new Error('the hook gave up');
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect((failure as Error).message).toBe('the hook gave up');
    const { rows } = await setup.query<{ n: number }>('SELECT COUNT(*) AS n FROM dropped');
    expect(Number(rows[0]?.n)).toBe(0);
    await setup.close();
  });

  it('reports a failing sql statement by its error codes only, never the message that quotes the value', async () => {
    const db = await connectMysql(server.secret, 'off');
    try {
      await db.query('DROP TABLE IF EXISTS people');
      await db.query('CREATE TABLE people (id integer PRIMARY KEY, name varchar(40) UNIQUE)');
      await db.query("INSERT INTO people VALUES (1, 'O''Brien, Ann')");
    } finally {
      await db.close();
    }
    const report = await new SequentialHookRunner(
      [
        sqlHook({
          name: 'dup',
          file: 'hooks/sql/dup.sql',
          script: "INSERT INTO people VALUES (2, 'O''Brien, Ann')",
        }),
      ],
      { openTarget: () => connectMysql(server.secret, 'off') },
    ).run(RUN, new RecordingLog(), () => 600_000);
    expect(report.hooks[0]?.error).toBe(
      'SqlHookError: hooks/sql/dup.sql statement 1 of 1 failed; the script was rolled back: ER_DUP_ENTRY (errno 1062), SQLSTATE 23000',
    );
    for (const value of ['Brien', 'Ann']) expect(report.hooks[0]?.error).not.toContain(value);
  });

  describe('a hook that outlives its budget', () => {
    hookTimeoutScenario(() => ({
      connect: () => connectMysql(server.secret, 'off'),
      sleepTenSeconds: 'SELECT SLEEP(10)',
      countSleeping:
        "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(10)' AND ID <> CONNECTION_ID()",
      sessionId: 'SELECT CONNECTION_ID() AS id',
      setSessionMark: "SET @leak = 'left-over'",
      readSessionMark: 'SELECT @leak AS v',
    }));
  });
});
