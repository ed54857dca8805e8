// Settling a run when a notice says the task did something: read the task (the notice is only a hint),
// classify the outcome, and for a finished run, once only: run the hooks, alert on anything but success,
// and give the schedule lock back as the policy says. One-time mode has no lock and never enables a rule.
import { type Alert, type Alerts, buildAlert } from '../alerts/alerts.ts';
import type { PostProcessorConfig } from '../config.ts';
import { classifyOutcome, isTerminal, type Outcome } from '../dms/outcome.ts';
import type { TaskControl, TaskSnapshot } from '../dms/task.ts';
import { describeError, SettleFailedError } from '../errors.ts';
import type { HookRunner, HooksReport, RunSummary } from '../hooks/contract.ts';
import type { Log } from '../log.ts';
import { concernsTask, type TaskNotice } from '../notices/notice.ts';
import type { RunLock } from '../schedule/lock.ts';
import { type RuleAction, type RunLedger, runKeyOf } from './ledger.ts';

export interface PostProcessorDeps {
  readonly tasks: TaskControl;
  readonly lock: RunLock | undefined;
  readonly alerts: Alerts;
  readonly ledger: RunLedger;
  readonly hooks: HookRunner;
  readonly log: Log;
  readonly clock: () => Date;
  readonly remainingTimeMs: () => number;
}

export type NoticeResult =
  | { readonly action: 'ignored'; readonly reason: string }
  | { readonly action: 'waiting'; readonly outcome: Outcome }
  | { readonly action: 'duplicate'; readonly runKey: string; readonly ruleAction?: RuleAction }
  | {
      readonly action: 'settled';
      readonly runKey: string;
      readonly outcome: Outcome;
      readonly hooks: HooksReport | undefined;
      readonly ruleAction: RuleAction;
      readonly alerted: boolean;
    };

/** How far past the function's own deadline a claim is held, so a crashed attempt's claim does expire. */
const CLAIM_GRACE_MS = 60_000;

/**
 * The reconcile tick only settles runs that ended this recently. It is far shorter than the ledger's 90-day
 * retention, so a run whose record has expired is never mistaken for an unsettled one.
 */
export const RECONCILE_WINDOW_MS = 3 * 24 * 3600 * 1000;

function endedBefore(task: TaskSnapshot, cutoff: number): boolean {
  const ended = task.stats?.stopDate ?? task.lastStartDate;
  return ended === undefined || ended.getTime() < cutoff;
}

export async function handleNotice(
  deps: PostProcessorDeps,
  config: PostProcessorConfig,
  notice: TaskNotice,
): Promise<NoticeResult> {
  if (!concernsTask(notice, config.task)) {
    return { action: 'ignored', reason: `names another task (${notice.taskIdentifier ?? notice.taskArn})` };
  }
  const task = await deps.tasks.describe(config.task.arn);
  const outcome = classifyOutcome(task);
  if (!isTerminal(outcome.kind)) return { action: 'waiting', outcome };
  if (notice.channel === 'reconcile' && endedBefore(task, deps.clock().getTime() - RECONCILE_WINDOW_MS)) {
    return {
      action: 'ignored',
      reason: 'the last run ended before the reconcile window; it was settled then',
    };
  }

  const runKey = runKeyOf(task);
  const leaseUntil = new Date(deps.clock().getTime() + deps.remainingTimeMs() + CLAIM_GRACE_MS);
  const claim = await deps.ledger.claim(runKey, leaseUntil);
  if (!claim.claimed) {
    // Settled already: a redelivered notice replays only the rule decision, which is idempotent, in case the
    // first attempt settled the run but failed to enable the rule. Hooks and alerts are never repeated. The
    // reconcile tick does not replay it: a rule someone disabled by hand later must stay disabled.
    if (claim.settled?.ruleAction === 'enable' && notice.channel !== 'reconcile') await deps.lock?.enable();
    return { action: 'duplicate', runKey, ...(claim.settled && { ruleAction: claim.settled.ruleAction }) };
  }

  let hooks: HooksReport | undefined;
  try {
    if (outcome.kind === 'succeeded')
      hooks = await deps.hooks.run(summarise(runKey, task, outcome, config), deps.log, deps.remainingTimeMs);
  } catch (error) {
    await deps.ledger.abandon(runKey);
    throw error;
  }
  const succeeded = outcome.kind === 'succeeded' && hooks?.succeeded === true;
  const ruleAction = decideRuleAction(config, deps.lock !== undefined, succeeded);
  await deps.ledger.settle({
    runKey,
    outcome: outcome.kind,
    hooksSucceeded: hooks?.succeeded ?? false,
    ruleAction,
    settledAt: deps.clock().toISOString(),
  });

  const problems: string[] = [];
  const alert = succeeded ? undefined : buildRunAlert(config, task, outcome, hooks, ruleAction);
  if (alert) {
    try {
      await deps.alerts.publish(alert);
    } catch (error) {
      problems.push(`the alert could not be published: ${describeError(error)}`);
    }
  }
  if (ruleAction === 'enable' && deps.lock) {
    try {
      await deps.lock.enable();
    } catch (error) {
      problems.push(`rule ${deps.lock.ruleName} could not be enabled: ${describeError(error)}`);
    }
  }
  if (problems.length > 0) {
    // Failing the invocation makes Lambda retry; the retry finds the run settled and only re-enables the rule.
    throw new SettleFailedError(`Run ${runKey} (${outcome.kind}) was settled, but ${problems.join('; ')}`);
  }
  return { action: 'settled', runKey, outcome, hooks, ruleAction, alerted: alert !== undefined };
}

export function decideRuleAction(
  config: PostProcessorConfig,
  hasLock: boolean,
  succeeded: boolean,
): RuleAction {
  if (!hasLock || config.mode.cadence === 'one-time') return 'none';
  if (succeeded) return 'enable';
  return config.ruleAfterFailure === 're-enable' ? 'enable' : 'keep-disabled';
}

function summarise(
  runKey: string,
  task: TaskSnapshot,
  outcome: Outcome,
  config: PostProcessorConfig,
): RunSummary {
  return {
    runKey,
    taskArn: task.arn,
    taskIdentifier: task.identifier,
    mode: config.mode,
    outcome,
    stats: task.stats,
  };
}

function buildRunAlert(
  config: PostProcessorConfig,
  task: TaskSnapshot,
  outcome: Outcome,
  hooks: HooksReport | undefined,
  ruleAction: RuleAction,
): Alert {
  const failedHook = hooks?.hooks.find((hook) => hook.status === 'failed');
  const headline =
    failedHook !== undefined
      ? `hook ${failedHook.name} failed`
      : outcome.kind === 'stopped-by-user'
        ? 'the run was stopped before it finished'
        : 'the run failed';
  const lines = [
    `Task: ${task.identifier} (${task.arn})`,
    `Outcome: ${outcome.explanation}.`,
    ...(task.stopReason ? [`DMS stop reason: ${task.stopReason}`] : []),
    ...(task.lastFailureMessage ? [`DMS last failure: ${task.lastFailureMessage}`] : []),
    ...(failedHook ? [`Hook ${failedHook.name}: ${failedHook.error ?? 'failed'}`] : []),
    ...(hooks ? [`Hooks: ${hooks.hooks.map((hook) => `${hook.name} ${hook.status}`).join(', ')}`] : []),
    '',
  ];
  if (config.mode.indicator === 'data-refresh') {
    lines.push(
      'The target may hold partly loaded or unmasked production data: keep it closed until a run succeeds.',
    );
  }
  lines.push(ruleLine(config, ruleAction));
  return buildAlert({ taskIdentifier: task.identifier, headline, lines });
}

function ruleLine(config: PostProcessorConfig, ruleAction: RuleAction): string {
  const rule = config.scheduleRuleName;
  switch (ruleAction) {
    case 'enable':
      return `The schedule rule ${rule} was re-enabled: the next scheduled run will try again.`;
    case 'keep-disabled':
      return (
        `The schedule rule ${rule} is kept DISABLED (RuleAfterFailure = keep-disabled). After fixing the cause, ` +
        `start one run by hand (a successful run re-enables it) or: aws events enable-rule --name ${rule}`
      );
    case 'none':
      return 'One-time mode: no schedule rule is involved. Invoke the task-starter again to retry.';
  }
}
