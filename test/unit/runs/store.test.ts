// The store is where two invocations meet: updateRecord must apply a change exactly once by compare-and-
// swap (re-reading and re-applying after a lost race, never writing over a newer record), write nothing for
// UNCHANGED or a refusal, and stop rather than spin; MemoryRunStore, which the unit tests and the local run
// stand on, must keep the same version semantics as DynamoDB and never share a record with its callers.
import { describe, expect, it } from 'vitest';
import { MemoryRunStore } from '#shared/runs/memory-store';
import type { TaskRecord } from '#shared/runs/run';
import { ChangeRefused, primedWith, StoreContentionError, UNCHANGED, updateRecord } from '#shared/runs/store';
import { RecordingStore, runFixture, seedRecord, TASK_ARN } from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

const OTHER_ARN = `${TASK_ARN}X`;

describe('updateRecord', () => {
  it('creates the first record, passing the change "no record"', async () => {
    const store = new RecordingStore();
    const seenByChange: (TaskRecord | undefined)[] = [];
    const result = await updateRecord(store, TASK_ARN, (current) => {
      seenByChange.push(current);
      return { seen: 7 };
    });
    expect(seenByChange).toEqual([undefined]);
    expect(result).toEqual({ seen: 7 });
    expect(await store.inner.load(TASK_ARN)).toEqual({ record: { seen: 7 }, version: 1 });
  });

  it('writes nothing for UNCHANGED and returns the record as it stands', async () => {
    const store = new RecordingStore();
    await seedRecord(store.inner, { seen: 3 });
    const result = await updateRecord(store, TASK_ARN, () => UNCHANGED);
    expect(result).toEqual({ seen: 3 });
    expect(store.calls).toEqual(['load']);
    expect((await store.inner.load(TASK_ARN)).version).toBe(1);
  });

  it('re-reads and re-applies the change on the newer record after losing a race', async () => {
    const store = new RecordingStore();
    await seedRecord(store.inner, { seen: 1 });
    let raced = false;
    store.beforeSave = () => {
      if (!raced) {
        raced = true;
        // Another writer gets in between this change's load and its save.
        void store.inner.save(TASK_ARN, { seen: 10 }, 1);
      }
      return undefined;
    };
    const inputs: number[] = [];
    const result = await updateRecord(store, TASK_ARN, (current) => {
      inputs.push(current?.seen ?? -1);
      return { seen: (current?.seen ?? 0) + 1 };
    });
    expect(inputs).toEqual([1, 10]);
    expect(result).toEqual({ seen: 11 });
    expect(await store.inner.load(TASK_ARN)).toEqual({ record: { seen: 11 }, version: 3 });
  });

  it('recognises its own write whose answer was lost: the re-applied change finds nothing to do', async () => {
    const store = new RecordingStore();
    await seedRecord(store.inner, { seen: 1 });
    let first = true;
    store.beforeSave = (record, version) => {
      if (!first) return undefined;
      first = false;
      // The write lands, but its caller is told it lost (a retried request meeting its own condition).
      void store.inner.save(TASK_ARN, record, version);
      return false;
    };
    const change = (current: TaskRecord | undefined) => (current?.seen === 2 ? UNCHANGED : { seen: 2 });
    expect(await updateRecord(store, TASK_ARN, change)).toEqual({ seen: 2 });
    expect(await store.inner.load(TASK_ARN)).toEqual({ record: { seen: 2 }, version: 2 });
  });

  it('throws StoreContentionError after 8 lost races, never spinning on', async () => {
    const store = new RecordingStore();
    store.beforeSave = () => false;
    const error = await rejection(updateRecord(store, TASK_ARN, () => ({ seen: 1 })));
    expect(error).toBeInstanceOf(StoreContentionError);
    expect(String(error)).toContain(TASK_ARN);
    expect(store.calls.filter((call) => call === 'save')).toHaveLength(8);
    expect((await store.inner.load(TASK_ARN)).record).toBeUndefined();
  });

  it('lets a refusal out of the change, having written nothing', async () => {
    const store = new RecordingStore();
    await seedRecord(store.inner, { seen: 1 });
    const error = await rejection(
      updateRecord(store, TASK_ARN, () => {
        throw new ChangeRefused('not now');
      }),
    );
    expect(error).toBeInstanceOf(ChangeRefused);
    expect(store.calls).toEqual(['load']);
  });

  it.each([
    ['load', (store: RecordingStore) => (store.loadError = new Error('ProvisionedThroughputExceeded'))],
    [
      'save',
      (store: RecordingStore) =>
        (store.beforeSave = () => {
          throw new Error('ProvisionedThroughputExceeded');
        }),
    ],
  ])('lets a %s error out, unchanged', async (_call, breakIt) => {
    const store = new RecordingStore();
    breakIt(store);
    await expect(updateRecord(store, TASK_ARN, () => ({ seen: 1 }))).rejects.toThrow(
      'ProvisionedThroughputExceeded',
    );
    expect((await store.inner.load(TASK_ARN)).record).toBeUndefined();
  });
});

describe('MemoryRunStore', () => {
  it('has no record, at version 0, for a task it never saw', async () => {
    expect(await new MemoryRunStore().load(TASK_ARN)).toEqual({ record: undefined, version: 0 });
  });

  it('saves only against the version it holds, and counts each save', async () => {
    const store = new MemoryRunStore();
    expect(await store.save(TASK_ARN, { seen: 1 }, 1)).toBe(false);
    expect(await store.save(TASK_ARN, { seen: 1 }, 0)).toBe(true);
    expect(await store.save(TASK_ARN, { seen: 2 }, 0)).toBe(false);
    expect(await store.save(TASK_ARN, { seen: 2 }, 1)).toBe(true);
    expect(await store.save(TASK_ARN, { seen: 3 }, 1)).toBe(false);
    expect(await store.load(TASK_ARN)).toEqual({ record: { seen: 2 }, version: 2 });
  });

  it('keeps tasks apart', async () => {
    const store = new MemoryRunStore();
    await store.save(TASK_ARN, { seen: 1 }, 0);
    expect(await store.load(OTHER_ARN)).toEqual({ record: undefined, version: 0 });
    expect(await store.save(OTHER_ARN, { seen: 9 }, 0)).toBe(true);
    expect((await store.load(TASK_ARN)).record).toEqual({ seen: 1 });
  });

  it('copies records in and out: nobody changes a stored record by holding on to it', async () => {
    const store = new MemoryRunStore();
    const saved = { seen: 1, run: runFixture({ outbox: [] }) };
    await store.save(TASK_ARN, saved, 0);
    (saved.run.outbox as unknown[]).push('changed after the save');
    const loaded = (await store.load(TASK_ARN)).record;
    expect(loaded?.run?.outbox).toEqual([]);
    (loaded?.run?.outbox as unknown[]).push('changed after the load');
    expect((await store.load(TASK_ARN)).record?.run?.outbox).toEqual([]);
  });
});

describe('primedWith', () => {
  it('answers the first load with the record just read, and reads the store for every later one', async () => {
    const store = new RecordingStore();
    await seedRecord(store.inner, { seen: 3 });
    const read = await store.load(TASK_ARN);
    store.calls.length = 0;
    const primed = primedWith(store, read);
    expect(await primed.load(TASK_ARN)).toEqual(read);
    expect(store.calls).toEqual([]);
    expect(await primed.load(TASK_ARN)).toEqual(read);
    expect(store.calls).toEqual(['load']);
  });

  it('still loses the race to a write made after the read: the save is conditioned on the read version', async () => {
    const store = new RecordingStore();
    await seedRecord(store.inner, { seen: 3 });
    const read = await store.load(TASK_ARN);
    await store.inner.save(TASK_ARN, { seen: 4 }, read.version);
    const seenByChange: number[] = [];
    const result = await updateRecord(primedWith(store, read), TASK_ARN, (current) => {
      seenByChange.push(current?.seen ?? -1);
      return { seen: (current?.seen ?? 0) + 10 };
    });
    // First tried on the stale read, refused by the version, then applied to the newer record.
    expect(seenByChange).toEqual([3, 4]);
    expect(result).toEqual({ seen: 14 });
  });
});
