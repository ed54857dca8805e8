// The full-name, text-scrub and noise strategies against a real engine, run by both dialect suites: what they
// write, that no original value survives, that their verification fails when the UPDATE did not run (counting
// rows, never showing values), and that their exemptions cover only the values the strategy cannot change.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SqlSession, TargetDatabase } from '#shared/database/target';
import { ConfigurationError } from '#shared/errors';
import { FIRST_NAMES, LAST_NAMES } from '#shared/masking/dictionaries';
import { DECIMAL_DIGIT_CLASS } from '#shared/masking/digits';
import { MaskingError } from '#shared/masking/errors';
import { purposeKey } from '#shared/masking/keys';
import { maskDatabase } from '#shared/masking/mask';
import { type MaskingRules, parseMaskingRules } from '#shared/masking/rules';
import { connected } from '../support/connected.ts';
import { RecordingLog } from '../support/ports.ts';
import { rejection } from '../support/rejection.ts';
import { insertRows, mark, type Row, rowsOf } from '../support/table-rows.ts';
import type { ScenarioTarget } from './masking-scenario.ts';

const SALT = 'strategies-salt-71c4-not-in-any-log';
const UTF8 = { postgres: '', mysql: ' DEFAULT CHARSET=utf8mb4' } as const;

const isUpdate = (sql: string) => /^\s*UPDATE\b/i.test(sql);

function skipping(db: TargetDatabase, skip: (sql: string) => boolean): TargetDatabase {
  const wrap = (session: SqlSession): SqlSession => ({
    async query<R>(sql: string, params?: readonly unknown[]) {
      if (skip(sql)) return { rows: [] as R[], rowCount: 0 };
      return session.query<R>(sql, params);
    },
  });
  return { ...db, transaction: (work) => db.transaction((session) => work(wrap(session))) };
}

const rules = (table: string, columns: Record<string, unknown>): MaskingRules =>
  parseMaskingRules([{ table, columns }], 'mask-pii');

// The detectors, as the verification applies them (the same patterns, in JavaScript).
const D = DECIMAL_DIGIT_CLASS;
const DETECTORS = [
  /[^\s@<>(),;:"']+@[^\s@<>(),;:"']+\.[^\s@<>(),;:"']+/u,
  /[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}/u,
  new RegExp(`${D}(?:[ -]?${D}){12,18}`, 'u'),
  new RegExp(`[+(]?${D}(?:[ .()-]*${D}){6,}`, 'u'),
];
const stillPii = (text: string) => DETECTORS.some((detector) => detector.test(text));

/** A salt and an ASCII dictionary pair that full-name would map to itself without its collision rule. */
function fixedPoint(): { salt: string; first: string; last: string } {
  const ascii = (name: string) => /^[A-Za-z]+$/.test(name);
  for (let n = 0; n < 1000; n += 1) {
    const salt = `fixed-point-${n}`;
    for (const first of FIRST_NAMES.filter(ascii)) {
      for (const last of LAST_NAMES.filter(ascii)) {
        const hash = createHash('sha256')
          .update(`${purposeKey(salt, 'full-name')}:${`${first} ${last}`.toLowerCase()}`)
          .digest('hex');
        const i = Number.parseInt(hash.slice(0, 8), 16) % FIRST_NAMES.length;
        const j = Number.parseInt(hash.slice(8, 16), 16) % LAST_NAMES.length;
        if (FIRST_NAMES[i] === first && LAST_NAMES[j] === last) return { salt, first, last };
      }
    }
  }
  throw new Error('no fixed point found');
}

/** A salt under which some dictionary name picks itself (first 32 bits of sha256(key:lower(name))). */
function selfPickingName(
  dictionary: readonly string[],
  purpose: 'first-name' | 'last-name',
): { salt: string; name: string } {
  for (let n = 0; n < 10_000; n += 1) {
    const salt = `self-pick-${n}`;
    const key = purposeKey(salt, purpose);
    const name = dictionary.find((entry, position) => {
      const hash = createHash('sha256').update(`${key}:${entry.toLowerCase()}`).digest('hex');
      return Number.parseInt(hash.slice(0, 8), 16) % dictionary.length === position;
    });
    if (name) return { salt, name };
  }
  throw new Error('no self-picking name found');
}

export function maskingStrategiesScenario(name: string, target: () => ScenarioTarget): void {
  describe(`names, full-name, text-scrub and noise on ${name}`, () => {
    const log = new RecordingLog();

    const withDb = <T>(work: (db: TargetDatabase) => Promise<T>) => connected(() => target().connect(), work);

    describe.each([
      ['first-name', FIRST_NAMES],
      ['last-name', LAST_NAMES],
    ] as const)('%s', (purpose, dictionary) => {
      it('never keeps a name the hash would pick for itself, in any case, and picks the next entry', async () => {
        const { salt, name } = selfPickingName(dictionary, purpose);
        const next = dictionary[(dictionary.indexOf(name) + 1) % dictionary.length];
        await withDb(async (db) => {
          await db.query('DROP TABLE IF EXISTS names');
          await db.query(`CREATE TABLE names (id integer PRIMARY KEY, name varchar(80))${UTF8[db.dialect]}`);
          const values = [name, name.toUpperCase(), name.toLowerCase(), 'Someone Else', null];
          await insertRows(
            db,
            db.dialect,
            'names',
            values.map((value, i) => ({ id: i + 1, name: value })),
          );
          const report = await maskDatabase(db, rules('names', { name: { strategy: purpose } }), {
            salt,
            log,
          });
          expect(report.tables[0]?.verified.name?.unchangedNonNull).toBe(0);
          const after = (await rowsOf(db, 'names')).map((row) => row.name);
          expect(after.slice(0, 3)).toEqual([next, next, next]);
          expect(dictionary).toContain(after[3]);
          expect(after[4]).toBeNull();
        });
      });
    });

    describe('full-name', () => {
      const PEOPLE = ['Ann Smith', 'ann smith', 'Bob Okafor', 'Zoë Müller', "D'Arcy O'Neil", 'x'];
      async function seed(db: TargetDatabase): Promise<void> {
        await db.query('DROP TABLE IF EXISTS people');
        await db.query(
          `CREATE TABLE people (id integer PRIMARY KEY, full_name varchar(80), other varchar(80))${UTF8[db.dialect]}`,
        );
        await insertRows(db, db.dialect, 'people', [
          ...PEOPLE.map((full, i) => ({ id: i + 1, full_name: full, other: full })),
          { id: PEOPLE.length + 1, full_name: null, other: null },
        ]);
      }

      it('writes a deterministic "First Last" from the dictionaries, never the original', async () => {
        await withDb(async (db) => {
          await seed(db);
          const report = await maskDatabase(
            db,
            rules('people', { full_name: { strategy: 'full-name' }, other: { strategy: 'full-name' } }),
            { salt: SALT, log },
          );
          expect(report.tables[0]?.verified.full_name?.unchangedNonNull).toBe(0);
          expect(report.tables[0]?.rowsChanged.full_name).toBe(PEOPLE.length);
          const after = await rowsOf(db, 'people');
          for (const [i, row] of after.entries()) {
            if (i === PEOPLE.length) {
              expect(row.full_name).toBeNull();
              continue;
            }
            const [first, last, ...rest] = String(row.full_name).split(' ');
            expect(rest).toEqual([]);
            expect(FIRST_NAMES).toContain(first);
            expect(LAST_NAMES).toContain(last);
            expect(String(row.full_name).toLowerCase()).not.toBe(PEOPLE[i]?.toLowerCase());
            // Deterministic: the same value in two columns masks the same.
            expect(row.other).toBe(row.full_name);
          }
          // Chosen by lower(value): case does not change the pseudonym.
          expect(after[1]?.full_name).toBe(after[0]?.full_name);
        });
      });

      it('never keeps a value that already is the "First Last" the hash would choose', async () => {
        // A salt under which some dictionary pair hashes to itself (found here, the way both dialects choose:
        // the first 32 bits of sha256(key:lower(value)), key the salt's full-name key, pick the first name, the
        // next 32 the last name).
        const { salt, first, last } = fixedPoint();
        await withDb(async (db) => {
          await seed(db);
          await db.query(
            `UPDATE people SET full_name = ${mark(db.dialect, 1)}, other = ${mark(db.dialect, 2)} WHERE id = 1`,
            [`${first} ${last}`, `${first} ${last}`.toUpperCase()],
          );
          const report = await maskDatabase(
            db,
            rules('people', { full_name: { strategy: 'full-name' }, other: { strategy: 'full-name' } }),
            { salt, log },
          );
          expect(report.tables[0]?.verified.full_name?.unchangedNonNull).toBe(0);
          const row = (await rowsOf(db, 'people'))[0];
          // The next last name is taken, for the value in any case.
          const next = LAST_NAMES[(LAST_NAMES.indexOf(last) + 1) % LAST_NAMES.length];
          expect(row?.full_name).toBe(`${first} ${next}`);
          expect(row?.other).toBe(`${first} ${next}`);
        });
      });

      it('fails, counting rows, when the UPDATE did not run', async () => {
        await withDb(async (raw) => {
          await seed(raw);
          const error = await rejection(
            maskDatabase(skipping(raw, isUpdate), rules('people', { full_name: { strategy: 'full-name' } }), {
              salt: SALT,
              log,
            }),
          );
          expect(error).toBeInstanceOf(MaskingError);
          expect((error as Error).message).toContain(
            `left original values in full_name (${PEOPLE.length} rows)`,
          );
          for (const person of PEOPLE.filter((p) => p.length > 1)) {
            expect((error as Error).message).not.toContain(person);
          }
        });
      });

      it('is refused on a unique column, before any change', async () => {
        await withDb(async (db) => {
          await db.query('DROP TABLE IF EXISTS people_unique');
          await db.query('CREATE TABLE people_unique (id integer PRIMARY KEY, full_name varchar(80) UNIQUE)');
          await insertRows(db, db.dialect, 'people_unique', [{ id: 1, full_name: 'Ann Smith' }]);
          const error = await rejection(
            maskDatabase(db, rules('people_unique', { full_name: { strategy: 'full-name' } }), {
              salt: SALT,
              log,
            }),
          );
          expect(error).toBeInstanceOf(ConfigurationError);
          expect((error as Error).message).toContain('strategy full-name can give two rows the same value');
          expect((await rowsOf(db, 'people_unique'))[0]?.full_name).toBe('Ann Smith');
        });
      });
    });

    describe('text-scrub', () => {
      const NOTES: readonly (string | null)[] = [
        'Mail ann.smith+x@example.com or call +1 (555) 013-4777 today',
        'Card 4111 1111 1111 1111, exp 12/29',
        'Pay to DE89 3704 0044 0532 0130 00 please',
        'Phone ٠١٢٣٤٥٦٧٨٩ (Arabic-Indic)',
        'Nothing personal here, order 42',
        null,
        'two: a@b.io, c@d.io; 555.013.4777 and 4111-1111-1111-1111',
      ];
      const WITH_PII = NOTES.filter((note) => note !== null && stillPii(note)).length;

      async function seed(db: TargetDatabase): Promise<void> {
        await db.query('DROP TABLE IF EXISTS tickets_text');
        await db.query(`CREATE TABLE tickets_text (id integer PRIMARY KEY, notes text)${UTF8[db.dialect]}`);
        await insertRows(
          db,
          db.dialect,
          'tickets_text',
          NOTES.map((notes, i) => ({ id: i + 1, notes })),
        );
      }

      it('replaces e-mails, phones, cards and IBANs inside the text and keeps the rest', async () => {
        expect(WITH_PII).toBe(5);
        await withDb(async (db) => {
          await seed(db);
          const report = await maskDatabase(
            db,
            rules('tickets_text', { notes: { strategy: 'text-scrub' } }),
            {
              salt: SALT,
              log,
            },
          );
          expect(report.tables[0]?.verified.notes?.unchangedNonNull).toBe(0);
          expect(report.tables[0]?.rowsChanged.notes).toBe(WITH_PII);
          const after = (await rowsOf(db, 'tickets_text')).map((row) => row.notes);
          expect(after).toEqual([
            'Mail [email] or call [phone] today',
            'Card [card], exp 12/29',
            'Pay to [iban] please',
            'Phone [phone] (Arabic-Indic)',
            'Nothing personal here, order 42',
            null,
            'two: [email], [email]; [phone] and [card]',
          ]);
          for (const text of after) if (text !== null) expect(stillPii(String(text))).toBe(false);
        });
      });

      it('writes the configured replacement per kind', async () => {
        await withDb(async (db) => {
          await seed(db);
          await maskDatabase(
            db,
            rules('tickets_text', {
              notes: { strategy: 'text-scrub', replacement: { email: '<mail>', card: 'XXXX' } },
            }),
            { salt: SALT, log },
          );
          const after = (await rowsOf(db, 'tickets_text')).map((row) => row.notes);
          expect(after[0]).toBe('Mail <mail> or call [phone] today');
          expect(after[1]).toBe('Card XXXX, exp 12/29');
        });
      });

      it('refuses a replacement that a detector would find again', () => {
        for (const replacement of [{ email: 'a@b.io' }, { phone: '0000000' }, { iban: '$1' }, { card: '' }]) {
          expect(() => rules('tickets_text', { notes: { strategy: 'text-scrub', replacement } })).toThrow(
            /replacement/,
          );
        }
      });

      it('fails counting only the rows with something to scrub when the UPDATE did not run', async () => {
        await withDb(async (raw) => {
          await seed(raw);
          const error = await rejection(
            maskDatabase(
              skipping(raw, isUpdate),
              rules('tickets_text', { notes: { strategy: 'text-scrub' } }),
              {
                salt: SALT,
                log,
              },
            ),
          );
          expect(error).toBeInstanceOf(MaskingError);
          // The row without any detector is exempt by nature; NULL has nothing to hide.
          expect((error as Error).message).toContain(`left original values in notes (${WITH_PII} rows)`);
          expect((error as Error).message).not.toContain('@');
          expect((error as Error).message).not.toContain('4111');
        });
      });

      it('fails a row whose new value still holds PII even though it changed', async () => {
        await withDb(async (raw) => {
          await seed(raw);
          // The UPDATE is replaced by one that changes every row without scrubbing it.
          const sabotage: TargetDatabase = {
            ...raw,
            transaction: (work) =>
              raw.transaction(async (session) =>
                work({
                  async query<R>(sql: string, params?: readonly unknown[]) {
                    if (isUpdate(sql)) {
                      await session.query(
                        raw.dialect === 'postgres'
                          ? "UPDATE tickets_text SET notes = 'x' || notes"
                          : "UPDATE tickets_text SET notes = CONCAT('x', notes)",
                      );
                      return { rows: [] as R[], rowCount: 0 };
                    }
                    return session.query<R>(sql, params);
                  },
                }),
              ),
          };
          const error = await rejection(
            maskDatabase(sabotage, rules('tickets_text', { notes: { strategy: 'text-scrub' } }), {
              salt: SALT,
              log,
            }),
          );
          expect(error).toBeInstanceOf(MaskingError);
          expect((error as Error).message).toContain(`left original values in notes (${WITH_PII} rows)`);
        });
      });
    });

    describe('noise', () => {
      async function seed(db: TargetDatabase, extra: Row[] = []): Promise<void> {
        const unsigned = db.dialect === 'mysql' ? ', tiny tinyint unsigned' : '';
        await db.query('DROP TABLE IF EXISTS noisy');
        await db.query(
          `CREATE TABLE noisy (id integer PRIMARY KEY, small smallint, qty integer, big bigint,
            price numeric(4,2), ratio double precision${unsigned})`.replace(
            'double precision',
            db.dialect === 'postgres' ? 'double precision' : 'double',
          ),
        );
        const rows: Row[] = [
          { id: 1, small: 1, qty: 1, big: '9223372036854775807', price: '99.99', ratio: 0 },
          { id: 2, small: 2, qty: 5, big: '-9223372036854775808', price: '-99.99', ratio: 1.5 },
          { id: 3, small: 3, qty: 3, big: 0, price: '0.00', ratio: -2 },
          { id: 4, small: 0, qty: 2, big: 4, price: '0.01', ratio: 0.25 },
          { id: 5, small: 32767, qty: 4, big: 5, price: '1.00', ratio: 1e6 },
          { id: 6, small: -32768, qty: 0, big: -1, price: '5.00', ratio: 3 },
          ...extra,
        ];
        await insertRows(
          db,
          db.dialect,
          'noisy',
          rows.map((row, i) =>
            db.dialect === 'mysql' ? { ...row, tiny: [0, 255, 1, 2, 3, 254][i % 6] } : row,
          ),
        );
      }
      const NOISE = (db: TargetDatabase) =>
        rules('noisy', {
          small: { strategy: 'noise', ratio: 0.1 },
          qty: { strategy: 'noise', ratio: 0.1, min: 1, max: 5 },
          big: { strategy: 'noise', ratio: 0.1 },
          price: { strategy: 'noise', ratio: 0.1 },
          ratio: { strategy: 'noise', ratio: 0.1 },
          ...(db.dialect === 'mysql' ? { tiny: { strategy: 'noise', ratio: 0.1 } } : {}),
        });

      it('always moves every value, 0 and small integers included, within the type and the configured range', async () => {
        await withDb(async (db) => {
          for (let round = 0; round < 8; round += 1) {
            await seed(db);
            const before = await rowsOf(db, 'noisy');
            const report = await maskDatabase(db, NOISE(db), { salt: SALT, log });
            const after = await rowsOf(db, 'noisy');
            const columns = Object.keys(report.tables[0]?.rowsChanged ?? {});
            for (const column of columns) {
              expect(report.tables[0]?.rowsChanged[column], column).toBe(before.length);
              for (const [i, row] of after.entries()) {
                const now = Number(row[column]);
                const was = Number(before[i]?.[column]);
                expect(row[column], `${column} row ${i + 1}`).not.toBe(before[i]?.[column]);
                if (column === 'big') {
                  expect(BigInt(String(row[column])) <= 9223372036854775807n).toBe(true);
                  expect(BigInt(String(row[column])) >= -9223372036854775808n).toBe(true);
                  expect(String(row[column])).toMatch(/^-?\d+$/);
                  continue;
                }
                if (column === 'small' || column === 'qty' || column === 'tiny') {
                  expect(Number.isInteger(now)).toBe(true);
                  expect(Math.abs(now - was)).toBeGreaterThanOrEqual(1);
                }
                if (column === 'small') expect(now >= -32768 && now <= 32767).toBe(true);
                if (column === 'qty') expect(now >= 1 && now <= 5, `qty ${was} → ${now}`).toBe(true);
                if (column === 'tiny') expect(now >= 0 && now <= 255).toBe(true);
                if (column === 'price') expect(Math.abs(now)).toBeLessThanOrEqual(99.99);
                // Small integers move by 1 (the least step), larger values by at most the ratio.
                if (column === 'small' && Math.abs(was) > 100)
                  expect(Math.abs(now - was)).toBeLessThanOrEqual(Math.abs(was) * 0.1 + 1);
              }
            }
          }
        });
      });

      it('fails loudly where the configured range leaves the value nowhere to go', async () => {
        await withDb(async (db) => {
          await seed(db);
          const error = await rejection(
            maskDatabase(db, rules('noisy', { qty: { strategy: 'noise', ratio: 0.1, min: 3, max: 3 } }), {
              salt: SALT,
              log,
            }),
          );
          expect(error).toBeInstanceOf(MaskingError);
          expect((error as Error).message).toContain('left original values in qty (1 rows)');
        });
      });

      it('counts zeros too when the UPDATE did not run: 0 is not exempt any more', async () => {
        await withDb(async (raw) => {
          await seed(raw);
          const error = await rejection(
            maskDatabase(
              skipping(raw, isUpdate),
              rules('noisy', { small: { strategy: 'noise', ratio: 0.1 } }),
              {
                salt: SALT,
                log,
              },
            ),
          );
          expect(error).toBeInstanceOf(MaskingError);
          expect((error as Error).message).toContain('left original values in small (6 rows)');
        });
      });

      it('refuses min above max and a non-finite bound, with clear messages', () => {
        expect(() => rules('noisy', { qty: { strategy: 'noise', ratio: 0.1, min: 5, max: 1 } })).toThrow(
          'tables[0].columns.qty: noise needs min ≤ max',
        );
        expect(() => rules('noisy', { qty: { strategy: 'noise', ratio: 0 } })).toThrow(/ratio/);
      });
    });
  });
}
