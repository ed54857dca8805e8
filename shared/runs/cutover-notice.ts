// Why this file exists: at a full-load-and-cdc run's milestone (its full load finished, the task replicates on)
// a migration team needs to hear one of two things: "ready for cut-over" when every post-load hook succeeded,
// or that a hook failed or was interrupted, so the target is not ready. These are the words of both. Only
// names, counts, times and statuses reach them: nothing from the target database, no hook's report text.
// Pure, so it is tested alone; milestone.ts queues them in the run's outbox.
import { type Alert, buildAlert } from '../alerts/alerts.ts';
import type { BaseConfig } from '../config.ts';
import { formatDuration } from '../duration-text.ts';
import { type AlertKind, alertId } from './alert-texts.ts';
import type { Run } from './run.ts';
import { hookLines } from './success-notice.ts';

/** One cut-over notice per run: the outbox refuses a second entry with the same id. */
export function cutoverNoticeId(run: Run): string {
  return `${run.id}:cutover`;
}

/** "Ready for cut-over", as of `at` (when the milestone's last hook ended). */
export function cutoverNotice(config: BaseConfig, run: Run, at: Date): Alert {
  const lines = [
    ...factLines(config, run),
    `Hooks done at: ${at.toISOString()}`,
    ...hookLines(run.hooks ?? []),
    '',
    'The full load finished and every post-load hook succeeded. The task goes on replicating changes.',
    'Cut over when the target has caught up, then end the replication (dms-scheduler stop --stack STACK):',
    'the run then ends as succeeded, without running the hooks again.',
  ];
  return {
    ...buildAlert({
      taskIdentifier: config.task.identifier,
      headline: 'full load finished, ready for cut-over',
      lines,
    }),
    id: cutoverNoticeId(run),
  };
}

/** The milestone's hooks did not all succeed: the target is not ready, although the task replicates on. */
export function milestoneHooksAlert(
  config: BaseConfig,
  run: Run,
  kind: Extract<AlertKind, 'hook-failed' | 'hooks-interrupted'>,
): Alert {
  const hooks = run.hooks ?? [];
  const hook = hooks.find((h) => h.status === (kind === 'hook-failed' ? 'failed' : 'interrupted'))?.name;
  const lines = [
    ...factLines(config, run),
    ...hooks
      .filter((h) => h.status === 'failed' || h.status === 'interrupted')
      .map((h) =>
        h.status === 'interrupted'
          ? `Hook ${h.name} was interrupted after ${h.attempts} attempt(s): whatever it had done to the target is unknown.`
          : `Hook ${h.name}: ${h.error ?? 'failed'}`,
      ),
    ...hookLines(hooks),
    '',
    'The full load finished, but its post-load hooks did not all succeed: the target is NOT ready for cut-over.',
    'The task goes on replicating changes; the hooks are not run again for this run. Fix the target by hand,',
    'or stop the task and start a new run.',
  ];
  const headline = `full load finished, but hook ${hook ?? '?'} ${kind === 'hook-failed' ? 'failed' : 'was interrupted'}`;
  return {
    ...buildAlert({ taskIdentifier: config.task.identifier, headline, lines }),
    id: alertId(run, kind),
  };
}

function factLines(config: BaseConfig, run: Run): string[] {
  const stats = run.milestone?.stats ?? {};
  const started = dateOf(stats.fullLoadStartDate);
  const finished = dateOf(stats.fullLoadFinishDate);
  const took =
    started !== undefined && finished !== undefined
      ? [`Full load took: ${formatDuration(finished.getTime() - started.getTime())}`]
      : [];
  return [
    `Task: ${config.task.identifier} (${config.task.arn})`,
    `Run: ${run.id} (${run.trigger}${run.startType ? `, ${run.startType}` : ''})`,
    ...(started ? [`Full load started at: ${started.toISOString()}`] : []),
    ...(finished ? [`Full load finished at: ${finished.toISOString()}`] : []),
    ...took,
    ...(run.milestone ? [`Seen finished at: ${run.milestone.reachedAt}`] : []),
    ...(typeof stats.tablesLoaded === 'number' ? [`Tables loaded: ${count(stats.tablesLoaded)}`] : []),
    ...(typeof stats.tablesErrored === 'number' ? [`Tables in error: ${count(stats.tablesErrored)}`] : []),
  ];
}

function dateOf(value: string | number | undefined): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const count = (n: number) => n.toLocaleString('en-US');
