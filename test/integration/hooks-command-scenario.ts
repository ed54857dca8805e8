// The hooks command (`npm run hooks -- validate|plan|run`, and mounted as `dms-scheduler hooks`) as a team
// would use it: a child process, its own clinic schema (test/support/own-schema.ts, unlike the sample one),
// its own configuration file in a temporary directory, run by the two dialect suites against a real
// PostgreSQL and a real MariaDB. Each test judges what
// the command printed, its exit code, and the database afterwards: validate and plan change nothing, every bad
// input is exit 2 with the database untouched, run masks (no original left, every visit still finds its patient),
// and nothing the command prints ever holds a seeded value, the salt, a purpose key or the password.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Dialect, TargetDatabase } from '#shared/database/target';
import { resolveRules } from '#shared/masking/catalog';
import { purposeKeys } from '#shared/masking/keys';
import { maskDatabase } from '#shared/masking/mask';
import { groupStatements } from '#shared/masking/plan';
import { parseMaskingRules } from '#shared/masking/rules';
import {
  CLINIC_LAMBDA_ARN,
  CLINIC_PATIENTS,
  CLINIC_VISITS,
  type ClinicSeed,
  clinicHooksConfig,
  clinicOriginals,
  clinicReferences,
  createClinicSchema,
  readClinic,
  writeClinicConfig,
} from '../support/own-schema.ts';
import { RecordingLog } from '../support/ports.ts';

export interface HooksCommandTarget {
  readonly dialect: Dialect;
  /** The database's URL without a password (it goes through DATABASE_PASSWORD). */
  readonly url: string;
  /** The same URL with the password in it. */
  readonly urlWithPassword: string;
  /** A URL of the same engine on a port nobody listens on. */
  readonly unreachableUrl: string;
  readonly password: string;
  connect(): Promise<TargetDatabase>;
}

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));
const SALT = 'clinic-salt-7f3a9c1e5b2d4068';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm run hooks -- …` as the package script does (tsx), with only the given secrets in its environment. */
export function hooksCommand(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CommandResult> {
  const { MASKING_SALT: _salt, DATABASE_PASSWORD: _password, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'local/hooks-command.ts', ...args],
      { cwd: REPOSITORY, env: { ...inherited, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The same command mounted in the program: `dms-scheduler hooks …` (bin/dms-scheduler.ts). */
export function mountedHooksCommand(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CommandResult> {
  const { MASKING_SALT: _salt, DATABASE_PASSWORD: _password, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bin/dms-scheduler.ts', 'hooks', ...args],
      { cwd: REPOSITORY, env: { ...inherited, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Everything a run must never print: seeded values, the salt, its purpose keys, the password. */
function secretsOf(seed: ClinicSeed, password: string): string[] {
  return [
    ...seed.patients.flatMap((patient) => [patient.email, patient.phone, patient.fullName]),
    ...seed.visits.flatMap((visit) => (visit.notes === null ? [] : [visit.notes])),
    SALT,
    ...Object.values(purposeKeys(SALT)),
    password,
  ];
}

function expectNothingSecret(result: CommandResult, seed: ClinicSeed, password: string): void {
  const printed = `${result.stdout}\n${result.stderr}`;
  for (const secret of secretsOf(seed, password)) {
    expect(printed.toLowerCase(), 'printed a seeded value, the salt, a key or the password').not.toContain(
      secret.toLowerCase(),
    );
  }
  // No key of any salt either (the plan's stand-in keys included): a purpose key is 64 hex characters.
  expect(printed).not.toMatch(/[0-9a-f]{64}/i);
}

export function hooksCommandScenario(engine: string, target: () => HooksCommandTarget): void {
  describe(`the hooks command on a schema of the team's own (${engine})`, () => {
    let dir: string;
    let configFile: string;
    let seed: ClinicSeed;
    let db: TargetDatabase;
    const schema = () => (target().dialect === 'postgres' ? 'public' : 'clinic');
    const withPassword = () => ({ DATABASE_PASSWORD: target().password });
    const args = (action: string, ...more: string[]) => [
      action,
      '--config-file',
      configFile,
      '--database-url',
      target().url,
      ...more,
    ];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'dms-scheduler-clinic-'));
      configFile = writeClinicConfig(dir);
      db = await target().connect();
    });

    afterAll(async () => {
      await db?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    beforeEach(async () => {
      seed = await createClinicSchema(db);
    });

    const unchanged = async () => expect(await readClinic(db, db.dialect)).toEqual(seed);

    it('validate passes on the clinic configuration, says what it could not check, and changes nothing', async () => {
      const result = await hooksCommand(args('validate'), withPassword());
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        'hooks[0] mask-clinic (mask): ok; 2 table(s) checked against the catalog, masked in 1 transaction(s)',
      );
      expect(result.stdout).toContain(
        `hooks[1] reindex-search (lambda): not checked locally: it invokes ${CLINIC_LAMBDA_ARN} in AWS`,
      );
      expect(result.stdout).toContain('hooks[2] log-run (log-run): ok; nothing to check');
      expect(result.stdout).toMatch(
        /^Valid: 2 hook\(s\) checked, all fit .*deterministic strategies: email, full-name/m,
      );
      expectNothingSecret(result, seed, target().password);
      await unchanged();
    });

    it('validate refuses email on the case-sensitive unique column once two e-mails differ only in case', async () => {
      seed = await createClinicSchema(db, 'case-twins');
      const result = await hooksCommand(args('validate'), withPassword());
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('hooks[0] mask-clinic (mask): 1 problem(s); does not fit the database');
      expect(result.stdout).toContain(
        `  - hooks[0] mask-clinic (mask): tables[0].columns.email: ${schema()}.patients.email: strategy email folds case, but unique index patients_email_key compares case-sensitively`,
      );
      expect(result.stdout).toMatch(/^Not valid: 1 problem\(s\); nothing was changed\.$/m);
      expectNothingSecret(result, seed, target().password);
      await unchanged();
    });

    it('plan shows every table with its row count, the constraint handling and the SQL with placeholders only', async () => {
      const result = await hooksCommand(args('plan'), withPassword());
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const { stdout } = result;
      const [visits, patients] = [`${schema()}.visits`, `${schema()}.patients`];
      expect(stdout).toContain(
        `Transaction 1 of 1: ${visits}, ${patients} (joined by foreign key visits_patient_fk)`,
      );
      expect(stdout).toContain(`    ${visits}: ${CLINIC_VISITS} rows, every row masked`);
      expect(stdout).toContain(`    ${patients}: ${CLINIC_PATIENTS} rows, every row masked`);
      expect(stdout).toMatch(
        /email \(\w+( \w+)?\): email\n\s+unique index patients_email_key: .*checked: no two values differ only in case/,
      );
      expect(stdout).toContain('visited_on (date): date-shift (maxDays 30)');
      expect(stdout).toMatch(/foreign key visits_patient_fk .*same deterministic strategy on both sides/);
      expect(stdout).toContain(`hooks[1] reindex-search (lambda): not checked locally`);
      if (target().dialect === 'postgres') {
        expect(stdout).toContain('LOCK TABLE "public"."visits" IN SHARE ROW EXCLUSIVE MODE');
        expect(stdout).toContain('SET LOCAL row_security = off');
        expect(stdout).toContain('SET CONSTRAINTS "public"."visits_patient_fk" DEFERRED');
        expect(stdout).toMatch(/UPDATE "public"."patients" SET "email" = .*\$1::text/);
      } else {
        expect(stdout).toContain('SET SESSION foreign_key_checks = 0');
        expect(stdout).toContain('SELECT COUNT(*) AS n FROM `clinic`.`visits` FOR UPDATE');
        expect(stdout).toMatch(/UPDATE `clinic`.`patients` SET `email` = .*\?/);
        expect(stdout).toContain('restoring foreign_key_checks to the value read before');
      }
      expect(stdout).toMatch(/updating email, full_name, phone \(\d+ values bound\)/);
      expect(stdout).toMatch(/verifying foreign key visits_patient_fk/);
      expect(stdout).toMatch(/^Plan complete: 3 hooks, \d+ statements; nothing was changed\./m);
      // The plan needs no salt: given one anyway, it shows nothing of it.
      const salted = await hooksCommand(args('plan'), { ...withPassword(), MASKING_SALT: SALT });
      expect(salted.stdout).toBe(stdout);
      expectNothingSecret(result, seed, target().password);
      await unchanged();
    });

    it('plan shows a where (how many rows it selects, never its values) and a truncation, each in its own transaction', async () => {
      const file = writeClinicConfig(
        dir,
        {
          version: 1,
          hooks: [
            {
              name: 'mask-some',
              kind: 'mask',
              tables: [
                {
                  table: 'patients',
                  where: { column: 'id', in: [1, 2, 3] },
                  columns: { phone: { strategy: 'digits-mask' } },
                },
                { table: 'visits', truncate: true },
              ],
            },
          ],
        },
        'some.json',
      );
      const result = await hooksCommand(
        ['plan', '--config-file', file, '--database-url', target().url],
        withPassword(),
      );
      expect(result.code).toBe(0);
      const quoted = (table: string) =>
        target().dialect === 'postgres' ? `"public"."${table}"` : `\`clinic\`.\`${table}\``;
      expect(result.stdout).toContain(`Transaction 1 of 2: ${schema()}.patients\n`);
      expect(result.stdout).toContain(
        `    ${schema()}.patients: ${CLINIC_PATIENTS} rows, 3 selected by the where (id in (3 values bound))`,
      );
      expect(result.stdout).toContain(`Transaction 2 of 2: ${schema()}.visits\n`);
      expect(result.stdout).toContain(`    ${schema()}.visits: ${CLINIC_VISITS} rows, truncated`);
      expect(result.stdout).toContain(
        target().dialect === 'postgres'
          ? `TRUNCATE TABLE ${quoted('visits')}`
          : `DELETE FROM ${quoted('visits')}`,
      );
      expect(result.stdout).toContain(`UPDATE ${quoted('patients')} SET`);
      // No MASKING_SALT needed for digits-mask and truncate, so the plan does not ask for it.
      expect(result.stdout).not.toContain('MASKING_SALT');
      await unchanged();
    });

    it('dms-scheduler hooks prints and ends exactly as npm run hooks does (exit 0, and exit 1 for a misfit)', async () => {
      const fits = args('validate');
      const misfits = ['validate', '--config', 'example', '--database-url', target().url];
      for (const line of [fits, misfits]) {
        const mounted = await mountedHooksCommand(line, withPassword());
        expect(mounted).toEqual(await hooksCommand(line, withPassword()));
      }
      expect((await mountedHooksCommand(fits, withPassword())).code).toBe(0);
      expect((await mountedHooksCommand(misfits, withPassword())).code).toBe(1);
      await unchanged();
    });

    it('validate --config NAME reads a bundled configuration, and lists each of its problems on its own line', async () => {
      const result = await hooksCommand(
        ['validate', '--config', 'example', '--database-url', target().url],
        withPassword(),
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^validate: hooks\/configs\/example\.json on /);
      const problems = result.stdout.split('\n').filter((line) => line.startsWith('  - '));
      expect(problems).toContain(
        '  - hooks[0] mask-pii (mask): tables[0]: table customers does not exist (or is not a base table visible to this user)',
      );
      expect(problems).toContain(
        '  - hooks[0] mask-pii (mask): tables[1]: table orders does not exist (or is not a base table visible to this user)',
      );
      expect(result.stdout).toMatch(/^hooks\[3\] reindex-search \(lambda\): not checked locally/m);
      expect(result.stdout).toMatch(
        new RegExp(`^Not valid: ${problems.length} problem\\(s\\); nothing was changed\\.$`, 'm'),
      );
      await unchanged();
    });

    /** What maskDatabase sends, statement by statement, through a recording connection. */
    async function sentByRun(rules: ReturnType<typeof parseMaskingRules>): Promise<string[]> {
      const sent: string[] = [];
      const recording: TargetDatabase = {
        ...db,
        query: (sql, params) => {
          sent.push(sql);
          return db.query(sql, params);
        },
        transaction: (work) =>
          db.transaction((session) =>
            work({
              query: (sql, params) => {
                sent.push(sql);
                return session.query(sql, params);
              },
            }),
          ),
      };
      await maskDatabase(recording, rules, { salt: SALT, log: new RecordingLog() });
      return sent;
    }

    it.each([
      [
        'the clinic configuration',
        (clinicHooksConfig() as { hooks: { tables?: unknown }[] }).hooks[0]?.tables,
      ],
      [
        'a where and a truncation',
        [
          {
            table: 'patients',
            where: { column: 'id', in: [1, 2, 3] },
            columns: { phone: { strategy: 'shuffle' } },
          },
          { table: 'visits', truncate: true },
        ],
      ],
    ])("plan's statements for %s are those a run sends, in the same order", async (_, tables) => {
      const rules = parseMaskingRules(tables, 'mask');
      const groups = await resolveRules(db, db.dialect, db.database, rules);
      const planned = (keys?: Parameters<typeof groupStatements>[2]) =>
        groups.flatMap((group) =>
          groupStatements(db.dialect, group, keys).filter((statement) => !statement.transactionControl),
        );
      // Under the run's own keys: statement for statement, the same text.
      const exact = planned(purposeKeys(SALT)).map((statement) => statement.sql);
      const sent = await sentByRun(rules);
      expect(exact.length).toBeGreaterThan(5);
      expect(sent.slice(sent.length - exact.length)).toEqual(exact);
      // Under the plan's stand-in keys: the same, but for the statements it marks as depending on the salt.
      const shown = planned();
      const run = sent.slice(sent.length - shown.length);
      shown.forEach((statement, index) => {
        if (!statement.dependsOnSalt) expect(statement.sql).toBe(run[index]);
      });
    });

    it('plan finds no statement whose text depends on the salt', async () => {
      const entry = clinicHooksConfig() as { hooks: { tables?: unknown }[] };
      const rules = parseMaskingRules(entry.hooks[0]?.tables, 'mask-clinic');
      const [group] = await resolveRules(db, db.dialect, db.database, rules);
      const marked = groupStatements(db.dialect, group as NonNullable<typeof group>)
        .filter((statement) => statement.dependsOnSalt)
        .map((statement) => `${statement.table}: ${statement.step}`);
      // MySQL/MariaDB bind the dictionary names that would pick themselves (found from the key, in Node) in a
      // list padded to a fixed length, PostgreSQL finds them in SQL: on neither does the text depend on the salt.
      expect(marked).toEqual([]);
    });

    it('run masks the clinic, keeps every visit joined to its patient, and reports per table', async () => {
      const result = await hooksCommand(args('run'), { ...withPassword(), MASKING_SALT: SALT });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const { stdout } = result;
      expect(stdout).toMatch(/^hooks\[0\] mask-clinic \(mask\): succeeded in \d+ ms: masked /m);
      const withEmail = seed.visits.filter((visit) => visit.patientEmail !== null).length;
      const withNotes = seed.visits.filter((visit) => visit.notes !== null).length;
      expect(stdout).toMatch(
        new RegExp(
          `^ {4}${schema()}\\.visits: rows changed patient_email ${withEmail}, notes \\d+, visited_on ${CLINIC_VISITS}; verified, still original: patient_email 0, notes 0, visited_on 0; locked \\d+ ms, took \\d+ ms$`,
          'm',
        ),
      );
      expect(stdout).toMatch(
        new RegExp(
          `^ {4}${schema()}\\.patients: rows changed email ${CLINIC_PATIENTS}, full_name ${CLINIC_PATIENTS}, phone ${CLINIC_PATIENTS}; verified, still original: email 0, full_name 0, phone 0; locked \\d+ ms, took \\d+ ms$`,
          'm',
        ),
      );
      expect(stdout).toContain(
        `hooks[1] reindex-search (lambda): not run locally (it invokes ${CLINIC_LAMBDA_ARN} in AWS)`,
      );
      expect(stdout).toMatch(/^hooks\[2\] log-run \(log-run\): succeeded in \d+ ms/m);
      expect(stdout).toMatch(
        /^Succeeded: 2 hook\(s\) ran against .*; 1 lambda hook\(s\) not run locally\.$/m,
      );
      expectNothingSecret(result, seed, target().password);

      const after = await readClinic(db, db.dialect);
      const originals = clinicOriginals(seed);
      const everything = JSON.stringify(after).toLowerCase();
      for (const email of originals.emails) expect(everything).not.toContain(email.toLowerCase());
      for (const phone of originals.phones) expect(everything).not.toContain(phone);
      for (const name of originals.names) expect(after.patients.map((p) => p.fullName)).not.toContain(name);
      for (const [index, visit] of after.visits.entries()) {
        expect(visit.visitedOn).not.toBe(seed.visits[index]?.visitedOn);
      }
      expect(after.visits.filter((visit) => visit.notes !== null)).toHaveLength(withNotes);
      expect(await clinicReferences(db)).toEqual({ orphans: 0, joined: withEmail });
    });

    it('run refuses before any change when MASKING_SALT is unset and a mask hook needs it', async () => {
      const result = await hooksCommand(args('run'), withPassword());
      expect(result.code).toBe(2);
      expect(result.stdout).toMatch(/^run: .* \(TLS off\)\n$/);
      expect(result.stderr).toBe(
        "hooks: MASKING_SALT is not set, and hooks[0] mask-clinic (mask) uses email, full-name, whose pseudonyms derive from it: export MASKING_SALT (the value of the stack's masking salt secret, for the same pseudonyms) and run again; nothing was changed\n",
      );
      await unchanged();
    });

    it.each([
      [
        'an unknown action',
        () => ['mask', '--config-file', configFile, '--database-url', target().url],
        /^hooks: unknown action "mask": use one of validate, plan, run, discover$/,
      ],
      [
        'no --database-url',
        () => ['validate', '--config-file', configFile],
        /^hooks: --database-url is missing: /,
      ],
      [
        'a malformed --database-url',
        () => ['plan', '--config-file', configFile, '--database-url', 'not a url'],
        /^hooks: --database-url is not a URL: /,
      ],
      [
        'a --database-url of another engine',
        () => ['plan', '--config-file', configFile, '--database-url', 'oracle://u@h/db'],
        /^hooks: --database-url scheme oracle:\/\/ is not one this command speaks/,
      ],
      [
        'an unknown configuration name',
        () => ['run', '--config', 'clinic', '--database-url', target().url],
        /^hooks: --config: there is no hooks\/configs\/clinic\.json; configurations: .*default/,
      ],
      [
        'an unreadable configuration file',
        () => ['run', '--config-file', join(dir, 'missing.json'), '--database-url', target().url],
        /^hooks: --config-file .*missing\.json cannot be read \(ENOENT\)$/,
      ],
      [
        'an unreachable database',
        () => ['run', '--config-file', configFile, '--database-url', target().unreachableUrl],
        /^hooks: cannot connect to .* \(TLS off\): ECONNREFUSED\b/,
      ],
      [
        'a salt on the command line',
        () => ['run', '--config-file', configFile, '--database-url', target().url, `--salt=${SALT}`],
        /^hooks: the salt is never a command-line argument/,
      ],
    ])('%s is one line naming the problem, exit code 2, and no change', async (_, argv, message) => {
      const result = await hooksCommand(argv(), { ...withPassword(), MASKING_SALT: SALT });
      expect(result.code).toBe(2);
      expect(result.stderr.trimEnd()).toMatch(message);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expectNothingSecret(result, seed, target().password);
      await unchanged();
    });

    it('takes a password written in the URL over DATABASE_PASSWORD, and never prints it', async () => {
      const result = await hooksCommand(
        ['validate', '--config-file', configFile, '--database-url', target().urlWithPassword],
        { DATABASE_PASSWORD: 'not-the-password' },
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(` on ${target().url} (TLS off)`);
      expectNothingSecret(result, seed, target().password);
    });
  });
}
