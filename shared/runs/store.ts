// The run store: one record per task (its lock and its current run), changed only by compare-and-swap, so
// two invocations racing for the same step cannot both take it. `update` is the one way the steps write:
// it re-reads and re-applies the change after a conflict, so a write whose answer was lost (applied, then
// retried into a conflict) is recognised as already done, because every change is written as "make it so".
import type { TaskRecord } from './run.ts';

export interface StoredRecord {
  readonly record: TaskRecord | undefined;
  /** 0 when there is no record yet. */
  readonly version: number;
}

export interface RunStore {
  load(taskArn: string): Promise<StoredRecord>;
  /** Writes the record if the stored version is still `expectedVersion`; false when another writer came first. */
  save(taskArn: string, record: TaskRecord, expectedVersion: number): Promise<boolean>;
}

/** Returned by a change that finds nothing to do: the record already says what it would write. */
export const UNCHANGED = Symbol('unchanged');

/** Thrown by a change that must not be applied to the record as it now stands. */
export class ChangeRefused extends Error {
  override readonly name = 'ChangeRefused';
}

/** A change that keeps losing the race means something is writing in a loop: stop rather than spin. */
const MAX_CONFLICTS = 8;

export class StoreContentionError extends Error {
  override readonly name = 'StoreContentionError';
}

/**
 * Applies `change` to the task's record by compare-and-swap and returns the record as it stands afterwards.
 * `change` must be pure: it may be called again on a newer record after a conflict.
 */
export async function updateRecord(
  store: RunStore,
  taskArn: string,
  change: (current: TaskRecord | undefined) => TaskRecord | typeof UNCHANGED,
): Promise<TaskRecord | undefined> {
  for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
    const { record, version } = await store.load(taskArn);
    const next = change(record);
    if (next === UNCHANGED) return record;
    if (await store.save(taskArn, next, version)) return next;
  }
  throw new StoreContentionError(`The run record of ${taskArn} kept changing under ${MAX_CONFLICTS} writes`);
}

/**
 * The store, with its first load answered by a record just read: a step that read the record to decide
 * what to do writes on that same read (its compare-and-swap still catches any write in between), instead of
 * reading it a second time. Every later load reads the store again.
 */
export function primedWith(store: RunStore, read: StoredRecord): RunStore {
  let pending: StoredRecord | undefined = read;
  return {
    load: async (taskArn) => {
      const primed = pending;
      pending = undefined;
      return primed ?? store.load(taskArn);
    },
    save: (taskArn, record, expectedVersion) => store.save(taskArn, record, expectedVersion),
  };
}
