// The named hooks configurations: hooks/configs/<name>.json, all bundled into the post-processor (by
// hooks/configs/bundle.mjs, as hooks/configs/configs.generated.ts). One stack runs one of them, the one its
// HOOKS_CONFIG names (stack parameter HooksConfig, default `default`); it is parsed and checked at cold start,
// and every bundled one is validated by the tests, so a broken configuration fails CI whichever stack uses it.
import { ConfigurationError } from '../errors.ts';
import { type HookSources, type HooksConfig, parseHooksConfig } from './config-file.ts';

/** A configuration's name: its file name without .json (template.yaml's HooksConfig AllowedPattern). */
export const HOOKS_CONFIG_NAME = /^[a-z0-9-]{1,64}$/;
export const DEFAULT_HOOKS_CONFIG = 'default';

/** Configuration name → the text of hooks/configs/<name>.json. */
export type BundledHooksConfigs = Readonly<Record<string, string>>;

/** The file a configuration comes from, as messages name it. */
export const hooksConfigFile = (name: string): string => `hooks/configs/${name}.json`;

/** The configuration HOOKS_CONFIG names; `default` when it is unset or empty. */
export function hooksConfigName(env: Readonly<Record<string, string | undefined>>): string {
  const name = env.HOOKS_CONFIG?.trim() || DEFAULT_HOOKS_CONFIG;
  if (!HOOKS_CONFIG_NAME.test(name)) {
    throw new ConfigurationError(
      `HOOKS_CONFIG must be the name of a hooks configuration (1 to 64 lowercase letters, digits and hyphens), got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** Parses the bundled configuration `name`. Throws ConfigurationError on an unknown name or a broken file. */
export function parseBundledHooksConfig(
  bundled: BundledHooksConfigs,
  name: string,
  sources: HookSources,
): HooksConfig {
  const file = hooksConfigFile(name);
  if (!Object.hasOwn(bundled, name)) {
    const known = Object.keys(bundled).sort().join(', ') || 'none';
    throw new ConfigurationError(
      `HOOKS_CONFIG ${JSON.stringify(name)} is not a bundled hooks configuration (bundled: ${known}; add ${file} and run npm run hooks:configs)`,
    );
  }
  let input: unknown;
  try {
    input = JSON.parse(bundled[name] as string);
  } catch (error) {
    throw new ConfigurationError(`Invalid ${file}: not JSON (${(error as Error).message})`);
  }
  return parseHooksConfig(input, sources, file);
}
