// Discovery against a real database, shared by the PostgreSQL and MariaDB suites: the labelled shop
// (test/support/pii-schema.ts) is sampled and scored, and precision and recall per kind are measured against its
// labels, printed, and held to recall 1.0 and precision ≥ 0.9. Around that: the sampler reads only in READ ONLY
// transactions, lists every table and every skipped column, stops at its budget and lists what it did not reach,
// bounds each read by the engine's statement timeout; and the command's `discover` prints the findings (never a
// value), writes a configuration that `validate` accepts and `run` can run, and refuses bad input with exit 2.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect, SqlSession, TargetDatabase } from '#shared/database/target';
import { coveredColumns, type DiscoveryReport, discoverPii } from '#shared/discovery/discover';
import { sampleDatabase } from '#shared/discovery/sample';
import { parseMaskingRules } from '#shared/masking/rules';
import {
  createPiiSchema,
  formatMeasurement,
  measureFindings,
  PII_TABLES,
  piiLabels,
  piiSecrets,
} from '../support/pii-schema.ts';
import { type CommandResult, hooksCommand } from './hooks-command-scenario.ts';

export interface DiscoveryTarget {
  readonly dialect: Dialect;
  /** Where the shop's tables are: `public`, or the MySQL database. */
  readonly schema: string;
  /** The database's URL without its password (it goes through DATABASE_PASSWORD). */
  readonly url: string;
  readonly password: string;
  connect(): Promise<TargetDatabase>;
}

const SECRETS = piiSecrets();

/** Nothing printed, written or returned holds a seeded value, or the password. */
export function expectNoSeededValue(text: string, password: string): void {
  for (const secret of [...SECRETS, password]) {
    expect(
      text.includes(secret),
      `a seeded value (or the password) appears in the output: ${secret.length} characters`,
    ).toBe(false);
  }
}

const TABLES = PII_TABLES.map((table) => table.name).sort();
const SAMPLED_COLUMNS = PII_TABLES.flatMap((table) =>
  table.columns.filter((column) => typeof column.label === 'string'),
).length;

/**
 * Every statement sent on the connection, and whether each sampling SELECT ran in a read-only transaction:
 * PostgreSQL says so (transaction_read_only); MariaDB's @@tx_read_only shows the session's default, not the
 * transaction's, so there a write is tried, which a read-only transaction refuses (errno 1792) and MariaDB
 * survives without aborting the transaction.
 */
function recording(db: TargetDatabase): { db: TargetDatabase; sent: string[]; readOnly: boolean[] } {
  const sent: string[] = [];
  const readOnly: boolean[] = [];
  const isReadOnly = async (session: SqlSession): Promise<boolean> => {
    if (db.dialect === 'postgres') {
      const [row] = (
        await session.query<{ ro: boolean }>("SELECT current_setting('transaction_read_only') = 'on' AS ro")
      ).rows;
      return row?.ro === true;
    }
    try {
      await session.query("INSERT INTO audit_log (event) VALUES ('read-only probe')");
      return false;
    } catch (error) {
      return (error as { errno?: unknown }).errno === 1792;
    }
  };
  const watch = (session: SqlSession): SqlSession => ({
    async query(sql, params) {
      if (/ AS c0\b/.test(sql)) readOnly.push(await isReadOnly(session));
      sent.push(sql);
      return session.query(sql, params);
    },
  });
  return {
    db: {
      ...db,
      query: watch(db).query,
      transaction: (work) => db.transaction((session) => work(watch(session))),
    },
    sent,
    readOnly,
  };
}

export function discoveryScenario(engine: string, target: () => DiscoveryTarget): void {
  describe(`discovery on a labelled shop (${engine})`, () => {
    let db: TargetDatabase;
    let dir: string;
    let report: DiscoveryReport;
    const withPassword = () => ({ DATABASE_PASSWORD: target().password });
    const discover = (...more: string[]) =>
      hooksCommand(['discover', '--database-url', target().url, ...more], withPassword());
    const printed = (result: CommandResult) => `${result.stdout}\n${result.stderr}`;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'dms-scheduler-discovery-'));
      db = await target().connect();
      await createPiiSchema(db);
      report = await discoverPii(db, { now: new Date('2026-12-01T00:00:00Z') });
    });

    afterAll(async () => {
      await db?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('finds every labelled column as its kind, with precision ≥ 0.9 per kind and overall', () => {
      const measurement = measureFindings(report.findings, piiLabels(target().schema));
      console.log(
        formatMeasurement(
          `discovery precision/recall, ${engine}: ${SAMPLED_COLUMNS} sampled columns labelled, ${measurement.overall.labelled} of them personal data`,
          measurement,
        ),
      );
      const failing = [...measurement.missed, ...measurement.falsePositives];
      for (const score of [...measurement.perKind, measurement.overall]) {
        expect(
          score.recall,
          `recall of ${score.kind}; failing columns: ${failing.join(', ') || 'none'}`,
        ).toBe(1);
        expect(
          score.precision,
          `precision of ${score.kind}; failing columns: ${failing.join(', ') || 'none'}`,
        ).toBeGreaterThanOrEqual(0.9);
      }
      // Every kind of personal data the shop holds is among them.
      expect(measurement.perKind.map((score) => score.kind)).toEqual([
        'address',
        'card',
        'date-of-birth',
        'email',
        'free-text',
        'iban',
        'ip-address',
        'national-id',
        'passport',
        'person-name',
        'phone',
        'postcode',
        'ssn',
        'tax-id',
      ]);
    });

    it('reports every table, every sampled column and every column it did not read, sorted, with no value', () => {
      const schema = target().schema;
      expect(report.schemas).toEqual([schema]);
      expect(report.tablesScanned.map((table) => table.table)).toEqual(TABLES);
      expect(report.tablesNotScanned).toEqual([]);
      expect(report.columnsSampled).toBe(SAMPLED_COLUMNS);
      expect(report.rowsSampled).toBe(PII_TABLES.reduce((sum, table) => sum + table.rows, 0));
      expect(report.columnsSkipped).toEqual([
        {
          schema,
          table: 'support_tickets',
          column: 'payload',
          dataType: target().dialect === 'postgres' ? 'jsonb' : 'longtext',
          reason: 'json',
        },
        {
          schema,
          table: 'support_tickets',
          column: 'attachment',
          dataType: target().dialect === 'postgres' ? 'bytea' : 'blob',
          reason: 'binary',
        },
      ]);
      const labels = report.findings.map((finding) => `${finding.schema}.${finding.table}.${finding.column}`);
      expect(labels).toEqual([...labels].sort());
      expect(report.tablesScanned.find((table) => table.table === 'audit_log')?.method).toBe('limit');
      expect(report.tablesScanned.find((table) => table.table === 'customers')?.method).toBe(
        target().dialect === 'postgres' ? 'limit' : 'key-order',
      );
      expectNoSeededValue(JSON.stringify(report), target().password);
    });

    it('reads only in READ ONLY transactions, one per table, SELECT and SET statements only', async () => {
      const watched = recording(db);
      const sampled = await sampleDatabase(watched.db, { rowsPerTable: 10 });
      expect(sampled.scanned.every((table) => table.rowsSampled === 10)).toBe(true);
      expect(watched.readOnly).toEqual(TABLES.map(() => true));
      for (const sql of watched.sent) expect(sql).toMatch(/^\s*(SELECT|SET )/);
      // Dates are read as yyyy-mm-dd, whatever the column's type.
      const born = sampled.samples.find((sample) => sample.column === 'birth_date');
      expect(born?.values.every((value) => /^\d{4}-\d{2}-\d{2}$/.test(value))).toBe(true);
      const paid = sampled.samples.find((sample) => sample.column === 'paid_at');
      expect(paid?.values.every((value) => /^\d{4}-\d{2}-\d{2}$/.test(value))).toBe(true);
    });

    it('stops at its budget and lists every table it did not reach as not scanned', async () => {
      const none = await sampleDatabase(db, { budgetMs: 0 });
      expect(none.scanned).toEqual([]);
      expect(none.notScanned).toEqual(
        TABLES.map((table) => ({ schema: target().schema, table, reason: 'budget' })),
      );
      expect(none.samples).toEqual([]);
      // A clock that moves a second per look: three tables fit in 3.5 s, the other two are listed.
      let now = 0;
      const some = await sampleDatabase(db, { budgetMs: 3500, clock: () => (now += 1000) });
      expect(some.scanned.map((table) => table.table)).toEqual(TABLES.slice(0, 3));
      expect(some.notScanned.map((table) => [table.table, table.reason])).toEqual(
        TABLES.slice(3).map((table) => [table, 'budget']),
      );
    });

    it('bounds each read by the statement timeout: a table locked by another session is listed, the rest are read', async () => {
      const locker = await target().connect();
      try {
        if (target().dialect === 'postgres') {
          await locker.query('BEGIN');
          await locker.query('LOCK TABLE payments IN ACCESS EXCLUSIVE MODE');
        } else {
          await locker.query('LOCK TABLES payments WRITE');
        }
        const started = Date.now();
        const sampled = await sampleDatabase(db, { statementTimeoutMs: 500 });
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(sampled.notScanned).toEqual([
          { schema: target().schema, table: 'payments', reason: 'statement-timeout' },
        ]);
        expect(sampled.scanned.map((table) => table.table)).toEqual(
          TABLES.filter((table) => table !== 'payments'),
        );
      } finally {
        await locker.query(target().dialect === 'postgres' ? 'ROLLBACK' : 'UNLOCK TABLES');
        await locker.close();
      }
    });

    it('discover prints one line per finding (kind, score, evidence as counts, name rule) and no value', async () => {
      const result = await discover();
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines[0]).toBe(`discover: ${target().url} (TLS off)`);
      expect(lines[1]).toMatch(
        new RegExp(
          `^Schemas: ${target().schema}; 5 table\\(s\\) scanned, ${SAMPLED_COLUMNS} column\\(s\\) and 260 row\\(s\\) sampled in (\\d+ ms|\\d+\\.\\d s)\\.$`,
        ),
      );
      expect(lines[2]).toMatch(/^ {2}COLUMN +KIND +SCORE +EVIDENCE +NAME RULE$/);
      const schema = target().schema;
      expect(result.stdout).toMatch(
        new RegExp(
          `^ {2}${schema}\\.customers\\.email +email +1\\.00 +email 60/60 +name token "email"$`,
          'm',
        ),
      );
      expect(result.stdout).toMatch(
        new RegExp(`^ {2}${schema}\\.customers\\.contact +email +1\\.00 +email 60/60 +-$`, 'm'),
      );
      expect(result.stdout).toMatch(
        new RegExp(
          `^ {2}${schema}\\.support_tickets\\.notes +free-text +\\d\\.\\d\\d +free-text \\d+/50`,
          'm',
        ),
      );
      const rows = lines.filter((line) => line.startsWith(`  ${schema}.`));
      expect(rows).toHaveLength(report.findings.length);
      expect(result.stdout).toContain(
        `${report.findings.length} column(s) look like personal data (score ≥ 0.80).\n`,
      );
      expect(result.stdout).toContain(
        `Not read, by type (2): ${schema}.support_tickets.payload (${target().dialect === 'postgres' ? 'jsonb' : 'longtext'}: json), ${schema}.support_tickets.attachment (${target().dialect === 'postgres' ? 'bytea' : 'blob'}: binary).`,
      );
      console.log(`discover on ${engine}:\n${result.stdout}`);
      expectNoSeededValue(printed(result), target().password);
    });

    it('discover --json prints the report alone, findings and all, with no value', async () => {
      const result = await discover('--json', '--rows', '10');
      expect(result.code).toBe(0);
      const parsed = JSON.parse(result.stdout) as DiscoveryReport;
      expect(parsed.findings.map((finding) => finding.column)).toContain('email');
      expect(parsed.tablesScanned.every((table) => table.rowsSampled === 10)).toBe(true);
      expect(parsed.catalog.map((table) => table.table)).toEqual(TABLES);
      expectNoSeededValue(printed(result), target().password);
    });

    it('discover --write-config writes a mask hook that validate accepts, and prints why each column gets its strategy', async () => {
      const file = join(dir, `suggested-${target().dialect}.json`);
      const result = await discover('--write-config', file);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const written = readFileSync(file, 'utf8');
      const config = JSON.parse(written) as {
        version: number;
        hooks: { name: string; kind: string; tables: unknown }[];
      };
      expect(config.version).toBe(1);
      expect(config.hooks.map((hook) => [hook.name, hook.kind])).toEqual([['mask-pii', 'mask']]);
      const rules = parseMaskingRules(config.hooks[0]?.tables, 'mask-pii');
      const covered = coveredColumns(rules, target().dialect, target().schema);
      const strategy = (table: string, column: string) =>
        covered({ schema: target().schema, table, column })?.strategy.strategy;
      expect(strategy('customers', 'email')).toBe('email');
      expect(strategy('support_tickets', 'customer_email')).toBe('email');
      expect(strategy('customers', 'phone')).toBe('digits-randomize');
      expect(strategy('customers', 'birth_date')).toBe('date-shift');
      expect(strategy('customers', 'first_name')).toBe('first-name');
      expect(strategy('customers', 'last_name')).toBe('last-name');
      expect(strategy('employees', 'full_name')).toBe('full-name');
      expect(strategy('payments', 'card_number')).toBe('partial');
      expect(strategy('payments', 'iban')).toBe('hash');
      expect(strategy('customers', 'last_login_ip')).toBe('hash');
      expect(strategy('support_tickets', 'notes')).toBe('text-scrub');
      // The unique ssn is too short for a hash, and may be NULL; the keyless audit_log cannot be masked at all.
      expect(strategy('employees', 'ssn')).toBe('null');
      expect(strategy('audit_log', 'actor_ip')).toBeUndefined();
      expect(strategy('customers', 'id')).toBeUndefined();
      expect(strategy('payments', 'order_number')).toBeUndefined();
      const schema = target().schema;
      expect(result.stdout).toMatch(
        new RegExp(
          `^Wrote ${file.replaceAll('.', '\\.')}: hook mask-pii masks \\d+ column\\(s\\) of 4 table\\(s\\); 2 column\\(s\\) not masked`,
          'm',
        ),
      );
      expect(result.stdout).toContain(
        `  ${schema}.audit_log.actor_ip: not masked\n    - found as ip-address`,
      );
      expect(result.stdout).toContain(`    - not masked: table ${schema}.audit_log has no primary key`);
      expect(result.stdout).toContain(
        `  ${schema}.payments.card_number: partial (keepLast 4)\n    - found as card`,
      );
      expectNoSeededValue(`${printed(result)}\n${written}`, target().password);

      const validated = await hooksCommand(
        ['validate', '--config-file', file, '--database-url', target().url],
        withPassword(),
      );
      expect(validated.stdout).toMatch(/^Valid: 1 hook\(s\) checked, all fit /m);
      expect(validated.code).toBe(0);
    });

    it('a suggestion that masks every finding runs, and the drift guard after it finds no personal data left', async () => {
      // Without the table no rule can mask (no primary key), every finding gets a strategy.
      await db.query('DROP TABLE audit_log');
      try {
        const file = join(dir, `complete-${target().dialect}.json`);
        const written = await discover('--write-config', file);
        expect(written.code).toBe(0);
        expect(written.stdout).not.toContain(': not masked');
        const ran = await hooksCommand(['run', '--config-file', file, '--database-url', target().url], {
          ...withPassword(),
          MASKING_SALT: 'discovery-salt-3c9e1f7a2b',
        });
        expect(ran.stdout).toMatch(/^hooks\[0\] mask-pii \(mask\): succeeded in \d+ ms/m);
        expect(ran.code).toBe(0);
        expectNoSeededValue(printed(ran), target().password);
      } finally {
        await createPiiSchema(db);
      }
    });

    it('discover refuses an unknown schema and an existing --write-config file with exit 2, changing nothing', async () => {
      const unknown = await discover('--schema', 'nowhere');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toBe(`hooks: --schema: no such schema: nowhere in ${target().url}\n`);
      const file = join(dir, 'taken.json');
      writeFileSync(file, 'mine\n');
      const taken = await discover('--write-config', file);
      expect(taken.code).toBe(2);
      expect(taken.stderr).toBe(
        `hooks: --write-config ${file} exists already; give a new file (it is never overwritten)\n`,
      );
      expect(readFileSync(file, 'utf8')).toBe('mine\n');
      const bad = await discover('--rows', '3');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe('hooks: --rows must be a whole number from 10 to 100000\n');
      expect(existsSync(join(dir, 'nothing.json'))).toBe(false);
    });
  });
}
