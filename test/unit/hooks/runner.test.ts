// The hook runner is where masking runs before anyone may read a refreshed environment: hooks must run in
// order, the first failure must stop the rest (a cleanup never runs on data a masking step failed on), and
// a hook must not start so close to the deadline that settling the run (ledger, alert, rule) is cut off.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Hook, HookContext, HookResult, RunSummary } from '#shared/hooks/contract';
import { SETTLE_RESERVE_MS, SequentialHookRunner } from '#shared/hooks/runner';
import { RecordingLog } from '../../support/ports.ts';

const RUN: RunSummary = {
  runKey: 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ#2026-11-23T00:00:05.000Z',
  taskArn: 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  taskIdentifier: 'nightly-refresh',
  mode: { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
  outcome: { kind: 'succeeded', explanation: 'The full load finished' },
  stats: { tablesLoaded: 12, tablesErrored: 0 },
};

const PLENTY_OF_TIME = () => 600_000;

let clock: number;
let calls: string[];
let log: RecordingLog;

beforeEach(() => {
  clock = 1_000;
  calls = [];
  log = new RecordingLog();
});

/** A hook that records its call, takes `durationMs` of (fake) time, and then returns or throws. */
function hook(
  name: string,
  behaviour: { durationMs?: number; result?: HookResult; fail?: unknown } = {},
): Hook {
  return {
    name,
    async run() {
      calls.push(name);
      clock += behaviour.durationMs ?? 0;
      if (behaviour.fail !== undefined) throw behaviour.fail;
      return behaviour.result;
    },
  };
}

const runner = (hooks: Hook[]) => new SequentialHookRunner(hooks, () => clock);

describe('SequentialHookRunner', () => {
  it('runs every hook once, in the configured order, and reports each', async () => {
    const report = await runner([
      hook('mask-pii', { durationMs: 1_200, result: { changed: 'masked 3 columns' } }),
      hook('reindex-search', { durationMs: 300 }),
      hook('log-run', { result: { changed: 'nothing (logged the run)' } }),
    ]).run(RUN, log, PLENTY_OF_TIME);

    expect(calls).toEqual(['mask-pii', 'reindex-search', 'log-run']);
    expect(report).toStrictEqual({
      succeeded: true,
      hooks: [
        { name: 'mask-pii', status: 'succeeded', durationMs: 1_200, changed: 'masked 3 columns' },
        { name: 'reindex-search', status: 'succeeded', durationMs: 300 },
        { name: 'log-run', status: 'succeeded', durationMs: 0, changed: 'nothing (logged the run)' },
      ],
    });
  });

  it('succeeds with nothing to do when no hooks are configured', async () => {
    expect(await runner([]).run(RUN, log, PLENTY_OF_TIME)).toStrictEqual({ succeeded: true, hooks: [] });
  });

  it.each([
    ['an Error', new Error('column ssn not found'), 'Error: column ssn not found'],
    ['a string', 'connection refused', 'connection refused'],
    ['a custom error class', new RangeError('salt too short'), 'RangeError: salt too short'],
  ])('the first failure (%s) stops the rest, which are reported skipped', async (_, thrown, described) => {
    const report = await runner([
      hook('mask-pii', { durationMs: 50 }),
      hook('cleanup-pii', { durationMs: 75, fail: thrown }),
      hook('reindex-search'),
      hook('log-run'),
    ]).run(RUN, log, PLENTY_OF_TIME);

    expect(calls).toEqual(['mask-pii', 'cleanup-pii']);
    expect(report).toStrictEqual({
      succeeded: false,
      hooks: [
        { name: 'mask-pii', status: 'succeeded', durationMs: 50 },
        { name: 'cleanup-pii', status: 'failed', durationMs: 75, error: described },
        { name: 'reindex-search', status: 'skipped', durationMs: 0 },
        { name: 'log-run', status: 'skipped', durationMs: 0 },
      ],
    });
    expect(log.entries).toContainEqual({
      level: 'error',
      message: 'hook failed',
      attributes: { hook: 'cleanup-pii', durationMs: 75, error: described },
    });
  });

  it('logs each success with its duration and what it changed', async () => {
    await runner([hook('mask-pii', { durationMs: 20, result: { changed: 'masked 3 columns' } })]).run(
      RUN,
      log,
      PLENTY_OF_TIME,
    );
    expect(log.entries).toEqual([
      {
        level: 'info',
        message: 'hook succeeded',
        attributes: { hook: 'mask-pii', durationMs: 20, changed: 'masked 3 columns' },
      },
    ]);
  });

  it('rounds durations to whole milliseconds', async () => {
    const report = await runner([hook('mask-pii', { durationMs: 12.6 })]).run(RUN, log, PLENTY_OF_TIME);
    expect(report.hooks[0]?.durationMs).toBe(13);
  });

  it('does not report an empty `changed`', async () => {
    const report = await runner([hook('mask-pii', { result: { changed: '' } })]).run(
      RUN,
      log,
      PLENTY_OF_TIME,
    );
    expect(report.hooks[0]).toStrictEqual({ name: 'mask-pii', status: 'succeeded', durationMs: 0 });
  });

  describe('the deadline', () => {
    it('does not start a hook with less than the settle reserve left; the rest are skipped', async () => {
      const report = await runner([hook('mask-pii'), hook('log-run')]).run(
        RUN,
        log,
        () => SETTLE_RESERVE_MS - 1,
      );
      expect(calls).toEqual([]);
      expect(report).toStrictEqual({
        succeeded: false,
        hooks: [
          {
            name: 'mask-pii',
            status: 'failed',
            durationMs: 0,
            error: 'not started: too little time left before the function deadline',
          },
          { name: 'log-run', status: 'skipped', durationMs: 0 },
        ],
      });
    });

    it('starts a hook with exactly the settle reserve left', async () => {
      const report = await runner([hook('mask-pii')]).run(RUN, log, () => SETTLE_RESERVE_MS);
      expect(calls).toEqual(['mask-pii']);
      expect(report.succeeded).toBe(true);
    });

    it('checks the time before each hook, so a slow hook can keep the next one from starting', async () => {
      let remaining = 30_000;
      const slow: Hook = {
        name: 'mask-pii',
        async run() {
          calls.push('mask-pii');
          remaining = 5_000;
          return undefined;
        },
      };
      const report = await runner([slow, hook('log-run')]).run(RUN, log, () => remaining);
      expect(calls).toEqual(['mask-pii']);
      expect(report.hooks.map((entry) => entry.status)).toEqual(['succeeded', 'failed']);
    });

    it('gives each hook the time left minus the settle reserve, and the run and log', async () => {
      let seen: HookContext | undefined;
      const inspecting: Hook = {
        name: 'inspect',
        async run(context) {
          seen = context;
          return undefined;
        },
      };
      let remaining = 60_000;
      await runner([inspecting]).run(RUN, log, () => remaining);

      expect(seen?.run).toBe(RUN);
      expect(seen?.log).toBe(log);
      expect(seen?.remainingTimeMs()).toBe(60_000 - SETTLE_RESERVE_MS);
      remaining = 45_000;
      expect(seen?.remainingTimeMs()).toBe(45_000 - SETTLE_RESERVE_MS);
    });

    it('keeps ten seconds back for settling', () => {
      expect(SETTLE_RESERVE_MS).toBe(10_000);
    });
  });
});
