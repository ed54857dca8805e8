// The steps of a run group's `starting` and `started` phases: start members (as many as the concurrency limit
// lets run at once), read DMS for the ones under way, and finish the group's run once no member is left to
// wait for. From `finished` on, a group's run is a run like any other: hooks once, after the last member, one
// alert naming each task that did not succeed, the rule given back last.
//
// Each member's start follows the rules of a task's: recorded (with the invocation asking) before DMS is
// asked, read back from DMS when the answer is lost, and only a start DMS refused, on a task that shows no
// sign of it, is a start-failed. Any invocation may start a queued member (the task-starter, then the
// post-processor as members finish); of two that try at once, the compare-and-swap lets one.
import type { BaseConfig } from '../config.ts';
import { reRunStartType, startability } from '../dms/start-type.ts';
import type { StartRequest, TaskSnapshot, TaskStats } from '../dms/task.ts';
import { describeError, FirstRunOnlyError, StartRefusedError } from '../errors.ts';
import {
  type AdvanceResult,
  changeRun,
  markStarted,
  publishOutbox,
  type RunDeps,
  recordFinish,
  START_GRACE_MS,
} from './advance.ts';
import {
  allSettled,
  finished,
  groupOutcome,
  hasUnsuccessful,
  isActiveMember,
  nextToStart,
  type Snapshots,
  settleMembers,
} from './group-members.ts';
import { afterMilestoneOutcome, awaitsMilestone, fullLoadMilestone, reachMilestone } from './milestone.ts';
import { fingerprintOf, type GroupMember, hasBegun, isSettled, type Run } from './run.ts';
import { explainStop } from './stop-request.ts';
import { ChangeRefused, UNCHANGED, updateRecord } from './store.ts';

type Step = AdvanceResult | 'continue';

/** The step a group's run owes in `starting` or `started`. */
export async function advanceGroup(deps: RunDeps, config: BaseConfig, run: Run): Promise<Step> {
  if (run.phase === 'starting') {
    if (deps.clock().getTime() - Date.parse(run.createdAt) < START_GRACE_MS) {
      return {
        state: 'in-progress',
        runId: run.id,
        phase: run.phase,
        reason: "the task-starter is starting the group's tasks",
      };
    }
    // The task-starter stopped before it was done: whatever it recorded is read back from DMS from here on.
    await markStarted(deps, config, run.id);
    return 'continue';
  }
  const watched = (run.members ?? []).filter(isActiveMember);
  const tasks: Snapshots = new Map(
    await Promise.all(
      watched.map(async (member) => [member.arn, await deps.tasks.describe(member.arn)] as const),
    ),
  );
  const now = deps.clock();
  const current = await changeMembers(deps, config, run.id, (members, latest) =>
    // After the group's milestone, a task stopped by hand (NORMAL) ended its change capture at cut-over.
    settleMembers(members, tasks, now, START_GRACE_MS, stopAsked(latest)).map((member) => {
      if (member.outcome === undefined || latest.milestone === undefined) return member;
      const outcome = afterMilestoneOutcome(member.outcome, latest);
      return outcome === member.outcome ? member : { ...member, outcome };
    }),
  );
  const members = current.members ?? [];
  // Milestone (full-load-and-cdc): once every task's full load finished, the group's hooks run, once.
  const milestone = await groupMilestoneStep(deps, config, current, tasks);
  if (milestone !== undefined) return milestone;
  if (allSettled(members)) {
    // A person's stop through the command line is said as such, as for one task.
    await recordFinish(deps, config, run.id, 'started', explainStop(groupOutcome(members), current), {});
    return 'continue';
  }
  const starts = nextToStart(members, groupOf(config, members));
  for (const index of starts) await launchMember(deps, config, run.id, index);
  if (starts.length > 0) return 'continue';
  return { state: 'waiting', runId: run.id, phase: run.phase, reason: waitingFor(members) };
}

/** A person asked the group to stop (`dms-scheduler stop`), and DMS did not refuse it. */
function stopAsked(run: Run): boolean {
  return run.stopRequested !== undefined && run.stopRequested.notApplied === undefined;
}

/**
 * While every task of a full-load-and-cdc group replicates: when DMS shows each one's full load finished,
 * the one write that records the group's milestone and moves its run into the hooks; after it, the outbox
 * (the cut-over notice, or the hooks' alert) sent without changing the phase. Undefined: nothing to do.
 */
async function groupMilestoneStep(
  deps: RunDeps,
  config: BaseConfig,
  run: Run,
  tasks: Snapshots,
): Promise<Step | undefined> {
  const members = run.members ?? [];
  if (
    awaitsMilestone(config, run) &&
    deps.hooks !== undefined &&
    members.every((m) => m.state === 'started')
  ) {
    const checks = members.map((member) => {
      const task = tasks.get(member.arn);
      return task === undefined ? undefined : fullLoadMilestone(task, member);
    });
    if (checks.every((check) => check?.reached === true)) {
      const plan = deps.hooks.plan();
      const now = deps.clock();
      const loaded = groupLoadSnapshot(members, tasks);
      await changeRun(deps, config, run.id, (current) =>
        current.phase !== 'started' || current.milestone
          ? UNCHANGED
          : reachMilestone(current, loaded, now, plan),
      );
      deps.log.info("every task's full load finished: the group's milestone hooks begin", { runId: run.id });
      return 'continue';
    }
  }
  if (run.phase === 'started' && run.outbox.some((entry) => !isSettled(entry))) {
    return await publishOutbox(deps, config, run);
  }
  return undefined;
}

/** The group's full load as one task's would read: tables summed, from the first start to the last finish. */
function groupLoadSnapshot(members: readonly GroupMember[], tasks: Snapshots): TaskSnapshot {
  const stats = members.map((member) => tasks.get(member.arn)?.stats ?? {});
  const sum = (pick: (s: TaskStats) => number | undefined) =>
    stats.reduce((total, s) => total + (pick(s) ?? 0), 0);
  const dates = (pick: (s: TaskStats) => Date | undefined) =>
    stats.flatMap((s) => (pick(s) === undefined ? [] : [(pick(s) as Date).getTime()]));
  const first = dates((s) => s.fullLoadStartDate);
  const last = dates((s) => s.fullLoadFinishDate);
  const lead = members[0];
  return {
    arn: lead?.arn ?? '',
    identifier: lead?.identifier ?? '',
    status: 'running',
    migrationType: 'full-load-and-cdc',
    stats: {
      fullLoadProgressPercent: 100,
      tablesLoaded: sum((s) => s.tablesLoaded),
      tablesErrored: sum((s) => s.tablesErrored),
      ...(first.length > 0 && { fullLoadStartDate: new Date(Math.min(...first)) }),
      ...(last.length > 0 && { fullLoadFinishDate: new Date(Math.max(...last)) }),
    },
  };
}

/** The limit of the group as deployed; a run left by an earlier deployment runs under today's limit. */
function groupOf(config: BaseConfig, members: readonly GroupMember[]) {
  return config.group ?? { name: config.task.identifier, maxConcurrency: members.length };
}

function waitingFor(members: readonly GroupMember[]): string {
  const active = members.filter(isActiveMember).map((member) => `${member.identifier} ${member.state}`);
  const queued = members.filter((member) => member.state === 'queued').length;
  return `${active.length} of ${members.length} tasks under way (${active.join(', ')})${queued > 0 ? `, ${queued} queued` : ''}`;
}

/**
 * Starts the queued member `index`: its start is recorded first, with this invocation's name, so that a lost
 * answer is settled from DMS and a second invocation never starts it too. A task that is no longer startable
 * when its turn comes (someone started it by hand) is not started, and that member did not succeed.
 */
export async function launchMember(
  deps: RunDeps,
  config: BaseConfig,
  runId: string,
  index: number,
): Promise<void> {
  const queued = memberAt(await currentRun(deps, config, runId), index);
  const task = await deps.tasks.describe(queued.arn);
  const state = startability(task);
  const me = deps.invocationId;
  const requestedAt = deps.clock().toISOString();
  const written = await changeMembers(deps, config, runId, (members, latest) => {
    const member = members[index];
    if (member === undefined) throw new ChangeRefused(`run ${runId} has no member ${index}`);
    if (member.state === 'starting' && member.startedBy === me) return UNCHANGED; // this very write
    if (member.state !== 'queued') throw new ChangeRefused(`task ${member.identifier} is ${member.state}`);
    const replace = (next: GroupMember) => members.map((m, i) => (i === index ? next : m));
    // A member that failed since this start was decided (one started just before, refused) fails the group;
    // a person asking the group to stop means no more of it is started.
    if (hasUnsuccessful(members) || stopAsked(latest)) {
      return replace({ ...member, state: 'not-started' });
    }
    if (!state.startable) {
      return replace(
        finished(
          member,
          {
            kind: 'start-failed',
            explanation: `Task ${member.identifier} was not started when its turn came: ${state.reason}`,
          },
          undefined,
          deps.clock(),
        ),
      );
    }
    return replace({
      ...member,
      state: 'starting',
      before: fingerprintOf(task),
      startRequestedAt: requestedAt,
      startedBy: me,
    });
  });
  const claimed = memberAt(written, index);
  if (claimed.state !== 'starting') return;
  try {
    await startWithFallback(deps, config, runId, index, task, requestOf(claimed, task));
  } catch (error) {
    await afterMemberStartError(deps, config, runId, index, claimed, error);
    return;
  }
  deps.metrics.add('MembersStarted', 1);
  await markMemberStarted(deps, config, runId, index);
}

function requestOf(member: GroupMember, task: TaskSnapshot): StartRequest {
  const startType = member.startType ?? 'start-replication';
  // A CDC start point only means something when change capture starts afresh.
  const cdc = startType === 'start-replication' && task.migrationType !== 'full-load';
  return {
    taskArn: member.arn,
    startType,
    ...(cdc && member.cdcStartTime && { cdcStartTime: new Date(member.cdcStartTime) }),
    ...(cdc && member.cdcStartPosition && { cdcStartPosition: member.cdcStartPosition }),
  };
}

/** As for one task: a start-replication DMS refuses because the task ran before is retried once as a re-run. */
async function startWithFallback(
  deps: RunDeps,
  config: BaseConfig,
  runId: string,
  index: number,
  task: TaskSnapshot,
  request: StartRequest,
): Promise<void> {
  try {
    await deps.tasks.start(request);
  } catch (error) {
    if (!(error instanceof FirstRunOnlyError) || request.startType !== 'start-replication') throw error;
    const startType = reRunStartType(task);
    await changeMember(deps, config, runId, index, (member) =>
      member.startType === startType ? UNCHANGED : { ...member, startType },
    );
    deps.log.warn('DMS refused start-replication for a member; retrying once', {
      task: task.identifier,
      startType,
    });
    await deps.tasks.start({ taskArn: task.arn, startType });
  }
}

async function afterMemberStartError(
  deps: RunDeps,
  config: BaseConfig,
  runId: string,
  index: number,
  member: GroupMember,
  error: unknown,
): Promise<void> {
  const startError = describeError(error).slice(0, 1000);
  deps.log.warn("a group member's start failed; reading the task before deciding anything", {
    task: member.identifier,
    error: startError,
  });
  let task: TaskSnapshot | undefined;
  try {
    task = await deps.tasks.describe(member.arn);
  } catch (readError) {
    deps.log.warn('the task could not be read again; the next notice or tick settles it', {
      error: describeError(readError),
    });
  }
  const refused = error instanceof StartRefusedError || error instanceof FirstRunOnlyError;
  await changeMember(deps, config, runId, index, (current) => {
    if (current.state !== 'starting' || current.startedBy !== member.startedBy) return UNCHANGED;
    if (task !== undefined && hasBegun(task, current)) return { ...current, state: 'started' };
    if (task !== undefined && refused) {
      const explanation = `DMS refused to start task ${current.identifier} (${current.startType}): ${startError}`;
      return finished({ ...current, startError }, { kind: 'start-failed', explanation }, task, deps.clock());
    }
    // Unknown: the member stays `starting`, and after the grace DMS's silence settles it.
    return current.startError === startError ? UNCHANGED : { ...current, startError };
  });
}

async function markMemberStarted(deps: RunDeps, config: BaseConfig, runId: string, index: number) {
  try {
    await changeMember(deps, config, runId, index, (member) =>
      member.state === 'starting' && member.startedBy === deps.invocationId
        ? { ...member, state: 'started' }
        : UNCHANGED,
    );
  } catch (error) {
    // Still `starting`, with its request time: the next step reads DMS and moves it on.
    deps.log.warn("a member's start could not be recorded; the next notice or tick confirms it", {
      error: describeError(error),
    });
  }
}

// ---- writing -----------------------------------------------------------------------------------------------

async function currentRun(deps: RunDeps, config: BaseConfig, runId: string): Promise<Run> {
  const { record } = await deps.store.load(config.task.arn);
  if (record?.run?.id !== runId) throw new ChangeRefused(`run ${runId} is no longer current`);
  return record.run;
}

function memberAt(run: Run, index: number): GroupMember {
  const member = run.members?.[index];
  if (member === undefined) throw new ChangeRefused(`run ${run.id} has no member ${index}`);
  return member;
}

/** Changes the members of run `runId` while it is starting or started; returns the run as written. */
async function changeMembers(
  deps: RunDeps,
  config: BaseConfig,
  runId: string,
  change: (members: readonly GroupMember[], run: Run) => readonly GroupMember[] | typeof UNCHANGED,
): Promise<Run> {
  const record = await updateRecord(deps.store, config.task.arn, (current) => {
    const run = current?.run;
    if (current === undefined || run?.id !== runId || run.members === undefined) {
      throw new ChangeRefused(`run ${runId} is no longer current`);
    }
    if (run.phase !== 'starting' && run.phase !== 'started') {
      throw new ChangeRefused(`run ${runId} is ${run.phase}: its members are settled`);
    }
    const members = change(run.members, run);
    if (members === UNCHANGED || members.every((member, i) => member === run.members?.[i])) {
      return UNCHANGED;
    }
    return { ...current, run: { ...run, members, updatedAt: deps.clock().toISOString() } };
  });
  return record?.run as Run;
}

async function changeMember(
  deps: RunDeps,
  config: BaseConfig,
  runId: string,
  index: number,
  change: (member: GroupMember) => GroupMember | typeof UNCHANGED,
): Promise<GroupMember> {
  const run = await changeMembers(deps, config, runId, (members) => {
    const member = members[index];
    if (member === undefined) throw new ChangeRefused(`run ${runId} has no member ${index}`);
    const next = change(member);
    return next === UNCHANGED ? UNCHANGED : members.map((m, i) => (i === index ? next : m));
  });
  return memberAt(run, index);
}
