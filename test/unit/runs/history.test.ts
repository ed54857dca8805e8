// The run history's pure rules: which day's bucket a run lands in, when that day expires, which days a query
// reads, what an entry keeps of a run (and what it never keeps), and that a day of the busiest schedule the
// history admits fits in one DynamoDB item. The in-memory history is held to the same rules as DynamoDB's.
import { describe, expect, it } from 'vitest';
import {
  ENTRY_MAX_BYTES,
  entryBytes,
  HISTORY_RETENTION_DAYS,
  historyDayOf,
  historyDays,
  historyEntryOf,
  historyExpiresAt,
  historyKeyOf,
  MAX_RUNS_PER_DAY,
  type RunHistoryEntry,
  truncate,
} from '#shared/runs/history';
import { MemoryRunHistory } from '#shared/runs/memory-history';
import type { HookProgress, Run } from '#shared/runs/run';
import { runFixture, TASK_ARN } from '../../support/ports.ts';

const RELEASED_AT = new Date('2026-11-23T00:12:40.000Z');
/** DynamoDB's item limit, 400 KB, in bytes. */
const ITEM_LIMIT_BYTES = 400 * 1024;

const hook = (name: string, overrides: Partial<HookProgress> = {}): HookProgress => ({
  name,
  status: 'succeeded',
  rerunnable: true,
  attempts: 1,
  durationMs: 83_000,
  ...overrides,
});

/** A nightly run at the end of its life, with everything an entry could take from it. */
const finishedRun = (overrides: Partial<Run> = {}): Run =>
  runFixture({
    phase: 'notified',
    scheduledFor: '2026-11-23T00:00:00.000Z',
    startRequestedAt: '2026-11-23T00:00:01.000Z',
    finishedAt: '2026-11-23T00:11:04.000Z',
    outcome: {
      kind: 'succeeded',
      explanation: 'The full load finished',
      stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
      lastFailureMessage: 'password=hunter2 near row 42',
    },
    hooks: [
      hook('mask-pii', {
        rowsMasked: 238,
        changed: 'masked customers: alice@example.com',
        owner: 'inv-1',
        leaseUntil: 9,
      }),
      hook('smoke-check', { status: 'failed', error: 'value "4111 1111 1111 1111" found' }),
    ],
    ruleDecision: 'enable',
    lastError: 'secret-ish error text',
    ...overrides,
  });

describe('buckets and expiry', () => {
  it('puts a run in the UTC day it took the lock, however late it is released', () => {
    const run = finishedRun({ id: 'r', createdAt: '2026-11-23T23:59:59.999Z' });
    expect(historyDayOf(run)).toBe('2026-11-23');
    expect(historyDayOf(historyEntryOf(run, new Date('2026-11-24T03:00:00Z')))).toBe('2026-11-23');
    expect(historyKeyOf(TASK_ARN, '2026-11-23')).toBe(`history#${TASK_ARN}#2026-11-23`);
  });

  it('expires a day 90 days after it ends, in epoch seconds', () => {
    expect(HISTORY_RETENTION_DAYS).toBe(90);
    // 2026-11-23 ends at 2026-11-24T00:00Z; 90 days later is 2027-02-22T00:00Z.
    expect(historyExpiresAt('2026-11-23')).toBe(Date.parse('2027-02-22T00:00:00Z') / 1000);
    expect(Number.isInteger(historyExpiresAt('2026-11-23'))).toBe(true);
  });

  it('reads the days from the newest back to the one `since` falls in', () => {
    expect(historyDays(new Date('2026-11-21T18:00:00Z'), new Date('2026-11-23T01:00:00Z'))).toEqual([
      '2026-11-23',
      '2026-11-22',
      '2026-11-21',
    ]);
    expect(historyDays(new Date('2026-11-23T00:00:00Z'), new Date('2026-11-23T23:00:00Z'))).toEqual([
      '2026-11-23',
    ]);
  });

  it('never reads further back than the retention, whatever `since` asks', () => {
    const days = historyDays(new Date('2020-01-01T00:00:00Z'), new Date('2026-11-23T01:00:00Z'));
    expect(days).toHaveLength(HISTORY_RETENTION_DAYS + 2);
    expect(days.at(-1)).toBe('2026-08-24');
  });
});

describe('an entry', () => {
  it('keeps the run summary: ids, dates, outcome, stop reason, hooks, rows masked, rule decision', () => {
    expect(historyEntryOf(finishedRun(), RELEASED_AT)).toStrictEqual({
      id: '2026-11-23T00:00:00.000Z~abcdef',
      trigger: 'schedule',
      startType: 'reload-target',
      scheduledFor: '2026-11-23T00:00:00.000Z',
      createdAt: '2026-11-23T00:00:00.000Z',
      startRequestedAt: '2026-11-23T00:00:01.000Z',
      finishedAt: '2026-11-23T00:11:04.000Z',
      releasedAt: '2026-11-23T00:12:40.000Z',
      lockHeldMs: 760_000,
      outcome: {
        kind: 'succeeded',
        explanation: 'The full load finished',
        stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
      },
      hooks: [
        { name: 'mask-pii', status: 'succeeded', durationMs: 83_000, rowsMasked: 238 },
        { name: 'smoke-check', status: 'failed', durationMs: 83_000 },
      ],
      hooksOmitted: 0,
      rowsMasked: 238,
      ruleDecision: 'enable',
    });
  });

  it("keeps a group's task counts, and none of its members' ARNs, names or explanations", () => {
    const member = (identifier: string, kind: 'succeeded' | 'failed') => ({
      arn: `arn:aws:dms:us-east-1:123456789012:task:${identifier.toUpperCase()}`,
      identifier,
      state: 'finished' as const,
      before: 0,
      outcome: { kind, explanation: `${identifier} password=hunter2` },
    });
    const entry = historyEntryOf(
      finishedRun({ members: [member('orders', 'succeeded'), member('invoices', 'failed')] }),
      RELEASED_AT,
    );
    expect(entry.tasks).toEqual({ total: 2, succeeded: 1 });
    expect(JSON.stringify(entry)).not.toMatch(/hunter2|INVOICES|invoices/);
    expect(historyEntryOf(finishedRun(), RELEASED_AT).tasks).toBeUndefined();
  });

  it("never keeps a failure message, a hook's error or report, a lease or the run's last error", () => {
    const json = JSON.stringify(historyEntryOf(finishedRun(), RELEASED_AT));
    for (const leak of ['hunter2', '4111', 'alice@example.com', 'inv-1', 'secret-ish', 'leaseUntil']) {
      expect(json).not.toContain(leak);
    }
  });

  it('a start that never ran: no hooks, no finish of its own, no rows', () => {
    const entry = historyEntryOf(
      finishedRun({
        hooks: undefined,
        finishedAt: undefined,
        outcome: { kind: 'start-failed', explanation: 'DMS refused the start' },
        ruleDecision: 'keep-disabled',
      }),
      RELEASED_AT,
    );
    expect(entry).toMatchObject({ hooks: [], hooksOmitted: 0, ruleDecision: 'keep-disabled' });
    expect(entry).not.toHaveProperty('rowsMasked');
    expect(entry).not.toHaveProperty('finishedAt');
  });

  it('cuts long texts, marking the cut', () => {
    const entry = historyEntryOf(
      finishedRun({
        outcome: { kind: 'failed', explanation: 'x'.repeat(5_000), stopReason: 'y'.repeat(500) },
        hooks: [hook('h'.repeat(300))],
      }),
      RELEASED_AT,
    );
    expect(entry.outcome?.explanation).toHaveLength(200);
    expect(entry.outcome?.explanation.endsWith('…')).toBe(true);
    expect(entry.outcome?.stopReason).toHaveLength(64);
    expect(entry.hooks[0]?.name).toHaveLength(64);
  });

  it('never splits a character made of two UTF-16 units', () => {
    expect(truncate(`${'a'.repeat(8)}😀😀`, 10)).toBe(`${'a'.repeat(8)}…`);
    expect(truncate('short', 10)).toBe('short');
  });

  it('with very many hooks, keeps the first ones, counts the rest, and still sums every row masked', () => {
    const hooks = Array.from({ length: 40 }, (_, i) =>
      hook(`mask-table-${i}-${'n'.repeat(50)}`, { rowsMasked: 10 }),
    );
    const entry = historyEntryOf(finishedRun({ hooks }), RELEASED_AT);
    expect(entryBytes(entry)).toBeLessThanOrEqual(ENTRY_MAX_BYTES);
    expect(entry.hooks.length).toBeGreaterThan(0);
    expect(entry.hooks.length + entry.hooksOmitted).toBe(40);
    expect(entry.hooks.map((h) => h.name)).toEqual(hooks.slice(0, entry.hooks.length).map((h) => h.name));
    expect(entry.rowsMasked).toBe(400);
  });

  it('stays within its bound even when every text is long and not ASCII', () => {
    const wide = 'ü€😀'.repeat(400);
    const entry = historyEntryOf(
      finishedRun({
        outcome: { kind: 'failed', explanation: wide, stopReason: wide },
        hooks: Array.from({ length: 20 }, () => hook(wide)),
      }),
      RELEASED_AT,
    );
    expect(entryBytes(entry)).toBeLessThanOrEqual(ENTRY_MAX_BYTES);
  });
});

describe('a day of the busiest schedule the history admits', () => {
  it('fits in one DynamoDB item: MAX_RUNS_PER_DAY entries of the largest size, their names and ids', () => {
    // Lengths as DynamoDB counts them: each attribute's name and value in UTF-8 bytes.
    const day = '2026-11-23';
    const id = (i: number) =>
      `${new Date(Date.parse(`${day}T00:00:00Z`) + i * 240_000).toISOString()}~abcdef`;
    const keyBytes = 'pk'.length + Buffer.byteLength(historyKeyOf(TASK_ARN.padEnd(200, 'X'), day));
    const ttlBytes = 'expiresAt'.length + 21;
    let itemBytes = keyBytes + ttlBytes + 'runIds'.length;
    for (let i = 0; i < MAX_RUNS_PER_DAY; i++) {
      itemBytes += Buffer.byteLength(`run#${id(i)}`) + ENTRY_MAX_BYTES + Buffer.byteLength(id(i));
    }
    expect(itemBytes).toBeLessThan(ITEM_LIMIT_BYTES);
    // And it is a real day: a 5-minute schedule fits.
    expect(MAX_RUNS_PER_DAY).toBeGreaterThanOrEqual(24 * 12);
  });
});

describe('MemoryRunHistory', () => {
  const entryAt = (createdAt: string, suffix = 'aaaaaa'): RunHistoryEntry =>
    historyEntryOf(finishedRun({ id: `${createdAt}~${suffix}`, createdAt }), new Date(createdAt));
  const everything = { since: new Date(0), until: new Date('2026-12-31T00:00:00Z'), limit: 1000 };

  it('keeps one entry per run id, however often it is written', async () => {
    const history = new MemoryRunHistory();
    const entry = entryAt('2026-11-23T00:00:00.000Z');
    await history.record(TASK_ARN, entry);
    await history.record(TASK_ARN, { ...entry, releasedAt: '2026-11-23T00:20:00.000Z' });
    expect(await history.list(TASK_ARN, everything)).toEqual([
      { ...entry, releasedAt: '2026-11-23T00:20:00.000Z' },
    ]);
  });

  it('lists newest first, since the given moment, at most the limit, for its own task only', async () => {
    const history = new MemoryRunHistory();
    for (const at of ['2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z']) {
      await history.record(TASK_ARN, entryAt(at));
    }
    await history.record(
      'arn:aws:dms:us-east-1:123456789012:task:OTHER',
      entryAt('2026-11-22T01:00:00.000Z'),
    );
    const listed = await history.list(TASK_ARN, {
      since: new Date('2026-11-20T12:00:00Z'),
      until: new Date('2026-11-23T00:00:00Z'),
      limit: 1,
    });
    expect(listed.map((entry) => entry.createdAt)).toEqual(['2026-11-22T00:00:00.000Z']);
    expect((await history.list(TASK_ARN, everything)).map((entry) => entry.createdAt)).toEqual([
      '2026-11-22T00:00:00.000Z',
      '2026-11-21T00:00:00.000Z',
      '2026-11-20T00:00:00.000Z',
    ]);
  });

  it('refuses a new run once its day is full, but still takes a run it already holds', async () => {
    const history = new MemoryRunHistory();
    const at = (i: number) => new Date(Date.parse('2026-11-23T00:00:00Z') + i * 1000).toISOString();
    for (let i = 0; i < MAX_RUNS_PER_DAY; i++) {
      expect(await history.record(TASK_ARN, entryAt(at(i)))).toBe('recorded');
    }
    expect(await history.record(TASK_ARN, entryAt(at(MAX_RUNS_PER_DAY)))).toBe('day-full');
    expect(await history.record(TASK_ARN, entryAt(at(0)))).toBe('recorded');
    expect(await history.record(TASK_ARN, entryAt('2026-11-24T00:00:00.000Z'))).toBe('recorded');
  });
});
