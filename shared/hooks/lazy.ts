// A hook whose implementation is loaded on its first run: the post-processor's hook kinds that need an SDK
// client of their own (lambda) live in bundles of their own (functions/post-processor/lazy/), so the code is
// parsed when a run first reaches the hook, not at every cold start. What the runner reads before running
// (name, failure policy, budget) is known at cold start and given here.
import type { Hook } from './contract.ts';

export type HookShape = Pick<Hook, 'name' | 'onFailure' | 'timeoutSeconds' | 'rerunnable' | 'always'>;

export function lazyHook(shape: HookShape, load: () => Promise<Hook>): Hook {
  let loaded: Promise<Hook> | undefined;
  return {
    name: shape.name,
    ...(shape.onFailure && { onFailure: shape.onFailure }),
    ...(shape.timeoutSeconds !== undefined && { timeoutSeconds: shape.timeoutSeconds }),
    ...(shape.rerunnable !== undefined && { rerunnable: shape.rerunnable }),
    ...(shape.always !== undefined && { always: shape.always }),
    async run(context) {
      // A failed load is not kept: the next run tries again.
      loaded ??= load().catch((error: unknown) => {
        loaded = undefined;
        throw error;
      });
      return (await loaded).run(context);
    },
  };
}
