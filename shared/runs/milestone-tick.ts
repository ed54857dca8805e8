// Why this file exists: the milestone tick (a full-load-and-cdc stack's `${NamePrefix}-milestone-tick` rule,
// every few minutes) must find a run's full load finished soon after it happens, yet cost next to nothing the
// rest of the time, since the rule is always on. So it reads the task's record, once, and advances the run only
// when the run awaits its milestone or still owes something of it (milestone.ts: milestoneTickOwes). Anything
// else (a run's end, alerts, the rule, run health) stays the notices' and the hourly reconcile tick's.
import type { PostProcessorConfig } from '../config.ts';
import { advanceRun, type RunDeps } from './advance.ts';
import { milestoneTickOwes } from './milestone.ts';
import type { NoticeResult } from './reconcile.ts';
import { activeRun } from './run.ts';
import { primedWith } from './store.ts';

export async function handleMilestoneTick(deps: RunDeps, config: PostProcessorConfig): Promise<NoticeResult> {
  const stored = await deps.store.load(config.task.arn);
  const run = activeRun(stored.record);
  if (run === undefined) return { action: 'ignored', reason: 'milestone tick: no run is active' };
  if (!milestoneTickOwes(config, run)) {
    return { action: 'ignored', reason: `milestone tick: run ${run.id} (${run.phase}) awaits no milestone` };
  }
  // The record just read is where the run's next step starts: no second read of it.
  const advanced = await advanceRun({ ...deps, store: primedWith(deps.store, stored) }, config);
  return { action: 'advanced', adopted: false, run: advanced };
}
