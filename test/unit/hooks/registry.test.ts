// From configuration entries to hooks: each kind builds, in order, and a hook that cannot be built fails
// with its name; a `rerunnable` the file sets wins over the kind's default (mask hooks are rerunnable, the
// others are not). Also covers the built-in log-run hook, which every deployment has by default, and what a
// built mask hook reports (its rows masked, from the mask report), over a scripted target database.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import type { QueryResult, TargetDatabase } from '#shared/database/target';
import { HOOK_KINDS, parseHooksConfig } from '#shared/hooks/config-file';
import type { RunSummary } from '#shared/hooks/contract';
import { type LambdaHookOptions, lambdaHook } from '#shared/hooks/kinds/lambda';
import { logRunHook } from '#shared/hooks/log-run';
import { buildHooks } from '#shared/hooks/registry';
import { SequentialHookRunner } from '#shared/hooks/runner';
import { loadMaskEngine } from '#shared/masking/load-engine';
import { CUSTOM_HOOKS } from '../../../hooks/custom/index.ts';
import { hookContext, secretsOf } from '../../support/hooks.ts';
import { RecordingLog } from '../../support/ports.ts';
import {
  BUNDLED_HOOKS_CONFIGS,
  deploymentNeeds,
  parseBundledConfigFile,
  SHIPPED_SOURCES,
} from '../../support/shipped-hooks.ts';

const SALT_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf';

describe('the log-run hook', () => {
  const run: RunSummary = {
    runKey: 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ#2026-11-23T00:00:05.000Z',
    taskArn: 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    taskIdentifier: 'nightly-refresh',
    mode: { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
    outcome: { kind: 'succeeded', explanation: 'The full load finished' },
    stats: { tablesLoaded: 12, tablesErrored: 0, elapsedTimeMillis: 2_462_000 },
  };

  it('logs the run figures and reports that it changed nothing', async () => {
    const log = new RecordingLog();
    const result = await logRunHook().run(hookContext({ run, log }));

    expect(logRunHook().name).toBe('log-run');
    expect(result).toEqual({ changed: 'nothing (logged the run)' });
    expect(log.entries).toEqual([
      {
        level: 'info',
        message: 'run finished',
        attributes: {
          task: 'nightly-refresh',
          outcome: 'succeeded',
          tablesLoaded: 12,
          tablesErrored: 0,
          elapsedTimeMillis: 2_462_000,
        },
      },
    ]);
  });

  it('copes with a run without stats', async () => {
    const log = new RecordingLog();
    await logRunHook().run(hookContext({ run: { ...run, stats: undefined }, log }));
    expect(log.entries[0]?.attributes).toEqual({
      task: 'nightly-refresh',
      outcome: 'succeeded',
      tablesLoaded: undefined,
      tablesErrored: undefined,
      elapsedTimeMillis: undefined,
    });
  });
});

describe('buildHooks', () => {
  const sources = {
    sqlScripts: { 'hooks/sql/clear.sql': 'DELETE FROM audit_log' },
    modules: { notes: { needsTarget: true, run: async () => undefined } },
  };
  const lambda = (options: LambdaHookOptions) =>
    lambdaHook(new LambdaClient({ region: 'us-east-1' }), options);
  const config = parseHooksConfig(
    {
      version: 1,
      hooks: [
        {
          name: 'mask-pii',
          kind: 'mask',
          tables: [{ table: 'customers', truncate: true }],
          timeoutSeconds: 60,
        },
        { name: 'clear', kind: 'sql', file: 'hooks/sql/clear.sql' },
        {
          name: 'reindex',
          kind: 'lambda',
          functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:r',
          onFailure: 'continue',
        },
        { name: 'notes', kind: 'module', module: 'notes' },
        { name: 'log', kind: 'log-run' },
      ],
    },
    sources,
  );

  it('builds one hook per entry, in order, with its failure policy and timeout', () => {
    const hooks = buildHooks(config, {
      ...sources,
      lambda,
      maskingSaltSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf',
      maskEngine: loadMaskEngine,
    });
    expect(hooks.map((hook) => [hook.name, hook.onFailure, hook.timeoutSeconds])).toEqual([
      ['mask-pii', 'stop', 60],
      ['clear', 'stop', undefined],
      ['reindex', 'continue', undefined],
      ['notes', 'stop', undefined],
      ['log', 'stop', undefined],
    ]);
  });

  it('refuses a mask hook without the salt secret', () => {
    expect(() =>
      buildHooks(config, { ...sources, lambda, maskingSaltSecretArn: undefined, maskEngine: loadMaskEngine }),
    ).toThrow('MASKING_SALT_SECRET_ARN');
  });

  it.each([
    ...BUNDLED_HOOKS_CONFIGS,
  ])('builds the bundled configuration %s, whatever it lists, with the settings its hooks need', (name) => {
    const shipped = parseBundledConfigFile(name);
    const { settings } = deploymentNeeds(shipped, CUSTOM_HOOKS);
    const hooks = buildHooks(shipped, {
      ...SHIPPED_SOURCES,
      lambda,
      maskingSaltSecretArn: settings.maskingSaltSecretArn,
      maskEngine: loadMaskEngine,
    });
    expect(hooks.map((hook) => hook.name)).toEqual(shipped.hooks.map((entry) => entry.name));
  });
});

describe('buildHooks: rerunnable', () => {
  const sources = {
    sqlScripts: { 'hooks/sql/clear.sql': 'DELETE FROM audit_log' },
    modules: { notes: { needsTarget: false, run: async () => ({ changed: 'notes anonymised' }) } },
  };
  const deps = {
    ...sources,
    lambda: (options: LambdaHookOptions) => lambdaHook(new LambdaClient({ region: 'us-east-1' }), options),
    maskingSaltSecretArn: SALT_ARN,
    maskEngine: loadMaskEngine,
  };
  /** One entry of each kind, named after it, with `rerunnable` as given (left out when undefined). */
  const everyKind = (rerunnable: boolean | undefined) =>
    parseHooksConfig(
      {
        version: 1,
        hooks: [
          { name: 'mask', kind: 'mask', tables: [{ table: 'audit_log', truncate: true }] },
          { name: 'sql', kind: 'sql', file: 'hooks/sql/clear.sql' },
          { name: 'lambda', kind: 'lambda', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:r' },
          { name: 'module', kind: 'module', module: 'notes' },
          { name: 'log-run', kind: 'log-run' },
        ].map((entry) => (rerunnable === undefined ? entry : { ...entry, rerunnable })),
      },
      sources,
    );

  it('covers every kind', () => {
    expect(everyKind(undefined).hooks.map((entry) => entry.kind)).toEqual([...HOOK_KINDS]);
  });

  it('defaults to rerunnable for mask hooks only', () => {
    const hooks = buildHooks(everyKind(undefined), deps);
    expect(hooks.find((hook) => hook.name === 'mask')?.rerunnable).toBe(true);
    expect(new SequentialHookRunner(hooks).plan().map((entry) => [entry.name, entry.rerunnable])).toEqual([
      ['mask', true],
      ['sql', false],
      ['lambda', false],
      ['module', false],
      ['log-run', false],
    ]);
  });

  it.each([true, false])("puts the file's rerunnable: %j on the built hook, for every kind", (rerunnable) => {
    const hooks = buildHooks(everyKind(rerunnable), deps);
    expect(hooks.map((hook) => [hook.name, hook.rerunnable])).toEqual(
      HOOK_KINDS.map((kind) => [kind, rerunnable]),
    );
    expect(new SequentialHookRunner(hooks).plan().every((entry) => entry.rerunnable === rerunnable)).toBe(
      true,
    );
  });

  it("puts the file's always on the built hook, for every kind, and no hook is always by default", () => {
    const plain = new SequentialHookRunner(buildHooks(everyKind(undefined), deps)).plan();
    expect(plain.every((entry) => entry.always === false)).toBe(true);
    const config = everyKind(undefined);
    const withAlways = { ...config, hooks: config.hooks.map((entry) => ({ ...entry, always: true })) };
    const hooks = buildHooks(withAlways, deps);
    expect(hooks.map((hook) => hook.always)).toEqual(HOOK_KINDS.map(() => true));
    expect(new SequentialHookRunner(hooks).plan().every((entry) => entry.always)).toBe(true);
  });

  it('keeps the rest of the hook when the file sets rerunnable: it still runs', async () => {
    const hooks = buildHooks(everyKind(true), deps);
    const log = new RecordingLog();
    const byName = (name: string) => hooks.find((hook) => hook.name === name);
    expect(await byName('log-run')?.run(hookContext({ log }))).toEqual({
      changed: 'nothing (logged the run)',
    });
    expect(log.entries.map((entry) => entry.message)).toEqual(['run finished']);
    expect(await byName('module')?.run(hookContext())).toEqual({ changed: 'notes anonymised' });
  });
});

/**
 * A PostgreSQL target that answers the mask hook's statements from a script: the catalog knows the tables
 * given, every table has the primary key `id`, and the verification query reports `changed` rows per masked
 * column (in the rules' column order) and none left unchanged. Every other statement changes nothing.
 */
function scriptedTarget(tables: Record<string, { columns: Record<string, string>; changed: number[] }>) {
  const statements: string[] = [];
  const result = (rows: Record<string, unknown>[]): QueryResult<never> => ({
    rows: rows as never[],
    rowCount: rows.length,
  });
  const database: TargetDatabase = {
    dialect: 'postgres',
    database: 'staging',
    async query(sql, params = []) {
      statements.push(sql);
      if (sql.includes('information_schema.columns')) {
        const [schema, table] = params as string[];
        const columns = tables[table ?? '']?.columns ?? {};
        return result(
          Object.entries({ id: 'integer', ...columns }).map(([column, dataType]) => ({
            table_schema: schema,
            table_name: table,
            column_name: column,
            data_type: dataType,
            is_nullable: column === 'id' ? 'NO' : 'YES',
            max_length: null,
            scale: dataType === 'integer' ? 0 : null,
          })),
        );
      }
      if (sql.includes("'PRIMARY KEY'")) return result([{ column_name: 'id' }]);
      if (sql.startsWith('SELECT COUNT(*)')) return result([{ n: 0 }]);
      const verified = /^SELECT SUM\(.* FROM "public"\."([a-z_]+)" t JOIN/s.exec(sql);
      if (verified) {
        const counts: Record<string, number> = {};
        for (const [index, rows] of (tables[verified[1] ?? '']?.changed ?? []).entries()) {
          Object.assign(counts, { [`u${index}`]: 0, [`d${index}`]: rows, [`n${index}`]: rows });
        }
        return result([counts]);
      }
      return result([]);
    },
    transaction: (work) => work(database),
    close: async () => undefined,
    abort: () => undefined,
  };
  return { database, statements };
}

describe('a built mask hook', () => {
  it('reports the rows it masked: the sum over every table and column (a truncated table counts none)', async () => {
    const config = parseHooksConfig(
      {
        version: 1,
        hooks: [
          {
            name: 'mask-pii',
            kind: 'mask',
            // The scripted target answers masking's statements only; the drift guard runs on real databases
            // (test/integration/post-processor.own-schema.postgres.test.ts).
            uncovered: 'off',
            tables: [
              { table: 'customers', columns: { email: { strategy: 'email' }, phone: { strategy: 'null' } } },
              { table: 'tickets', columns: { notes: { strategy: 'fixed', value: 'redacted' } } },
              { table: 'audit_log', truncate: true },
            ],
          },
        ],
      },
      { sqlScripts: {}, modules: {} },
    );
    const [mask] = buildHooks(config, {
      sqlScripts: {},
      modules: {},
      lambda: (options: LambdaHookOptions) => lambdaHook(new LambdaClient({ region: 'us-east-1' }), options),
      maskingSaltSecretArn: SALT_ARN,
      maskEngine: loadMaskEngine,
    });
    const target = scriptedTarget({
      customers: { columns: { email: 'text', phone: 'text' }, changed: [120, 118] },
      tickets: { columns: { notes: 'text' }, changed: [7] },
      audit_log: { columns: { event: 'text' }, changed: [] },
    });

    const result = await mask?.run(
      hookContext({ target: async () => target.database, secrets: secretsOf({ [SALT_ARN]: 'pepper' }) }),
    );

    expect(result).toEqual({
      changed:
        'masked public.customers: email 120, phone 118; public.tickets: notes 7; public.audit_log truncated',
      rowsMasked: 245,
    });
    // The script was followed: the hook got as far as truncating the last table.
    expect(target.statements.some((sql) => sql.startsWith('TRUNCATE'))).toBe(true);
  });

  it('reports zero rows when nothing changed', async () => {
    const config = parseHooksConfig(
      {
        version: 1,
        hooks: [
          {
            name: 'mask-pii',
            kind: 'mask',
            uncovered: 'off',
            tables: [{ table: 'audit_log', truncate: true }],
          },
        ],
      },
      { sqlScripts: {}, modules: {} },
    );
    const [mask] = buildHooks(config, {
      sqlScripts: {},
      modules: {},
      lambda: (options: LambdaHookOptions) => lambdaHook(new LambdaClient({ region: 'us-east-1' }), options),
      maskingSaltSecretArn: SALT_ARN,
      maskEngine: loadMaskEngine,
    });
    const target = scriptedTarget({ audit_log: { columns: { event: 'text' }, changed: [] } });
    const result = await mask?.run(
      hookContext({ target: async () => target.database, secrets: secretsOf({ [SALT_ARN]: 'pepper' }) }),
    );
    expect(result).toEqual({ changed: 'masked public.audit_log truncated', rowsMasked: 0 });
  });
});
