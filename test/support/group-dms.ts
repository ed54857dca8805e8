// DMS for several tasks at once, as the run-group tests need it: each task has its own status and history,
// a start is recorded and moves the task to `starting` (or fails as told), and a test ends a task's run by
// hand (`finish`), as DMS would, with the stop reason of a success, a failure or a stop by hand. Config
// builders for a group stack sit beside it.
import { loadPostProcessorConfig, loadStarterConfig } from '#shared/config';
import type { StartRequest, TaskControl, TaskSnapshot } from '#shared/dms/task';
import { BASE_ENV } from './ports.ts';

export const GROUP_NAME = 'nightly-group';

export interface GroupTask {
  readonly arn: string;
  readonly identifier: string;
}

export function groupTasks(count: number): GroupTask[] {
  return Array.from({ length: count }, (_, i) => ({
    arn: `arn:aws:dms:us-east-1:123456789012:task:GROUPTASK${String.fromCharCode(65 + i)}`,
    identifier: `load-part-${i + 1}`,
  }));
}

export function groupEnv(tasks: readonly GroupTask[], maxConcurrency = 0): Record<string, string> {
  return {
    ...BASE_ENV,
    REPLICATION_TASK_ARN: tasks.map((task) => task.arn).join(','),
    REPLICATION_TASK_IDENTIFIER: tasks.map((task) => task.identifier).join(','),
    RUN_GROUP_NAME: GROUP_NAME,
    GROUP_MAX_CONCURRENCY: String(maxConcurrency),
  };
}

export const groupStarterConfig = (tasks: readonly GroupTask[], maxConcurrency = 0, env = {}) =>
  loadStarterConfig({ ...groupEnv(tasks, maxConcurrency), ...env });
export const groupPostProcessorConfig = (tasks: readonly GroupTask[], maxConcurrency = 0, env = {}) =>
  loadPostProcessorConfig({ ...groupEnv(tasks, maxConcurrency), ...env });

export type Ending = 'succeeded' | 'failed' | 'stopped-by-user';

export class GroupDms implements TaskControl {
  readonly startCalls: StartRequest[] = [];
  readonly describeCalls: string[] = [];
  /** Errors thrown by the next start of a task, by ARN, once each; `applied` also starts it (answer lost). */
  readonly startErrors = new Map<string, { error: Error; applied?: boolean }>();
  readonly describeErrors = new Map<string, Error>();
  private readonly tasks = new Map<string, TaskSnapshot>();

  constructor(
    members: readonly GroupTask[],
    private readonly clock: () => Date,
    migrationType = 'full-load',
  ) {
    for (const member of members) {
      this.tasks.set(member.arn, { ...member, status: 'ready', migrationType });
    }
  }

  snapshot(arn: string): TaskSnapshot {
    const task = this.tasks.get(arn);
    if (task === undefined) throw new Error(`no task ${arn}`);
    return task;
  }

  set(arn: string, change: Partial<TaskSnapshot>): void {
    this.tasks.set(arn, { ...this.snapshot(arn), ...change });
  }

  async describe(taskArn: string): Promise<TaskSnapshot> {
    this.describeCalls.push(taskArn);
    const error = this.describeErrors.get(taskArn);
    if (error) {
      this.describeErrors.delete(taskArn);
      throw error;
    }
    return this.snapshot(taskArn);
  }

  async start(request: StartRequest): Promise<void> {
    this.startCalls.push(request);
    const failure = this.startErrors.get(request.taskArn);
    if (failure) this.startErrors.delete(request.taskArn);
    if (failure && !failure.applied) throw failure.error;
    const now = this.clock();
    this.set(request.taskArn, {
      status: 'starting',
      lastStartDate: now,
      stats: { startDate: now, fullLoadStartDate: now, fullLoadProgressPercent: 0 },
    });
    if (failure) throw failure.error;
  }

  /** The task runs (a minute after its start, say). */
  run(arn: string): void {
    this.set(arn, { status: 'running' });
  }

  /** Ends the task's run as DMS reports it. */
  finish(arn: string, ending: Ending): void {
    const now = this.clock();
    const stats = this.snapshot(arn).stats ?? {};
    if (ending === 'succeeded') {
      this.set(arn, {
        status: 'stopped',
        stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
        stats: { ...stats, fullLoadFinishDate: now, stopDate: now, fullLoadProgressPercent: 100 },
      });
    } else if (ending === 'stopped-by-user') {
      this.set(arn, {
        status: 'stopped',
        stopReason: 'Stop Reason NORMAL',
        stats: { ...stats, stopDate: now, fullLoadProgressPercent: 40 },
      });
    } else {
      this.set(arn, {
        status: 'failed',
        stopReason: 'Stop Reason FATAL_ERROR',
        lastFailureMessage: 'Last Error Stream Component Fatal error.',
        stats: { ...stats, stopDate: now, fullLoadProgressPercent: 40 },
      });
    }
  }

  startsOf(arn: string): StartRequest[] {
    return this.startCalls.filter((call) => call.taskArn === arn);
  }
}
