// Which start type a run needs, decided from the task's state and history (invariant 4). The founding
// template passed the start type as a fixed parameter, so its second run always failed; here it is derived
// on every run, and an explicit override is checked against the same facts before anything changes.
import { StartTypeRefusedError } from '../errors.ts';
import { hasRunBefore, type StartType, type TaskSnapshot } from './task.ts';

/** Statuses in which DMS accepts StartReplicationTask. Everything else, unknown statuses included, is not startable. */
const STARTABLE = new Set<string>(['ready', 'stopped', 'failed']);

const WHY_NOT_STARTABLE: Record<string, string> = {
  running: 'the task is already running',
  starting: 'the task is already starting',
  stopping: 'the task is stopping; start it again once it has stopped',
  creating: 'the task is still being created',
  modifying: 'the task is being modified',
  deleting: 'the task is being deleted',
  testing: 'a premigration assessment is running',
  moving: 'the task is being moved to another replication instance',
  'failed-move': 'moving the task failed; fix or move it again before starting it',
};

export type Startability = { startable: true } | { startable: false; reason: string };

export function startability(task: TaskSnapshot): Startability {
  if (STARTABLE.has(task.status)) return { startable: true };
  const why = WHY_NOT_STARTABLE[task.status];
  return {
    startable: false,
    // The raw status is always named, so the reason can be matched against the console and the API.
    reason: why
      ? `${why} (status ${task.status})`
      : `the task's status "${task.status}" is not one DMS starts from`,
  };
}

/** The start type for a task that has run before: a full load starts over; change capture resumes. */
export function reRunStartType(task: TaskSnapshot): StartType {
  if (task.migrationType === 'cdc') return 'resume-processing';
  if (task.migrationType === 'full-load-and-cdc' && task.stats?.fullLoadFinishDate !== undefined) {
    // The full load finished earlier and CDC was under way: carry on from the last stop position.
    return 'resume-processing';
  }
  return 'reload-target';
}

export interface StartTypeChoice {
  readonly startType: StartType;
  readonly reason: string;
}

/**
 * Chooses the start type, or validates the override against the task. Throws `StartTypeRefusedError` for an
 * override that DMS would reject or that would corrupt the target, so the caller changes nothing.
 */
export function chooseStartType(task: TaskSnapshot, override?: StartType): StartTypeChoice {
  const ranBefore = hasRunBefore(task);
  if (override === undefined) {
    return ranBefore
      ? { startType: reRunStartType(task), reason: `the task has run before (${task.migrationType})` }
      : { startType: 'start-replication', reason: 'first run of the task' };
  }
  if (override === 'start-replication' && ranBefore) {
    refuse(override, 'is only valid for a task that has never run; this task has run before');
  }
  if (override !== 'start-replication' && !ranBefore) {
    refuse(override, 'is only valid for a task that has run before; a first run must use start-replication');
  }
  if (override === 'resume-processing' && task.migrationType === 'full-load') {
    refuse(
      override,
      'cannot re-run a full-load task reliably; use reload-target to load it again from scratch',
    );
  }
  return { startType: override, reason: 'explicit override' };
}

function refuse(startType: StartType, why: string): never {
  throw new StartTypeRefusedError(`Start type ${startType} ${why}.`);
}
