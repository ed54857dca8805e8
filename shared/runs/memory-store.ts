// An in-process RunStore with the same compare-and-swap semantics as the DynamoDB one: the local run uses
// it, and so do unit tests of the steps. Records are copied in and out, as a real store would, so a caller
// can never change a stored record by holding on to it.

import type { TaskRecord } from './run.ts';
import type { RunStore, StoredRecord } from './store.ts';

export class MemoryRunStore implements RunStore {
  private readonly items = new Map<string, { json: string; version: number }>();

  async load(taskArn: string): Promise<StoredRecord> {
    const item = this.items.get(taskArn);
    return item
      ? { record: JSON.parse(item.json) as TaskRecord, version: item.version }
      : { record: undefined, version: 0 };
  }

  async save(taskArn: string, record: TaskRecord, expectedVersion: number): Promise<boolean> {
    const current = this.items.get(taskArn)?.version ?? 0;
    if (current !== expectedVersion) return false;
    this.items.set(taskArn, { json: JSON.stringify(record), version: current + 1 });
    return true;
  }
}
