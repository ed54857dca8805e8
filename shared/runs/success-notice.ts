// Why this file exists: a team that waits for the nightly refresh wants to be told "staging is ready", not to
// infer it from the absence of an alert. This is the words of that notice: a one-line subject with the run's
// duration, and a body of facts the run record already holds (task, start type, trigger, durations, rows
// masked as a count, each hook's status, what the schedule does next). Nothing from the target database and
// no hook's own report text reaches it: only names, counts, times and statuses. Pure, so it is tested alone;
// the outbox (advance.ts) queues it and buildAlert fits it to SNS's limits like every alert.
import { type Alert, buildAlert } from '../alerts/alerts.ts';
import type { BaseConfig } from '../config.ts';
import { formatDuration } from '../duration-text.ts';
import { subjectLines } from './alert-texts.ts';
import type { HookProgress, RuleDecision, Run } from './run.ts';

/** One notice per run: the outbox refuses a second entry with the same id. */
export function successNoticeId(run: Run): string {
  return `${run.id}:succeeded`;
}

/** The summary of a run that succeeded, its hooks included, as of `finishedAt` (when its last hook ended). */
export function successNotice(config: BaseConfig, run: Run, decision: RuleDecision, finishedAt: Date): Alert {
  const task = config.task;
  const hooks = run.hooks ?? [];
  const startedAt = runStart(run);
  const load = loadDurationMs(run);
  const hooksMs = hooks.reduce((sum, hook) => sum + (hook.durationMs ?? 0), 0);
  const what = config.mode.indicator === 'data-refresh' ? 'refresh' : 'migration';
  const total = formatDuration(finishedAt.getTime() - startedAt);
  const lines = [
    ...subjectLines(config, run),
    `Run: ${run.id}`,
    `Trigger: ${run.trigger}`,
    ...(run.members
      ? []
      : [
          `Start type: ${run.startType ?? 'not recorded (the run was adopted from a start outside the scheduler)'}`,
        ]),
    `Started at: ${new Date(startedAt).toISOString()}`,
    `Finished at: ${finishedAt.toISOString()}`,
    `Duration: ${total}` +
      (load === undefined ? '' : ` (load ${formatDuration(load)}, hooks ${formatDuration(hooksMs)})`),
    ...tablesLine(run),
    rowsMaskedLine(hooks),
    ...hookLines(hooks),
    '',
    ...(config.mode.indicator === 'data-refresh'
      ? ['The load and every hook succeeded: the target is ready to be used.']
      : []),
    ruleLine(config, run, decision),
  ];
  return {
    ...buildAlert({ taskIdentifier: task.identifier, headline: `${what} succeeded (${total})`, lines }),
    id: successNoticeId(run),
  };
}

/** The earlier of the run's record and DMS's start: an adopted run is recorded only once DMS has finished. */
function runStart(run: Run): number {
  const created = Date.parse(run.createdAt);
  const dmsStart = Date.parse(String(run.stats?.startDate ?? ''));
  return Number.isNaN(dmsStart) ? created : Math.min(created, dmsStart);
}

function loadDurationMs(run: Run): number | undefined {
  // A full-load-and-cdc run's task ran on after its load, until the stop at cut-over: its load is the full
  // load its milestone saw (milestone.ts), not the whole replication.
  const milestone = run.milestone?.stats;
  if (milestone !== undefined) {
    const start = Date.parse(String(milestone.fullLoadStartDate ?? ''));
    const finish = Date.parse(String(milestone.fullLoadFinishDate ?? ''));
    return Number.isNaN(start) || Number.isNaN(finish) ? undefined : finish - start;
  }
  const start = Date.parse(String(run.stats?.startDate ?? ''));
  const stop = Date.parse(String(run.stats?.stopDate ?? ''));
  return Number.isNaN(start) || Number.isNaN(stop) ? undefined : stop - start;
}

function tablesLine(run: Run): string[] {
  const loaded = run.stats?.tablesLoaded;
  return typeof loaded === 'number' ? [`Tables loaded: ${count(loaded)}`] : [];
}

function rowsMaskedLine(hooks: readonly HookProgress[]): string {
  const masking = hooks.filter((hook) => hook.rowsMasked !== undefined);
  if (masking.length === 0) return 'Rows masked: none reported (no hook masks rows)';
  const rows = masking.reduce((sum, hook) => sum + (hook.rowsMasked ?? 0), 0);
  return `Rows masked: ${count(rows)}`;
}

/** Each hook with its status, time and rows masked: the same lines in every notice that lists hooks. */
export function hookLines(hooks: readonly HookProgress[]): string[] {
  if (hooks.length === 0) return ['Hooks: none configured'];
  return [
    'Hooks:',
    ...hooks.map((hook) => {
      const duration = hook.durationMs === undefined ? '' : ` in ${formatDuration(hook.durationMs)}`;
      const rows = hook.rowsMasked === undefined ? '' : `, ${count(hook.rowsMasked)} rows masked`;
      return `- ${hook.name}: ${hook.status}${duration}${rows}`;
    }),
  ];
}

function ruleLine(config: BaseConfig, run: Run, decision: RuleDecision): string {
  const rule = config.scheduleRuleName;
  if (rule === undefined) return 'One-time mode: no schedule rule is involved.';
  if (decision === 'enable')
    return `The schedule rule ${rule} is being re-enabled: the next run is on schedule.`;
  return run.ruleOwned
    ? `The schedule rule ${rule} is left as it is.`
    : `The schedule rule ${rule} was not disabled by this run, so it is left as it is.`;
}

const count = (n: number) => n.toLocaleString('en-US');
