// Why this file exists: `status` and `history` show the same run from the ledger, and their `--json` must
// describe it the same way. This is that one view of a Run: every key always present (null when the run has
// no such value yet), dates as ISO strings, so scripts can rely on the shape (README: "Command line"). A run
// from the run history (a RunHistoryEntry) is described in the same shape, with what the history does not
// keep (a hook's report and error, the run's last error) as null.
import type { RunHistoryEntry } from '#shared/runs/history';
import type { GroupMember, HookStatus, MemberState, RuleDecision, Run, RunTrigger } from '#shared/runs/run';

export interface HookSummary {
  readonly name: string;
  readonly status: HookStatus;
  readonly durationMs: number | null;
  readonly rowsMasked: number | null;
  readonly changed: string | null;
  readonly error: string | null;
}

export interface RunSummary {
  readonly id: string;
  readonly trigger: RunTrigger;
  readonly phase: Run['phase'];
  /** True until the run is released: it then holds the task's lock. */
  readonly active: boolean;
  readonly startType: string | null;
  /** When the run took the task's lock. */
  readonly createdAt: string;
  /** For a scheduled run: the schedule's firing it answers. */
  readonly scheduledFor: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** From the start to the task's end; null while the task is still running. */
  readonly durationMs: number | null;
  readonly outcome: { readonly kind: string; readonly explanation: string } | null;
  /** DMS's stop reason for the task's end, when it gave one. */
  readonly stopReason: string | null;
  readonly hooks: readonly HookSummary[];
  /** Hooks the history left out to keep its entry small; 0 unless a configuration has very many hooks. */
  readonly hooksOmitted: number;
  /** The sum over the hooks that recorded one; null when none did (no mask hook, or an older record). */
  readonly rowsMasked: number | null;
  /** What the run does (or did) with the schedule rule when released; null until decided. */
  readonly ruleAction: RuleDecision | null;
  readonly releasedAt: string | null;
  readonly lastError: string | null;
  /**
   * Only for a run group's run read from the ledger: each task's start and end, in the group's order. Absent
   * for one task's run, so its shape is unchanged; a group's run read from the run history has none (the
   * history keeps no members: see `groupTasks`).
   */
  readonly members?: readonly MemberSummary[];
  /**
   * Only for a run group's run: how many tasks it had and how many succeeded (null while unknown: the run is
   * still under way, or a history entry whose explanation was cut).
   */
  readonly groupTasks?: { readonly total: number | null; readonly succeeded: number | null };
  /**
   * Only for a full-load-and-cdc run read from the ledger that reached its "full load finished" milestone:
   * when it was seen. Absent otherwise, so other runs' shape is unchanged.
   */
  readonly milestoneAt?: string;
}

/** One task of a group's run, as the ledger records it. */
export interface MemberSummary {
  readonly arn: string;
  readonly identifier: string;
  readonly state: MemberState;
  readonly startType: string | null;
  /** When its start was asked for; null while it is queued (or was never started). */
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly outcome: { readonly kind: string; readonly explanation: string } | null;
  readonly stopReason: string | null;
  readonly startError: string | null;
}

export function summariseMember(member: GroupMember): MemberSummary {
  const startedAt = member.startRequestedAt ?? null;
  return {
    arn: member.arn,
    identifier: member.identifier,
    state: member.state,
    startType: member.startType ?? null,
    startedAt,
    finishedAt: member.finishedAt ?? null,
    durationMs: startedAt === null ? null : durationOf(startedAt, member.finishedAt),
    outcome: member.outcome ? { kind: member.outcome.kind, explanation: member.outcome.explanation } : null,
    stopReason: member.outcome?.stopReason ?? null,
    startError: member.startError ?? null,
  };
}

/** "1 of 2 tasks of the group succeeded; …" or "All 2 tasks of the group succeeded", as group-members.ts says. */
const GROUP_EXPLANATION =
  /^(?:All (\d+) tasks of the group succeeded|(\d+) of (\d+) tasks of the group succeeded)/;

/**
 * The task counts of a group's run from its outcome's explanation: all the run history keeps of its members.
 * Undefined when the explanation is not a group's (one task's run).
 */
export function groupTasksOfExplanation(
  explanation: string | undefined,
): RunSummary['groupTasks'] | undefined {
  const match = explanation === undefined ? null : GROUP_EXPLANATION.exec(explanation);
  if (match === null) return undefined;
  if (match[1] !== undefined) return { total: Number(match[1]), succeeded: Number(match[1]) };
  return { total: Number(match[3]), succeeded: Number(match[2]) };
}

function groupTasksOf(members: readonly GroupMember[]): NonNullable<RunSummary['groupTasks']> {
  const settled = members.every((member) => member.state === 'finished' || member.state === 'not-started');
  return {
    total: members.length,
    succeeded: settled ? members.filter((member) => member.outcome?.kind === 'succeeded').length : null,
  };
}

export function summariseRun(run: Run): RunSummary {
  const hooks = (run.hooks ?? []).map(
    (hook): HookSummary => ({
      name: hook.name,
      status: hook.status,
      durationMs: hook.durationMs ?? null,
      rowsMasked: hook.rowsMasked ?? null,
      changed: hook.changed ?? null,
      error: hook.error ?? null,
    }),
  );
  const counted = hooks.flatMap((hook) => (hook.rowsMasked === null ? [] : [hook.rowsMasked]));
  const startedAt = run.startRequestedAt ?? run.createdAt;
  return {
    id: run.id,
    trigger: run.trigger,
    phase: run.phase,
    active: run.phase !== 'released',
    startType: run.startType ?? null,
    createdAt: run.createdAt,
    scheduledFor: run.scheduledFor ?? null,
    startedAt,
    finishedAt: run.finishedAt ?? null,
    durationMs: durationOf(startedAt, run.finishedAt),
    outcome: run.outcome ? { kind: run.outcome.kind, explanation: run.outcome.explanation } : null,
    stopReason: run.outcome?.stopReason ?? null,
    hooks,
    hooksOmitted: 0,
    rowsMasked: counted.length === 0 ? null : counted.reduce((sum, rows) => sum + rows, 0),
    ruleAction: run.ruleDecision ?? null,
    releasedAt: run.releasedAt ?? null,
    lastError: run.lastError ?? null,
    ...(run.members && { members: run.members.map(summariseMember), groupTasks: groupTasksOf(run.members) }),
    ...(run.milestone && { milestoneAt: run.milestone.reachedAt }),
  };
}

/**
 * A released run as the history keeps it. `group`: the stack runs a group, so the entry's task counts are
 * shown: the entry's own, or for an entry written before it kept them, read from its explanation (null when
 * that was cut).
 */
export function summariseEntry(entry: RunHistoryEntry, group = false): RunSummary {
  const groupTasks = group
    ? (entry.tasks ?? groupTasksOfExplanation(entry.outcome?.explanation) ?? { total: null, succeeded: null })
    : undefined;
  const startedAt = entry.startRequestedAt ?? entry.createdAt;
  return {
    id: entry.id,
    trigger: entry.trigger,
    phase: 'released',
    active: false,
    startType: entry.startType ?? null,
    createdAt: entry.createdAt,
    scheduledFor: entry.scheduledFor ?? null,
    startedAt,
    finishedAt: entry.finishedAt ?? null,
    durationMs: durationOf(startedAt, entry.finishedAt),
    outcome: entry.outcome ? { kind: entry.outcome.kind, explanation: entry.outcome.explanation } : null,
    stopReason: entry.outcome?.stopReason ?? null,
    hooks: entry.hooks.map((hook) => ({
      name: hook.name,
      status: hook.status,
      durationMs: hook.durationMs ?? null,
      rowsMasked: hook.rowsMasked ?? null,
      changed: null,
      error: null,
    })),
    hooksOmitted: entry.hooksOmitted,
    rowsMasked: entry.rowsMasked ?? null,
    ruleAction: entry.ruleDecision ?? null,
    releasedAt: entry.releasedAt,
    lastError: null,
    ...(groupTasks && { groupTasks }),
  };
}

/** From the start to the task's end; null while the task is still running. */
function durationOf(startedAt: string, finishedAt: string | undefined): number | null {
  return finishedAt === undefined ? null : Date.parse(finishedAt) - Date.parse(startedAt);
}

/**
 * "2 succeeded, 1 skipped": the hooks' statuses counted, in the order a run moves through them, and how many
 * more the history left out.
 */
export function countHooks(hooks: readonly HookSummary[], omitted = 0): string {
  if (hooks.length === 0 && omitted === 0) return 'none';
  const order: readonly HookStatus[] = [
    'succeeded',
    'failed',
    'interrupted',
    'skipped',
    'running',
    'pending',
  ];
  return order
    .map((status) => [status, hooks.filter((hook) => hook.status === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .concat(omitted > 0 ? [`${omitted} more`] : [])
    .join(', ');
}
