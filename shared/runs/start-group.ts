// Starting a run group: every member is read and checked before anything changes (its identity, that it is
// startable, which start type it needs), so a group starts whole or not at all. Then, as for one task, the
// group's lock is taken, the schedule switched off, and the first members started, as many as the
// concurrency limit lets run at once; the post-processor starts the rest as members finish. A member DMS
// refuses fails the group: nothing more is started, and once the members under way have ended, one alert
// names each task that did not succeed.
import type { StarterConfig } from '../config.ts';
import { chooseStartType, startability } from '../dms/start-type.ts';
import type { StartType, TaskSnapshot } from '../dms/task.ts';
import { describeError } from '../errors.ts';
import { type AdvanceResult, advanceRun, markStarted } from './advance.ts';
import { launchMember } from './group.ts';
import { nextToStart } from './group-members.ts';
import { fingerprintOf, type GroupMember, newRunId, type Run } from './run.ts';
import {
  assertIsConfiguredTask,
  firingOf,
  lockedOutReason,
  type StarterDeps,
  type StartResult,
  switchOffRule,
  takeLock,
} from './start-run.ts';
import { ChangeRefused } from './store.ts';
import type { Trigger } from './trigger.ts';

export async function startGroupRun(
  deps: StarterDeps,
  config: StarterConfig,
  trigger: Trigger,
): Promise<StartResult> {
  const group = config.group;
  if (group === undefined) throw new Error('startGroupRun needs a stack with a run group');
  const identifier = config.task.identifier;
  const ruleName = config.scheduleRuleName;
  const skipped = (reason: string): StartResult => ({
    outcome: 'skipped',
    reason,
    task: { identifier },
    rule: { name: ruleName, state: 'untouched' },
  });

  const tasks = await Promise.all(config.members.map((member) => deps.tasks.describe(member.arn)));
  tasks.forEach((task, i) => {
    assertIsConfiguredTask(task, config, config.members[i]);
  });
  const stored = await deps.store.load(config.task.arn);
  const lockedOut = lockedOutReason(stored.record, trigger);
  if (lockedOut !== undefined) return skipped(lockedOut.replace("the task's lock", "the group's lock"));
  const blocked = tasks.flatMap((task) => {
    const state = startability(task);
    return state.startable ? [] : [`task ${task.identifier}: ${state.reason}`];
  });
  if (blocked.length > 0) {
    return skipped(`a group starts whole or not at all, and ${blocked.join('; ')}; nothing was started`);
  }
  const override = (trigger.kind === 'manual' ? trigger.startType : undefined) ?? config.startTypeOverride;
  // Throws StartTypeRefusedError, naming the start type, before anything changed.
  const startTypes = tasks.map((task) => chooseStartType(task, override).startType);

  const ruleState = deps.rule ? await deps.rule.state() : undefined;
  if (trigger.kind === 'schedule' && ruleState === 'DISABLED') {
    return skipped(
      `the schedule rule ${ruleName} is disabled: a late or repeated delivery of its event, or it was disabled by hand; nothing was started`,
    );
  }
  const ruleOwned =
    ruleState === 'ENABLED' || (ruleState === 'DISABLED' && stored.record?.holdOff !== undefined);
  const now = deps.clock();
  const firing = firingOf(trigger);
  const run: Run = {
    id: newRunId(now),
    trigger: trigger.kind,
    phase: 'starting',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    // Each member keeps its own: the group as a whole has no task to fingerprint.
    before: 0,
    ...(firing && { scheduledFor: firing }),
    ruleOwned,
    outbox: [],
    members: tasks.map((task, i) => queuedMember(task, startTypes[i] as StartType, config, trigger)),
  };
  try {
    await takeLock(deps, config, stored, run, ruleState);
  } catch (error) {
    if (error instanceof ChangeRefused) return skipped(error.message);
    throw error;
  }
  deps.log.info('run group lock taken', { runId: run.id, trigger: trigger.kind, members: tasks.length });
  const ruleAfter = await switchOffRule(deps, config, run.id, ruleState);
  try {
    for (const index of nextToStart(run.members ?? [], group)) {
      await launchMember(deps, config, run.id, index);
    }
  } catch (error) {
    // Another invocation took the run on (this one outlived the start grace): the members are its to start.
    if (!(error instanceof ChangeRefused)) throw error;
    deps.log.warn('the group was taken on by another invocation; no more members are started here', {
      reason: error.message,
    });
  }
  deps.metrics.add('RunsStarted', 1);
  try {
    await markStarted(deps, config, run.id);
  } catch (error) {
    deps.log.warn('the start could not be recorded; the next notice or tick confirms it', {
      error: describeError(error),
    });
  }
  // Members DMS refused settle the group at once: a group none of whose tasks started is released here.
  let settled: AdvanceResult | undefined;
  try {
    settled = await advanceRun(deps, config);
  } catch (error) {
    deps.log.warn('the group could not be settled yet; the next notice or tick does it', {
      error: describeError(error),
    });
  }
  const { record } = await deps.store.load(config.task.arn);
  const members = record?.run?.id === run.id ? (record.run.members ?? []) : [];
  const summary = summaryOf(members);
  const result = (outcome: StartResult['outcome'], reason: string, state = ruleAfter): StartResult => ({
    outcome,
    reason,
    runId: run.id,
    task: { identifier },
    rule: { name: ruleName, state },
  });
  if (settled?.state === 'released') {
    const state =
      settled.ruleDecision === 'enable'
        ? 'ENABLED'
        : settled.ruleDecision === 'keep-disabled'
          ? 'DISABLED'
          : ruleAfter;
    return result(
      'start-failed',
      `${record?.run?.outcome?.explanation ?? summary}; an alert was published`,
      state,
    );
  }
  const begun = members.some((member) => member.state === 'started' || member.outcome?.kind === 'succeeded');
  return begun
    ? result('started', summary)
    : result(
        'start-unknown',
        `${summary}; DMS did not answer every start, and the next notice or reconcile tick settles them from what DMS shows`,
      );
}

function queuedMember(
  task: TaskSnapshot,
  startType: StartType,
  config: StarterConfig,
  trigger: Trigger,
): GroupMember {
  const fromEvent = trigger.kind === 'manual' && (trigger.cdcStartTime || trigger.cdcStartPosition);
  const time = fromEvent ? trigger.cdcStartTime : config.cdcStart.time;
  const position = fromEvent ? trigger.cdcStartPosition : config.cdcStart.position;
  return {
    arn: task.arn,
    identifier: task.identifier,
    state: 'queued',
    before: fingerprintOf(task),
    startType,
    ...(time && { cdcStartTime: time.toISOString() }),
    ...(position && { cdcStartPosition: position }),
  };
}

function summaryOf(members: readonly GroupMember[]): string {
  const parts = members.map((member) =>
    member.state === 'finished' || member.state === 'not-started'
      ? `${member.identifier} ${member.state === 'finished' ? (member.outcome?.kind ?? 'finished') : 'not started'}`
      : `${member.identifier} ${member.state}${member.startType ? ` (${member.startType})` : ''}`,
  );
  return `group ${members.length} tasks: ${parts.join(', ')}`;
}
