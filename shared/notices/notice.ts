// A DMS notice reduced to what the post-processor needs: which task it names and which event it reports.
// It is only a hint that something happened; the task itself is read before anything is decided.
import type { TaskRef } from '../config.ts';

export interface TaskNotice {
  /**
   * How it arrived. `reconcile` is the post-processor's own hourly tick: it carries no task and asks "has a
   * run of our task ended without anyone being told?", so a lost notice can never leave the schedule dead.
   * `milestone-tick` is the faster tick of a full-load-and-cdc stack (runs/milestone.ts): "has the active
   * run's full load finished?", which no DMS event says.
   */
  readonly channel: 'sns' | 'eventbridge' | 'reconcile' | 'milestone-tick';
  /** Event subscriptions (SNS) name the task by identifier. */
  readonly taskIdentifier?: string;
  /** Native EventBridge events name the task by ARN. */
  readonly taskArn?: string;
  /** e.g. DMS-EVENT-0079, when the notice carries one. */
  readonly eventId?: string;
  /** The notice's own text, a hint for the logs only, cut to a bounded length by the parser. */
  readonly message?: string;
}

export interface RejectedInput {
  readonly reason: string;
}

export interface ParsedNotices {
  readonly notices: readonly TaskNotice[];
  readonly rejected: readonly RejectedInput[];
}

export function concernsTask(notice: TaskNotice, task: TaskRef): boolean {
  return (
    notice.channel === 'reconcile' ||
    notice.channel === 'milestone-tick' ||
    notice.taskArn === task.arn ||
    notice.taskIdentifier === task.identifier
  );
}
