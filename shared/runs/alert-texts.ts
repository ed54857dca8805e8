// The words of every alert a run can owe, in one place so each path says the same thing: what happened, to
// which task, whether the target may be read, and what the schedule will do next. Values from DMS are quoted
// as DMS gave them; nothing from the target database (rows, secrets) ever reaches an alert.
import { type Alert, buildAlert } from '../alerts/alerts.ts';
import type { BaseConfig } from '../config.ts';
import type { HookProgress, RuleDecision, Run } from './run.ts';

export type AlertKind = 'start-failed' | 'run-failed' | 'hook-failed' | 'hooks-interrupted';

/** One alert per run and kind: the outbox refuses a second entry with the same id. */
export function alertId(run: Run, kind: AlertKind): string {
  return `${run.id}:${kind}`;
}

export function runAlert(config: BaseConfig, run: Run, kind: AlertKind, decision: RuleDecision): Alert {
  const task = config.task;
  const outcome = run.outcome;
  const lines = [
    ...subjectLines(config, run),
    `Run: ${run.id} (${run.trigger}${run.startType ? `, ${run.startType}` : ''})`,
    ...(outcome ? [`Outcome: ${outcome.explanation}.`] : []),
    ...(outcome?.stopReason ? [`DMS stop reason: ${outcome.stopReason}`] : []),
    ...(outcome?.lastFailureMessage ? [`DMS last failure: ${outcome.lastFailureMessage}`] : []),
    ...(run.startError ? [`Start error: ${run.startError}`] : []),
    ...hookLines(kind, run.hooks ?? []),
    '',
  ];
  if (config.mode.indicator === 'data-refresh') {
    lines.push(
      kind === 'hooks-interrupted'
        ? 'The target may hold unmasked production data: keep it closed until a run succeeds.'
        : 'The target may hold partly loaded or unmasked production data: keep it closed until a run succeeds.',
    );
  }
  lines.push(ruleLine(config, run, decision));
  return {
    ...buildAlert({ taskIdentifier: task.identifier, headline: headline(kind, run), lines }),
    id: alertId(run, kind),
  };
}

/** The task, or the group with each member's end: an alert about a group names the task to look at. */
export function subjectLines(config: BaseConfig, run: Run): string[] {
  const task = config.task;
  if (run.members === undefined) return [`Task: ${task.identifier} (${task.arn})`];
  return [
    `Run group: ${task.identifier} (${run.members.length} tasks)`,
    ...run.members.map(
      (member) =>
        `Task ${member.identifier} (${member.arn}): ${member.outcome?.kind ?? member.state}` +
        (member.startType ? `, ${member.startType}` : ''),
    ),
  ];
}

function headline(kind: AlertKind, run: Run): string {
  const hook = (status: HookProgress['status']) => run.hooks?.find((h) => h.status === status)?.name;
  switch (kind) {
    case 'start-failed':
      return run.members ? "the group's tasks could not be started" : 'the task could not be started';
    case 'run-failed':
      return run.outcome?.kind === 'stopped-by-user'
        ? 'the run was stopped before it finished'
        : 'the run failed';
    case 'hook-failed':
      return `hook ${hook('failed') ?? '?'} failed`;
    case 'hooks-interrupted':
      return `hook ${hook('interrupted') ?? '?'} was interrupted`;
  }
}

function hookLines(kind: AlertKind, hooks: readonly HookProgress[]): string[] {
  if (hooks.length === 0) return [];
  const lines = hooks
    .filter((hook) => hook.status === 'failed' || hook.status === 'interrupted')
    .map((hook) =>
      hook.status === 'interrupted'
        ? `Hook ${hook.name} was interrupted after ${hook.attempts} attempt(s) (the function stopped or lost its lease while it ran): whatever it had done to the target is unknown.`
        : `Hook ${hook.name}: ${hook.error ?? 'failed'}`,
    );
  const summary = `Hooks: ${hooks.map((hook) => `${hook.name} ${hook.status}`).join(', ')}`;
  return kind === 'start-failed' || kind === 'run-failed' ? [] : [...lines, summary];
}

function ruleLine(config: BaseConfig, run: Run, decision: RuleDecision): string {
  const rule = config.scheduleRuleName;
  if (rule === undefined)
    return 'One-time mode: no schedule rule is involved. Invoke the task-starter again to retry.';
  switch (decision) {
    case 'enable':
      return `The schedule rule ${rule} is being re-enabled: the next scheduled run will try again.`;
    case 'keep-disabled':
      return (
        `The schedule rule ${rule} is kept DISABLED (RuleAfterFailure = keep-disabled). After fixing the cause, ` +
        `start one run by hand (a successful run re-enables it) or run: dms-scheduler resume --stack STACK (it enables ${rule} and ends the hold-off)`
      );
    case 'none':
      return run.ruleOwned
        ? `The schedule rule ${rule} is left as it is.`
        : `The schedule rule ${rule} was not disabled by this run, so it is left as it is.`;
  }
}
