// The named hooks configurations: every hooks/configs/<name>.json is bundled (hooks/configs/bundle.mjs →
// configs.generated.ts), and the stack's HOOKS_CONFIG picks one at cold start. These tests hold whatever the
// folder holds: they never name a shipped configuration other than the default, nor count them.
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '#shared/errors';
import {
  DEFAULT_HOOKS_CONFIG,
  HOOKS_CONFIG_NAME,
  hooksConfigFile,
  hooksConfigName,
  parseBundledHooksConfig,
} from '#shared/hooks/configs';
// @ts-expect-error: the bundler script is plain JavaScript without type declarations.
import { CONFIG_NAME, renderConfigsModule } from '../../../hooks/configs/bundle.mjs';
import { HOOKS_CONFIGS } from '../../../hooks/configs/configs.generated.ts';
import { BUNDLED_HOOKS_CONFIGS, readRepoText, SHIPPED_SOURCES } from '../../support/shipped-hooks.ts';

const SOURCES = { sqlScripts: {}, modules: {} };
const BUNDLED = {
  'prod-to-staging': JSON.stringify({ version: 1, hooks: [{ name: 'log-run', kind: 'log-run' }] }),
  'prod-to-dev': JSON.stringify({ version: 1, hooks: [] }),
};

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('the bundled configurations', () => {
  it('the bundled module is up to date with hooks/configs/*.json (run npm run hooks:configs)', () => {
    expect(readRepoText('hooks/configs/configs.generated.ts')).toBe(renderConfigsModule());
  });

  it('include the default one, which a stack runs unless HooksConfig names another', () => {
    expect(BUNDLED_HOOKS_CONFIGS).toContain(DEFAULT_HOOKS_CONFIG);
  });

  it('the bundler and the post-processor agree on what a name is', () => {
    expect(String(CONFIG_NAME)).toBe(String(HOOKS_CONFIG_NAME));
  });

  it.each(BUNDLED_HOOKS_CONFIGS)('%s is bundled as the text of its file, under a valid name', (name) => {
    expect(name).toMatch(HOOKS_CONFIG_NAME);
    expect(HOOKS_CONFIGS[name]).toBe(readRepoText(hooksConfigFile(name)));
    expect(parseBundledHooksConfig(HOOKS_CONFIGS, name, SHIPPED_SOURCES).version).toBe(1);
  });
});

describe('hooksConfigName', () => {
  it('is the default one when HOOKS_CONFIG is unset or empty', () => {
    expect(hooksConfigName({})).toBe('default');
    expect(hooksConfigName({ HOOKS_CONFIG: '' })).toBe('default');
  });

  it.each(['prod-to-dev', 'default', 'v2'])('takes %j', (name) => {
    expect(hooksConfigName({ HOOKS_CONFIG: name })).toBe(name);
  });

  it.each([
    'Prod',
    '../default',
    'prod_to_dev',
    'a.json',
    'x'.repeat(65),
  ])('refuses %j, naming the variable', (name) => {
    expect(refusal(() => hooksConfigName({ HOOKS_CONFIG: name }))).toMatch(/^HOOKS_CONFIG must be the name/);
  });
});

describe('parseBundledHooksConfig', () => {
  it('parses the chosen configuration', () => {
    expect(
      parseBundledHooksConfig(BUNDLED, 'prod-to-staging', SOURCES).hooks.map((hook) => hook.name),
    ).toEqual(['log-run']);
    expect(parseBundledHooksConfig(BUNDLED, 'prod-to-dev', SOURCES).hooks).toEqual([]);
  });

  it('refuses an unknown name, listing the bundled ones', () => {
    expect(refusal(() => parseBundledHooksConfig(BUNDLED, 'prod-to-qa', SOURCES))).toBe(
      'HOOKS_CONFIG "prod-to-qa" is not a bundled hooks configuration (bundled: prod-to-dev, prod-to-staging; add hooks/configs/prod-to-qa.json and run npm run hooks:configs)',
    );
    expect(refusal(() => parseBundledHooksConfig({}, 'default', SOURCES))).toContain('(bundled: none;');
  });

  it.each(['constructor', 'toString', '__proto__'])('refuses the inherited name %j', (name) => {
    expect(refusal(() => parseBundledHooksConfig(BUNDLED, name, SOURCES))).toContain('is not a bundled');
  });

  it('names the file of a broken configuration', () => {
    expect(
      refusal(() =>
        parseBundledHooksConfig(
          { broken: '{"version": 1, "hooks": [{"kind": "log-run"}]}' },
          'broken',
          SOURCES,
        ),
      ),
    ).toBe('Invalid hooks/configs/broken.json: hooks[0]: name is missing');
    expect(refusal(() => parseBundledHooksConfig({ broken: '{' }, 'broken', SOURCES))).toMatch(
      /^Invalid hooks\/configs\/broken\.json: not JSON/,
    );
  });
});
