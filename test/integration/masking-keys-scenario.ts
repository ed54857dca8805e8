// The salt must never be observable in the target database, run against PostgreSQL and MariaDB by the two
// dialect suites. Two observers, each set up the way a team's own database would have them:
// - a trigger on a masked table, which runs inside the masking session and copies out everything that session
//   shows it (the statement being run, the session settings or user variables an older design kept the salt in);
// - a monitoring account polling the views a dashboard reads (pg_stat_activity; the process list,
//   events_statements_* and user_variables_by_thread), which must be seen catching the masking UPDATE in
//   flight, so that "it saw nothing" means something.
// Neither may ever see the salt, nor any key derived from it (keys.ts): keys travel as statement parameters only.
import { describe, expect, it } from 'vitest';
import type { TargetDatabase } from '#shared/database/target';
import { purposeKeys } from '#shared/masking/keys';
import { maskDatabase } from '#shared/masking/mask';
import { parseMaskingRules } from '#shared/masking/rules';
import { connected } from '../support/connected.ts';
import { RecordingLog } from '../support/ports.ts';
import { insertRows, rowsOf } from '../support/table-rows.ts';
import type { ScenarioTarget } from './masking-scenario.ts';

const SALT = 'keys-salt-7f3c-must-stay-in-the-process';
const SECRETS = [SALT, ...Object.values(purposeKeys(SALT))];
/** A session of the monitoring account. */
export interface Watcher {
  /** Every statement text and variable value the monitoring views show right now, from every session. */
  sample(): Promise<string[]>;
  close(): Promise<void>;
}

export interface KeysTarget extends ScenarioTarget {
  watch(): Promise<Watcher>;
}

/**
 * The spy trigger: before each row's update, it records the statement being run and the place an older design
 * kept the salt (a transaction-local setting / a user variable).
 */
const SPY = {
  postgres: [
    'CREATE TABLE spy_log (setting text, statement text)',
    `CREATE FUNCTION spy_on_masking() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO spy_log VALUES (current_setting('dms_mask.salt', true), current_query());
        RETURN NEW;
      END $$`,
    'CREATE TRIGGER spy BEFORE UPDATE ON spied FOR EACH ROW EXECUTE FUNCTION spy_on_masking()',
  ],
  mysql: [
    'CREATE TABLE spy_log (setting text, statement text)',
    `CREATE TRIGGER spy BEFORE UPDATE ON spied FOR EACH ROW
        INSERT INTO spy_log VALUES (@dms_mask_salt,
          (SELECT INFO FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()))`,
  ],
} as const;

const RULES = (table: string) =>
  parseMaskingRules(
    [
      {
        table,
        columns: {
          email: { strategy: 'email' },
          first_name: { strategy: 'first-name' },
          code: { strategy: 'hash' },
        },
      },
    ],
    'mask-pii',
  );

const leaked = (texts: readonly (string | null)[]) =>
  texts.filter((text): text is string => text !== null && SECRETS.some((secret) => text.includes(secret)));

export function maskingKeysScenario(name: string, target: () => KeysTarget): void {
  describe(`the salt on ${name}`, () => {
    const withDb = <T>(work: (db: TargetDatabase) => Promise<T>) => connected(() => target().connect(), work);

    async function seed(db: TargetDatabase, table: string, rows: number): Promise<void> {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
      await db.query(
        `CREATE TABLE ${table} (id integer PRIMARY KEY, email varchar(100), first_name varchar(40), code varchar(40))`,
      );
      await insertRows(
        db,
        db.dialect,
        table,
        Array.from({ length: rows }, (_, i) => ({
          id: i + 1,
          email: `person${i}@real.example`,
          first_name: ['Ann', 'Bob', 'Cleo'][i % 3],
          code: `CODE-${i}`,
        })),
      );
    }

    const allMasked = async (db: TargetDatabase, table: string) =>
      (await rowsOf(db, table)).filter((row) => !String(row.email).endsWith('@example.invalid')).length === 0;

    it('the watcher sees what a session puts in its statements and variables (the control)', async () => {
      const watcher = await target().watch();
      try {
        await withDb(async (db) => {
          const probe = `probe-${Math.random().toString(36).slice(2)}`;
          // A literal in a statement's text, and (MySQL) a user variable: where an older design put the salt.
          if (db.dialect === 'mysql') await db.query(`SET @probe = '${probe}'`);
          else await db.query(`SELECT '${probe}' AS p`);
          expect((await watcher.sample()).some((text) => text.includes(probe))).toBe(true);
        });
      } finally {
        await watcher.close();
      }
    });

    it('reaches no trigger on a masked table: no salt setting, no key in the statement it sees', async () => {
      await withDb(async (db) => {
        await seed(db, 'spied', 20);
        await db.query('DROP TABLE IF EXISTS spy_log');
        if (db.dialect === 'postgres') await db.query('DROP FUNCTION IF EXISTS spy_on_masking()');
        for (const sql of SPY[db.dialect]) await db.query(sql);
        await maskDatabase(db, RULES('spied'), { salt: SALT, log: new RecordingLog() });
        expect(await allMasked(db, 'spied')).toBe(true);
        const spied = (
          await db.query<{ setting: string | null; statement: string }>(
            'SELECT setting, statement FROM spy_log',
          )
        ).rows;
        expect(spied.length).toBe(20);
        // PostgreSQL shows a trigger the statement that fired it; MariaDB shows it its own INSERT.
        const fired = db.dialect === 'postgres' ? /UPDATE/i : /INSERT INTO spy_log/i;
        expect(spied.every((row) => fired.test(String(row.statement)))).toBe(true);
        expect(spied.map((row) => row.setting).filter((value) => value !== null && value !== '')).toEqual([]);
        expect(leaked(spied.map((row) => String(row.statement)))).toEqual([]);
      });
    });

    it('reaches no monitoring account polling while masking runs, which catches the UPDATE in flight', async () => {
      const watcher = await target().watch();
      try {
        await withDb(async (db) => {
          const seen: string[] = [];
          const caught = () => seen.some((text) => /^\s*UPDATE\b[\s\S]*\bwatched\b/i.test(text));
          // Each attempt on a table twice the size of the last, until the poller has seen the UPDATE running.
          for (let rows = 5_000; !caught() && rows <= 80_000; rows *= 2) {
            await seed(db, 'watched', rows);
            let masking = true;
            const polling = (async () => {
              while (masking) seen.push(...(await watcher.sample()));
            })();
            try {
              await maskDatabase(db, RULES('watched'), { salt: SALT, log: new RecordingLog() });
            } finally {
              masking = false;
              await polling;
            }
            seen.push(...(await watcher.sample()));
            expect(await allMasked(db, 'watched')).toBe(true);
          }
          // The watcher caught the masking UPDATE while it ran: its silence below is not blindness.
          expect(caught()).toBe(true);
          expect(leaked(seen)).toEqual([]);
        });
      } finally {
        await watcher.close();
      }
    });
  });
}
