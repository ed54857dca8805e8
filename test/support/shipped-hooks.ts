// What the repository ships for hooks, read generically: a team edits or adds configurations in
// hooks/configs/ (default.json, example.json, prod-to-dev.json …), adds scripts to hooks/sql/ and modules to
// hooks/custom/; tests that look at those files must hold for whatever they contain, and however many. This derives what a deployment of a hooks file needs (the secrets its hooks use,
// the functions its lambda hooks invoke) from the file itself, so no test names a shipped hook or module.
import { readFileSync } from 'node:fs';
import {
  type HookSettings,
  type HookSources,
  type HooksConfig,
  needsTarget,
  parseHooksConfig,
} from '#shared/hooks/config-file';
import { DEFAULT_HOOKS_CONFIG, hooksConfigFile } from '#shared/hooks/configs';
import type { CustomHookRegistry } from '#shared/hooks/kinds/module';
import { HOOKS_CONFIGS } from '../../hooks/configs/configs.generated.ts';
import { CUSTOM_HOOKS } from '../../hooks/custom/index.ts';
import { SQL_SCRIPTS } from '../../hooks/sql/scripts.generated.ts';

/** The bundled SQL scripts and the registered custom modules, as the post-processor gets them. */
export const SHIPPED_SOURCES: HookSources = { sqlScripts: SQL_SCRIPTS, modules: CUSTOM_HOOKS };

/** A file of the repository, by its path from the root, read as JSON. */
export function readRepoJson(path: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'));
}

/** A file of the repository, by its path from the root, read as text. */
export function readRepoText(path: string): string {
  return readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
}

/** Parses a hooks file of the repository against the shipped sources (or others, e.g. the local run's). */
export function parseRepoHooksFile(path: string, sources: HookSources = SHIPPED_SOURCES): HooksConfig {
  return parseHooksConfig(readRepoJson(path), sources);
}

export const PLACEHOLDER_TARGET_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:target-database-AbCdEf';
export const PLACEHOLDER_SALT_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:masking-salt-AbCdEf';

/** What deploying a hooks file takes beyond the file, derived from its entries. */
export interface DeploymentNeeds {
  /** The settings checkHookSettings is given: a placeholder secret ARN where some hook needs it, else unset. */
  readonly settings: HookSettings;
  /** The same, as the post-processor's environment variables (only those that are set). */
  readonly env: Readonly<Record<string, string>>;
  /** The HookFunctionArns stack parameter: every function a lambda hook invokes. */
  readonly hookFunctionArns: readonly string[];
}

export function deploymentNeeds(config: HooksConfig, modules: CustomHookRegistry): DeploymentNeeds {
  const target = config.hooks.some((hook) => needsTarget(hook, modules));
  const salt = config.hooks.some((hook) => hook.kind === 'mask');
  return {
    settings: {
      targetDatabaseSecretArn: target ? PLACEHOLDER_TARGET_SECRET_ARN : undefined,
      maskingSaltSecretArn: salt ? PLACEHOLDER_SALT_SECRET_ARN : undefined,
    },
    env: {
      ...(target && { TARGET_DATABASE_SECRET_ARN: PLACEHOLDER_TARGET_SECRET_ARN }),
      ...(salt && { MASKING_SALT_SECRET_ARN: PLACEHOLDER_SALT_SECRET_ARN }),
    },
    hookFunctionArns: [
      ...new Set(config.hooks.flatMap((hook) => (hook.kind === 'lambda' ? [hook.functionArn] : []))),
    ],
  };
}

/** The names of the bundled configurations (hooks/configs/<name>.json), whatever the folder holds. */
export const BUNDLED_HOOKS_CONFIGS: readonly string[] = Object.keys(HOOKS_CONFIGS).sort();

/** The repository path of the bundled configuration `name`, e.g. hooks/configs/default.json. */
export const bundledHooksConfigPath = (name: string): string => hooksConfigFile(name);

/** Parses the bundled configuration `name` from its file, against the shipped sources. */
export function parseBundledConfigFile(name: string): HooksConfig {
  const path = bundledHooksConfigPath(name);
  return parseHooksConfig(readRepoJson(path), SHIPPED_SOURCES, path);
}

/**
 * The post-processor's environment for the bundled configuration `name` (the default one unless named): the
 * secrets its hooks need, and HOOKS_CONFIG when another than the default is chosen.
 */
export function shippedHooksEnv(name: string = DEFAULT_HOOKS_CONFIG): Readonly<Record<string, string>> {
  return {
    ...deploymentNeeds(parseBundledConfigFile(name), CUSTOM_HOOKS).env,
    ...(name !== DEFAULT_HOOKS_CONFIG && { HOOKS_CONFIG: name }),
  };
}
