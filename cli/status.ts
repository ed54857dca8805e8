// Why this file exists: `dms-scheduler status` answers "what is my deployment doing right now?" from the
// three sources of truth at once: DMS (the task, invariant 4), the schedule rule (is tomorrow's run armed?)
// and the run ledger (which run holds the lock, what the last one came to). Reading is here, over the
// domain's ports; the human text is status-format.ts; the `--json` shape is StatusReport, documented in the
// README and kept stable (`version` changes when a key does). For a run group, DMS is asked about each member
// and the report adds `group` and `members` (its `task` is then null); one task's report is as it always was.
import type { TaskControl, TaskSnapshot } from '#shared/dms/task';
import { TaskMismatchError } from '#shared/errors';
import { HISTORY_RETENTION_DAYS } from '#shared/runs/history';
import { activeRun, type Run, type TaskRecord } from '#shared/runs/run';
import type { RunStore } from '#shared/runs/store';
import type { RuleState, ScheduleRule } from '#shared/schedule/rule';
import { askAws } from './aws.ts';
import type { Deployment } from './deployment.ts';
import { DeploymentError } from './errors.ts';
import { type MemberSummary, type RunSummary, summariseMember, summariseRun } from './run-summary.ts';

/** What the ledger holds, said the same way in `status`, `history` and their JSON. */
export const LEDGER_KEEPS =
  `the task's current or last run in its record, and a summary of each released run for ` +
  `${HISTORY_RETENTION_DAYS} days after the UTC day it began`;

/** A task as DMS reports it. */
export interface TaskView {
  readonly arn: string;
  readonly identifier: string;
  readonly status: string;
  readonly migrationType: string;
  readonly stopReason: string | null;
  readonly lastFailureMessage: string | null;
  readonly lastStartedAt: string | null;
  readonly fullLoadProgressPercent: number | null;
  readonly tables: {
    readonly loaded: number | null;
    readonly loading: number | null;
    readonly queued: number | null;
    readonly errored: number | null;
  } | null;
}

/** A task of a run group: DMS's view of it, and where it stands in the active (or else the last) run. */
export interface MemberStatus extends TaskView {
  /** Null when the ledger holds no run of the group, or a run from before this task was in it. */
  readonly run: MemberSummary | null;
}

export interface StatusReport {
  readonly kind: 'status';
  readonly version: 1;
  readonly stack: { readonly name: string; readonly status: string; readonly namePrefix: string };
  readonly mode: Deployment['mode'];
  /** The one task; null for a run group, whose tasks are `members`. */
  readonly task: TaskView | null;
  /** Only for a run group: its name (the stack's NamePrefix) and the key of its ledger record and history. */
  readonly group?: { readonly name: string; readonly key: string; readonly tasks: number };
  /** Only for a run group: each task, in the group's order. */
  readonly members?: readonly MemberStatus[];
  /** Null in one-time mode, which has no schedule rule. */
  readonly rule: { readonly name: string; readonly state: RuleState } | null;
  /** The task's lock: held by the active run, if there is one. */
  readonly lock: { readonly held: boolean; readonly runId: string | null; readonly since: string | null };
  /** Set when the failure policy keeps the rule disabled after a run (RuleAfterFailure keep-disabled). */
  readonly holdOff: { readonly runId: string; readonly since: string } | null;
  readonly activeRun: RunSummary | null;
  /** The last run, once released; null while a run is active (the record holds only one). */
  readonly lastRun: RunSummary | null;
  readonly ledger: { readonly table: string; readonly keeps: string };
}

export interface StatusPorts {
  readonly tasks: TaskControl;
  readonly rule: ScheduleRule | undefined;
  readonly store: RunStore;
}

export async function readStatus(ports: StatusPorts, deployment: Deployment): Promise<StatusReport> {
  const [tasks, ruleState, stored] = await Promise.all([
    // One DescribeReplicationTasks per task: the adapter reads one ARN at a time, as the functions do.
    Promise.all(deployment.members.map((member) => describeTask(ports.tasks, deployment, member.arn))),
    ports.rule ? askAws('EventBridge DescribeRule', () => (ports.rule as ScheduleRule).state()) : undefined,
    askAws('DynamoDB GetItem (run ledger)', () => ports.store.load(deployment.task.arn)),
  ]);
  return statusReport(deployment, tasks, ruleState, stored.record);
}

/** The report from what was read: `tasks` are DMS's view of the deployment's members, in order. Pure. */
export function statusReport(
  deployment: Deployment,
  tasks: readonly TaskSnapshot[],
  ruleState: RuleState | undefined,
  record: TaskRecord | undefined,
): StatusReport {
  const active = activeRun(record);
  const last = record?.run !== undefined && active === undefined ? record.run : undefined;
  const group = deployment.group;
  const subject = group
    ? {
        task: null,
        group: { name: group.name, key: deployment.task.arn, tasks: deployment.members.length },
        members: tasks.map((task) => memberStatus(task, active ?? last)),
      }
    : { task: taskView(tasks[0] as TaskSnapshot) };
  return {
    kind: 'status',
    version: 1,
    stack: {
      name: deployment.stack.name,
      status: deployment.stack.status,
      namePrefix: deployment.namePrefix,
    },
    mode: deployment.mode,
    ...subject,
    rule:
      deployment.scheduleRule && ruleState ? { name: deployment.scheduleRule.name, state: ruleState } : null,
    lock: { held: active !== undefined, runId: active?.id ?? null, since: active?.createdAt ?? null },
    holdOff: record?.holdOff ?? null,
    activeRun: active ? summariseRun(active) : null,
    lastRun: last ? summariseRun(last) : null,
    ledger: { table: deployment.runLedgerTable, keeps: LEDGER_KEEPS },
  };
}

export function taskView(task: TaskSnapshot): TaskView {
  const stats = task.stats;
  const counts = [stats?.tablesLoaded, stats?.tablesLoading, stats?.tablesQueued, stats?.tablesErrored];
  return {
    arn: task.arn,
    identifier: task.identifier,
    status: task.status,
    migrationType: task.migrationType,
    stopReason: task.stopReason ?? null,
    lastFailureMessage: task.lastFailureMessage ?? null,
    lastStartedAt: task.lastStartDate?.toISOString() ?? null,
    fullLoadProgressPercent: stats?.fullLoadProgressPercent ?? null,
    tables: counts.every((count) => count === undefined)
      ? null
      : {
          loaded: stats?.tablesLoaded ?? null,
          loading: stats?.tablesLoading ?? null,
          queued: stats?.tablesQueued ?? null,
          errored: stats?.tablesErrored ?? null,
        },
  };
}

function memberStatus(task: TaskSnapshot, run: Run | undefined): MemberStatus {
  const member = run?.members?.find((candidate) => candidate.arn === task.arn);
  return { ...taskView(task), run: member ? summariseMember(member) : null };
}

async function describeTask(tasks: TaskControl, deployment: Deployment, arn: string): Promise<TaskSnapshot> {
  return askAws('DMS DescribeReplicationTasks', async () => {
    try {
      return await tasks.describe(arn);
    } catch (error) {
      if (error instanceof TaskMismatchError) {
        throw new DeploymentError(
          `stack ${deployment.stack.name}: Parameter ReplicationTaskArn names a task that does not exist (${arn})`,
        );
      }
      throw error;
    }
  });
}
