// Recording test doubles for the domain's ports (task, rule, alerts, log) and config builders, so tests of
// the run logic can script what DMS answers and read back exactly what the code changed.
import type { Alert, Alerts } from '#shared/alerts/alerts';
import { loadPostProcessorConfig, loadStarterConfig } from '#shared/config';
import type { StartRequest, TaskControl, TaskSnapshot } from '#shared/dms/task';
import type { Log } from '#shared/log';
import type { RuleState, RunLock } from '#shared/schedule/lock';

export const TASK_ARN = 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const TASK_ID = 'nightly-refresh';
export const RULE_NAME = 'dms-scheduler-schedule';

export const BASE_ENV = {
  REPLICATION_TASK_ARN: TASK_ARN,
  REPLICATION_TASK_IDENTIFIER: TASK_ID,
  MIGRATION_REFRESH_INDICATOR: 'data-refresh',
  MIGRATION_REFRESH_TYPE: 'full-load',
  SCHEDULE_OR_ONE_TIME: 'schedule',
  SCHEDULE_RULE_NAME: RULE_NAME,
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

export class RecordingLock implements RunLock {
  readonly calls: ('disable' | 'enable')[] = [];
  failOn: 'disable' | 'enable' | undefined;
  /** How many times the failing call fails before it succeeds. */
  failures = Number.POSITIVE_INFINITY;

  constructor(
    public state: RuleState = 'ENABLED',
    readonly ruleName: string = RULE_NAME,
  ) {}

  async disable(): Promise<RuleState> {
    return this.change('disable', 'DISABLED');
  }

  async enable(): Promise<RuleState> {
    return this.change('enable', 'ENABLED');
  }

  private change(call: 'disable' | 'enable', to: RuleState): RuleState {
    this.calls.push(call);
    if (this.failOn === call && this.failures > 0) {
      this.failures -= 1;
      throw new Error(`ConcurrentModificationException: ${call} failed`);
    }
    this.state = to;
    return to;
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
