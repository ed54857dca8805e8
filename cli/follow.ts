// Why this file exists: `dms-scheduler wait` follows the active run to its settled end, and that following is
// a loop worth getting right on its own: DMS passes through ready, starting, running, stopping and stopped or
// failed (the SDK's own waiters give up on the intermediate ones), and the run is only settled once the
// post-processor has recorded the outcome, run the hooks and given the schedule back (phase `released`). The
// loop is here, over the domain's ports (TaskControl, RunStore) with the clock and the sleep injected, so tests
// drive a whole run in milliseconds; what is shown of each poll is a pure ProgressView; printing is elsewhere.
// A run group's run is followed the same way: its record under the group's key, and each member under way
// read from DMS at each poll, one view per member (and one for the group once every member has ended).
import type { TaskControl, TaskSnapshot } from '#shared/dms/task';
import {
  activeRun,
  type GroupMember,
  type Phase,
  type Run,
  reviveStats,
  type TaskRecord,
} from '#shared/runs/run';
import type { RunStore } from '#shared/runs/store';
import { explainAwsFailure } from './aws.ts';
import { AwsCallError } from './errors.ts';
import { formatDuration } from './time-text.ts';

export interface FollowPorts {
  readonly tasks: TaskControl;
  readonly store: RunStore;
}

export interface FollowTiming {
  readonly intervalMs: number;
  readonly clock: () => Date;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborted on Ctrl-C: following stops; the run is left alone. */
  readonly signal?: AbortSignal;
  /** A poll may fail this many times in a row (each call already retried by the SDK) before wait gives up. */
  readonly failedPollsAllowed: number;
}

export interface TableCounts {
  readonly loaded: number | null;
  readonly loading: number | null;
  readonly queued: number | null;
  readonly errored: number | null;
}

/**
 * What is followed: the ledger record under `ledgerKey` (a task's ARN, or a group's `group/<name>`) and, for a
 * group, `group` names it. A plain string is one task: its ARN is both.
 */
export interface FollowTarget {
  readonly ledgerKey: string;
  readonly group?: string | undefined;
}

/** What one poll shows: the task's progress and where the run is. */
export interface ProgressView {
  /**
   * Absent for one task. For a group: the member's identifier, or `group NAME` for the view of the group
   * itself, shown once every member has ended (its hooks, its alert, the rule).
   */
  readonly label?: string;
  /** Only on a group's own view: how many of its tasks have ended. */
  readonly settled?: { readonly done: number; readonly total: number };
  readonly runId: string;
  readonly phase: Phase;
  readonly taskStatus: string;
  readonly percent: number | null;
  readonly tables: TableCounts;
  /** Since the run asked DMS to start the task. */
  readonly elapsedMs: number;
  /** Of the full load, from its progress so far; null when there is nothing to go on (or it is done). */
  readonly remainingMs: number | null;
  /** One phrase: what the run is doing now. */
  readonly stage: string;
}

export type FollowEnd =
  | { readonly kind: 'no-active-run'; readonly record: TaskRecord | undefined }
  | { readonly kind: 'settled'; readonly record: TaskRecord; readonly run: Run }
  /** The ledger holds a newer run: the followed one was released and replaced between two polls. */
  | { readonly kind: 'superseded'; readonly runId: string; readonly record: TaskRecord | undefined }
  | { readonly kind: 'interrupted'; readonly runId: string };

export interface FollowListener {
  progress(view: ProgressView): void;
  /** A poll failed and is retried at the next one. */
  retrying(problem: string): void;
}

const ABORTED = Symbol('aborted');

export async function followRun(
  ports: FollowPorts,
  target: string | FollowTarget,
  timing: FollowTiming,
  listener: FollowListener,
): Promise<FollowEnd> {
  const { ledgerKey, group } = typeof target === 'string' ? { ledgerKey: target, group: undefined } : target;
  const untilAborted = <T>(work: Promise<T>) => raceAbort(work, timing.signal);
  const first = await untilAborted(readLedger(ports.store, ledgerKey));
  if (first === ABORTED) return { kind: 'interrupted', runId: '' };
  const followed = activeRun(first);
  if (followed === undefined) return { kind: 'no-active-run', record: first };
  /** The last snapshot of each task read: a member that ended is no longer read, and shown as it ended. */
  const lastTasks = new Map<string, TaskSnapshot>();
  let failedPolls = 0;
  for (;;) {
    if (timing.signal?.aborted) return { kind: 'interrupted', runId: followed.id };
    const poll = await untilAborted(pollOnce(ports, ledgerKey));
    if (poll === ABORTED) return { kind: 'interrupted', runId: followed.id };
    if ('failure' in poll) {
      failedPolls += 1;
      if (failedPolls > timing.failedPollsAllowed) {
        throw new AwsCallError(
          poll.what,
          `${poll.what} failed at ${failedPolls} polls in a row, each retried by the SDK (${explainAwsFailure(poll.failure)}); the run goes on: see dms-scheduler status`,
          { cause: poll.failure },
        );
      }
      listener.retrying(
        `${poll.what} failed (${explainAwsFailure(poll.failure)}); trying again at the next poll (${failedPolls} of ${timing.failedPollsAllowed} allowed in a row)`,
      );
    } else {
      failedPolls = 0;
      const run = poll.record?.run;
      if (run?.id !== followed.id) return { kind: 'superseded', runId: followed.id, record: poll.record };
      if (run.phase === 'released' && poll.record) return { kind: 'settled', record: poll.record, run };
      for (const task of poll.tasks) lastTasks.set(task.arn, task);
      for (const view of progressViews(run, lastTasks, ledgerKey, group, timing.clock())) {
        listener.progress(view);
      }
    }
    await timing.sleep(timing.intervalMs, timing.signal);
  }
}

type Poll =
  | { readonly record: TaskRecord | undefined; readonly tasks: readonly TaskSnapshot[] }
  | { readonly failure: unknown; readonly what: string };

/**
 * The ledger first: a released run needs no task read. Then the task, or each member of a group that is
 * starting or running (one DescribeReplicationTasks each): a queued member or one that ended is shown from
 * the record.
 */
async function pollOnce(ports: FollowPorts, ledgerKey: string): Promise<Poll> {
  let record: TaskRecord | undefined;
  try {
    record = (await ports.store.load(ledgerKey)).record;
  } catch (failure) {
    return { failure, what: 'DynamoDB GetItem (run ledger)' };
  }
  const run = record?.run;
  if (run === undefined || run.phase === 'released') return { record, tasks: [] };
  const arns = run.members
    ? run.members.filter((member) => UNDER_WAY.has(member.state)).map((member) => member.arn)
    : [ledgerKey];
  try {
    return { record, tasks: await Promise.all(arns.map((arn) => ports.tasks.describe(arn))) };
  } catch (failure) {
    return { failure, what: 'DMS DescribeReplicationTasks' };
  }
}

const UNDER_WAY: ReadonlySet<GroupMember['state']> = new Set(['starting', 'started']);

async function readLedger(store: RunStore, taskArn: string): Promise<TaskRecord | undefined> {
  try {
    return (await store.load(taskArn)).record;
  } catch (error) {
    throw new AwsCallError(
      'DynamoDB GetItem (run ledger)',
      `DynamoDB GetItem (run ledger) failed: ${explainAwsFailure(error)}`,
      { cause: error },
    );
  }
}

async function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABORTED> {
  if (signal === undefined) return work;
  if (signal.aborted) return ABORTED;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** The sleep `wait` uses: a timer that ends early on abort. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

// ---- what a poll shows: pure ------------------------------------------------------------------------------

/**
 * The views of one poll: one task's (once it has been read), or each member's of a group, and the group's own
 * once every member has ended.
 */
export function progressViews(
  run: Run,
  tasks: ReadonlyMap<string, TaskSnapshot>,
  ledgerKey: string,
  group: string | undefined,
  now: Date,
): ProgressView[] {
  const members = run.members;
  if (members === undefined) {
    const task = tasks.get(ledgerKey);
    return task ? [progressView(run, task, now)] : [];
  }
  const views = members.map((member) => memberView(run, member, tasks.get(member.arn), now));
  if (run.phase !== 'starting' && run.phase !== 'started') {
    views.push(groupView(run, members, group ?? ledgerKey, now));
  }
  return views;
}

/** One member of a group: DMS's progress while it is under way, its end as the record has it afterwards. */
export function memberView(
  run: Run,
  member: GroupMember,
  task: TaskSnapshot | undefined,
  now: Date,
): ProgressView {
  const underWay = UNDER_WAY.has(member.state);
  const stats = underWay ? task?.stats : (reviveStats(member.stats) ?? task?.stats);
  const finishedLoad = stats?.fullLoadFinishDate !== undefined;
  const percent = stats?.fullLoadProgressPercent ?? (finishedLoad ? 100 : null);
  const startedAt = member.startRequestedAt === undefined ? undefined : Date.parse(member.startRequestedAt);
  const endedAt = member.finishedAt === undefined ? now.getTime() : Date.parse(member.finishedAt);
  const loadStart = stats?.fullLoadStartDate?.getTime();
  const loadElapsed =
    stats?.elapsedTimeMillis ?? (loadStart === undefined ? undefined : now.getTime() - loadStart);
  const running = underWay && task?.status === 'running';
  return {
    label: member.identifier,
    runId: run.id,
    phase: run.phase,
    taskStatus: underWay ? (task?.status ?? 'unknown') : member.state,
    percent,
    tables: {
      loaded: stats?.tablesLoaded ?? null,
      loading: stats?.tablesLoading ?? null,
      queued: stats?.tablesQueued ?? null,
      errored: stats?.tablesErrored ?? null,
    },
    // A member never started (queued, or not to be) has spent no time yet.
    elapsedMs:
      startedAt === undefined || member.state === 'queued' || member.state === 'not-started'
        ? 0
        : Math.max(0, endedAt - startedAt),
    remainingMs: running ? estimateRemainingMs(percent, loadElapsed) : null,
    stage: memberStage(member, task),
  };
}

export function memberStage(member: GroupMember, task: TaskSnapshot | undefined): string {
  switch (member.state) {
    case 'queued':
      return "queued: it starts when the group's concurrency limit lets it";
    case 'starting':
      return task ? `the start is asked for (DMS: ${task.status})` : 'the start is asked for';
    case 'started':
      return task ? taskStage(task) : 'started';
    case 'finished':
      return `ended: ${member.outcome?.kind ?? 'finished'}`;
    case 'not-started':
      return 'not started: another task of the group did not succeed';
  }
}

/** The group itself, once its members have ended: how many did, and what the run does now (hooks, alert, rule). */
export function groupView(run: Run, members: readonly GroupMember[], name: string, now: Date): ProgressView {
  const done = members.filter((member) => member.state === 'finished' || member.state === 'not-started');
  const startedAt = Date.parse(run.startRequestedAt ?? run.createdAt);
  return {
    label: `group ${name}`,
    settled: { done: done.length, total: members.length },
    runId: run.id,
    phase: run.phase,
    taskStatus: run.phase,
    percent: members.length === 0 ? null : Math.round((done.length / members.length) * 100),
    tables: { loaded: null, loading: null, queued: null, errored: null },
    elapsedMs: Math.max(0, now.getTime() - startedAt),
    remainingMs: null,
    stage: stageOf(run, undefined),
  };
}

export function progressView(run: Run, task: TaskSnapshot, now: Date): ProgressView {
  const stats = task.stats;
  const finishedLoad = stats?.fullLoadFinishDate !== undefined;
  const percent = stats?.fullLoadProgressPercent ?? (finishedLoad ? 100 : null);
  const startedAt = Date.parse(run.startRequestedAt ?? run.createdAt);
  const loadStart = stats?.fullLoadStartDate?.getTime();
  const loadElapsed =
    stats?.elapsedTimeMillis ?? (loadStart === undefined ? undefined : now.getTime() - loadStart);
  return {
    runId: run.id,
    phase: run.phase,
    taskStatus: task.status,
    percent,
    tables: {
      loaded: stats?.tablesLoaded ?? null,
      loading: stats?.tablesLoading ?? null,
      queued: stats?.tablesQueued ?? null,
      errored: stats?.tablesErrored ?? null,
    },
    elapsedMs: Math.max(0, now.getTime() - startedAt),
    remainingMs: task.status === 'running' ? estimateRemainingMs(percent, loadElapsed) : null,
    stage: stageOf(run, task),
  };
}

/**
 * What is left of the full load if it goes on at the pace it has kept so far: linear in the percent DMS
 * reports, the only measure it gives. Null below 1 % (too early to say) and once it is done.
 */
export function estimateRemainingMs(percent: number | null, elapsedMs: number | undefined): number | null {
  if (percent === null || elapsedMs === undefined || percent < 1 || percent >= 100 || elapsedMs <= 0) {
    return null;
  }
  return Math.round((elapsedMs * (100 - percent)) / percent);
}

/** Where the run is, in one phrase: from the ledger's phase and, before the outcome, DMS's status. */
export function stageOf(run: Run, task: TaskSnapshot | undefined): string {
  switch (run.phase) {
    case 'starting':
      return run.members
        ? "the task-starter is starting the group's tasks"
        : 'the task-starter is starting the task';
    case 'started':
      return task ? taskStage(task) : "the group's tasks are running";
    case 'finished':
      return run.outcome?.kind === 'succeeded'
        ? 'load succeeded; the hooks are next'
        : `${run.outcome?.kind ?? 'ended'}; the alert is being sent`;
    case 'hooks': {
      const hooks = run.hooks ?? [];
      const done = hooks.filter((hook) => hook.status !== 'pending' && hook.status !== 'running').length;
      const running = hooks.find((hook) => hook.status === 'running');
      return `hooks ${done}/${hooks.length} done${running ? `, ${running.name} running` : ''}`;
    }
    case 'hooks-done':
    case 'hooks-interrupted':
      return `${run.phase}; alerts being sent`;
    case 'notified':
      return 'the schedule is being given back';
    case 'released':
      return 'settled';
  }
}

function taskStage(task: TaskSnapshot): string {
  switch (task.status) {
    case 'ready':
    case 'starting':
      return `DMS is starting the task (${task.status})`;
    case 'running':
      return 'full load running';
    case 'stopping':
      return 'DMS is stopping the task';
    case 'stopped':
      return `task stopped (${task.stopReason ?? 'no stop reason'}); the post-processor settles the run`;
    case 'failed':
      return `task failed${task.lastFailureMessage ? ` (${task.lastFailureMessage})` : ''}; the post-processor settles the run`;
    default:
      return `task ${task.status}`;
  }
}

/** "42% | tables: 3 loaded, 2 loading, 1 queued, 0 errored | full load running | 3m 05s elapsed, about 4m 10s left" */
export function formatProgressLine(view: ProgressView): string {
  if (view.settled) {
    return `${view.label}: ${[`${view.settled.done}/${view.settled.total} tasks ended`, view.stage, formatTimes(view)].join(' | ')}`;
  }
  return (
    (view.label === undefined ? '' : `${view.label}: `) +
    [
      view.percent === null ? '--%' : `${view.percent}%`,
      `tables: ${formatTables(view.tables)}`,
      view.stage,
      formatTimes(view),
    ].join(' | ')
  );
}

export function formatTables(tables: TableCounts): string {
  const count = (value: number | null) => (value === null ? '-' : String(value));
  return `${count(tables.loaded)} loaded, ${count(tables.loading)} loading, ${count(tables.queued)} queued, ${count(tables.errored)} errored`;
}

export function formatTimes(view: ProgressView): string {
  const elapsed = `${formatDuration(view.elapsedMs)} elapsed`;
  return view.remainingMs === null ? elapsed : `${elapsed}, about ${formatDuration(view.remainingMs)} left`;
}
