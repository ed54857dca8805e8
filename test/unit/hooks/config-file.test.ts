// Every hooks configuration (hooks/configs/<name>.json) is bundled into the post-processor: a broken file
// must fail here, in CI, and at cold start, with a message that names the file and points at the entry. The
// parser and the settings check are tested on fixtures of their own (their own scripts and modules). The
// shipped files (the configurations, the bundled scripts) are the deployment's own, which a team replaces or
// adds to: every bundled configuration is validated generically, for whatever it lists and however many
// there are, with the settings derived from its entries.
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '#shared/errors';
import {
  checkHookSettings,
  HOOK_KINDS,
  type HookSettings,
  type HookSources,
  type HooksConfig,
  parseHooksConfig,
} from '#shared/hooks/config-file';
import { CUSTOM_HOOKS } from '../../../hooks/custom/index.ts';
// @ts-expect-error: the bundler script is plain JavaScript without type declarations.
import { renderSqlModule } from '../../../hooks/sql/bundle.mjs';
import { SQL_SCRIPTS } from '../../../hooks/sql/scripts.generated.ts';
import {
  BUNDLED_HOOKS_CONFIGS,
  bundledHooksConfigPath,
  deploymentNeeds,
  PLACEHOLDER_SALT_SECRET_ARN,
  PLACEHOLDER_TARGET_SECRET_ARN,
  parseBundledConfigFile,
  readRepoText,
} from '../../support/shipped-hooks.ts';

/** The parser's own scripts and modules: what the shipped hooks/ holds does not matter to these tests. */
const SOURCES: HookSources = {
  sqlScripts: {
    'hooks/sql/clear.sql': 'DELETE FROM audit_log',
    'hooks/sql/purge-sessions.sql': 'DELETE FROM sessions',
  },
  modules: {
    notes: { needsTarget: true, run: async () => undefined },
    'smoke-check': { needsTarget: false, run: async () => undefined },
  },
};

function problems(input: unknown, sources: HookSources = SOURCES): string {
  try {
    parseHooksConfig(input, sources);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigurationError, but the file was accepted');
}

const file = (...hooks: unknown[]) => ({ version: 1, hooks });

/** Whether checkHookSettings refuses `config` with `settings`; any other error is rethrown. */
function refused(config: HooksConfig, settings: HookSettings, file?: string): string | false {
  try {
    checkHookSettings(config, settings, CUSTOM_HOOKS, file);
    return false;
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
}

describe.each(BUNDLED_HOOKS_CONFIGS.map((name) => bundledHooksConfigPath(name)))('the bundled %s', (path) => {
  const name = path.replace(/^hooks\/configs\/(.*)\.json$/, '$1');
  const config = parseBundledConfigFile(name);
  const needs = deploymentNeeds(config, CUSTOM_HOOKS);

  it('is valid, whatever it lists', () => {
    expect(config.version).toBe(1);
    for (const hook of config.hooks) expect(HOOK_KINDS).toContain(hook.kind);
  });

  it('passes the settings check with the secrets its hooks need', () => {
    expect(refused(config, needs.settings)).toBe(false);
  });

  it('is named in the settings check, so the cold start says which configuration needs what', () => {
    const message = refused(
      config,
      { targetDatabaseSecretArn: undefined, maskingSaltSecretArn: undefined },
      path,
    );
    if (message !== false) expect(message).toContain(`${path} hook(s) `);
  });

  it('needs each of those secrets: without it the cold start is refused, naming the variable', () => {
    const { targetDatabaseSecretArn, maskingSaltSecretArn } = needs.settings;
    if (targetDatabaseSecretArn !== undefined) {
      expect(refused(config, { ...needs.settings, targetDatabaseSecretArn: undefined })).toContain(
        'TARGET_DATABASE_SECRET_ARN is not set',
      );
    }
    if (maskingSaltSecretArn !== undefined) {
      expect(refused(config, { ...needs.settings, maskingSaltSecretArn: undefined })).toContain(
        'MASKING_SALT_SECRET_ARN is not set',
      );
    }
    // With every secret set, nothing a file can list is refused.
    expect(
      refused(config, {
        targetDatabaseSecretArn: PLACEHOLDER_TARGET_SECRET_ARN,
        maskingSaltSecretArn: PLACEHOLDER_SALT_SECRET_ARN,
      }),
    ).toBe(false);
  });

  it('names for HookFunctionArns exactly the functions its lambda hooks invoke', () => {
    const invoked = config.hooks.flatMap((hook) => (hook.kind === 'lambda' ? [hook.functionArn] : []));
    expect(new Set(needs.hookFunctionArns)).toEqual(new Set(invoked));
    // HookFunctionArns is a comma-delimited list: no ARN may split in two on the way.
    for (const arn of needs.hookFunctionArns) expect(arn).not.toContain(',');
  });
});

describe('the bundled SQL scripts', () => {
  it('the bundled SQL module is up to date with hooks/sql/*.sql (run npm run hooks:sql)', () => {
    expect(readRepoText('hooks/sql/scripts.generated.ts')).toBe(renderSqlModule());
  });

  it.each(Object.keys(SQL_SCRIPTS))('%s is bundled as the text of its .sql file', (path) => {
    expect(path).toMatch(/^hooks\/sql\/[a-z0-9][a-z0-9-]*\.sql$/);
    expect(SQL_SCRIPTS[path]).toBe(readRepoText(path));
  });
});

describe('parseHooksConfig', () => {
  it('keeps rerunnable when an entry sets it, on every kind, and leaves it unset otherwise', () => {
    const config = parseHooksConfig(
      file(
        { name: 'mask', kind: 'mask', tables: [{ table: 'audit_log', truncate: true }], rerunnable: false },
        { name: 'clear', kind: 'sql', file: 'hooks/sql/clear.sql', rerunnable: true },
        {
          name: 'reindex',
          kind: 'lambda',
          functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:r',
          rerunnable: true,
        },
        { name: 'notes', kind: 'module', module: 'notes', rerunnable: false },
        { name: 'log', kind: 'log-run', rerunnable: true },
        { name: 'plain', kind: 'log-run' },
      ),
      {
        sqlScripts: { 'hooks/sql/clear.sql': 'DELETE FROM audit_log' },
        modules: { notes: { needsTarget: false, run: async () => undefined } },
      },
    );
    expect(config.hooks.map((hook) => [hook.name, hook.rerunnable])).toEqual([
      ['mask', false],
      ['clear', true],
      ['reindex', true],
      ['notes', false],
      ['log', true],
      ['plain', undefined],
    ]);
    expect(config.hooks[5]).not.toHaveProperty('rerunnable');
  });

  it('defaults onFailure to stop and keeps timeoutSeconds', () => {
    const config = parseHooksConfig(
      file(
        { name: 'a', kind: 'log-run' },
        { name: 'b', kind: 'log-run', onFailure: 'continue', timeoutSeconds: 5 },
      ),
      SOURCES,
    );
    expect(config.hooks).toEqual([
      { name: 'a', kind: 'log-run', onFailure: 'stop' },
      { name: 'b', kind: 'log-run', onFailure: 'continue', timeoutSeconds: 5 },
    ]);
  });

  it.each([
    [
      file({ name: 'a', kind: 'masking' }),
      'hooks[0] (name "a"): kind must be one of mask, sql, lambda, module, log-run',
    ],
    [
      file({ name: 'ok', kind: 'log-run' }, { name: 'truncate-audit', kind: 'sql', file: '../etc/passwd' }),
      'hooks[1] (name "truncate-audit"): file must be a script path hooks/sql/<lowercase-name>.sql',
    ],
    [
      file({ name: 'truncate-audit', kind: 'sql', file: 'hooks/sql/missing.sql' }),
      'hooks[0] (name "truncate-audit"): file hooks/sql/missing.sql is not a bundled script (bundled: hooks/sql/clear.sql, hooks/sql/purge-sessions.sql; run npm run hooks:sql)',
    ],
    [
      file({ name: 'notes', kind: 'module', module: 'nope' }),
      'hooks[0] (name "notes"): module "nope" is not registered in hooks/custom/index.ts (registered: notes, smoke-check)',
    ],
    [
      file({ name: 'reindex', kind: 'lambda', functionArn: 'reindex' }),
      'hooks[0] (name "reindex"): functionArn must be a Lambda function ARN',
    ],
    [
      file({ name: 'a', kind: 'log-run', onfailure: 'continue' }),
      'hooks[0] (name "a"): onfailure is not a known setting',
    ],
    [file({ name: 'a', kind: 'log-run', onFailure: 'retry' }), 'hooks[0] (name "a"): onFailure'],
    [file({ name: 'a', kind: 'log-run', timeoutSeconds: 901 }), 'hooks[0] (name "a"): timeoutSeconds'],
    [file({ name: 'a', kind: 'log-run', timeoutSeconds: 0 }), 'hooks[0] (name "a"): timeoutSeconds'],
    [
      file({ name: 'ok', kind: 'log-run' }, { name: 'a', kind: 'log-run', rerunnable: 'yes' }),
      'hooks[1] (name "a"): rerunnable must be a boolean',
    ],
    [
      file({ name: 'mask', kind: 'mask', tables: [{ table: 'audit_log', truncate: true }], rerunnable: 1 }),
      'hooks[0] (name "mask"): rerunnable must be a boolean',
    ],
    [
      file({ name: 'clear', kind: 'sql', file: 'hooks/sql/clear.sql', rerunnable: null }),
      'hooks[0] (name "clear"): rerunnable must be a boolean',
    ],
    [
      file({ name: 'ok', kind: 'log-run' }, { name: 'a', kind: 'log-run', always: 'yes' }),
      'hooks[1] (name "a"): always must be a boolean',
    ],
    [
      file({ name: 'Mask PII', kind: 'log-run' }),
      'hooks[0] (name "Mask PII"): name must be lowercase letters',
    ],
    [file({ kind: 'log-run' }), 'hooks[0]: name is missing'],
    [
      file({ name: 'mask', kind: 'mask', tables: [{ table: 'users; DROP TABLE users', truncate: true }] }),
      'hooks[0] (name "mask"): tables[0].table must be "table" or "schema.table"',
    ],
    [
      file({
        name: 'mask',
        kind: 'mask',
        tables: [{ table: 'users', columns: { email: { strategy: 'rot13' } } }],
      }),
      'hooks[0] (name "mask"): tables[0].columns.email.strategy',
    ],
    [
      file({ name: 'mask', kind: 'mask', tables: [{ table: 't', truncate: true }], uncovered: 'ignore' }),
      'hooks[0] (name "mask"): uncovered',
    ],
    [
      file({
        name: 'mask',
        kind: 'mask',
        tables: [{ table: 't', truncate: true }],
        allow: [{ column: 'customers.tax_id' }],
      }),
      'hooks[0] (name "mask"): allow[0].reason',
    ],
    [
      file({
        name: 'mask',
        kind: 'mask',
        tables: [{ table: 't', truncate: true }],
        allow: [{ column: 'tax_id', reason: 'a column without its table' }],
      }),
      'hooks[0] (name "mask"): allow[0].column must be schema.table.column or table.column',
    ],
    [
      file({
        name: 'mask',
        kind: 'mask',
        tables: [{ table: 't', truncate: true }],
        discovery: { budgetSeconds: 0 },
      }),
      'hooks[0] (name "mask"): discovery.budgetSeconds',
    ],
    [{ version: 2, hooks: [] }, 'version must be 1'],
    [{ version: 1 }, 'hooks is missing'],
    [{ version: 1, hooks: {} }, 'hooks must be an array'],
    [[], 'the file must be an object'],
  ])('refuses %j, pointing at the entry', (input, expected) => {
    const message = problems(input);
    expect(message).toMatch(/^Invalid hooks\.config\.json: /);
    expect(message).toContain(expected);
  });

  it('refuses duplicate names, pointing at both entries', () => {
    expect(
      problems(
        file({ name: 'a', kind: 'log-run' }, { name: 'b', kind: 'log-run' }, { name: 'a', kind: 'log-run' }),
      ),
    ).toContain('hooks[2] (name "a"): name is already used by hooks[0]');
  });

  it('lists every problem at once', () => {
    const message = problems(file({ name: 'a', kind: 'nope' }, { name: 'b', kind: 'sql', file: 'x' }));
    expect(message).toContain('hooks[0] (name "a")');
    expect(message).toContain('hooks[1] (name "b")');
  });
});

describe('parseHooksConfig: what the file refers to', () => {
  it('says so when no script is bundled and no module registered', () => {
    const message = problems(
      file(
        { name: 'clear', kind: 'sql', file: 'hooks/sql/clear.sql' },
        { name: 'notes', kind: 'module', module: 'notes' },
      ),
      { sqlScripts: {}, modules: {} },
    );
    expect(message).toContain(
      'hooks[0] (name "clear"): file hooks/sql/clear.sql is not a bundled script (bundled: none;',
    );
    expect(message).toContain(
      'hooks[1] (name "notes"): module "notes" is not registered in hooks/custom/index.ts (registered: none)',
    );
  });

  it.each(['constructor', 'toString', '__proto__'])('refuses the inherited name %j as a module', (name) => {
    expect(problems(file({ name: 'x', kind: 'module', module: name }))).toContain(
      `module ${JSON.stringify(name)} is not registered`,
    );
  });
});

describe('checkHookSettings', () => {
  const TARGET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbCdEf';
  const SALT = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf';
  /** One hook of each kind, and a module that needs no target. */
  const all = parseHooksConfig(
    file(
      { name: 'mask-customers', kind: 'mask', tables: [{ table: 'customers', truncate: true }] },
      { name: 'clear', kind: 'sql', file: 'hooks/sql/clear.sql' },
      { name: 'notes', kind: 'module', module: 'notes' },
      { name: 'smoke', kind: 'module', module: 'smoke-check' },
      { name: 'reindex', kind: 'lambda', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:r' },
      { name: 'log-run', kind: 'log-run' },
    ),
    SOURCES,
  );
  const check = (config: HooksConfig, settings: HookSettings) => () =>
    checkHookSettings(config, settings, SOURCES.modules);

  it('accepts every kind when both secrets are set', () => {
    expect(check(all, { targetDatabaseSecretArn: TARGET, maskingSaltSecretArn: SALT })).not.toThrow();
  });

  it('names every hook that needs the target, and the variable', () => {
    expect(check(all, { targetDatabaseSecretArn: undefined, maskingSaltSecretArn: SALT })).toThrow(
      'hook(s) mask-customers (mask), clear (sql), notes (module) need the target database, but TARGET_DATABASE_SECRET_ARN is not set',
    );
  });

  it('names the mask hooks when the salt is missing', () => {
    expect(check(all, { targetDatabaseSecretArn: TARGET, maskingSaltSecretArn: undefined })).toThrow(
      'hook(s) mask-customers (mask) need the masking salt, but MASKING_SALT_SECRET_ARN is not set',
    );
  });

  it('names both at once', () => {
    expect(check(all, { targetDatabaseSecretArn: undefined, maskingSaltSecretArn: undefined })).toThrow(
      /TARGET_DATABASE_SECRET_ARN is not set.*; .*MASKING_SALT_SECRET_ARN is not set/,
    );
  });

  it('asks nothing of lambda, log-run and modules that need no target', () => {
    const light = parseHooksConfig(
      file(
        { name: 'smoke', kind: 'module', module: 'smoke-check' },
        { name: 'reindex', kind: 'lambda', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:r' },
        { name: 'log-run', kind: 'log-run' },
      ),
      SOURCES,
    );
    expect(
      check(light, { targetDatabaseSecretArn: undefined, maskingSaltSecretArn: undefined }),
    ).not.toThrow();
  });
});
