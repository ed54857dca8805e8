// Why this file exists: a full-load-and-cdc task never stops by itself, and DMS sends no event when its full
// load ends, so without this the post-load hooks (indexes, constraints, smoke checks) and the "ready for
// cut-over" notice would wait for a stop that only comes at cut-over. Here, pure, is what the run does about
// that: when the full load of *this* run shows as finished (detection), the one write that records the
// milestone and moves the run into its hooks, the write that brings it back to `started` once they are done
// (with the cut-over notice or the hooks' alert in its outbox), and how the run's end reads after it. The
// steps in advance.ts call these at a few marked places; the hooks machinery itself is unchanged.
//
// What the detection rests on, and how sure it is:
// - [C] ReplicationTaskStats (DMS API reference, API_ReplicationTaskStats; the SDK models agree) has
//   FullLoadFinishDate "The date the replication task full load was completed", FullLoadStartDate "The date
//   the replication task full load was started", FullLoadProgressPercent "The percent complete for the full
//   load migration task", TablesLoading "currently loading" and TablesQueued "queued". Every field is
//   optional in the model.
// - [O] A full-load-and-cdc task keeps `running` after its full load and emits no event for it (dms-facts §2);
//   polling these statistics is how others detect it.
// - [U] That FullLoadFinishDate is set, while the task keeps running, as soon as the last table is loaded: not
//   documented. Hence the second rule: 100 % with this run's FullLoadStartDate and nothing loading or queued.
//   Absent table counts are read as 0 (the Rust SDK models them as plain integers, defaulting to 0).
// - [U] That a resume-processing keeps the earlier FullLoadFinishDate (it loads nothing): not documented.
//   Both rules demand a date later than the run's `before` fingerprint (the latest date DMS showed before
//   this run started, FullLoadFinishDate included), so a date from an earlier run can never fire the
//   milestone, whatever DMS does with it. Being wrong only makes the milestone late or absent: the task's
//   stop still ends the run as it would without a milestone.
import type { Alerts } from '../alerts/alerts.ts';
import type { BaseConfig } from '../config.ts';
import type { TaskSnapshot } from '../dms/task.ts';
import type { HookPlanEntry } from '../hooks/contract.ts';
import { cutoverNotice, milestoneHooksAlert } from './cutover-notice.ts';
import {
  type HookProgress,
  isSettled,
  type OutboxEntry,
  queueOnce,
  type Run,
  type RunOutcome,
  serializeStats,
} from './run.ts';

export type MilestoneCheck = { readonly reached: boolean; readonly reason: string };

/** Whether DMS shows that this run's full load finished while the task goes on replicating. */
export function fullLoadMilestone(task: TaskSnapshot, run: Pick<Run, 'before'>): MilestoneCheck {
  if (task.status !== 'running') return no(`the task is ${task.status}`);
  const stats = task.stats;
  if (stats === undefined) return no('DMS reports no statistics for the task yet');
  if ((stats.tablesErrored ?? 0) > 0) {
    // As for a full load (outcome.ts): post-load hooks never run on a load with tables in error. The run
    // waits for the task's end, which reports it.
    return no(`${stats.tablesErrored} table(s) are in error`);
  }
  const finished = stats.fullLoadFinishDate?.getTime();
  if (finished !== undefined && finished > run.before) {
    return yes(`DMS shows the full load finished at ${stats.fullLoadFinishDate?.toISOString()}`);
  }
  const started = stats.fullLoadStartDate?.getTime();
  const busy = (stats.tablesLoading ?? 0) + (stats.tablesQueued ?? 0);
  if (stats.fullLoadProgressPercent === 100 && started !== undefined && started > run.before && busy === 0) {
    return yes('DMS shows this run’s full load at 100 % with no table loading or queued');
  }
  if (finished !== undefined) {
    return no('the full load DMS shows finished before this run started (a resume loads nothing)');
  }
  return no(`the full load is at ${stats.fullLoadProgressPercent ?? 'an unknown'} %`);
}

const yes = (reason: string): MilestoneCheck => ({ reached: true, reason });
const no = (reason: string): MilestoneCheck => ({ reached: false, reason });

/** A started full-load-and-cdc run whose full load has not been seen finished yet. */
export function awaitsMilestone(config: Pick<BaseConfig, 'mode'>, run: Run): boolean {
  return config.mode.migrationType === 'full-load-and-cdc' && run.phase === 'started' && !run.milestone;
}

/** The run is in the hooks of its milestone (not those of a finished run: it has no outcome yet). */
export function inMilestoneHooks(run: Run): boolean {
  return run.phase === 'hooks' && run.milestone !== undefined && run.outcome === undefined;
}

/**
 * What the milestone tick has to do for this run: see whether its full load finished, finish its milestone
 * hooks (an invocation may have died in one), or send the notice they queued. Anything else is left to the
 * notices and the hourly tick, so a tick with nothing to do costs one read of the record.
 */
export function milestoneTickOwes(config: Pick<BaseConfig, 'mode'>, run: Run): boolean {
  if (config.mode.migrationType !== 'full-load-and-cdc') return false;
  if ((run.phase === 'starting' || run.phase === 'started') && !run.milestone) return true;
  if (inMilestoneHooks(run)) return true;
  return run.phase === 'started' && run.outbox.some((entry) => !isSettled(entry));
}

/**
 * The one write at the milestone: the milestone recorded, and the run in its hooks, each pending, exactly as
 * a finished run enters them (an empty plan concludes at once).
 */
export function reachMilestone(run: Run, task: TaskSnapshot, now: Date, plan: readonly HookPlanEntry[]): Run {
  return {
    ...run,
    phase: 'hooks',
    milestone: { reachedAt: now.toISOString(), stats: serializeStats(task.stats) ?? {} },
    hooks: plan.map(
      (entry): HookProgress => ({
        name: entry.name,
        status: 'pending',
        rerunnable: entry.rerunnable,
        ...(entry.always && { always: true }),
        attempts: 0,
      }),
    ),
  };
}

/**
 * The milestone's hooks are done: the task still replicates, so the run goes back to `started`, owing the
 * cut-over notice when every hook succeeded, or the hook-failed / hooks-interrupted alert otherwise, queued in
 * this same write. No rule decision: full-load-and-cdc is one-time only, and the run's end makes its own.
 */
export function concludeMilestoneHooks(config: BaseConfig, run: Run, now: Date): Run {
  const hooks = run.hooks ?? [];
  const interrupted = hooks.some((hook) => hook.status === 'interrupted');
  const failed = hooks.some((hook) => hook.status === 'failed');
  const back: Run = { ...run, phase: 'started' };
  if (interrupted || failed) {
    const kind = interrupted ? 'hooks-interrupted' : 'hook-failed';
    return queueOnce(back, milestoneHooksAlert(config, back, kind), 'alert');
  }
  return queueOnce(back, cutoverNotice(config, back, now), 'cutover');
}

/**
 * How the run's end reads after its milestone: DMS says NORMAL for a stop by hand, and a stop by hand after
 * the full load finished is the end of change capture at cut-over, which is what this run was for. Every
 * other outcome (a failure after the milestone included) is as DMS's state makes it.
 */
export function afterMilestoneOutcome(outcome: RunOutcome, run: Run): RunOutcome {
  const milestone = run.milestone;
  const normal = /^\s*Stop Reason\s+NORMAL\s*$/.test(outcome.stopReason ?? '');
  if (milestone === undefined || outcome.kind !== 'stopped-by-user' || !normal) return outcome;
  const request = run.stopRequested;
  const who =
    request !== undefined && request.notApplied === undefined
      ? ` by a person${request.principal ? ` (${request.principal})` : ''} through \`dms-scheduler stop\` at ${request.at}`
      : '';
  const { lastFailureMessage: _none, ...rest } = outcome;
  return {
    ...rest,
    kind: 'succeeded',
    explanation:
      `Change capture was stopped${who} (Stop Reason NORMAL) after the full load finished ` +
      `(milestone at ${milestone.reachedAt}): the migration ended as planned`,
  };
}

/**
 * From when a run counts as active for the stuck-run metric. A change-capture run may rightly be days old
 * when its full load ends or when it is stopped at cut-over: its milestone's hooks and its end are timed
 * from those moments, not from its start.
 */
export function activeSince(run: Run): number {
  const created = Date.parse(run.createdAt);
  if (run.milestone === undefined) return created;
  const moments = [run.milestone.reachedAt, run.finishedAt].map((at) => Date.parse(at ?? ''));
  return Math.max(created, ...moments.filter((at) => !Number.isNaN(at)));
}

/**
 * Where an outbox entry is published: a cut-over notice to the success notices' topic when the deployment
 * sends them, else to the alerts topic (a migration team must hear it); a success notice only to the former
 * (none when off); an alert, or an entry of a record older than kinds, to the alerts topic.
 */
export function publisherOf(
  entry: OutboxEntry,
  publishers: { readonly alerts: Alerts; readonly successNotices?: Alerts | undefined },
): Alerts | undefined {
  if (entry.kind === 'success') return publishers.successNotices;
  if (entry.kind === 'cutover') return publishers.successNotices ?? publishers.alerts;
  return publishers.alerts;
}
