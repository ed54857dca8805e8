// A run group's members, as pure data: how each moves on from what DMS shows, which may start next under the
// concurrency limit, and how the group ended once none is left to wait for. Kept apart from the steps that
// call DMS (group.ts) so that every rule here is a function of the record and the snapshots alone, and so
// re-applicable by a compare-and-swap that lost a race.
import type { RunGroup } from '../config.ts';
import { classifyOutcome, isTerminal } from '../dms/outcome.ts';
import type { TaskSnapshot } from '../dms/task.ts';
import {
  type GroupMember,
  hasBegun,
  type MemberState,
  type RunOutcome,
  type RunOutcomeKind,
  serializeStats,
} from './run.ts';

/** What DMS showed of the members just read, by ARN. */
export type Snapshots = ReadonlyMap<string, TaskSnapshot>;

const ACTIVE: ReadonlySet<MemberState> = new Set(['starting', 'started']);

export function isActiveMember(member: GroupMember): boolean {
  return ACTIVE.has(member.state);
}

/** Every member is settled (finished, or never to be started): the group's run can finish. */
export function allSettled(members: readonly GroupMember[]): boolean {
  return members.every((member) => member.state === 'finished' || member.state === 'not-started');
}

/**
 * The members after reading DMS: a start that took effect is `started`, a task that reached an outcome is
 * `finished` with it, and a start DMS never showed within the grace is `finished` as start-failed. Members DMS
 * was not read for (absent from `tasks`) are left as they are. After any member ended other than in success,
 * no queued member is started: the group's run is already a failure, and starting more would only load more
 * of a target no hook will mask; those members are `not-started`. So are they once a person asked the group
 * to stop (`stopAsked`), whichever member's end is settled first.
 */
export function settleMembers(
  members: readonly GroupMember[],
  tasks: Snapshots,
  now: Date,
  graceMs: number,
  stopAsked = false,
): readonly GroupMember[] {
  const settled = members.map((member) => settleMember(member, tasks.get(member.arn), now, graceMs));
  if (!stopAsked && !hasUnsuccessful(settled)) return settled;
  return settled.map((member) =>
    member.state === 'queued' ? { ...member, state: 'not-started' as const } : member,
  );
}

function settleMember(
  member: GroupMember,
  task: TaskSnapshot | undefined,
  now: Date,
  graceMs: number,
): GroupMember {
  if (task === undefined || !isActiveMember(member)) return member;
  const withinGrace = now.getTime() - Date.parse(member.startRequestedAt ?? '') < graceMs;
  if (!hasBegun(task, member)) {
    if (withinGrace) return member;
    const explanation =
      member.state === 'started'
        ? 'DMS accepted the start, but the task never ran'
        : `DMS never showed the start requested at ${member.startRequestedAt}` +
          (member.startError ? ` (its answer was lost: ${member.startError})` : '');
    return finished(member, { kind: 'start-failed', explanation }, undefined, now);
  }
  const outcome = classifyOutcome(task);
  if (!isTerminal(outcome.kind)) return member.state === 'started' ? member : { ...member, state: 'started' };
  return finished(member, outcomeOf(outcome.kind as RunOutcomeKind, outcome.explanation, task), task, now);
}

export function outcomeOf(kind: RunOutcomeKind, explanation: string, task: TaskSnapshot): RunOutcome {
  return {
    kind,
    explanation,
    ...(task.stopReason && { stopReason: task.stopReason }),
    ...(kind !== 'succeeded' && task.lastFailureMessage && { lastFailureMessage: task.lastFailureMessage }),
  };
}

export function finished(
  member: GroupMember,
  outcome: RunOutcome,
  task: TaskSnapshot | undefined,
  now: Date,
): GroupMember {
  const stats = outcome.kind === 'start-failed' ? undefined : serializeStats(task?.stats);
  return {
    ...member,
    state: 'finished',
    outcome,
    finishedAt: now.toISOString(),
    ...(stats && { stats }),
  };
}

/** Some member ended other than in success: the group cannot succeed, and starts no more members. */
export function hasUnsuccessful(members: readonly GroupMember[]): boolean {
  return members.some((member) => member.state === 'finished' && member.outcome?.kind !== 'succeeded');
}

/** Indexes of the queued members that may start now, in the group's order, within the concurrency limit. */
export function nextToStart(members: readonly GroupMember[], group: RunGroup): number[] {
  const free = group.maxConcurrency - members.filter(isActiveMember).length;
  if (free <= 0) return [];
  return members.flatMap((member, index) => (member.state === 'queued' ? [index] : [])).slice(0, free);
}

/**
 * How the group's run ended, once every member is settled: succeeded only when every member succeeded. The
 * explanation names each task that did not, first, so an alert's first line says which task to look at.
 */
export function groupOutcome(members: readonly GroupMember[]): RunOutcome {
  const total = members.length;
  const succeeded = members.filter((member) => member.outcome?.kind === 'succeeded');
  if (succeeded.length === total) {
    return { kind: 'succeeded', explanation: `All ${total} tasks of the group succeeded` };
  }
  const unsuccessful = members.filter((member) => member.outcome?.kind !== 'succeeded');
  const lines = unsuccessful.map((member) =>
    member.state === 'not-started'
      ? `task ${member.identifier} was not started, since another task of the group did not succeed`
      : `task ${member.identifier}: ${member.outcome?.explanation ?? 'no outcome'}`,
  );
  const first = unsuccessful.find((member) => member.outcome !== undefined)?.outcome;
  const ran = members.some(
    (member) => member.outcome !== undefined && member.outcome.kind !== 'start-failed',
  );
  return {
    kind: groupKind(members, ran),
    explanation: `${succeeded.length} of ${total} tasks of the group succeeded; ${lines.join('; ')}`,
    ...(first?.stopReason && { stopReason: first.stopReason }),
    ...(first?.lastFailureMessage && { lastFailureMessage: first.lastFailureMessage }),
  };
}

/** `start-failed` only when no member ran at all; a failure outweighs a stop by hand. */
function groupKind(members: readonly GroupMember[], ran: boolean): RunOutcomeKind {
  if (!ran) return 'start-failed';
  const kinds = new Set(members.map((member) => member.outcome?.kind));
  if (kinds.has('failed') || kinds.has('start-failed')) return 'failed';
  return 'stopped-by-user';
}
