// The in-memory ledger stands in for DynamoDB in the local run and in tests of the settling logic, so it
// must keep the same promises: one claim at a time, a lease that runs out lets a retry through, and a
// settled run stays settled forever.
import { beforeEach, describe, expect, it } from 'vitest';
import type { SettledRun } from '#shared/runs/ledger';
import { MemoryRunLedger } from '#shared/runs/memory-ledger';

const RUN_KEY = 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ#2026-11-23T00:00:05.000Z';
const OTHER_RUN =
  'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ#2026-11-24T00:00:05.000Z';
const T0 = Date.parse('2026-11-23T00:41:10Z');
const minutes = (n: number) => new Date(T0 + n * 60_000);

const SETTLED: SettledRun = {
  runKey: RUN_KEY,
  outcome: 'succeeded',
  hooksSucceeded: true,
  ruleAction: 'enable',
  settledAt: '2026-11-23T00:41:12.000Z',
};

let now: Date;
let ledger: MemoryRunLedger;

beforeEach(() => {
  now = minutes(0);
  ledger = new MemoryRunLedger(() => now);
});

describe('MemoryRunLedger', () => {
  it('gives the first claim and refuses a second while the lease holds', async () => {
    expect(await ledger.claim(RUN_KEY, minutes(15))).toStrictEqual({ claimed: true });
    now = minutes(14);
    expect(await ledger.claim(RUN_KEY, minutes(29))).toStrictEqual({ claimed: false });
  });

  it('keeps runs apart: a claim on one run does not block another', async () => {
    await ledger.claim(RUN_KEY, minutes(15));
    expect(await ledger.claim(OTHER_RUN, minutes(15))).toStrictEqual({ claimed: true });
  });

  it('lets a new claim through once the lease has expired, and that claim holds in turn', async () => {
    await ledger.claim(RUN_KEY, minutes(15));
    now = minutes(16);
    expect(await ledger.claim(RUN_KEY, minutes(31))).toStrictEqual({ claimed: true });
    now = minutes(20);
    expect(await ledger.claim(RUN_KEY, minutes(35))).toStrictEqual({ claimed: false });
  });

  it('blocks every later claim once the run is settled, and returns the settled record', async () => {
    await ledger.claim(RUN_KEY, minutes(15));
    await ledger.settle(SETTLED);
    for (const at of [1, 16, 60 * 24 * 365]) {
      now = minutes(at);
      expect(await ledger.claim(RUN_KEY, minutes(at + 15))).toStrictEqual({
        claimed: false,
        settled: SETTLED,
      });
    }
  });

  it('a settled record blocks claims even when it was written without a claim', async () => {
    await ledger.settle(SETTLED);
    expect(await ledger.claim(RUN_KEY, minutes(15))).toStrictEqual({ claimed: false, settled: SETTLED });
  });

  it('abandoning an in-progress claim lets the next delivery claim at once', async () => {
    await ledger.claim(RUN_KEY, minutes(15));
    await ledger.abandon(RUN_KEY);
    expect(await ledger.claim(RUN_KEY, minutes(15))).toStrictEqual({ claimed: true });
  });

  it('abandoning a settled run changes nothing', async () => {
    await ledger.settle(SETTLED);
    await ledger.abandon(RUN_KEY);
    expect(await ledger.claim(RUN_KEY, minutes(15))).toStrictEqual({ claimed: false, settled: SETTLED });
  });

  it('abandoning a run never claimed is harmless', async () => {
    await ledger.abandon(RUN_KEY);
    expect(await ledger.claim(RUN_KEY, minutes(15))).toStrictEqual({ claimed: true });
  });
});
