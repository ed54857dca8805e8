// Starting a run: read the task, decide whether and how to start it, take the lock (disable the schedule
// rule), start it. If DMS refuses after the lock was taken, the lock is given back and a person is told
// (invariant 1: never stuck). Everything that can be checked is checked before anything changes.
import type { Alerts } from '../alerts/alerts.ts';
import { buildAlert } from '../alerts/alerts.ts';
import type { StarterConfig } from '../config.ts';
import { chooseStartType, reRunStartType, startability } from '../dms/start-type.ts';
import type { StartRequest, StartType, TaskControl, TaskSnapshot } from '../dms/task.ts';
import { describeError, FirstRunOnlyError, StartFailedError, TaskMismatchError } from '../errors.ts';
import type { Log } from '../log.ts';
import type { RuleState, RunLock } from '../schedule/lock.ts';
import { isFromRule, type Trigger } from './trigger.ts';

export interface StarterDeps {
  readonly tasks: TaskControl;
  /** Present in schedule mode only: one-time mode never touches a rule. */
  readonly lock: RunLock | undefined;
  readonly alerts: Alerts;
  readonly log: Log;
}

export interface StartResult {
  readonly outcome: 'started' | 'skipped' | 'ignored';
  readonly reason: string;
  readonly startType?: StartType;
  readonly task: { readonly identifier: string; readonly status?: string };
  /** The rule's state after this invocation, or 'untouched' when it was not changed (or there is none). */
  readonly rule: { readonly name: string | undefined; readonly state: RuleState | 'untouched' };
}

export async function startRun(
  deps: StarterDeps,
  config: StarterConfig,
  trigger: Trigger,
): Promise<StartResult> {
  const untouched = { name: config.scheduleRuleName, state: 'untouched' } as const;
  const identifier = config.task.identifier;
  if (trigger.kind === 'schedule' && !isFromRule(trigger, config.scheduleRuleName)) {
    return {
      outcome: 'ignored',
      reason: `scheduled event from another rule (${trigger.ruleArn})`,
      task: { identifier },
      rule: untouched,
    };
  }

  const task = await deps.tasks.describe(config.task.arn);
  assertIsConfiguredTask(task, config);
  const state = startability(task);
  if (!state.startable) {
    return {
      outcome: 'skipped',
      reason: state.reason,
      task: { identifier, status: task.status },
      rule: untouched,
    };
  }
  const override = (trigger.kind === 'manual' ? trigger.startType : undefined) ?? config.startTypeOverride;
  const choice = chooseStartType(task, override);
  const request = buildStartRequest(task, choice.startType, config, trigger);

  const ruleState = deps.lock ? await deps.lock.disable() : 'untouched';
  if (deps.lock) deps.log.info('schedule rule disabled for the run', { rule: deps.lock.ruleName });

  // Records the start type of the latest attempt, so a failed retry is reported with the type it used.
  const attempt = { startType: choice.startType };
  try {
    await startWithFallback(deps, task, request, attempt);
  } catch (error) {
    throw await compensate(deps, config, attempt.startType, error);
  }
  const startType = attempt.startType;
  return {
    outcome: 'started',
    reason:
      startType === choice.startType
        ? choice.reason
        : 'DMS refused start-replication: the task has run before',
    startType,
    task: { identifier, status: task.status },
    rule: { name: config.scheduleRuleName, state: ruleState },
  };
}

/** The stack names the task twice (ARN and identifier, see the template); both must name the same task. */
function assertIsConfiguredTask(task: TaskSnapshot, config: StarterConfig): void {
  if (task.identifier !== config.task.identifier) {
    throw new TaskMismatchError(
      `The task with ARN ${config.task.arn} is named "${task.identifier}", but REPLICATION_TASK_IDENTIFIER is ` +
        `"${config.task.identifier}": its events would never reach the post-processor. Nothing was started.`,
    );
  }
  if (task.migrationType !== config.mode.migrationType) {
    throw new TaskMismatchError(
      `Task ${task.identifier} has migration type ${task.migrationType}, but MIGRATION_REFRESH_TYPE is ` +
        `${config.mode.migrationType}. Nothing was started.`,
    );
  }
}

function buildStartRequest(
  task: TaskSnapshot,
  startType: StartType,
  config: StarterConfig,
  trigger: Trigger,
): StartRequest {
  // A CDC start point only means something when change capture starts afresh.
  const capturesChanges = task.migrationType !== 'full-load';
  if (startType !== 'start-replication' || !capturesChanges) return { taskArn: task.arn, startType };
  const fromEvent = trigger.kind === 'manual' && (trigger.cdcStartTime || trigger.cdcStartPosition);
  const time = fromEvent ? trigger.cdcStartTime : config.cdcStart.time;
  const position = fromEvent ? trigger.cdcStartPosition : config.cdcStart.position;
  return {
    taskArn: task.arn,
    startType,
    ...(time && { cdcStartTime: time }),
    ...(position && { cdcStartPosition: position }),
  };
}

/**
 * Starts the task. Should DMS answer that start-replication is only for a first run (its history said
 * otherwise), the start is retried once with the re-run start type, recorded in `attempt`.
 */
async function startWithFallback(
  deps: StarterDeps,
  task: TaskSnapshot,
  request: StartRequest,
  attempt: { startType: StartType },
): Promise<void> {
  try {
    await deps.tasks.start(request);
  } catch (error) {
    if (!(error instanceof FirstRunOnlyError) || request.startType !== 'start-replication') throw error;
    attempt.startType = reRunStartType(task);
    deps.log.warn('DMS refused start-replication; retrying once', {
      startType: attempt.startType,
      error: error.message,
    });
    await deps.tasks.start({ taskArn: task.arn, startType: attempt.startType });
  }
}

/** Gives the lock back and tells a person; returns the error the invocation fails with. */
async function compensate(
  deps: StarterDeps,
  config: StarterConfig,
  startType: StartType,
  error: unknown,
): Promise<StartFailedError> {
  const done: string[] = [];
  const ruleName = config.scheduleRuleName;
  let ruleLine =
    'One-time mode: no schedule rule is involved. Invoke the task-starter again once the cause is fixed.';
  if (deps.lock) {
    try {
      await deps.lock.enable();
      done.push(`re-enabled rule ${ruleName}`);
      ruleLine = `The schedule rule ${ruleName} was re-enabled: the next scheduled run will try again.`;
    } catch (enableError) {
      done.push(`could NOT re-enable rule ${ruleName}: ${describeError(enableError)}`);
      ruleLine =
        `The schedule rule ${ruleName} could NOT be re-enabled (${describeError(enableError)}). ` +
        `Enable it by hand once the cause is fixed: aws events enable-rule --name ${ruleName}`;
    }
  }
  const alert = buildAlert({
    taskIdentifier: config.task.identifier,
    headline: 'the task could not be started',
    lines: [
      `DMS refused to start task ${config.task.identifier} (${startType}): ${describeError(error)}`,
      '',
      ruleLine,
    ],
  });
  try {
    await deps.alerts.publish(alert);
    done.push('published an alert');
  } catch (alertError) {
    done.push(`could NOT publish the alert: ${describeError(alertError)}`);
  }
  deps.log.error('start failed', { error: describeError(error), compensation: done });
  return new StartFailedError(
    `Task ${config.task.identifier} could not be started: ${describeError(error)}`,
    done,
    {
      cause: error,
    },
  );
}
