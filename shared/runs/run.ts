// A run as a durable record. Every step a run still owes (start it, learn its outcome, run its hooks, send
// its alert, give the schedule back) is written here before it is attempted, so whichever invocation comes
// next (a notice, a Lambda retry, the reconcile tick) can complete it, and none can repeat one that is done.
// The task's record holds its current (or last) run: while that run is not `released`, it is the task's lock.
// Pure data and pure functions only; the store and the steps that move a run live beside it.
import type { Alert } from '../alerts/alerts.ts';
import type { OutcomeKind } from '../dms/outcome.ts';
import type { StartType, TaskSnapshot, TaskStats } from '../dms/task.ts';

/**
 * `starting → started → finished → hooks → hooks-done | hooks-interrupted → notified → released`. A run that
 * did not succeed goes from `finished` straight to `notified` once its alert is out; one with no hooks to run
 * goes from `finished` to `hooks-done`.
 */
export const PHASES = [
  'starting',
  'started',
  'finished',
  'hooks',
  'hooks-done',
  'hooks-interrupted',
  'notified',
  'released',
] as const;
export type Phase = (typeof PHASES)[number];

/** Who began the run: the schedule, a person, or DMS itself (a start from the console, adopted on its end). */
export type RunTrigger = 'schedule' | 'manual' | 'adopted';

/** How the run ended: the task's own outcome, or `start-failed` when DMS never ran it. */
export type RunOutcomeKind = Exclude<OutcomeKind, 'started' | 'still-running'> | 'start-failed';

export interface RunOutcome {
  readonly kind: RunOutcomeKind;
  readonly explanation: string;
  readonly stopReason?: string;
  readonly lastFailureMessage?: string;
}

export type HookStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'interrupted';

export interface HookProgress {
  readonly name: string;
  readonly status: HookStatus;
  readonly rerunnable: boolean;
  /** Runs even after an earlier hook failed or was interrupted (a cleanup); never skipped. */
  readonly always?: boolean;
  /** How many times an invocation began it (a rerunnable hook may be resumed after an interruption). */
  readonly attempts: number;
  /** While running: which invocation holds it, and until when (epoch ms); after that it was interrupted. */
  readonly owner?: string;
  readonly leaseUntil?: number;
  readonly durationMs?: number;
  readonly changed?: string;
  /** Rows a mask hook changed (a count, never data): what `dms-scheduler history` shows per run. */
  readonly rowsMasked?: number;
  readonly error?: string;
}

/**
 * Where an outbox entry goes: an `alert` to the alerts topic, a `success` notice (a succeeded run's summary)
 * to the topic NotifyOnSuccess names, a `cutover` notice (a full-load-and-cdc run's full load finished and its
 * hooks succeeded: ready for cut-over) to that topic too, or to the alerts topic when NotifyOnSuccess is off
 * (see milestone.ts). Entries written before success notices existed have no kind: alerts.
 */
export type OutboxKind = 'alert' | 'success' | 'cutover';

/** An alert the run owes: recorded before it is published, published until SNS acknowledges it. */
export interface OutboxEntry {
  /** `<run id>:<what>`; one entry per id, so an alert is never queued twice. */
  readonly id: string;
  /** Absent for an alert. */
  readonly kind?: OutboxKind;
  readonly subject: string;
  /** Dropped once sent, to keep the record small. */
  readonly message?: string;
  readonly sentAt?: string;
  /** The invocation sending it, until when: two invocations draining at once must not both publish. */
  readonly claimedBy?: string;
  readonly claimUntil?: number;
  readonly attempts: number;
  readonly lastError?: string;
  /**
   * Set instead of `sentAt` when a success notice was owed but the deployment no longer sends any
   * (NotifyOnSuccess was set to off meanwhile): the notice is given up, rather than holding the lock forever.
   */
  readonly droppedAt?: string;
}

/** The run with `alert` queued in its outbox as `kind`, once: an entry with the same id is never added twice. */
export function queueOnce(run: Run, alert: Alert, kind: OutboxKind): Run {
  if (run.outbox.some((entry) => entry.id === alert.id)) return run;
  const entry: OutboxEntry = {
    id: alert.id as string,
    ...(kind !== 'alert' && { kind }),
    subject: alert.subject,
    message: alert.message,
    attempts: 0,
  };
  return { ...run, outbox: [...run.outbox, entry] };
}

/** Sent, or given up: nothing more is owed for this entry. */
export function isSettled(entry: OutboxEntry): boolean {
  return entry.sentAt !== undefined || entry.droppedAt !== undefined;
}

/** What the run does with the schedule rule when it is released. */
export type RuleDecision = 'enable' | 'keep-disabled' | 'none';

export interface Run {
  readonly id: string;
  readonly trigger: RunTrigger;
  readonly phase: Phase;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * The task's fingerprint (see `fingerprintOf`) just before this run started it: DMS showing a later one
   * is the proof that the start took effect, whether or not its answer arrived.
   */
  readonly before: number;
  readonly startType?: StartType;
  /** For a scheduled run: the time of the schedule's firing (the event's `time`), which no later run reuses. */
  readonly scheduledFor?: string;
  /** Written before StartReplicationTask is called, so a crash after the call is resolved by reading DMS. */
  readonly startRequestedAt?: string;
  readonly startError?: string;
  /**
   * True when this run disabled the schedule rule (or took over a hold-off the failure policy left): only
   * then may it enable the rule. A rule disabled by hand is never this run's to enable.
   */
  readonly ruleOwned: boolean;
  readonly outcome?: RunOutcome;
  /** The task's statistics when the run finished, dates as ISO strings. */
  readonly stats?: Readonly<Record<string, string | number>>;
  readonly finishedAt?: string;
  readonly hooks?: readonly HookProgress[];
  readonly ruleDecision?: RuleDecision;
  readonly outbox: readonly OutboxEntry[];
  readonly releasedAt?: string;
  /**
   * A person asked DMS to stop this run's task (`dms-scheduler stop`). Written before the stop is asked for, so
   * the run's outcome can say who stopped it even if the command died right after; `notApplied` says why DMS
   * refused it, and then the request explains nothing.
   */
  readonly stopRequested?: StopRequest;
  /** The last step that failed, for the next attempt's log and the stuck-run alarm's investigation. */
  readonly lastError?: string;
  /**
   * A run group's tasks, each with its own start and outcome (shared/runs/group.ts); absent for one task,
   * whose start and outcome are the run's own fields. The run leaves `started` once every member is settled.
   */
  readonly members?: readonly GroupMember[];
  /**
   * A full-load-and-cdc run's full load finished while the task went on replicating (milestone.ts): written,
   * with the run's move into its hooks, by one compare-and-swap. The hooks run then, once; the run's end
   * never runs them again.
   */
  readonly milestone?: Milestone;
}

/**
 * Where one member of a group stands: `queued` (not started yet: the concurrency limit), `starting` (its start
 * is recorded, DMS does not show it yet), `started`, `finished` (its outcome is known), or `not-started` (the
 * group stopped starting members after a failure).
 */
export type MemberState = 'queued' | 'starting' | 'started' | 'finished' | 'not-started';

export interface GroupMember {
  readonly arn: string;
  readonly identifier: string;
  readonly state: MemberState;
  /** The member's fingerprint just before its start was recorded: a later one proves the start took effect. */
  readonly before: number;
  readonly startType?: StartType;
  /** Where change capture starts, for a start-replication of a CDC task: decided with the run, as for a task. */
  readonly cdcStartTime?: string;
  readonly cdcStartPosition?: string;
  /** Written before its start is asked for, with the invocation asking: a lost answer is read back from DMS. */
  readonly startRequestedAt?: string;
  readonly startedBy?: string;
  readonly startError?: string;
  readonly outcome?: RunOutcome;
  readonly stats?: Readonly<Record<string, string | number>>;
  readonly finishedAt?: string;
}

export interface Milestone {
  readonly reachedAt: string;
  /** The task's statistics that showed it, dates as ISO strings (counts and times only). */
  readonly stats: Readonly<Record<string, string | number>>;
}

export interface StopRequest {
  readonly by: 'cli';
  readonly at: string;
  /** The AWS identity that asked, when the command line could tell. */
  readonly principal?: string;
  readonly notApplied?: string;
}

export interface TaskRecord {
  readonly run?: Run;
  /**
   * The latest task fingerprint some run has accounted for. A finished task whose fingerprint is not newer is
   * an old run, whatever arrives about it and however long ago; this record never expires.
   */
  readonly seen: number;
  /**
   * The latest schedule firing that started a run: a scheduled event for it, or for an earlier one, is a late
   * or repeated delivery (EventBridge delivers at least once) and starts nothing.
   */
  readonly lastScheduledFor?: string;
  /** The schedule rule is kept disabled by the failure policy (`keep-disabled`) after this run. */
  readonly holdOff?: { readonly runId: string; readonly since: string };
}

/** A run is active, and holds the task's lock, until it is released. */
export function activeRun(record: TaskRecord | undefined): Run | undefined {
  const run = record?.run;
  return run !== undefined && run.phase !== 'released' ? run : undefined;
}

/**
 * The latest date DMS has recorded for the task (epoch ms, 0 for a task that never ran). A start, a resume, a
 * reload and a stop each move one of these dates forward; `ReplicationTaskStartDate` alone may not move on
 * `resume-processing` (undocumented), so all of them are taken.
 */
export function fingerprintOf(task: TaskSnapshot): number {
  const stats = task.stats;
  const dates = [
    task.lastStartDate,
    stats?.startDate,
    stats?.freshStartDate,
    stats?.fullLoadStartDate,
    stats?.fullLoadFinishDate,
    stats?.stopDate,
  ];
  return dates.reduce<number>((latest, date) => Math.max(latest, date?.getTime() ?? 0), 0);
}

const RUNNING_STATUSES = new Set(['starting', 'running', 'stopping']);

/** True once DMS shows that this run's start took effect (`run` may be a group's member). */
export function hasBegun(task: TaskSnapshot, run: Pick<Run, 'before'>): boolean {
  return RUNNING_STATUSES.has(task.status) || fingerprintOf(task) > run.before;
}

export function newRunId(now: Date, random: () => number = Math.random): string {
  const suffix = Math.floor(random() * 0xffffff)
    .toString(16)
    .padStart(6, '0');
  return `${now.toISOString()}~${suffix}`;
}

/** Names one invocation in the leases it takes: the request id, and a suffix that keeps local ones apart. */
export function invocationIdOf(requestId: string | undefined, random: () => number = Math.random): string {
  const suffix = Math.floor(random() * 0xffffffff).toString(16);
  return `${requestId ?? 'local'}~${suffix}`;
}

export function serializeStats(stats: TaskStats | undefined): Record<string, string | number> | undefined {
  if (stats === undefined) return undefined;
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(stats)) {
    if (value instanceof Date) out[key] = value.toISOString();
    else if (typeof value === 'number') out[key] = value;
  }
  return out;
}

const STAT_DATES = new Set([
  'startDate',
  'freshStartDate',
  'fullLoadStartDate',
  'fullLoadFinishDate',
  'stopDate',
]);

export function reviveStats(stats: Run['stats']): TaskStats | undefined {
  if (stats === undefined) return undefined;
  const out: Record<string, Date | number> = {};
  for (const [key, value] of Object.entries(stats)) {
    out[key] = STAT_DATES.has(key) && typeof value === 'string' ? new Date(value) : Number(value);
  }
  return out as TaskStats;
}
