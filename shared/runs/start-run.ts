// Starting a run: read the task, decide whether and how to start it, take the task's lock (a conditional
// write of a new run in the ledger), switch the schedule off, record the start request, start the task.
// Everything that can be checked is checked before anything changes. When the start fails, the task is read
// again before anything is undone: a start whose answer was lost may well have happened. Only a start DMS
// refused, on a task that shows no sign of it, ends the run as start-failed, with one alert.
import type { StarterConfig, TaskRef } from '../config.ts';
import type { ConnectionTester } from '../dms/connections.ts';
import type { TargetFolderEditor } from '../dms/endpoints.ts';
import { chooseStartType, reRunStartType, startability } from '../dms/start-type.ts';
import type { StartRequest, StartType, TaskSnapshot } from '../dms/task.ts';
import {
  describeError,
  FirstRunOnlyError,
  StartPreparationError,
  StartRefusedError,
  TaskMismatchError,
} from '../errors.ts';
import type { RuleState } from '../schedule/rule.ts';
import { advanceRun, changeRun, finishRun, markStarted, type RunDeps } from './advance.ts';
import { preflightProblem } from './preflight.ts';
import { activeRun, fingerprintOf, hasBegun, newRunId, type Run, type TaskRecord } from './run.ts';
import { startGroupRun } from './start-group.ts';
import { ChangeRefused, primedWith, type StoredRecord, UNCHANGED, updateRecord } from './store.ts';
import { prepareTargetFolder } from './target-folder.ts';
import type { Trigger } from './trigger.ts';

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type StarterDeps = Omit<RunDeps, 'hooks'> & {
  /** Connection tests: the pre-flight's, and the S3 folder's (needed when either is configured). */
  readonly connections?: ConnectionTester;
  /** Sets the S3 target folder (needed when S3_TARGET_FOLDER_TEMPLATE is configured). */
  readonly folders?: TargetFolderEditor;
  /** How the pre-flight waits between two reads; a timer by default. */
  readonly sleep?: (ms: number) => Promise<void>;
};

export interface StartResult {
  /**
   * `started`; `skipped` (nothing was changed, `reason` says why); `start-failed` (DMS refused: the alert is
   * out and the rule follows the failure policy); `start-unknown` (DMS did not answer: the run stays recorded
   * and the next notice or reconcile tick reads the task and settles it); `preflight-failed` (a connection
   * test failed before anything changed: the alert is out, the rule and the ledger are as they were).
   */
  readonly outcome: 'started' | 'skipped' | 'start-failed' | 'start-unknown' | 'preflight-failed';
  readonly reason: string;
  readonly runId?: string;
  readonly startType?: StartType;
  readonly task: { readonly identifier: string; readonly status?: string };
  readonly rule: { readonly name: string | undefined; readonly state: RuleState | 'untouched' };
}

export async function startRun(
  deps: StarterDeps,
  config: StarterConfig,
  trigger: Trigger,
): Promise<StartResult> {
  if (config.group !== undefined) return startGroupRun(deps, config, trigger);
  const identifier = config.task.identifier;
  const ruleName = config.scheduleRuleName;
  const skipped = (reason: string, status?: string): StartResult => ({
    outcome: 'skipped',
    reason,
    task: { identifier, ...(status && { status }) },
    rule: { name: ruleName, state: 'untouched' },
  });

  const task = await deps.tasks.describe(config.task.arn);
  assertIsConfiguredTask(task, config);
  const stored = await deps.store.load(config.task.arn);
  const record = stored.record;
  const lockedOut = lockedOutReason(record, trigger);
  if (lockedOut !== undefined) return skipped(lockedOut, task.status);
  const firing = firingOf(trigger);
  const state = startability(task);
  if (!state.startable) return skipped(state.reason, task.status);
  const override = (trigger.kind === 'manual' ? trigger.startType : undefined) ?? config.startTypeOverride;
  const choice = chooseStartType(task, override);

  // Read the switch before touching it: a scheduled event that arrives while the rule is off is a late or
  // repeated delivery (or the rule was disabled by hand), and starts nothing.
  const offNow = () =>
    skipped(
      `the schedule rule ${ruleName} is disabled: a late or repeated delivery of its event, or it was disabled by hand; nothing was started`,
      task.status,
    );
  let ruleState = deps.rule ? await deps.rule.state() : undefined;
  if (trigger.kind === 'schedule' && ruleState === 'DISABLED') return offNow();

  if (config.preflight) {
    if (deps.connections === undefined)
      throw new Error('the pre-flight is on but no ConnectionTester was given');
    const problem = await preflightProblem(
      { ...deps, connections: deps.connections, sleep: deps.sleep ?? sleepFor },
      config,
      config.preflight,
      task,
      (trigger.kind === 'schedule' ? trigger.time : undefined)?.toISOString() ?? deps.clock().toISOString(),
    );
    if (problem === undefined && deps.rule) {
      // The tests took a while: the switch is read again, so that a rule switched off by hand meanwhile is
      // never taken for this run's to give back.
      ruleState = await deps.rule.state();
      if (trigger.kind === 'schedule' && ruleState === 'DISABLED') return offNow();
    }
    if (problem !== undefined) {
      return {
        outcome: 'preflight-failed',
        reason: problem,
        task: { identifier, status: task.status },
        rule: { name: ruleName, state: 'untouched' },
      };
    }
  }

  // This run may give the rule back only if it switched it off, or takes over a hold-off its failure policy left.
  const ruleOwned = ruleState === 'ENABLED' || (ruleState === 'DISABLED' && record?.holdOff !== undefined);

  const now = deps.clock();
  const run: Run = {
    id: newRunId(now),
    trigger: trigger.kind,
    phase: 'starting',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    before: fingerprintOf(task),
    startType: choice.startType,
    ...(firing && { scheduledFor: firing }),
    ruleOwned,
    outbox: [],
  };
  try {
    await takeLock(deps, config, stored, run, ruleState);
  } catch (error) {
    if (error instanceof ChangeRefused) return skipped(error.message, task.status);
    throw error;
  }
  deps.log.info('run lock taken', { runId: run.id, trigger: trigger.kind, startType: choice.startType });

  const ruleAfter = await switchOffRule(deps, config, run.id, ruleState);

  // Recorded before the call: should this invocation die after it, the next one finds out from DMS.
  await changeRun(deps, config, run.id, (current) =>
    current.startRequestedAt ? UNCHANGED : { ...current, startRequestedAt: deps.clock().toISOString() },
  );
  const attempt = { startType: choice.startType };
  const result = (outcome: StartResult['outcome'], reason: string): StartResult => ({
    outcome,
    reason,
    runId: run.id,
    startType: attempt.startType,
    task: { identifier, status: task.status },
    rule: { name: ruleName, state: ruleAfter },
  });
  try {
    if (config.targetFolder) {
      if (deps.folders === undefined || deps.connections === undefined) {
        throw new Error(
          'an S3 target folder is configured but no TargetFolderEditor or ConnectionTester was given',
        );
      }
      await prepareTargetFolder(
        { ...deps, folders: deps.folders, connections: deps.connections, sleep: deps.sleep ?? sleepFor },
        config,
        config.targetFolder,
        task,
        new Date(run.scheduledFor ?? run.createdAt),
      );
    }
    await startWithFallback(
      deps,
      config,
      run.id,
      task,
      buildStartRequest(task, choice.startType, config, trigger),
      attempt,
    );
  } catch (error) {
    return afterStartError(deps, config, run, attempt.startType, error, result);
  }
  await confirmStarted(deps, config, run.id);
  const reason =
    attempt.startType === choice.startType
      ? choice.reason
      : 'DMS refused start-replication: the task has run before';
  return result('started', reason);
}

/** Why no run may start now, from the record alone: a run holds the lock, or this firing already started one. */
export function lockedOutReason(record: TaskRecord | undefined, trigger: Trigger): string | undefined {
  const holder = activeRun(record);
  if (holder) {
    return `run ${holder.id} is still active (${holder.phase}, last changed at ${holder.updatedAt}) and holds the task's lock`;
  }
  const firing = firingOf(trigger);
  if (firing !== undefined && record?.lastScheduledFor !== undefined && firing <= record.lastScheduledFor) {
    return `a late or repeated delivery of the scheduled event of ${firing}: the schedule's firing of ${record.lastScheduledFor} already started a run, and no firing starts two`;
  }
  return undefined;
}

/** The schedule's firing a scheduled trigger is for, which no later run reuses. */
export function firingOf(trigger: Trigger): string | undefined {
  return trigger.kind === 'schedule' ? trigger.time?.toISOString() : undefined;
}

/**
 * Switches the schedule off for the run that just took the lock, if it is on; returns the rule's state after.
 * The lock, not the rule, keeps runs apart: should the switch fail, the run goes on under its lock.
 */
export async function switchOffRule(
  deps: StarterDeps,
  config: StarterConfig,
  runId: string,
  ruleState: RuleState | undefined,
): Promise<RuleState | 'untouched'> {
  if (deps.rule && ruleState === 'ENABLED') {
    try {
      await deps.rule.disable();
      return 'DISABLED';
    } catch (error) {
      deps.log.warn('the schedule rule could not be disabled; the run goes on under its lock', {
        error: describeError(error),
      });
      return disownIfStillEnabled(deps, config, runId);
    }
  }
  return ruleState === 'DISABLED' ? 'DISABLED' : 'untouched';
}

/**
 * After a failed DisableRule: if the rule does not read as off, this run never switched it off, so it must
 * not switch it on at the end either (a person may switch it off meanwhile, and a rule disabled by hand is
 * never enabled by a run). Only a rule that reads as off, because the call went through after all, stays the
 * run's to give back. When in doubt the run lets go: a schedule left off by mistake is reported by the tick's
 * ScheduleOffWithoutRun alarm, whereas a person's choice overridden would be told to no one.
 */
async function disownIfStillEnabled(
  deps: StarterDeps,
  config: StarterConfig,
  runId: string,
): Promise<RuleState> {
  const rule = deps.rule;
  if (rule === undefined) return 'ENABLED';
  let state: RuleState = 'ENABLED';
  try {
    state = await rule.state();
  } catch (error) {
    deps.log.warn('the schedule rule could not be read after a failed disable; the run lets go of it', {
      error: describeError(error),
    });
  }
  if (state === 'ENABLED') {
    try {
      await changeRun(deps, config, runId, (run) =>
        run.ruleOwned ? { ...run, ruleOwned: false } : UNCHANGED,
      );
    } catch (error) {
      // The run then still counts the rule as its own and enables it, most likely still on, at the end.
      deps.log.warn('could not record that the run does not hold the rule', { error: describeError(error) });
    }
  }
  return state;
}

/** The conditional write that makes this run the task's one active run. */
export async function takeLock(
  deps: StarterDeps,
  config: StarterConfig,
  seen: StoredRecord,
  run: Run,
  ruleState: RuleState | undefined,
): Promise<void> {
  const seenRecord = seen.record;
  // Written on the record this start was decided from: no second read (a write since then fails the swap).
  await updateRecord(primedWith(deps.store, seen), config.task.arn, (current) => {
    if (current?.run?.id === run.id) return UNCHANGED; // this very write, whose answer was lost
    const holder = activeRun(current);
    if (holder) throw new ChangeRefused(`run ${holder.id} took the task's lock first`);
    if (current?.run?.id !== seenRecord?.run?.id) {
      throw new ChangeRefused(
        'another run began and ended while this start was being decided; nothing was started',
      );
    }
    if (run.scheduledFor !== undefined && (current?.lastScheduledFor ?? '') >= run.scheduledFor) {
      throw new ChangeRefused(`the firing of ${run.scheduledFor} already started a run`);
    }
    // A hold-off is stale once the rule is on again (a person enabled it by hand).
    const holdOff = ruleState === 'DISABLED' ? current?.holdOff : undefined;
    const lastScheduledFor = run.scheduledFor ?? current?.lastScheduledFor;
    return {
      seen: current?.seen ?? 0,
      ...(holdOff && { holdOff }),
      ...(lastScheduledFor && { lastScheduledFor }),
      run,
    };
  });
}

async function confirmStarted(deps: StarterDeps, config: StarterConfig, runId: string): Promise<void> {
  deps.metrics.add('RunsStarted', 1);
  try {
    await markStarted(deps, config, runId);
  } catch (error) {
    // The run is recorded as starting, with its request time: the next invocation reads DMS and moves it on.
    deps.log.warn('the start could not be recorded; the next notice or tick confirms it', {
      error: describeError(error),
    });
  }
}

async function afterStartError(
  deps: StarterDeps,
  config: StarterConfig,
  run: Run,
  startType: StartType,
  error: unknown,
  result: (outcome: StartResult['outcome'], reason: string) => StartResult,
): Promise<StartResult> {
  const startError = describeError(error);
  deps.log.warn(
    error instanceof StartPreparationError
      ? 'the start could not be prepared; reading the task before undoing anything'
      : 'StartReplicationTask failed; reading the task before undoing anything',
    {
      error: startError,
    },
  );
  let task: TaskSnapshot;
  try {
    task = await deps.tasks.describe(config.task.arn);
  } catch (readError) {
    await noteStartError(deps, config, run.id, startError);
    return result(
      'start-unknown',
      `the start failed (${startError}) and the task could not be read again (${describeError(readError)}); ` +
        'the run stays recorded, and the next notice or reconcile tick settles it from what DMS shows',
    );
  }
  if (hasBegun(task, run)) {
    await confirmStarted(deps, config, run.id);
    return result(
      'started',
      `DMS shows the task started, although the answer to the start was an error (${startError})`,
    );
  }
  if (!(error instanceof StartRefusedError || error instanceof FirstRunOnlyError)) {
    await noteStartError(deps, config, run.id, startError);
    return result(
      'start-unknown',
      `DMS did not answer the start (${startError}) and does not show it yet; the run stays recorded, and the ` +
        'next notice or reconcile tick settles it from what DMS shows',
    );
  }
  const explanation =
    error instanceof StartPreparationError
      ? `Task ${config.task.identifier} was not started (${startType}): ${error.message}`
      : `DMS refused to start task ${config.task.identifier} (${startType}): ${startError}`;
  await finishRun(deps, config, run.id, 'starting', { kind: 'start-failed', explanation }, task);
  deps.log.error('start refused', { runId: run.id, error: startError });
  const settled = await advanceRun(deps, config, task);
  const rule =
    settled.state === 'released' && settled.ruleDecision === 'enable'
      ? `the schedule rule ${config.scheduleRuleName} was re-enabled`
      : settled.state === 'released' && settled.ruleDecision === 'keep-disabled'
        ? `the schedule rule ${config.scheduleRuleName} is kept disabled (RuleAfterFailure = keep-disabled)`
        : 'the schedule rule was left as it was';
  const after =
    settled.state === 'released' && settled.ruleDecision !== 'none' ? settled.ruleDecision : undefined;
  return {
    ...result('start-failed', `${explanation}; an alert was published and ${rule}`),
    ...(after && {
      rule: { name: config.scheduleRuleName, state: after === 'enable' ? 'ENABLED' : 'DISABLED' },
    }),
  };
}

async function noteStartError(deps: StarterDeps, config: StarterConfig, runId: string, startError: string) {
  try {
    await changeRun(deps, config, runId, (run) => ({ ...run, startError: startError.slice(0, 1000) }));
  } catch (error) {
    deps.log.warn('could not record the start error', { error: describeError(error) });
  }
}

/** The stack names the task twice (ARN and identifier, see the template); both must name the same task. */
export function assertIsConfiguredTask(
  task: TaskSnapshot,
  config: StarterConfig,
  expected: TaskRef = config.task,
): void {
  if (task.identifier !== expected.identifier) {
    throw new TaskMismatchError(
      `The task with ARN ${expected.arn} is named "${task.identifier}", but REPLICATION_TASK_IDENTIFIER is ` +
        `"${expected.identifier}": its events would never reach the post-processor. Nothing was started.`,
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
 * otherwise), the start is retried once with the re-run start type, recorded in `attempt` and in the run.
 */
async function startWithFallback(
  deps: StarterDeps,
  config: StarterConfig,
  runId: string,
  task: TaskSnapshot,
  request: StartRequest,
  attempt: { startType: StartType },
): Promise<void> {
  try {
    await deps.tasks.start(request);
  } catch (error) {
    if (!(error instanceof FirstRunOnlyError) || request.startType !== 'start-replication') throw error;
    attempt.startType = reRunStartType(task);
    const startType = attempt.startType;
    await changeRun(deps, config, runId, (run) =>
      run.startType === startType ? UNCHANGED : { ...run, startType },
    );
    deps.log.warn('DMS refused start-replication; retrying once', {
      startType: attempt.startType,
      error: error.message,
    });
    await deps.tasks.start({ taskArn: task.arn, startType: attempt.startType });
  }
}
