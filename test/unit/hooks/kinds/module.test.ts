// The `module` kind resolves a custom hook by its registered name; an unknown name is refused when the hooks
// are built (cold start), and the registered example is one the config file may use.
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '#shared/errors';
import type { HookContext } from '#shared/hooks/contract';
import { type CustomHookRegistry, moduleHook } from '#shared/hooks/kinds/module';
import { CUSTOM_HOOKS } from '../../../../hooks/custom/index.ts';
import { hookContext } from '../../../support/hooks.ts';

describe('moduleHook', () => {
  it('runs the registered hook under the configured name and settings', async () => {
    const seen: HookContext[] = [];
    const registry: CustomHookRegistry = {
      'smoke-check': {
        needsTarget: false,
        run: async (context) => {
          seen.push(context);
          return { changed: 'nothing; 3 checks passed' };
        },
      },
    };
    const hook = moduleHook(registry, {
      name: 'smoke',
      module: 'smoke-check',
      onFailure: 'continue',
      timeoutSeconds: 30,
    });
    const context = hookContext();

    expect(hook).toMatchObject({ name: 'smoke', onFailure: 'continue', timeoutSeconds: 30 });
    expect(await hook.run(context)).toEqual({ changed: 'nothing; 3 checks passed' });
    expect(seen).toEqual([context]);
  });

  it.each(['nope', 'constructor', 'toString'])('refuses the unregistered name %j', (name) => {
    expect(() => moduleHook(CUSTOM_HOOKS, { name: 'x', module: name })).toThrow(ConfigurationError);
    expect(() => moduleHook(CUSTOM_HOOKS, { name: 'x', module: name })).toThrow(
      `no custom hook module is registered as "${name}"`,
    );
  });

  it('registers the worked example, which needs the target database', () => {
    expect(CUSTOM_HOOKS['anonymise-ticket-notes']?.needsTarget).toBe(true);
  });
});
