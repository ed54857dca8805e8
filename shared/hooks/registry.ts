// From configuration to hooks. `buildHooks` turns the validated entries of a hooks configuration into the hooks
// the runner runs, one built-in kind each. It runs at cold start, so a hook that cannot be built fails the
// deployment's first invocation, not a run.
import { ConfigurationError } from '../errors.ts';
import type { HookEntry, HookSources, HooksConfig } from './config-file.ts';
import type { Hook } from './contract.ts';
import type { LambdaHookOptions } from './kinds/lambda.ts';
import { type MaskEngine, maskHook } from './kinds/mask.ts';
import { moduleHook } from './kinds/module.ts';
import { sqlHook } from './kinds/sql.ts';
import { logRunHook } from './log-run.ts';

export interface HookBuildDeps extends HookSources {
  /**
   * Builds a `lambda` hook (`lambdaHook(client, options)` of kinds/lambda.ts); called only when one is
   * configured, so others never pay for its client. The post-processor's loads the kind on first run.
   */
  readonly lambda: (options: LambdaHookOptions) => Hook;
  readonly maskingSaltSecretArn: string | undefined;
  /** Loads masking and discovery on a mask hook's first run (shared/masking/load-engine.ts from source). */
  readonly maskEngine: () => Promise<MaskEngine>;
}

function buildHook(entry: HookEntry, deps: HookBuildDeps): Hook {
  const common = {
    name: entry.name,
    onFailure: entry.onFailure,
    ...(entry.timeoutSeconds !== undefined && { timeoutSeconds: entry.timeoutSeconds }),
  };
  switch (entry.kind) {
    case 'mask': {
      if (deps.maskingSaltSecretArn === undefined) {
        throw new ConfigurationError(
          `Invalid configuration: hook ${entry.name} (mask) needs MASKING_SALT_SECRET_ARN, which is not set`,
        );
      }
      return maskHook({
        ...common,
        engine: deps.maskEngine,
        tables: entry.tables,
        saltSecretArn: deps.maskingSaltSecretArn,
        drift: {
          ...(entry.uncovered && { uncovered: entry.uncovered }),
          ...(entry.allow && { allow: entry.allow }),
          ...entry.discovery,
        },
      });
    }
    case 'sql': {
      const script = deps.sqlScripts[entry.file];
      if (script === undefined) {
        throw new ConfigurationError(
          `Invalid configuration: hook ${entry.name}: ${entry.file} is not bundled`,
        );
      }
      return sqlHook({ ...common, file: entry.file, script });
    }
    case 'lambda':
      return deps.lambda({ ...common, functionArn: entry.functionArn });
    case 'module':
      return moduleHook(deps.modules, { ...common, module: entry.module });
    case 'log-run':
      return { ...logRunHook(), ...common };
  }
}

/**
 * The configured hooks, in the file's order. A `rerunnable` the file sets wins over the kind's own default
 * (mask hooks are rerunnable unless the file says otherwise; the other kinds are not); `always` is the file's.
 */
export function buildHooks(config: HooksConfig, deps: HookBuildDeps): Hook[] {
  return config.hooks.map((entry) => {
    const hook = buildHook(entry, deps);
    return {
      ...hook,
      ...(entry.rerunnable !== undefined && { rerunnable: entry.rerunnable }),
      ...(entry.always !== undefined && { always: entry.always }),
    };
  });
}
