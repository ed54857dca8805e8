// The Lambda entry points validate their configuration at cold start: a missing or malformed variable fails
// the import with its name in the message, before any event is handled or any AWS call is made. Both build
// their ports (DMS, the schedule rule, SNS, the DynamoDB run store) there, once; one-time mode builds none
// for the rule, and schedule mode cannot start without the rule's exact ARN. The bundled hooks configurations
// (hooks/configs/*.json) are the deployment's own: the loads below give the post-processor the secrets the
// chosen one's hooks need, derived from the file; the hooks tests put configurations, scripts and modules of
// their own in place of the shipped ones.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '#shared/errors';
import { BASE_ENV } from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';
import { BUNDLED_HOOKS_CONFIGS, shippedHooksEnv } from '../../support/shipped-hooks.ts';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** BASE_ENV, plus the secrets the default configuration's hooks need, so the shipped file loads. */
const VALID_ENV = { ...BASE_ENV, ...shippedHooksEnv(), AWS_REGION: 'us-east-1' };

function stubEnv(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}

describe.each([
  ['task-starter', () => import('../../../functions/task-starter/handler.ts')],
  ['post-processor', () => import('../../../functions/post-processor/handler.ts')],
])('%s cold start', (_name, load) => {
  it('loads with a valid configuration', async () => {
    stubEnv(VALID_ENV);
    const module = await load();
    expect(typeof module.handler).toBe('function');
  });

  it('loads in one-time mode with no schedule rule at all', async () => {
    stubEnv({ ...VALID_ENV, SCHEDULE_OR_ONE_TIME: 'one-time', SCHEDULE_RULE_ARN: '' });
    const module = await load();
    expect(typeof module.handler).toBe('function');
  });

  it('fails in schedule mode without the schedule rule ARN, naming it', async () => {
    stubEnv({ ...VALID_ENV, SCHEDULE_RULE_ARN: '' });
    await expect(load()).rejects.toThrow(/SCHEDULE_RULE_ARN is not set \(required in schedule mode\)/);
  });

  it('fails on a schedule rule named instead of given by ARN', async () => {
    stubEnv({ ...VALID_ENV, SCHEDULE_RULE_ARN: 'dms-scheduler-schedule' });
    await expect(load()).rejects.toThrow(/SCHEDULE_RULE_ARN must be an EventBridge rule ARN/);
  });

  it.each([
    'REPLICATION_TASK_ARN',
    'REPLICATION_TASK_IDENTIFIER',
    'ALERTS_TOPIC_ARN',
    'MIGRATION_REFRESH_TYPE',
    'RUN_LEDGER_TABLE',
  ])('fails naming %s when it is missing', async (name) => {
    stubEnv({ ...VALID_ENV, [name]: '' });
    await expect(load()).rejects.toThrow(new RegExp(`${name} is not set`));
  });

  it('fails naming the rule that an unsupported combination breaks', async () => {
    stubEnv({ ...VALID_ENV, MIGRATION_REFRESH_TYPE: 'cdc' });
    await expect(load()).rejects.toThrow(/data-refresh/);
  });
});

describe('the reconcile rule', () => {
  it('is required by the post-processor, which only takes its exact ticks', async () => {
    stubEnv({ ...VALID_ENV, RECONCILE_RULE_ARN: '' });
    await expect(import('../../../functions/post-processor/handler.ts')).rejects.toThrow(
      /RECONCILE_RULE_ARN is not set/,
    );
  });

  it('is not needed by the task-starter', async () => {
    stubEnv({ ...VALID_ENV, RECONCILE_RULE_ARN: '' });
    const module = await import('../../../functions/task-starter/handler.ts');
    expect(typeof module.handler).toBe('function');
  });
});

describe('post-processor cold start: the hooks configuration', () => {
  const TARGET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/target-AbCdEf';
  const SALT = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/masking-salt-XyZ123';
  const MASK = {
    name: 'mask-pii',
    kind: 'mask',
    tables: [{ table: 'customers', columns: { email: { strategy: 'email' } } }],
  };
  const SQL = { name: 'clear-audit-trail', kind: 'sql', file: 'hooks/sql/clear-audit-trail.sql' };
  const MODULE = { name: 'notes', kind: 'module', module: 'anonymise-notes' };
  // The scripts and modules this file refers to, in place of the shipped hooks/sql/ and hooks/custom/.
  const SQL_SCRIPTS = { 'hooks/sql/clear-audit-trail.sql': 'DELETE FROM audit_log' };
  const CUSTOM_HOOKS = {
    'anonymise-notes': { needsTarget: true, run: async () => undefined },
    'smoke-check': { needsTarget: false, run: async () => undefined },
  };

  /** Loads the handler with `hooks` as the only bundled configuration, `default`, and the test's own sources. */
  function loadWithHooks(hooks: unknown[], env: Record<string, string> = {}) {
    return loadWithConfigs({ default: JSON.stringify({ version: 1, hooks }) }, env);
  }

  /** Loads the handler with `configs` in place of the bundled hooks/configs/, and the test's own sources. */
  function loadWithConfigs(configs: Record<string, string>, env: Record<string, string> = {}) {
    vi.doMock('../../../hooks/configs/configs.generated.ts', () => ({ HOOKS_CONFIGS: configs }));
    vi.doMock('../../../hooks/sql/scripts.generated.ts', () => ({ SQL_SCRIPTS }));
    vi.doMock('../../../hooks/custom/index.ts', () => ({ CUSTOM_HOOKS }));
    stubEnv({ ...BASE_ENV, AWS_REGION: 'us-east-1', ...env });
    return import('../../../functions/post-processor/handler.ts');
  }

  afterEach(() => {
    vi.doUnmock('../../../hooks/configs/configs.generated.ts');
    vi.doUnmock('../../../hooks/sql/scripts.generated.ts');
    vi.doUnmock('../../../hooks/custom/index.ts');
  });

  it('loads with every kind when the secrets they need are set', async () => {
    const module = await loadWithHooks(
      [
        MASK,
        SQL,
        MODULE,
        { name: 'smoke', kind: 'module', module: 'smoke-check' },
        { name: 'reindex', kind: 'lambda', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:r' },
        { name: 'log-run', kind: 'log-run' },
      ],
      { TARGET_DATABASE_SECRET_ARN: TARGET, MASKING_SALT_SECRET_ARN: SALT },
    );
    expect(typeof module.handler).toBe('function');
  });

  it.each([
    ['mask', MASK, 'mask-pii (mask)'],
    ['sql', SQL, 'clear-audit-trail (sql)'],
    ['a module that needs the target', MODULE, 'notes (module)'],
  ])('refuses %s without TARGET_DATABASE_SECRET_ARN, naming the hook and the variable', async (_, hook, named) => {
    const error = await rejection(loadWithHooks([hook], { MASKING_SALT_SECRET_ARN: SALT }));
    expect((error as Error).name).toBe(ConfigurationError.name);
    expect(String(error)).toContain(named);
    expect(String(error)).toContain('TARGET_DATABASE_SECRET_ARN is not set');
    expect(String(error)).not.toContain('MASKING_SALT_SECRET_ARN is not set');
  });

  it('refuses mask without MASKING_SALT_SECRET_ARN, naming the hook and the variable', async () => {
    const error = await rejection(loadWithHooks([MASK], { TARGET_DATABASE_SECRET_ARN: TARGET }));
    expect(String(error)).toContain(
      'mask-pii (mask) need the masking salt, but MASKING_SALT_SECRET_ARN is not set',
    );
  });

  it('names both missing settings at once', async () => {
    const error = String(await rejection(loadWithHooks([MASK])));
    expect(error).toContain('TARGET_DATABASE_SECRET_ARN is not set');
    expect(error).toContain('MASKING_SALT_SECRET_ARN is not set');
  });

  it('needs no secret for lambda and log-run hooks, nor for a module that needs no target', async () => {
    const module = await loadWithHooks([
      { name: 'smoke', kind: 'module', module: 'smoke-check' },
      { name: 'reindex', kind: 'lambda', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:r' },
      { name: 'log-run', kind: 'log-run' },
    ]);
    expect(typeof module.handler).toBe('function');
  });

  it('fails on a broken file, pointing at the entry', async () => {
    await expect(
      loadWithHooks([
        { name: 'log-run', kind: 'log-run' },
        { name: 'mask-everything', kind: 'masking' },
      ]),
    ).rejects.toThrow(/hooks\[1\] \(name "mask-everything"\): kind must be one of/);
  });

  it('fails on a module name nobody registered', async () => {
    await expect(
      loadWithHooks([{ name: 'x', kind: 'module', module: 'mask-everything' }], {
        TARGET_DATABASE_SECRET_ARN: TARGET,
      }),
    ).rejects.toThrow(
      /module "mask-everything" is not registered in hooks\/custom\/index\.ts \(registered: anonymise-notes, smoke-check\)/,
    );
  });

  it('fails on a script that is not bundled', async () => {
    await expect(
      loadWithHooks([{ name: 'x', kind: 'sql', file: 'hooks/sql/missing.sql' }], {
        TARGET_DATABASE_SECRET_ARN: TARGET,
      }),
    ).rejects.toThrow(
      /file hooks\/sql\/missing\.sql is not a bundled script \(bundled: hooks\/sql\/clear-audit-trail\.sql;/,
    );
  });

  it('runs the configuration HOOKS_CONFIG names, and checks its settings, not those of the others', async () => {
    const configs = {
      default: JSON.stringify({ version: 1, hooks: [MASK] }),
      'prod-to-dev': JSON.stringify({ version: 1, hooks: [{ name: 'log-run', kind: 'log-run' }] }),
    };
    const module = await loadWithConfigs(configs, { HOOKS_CONFIG: 'prod-to-dev' });
    expect(typeof module.handler).toBe('function');
    vi.resetModules();
    const error = String(await rejection(loadWithConfigs(configs, { HOOKS_CONFIG: '' })));
    expect(error).toContain('hooks/configs/default.json hook(s) mask-pii (mask) need the target database');
  });

  it('fails on a name no configuration is bundled under, listing the bundled ones', async () => {
    const configs = { default: '{"version": 1, "hooks": []}', 'prod-to-dev': '{"version": 1, "hooks": []}' };
    const error = await rejection(loadWithConfigs(configs, { HOOKS_CONFIG: 'prod-to-qa' }));
    expect((error as Error).name).toBe(ConfigurationError.name);
    expect(String(error)).toContain(
      'HOOKS_CONFIG "prod-to-qa" is not a bundled hooks configuration (bundled: default, prod-to-dev;',
    );
  });

  it('fails on a malformed name, naming the variable', async () => {
    await expect(
      loadWithConfigs({ default: '{"version": 1, "hooks": []}' }, { HOOKS_CONFIG: '../default' }),
    ).rejects.toThrow(/HOOKS_CONFIG must be the name of a hooks configuration/);
  });

  it('names the chosen file when it is broken', async () => {
    await expect(
      loadWithConfigs(
        { 'prod-to-dev': JSON.stringify({ version: 1, hooks: [{ name: 'x', kind: 'masking' }] }) },
        { HOOKS_CONFIG: 'prod-to-dev' },
      ),
    ).rejects.toThrow(
      /^Invalid hooks\/configs\/prod-to-dev\.json: hooks\[0\] \(name "x"\): kind must be one of/,
    );
  });
});

describe('post-processor cold start: every bundled configuration', () => {
  it.each(
    BUNDLED_HOOKS_CONFIGS,
  )('loads %s when HOOKS_CONFIG names it, with the secrets its hooks need', async (name) => {
    stubEnv({ ...BASE_ENV, AWS_REGION: 'us-east-1', ...shippedHooksEnv(name), HOOKS_CONFIG: name });
    const module = await import('../../../functions/post-processor/handler.ts');
    expect(typeof module.handler).toBe('function');
  });
});

describe('success notices', () => {
  it('load in the post-processor with a success topic, when NOTIFY_ON_SUCCESS asks for one', async () => {
    stubEnv({
      ...VALID_ENV,
      NOTIFY_ON_SUCCESS: 'success-topic',
      SUCCESS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-success',
    });
    const module = await import('../../../functions/post-processor/handler.ts');
    expect(typeof module.handler).toBe('function');
  });

  it('fail the post-processor cold start on success-topic without the topic, naming both', async () => {
    stubEnv({ ...VALID_ENV, NOTIFY_ON_SUCCESS: 'success-topic', SUCCESS_TOPIC_ARN: '' });
    await expect(import('../../../functions/post-processor/handler.ts')).rejects.toThrow(
      /SUCCESS_TOPIC_ARN is not set \(required when NOTIFY_ON_SUCCESS is success-topic\)/,
    );
  });
});
