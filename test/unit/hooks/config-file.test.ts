// hooks.config.json is bundled into the post-processor: a broken file must fail here, in CI, and at cold
// start, with a message that points at the entry. The real file and the example file are validated as they are;
// the real one is the deployment's own (a team replaces it), so no test here depends on what it lists.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '#shared/errors';
import {
  checkHookSettings,
  HOOK_KINDS,
  type HookSettings,
  type HooksConfig,
  needsTarget,
  parseHooksConfig,
} from '#shared/hooks/config-file';
import { CUSTOM_HOOKS } from '../../../hooks/custom/index.ts';
// @ts-expect-error: the bundler script is plain JavaScript without type declarations.
import { renderSqlModule } from '../../../hooks/sql/bundle.mjs';
import { SQL_SCRIPTS } from '../../../hooks/sql/scripts.generated.ts';

const SOURCES = { sqlScripts: SQL_SCRIPTS, modules: CUSTOM_HOOKS };
const readJson = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../${name}`, import.meta.url), 'utf8'));

function problems(input: unknown): string {
  try {
    parseHooksConfig(input, SOURCES);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigurationError, but the file was accepted');
}

const file = (...hooks: unknown[]) => ({ version: 1, hooks });

describe('the shipped files', () => {
  it('hooks.config.json is valid, whatever it lists', () => {
    const config = parseHooksConfig(readJson('hooks.config.json'), SOURCES);
    expect(config.version).toBe(1);
    for (const hook of config.hooks) expect(HOOK_KINDS).toContain(hook.kind);
  });

  it('hooks.config.example.json is valid and shows every kind', () => {
    const config = parseHooksConfig(readJson('hooks.config.example.json'), SOURCES);
    expect(new Set(config.hooks.map((hook) => hook.kind))).toEqual(new Set(HOOK_KINDS));
  });

  it('the bundled SQL module is up to date with hooks/sql/*.sql (run npm run hooks:sql)', () => {
    const generated = readFileSync(
      new URL('../../../hooks/sql/scripts.generated.ts', import.meta.url),
      'utf8',
    );
    expect(generated).toBe(renderSqlModule());
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
      'hooks[0] (name "truncate-audit"): file hooks/sql/missing.sql is not a bundled script',
    ],
    [
      file({ name: 'notes', kind: 'module', module: 'nope' }),
      'hooks[0] (name "notes"): module "nope" is not registered in hooks/custom/index.ts (registered: anonymise-ticket-notes)',
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

describe('checkHookSettings', () => {
  const TARGET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbCdEf';
  const SALT = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf';
  const all = parseHooksConfig(readJson('hooks.config.example.json'), SOURCES);
  const check = (config: HooksConfig, settings: HookSettings) => () =>
    checkHookSettings(config, settings, CUSTOM_HOOKS);

  it('accepts the example when both secrets are set', () => {
    expect(check(all, { targetDatabaseSecretArn: TARGET, maskingSaltSecretArn: SALT })).not.toThrow();
  });

  it('names every hook that needs the target, and the variable', () => {
    expect(check(all, { targetDatabaseSecretArn: undefined, maskingSaltSecretArn: SALT })).toThrow(
      'hook(s) mask-pii (mask), clear-audit-trail (sql), anonymise-ticket-notes (module) need the target database, but TARGET_DATABASE_SECRET_ARN is not set',
    );
  });

  it('names the mask hooks when the salt is missing', () => {
    expect(check(all, { targetDatabaseSecretArn: TARGET, maskingSaltSecretArn: undefined })).toThrow(
      'hook(s) mask-pii (mask) need the masking salt, but MASKING_SALT_SECRET_ARN is not set',
    );
  });

  it('asks of the shipped hooks.config.json only the secrets its hooks need', () => {
    const shipped = parseHooksConfig(readJson('hooks.config.json'), SOURCES);
    const refused = (settings: HookSettings) => {
      try {
        check(shipped, settings)();
        return false;
      } catch (error) {
        if (error instanceof ConfigurationError) return true;
        throw error;
      }
    };
    expect(refused({ targetDatabaseSecretArn: TARGET, maskingSaltSecretArn: SALT })).toBe(false);
    expect(refused({ targetDatabaseSecretArn: undefined, maskingSaltSecretArn: SALT })).toBe(
      shipped.hooks.some((hook) => needsTarget(hook, CUSTOM_HOOKS)),
    );
    expect(refused({ targetDatabaseSecretArn: TARGET, maskingSaltSecretArn: undefined })).toBe(
      shipped.hooks.some((hook) => hook.kind === 'mask'),
    );
  });
});
