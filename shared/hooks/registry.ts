// Hooks are configured by name (the HOOKS setting); the registry maps each name to the code that builds it.
// Resolving happens at cold start, so a misspelt hook fails the deployment's first invocation, not a run.
import { ConfigurationError } from '../errors.ts';
import type { Hook } from './contract.ts';
import { logRunHook } from './log-run.ts';

export type HookFactory = () => Hook;

/** The hooks every deployment has. Teams add theirs by registering a factory under a new name. */
export const BUILT_IN_HOOKS: Readonly<Record<string, HookFactory>> = {
  'log-run': logRunHook,
};

export function resolveHooks(
  names: readonly string[],
  registry: Readonly<Record<string, HookFactory>> = BUILT_IN_HOOKS,
): Hook[] {
  const unknown = names.filter((name) => !Object.hasOwn(registry, name));
  if (unknown.length > 0) {
    const known = Object.keys(registry).sort().join(', ');
    throw new ConfigurationError(
      `Invalid configuration: HOOKS names unknown hook(s) ${unknown.join(', ')} (known: ${known})`,
    );
  }
  return names.map((name) => {
    const factory = registry[name] as HookFactory;
    return factory();
  });
}
