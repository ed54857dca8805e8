// Leaks masking must not have, run against PostgreSQL and MariaDB by the two dialect suites: a writer that
// commits while a table is being masked, digits of other scripts than ASCII, and verification that would pass
// without one of its checks. Sabotage goes through the TargetDatabase port only (a statement the test chooses is
// not sent), so the real verification SQL judges a table the real UPDATE never touched; production code has no
// test-only branch.
import { describe, expect, it } from 'vitest';
import type { SqlSession, TargetDatabase } from '#shared/database/target';
import { DECIMAL_DIGITS } from '#shared/masking/digits';
import { MaskingError } from '#shared/masking/errors';
import { maskDatabase } from '#shared/masking/mask';
import { parseMaskingRules } from '#shared/masking/rules';
import { connected } from '../support/connected.ts';
import { RecordingLog } from '../support/ports.ts';
import { rejection } from '../support/rejection.ts';
import { insertRows, mark, rowsOf } from '../support/table-rows.ts';
import type { ScenarioTarget } from './masking-scenario.ts';

const SALT = 'leak-salt-5e0a-not-in-any-log';

/** A masking statement that changes rows (the in-place UPDATE or a shuffle's UPDATE), not `… FOR UPDATE`. */
const isUpdate = (sql: string) => /^\s*UPDATE\b/i.test(sql) || /^\s*WITH\b[\s\S]*\)\s*UPDATE\b/i.test(sql);
const isEmptying = (sql: string) => /^\s*(TRUNCATE|DELETE)\b/i.test(sql);

/**
 * The port with a hook around each statement of a transaction: `before` may replace the statement by a no-op
 * (return true), `after` runs once the statement answered, before the masking code sees the answer.
 */
function instrumented(
  db: TargetDatabase,
  hooks: { skip?: (sql: string) => boolean; after?: (sql: string) => Promise<void> },
): TargetDatabase {
  const wrap = (session: SqlSession): SqlSession => ({
    async query<R>(sql: string, params?: readonly unknown[]) {
      if (hooks.skip?.(sql)) return { rows: [] as R[], rowCount: 0 };
      const result = await session.query<R>(sql, params);
      await hooks.after?.(sql);
      return result;
    },
  });
  return { ...db, transaction: (work) => db.transaction((session) => work(wrap(session))) };
}

/** Text columns that hold any script (the test MariaDB's default character set is latin1). */
const UTF8 = { postgres: '', mysql: ' DEFAULT CHARSET=utf8mb4' } as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every Unicode decimal digit, as `DECIMAL_DIGITS` lists them: index % 10 is the value. */
const digitValue = (char: string): number | undefined => {
  const index = [...DECIMAL_DIGITS].indexOf(char);
  return index < 0 ? undefined : index % 10;
};

export const INTL_PHONES: readonly string[] = [
  '+971 ٥٠ ١٢٣ ٤٥٦٧', // Arabic-Indic
  '۰۹۱۲ ۳۴۵ ۶۷۸۹', // extended Arabic-Indic (Persian)
  '０３-１２３４-５６７８', // fullwidth
  '+९१ ९८७६५ ४३२१०', // Devanagari
  '০১৭১১-২২৩৩৪৪', // Bengali
  '+1 ５５５ ٠١٣٤ ०७ ৯', // mixed with ASCII
  '๐๘-๑๒๓๔-๕๖๗๘', // Thai
  'ID 𝟘𝟙𝟚𝟛 𝟜𝟝', // mathematical double-struck, outside the BMP
  '(٠٠٠) ٠٠٠', // one digit value only
  'no digits here',
];

export function maskingLeaksScenario(
  name: string,
  target: () => ScenarioTarget,
  options: { isolationLevels: readonly (string | undefined)[] },
): void {
  describe(`masking leaks on ${name}`, () => {
    const log = new RecordingLog();

    const withDb = <T>(work: (db: TargetDatabase) => Promise<T>) => connected(() => target().connect(), work);

    // Leak 2: a row committed by another session after the masking UPDATE but before the table's transaction
    // commits was neither masked nor verified, and verification passed.
    it.each(
      options.isolationLevels.map((level) => [level ?? 'the default isolation level', level] as const),
    )('keeps other writers out of a table until its masking committed (%s)', async (_, level) => {
      await withDb(async (raw) => {
        const writer = await target().connect();
        const observer = await target().connect();
        try {
          await raw.query('DROP TABLE IF EXISTS busy');
          await raw.query(
            'CREATE TABLE busy (id integer PRIMARY KEY, email varchar(100), region varchar(2))',
          );
          const seeded = Array.from({ length: 2000 }, (_, i) => ({
            id: i + 1,
            email: `person${i}@real.example`,
            region: i % 2 ? 'EU' : 'US',
          }));
          await insertRows(raw, raw.dialect, 'busy', seeded);
          // A target may run at READ COMMITTED (MySQL's session setting applies to the masking transaction).
          if (level) await raw.query(`SET SESSION TRANSACTION ISOLATION LEVEL ${level}`);

          let insert: Promise<unknown> | undefined;
          let insertStarted = 0;
          let insertWaitedMs = 0;
          let insertDone = false;
          let insertDoneAtVerification: boolean | undefined;
          let lateRowCommittedAtVerification: boolean | undefined;
          const db = instrumented(raw, {
            async after(sql) {
              if (isUpdate(sql) && !insert) {
                // The masking transaction has begun and updated; now another session writes a real email.
                insertStarted = performance.now();
                insert = writer
                  .query(
                    `INSERT INTO busy (id, email, region) VALUES (${mark(raw.dialect, 1)}, ${mark(raw.dialect, 2)}, 'EU')`,
                    [5000, 'late.writer@real.example'],
                  )
                  .then(() => {
                    insertDone = true;
                    insertWaitedMs = performance.now() - insertStarted;
                  });
                // Time enough for an unhindered insert to commit before verification runs.
                await sleep(400);
              }
              if (/^\s*SELECT SUM\(/i.test(sql)) {
                insertDoneAtVerification = insertDone;
                const { rows } = await observer.query('SELECT COUNT(*) AS n FROM busy WHERE id = 5000');
                lateRowCommittedAtVerification = Number(rows[0]?.n) > 0;
              }
            },
          });
          const report = await maskDatabase(
            db,
            parseMaskingRules([{ table: 'busy', columns: { email: { strategy: 'email' } } }], 'mask-pii'),
            { salt: SALT, log },
          );
          await insert;

          expect(
            { insertDoneAtVerification, lateRowCommittedAtVerification },
            'an unmasked row was committed inside the masked set before verification passed',
          ).toEqual({ insertDoneAtVerification: false, lateRowCommittedAtVerification: false });
          // The insert waited for the masking transaction (which slept 400 ms holding the lock).
          expect(insertWaitedMs).toBeGreaterThanOrEqual(350);
          const table = report.tables[0];
          expect(table?.rowsChanged.email).toBe(2000);
          expect(table?.lockMs).toBeGreaterThanOrEqual(350);
          expect(table?.lockMs).toBeLessThanOrEqual(table?.durationMs ?? 0);
          // The late row arrived after masking: unmasked, as expected, and outside masking's promise.
          const after = await rowsOf(raw, 'busy');
          expect(after.filter((row) => String(row.email).endsWith('@real.example'))).toEqual([
            { id: '5000', email: 'late.writer@real.example', region: 'EU' },
          ]);
        } finally {
          await writer.close();
          await observer.close();
        }
      });
    });

    // Leak 3: digits of other scripts than ASCII were left untouched, and verification exempted them.
    it('masks and randomizes the decimal digits of every script, and writes ASCII digits for randomize', async () => {
      await withDb(async (db) => {
        await db.query('DROP TABLE IF EXISTS intl_phones');
        await db.query(
          `CREATE TABLE intl_phones (id integer PRIMARY KEY, phone varchar(60), card varchar(60), plain varchar(10))${UTF8[db.dialect]}`,
        );
        const seeded = INTL_PHONES.map((phone, i) => ({ id: i + 1, phone, card: phone, plain: 'x' }));
        await insertRows(db, db.dialect, 'intl_phones', seeded);
        const report = await maskDatabase(
          db,
          parseMaskingRules(
            [
              {
                table: 'intl_phones',
                columns: { phone: { strategy: 'digits-randomize' }, card: { strategy: 'digits-mask' } },
              },
            ],
            'mask-pii',
          ),
          { salt: SALT, log },
        );
        const after = await rowsOf(db, 'intl_phones');
        for (const [i, row] of after.entries()) {
          const original = [...(INTL_PHONES[i] ?? '')];
          expect(row.card, `card ${i}`).toBe(
            original.map((char) => (digitValue(char) === undefined ? char : '#')).join(''),
          );
          const phone = [...String(row.phone)];
          expect(phone.length, `phone ${i}`).toBe(original.length);
          for (const [k, char] of original.entries()) {
            const value = digitValue(char);
            if (value === undefined) expect(phone[k], `phone ${i}[${k}]`).toBe(char);
            else {
              expect(phone[k], `phone ${i}[${k}]`).toMatch(/^[0-9]$/);
              expect(Number(phone[k]), `phone ${i}[${k}]`).not.toBe(value);
            }
          }
        }
        expect(report.tables[0]?.rowsChanged).toEqual({
          phone: INTL_PHONES.length - 1,
          card: INTL_PHONES.length - 1,
        });
      });
    });

    // Leak 4: every verification branch must be needed by some test. The UPDATE is not sent, so the real
    // verification SQL looks at the originals.
    describe('verification', () => {
      const PROBE = [
        // An ordinary row: every column must be reported as left over.
        {
          id: 1,
          email: 'ann@real.example',
          phone: '+1 555 0134',
          ssn: '123-45-6789',
          salary: '1000.00',
          address: '1 Main St',
        },
        // Exempt by nature: nothing for the strategy to hide (but noise moves 0 too: salary is not exempt).
        { id: 2, email: 'bob@real.example', phone: 'n/a', ssn: '', salary: '0.00', address: 'REDACTED' },
        // Digits of another script only: not exempt.
        {
          id: 3,
          email: 'cy@real.example',
          phone: '٠١٢٣ ४५',
          ssn: '９８７',
          salary: '-5.00',
          address: '9 Side St',
        },
      ];
      const RULES = parseMaskingRules(
        [
          {
            table: 'verify_probe',
            columns: {
              email: { strategy: 'email' },
              phone: { strategy: 'digits-mask' },
              ssn: { strategy: 'partial', keepLast: 2 },
              salary: { strategy: 'noise', ratio: 0.1 },
              address: { strategy: 'fixed', value: 'REDACTED' },
            },
          },
        ],
        'mask-pii',
      );
      const PHONE_ONLY = (strategy: 'digits-mask' | 'digits-randomize') =>
        parseMaskingRules([{ table: 'verify_probe', columns: { phone: { strategy } } }], 'mask-pii');

      async function seedProbe(db: TargetDatabase): Promise<void> {
        await db.query('DROP TABLE IF EXISTS verify_probe');
        await db.query(
          `CREATE TABLE verify_probe (id integer PRIMARY KEY, email varchar(100), phone varchar(40), ssn varchar(20),
            salary numeric(10,2), address varchar(40), city varchar(20))${UTF8[db.dialect]}`,
        );
        await insertRows(
          db,
          db.dialect,
          'verify_probe',
          PROBE.map((row) => ({ ...row, city: null })),
        );
      }

      const noValueIn = (message: string) => {
        for (const row of PROBE) {
          for (const [key, value] of Object.entries(row)) {
            if (key !== 'id' && String(value).length > 3) expect(message).not.toContain(String(value));
          }
        }
        expect(message).not.toContain('@');
        expect(message).not.toContain(SALT);
      };

      it('passes rows that are exempt by nature when the UPDATE ran', async () => {
        await withDb(async (db) => {
          await seedProbe(db);
          const report = await maskDatabase(db, RULES, { salt: SALT, log });
          const verified = report.tables[0]?.verified ?? {};
          for (const column of ['email', 'phone', 'ssn', 'salary', 'address']) {
            expect(verified[column]?.unchangedNonNull, column).toBe(0);
          }
          // The exempt row's values could not change, the others did.
          expect(report.tables[0]?.rowsChanged).toEqual({
            email: 3,
            phone: 2,
            ssn: 2,
            salary: 3,
            address: 2,
          });
        });
      });

      it('fails naming table and every column (rows counted, exempt rows not) when the UPDATE was not applied', async () => {
        await withDb(async (raw) => {
          await seedProbe(raw);
          const before = await rowsOf(raw, 'verify_probe');
          const db = instrumented(raw, { skip: isUpdate });
          const error = await rejection(maskDatabase(db, RULES, { salt: SALT, log }));
          expect(error).toBeInstanceOf(MaskingError);
          const message = (error as Error).message;
          expect((error as MaskingError).table).toMatch(/\.verify_probe$/);
          expect(message).toMatch(/^Masking \S+\.verify_probe left original values in /);
          // Row 2 is exempt for every column but email and salary (noise moves 0 too); row 3's digits of other
          // scripts are not exempt.
          expect(message).toContain(
            'email (3 rows), phone (2 rows), ssn (2 rows), salary (3 rows), address (2 rows)',
          );
          expect(message).toMatch(/rolled back/);
          noValueIn(message);
          expect(await rowsOf(raw, 'verify_probe')).toEqual(before);
        });
      });

      it.each([
        'digits-mask',
        'digits-randomize',
      ] as const)('does not exempt values whose only digits are of another script (%s, UPDATE not applied)', async (strategy) => {
        await withDb(async (raw) => {
          await seedProbe(raw);
          await raw.query("UPDATE verify_probe SET phone = '٠١٢٣ ४५' WHERE id = 1");
          const error = await rejection(
            maskDatabase(instrumented(raw, { skip: isUpdate }), PHONE_ONLY(strategy), { salt: SALT, log }),
          );
          expect(error).toBeInstanceOf(MaskingError);
          expect((error as Error).message).toContain('left original values in phone (2 rows)');
          noValueIn((error as Error).message);
        });
      });

      it('fails a truncate whose statement did not empty the table', async () => {
        await withDb(async (raw) => {
          await seedProbe(raw);
          const error = await rejection(
            maskDatabase(
              instrumented(raw, { skip: isEmptying }),
              parseMaskingRules([{ table: 'verify_probe', truncate: true }], 'mask-pii'),
              { salt: SALT, log },
            ),
          );
          expect(error).toBeInstanceOf(MaskingError);
          expect((error as Error).message).toMatch(/^Truncating \S+\.verify_probe left rows behind/);
          expect((await rowsOf(raw, 'verify_probe')).length).toBe(PROBE.length);
        });
      });

      it('fails a shuffle whose UPDATE moved nothing, and passes one over a column of NULLs only', async () => {
        await withDb(async (raw) => {
          await seedProbe(raw);
          const shuffle = (column: string) =>
            parseMaskingRules(
              [{ table: 'verify_probe', columns: { [column]: { strategy: 'shuffle' } } }],
              'mask-pii',
            );
          const error = await rejection(
            maskDatabase(instrumented(raw, { skip: isUpdate }), shuffle('email'), { salt: SALT, log }),
          );
          expect(error).toBeInstanceOf(MaskingError);
          expect((error as Error).message).toContain(
            'left original values in email (shuffle moved none of 3 values)',
          );
          noValueIn((error as Error).message);
          // Nothing to hide: a column without values passes (and the real shuffle moves values).
          const nulls = await maskDatabase(raw, shuffle('city'), { salt: SALT, log });
          expect(nulls.tables[0]?.rowsChanged.city).toBe(0);
          const moved = await maskDatabase(raw, shuffle('email'), { salt: SALT, log });
          expect(moved.tables[0]?.rowsChanged.email).toBe(3);
        });
      });
    });
  });
}
