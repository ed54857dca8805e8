// The `module` hook kind: a team's TypeScript hook, compiled into the post-processor and registered by name
// in hooks/custom/index.ts. The registry says whether a hook needs the target database, so a deployment
// without TARGET_DATABASE_SECRET_ARN is refused at cold start instead of failing tonight's run.
import { ConfigurationError } from '../../errors.ts';
import type { Hook, HookContext, HookResult } from '../contract.ts';

export interface CustomHook {
  /** True if the hook calls `context.target()`; the cold start then requires TARGET_DATABASE_SECRET_ARN. */
  readonly needsTarget: boolean;
  run(context: HookContext): Promise<HookResult | undefined>;
}

/** Registered name → hook. Names are what `"module"` entries of a hooks configuration (hooks/configs/<name>.json) refer to. */
export type CustomHookRegistry = Readonly<Record<string, CustomHook>>;

export interface ModuleHookOptions {
  readonly name: string;
  readonly module: string;
  readonly onFailure?: Hook['onFailure'];
  readonly timeoutSeconds?: number;
}

export function moduleHook(registry: CustomHookRegistry, options: ModuleHookOptions): Hook {
  if (!Object.hasOwn(registry, options.module)) {
    throw new ConfigurationError(`no custom hook module is registered as "${options.module}"`);
  }
  const custom = registry[options.module] as CustomHook;
  return {
    name: options.name,
    ...(options.onFailure && { onFailure: options.onFailure }),
    ...(options.timeoutSeconds !== undefined && { timeoutSeconds: options.timeoutSeconds }),
    run: (context) => custom.run(context),
  };
}
