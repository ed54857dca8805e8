// The `module` kind resolves a custom hook by its registered name; an unknown name is refused when the hooks
// are built (cold start). The registry hooks/custom/index.ts is the team's own: whatever it registers, every
// entry must have the shape a custom hook needs and build into a hook.
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

  it.each(['nope', 'constructor', 'toString', '__proto__'])('refuses the unregistered name %j', (name) => {
    const registry: CustomHookRegistry = {
      'smoke-check': { needsTarget: false, run: async () => undefined },
    };
    expect(() => moduleHook(registry, { name: 'x', module: name })).toThrow(ConfigurationError);
    expect(() => moduleHook(registry, { name: 'x', module: name })).toThrow(
      `no custom hook module is registered as "${name}"`,
    );
  });
});

describe('the registered custom hooks (hooks/custom/index.ts)', () => {
  const registered = Object.entries(CUSTOM_HOOKS);

  it('is a plain object of its own entries', () => {
    expect(Object.getPrototypeOf(CUSTOM_HOOKS)).toBe(Object.prototype);
    expect(Object.keys(CUSTOM_HOOKS)).toEqual(Reflect.ownKeys(CUSTOM_HOOKS));
  });

  it('registers only entries with the shape of a custom hook, each of which builds into a hook', () => {
    for (const [name, custom] of registered) {
      expect(name, 'a registered name').not.toBe('');
      expect(typeof custom.needsTarget, `${name}: needsTarget`).toBe('boolean');
      expect(typeof custom.run, `${name}: run`).toBe('function');
      const hook = moduleHook(CUSTOM_HOOKS, { name: 'registered', module: name });
      expect(hook.name).toBe('registered');
      expect(typeof hook.run, `${name}: the built hook's run`).toBe('function');
    }
  });
});
