// One masking scenario, run against PostgreSQL and MariaDB by the two dialect suites, so both dialects must pass
// the same assertions: a seeded schema with known PII over related tables, masked with every strategy.
import { describe, expect, it } from 'vitest';
import type { DatabaseSecret } from '#shared/database/secret';
import type { SqlSession, TargetDatabase } from '#shared/database/target';
import { ConfigurationError } from '#shared/errors';
import { FIRST_NAMES } from '#shared/masking/dictionaries';
import { MaskingError } from '#shared/masking/errors';
import { purposeKeys } from '#shared/masking/keys';
import { maskDatabase } from '#shared/masking/mask';
import { type MaskingRules, parseMaskingRules } from '#shared/masking/rules';
import { connected } from '../support/connected.ts';
import { RecordingLog } from '../support/ports.ts';
import { rejection } from '../support/rejection.ts';

export interface ScenarioTarget {
  readonly secret: DatabaseSecret;
  connect(): Promise<TargetDatabase>;
}

type Row = Record<string, unknown>;

const SALT = 'pepper-9f1c2e7a-not-in-any-log';
const OTHER_SALT = 'another-salt-3b8d';
const TABLES = ['customers', 'orders', 'support_tickets', 'audit_log', 'risky'] as const;
const CUSTOMERS = 40;

const RULES: MaskingRules = parseMaskingRules(
  [
    {
      table: 'customers',
      columns: {
        email: { strategy: 'email' },
        first_name: { strategy: 'first-name' },
        last_name: { strategy: 'last-name' },
        phone: { strategy: 'digits-randomize' },
        birth_date: { strategy: 'date-shift', maxDays: 30 },
        salary: { strategy: 'noise', ratio: 0.1 },
        ssn: { strategy: 'partial', keepLast: 4 },
        card: { strategy: 'digits-mask' },
        nickname: { strategy: 'null' },
        city: { strategy: 'shuffle' },
        national_id: { strategy: 'hash', length: 24 },
      },
    },
    {
      table: 'orders',
      columns: { customer_email: { strategy: 'email' }, address: { strategy: 'fixed', value: 'REDACTED' } },
    },
    {
      table: 'support_tickets',
      where: { column: 'region', equals: 'EU' },
      columns: {
        customer_email: { strategy: 'email' },
        reporter_name: { strategy: 'first-name' },
        notes: { strategy: 'hash' },
      },
    },
    { table: 'audit_log', truncate: true },
  ],
  'test',
);

const MASKED: Record<string, readonly string[]> = {
  customers: [
    'email',
    'first_name',
    'last_name',
    'phone',
    'birth_date',
    'salary',
    'ssn',
    'card',
    'nickname',
    'city',
    'national_id',
  ],
  orders: ['customer_email', 'address'],
  support_tickets: ['customer_email', 'reporter_name', 'notes'],
};

function ddl(dialect: 'postgres' | 'mysql'): string[] {
  const timestamp = dialect === 'postgres' ? 'timestamp' : 'datetime';
  return [
    `CREATE TABLE customers (id integer PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, first_name varchar(50),
      last_name varchar(50), phone varchar(30), birth_date date, salary numeric(12,2), ssn varchar(20), card varchar(30),
      nickname varchar(50), city varchar(50), national_id varchar(40), country varchar(2) NOT NULL, created_at ${timestamp})`,
    `CREATE TABLE orders (id integer PRIMARY KEY, customer_email varchar(100), amount numeric(10,2), status varchar(20),
      address varchar(200))`,
    `CREATE TABLE support_tickets (id integer PRIMARY KEY, customer_email varchar(100), reporter_name varchar(50),
      notes text, region varchar(2), priority integer)`,
    'CREATE TABLE audit_log (id integer PRIMARY KEY, payload text)',
    `CREATE TABLE risky (id integer PRIMARY KEY, email varchar(100), token varchar(20) UNIQUE,
      code varchar(10) CHECK (code <> 'XX'))`,
  ];
}

const NAMES = ['James', 'Olivia', 'Mary', 'Noah', 'Zoë', 'John', 'Amelia', "D'Arcy"];
const SURNAMES = ['Smith', 'Okafor', 'Brown', "O'Neil", 'Nguyen', 'Müller'];
const CITIES = ['Lyon', 'Porto', 'Oslo', 'Cork', 'Graz', 'Turin', 'Ghent', 'Bergen'];

function day(offset: number): string {
  return new Date(Date.UTC(1975, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
}

function seedRows(): Record<string, Row[]> {
  const customers = Array.from({ length: CUSTOMERS }, (_, i) => ({
    id: i + 1,
    email: `${NAMES[i % NAMES.length]}.${SURNAMES[i % SURNAMES.length]}${i}@Example.com`.replace("'", ''),
    first_name: NAMES[i % NAMES.length],
    last_name: SURNAMES[i % SURNAMES.length],
    phone: `+1 (555) 01${String(i).padStart(2, '0')}-77${i % 10}`,
    birth_date: day(i * 211),
    salary: i === 0 ? '0.00' : (30_000 + i * 1234.56).toFixed(2),
    ssn: `123-45-${String(6000 + i)}`,
    card: `4111 1111 1111 ${String(1000 + i)}`,
    nickname: i % 5 === 0 ? null : `nick${i}`,
    city: CITIES[i % CITIES.length],
    national_id: `NID-${i * 7919}`,
    country: i % 2 ? 'FR' : 'DE',
    created_at: `2024-01-${String((i % 28) + 1).padStart(2, '0')} 10:00:00`,
  }));
  const orders = Array.from({ length: 100 }, (_, i) => ({
    id: i + 1,
    customer_email: i % 10 === 9 ? `guest${i}@shop.test` : customers[(i * 7) % CUSTOMERS]?.email,
    amount: (10 + i * 3.25).toFixed(2),
    status: i % 3 ? 'shipped' : 'open',
    address: `${i} Rue de la Paix`,
  }));
  const tickets = Array.from({ length: 30 }, (_, i) => ({
    id: i + 1,
    customer_email: customers[(i * 3) % CUSTOMERS]?.email,
    reporter_name: customers[(i * 3) % CUSTOMERS]?.first_name,
    notes: `Customer called about card ${i}`,
    region: i % 3 === 0 ? 'US' : 'EU',
    priority: (i % 3) + 1,
  }));
  const audit = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, payload: `login by user ${i}` }));
  const risky = Array.from({ length: 8 }, (_, i) => ({
    id: i + 1,
    email: `r${i}@x.test`,
    token: `t${i}`,
    code: 'OK',
  }));
  return { customers, orders, support_tickets: tickets, audit_log: audit, risky };
}

async function insert(
  db: SqlSession,
  dialect: 'postgres' | 'mysql',
  table: string,
  rows: Row[],
): Promise<void> {
  for (const row of rows) {
    const columns = Object.keys(row);
    const marks = columns.map((_, i) => (dialect === 'postgres' ? `$${i + 1}` : '?'));
    await db.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${marks.join(', ')})`,
      Object.values(row),
    );
  }
}

async function reseed(db: TargetDatabase): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${TABLES.join(', ')}`);
  for (const statement of ddl(db.dialect)) await db.query(statement);
  for (const [table, rows] of Object.entries(seedRows())) await insert(db, db.dialect, table, rows);
}

/** Every row of every table, ordered by key, values normalised to strings (dates as YYYY-MM-DD). */
async function snapshot(db: SqlSession): Promise<Record<string, Row[]>> {
  const result: Record<string, Row[]> = {};
  for (const table of TABLES) {
    const { rows } = await db.query(`SELECT * FROM ${table} ORDER BY id`);
    result[table] = rows.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([key, value]) => [
          key,
          value instanceof Date
            ? `${value.getFullYear()}-${String(value.getMonth() + 1).padStart(2, '0')}-${String(value.getDate()).padStart(2, '0')}`
            : value === null
              ? null
              : String(value),
        ]),
      ),
    );
  }
  return result;
}

const column = (rows: Row[] | undefined, name: string) => (rows ?? []).map((row) => row[name]);
const without = (rows: Row[] | undefined, names: readonly string[]) =>
  (rows ?? []).map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !names.includes(key))));

interface SentStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Records every statement and its parameters sent through the port (the real database still answers). */
function recording(db: TargetDatabase): {
  db: TargetDatabase;
  statements: string[];
  sent: SentStatement[];
  transactions: () => number;
} {
  const statements: string[] = [];
  const sent: SentStatement[] = [];
  let transactions = 0;
  const wrap = (session: SqlSession): SqlSession => ({
    query: (sql, params) => {
      statements.push(sql);
      sent.push({ sql, params: params ?? [] });
      return session.query(sql, params);
    },
  });
  return {
    statements,
    sent,
    transactions: () => transactions,
    db: {
      ...db,
      ...wrap(db),
      transaction: (work) => {
        transactions += 1;
        return db.transaction((session) => work(wrap(session)));
      },
    },
  };
}

/** Every purpose key of the salt (see keys.ts): what the database may be given instead of the salt. */
const PURPOSE_KEYS = Object.values(purposeKeys(SALT));
const carriesKey = (params: unknown) =>
  PURPOSE_KEYS.some((key) => JSON.stringify(params ?? null).includes(key));

const mentionsSalt = (value: unknown) => JSON.stringify(value ?? null).includes(SALT);

function daysBetween(a: unknown, b: unknown): number {
  return Math.round(
    (Date.parse(`${String(a)}T00:00:00Z`) - Date.parse(`${String(b)}T00:00:00Z`)) / 86_400_000,
  );
}

export function maskingScenario(name: string, target: () => ScenarioTarget): void {
  describe(`masking on ${name}`, () => {
    const log = new RecordingLog();
    const errors: string[] = [];

    const withDb = <T>(work: (db: TargetDatabase) => Promise<T>) => connected(() => target().connect(), work);

    it('masks every strategy, leaves no original value, keeps joins and unmasked columns', async () => {
      await withDb(async (db) => {
        await reseed(db);
        const before = await snapshot(db);
        const joinSql = 'SELECT COUNT(*) AS n FROM orders o JOIN customers c ON o.customer_email = c.email';
        const [joinBefore] = (await db.query(joinSql)).rows;
        const ticketJoin = (
          await db.query(
            "SELECT COUNT(*) AS n FROM support_tickets t JOIN customers c ON t.customer_email = c.email WHERE t.region = 'EU'",
          )
        ).rows[0];

        const report = await maskDatabase(db, RULES, { salt: SALT, log });
        const after = await snapshot(db);

        // Report: every table, every column, rows changed, verification clean.
        expect(report.tables.map((t) => t.table)).toEqual(
          ['customers', 'orders', 'support_tickets', 'audit_log'].map(
            (t) => `${name === 'PostgreSQL' ? 'public' : 'masking_test'}.${t}`,
          ),
        );
        const customersReport = report.tables[0];
        expect(customersReport?.rowsChanged.email).toBe(CUSTOMERS);
        // A zero salary moves too (by one cent): noise changes every value.
        expect(customersReport?.rowsChanged.salary).toBe(CUSTOMERS);
        expect(customersReport?.verified.email?.unchangedNonNull).toBe(0);
        expect(report.tables[2]?.rowsChanged.customer_email).toBe(20);
        expect(report.tables[3]?.truncated).toBe(true);

        // No original value left in any masked column, row by row (shuffle aside).
        for (const [table, columns] of Object.entries(MASKED)) {
          for (const col of columns.filter((c) => c !== 'city')) {
            const original = column(before[table], col);
            const masked = column(after[table], col);
            const leftovers = masked.filter((value, i) => value !== null && value === original[i]);
            const filtered =
              table === 'support_tickets'
                ? after[table]?.filter((_, i) => before[table]?.[i]?.region === 'EU')
                : undefined;
            if (filtered) {
              expect(
                filtered.filter(
                  (row) =>
                    row[col] !== null && before[table]?.find((b) => b.id === row.id)?.[col] === row[col],
                ),
                `${table}.${col}`,
              ).toEqual([]);
            } else {
              expect(leftovers, `${table}.${col}`).toEqual([]);
            }
          }
        }
        const originalEmails = new Set(column(before.customers, 'email'));
        expect(column(after.customers, 'email').filter((e) => originalEmails.has(e))).toEqual([]);

        // Masked emails: pseudonyms, unique; joins on them still match as before.
        const emails = column(after.customers, 'email') as string[];
        expect(new Set(emails).size).toBe(CUSTOMERS);
        for (const email of emails) expect(email).toMatch(/^u_[0-9a-f]{16}@example\.invalid$/);
        expect(Number((await db.query(joinSql)).rows[0]?.n)).toBe(Number(joinBefore?.n));
        expect(Number(joinBefore?.n)).toBe(90);
        const ticketJoinAfter = (
          await db.query(
            "SELECT COUNT(*) AS n FROM support_tickets t JOIN customers c ON t.customer_email = c.email WHERE t.region = 'EU'",
          )
        ).rows[0];
        expect(Number(ticketJoinAfter?.n)).toBe(Number(ticketJoin?.n));

        // Strategy by strategy.
        after.customers?.forEach((row, i) => {
          const old = before.customers?.[i] ?? {};
          expect(FIRST_NAMES).toContain(row.first_name);
          expect(String(row.phone).replace(/[0-9]/g, 'd')).toBe(String(old.phone).replace(/[0-9]/g, 'd'));
          for (const [k, ch] of [...String(row.phone)].entries()) {
            if (/[0-9]/.test(ch)) expect(ch).not.toBe(String(old.phone)[k]);
          }
          const shift = Math.abs(daysBetween(row.birth_date, old.birth_date));
          expect(shift).toBeGreaterThanOrEqual(1);
          expect(shift).toBeLessThanOrEqual(30);
          const salary = Number(old.salary);
          const moved = Math.abs(Number(row.salary) - salary);
          // A zero moves by at least one cent, at most the ratio of 1 (noise changes every value).
          expect(moved).toBeGreaterThanOrEqual(0.01);
          expect(moved).toBeLessThanOrEqual(Math.max(salary, 1) * 0.1 + 0.01);
          expect(row.ssn).toBe(`*******${String(old.ssn).slice(-4)}`);
          expect(row.card).toBe(String(old.card).replace(/[0-9]/g, '#'));
          expect(row.nickname).toBeNull();
          expect(String(row.national_id)).toMatch(/^[0-9a-f]{24}$/);
        });
        expect([...column(after.customers, 'city')].sort()).toEqual(
          [...column(before.customers, 'city')].sort(),
        );
        expect(column(after.orders, 'address').every((a) => a === 'REDACTED')).toBe(true);
        expect(after.audit_log).toEqual([]);

        // Deterministic across tables: the same first name masks to the same fake name in tickets.
        const fakeOf = new Map(
          before.customers?.map((row, i) => [row.first_name, after.customers?.[i]?.first_name]),
        );
        after.support_tickets?.forEach((row, i) => {
          const old = before.support_tickets?.[i];
          if (old?.region === 'EU') expect(row.reporter_name).toBe(fakeOf.get(old.reporter_name));
          else expect(row).toEqual(old);
        });

        // Unmasked columns untouched.
        for (const table of ['customers', 'orders', 'support_tickets', 'risky']) {
          expect(without(after[table], MASKED[table] ?? []), table).toEqual(
            without(before[table], MASKED[table] ?? []),
          );
        }
      });
    });

    it('is deterministic for one salt across runs and different for another salt', async () => {
      const deterministic = ['email', 'first_name', 'last_name', 'national_id'];
      const run = async (salt: string) =>
        withDb(async (db) => {
          await reseed(db);
          await maskDatabase(db, RULES, { salt, log });
          const rows = (await snapshot(db)).customers ?? [];
          return rows.map((row) => Object.fromEntries(deterministic.map((c) => [c, row[c]])));
        });
      const first = await run(SALT);
      const second = await run(SALT);
      const other = await run(OTHER_SALT);
      expect(second).toEqual(first);
      for (const c of ['email', 'national_id']) {
        expect(
          other.filter((row, i) => row[c] === first[i]?.[c]),
          c,
        ).toEqual([]);
      }
      expect(other.filter((row, i) => row.first_name !== first[i]?.first_name).length).toBeGreaterThan(0);
    });

    it.each([
      [
        'a quote in a column',
        { table: 'customers', columns: { 'email"': { strategy: 'null' } } },
        'tables[0].columns["email\\""]',
      ],
      [
        'a semicolon in a column',
        { table: 'customers', columns: { 'e;mail': { strategy: 'null' } } },
        'tables[0].columns["e;mail"]',
      ],
      [
        'a line comment',
        { table: 'customers', columns: { 'email--': { strategy: 'null' } } },
        'tables[0].columns["email--"]',
      ],
      ['a block comment', { table: 'customers /* x */', truncate: true }, 'tables[0].table'],
      ['a stacked statement', { table: 'customers; DROP TABLE orders', truncate: true }, 'tables[0].table'],
      [
        'free SQL in a filter',
        {
          table: 'customers',
          where: { column: '1=1 OR id', equals: 1 },
          columns: { email: { strategy: 'email' } },
        },
        'tables[0].where.column',
      ],
      [
        'an unknown strategy',
        { table: 'customers', columns: { email: { strategy: 'sql', sql: 'x' } } },
        'tables[0].columns.email.strategy',
      ],
    ])('refuses %s in the configuration before any SQL', (_, entry, path) => {
      const error = (() => {
        try {
          parseMaskingRules([entry], 'mask-pii');
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain(path);
    });

    it('refuses unknown names and strategy/type mismatches before changing anything, listing every problem', async () => {
      await withDb(async (raw) => {
        await reseed(raw);
        const before = await snapshot(raw);
        const { db, statements, transactions } = recording(raw);
        const rules = parseMaskingRules(
          [
            {
              table: 'customers',
              columns: { email: { strategy: 'email' }, no_such_column: { strategy: 'null' } },
            },
            { table: 'no_such_table', columns: { email: { strategy: 'email' } } },
            {
              table: 'customers',
              columns: { email: { strategy: 'noise', ratio: 0.1 }, salary: { strategy: 'email' } },
            },
            {
              table: 'customers',
              columns: { city: { strategy: 'date-shift', maxDays: 3 }, country: { strategy: 'null' } },
            },
            { table: 'customers', columns: { id: { strategy: 'noise', ratio: 0.5 } } },
          ],
          'mask-pii',
        );
        const error = await rejection(maskDatabase(db, rules, { salt: SALT, log }));
        expect(error).toBeInstanceOf(ConfigurationError);
        const message = (error as Error).message;
        errors.push(message);
        for (const part of [
          'tables[0].columns.no_such_column',
          'tables[1]: table no_such_table does not exist',
          'tables[2].columns.email: strategy noise needs a numeric column',
          'tables[2].columns.salary: strategy email needs a text column',
          'tables[3].columns.city: strategy date-shift needs a date column',
          'tables[3].columns.country: strategy null on a NOT NULL column',
          'tables[4].columns.id',
        ]) {
          expect(message).toContain(part);
        }
        expect(transactions()).toBe(0);
        // Only reads: the catalog, and (email on the case-sensitive unique customers.email) one count of values
        // differing only in case, which returns a number, never a value.
        expect(
          statements.filter(
            (sql) =>
              !/^\s*SELECT/i.test(sql) ||
              !(
                /information_schema|pg_index|pg_constraint/.test(sql) ||
                /^\s*SELECT COUNT\(\*\) AS n FROM \(SELECT lower/.test(sql)
              ),
          ),
        ).toEqual([]);
        expect(await snapshot(raw)).toEqual(before);
      });
    });

    it('rolls back a table that fails midway and keeps the tables masked before it', async () => {
      await withDb(async (db) => {
        await reseed(db);
        const before = await snapshot(db);
        // The email UPDATE succeeds, then shuffling a UNIQUE column collides: the failure is mid-table.
        const shuffleUnique = parseMaskingRules(
          [
            { table: 'orders', columns: { customer_email: { strategy: 'email' } } },
            { table: 'risky', columns: { email: { strategy: 'email' }, token: { strategy: 'shuffle' } } },
            { table: 'audit_log', truncate: true },
          ],
          'mask-pii',
        );
        const error = await rejection(maskDatabase(db, shuffleUnique, { salt: SALT, log }));
        expect(error).toBeInstanceOf(MaskingError);
        expect((error as Error).message).toMatch(/risky failed while shuffling token/);
        expect(['23505', 'ER_DUP_ENTRY']).toContain((error as MaskingError).driverCode);
        // The pre-flight allows shuffle on a one-column unique index (a permutation ends unique), but both
        // engines check uniqueness row by row: the error names the index, from the catalog, never a value.
        const index = db.dialect === 'postgres' ? 'risky_token_key' : 'token';
        expect((error as MaskingError).unique).toEqual({ constraints: [index], columns: ['token'] });
        expect((error as Error).message).toContain(
          `shuffling token: two rows would share a value of unique index ${index} (token)`,
        );
        expect((error as Error).message).not.toMatch(/'t\d'|\bt\d\b/);
        errors.push((error as Error).message);
        let after = await snapshot(db);
        expect(after.risky).toEqual(before.risky);
        expect(after.audit_log).toEqual(before.audit_log);
        expect(
          column(after.orders, 'customer_email').filter((e, i) => e === before.orders?.[i]?.customer_email),
        ).toEqual([]);

        // A CHECK constraint violated by the configured value fails the UPDATE itself: same outcome.
        const check = parseMaskingRules(
          [
            {
              table: 'risky',
              columns: { email: { strategy: 'email' }, code: { strategy: 'fixed', value: 'XX' } },
            },
          ],
          'mask-pii',
        );
        const checkError = await rejection(maskDatabase(db, check, { salt: SALT, log }));
        expect(checkError).toBeInstanceOf(MaskingError);
        expect((checkError as Error).message).toMatch(/risky failed while updating email, code/);
        // MariaDB's errno 4025 (CHECK failed) is named after MySQL's 4025 by mysql2's error table.
        expect(['23514', 'ER_CONSTRAINT_FAILED', 'ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE']).toContain(
          (checkError as MaskingError).driverCode,
        );
        errors.push((checkError as Error).message);
        after = await snapshot(db);
        expect(after.risky).toEqual(before.risky);
      });
    });

    it('masks tables whose columns need no salt (only digits-mask, only fixed, only null)', async () => {
      await withDb(async (raw) => {
        await reseed(raw);
        const before = await snapshot(raw);
        const { db, sent } = recording(raw);
        const unsalted = parseMaskingRules(
          [
            { table: 'customers', columns: { card: { strategy: 'digits-mask' } } },
            { table: 'orders', columns: { address: { strategy: 'fixed', value: 'REDACTED' } } },
            { table: 'support_tickets', columns: { notes: { strategy: 'null' } } },
          ],
          'mask-pii',
        );
        const report = await maskDatabase(db, unsalted, { salt: SALT, log });
        expect(report.tables.map((t) => t.table.split('.')[1])).toEqual([
          'customers',
          'orders',
          'support_tickets',
        ]);
        expect(report.tables[0]?.rowsChanged.card).toBe(CUSTOMERS);
        const after = await snapshot(raw);
        after.customers?.forEach((row, i) => {
          expect(row.card).toBe(String(before.customers?.[i]?.card).replace(/[0-9]/g, '#'));
        });
        expect(column(after.orders, 'address').every((a) => a === 'REDACTED')).toBe(true);
        expect(column(after.support_tickets, 'notes').every((n) => n === null)).toBe(true);
        expect(without(after.customers, ['card'])).toEqual(without(before.customers, ['card']));
        // No strategy here needs the salt, so it is not sent at all.
        expect(sent.filter((s) => mentionsSalt(s.params) || s.sql.includes(SALT))).toEqual([]);
      });
    });

    it('never sends the salt: only purpose keys, as parameters of the UPDATEs that use them', async () => {
      await withDb(async (raw) => {
        await reseed(raw);
        const { db, sent } = recording(raw);
        await maskDatabase(db, RULES, { salt: SALT, log });
        expect(sent.filter((s) => s.sql.includes(SALT) || mentionsSalt(s.params))).toEqual([]);
        expect(sent.filter((s) => PURPOSE_KEYS.some((key) => s.sql.includes(key)))).toEqual([]);
        const carriers = sent.filter((s) => carriesKey(s.params));
        // customers, orders and support_tickets use deterministic strategies; audit_log is truncated.
        expect(carriers.length).toBe(3);
        for (const carrier of carriers) expect(carrier.sql).toMatch(/^\s*UPDATE\b/);
        // Each UPDATE carries the keys of its own purposes, and no other.
        const keys = purposeKeys(SALT);
        const carried = carriers.map((s) =>
          Object.entries(keys)
            .filter(([, key]) => JSON.stringify(s.params).includes(key))
            .map(([purpose]) => purpose)
            .sort(),
        );
        expect(carried).toEqual([
          ['email', 'first-name', 'hash', 'last-name'],
          ['email'],
          ['email', 'first-name', 'hash'],
        ]);
      });
    });

    it('sends neither the salt nor a key when a table fails, and changes nothing', async () => {
      await withDb(async (raw) => {
        await reseed(raw);
        const before = await snapshot(raw);
        const { db, sent } = recording(raw);
        const failing = parseMaskingRules(
          [{ table: 'risky', columns: { email: { strategy: 'email' }, token: { strategy: 'shuffle' } } }],
          'mask-pii',
        );
        const error = await rejection(maskDatabase(db, failing, { salt: SALT, log }));
        expect(error).toBeInstanceOf(MaskingError);
        expect((error as Error).message).toMatch(/risky failed while shuffling token/);
        expect(sent.filter((s) => mentionsSalt(s.params) || s.sql.includes(SALT))).toEqual([]);
        // The email UPDATE ran (and was rolled back) with the email key only.
        expect(sent.filter((s) => carriesKey(s.params)).map((s) => s.params)).toEqual([
          expect.arrayContaining([purposeKeys(SALT).email]),
        ]);
        expect((await snapshot(raw)).risky).toEqual(before.risky);
      });
    });

    it('moves every value of a shuffled column to another row, even with two rows', async () => {
      await withDb(async (db) => {
        await reseed(db);
        const firstTwo = (rows: Row[] | undefined) =>
          (rows ?? []).filter((row) => row.id === '1' || row.id === '2');
        const pair = firstTwo((await snapshot(db)).customers);
        expect(new Set(pair.map((row) => row.city)).size).toBe(2);
        await maskDatabase(
          db,
          parseMaskingRules(
            [
              {
                table: 'customers',
                where: { column: 'id', in: [1, 2] },
                columns: { city: { strategy: 'shuffle' } },
              },
            ],
            'mask-pii',
          ),
          { salt: SALT, log },
        );
        const after = firstTwo((await snapshot(db)).customers);
        expect(after.map((row) => row.city)).toEqual([...pair.map((row) => row.city)].reverse());
      });
    });

    it.each([
      [
        'a filter matching one row',
        {
          table: 'customers',
          where: { column: 'id', equals: 1 },
          columns: { city: { strategy: 'shuffle' } },
        },
        /customers .*city/,
      ],
      [
        'a column holding one value',
        { table: 'risky', columns: { code: { strategy: 'shuffle' } } },
        /risky .*code/,
      ],
    ])('fails a shuffle that can move nothing: %s', async (_, entry, message) => {
      await withDb(async (db) => {
        await reseed(db);
        const before = await snapshot(db);
        const error = await rejection(
          maskDatabase(db, parseMaskingRules([entry], 'mask-pii'), { salt: SALT, log }),
        );
        expect(error).toBeInstanceOf(MaskingError);
        expect((error as Error).message).toMatch(message);
        expect((error as Error).message).toMatch(/rolled back/);
        errors.push((error as Error).message);
        expect(await snapshot(db)).toEqual(before);
      });
    });

    describe('unique indexes on masked columns', () => {
      type Dialect = 'postgres' | 'mysql';
      /** A case-sensitive text type per engine (PostgreSQL's default; MariaDB's default collation ignores case). */
      const exact = (dialect: Dialect) =>
        dialect === 'postgres' ? 'varchar(100)' : 'varchar(100) COLLATE utf8mb4_bin';
      const caseless = (dialect: Dialect) =>
        dialect === 'postgres' ? 'varchar(100)' : 'varchar(100) COLLATE utf8mb4_general_ci';

      async function table(db: TargetDatabase, name: string, ddl: string, rows: Row[]): Promise<Row[]> {
        await db.query(`DROP TABLE IF EXISTS ${name}`);
        await db.query(ddl);
        await insert(db, db.dialect, name, rows);
        return (await db.query(`SELECT * FROM ${name} ORDER BY id`)).rows;
      }
      const rowsOf = async (db: SqlSession, name: string) =>
        (await db.query(`SELECT * FROM ${name} ORDER BY id`)).rows;

      const TWINS = [
        { id: 1, email: 'ANN@x.org', token: 'a1', nick: 'n1' },
        { id: 2, email: 'ann@x.org', token: 'a2', nick: 'n2' },
        { id: 3, email: 'bob@x.org', token: 'a3', nick: null },
      ];

      it('refuses email on a case-sensitive unique column holding ANN@x.org and ann@x.org, with the other problems, before any change', async () => {
        await withDb(async (raw) => {
          const before = await table(
            raw,
            'uq_cs',
            `CREATE TABLE uq_cs (id integer PRIMARY KEY, email ${exact(raw.dialect)}, token varchar(20), nick varchar(20),
              CONSTRAINT uq_cs_email UNIQUE (email), CONSTRAINT uq_cs_token UNIQUE (token))`,
            TWINS,
          );
          const { db, statements, transactions } = recording(raw);
          const rules = parseMaskingRules(
            [
              { table: 'uq_cs', columns: { email: { strategy: 'email' }, nick: { strategy: 'null' } } },
              { table: 'uq_cs', columns: { token: { strategy: 'fixed', value: 'T' } } },
              { table: 'uq_cs', columns: { token: { strategy: 'hash', length: 8 } } },
              { table: 'uq_cs', columns: { no_such: { strategy: 'null' } } },
            ],
            'mask-pii',
          );
          const error = await rejection(maskDatabase(db, rules, { salt: SALT, log }));
          expect(error).toBeInstanceOf(ConfigurationError);
          const message = (error as Error).message;
          errors.push(message);
          const label = `${raw.dialect === 'postgres' ? 'public' : 'masking_test'}.uq_cs`;
          for (const part of [
            `tables[0].columns.email: ${label}.email: strategy email folds case, but unique index uq_cs_email compares case-sensitively`,
            'use hash, or a case-insensitive collation',
            `tables[1].columns.token: ${label}.token: strategy fixed writes one value to every row, but unique index uq_cs_token needs them distinct`,
            `tables[2].columns.token: ${label}.token: strategy hash keeps 8 hex characters`,
            'tables[3].columns.no_such',
          ]) {
            expect(message).toContain(part);
          }
          expect(message).not.toContain('tables[0].columns.nick');
          expect(message).not.toMatch(/ann|ANN|bob|a1|a2/);
          expect(transactions()).toBe(0);
          expect(statements.filter((sql) => !/^\s*SELECT/i.test(sql))).toEqual([]);
          expect(await rowsOf(raw, 'uq_cs')).toEqual(before);
        });
      });

      it('allows email on a case-sensitive unique column whose values differ other than in case', async () => {
        await withDb(async (db) => {
          await table(
            db,
            'uq_cs_ok',
            `CREATE TABLE uq_cs_ok (id integer PRIMARY KEY, email ${exact(db.dialect)} UNIQUE)`,
            [
              { id: 1, email: 'ann@x.org' },
              { id: 2, email: 'Bob@x.org' },
            ],
          );
          const report = await maskDatabase(
            db,
            parseMaskingRules([{ table: 'uq_cs_ok', columns: { email: { strategy: 'email' } } }], 'mask-pii'),
            { salt: SALT, log },
          );
          expect(report.tables[0]?.rowsChanged.email).toBe(2);
        });
      });

      it('allows email where the unique index ignores case (MariaDB _ci collation; PostgreSQL unique lower(email)) without counting', async () => {
        await withDb(async (raw) => {
          const ddl =
            raw.dialect === 'postgres'
              ? 'CREATE TABLE uq_ci (id integer PRIMARY KEY, email varchar(100))'
              : `CREATE TABLE uq_ci (id integer PRIMARY KEY, email ${caseless(raw.dialect)}, CONSTRAINT uq_ci_email UNIQUE (email))`;
          const before = await table(raw, 'uq_ci', ddl, [
            { id: 1, email: 'ANN@x.org' },
            { id: 2, email: 'bob@x.org' },
          ]);
          // PostgreSQL: a unique index on lower(email) keeps the values unique ignoring case, which is all email
          // needs (it hashes lower(email)); the plain unique constraint beside it then needs no count either.
          if (raw.dialect === 'postgres') {
            await raw.query('CREATE UNIQUE INDEX uq_ci_lower ON uq_ci (lower(email))');
            await raw.query('ALTER TABLE uq_ci ADD CONSTRAINT uq_ci_email UNIQUE (email)');
            const dup = await rejection(raw.query("INSERT INTO uq_ci VALUES (3, 'ann@x.org')"));
            expect((dup as { code?: string }).code).toBe('23505');
          }
          const { db, statements } = recording(raw);
          const report = await maskDatabase(
            db,
            parseMaskingRules([{ table: 'uq_ci', columns: { email: { strategy: 'email' } } }], 'mask-pii'),
            { salt: SALT, log },
          );
          expect(report.tables[0]?.rowsChanged.email).toBe(2);
          expect(statements.filter((sql) => /COUNT\(DISTINCT/.test(sql))).toEqual([]);
          const after = await rowsOf(raw, 'uq_ci');
          for (const [i, row] of after.entries()) {
            expect(row.email).toMatch(/^u_[0-9a-f]{16}@example\.invalid$/);
            expect(row.email).not.toBe(before[i]?.email);
          }
        });
      });

      it('allows hash of length 32 and null (NULLs never collide) on unique columns', async () => {
        await withDb(async (db) => {
          const before = await table(
            db,
            'uq_ok',
            `CREATE TABLE uq_ok (id integer PRIMARY KEY, token varchar(40) UNIQUE, nick varchar(20) UNIQUE)`,
            [
              { id: 1, token: 't1', nick: 'n1' },
              { id: 2, token: 't2', nick: 'n2' },
              { id: 3, token: 't3', nick: null },
            ],
          );
          const report = await maskDatabase(
            db,
            parseMaskingRules(
              [
                {
                  table: 'uq_ok',
                  columns: { token: { strategy: 'hash', length: 32 }, nick: { strategy: 'null' } },
                },
              ],
              'mask-pii',
            ),
            { salt: SALT, log },
          );
          expect(report.tables[0]?.rowsChanged).toEqual({ token: 3, nick: 2 });
          const after = await rowsOf(db, 'uq_ok');
          expect(new Set(after.map((row) => row.token)).size).toBe(3);
          for (const [i, row] of after.entries()) {
            expect(String(row.token)).toMatch(/^[0-9a-f]{32}$/);
            expect(row.token).not.toBe(before[i]?.token);
            expect(row.nick).toBeNull();
          }
        });
      });

      it('on a composite unique index, allows injective strategies on a masked member and refuses the others', async () => {
        await withDb(async (raw) => {
          const before = await table(
            raw,
            'uq_pair',
            `CREATE TABLE uq_pair (id integer PRIMARY KEY, tenant integer NOT NULL, email ${exact(raw.dialect)},
              city varchar(20), CONSTRAINT uq_pair_tenant_email UNIQUE (tenant, email))`,
            [
              { id: 1, tenant: 1, email: 'ANN@x.org', city: 'Oslo' },
              { id: 2, tenant: 1, email: 'ann@x.org', city: 'Cork' },
              { id: 3, tenant: 2, email: 'ann@x.org', city: 'Graz' },
            ],
          );
          const refused = await rejection(
            maskDatabase(
              raw,
              parseMaskingRules(
                [
                  { table: 'uq_pair', columns: { email: { strategy: 'email' } } },
                  { table: 'uq_pair', columns: { email: { strategy: 'partial', keepFirst: 1 } } },
                  { table: 'uq_pair', columns: { email: { strategy: 'shuffle' } } },
                ],
                'mask-pii',
              ),
              { salt: SALT, log },
            ),
          );
          expect(refused).toBeInstanceOf(ConfigurationError);
          const message = (refused as Error).message;
          errors.push(message);
          expect(message).toContain('tables[0].columns.email');
          expect(message).toContain('strategy email folds case, but unique index uq_pair_tenant_email');
          expect(message).toContain(
            'tables[1].columns.email: ' +
              `${raw.dialect === 'postgres' ? 'public' : 'masking_test'}.uq_pair.email: strategy partial can give two rows the same value, but unique index uq_pair_tenant_email needs them distinct`,
          );
          expect(message).toContain('tables[2].columns.email');
          expect(message).toContain('spans several columns');
          expect(await rowsOf(raw, 'uq_pair')).toEqual(before);

          // hash (injective) on email alone keeps (tenant, email) unique; city is not in the index.
          await maskDatabase(
            raw,
            parseMaskingRules(
              [
                {
                  table: 'uq_pair',
                  columns: { email: { strategy: 'hash' }, city: { strategy: 'fixed', value: 'X' } },
                },
              ],
              'mask-pii',
            ),
            { salt: SALT, log },
          );
          const after = await rowsOf(raw, 'uq_pair');
          expect(after.map((row) => row.email)).not.toContain('ann@x.org');
          expect(new Set(after.map((row) => `${row.tenant}/${row.email}`)).size).toBe(3);
        });
      });
    });

    it('never logs or reports the password or the salt', () => {
      const { password } = target().secret;
      const logged = JSON.stringify(log.entries);
      expect(log.entries.length).toBeGreaterThan(5);
      expect(logged).toContain('rowsChanged');
      for (const secret of [password, SALT, OTHER_SALT]) {
        expect(logged).not.toContain(secret);
        for (const message of errors) expect(message).not.toContain(secret);
      }
      // No data value either: the masked addresses' originals are not in the error messages.
      for (const message of errors) expect(message).not.toMatch(/@/);
    });
  });
}
