// The post-processor's side of a run: a notice (SNS or EventBridge) or the reconcile tick wakes it, and it
// does whatever the task's run still owes, from the run's record and what DMS shows, never from the notice's
// text. With no run active, a finished task is adopted as a run only if it ended after everything the record
// has accounted for (`seen`) and within the window, on every channel alike: an old notice, or an old task
// state whose record is long gone, can never make an old run look new. The tick also reports what no alert
// may be able to say: a run stuck for hours, a schedule off with no run holding it.
import type { PostProcessorConfig } from '../config.ts';
import { classifyOutcome, isTerminal } from '../dms/outcome.ts';
import type { TaskSnapshot } from '../dms/task.ts';
import { describeError } from '../errors.ts';
import { concernsTask, type TaskNotice } from '../notices/notice.ts';
import { type AdvanceResult, advanceRun, type RunDeps } from './advance.ts';
import { activeSince } from './milestone.ts';
import { handleMilestoneTick } from './milestone-tick.ts';
import { activeRun, fingerprintOf, newRunId, type Run, type TaskRecord } from './run.ts';
import { ChangeRefused, primedWith, UNCHANGED, updateRecord } from './store.ts';

/** A finished task is adopted as a new run only if it ended this recently, whichever channel brought word. */
export const RECONCILE_WINDOW_MS = 3 * 24 * 3600 * 1000;

export type NoticeResult =
  | { readonly action: 'ignored'; readonly reason: string }
  | { readonly action: 'advanced'; readonly adopted: boolean; readonly run: AdvanceResult };

export async function handleNotice(
  deps: RunDeps,
  config: PostProcessorConfig,
  notice: TaskNotice,
): Promise<NoticeResult> {
  if (!config.members.some((member) => concernsTask(notice, member))) {
    return { action: 'ignored', reason: `names another task (${notice.taskIdentifier ?? notice.taskArn})` };
  }
  // Milestone (full-load-and-cdc): its own tick, a near no-op unless a run awaits its milestone.
  if (notice.channel === 'milestone-tick') return handleMilestoneTick(deps, config);
  let result: NoticeResult | undefined;
  let failure: unknown;
  try {
    result = await settle(deps, config);
  } catch (error) {
    failure = error;
  }
  if (notice.channel === 'reconcile') {
    try {
      await reportHealth(deps, config);
    } catch (error) {
      // The first failure is the one the invocation reports; this one is still on record.
      if (failure === undefined) failure = error;
      else deps.log.error('run health could not be reported either', { error: describeError(error) });
    }
  }
  if (failure !== undefined || result === undefined) throw failure;
  return result;
}

async function settle(deps: RunDeps, config: PostProcessorConfig): Promise<NoticeResult> {
  const stored = await deps.store.load(config.task.arn);
  if (activeRun(stored.record)) {
    // The record just read is where the run's next step starts: no second read of it.
    return {
      action: 'advanced',
      adopted: false,
      run: await advanceRun({ ...deps, store: primedWith(deps.store, stored) }, config),
    };
  }
  if (config.group !== undefined) {
    // A group's tasks are one run's or none: a member someone started by hand is that person's to watch.
    return {
      action: 'ignored',
      reason: 'no run of the group is active; a task of it started outside the scheduler is not adopted',
    };
  }
  const task = await deps.tasks.describe(config.task.arn);
  const adoption = await adoptFinishedTask(deps, config, stored.record, task);
  if (adoption !== 'adopted') return { action: 'ignored', reason: adoption };
  return { action: 'advanced', adopted: true, run: await advanceRun(deps, config, task) };
}

/** Returns 'adopted', or why the task's state is not a run to settle. */
async function adoptFinishedTask(
  deps: RunDeps,
  config: PostProcessorConfig,
  record: TaskRecord | undefined,
  task: TaskSnapshot,
): Promise<'adopted' | string> {
  const outcome = classifyOutcome(task);
  if (!isTerminal(outcome.kind)) return `no run is active and the task is ${task.status}: nothing to settle`;
  const fingerprint = fingerprintOf(task);
  const seen = record?.seen ?? 0;
  if (fingerprint <= seen) return "the task's last run was settled already";
  const ended = task.stats?.stopDate?.getTime() ?? fingerprint;
  const now = deps.clock();
  if (ended < now.getTime() - RECONCILE_WINDOW_MS) {
    return "the task's last run ended before the reconcile window; it is not settled now";
  }
  const run: Run = {
    id: newRunId(now),
    trigger: 'adopted',
    phase: 'started',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    // Everything after what the record accounted for belongs to this run.
    before: seen,
    ruleOwned: false,
    outbox: [],
  };
  try {
    await updateRecord(deps.store, config.task.arn, (current) => {
      if (current?.run?.id === run.id) throw new ChangeRefused('adopted already');
      if (activeRun(current)) throw new ChangeRefused('a run became active');
      if (fingerprint <= (current?.seen ?? 0)) throw new ChangeRefused('settled meanwhile');
      return { ...current, seen: current?.seen ?? 0, run };
    });
  } catch (error) {
    // Another invocation adopted or started a run meanwhile: advancing it is still right.
    if (!(error instanceof ChangeRefused)) throw error;
  }
  deps.log.info('a finished run nobody settled was adopted', { runId: run.id, status: task.status });
  return 'adopted';
}

/** What the alarms watch when no alert may get through: emitted by every tick, 0 when all is well. */
async function reportHealth(deps: RunDeps, config: PostProcessorConfig): Promise<void> {
  {
    const { record } = await deps.store.load(config.task.arn);
    const run = activeRun(record);
    // A run past its milestone is timed from it, or from its end (milestone.ts), not from its start.
    const age = run ? deps.clock().getTime() - activeSince(run) : 0;
    // A change-capture task runs on for as long as it is wanted: its run waiting on it is not stuck.
    const capturing = run?.phase === 'started' && config.mode.migrationType !== 'full-load';
    const stuck = run !== undefined && !capturing && age > config.staleRunMs;
    deps.metrics.add('StuckRuns', stuck ? 1 : 0);
    if (stuck)
      deps.log.error('a run is stuck', { runId: run?.id, phase: run?.phase, lastError: run?.lastError });
    if (deps.rule) {
      const state = await deps.rule.state();
      if (state === 'ENABLED' && run === undefined && record?.holdOff !== undefined) {
        // A person enabled the rule by hand: the hold-off is over, and no run may later take it for one.
        await clearHoldOff(deps, config, record.holdOff.runId);
      }
      const off = state === 'DISABLED' && run === undefined && record?.holdOff === undefined;
      deps.metrics.add('ScheduleOffWithoutRun', off ? 1 : 0);
      if (off)
        deps.log.warn('the schedule rule is disabled, and no run or failure policy explains it', {
          rule: deps.rule.name,
        });
    }
  }
}

async function clearHoldOff(deps: RunDeps, config: PostProcessorConfig, runId: string): Promise<void> {
  await updateRecord(deps.store, config.task.arn, (current) => {
    if (current?.holdOff?.runId !== runId || activeRun(current)) return UNCHANGED;
    const { holdOff: _over, ...rest } = current;
    return rest;
  });
}
