// Foreign keys between masked columns (see shared/masking/foreign.ts), run against PostgreSQL and MariaDB by the
// two dialect suites: patients(email unique) ← visits(patient_email), a schema unlike the sample one. Masked
// table by table, a foreign key between masked columns failed with 23503 (errno 1451/1452) in either order.
import { describe, expect, it } from 'vitest';
import type { DatabaseSecret } from '#shared/database/secret';
import type { SqlSession, TargetDatabase } from '#shared/database/target';
import { ConfigurationError } from '#shared/errors';
import { MaskingError } from '#shared/masking/errors';
import { maskDatabase } from '#shared/masking/mask';
import { parseMaskingRules } from '#shared/masking/rules';
import { connected } from '../support/connected.ts';
import { RecordingLog } from '../support/ports.ts';
import { rejection } from '../support/rejection.ts';

export interface FkScenarioTarget {
  readonly secret: DatabaseSecret;
  connect(): Promise<TargetDatabase>;
}

const SALT = 'fk-salt-5e0d71';
const PATIENTS = 12;
const VISITS = 30;

interface Shape {
  /** PostgreSQL DEFERRABLE (MySQL/MariaDB have no such attribute). */
  readonly deferrable?: boolean;
  readonly cascade?: boolean;
}

async function reseed(db: TargetDatabase, { deferrable = true, cascade = false }: Shape = {}): Promise<void> {
  const defer = db.dialect === 'postgres' && deferrable ? ' DEFERRABLE' : '';
  const onUpdate = cascade ? ' ON UPDATE CASCADE' : '';
  await db.query('DROP TABLE IF EXISTS visits');
  await db.query('DROP TABLE IF EXISTS patients');
  await db.query(`CREATE TABLE patients (id integer PRIMARY KEY, email varchar(100) NOT NULL, full_name varchar(50),
    code varchar(10) CHECK (code <> 'XX'), CONSTRAINT patients_email_key UNIQUE (email))`);
  await db.query(`CREATE TABLE visits (id integer PRIMARY KEY, patient_email varchar(100), reason varchar(50),
    CONSTRAINT visits_patient_fk FOREIGN KEY (patient_email) REFERENCES patients (email)${onUpdate}${defer})`);
  const mark = (n: number) => (db.dialect === 'postgres' ? `$${n}` : '?');
  for (let i = 0; i < PATIENTS; i += 1) {
    await db.query(`INSERT INTO patients VALUES (${mark(1)}, ${mark(2)}, ${mark(3)}, 'OK')`, [
      i + 1,
      `Patient.${i}@Clinic.example`,
      `Name ${i}`,
    ]);
  }
  for (let i = 0; i < VISITS; i += 1) {
    await db.query(`INSERT INTO visits VALUES (${mark(1)}, ${mark(2)}, ${mark(3)})`, [
      i + 1,
      i % 7 === 6 ? null : `Patient.${(i * 5) % PATIENTS}@Clinic.example`,
      `reason ${i}`,
    ]);
  }
}

const joined = async (db: SqlSession) =>
  Number(
    (await db.query('SELECT COUNT(*) AS n FROM visits v JOIN patients p ON p.email = v.patient_email'))
      .rows[0]?.n,
  );

async function snapshot(db: SqlSession): Promise<unknown> {
  return {
    patients: (await db.query('SELECT * FROM patients ORDER BY id')).rows,
    visits: (await db.query('SELECT * FROM visits ORDER BY id')).rows,
  };
}

/** Counts the transactions masking opens (the real database still does the work). */
function counting(db: TargetDatabase): { db: TargetDatabase; transactions: () => number } {
  let transactions = 0;
  return {
    transactions: () => transactions,
    db: {
      ...db,
      transaction: (work) => {
        transactions += 1;
        return db.transaction(work);
      },
    },
  };
}

const checksOf = async (db: SqlSession) =>
  Number((await db.query('SELECT @@SESSION.foreign_key_checks AS v')).rows[0]?.v);

const BOTH_EMAIL = [
  { table: 'visits', columns: { patient_email: { strategy: 'email' } } },
  { table: 'patients', columns: { email: { strategy: 'email' } } },
];

export function maskingForeignKeyScenario(name: string, target: () => FkScenarioTarget): void {
  describe(`masking foreign keys between masked columns on ${name}`, () => {
    const log = new RecordingLog();

    const withDb = <T>(work: (db: TargetDatabase) => Promise<T>) => connected(() => target().connect(), work);
    const schemaOf = (db: TargetDatabase) => (db.dialect === 'postgres' ? 'public' : db.database);

    it.each([
      ['referencing table first', BOTH_EMAIL],
      ['referenced table first', [...BOTH_EMAIL].reverse()],
    ])('masks both sides with email in one transaction, every reference intact (%s)', async (_, entries) => {
      await withDb(async (raw) => {
        await reseed(raw);
        const before = await joined(raw);
        expect(before).toBe(VISITS - Math.floor(VISITS / 7));
        const { db, transactions } = counting(raw);
        const report = await maskDatabase(db, parseMaskingRules(entries, 'mask-pii'), { salt: SALT, log });
        expect(transactions()).toBe(1);
        const schema = schemaOf(raw);
        expect(report.tables.map((table) => table.table).sort()).toEqual([
          `${schema}.patients`,
          `${schema}.visits`,
        ]);
        const byTable = Object.fromEntries(report.tables.map((table) => [table.table, table]));
        expect(byTable[`${schema}.patients`]?.rowsChanged.email).toBe(PATIENTS);
        expect(byTable[`${schema}.visits`]?.rowsChanged.patient_email).toBe(before);
        expect(await joined(raw)).toBe(before);
        const after = (await snapshot(raw)) as {
          patients: { email: string }[];
          visits: { patient_email: string | null }[];
        };
        expect(after.patients.filter((row) => !/^u_[0-9a-f]{16}@example\.invalid$/.test(row.email))).toEqual(
          [],
        );
        expect(after.visits.filter((row) => /Clinic/.test(String(row.patient_email)))).toEqual([]);
        if (raw.dialect === 'mysql') expect(await checksOf(raw)).toBe(1);
      });
    });

    it.each([
      [
        'different strategies',
        [
          { table: 'visits', columns: { patient_email: { strategy: 'email' } } },
          { table: 'patients', columns: { email: { strategy: 'hash', length: 32 } } },
        ],
        (s: string) =>
          `tables[0].columns.patient_email: foreign key visits_patient_fk (${s}.visits.patient_email → ${s}.patients.email): the columns are masked with email and hash (length 32)`,
      ],
      [
        'hashes of different lengths',
        [
          { table: 'visits', columns: { patient_email: { strategy: 'hash', length: 16 } } },
          { table: 'patients', columns: { email: { strategy: 'hash', length: 32 } } },
        ],
        (s: string) =>
          `foreign key visits_patient_fk (${s}.visits.patient_email → ${s}.patients.email): the columns are masked with hash (length 16) and hash (length 32)`,
      ],
      [
        'the referenced side only',
        [{ table: 'patients', columns: { email: { strategy: 'email' } } }],
        (s: string) =>
          `tables[0].columns.email: foreign key visits_patient_fk (${s}.visits.patient_email → ${s}.patients.email): ${s}.patients.email is masked with email but ${s}.visits.patient_email is not, so the reference would break`,
      ],
      [
        'the referencing side only',
        [{ table: 'visits', columns: { patient_email: { strategy: 'email' } } }],
        (s: string) =>
          `${s}.visits.patient_email is masked with email but ${s}.patients.email is not, so the reference would break`,
      ],
      [
        'a where on one side',
        [
          {
            table: 'visits',
            where: { column: 'reason', equals: 'reason 1' },
            columns: { patient_email: { strategy: 'email' } },
          },
          { table: 'patients', columns: { email: { strategy: 'email' } } },
        ],
        () => 'a rule masking it has a where',
      ],
    ])('refuses %s, naming the constraint, before any change', async (_, entries, expected) => {
      await withDb(async (raw) => {
        await reseed(raw);
        const before = await snapshot(raw);
        const { db, transactions } = counting(raw);
        const error = await rejection(
          maskDatabase(db, parseMaskingRules(entries, 'mask-pii'), { salt: SALT, log }),
        );
        expect(error).toBeInstanceOf(ConfigurationError);
        const message = (error as Error).message;
        expect(message).toContain(expected(schemaOf(raw)));
        expect(message).not.toMatch(/Clinic|Patient\./);
        expect(transactions()).toBe(0);
        expect(await snapshot(raw)).toEqual(before);
      });
    });

    it('refuses the referenced side alone even with ON UPDATE CASCADE', async () => {
      await withDb(async (raw) => {
        await reseed(raw, { cascade: true });
        const before = await snapshot(raw);
        const error = await rejection(
          maskDatabase(
            raw,
            parseMaskingRules([{ table: 'patients', columns: { email: { strategy: 'email' } } }], 'mask-pii'),
            {
              salt: SALT,
              log,
            },
          ),
        );
        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as Error).message).toContain('(ON UPDATE CASCADE is not relied on)');
        expect(await snapshot(raw)).toEqual(before);
        // Both sides masked, the cascade carries nothing (the referencing table is masked first).
        const count = await joined(raw);
        await maskDatabase(raw, parseMaskingRules([...BOTH_EMAIL].reverse(), 'mask-pii'), {
          salt: SALT,
          log,
        });
        expect(await joined(raw)).toBe(count);
      });
    });

    it('rolls the whole group back when its second table fails, and restores the session', async () => {
      await withDb(async (raw) => {
        await reseed(raw);
        const before = await snapshot(raw);
        if (raw.dialect === 'mysql') expect(await checksOf(raw)).toBe(1);
        // visits (referencing) is masked first and succeeds; patients then violates its CHECK.
        const rules = parseMaskingRules(
          [
            {
              table: 'patients',
              columns: { email: { strategy: 'email' }, code: { strategy: 'fixed', value: 'XX' } },
            },
            { table: 'visits', columns: { patient_email: { strategy: 'email' } } },
          ],
          'mask-pii',
        );
        const error = await rejection(maskDatabase(raw, rules, { salt: SALT, log }));
        expect(error).toBeInstanceOf(MaskingError);
        const schema = schemaOf(raw);
        expect((error as Error).message).toContain(
          `Masking ${schema}.patients failed while updating email, code`,
        );
        expect((error as Error).message).toContain(
          `the tables ${schema}.visits, ${schema}.patients, masked in one transaction (joined by foreign keys), were rolled back together`,
        );
        expect((error as Error).message).not.toMatch(/@/);
        expect(await snapshot(raw)).toEqual(before);
        if (raw.dialect === 'mysql') expect(await checksOf(raw)).toBe(1);
      });
    });

    it('treats a non-deferrable foreign key per engine (PostgreSQL: refused with the fix; MariaDB: masked)', async () => {
      await withDb(async (raw) => {
        await reseed(raw, { deferrable: false });
        const before = await snapshot(raw);
        const count = await joined(raw);
        const rules = parseMaskingRules(BOTH_EMAIL, 'mask-pii');
        if (raw.dialect === 'postgres') {
          const error = await rejection(maskDatabase(raw, rules, { salt: SALT, log }));
          expect(error).toBeInstanceOf(ConfigurationError);
          expect((error as Error).message).toContain(
            'foreign key visits_patient_fk (public.visits.patient_email → public.patients.email): the constraint is not DEFERRABLE',
          );
          expect((error as Error).message).toContain(
            'ALTER TABLE public.visits ALTER CONSTRAINT visits_patient_fk DEFERRABLE',
          );
          expect(await snapshot(raw)).toEqual(before);
          // What an sql hook before mask would run: then masking passes.
          await raw.query('ALTER TABLE visits ALTER CONSTRAINT visits_patient_fk DEFERRABLE');
        } else {
          // A session that had switched checks off keeps them off: the value read is restored.
          await raw.query('SET SESSION foreign_key_checks = 0');
        }
        await maskDatabase(raw, rules, { salt: SALT, log });
        expect(await joined(raw)).toBe(count);
        if (raw.dialect === 'mysql') {
          expect(await checksOf(raw)).toBe(0);
          await raw.query('SET SESSION foreign_key_checks = 1');
        }
      });
    });

    it('never logs the salt or a masked value', () => {
      const logged = JSON.stringify(log.entries);
      expect(logged).toContain('rowsChanged');
      expect(logged).not.toContain(SALT);
      expect(logged).not.toMatch(/Clinic/);
    });
  });
}
