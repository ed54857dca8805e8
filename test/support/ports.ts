// Recording test doubles for the domain's ports (task, rule, alerts, log, metrics, store, hooks, clock) and
// config builders, so tests of the run logic can script what DMS answers and read back exactly what changed.
import type { Alert, Alerts } from '#shared/alerts/alerts';
import { loadPostProcessorConfig, loadStarterConfig } from '#shared/config';
import type { StartRequest, TaskControl, TaskSnapshot } from '#shared/dms/task';
import type {
  HookPlanEntry,
  HookRunner,
  HookRunOptions,
  HooksReport,
  OnFailure,
  RunSummary,
} from '#shared/hooks/contract';
import { SequentialHookRunner } from '#shared/hooks/runner';
import type { Log } from '#shared/log';
import type { MetricKind, MetricName, Metrics } from '#shared/metrics';
import type { HistoryQuery, HistoryWrite, RunHistory, RunHistoryEntry } from '#shared/runs/history';
import { MemoryRunHistory } from '#shared/runs/memory-history';
import { MemoryRunStore } from '#shared/runs/memory-store';
import type { Run, TaskRecord } from '#shared/runs/run';
import type { RunStore, StoredRecord } from '#shared/runs/store';
import type { RuleState, ScheduleRule } from '#shared/schedule/rule';

export const TASK_ARN = 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const TASK_ID = 'nightly-refresh';
export const RULE_NAME = 'dms-scheduler-schedule';
export const RULE_ARN = `arn:aws:events:us-east-1:123456789012:rule/${RULE_NAME}`;
export const RECONCILE_RULE_ARN = 'arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-reconcile';

export const BASE_ENV = {
  REPLICATION_TASK_ARN: TASK_ARN,
  REPLICATION_TASK_IDENTIFIER: TASK_ID,
  MIGRATION_REFRESH_INDICATOR: 'data-refresh',
  MIGRATION_REFRESH_TYPE: 'full-load',
  SCHEDULE_OR_ONE_TIME: 'schedule',
  SCHEDULE_RULE_ARN: RULE_ARN,
  RECONCILE_RULE_ARN,
  ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-alerts',
  RUN_LEDGER_TABLE: 'dms-scheduler-runs',
} as const;

export const starterConfig = (env: Record<string, string> = {}) => loadStarterConfig({ ...BASE_ENV, ...env });
export const postProcessorConfig = (env: Record<string, string> = {}) =>
  loadPostProcessorConfig({ ...BASE_ENV, ...env });

export function task(overrides: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return { arn: TASK_ARN, identifier: TASK_ID, status: 'ready', migrationType: 'full-load', ...overrides };
}

/** A task that ran before and finished its full load. */
export function finishedTask(overrides: Partial<TaskSnapshot> = {}): TaskSnapshot {
  const started = new Date('2026-11-23T00:00:05Z');
  const stopped = new Date('2026-11-23T00:41:07Z');
  return task({
    status: 'stopped',
    stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
    lastStartDate: started,
    stats: {
      startDate: started,
      fullLoadStartDate: started,
      fullLoadFinishDate: stopped,
      stopDate: stopped,
      fullLoadProgressPercent: 100,
      tablesLoaded: 12,
      tablesErrored: 0,
    },
    ...overrides,
  });
}

/** TaskControl whose describe answers are scripted and whose start calls are recorded (or fail as told). */
export class ScriptedTasks implements TaskControl {
  readonly describeCalls: string[] = [];
  readonly startCalls: StartRequest[] = [];
  /** Errors thrown by successive start calls; `undefined` means that call succeeds. */
  startErrors: (Error | undefined)[] = [];

  constructor(public snapshot: TaskSnapshot) {}

  async describe(taskArn: string): Promise<TaskSnapshot> {
    this.describeCalls.push(taskArn);
    return this.snapshot;
  }

  async start(request: StartRequest): Promise<void> {
    this.startCalls.push(request);
    const error = this.startErrors[this.startCalls.length - 1];
    if (error) throw error;
  }
}

/** The schedule rule as a state and a list of calls; a call may be told to fail a number of times. */
export class RecordingRule implements ScheduleRule {
  readonly calls: ('state' | 'disable' | 'enable')[] = [];
  failOn: 'state' | 'disable' | 'enable' | undefined;
  /** How many times the failing call fails before it succeeds. */
  failures = Number.POSITIVE_INFINITY;

  constructor(
    public current: RuleState = 'ENABLED',
    readonly name: string = RULE_NAME,
  ) {}

  async state(): Promise<RuleState> {
    this.record('state');
    return this.current;
  }

  async disable(): Promise<void> {
    this.record('disable');
    this.current = 'DISABLED';
  }

  async enable(): Promise<void> {
    this.record('enable');
    this.current = 'ENABLED';
  }

  private record(call: 'state' | 'disable' | 'enable'): void {
    this.calls.push(call);
    if (this.failOn === call && this.failures > 0) {
      this.failures -= 1;
      throw new Error(`ConcurrentModificationException: ${call} failed`);
    }
  }
}

export class RecordingMetrics implements Metrics {
  readonly recorded: { name: MetricName; value: number; kind: MetricKind }[] = [];

  add(name: MetricName, value: number, kind: MetricKind = 'count'): void {
    this.recorded.push({ name, value, kind });
  }

  total(name: MetricName): number {
    return this.recorded.filter((entry) => entry.name === name).reduce((sum, entry) => sum + entry.value, 0);
  }
}

export class RecordingAlerts implements Alerts {
  readonly published: Alert[] = [];
  failures = 0;

  async publish(alert: Alert): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('AuthorizationErrorException: not allowed to publish');
    }
    this.published.push(alert);
  }
}

export class RecordingLog implements Log {
  readonly entries: { level: string; message: string; attributes?: Record<string, unknown> }[] = [];
  debug = (message: string, attributes?: Record<string, unknown>) =>
    this.record('debug', message, attributes);
  info = (message: string, attributes?: Record<string, unknown>) => this.record('info', message, attributes);
  warn = (message: string, attributes?: Record<string, unknown>) => this.record('warn', message, attributes);
  error = (message: string, attributes?: Record<string, unknown>) =>
    this.record('error', message, attributes);

  private record(level: string, message: string, attributes?: Record<string, unknown>): void {
    this.entries.push({ level, message, ...(attributes && { attributes }) });
  }
}

// ---- helpers for the run state machine's tests (added with the durable run record) ----------------------

/** A clock tests move by hand: `date` is the `clock` port. */
export class ManualClock {
  constructor(public now: number = Date.parse('2026-11-23T01:00:00Z')) {}

  date = (): Date => new Date(this.now);

  advance(ms: number): void {
    this.now += ms;
  }
}

/**
 * A RunStore over another (a MemoryRunStore by default) that records every load and save, in order, and
 * can be told to fail or to lose saves: `beforeSave` runs before each save and may throw (the save then
 * never reaches the store) or return false (the save is reported lost to another writer, unwritten).
 */
export class RecordingStore implements RunStore {
  readonly calls: ('load' | 'save')[] = [];
  /** Records written, in order (successful saves only). */
  readonly written: TaskRecord[] = [];
  beforeSave: ((record: TaskRecord, expectedVersion: number) => boolean | undefined) | undefined;
  loadError: Error | undefined;

  constructor(readonly inner: RunStore = new MemoryRunStore()) {}

  async load(taskArn: string): Promise<StoredRecord> {
    this.calls.push('load');
    if (this.loadError) throw this.loadError;
    return this.inner.load(taskArn);
  }

  async save(taskArn: string, record: TaskRecord, expectedVersion: number): Promise<boolean> {
    this.calls.push('save');
    if (this.beforeSave?.(record, expectedVersion) === false) return false;
    const saved = await this.inner.save(taskArn, record, expectedVersion);
    if (saved) this.written.push(record);
    return saved;
  }

  /** The task's record as stored now. */
  async record(taskArn: string = TASK_ARN): Promise<TaskRecord | undefined> {
    return (await this.inner.load(taskArn)).record;
  }
}

/**
 * A RunHistory over a MemoryRunHistory that records every write it is asked for, in order, and can be told
 * to fail: `failWith` throws before the write reaches the history; `loseAnswerWith` throws after it was
 * applied (a response lost on its way back). Each is used once, then cleared.
 */
export class RecordingHistory implements RunHistory {
  readonly writes: RunHistoryEntry[] = [];
  failWith: Error | undefined;
  loseAnswerWith: Error | undefined;

  constructor(readonly inner: RunHistory = new MemoryRunHistory()) {}

  async record(taskArn: string, entry: RunHistoryEntry): Promise<HistoryWrite> {
    this.writes.push(entry);
    const fail = this.failWith;
    this.failWith = undefined;
    if (fail) throw fail;
    const written = await this.inner.record(taskArn, entry);
    const lost = this.loseAnswerWith;
    this.loseAnswerWith = undefined;
    if (lost) throw lost;
    return written;
  }

  list(taskArn: string, query: HistoryQuery): Promise<RunHistoryEntry[]> {
    return this.inner.list(taskArn, query);
  }

  /** Every entry the history holds for the task, newest first, up to `until` (the tests' clocks: Nov 2026). */
  all(taskArn: string = TASK_ARN, until = new Date('2026-12-01T00:00:00Z')): Promise<RunHistoryEntry[]> {
    return this.inner.list(taskArn, { since: new Date(0), until, limit: Number.MAX_SAFE_INTEGER });
  }
}

/** Writes `record` as the task's first record (version 1) into `store`. */
export async function seedRecord(
  store: RunStore,
  record: TaskRecord,
  taskArn: string = TASK_ARN,
): Promise<void> {
  if (!(await store.save(taskArn, record, 0))) {
    throw new Error('seedRecord: the store already holds a record');
  }
}

/** A run as the store holds it, with every required field filled; `overrides` sets the phase and the rest. */
export function runFixture(overrides: Partial<Run> = {}): Run {
  const created = '2026-11-23T00:00:00.000Z';
  return {
    id: `${created}~abcdef`,
    trigger: 'schedule',
    phase: 'starting',
    createdAt: created,
    updatedAt: created,
    before: 0,
    startType: 'reload-target',
    ruleOwned: true,
    outbox: [],
    ...overrides,
  };
}

export interface HookSpec {
  readonly name: string;
  readonly rerunnable?: boolean;
  readonly always?: boolean;
  readonly onFailure?: OnFailure;
  /** The hook throws this message every time it runs. */
  readonly fails?: string;
  /** Runs inside the hook, before it returns: to look at the store while the hook holds its lease. */
  readonly during?: () => Promise<void>;
  /** What the hook reports it masked (as a mask hook does), for the RowsMasked metric and the run record. */
  readonly rowsMasked?: number;
}

/**
 * A HookRunner over the real SequentialHookRunner (so the journal calls are the runner's own), whose hooks
 * record each time they run and what options each `run` call was given.
 */
export class RecordingHooks implements HookRunner {
  /** Hook names, once per time the hook's code ran. */
  readonly ran: string[] = [];
  readonly runCalls: HookRunOptions[] = [];
  private readonly runner: SequentialHookRunner;

  constructor(specs: readonly HookSpec[]) {
    this.runner = new SequentialHookRunner(
      specs.map((spec) => ({
        name: spec.name,
        ...(spec.rerunnable !== undefined && { rerunnable: spec.rerunnable }),
        ...(spec.always !== undefined && { always: spec.always }),
        ...(spec.onFailure !== undefined && { onFailure: spec.onFailure }),
        run: async () => {
          this.ran.push(spec.name);
          await spec.during?.();
          if (spec.fails !== undefined) throw new Error(spec.fails);
          return {
            changed: `${spec.name} done`,
            ...(spec.rowsMasked !== undefined && { rowsMasked: spec.rowsMasked }),
          };
        },
      })),
    );
  }

  plan(): readonly HookPlanEntry[] {
    return this.runner.plan();
  }

  run(
    run: RunSummary,
    log: Log,
    remainingTimeMs: () => number,
    options?: HookRunOptions,
  ): Promise<HooksReport> {
    this.runCalls.push(options ?? {});
    return this.runner.run(run, log, remainingTimeMs, options);
  }
}
