// What a run came to, read from the task itself (invariant 3): the notice that woke the post-processor is
// only a hint. Every StopReason DMS documents has a row here; an unknown reason is treated as a failure so
// that someone is told, rather than as a success that would run hooks on a load nobody checked.
import type { TaskSnapshot } from './task.ts';

export type OutcomeKind = 'started' | 'still-running' | 'succeeded' | 'stopped-by-user' | 'failed';

export interface Outcome {
  readonly kind: OutcomeKind;
  /** One sentence for logs and alerts. */
  readonly explanation: string;
}

/** Whether the outcome ends the run: only then are hooks, alerts and the rule acted on. */
export function isTerminal(kind: OutcomeKind): boolean {
  return kind === 'succeeded' || kind === 'stopped-by-user' || kind === 'failed';
}

type StopReasonRule = (task: TaskSnapshot) => Outcome;

const fixed =
  (kind: OutcomeKind, explanation: string): StopReasonRule =>
  () => ({ kind, explanation });

/** A full load that reached 100 % (tables in error are judged by `finishedLoad`); anything less is unfinished. */
function fullLoadReachedEnd(task: TaskSnapshot): boolean {
  const stats = task.stats;
  return stats?.fullLoadProgressPercent === 100 || stats?.fullLoadFinishDate !== undefined;
}

function finishedLoad(explanation: string): StopReasonRule {
  return (task) =>
    (task.stats?.tablesErrored ?? 0) > 0
      ? {
          kind: 'failed',
          explanation: `${explanation}, but ${task.stats?.tablesErrored} table(s) are in error`,
        }
      : { kind: 'succeeded', explanation };
}

/** Keyed by the StopReason without its "Stop Reason " prefix. */
export const STOP_REASON_OUTCOMES: Readonly<Record<string, StopReasonRule>> = {
  FULL_LOAD_ONLY_FINISHED: finishedLoad('The full load finished'),
  STOPPED_AFTER_FULL_LOAD: finishedLoad('The full load finished and the task stopped as configured'),
  STOPPED_AFTER_CACHED_EVENTS: finishedLoad(
    'The full load finished and cached changes were applied; the task stopped as configured',
  ),
  STOPPED_AT_SERVER_TIME: fixed('succeeded', 'The task reached its configured stop time (server time)'),
  STOPPED_AT_COMMIT_TIME: fixed('succeeded', 'The task reached its configured stop time (commit time)'),
  // NORMAL carries no detail: for a full load it may be the end of the load or a stop by hand midway, and
  // for change capture, which never ends by itself, it is a stop by hand.
  NORMAL: (task) =>
    task.migrationType === 'full-load' && fullLoadReachedEnd(task)
      ? finishedLoad('The full load finished')(task)
      : {
          kind: 'stopped-by-user',
          explanation: 'The task was stopped before it finished (Stop Reason NORMAL)',
        },
  STOPPED_AFTER_DDL_APPLY: fixed(
    'stopped-by-user',
    'The task stopped after applying DDL, as its settings ask; the load is not finished',
  ),
  RECOVERABLE_ERROR: fixed('failed', 'The task stopped on a recoverable error'),
  FATAL_ERROR: fixed('failed', 'The task stopped on a fatal error'),
  EXPRESS_LICENSE_LIMITS_REACHED: fixed(
    'failed',
    'The task stopped: the Express edition license limits were reached',
  ),
  STOPPED_DUE_TO_LOW_MEMORY: fixed('failed', 'The task stopped: the replication instance ran low on memory'),
  STOPPED_DUE_TO_LOW_DISK: fixed('failed', 'The task stopped: the replication instance ran low on disk'),
  // DMS stops a task to restart it after a reconfiguration or recycle. Whether it always comes back is not
  // documented, so the run is reported as interrupted: if DMS does restart it, the next notice finds it
  // running and nothing is lost; if it does not, nobody is left waiting on a disabled schedule.
  RECONFIGURATION_RESTART: fixed('failed', 'The task was stopped by DMS for a reconfiguration restart'),
  RECYCLE_TASK: fixed('failed', 'The task was stopped by DMS to be recycled'),
};

const STOP_REASON_PREFIX = /^\s*Stop Reason\s+/;

export function classifyOutcome(task: TaskSnapshot): Outcome {
  switch (task.status) {
    case 'starting':
    case 'running':
      return { kind: 'started', explanation: `The task is ${task.status}` };
    case 'stopping':
    case 'ready':
    case 'creating':
    case 'modifying':
    case 'testing':
    case 'moving':
      return { kind: 'still-running', explanation: `The task is ${task.status}; no outcome yet` };
    case 'failed':
      return {
        kind: 'failed',
        explanation: task.lastFailureMessage
          ? `The task failed: ${task.lastFailureMessage}`
          : 'The task failed',
      };
    case 'deleting':
      return { kind: 'failed', explanation: 'The task is being deleted; the run cannot complete' };
    case 'failed-move':
      return { kind: 'failed', explanation: 'Moving the task to another replication instance failed' };
    case 'stopped': {
      const reason = (task.stopReason ?? '').replace(STOP_REASON_PREFIX, '').trim();
      const rule = STOP_REASON_OUTCOMES[reason];
      if (rule) return rule(task);
      return {
        kind: 'failed',
        explanation: `The task stopped with a stop reason this scheduler does not know (${task.stopReason ?? 'none'})`,
      };
    }
    default:
      return {
        kind: 'failed',
        explanation: `The task is in a status this scheduler does not know (${task.status})`,
      };
  }
}
