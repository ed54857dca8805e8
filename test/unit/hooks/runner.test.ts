// The hook runner is where masking runs before anyone may read a refreshed environment: hooks must run in
// order, the first failure must stop the rest unless that hook says `continue` (a cleanup never runs on data
// a masking step failed on), a hung hook must be cut off when its budget ends, and a hook must not start so
// close to the deadline that settling the run (ledger, alert, rule) is cut off. The hooks of a run share one
// target connection, opened on first use and closed once at the end.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TargetDatabase } from '#shared/database/target';
import type {
  Hook,
  HookContext,
  HookJournal,
  HookPlanEntry,
  HookReport,
  HookResult,
  RunSummary,
} from '#shared/hooks/contract';
import {
  CLOSE_TIMEOUT_MS,
  HookTimeoutError,
  SETTLE_RESERVE_MS,
  SequentialHookRunner,
} from '#shared/hooks/runner';
import type { Secrets } from '#shared/secrets/secrets';
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

const runner = (hooks: Hook[]) => new SequentialHookRunner(hooks, { now: () => clock });

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

  it('copies the rows a hook masked into its report, zero included', async () => {
    const report = await runner([
      hook('mask-pii', { result: { changed: 'masked customers: email 120', rowsMasked: 120 } }),
      hook('mask-again', { result: { changed: 'masked customers: email 0', rowsMasked: 0 } }),
      hook('log-run', { result: { changed: 'nothing (logged the run)' } }),
    ]).run(RUN, log, PLENTY_OF_TIME);
    expect(report.hooks).toStrictEqual([
      {
        name: 'mask-pii',
        status: 'succeeded',
        durationMs: 0,
        changed: 'masked customers: email 120',
        rowsMasked: 120,
      },
      {
        name: 'mask-again',
        status: 'succeeded',
        durationMs: 0,
        changed: 'masked customers: email 0',
        rowsMasked: 0,
      },
      { name: 'log-run', status: 'succeeded', durationMs: 0, changed: 'nothing (logged the run)' },
    ]);
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

describe('plan', () => {
  it('lists the hooks in order with their rerunnable (default false), always (default false) and onFailure (default stop)', () => {
    const hooks = runner([
      hook('log-run'),
      { ...hook('mask-pii'), rerunnable: true, onFailure: 'continue' },
      { ...hook('clear-audit'), rerunnable: false, onFailure: 'stop' },
      { ...hook('reindex-search'), onFailure: 'continue' },
    ]);
    expect(hooks.plan()).toStrictEqual([
      { name: 'log-run', rerunnable: false, always: false, onFailure: 'stop' },
      { name: 'mask-pii', rerunnable: true, always: false, onFailure: 'continue' },
      { name: 'clear-audit', rerunnable: false, always: false, onFailure: 'stop' },
      { name: 'reindex-search', rerunnable: false, always: false, onFailure: 'continue' },
    ]);
    expect(calls).toEqual([]);
  });

  it('is empty without hooks', () => {
    expect(runner([]).plan()).toStrictEqual([]);
  });
});

/**
 * A journal that records its calls in `calls` (between the hooks' own entries) and in `entries`, and can be
 * told to reject a given call.
 */
function journal(fail: { beforeHook?: number; afterHook?: number; error?: Error } = {}) {
  const error = fail.error ?? new Error('ConditionalCheckFailedException: another invocation holds the run');
  const entries: (['before', number, HookPlanEntry] | ['after', number, HookReport])[] = [];
  const recorder: HookJournal & { entries: typeof entries; error: Error } = {
    entries,
    error,
    async beforeHook(index, entry) {
      calls.push(`before ${index}`);
      entries.push(['before', index, entry]);
      if (fail.beforeHook === index) throw error;
    },
    async afterHook(index, report) {
      calls.push(`after ${index}`);
      entries.push(['after', index, report]);
      if (fail.afterHook === index) throw error;
    },
  };
  return recorder;
}

describe('resuming: startAt and earlierFailed', () => {
  it('starts at startAt: the hooks before it are neither run nor reported', async () => {
    const recorder = journal();
    const report = await runner([hook('mask-pii'), hook('clear-audit'), hook('log-run')]).run(
      RUN,
      log,
      PLENTY_OF_TIME,
      { startAt: 1, journal: recorder },
    );
    expect(calls).toEqual(['before 1', 'clear-audit', 'after 1', 'before 2', 'log-run', 'after 2']);
    expect(report).toStrictEqual({
      succeeded: true,
      hooks: [
        { name: 'clear-audit', status: 'succeeded', durationMs: 0 },
        { name: 'log-run', status: 'succeeded', durationMs: 0 },
      ],
    });
  });

  it('runs nothing when startAt is past the last hook', async () => {
    const recorder = journal();
    const report = await runner([hook('mask-pii')]).run(RUN, log, PLENTY_OF_TIME, {
      startAt: 1,
      journal: recorder,
    });
    expect(calls).toEqual([]);
    expect(report).toStrictEqual({ succeeded: true, hooks: [] });
  });

  it('reports failure when an earlier invocation had a hook fail, even if the rest succeed', async () => {
    const report = await runner([hook('reindex-search'), hook('mask-pii'), hook('log-run')]).run(
      RUN,
      log,
      PLENTY_OF_TIME,
      { startAt: 1, earlierFailed: true },
    );
    expect(calls).toEqual(['mask-pii', 'log-run']);
    expect(report.succeeded).toBe(false);
    expect(report.hooks.map((entry) => entry.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('succeeds when earlierFailed is false', async () => {
    const report = await runner([hook('mask-pii')]).run(RUN, log, PLENTY_OF_TIME, { earlierFailed: false });
    expect(report.succeeded).toBe(true);
  });
});

describe('the journal', () => {
  it('is told before and after each hook, in order, with its plan entry and its report (skipped ones too)', async () => {
    const recorder = journal();
    const report = await runner([
      {
        ...hook('reindex-search', { fail: new Error('search cluster unreachable') }),
        rerunnable: true,
        onFailure: 'continue',
      },
      hook('mask-pii', { durationMs: 40, result: { changed: 'masked 3 columns', rowsMasked: 7 } }),
      hook('clear-audit', { fail: new Error('permission denied') }),
      hook('log-run'),
      hook('notify'),
    ]).run(RUN, log, PLENTY_OF_TIME, { journal: recorder });

    expect(calls).toEqual([
      'before 0',
      'reindex-search',
      'after 0',
      'before 1',
      'mask-pii',
      'after 1',
      'before 2',
      'clear-audit',
      'after 2',
      'after 3',
      'after 4',
    ]);
    expect(recorder.entries).toStrictEqual([
      ['before', 0, { name: 'reindex-search', rerunnable: true, always: false, onFailure: 'continue' }],
      [
        'after',
        0,
        {
          name: 'reindex-search',
          status: 'failed',
          durationMs: 0,
          error: 'Error: search cluster unreachable',
        },
      ],
      ['before', 1, { name: 'mask-pii', rerunnable: false, always: false, onFailure: 'stop' }],
      [
        'after',
        1,
        { name: 'mask-pii', status: 'succeeded', durationMs: 40, changed: 'masked 3 columns', rowsMasked: 7 },
      ],
      ['before', 2, { name: 'clear-audit', rerunnable: false, always: false, onFailure: 'stop' }],
      [
        'after',
        2,
        { name: 'clear-audit', status: 'failed', durationMs: 0, error: 'Error: permission denied' },
      ],
      ['after', 3, { name: 'log-run', status: 'skipped', durationMs: 0 }],
      ['after', 4, { name: 'notify', status: 'skipped', durationMs: 0 }],
    ]);
    // What the journal was told is what the run reports.
    expect(recorder.entries.filter(([call]) => call === 'after').map(([, , entry]) => entry)).toStrictEqual(
      report.hooks,
    );
  });

  it('a beforeHook that throws stops the run before that hook, rethrows, and closes the target', async () => {
    const target = targetDouble();
    const recorder = journal({ beforeHook: 1 });
    const using = (name: string): Hook => ({
      name,
      async run(context) {
        calls.push(name);
        await context.target();
        return undefined;
      },
    });
    const pending = new SequentialHookRunner([using('mask-pii'), using('clear-audit'), hook('log-run')], {
      openTarget: target.open,
    }).run(RUN, log, PLENTY_OF_TIME, { journal: recorder });

    await expect(pending).rejects.toBe(recorder.error);
    expect(calls).toEqual(['before 0', 'mask-pii', 'after 0', 'before 1']);
    expect(target.opened).toBe(1);
    expect(target.closed).toBe(1);
  });

  it('a beforeHook that throws on the first hook runs nothing', async () => {
    const recorder = journal({ beforeHook: 0 });
    await expect(
      runner([hook('mask-pii'), hook('log-run')]).run(RUN, log, PLENTY_OF_TIME, { journal: recorder }),
    ).rejects.toBe(recorder.error);
    expect(calls).toEqual(['before 0']);
  });

  it('an afterHook that throws stops the run before the next hook, rethrows, and closes the target', async () => {
    const target = targetDouble();
    const recorder = journal({ afterHook: 0 });
    const masking: Hook = {
      name: 'mask-pii',
      async run(context) {
        calls.push('mask-pii');
        await context.target();
        return { changed: 'masked 3 columns' };
      },
    };
    const pending = new SequentialHookRunner([masking, hook('log-run')], { openTarget: target.open }).run(
      RUN,
      log,
      PLENTY_OF_TIME,
      { journal: recorder },
    );

    await expect(pending).rejects.toBe(recorder.error);
    expect(calls).toEqual(['before 0', 'mask-pii', 'after 0']);
    expect(target.opened).toBe(1);
    expect(target.closed).toBe(1);
  });

  it('an afterHook that throws for a skipped hook stops before the next skipped one', async () => {
    const recorder = journal({ afterHook: 1 });
    await expect(
      runner([hook('mask-pii', { fail: new Error('x') }), hook('clear-audit'), hook('log-run')]).run(
        RUN,
        log,
        PLENTY_OF_TIME,
        { journal: recorder },
      ),
    ).rejects.toBe(recorder.error);
    expect(calls).toEqual(['before 0', 'mask-pii', 'after 0', 'after 1']);
  });
});

describe('onFailure: continue', () => {
  it('runs the hooks after a failed `continue` hook, and still reports the run as failed', async () => {
    const report = await runner([
      { ...hook('reindex-search', { fail: new Error('search cluster unreachable') }), onFailure: 'continue' },
      hook('mask-pii'),
      hook('log-run', { fail: new Error('log failed') }),
      hook('after-stop'),
    ]).run(RUN, log, PLENTY_OF_TIME);

    expect(calls).toEqual(['reindex-search', 'mask-pii', 'log-run']);
    expect(report.succeeded).toBe(false);
    expect(report.hooks.map((entry) => entry.status)).toEqual(['failed', 'succeeded', 'failed', 'skipped']);
  });

  it('a `stop` hook (the default, or said explicitly) stops the rest', async () => {
    const report = await runner([
      { ...hook('mask-pii', { fail: new Error('x') }), onFailure: 'stop' },
      hook('log-run'),
    ]).run(RUN, log, PLENTY_OF_TIME);
    expect(report.hooks.map((entry) => entry.status)).toEqual(['failed', 'skipped']);
  });
});

describe('time budgets', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A hook that never finishes by itself, and records the signal it was given. */
  function hung(name: string, timeoutSeconds?: number): Hook & { seen: HookContext[] } {
    const seen: HookContext[] = [];
    return {
      name,
      seen,
      ...(timeoutSeconds !== undefined && { timeoutSeconds }),
      run(context) {
        calls.push(name);
        seen.push(context);
        return new Promise(() => {});
      },
    };
  }

  it('reports a hung hook as failed (timed out) when its timeoutSeconds end, and aborts its signal', async () => {
    const stuck = hung('mask-pii', 5);
    const pending = runner([stuck, hook('log-run')]).run(RUN, log, PLENTY_OF_TIME);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(stuck.seen[0]?.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const report = await pending;

    expect(stuck.seen[0]?.signal.aborted).toBe(true);
    expect(stuck.seen[0]?.signal.reason).toBeInstanceOf(HookTimeoutError);
    expect(report.succeeded).toBe(false);
    expect(report.hooks).toStrictEqual([
      {
        name: 'mask-pii',
        status: 'failed',
        durationMs: 0,
        error: 'HookTimeoutError: timed out after 5 s (budget: its timeoutSeconds (5))',
        timedOut: true,
      },
      { name: 'log-run', status: 'skipped', durationMs: 0 },
    ]);
  });

  it('shortens the budget to the time before the deadline, less the settle reserve', async () => {
    const stuck = hung('mask-pii', 600);
    let settled = false;
    const pending = runner([stuck])
      .run(RUN, log, () => 25_000)
      .finally(() => {
        settled = true;
      });
    // The runner awaits its journal before starting a hook: let it get that far without moving the clock.
    await vi.advanceTimersByTimeAsync(0);
    expect(stuck.seen).toHaveLength(1);
    expect(stuck.seen[0]?.remainingTimeMs()).toBe(25_000 - SETTLE_RESERVE_MS);
    await vi.advanceTimersByTimeAsync(25_000 - SETTLE_RESERVE_MS - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    const report = await pending;
    expect(report.hooks[0]?.error).toBe(
      'HookTimeoutError: timed out after 15 s (budget: the time left before the function deadline, less the settle reserve)',
    );
  });

  it('tells a hook with its own timeout the time left in that budget', async () => {
    let seen: HookContext | undefined;
    const report = runner([
      {
        name: 'quick',
        timeoutSeconds: 30,
        async run(context) {
          seen = context;
          return undefined;
        },
      },
    ]).run(RUN, log, PLENTY_OF_TIME);
    await report;
    expect(seen?.remainingTimeMs()).toBe(30_000);
  });

  it('a timed-out `continue` hook lets the next one run, on a fresh target connection', async () => {
    const target = targetDouble();
    const stuck: Hook = {
      name: 'stuck',
      timeoutSeconds: 1,
      onFailure: 'continue',
      async run(context) {
        await context.target();
        return new Promise(() => {});
      },
    };
    const after: Hook = {
      name: 'after',
      async run(context) {
        await context.target();
        return undefined;
      },
    };
    const pending = new SequentialHookRunner([stuck, after], { openTarget: target.open }).run(
      RUN,
      log,
      PLENTY_OF_TIME,
    );
    await vi.advanceTimersByTimeAsync(1_000);
    const report = await pending;
    expect(report.hooks.map((entry) => entry.status)).toEqual(['failed', 'succeeded']);
    expect(target.opened).toBe(2);
    // The timed-out hook's connection is aborted (it may still be running a statement), the second closed.
    expect(target.aborted).toBe(1);
    expect(target.closed).toBe(1);
  });

  it("aborts a timed-out hook's connection instead of closing it, so a running statement cannot hold the run", async () => {
    // mysql2's end() is queued behind the running statement: a close that waits for it never comes back here.
    const target = targetDouble({ closeHangs: true });
    const stuck: Hook = {
      name: 'mask-pii',
      timeoutSeconds: 1,
      async run(context) {
        await context.target();
        return new Promise(() => {});
      },
    };
    let settled = false;
    const pending = new SequentialHookRunner([stuck], { openTarget: target.open })
      .run(RUN, log, PLENTY_OF_TIME)
      .finally(() => {
        settled = true;
      });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(settled).toBe(true);
    const report = await pending;
    expect(report.hooks[0]).toMatchObject({ status: 'failed', timedOut: true });
    expect(target.aborted).toBe(1);
    expect(target.closed).toBe(0);
  });

  it('aborts a connection that was still being opened when the hook timed out, once it opens', async () => {
    let finishOpening: (() => void) | undefined;
    const target = targetDouble();
    const slowOpen = async () => {
      await new Promise<void>((resolve) => {
        finishOpening = resolve;
      });
      return target.open();
    };
    const stuck: Hook = {
      name: 'mask-pii',
      timeoutSeconds: 1,
      async run(context) {
        await context.target();
        return undefined;
      },
    };
    const pending = new SequentialHookRunner([stuck], { openTarget: slowOpen }).run(RUN, log, PLENTY_OF_TIME);
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await pending).hooks[0]?.timedOut).toBe(true);
    finishOpening?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(target.opened).toBe(1);
    expect(target.aborted).toBe(1);
  });

  it('refuses a timed-out hook a new connection, so none leaks past the run', async () => {
    const target = targetDouble();
    let late: Promise<unknown> | undefined;
    const stuck: Hook = {
      name: 'mask-pii',
      timeoutSeconds: 1,
      run(context) {
        // Ignores the signal's intent, and asks for the database again once its budget has ended.
        context.signal.addEventListener('abort', () => {
          late = context.target().then(
            () => 'opened',
            (error: unknown) => error,
          );
        });
        return new Promise(() => {});
      },
    };
    const pending = new SequentialHookRunner([stuck], { openTarget: target.open }).run(
      RUN,
      log,
      PLENTY_OF_TIME,
    );
    await vi.advanceTimersByTimeAsync(1_000);
    await pending;
    const outcome = await late;
    expect(outcome).toBeInstanceOf(HookTimeoutError);
    expect(String(outcome)).toContain('its time budget has ended');
    expect(target.opened).toBe(0);
  });

  it('aborts a connection that does not close within the close timeout, with a warning', async () => {
    const target = targetDouble({ closeHangs: true });
    let settled = false;
    const pending = new SequentialHookRunner(
      [
        {
          name: 'mask-pii',
          async run(context) {
            await context.target();
            return undefined;
          },
        },
      ],
      { openTarget: target.open },
    )
      .run(RUN, log, PLENTY_OF_TIME)
      .finally(() => {
        settled = true;
      });
    await vi.advanceTimersByTimeAsync(CLOSE_TIMEOUT_MS - 1);
    expect(settled).toBe(false);
    expect(target.aborted).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect((await pending).succeeded).toBe(true);
    expect(target.aborted).toBe(1);
    expect(log.entries).toContainEqual({
      level: 'warn',
      message: 'the target database connection did not close in time; aborted it',
      attributes: { timeoutMs: CLOSE_TIMEOUT_MS },
    });
  });

  it('bounds closing at five seconds', () => {
    expect(CLOSE_TIMEOUT_MS).toBe(5_000);
  });
});

/** A target database that counts how often it was opened, closed and aborted. */
function targetDouble(options: { failOpen?: boolean; closeHangs?: boolean } = {}) {
  const state = {
    opened: 0,
    closed: 0,
    aborted: 0,
    databases: [] as TargetDatabase[],
    open: async (): Promise<TargetDatabase> => {
      state.opened += 1;
      if (options.failOpen) throw new Error('ECONNREFUSED');
      const database: TargetDatabase = {
        dialect: 'postgres',
        database: 'staging',
        query: async () => ({ rows: [], rowCount: 0 }),
        transaction: (work) => work(database),
        close: async () => {
          if (options.closeHangs) return new Promise<void>(() => {});
          state.closed += 1;
        },
        abort: () => {
          state.aborted += 1;
        },
      };
      state.databases.push(database);
      return database;
    },
  };
  return state;
}

describe('the target database and secrets', () => {
  const using = (name: string, seen: TargetDatabase[] = []): Hook => ({
    name,
    async run(context) {
      seen.push(await context.target());
      calls.push(name);
      return undefined;
    },
  });

  it('opens the target once for all the hooks of a run, and closes it once at the end', async () => {
    const target = targetDouble();
    const seen: TargetDatabase[] = [];
    const report = await new SequentialHookRunner([using('mask-pii', seen), using('clear-audit', seen)], {
      openTarget: target.open,
    }).run(RUN, log, PLENTY_OF_TIME);

    expect(report.succeeded).toBe(true);
    expect(target.opened).toBe(1);
    expect(target.closed).toBe(1);
    expect(seen[0]).toBe(seen[1]);
  });

  it('does not open the target when no hook asks for it', async () => {
    const target = targetDouble();
    await new SequentialHookRunner([hook('log-run')], { openTarget: target.open }).run(
      RUN,
      log,
      PLENTY_OF_TIME,
    );
    expect(target.opened).toBe(0);
    expect(target.closed).toBe(0);
  });

  it('closes the target when a hook fails, and each run opens its own', async () => {
    const target = targetDouble();
    const failing: Hook = {
      name: 'mask-pii',
      async run(context) {
        await context.target();
        throw new Error('MaskingError: customers.email could not be verified');
      },
    };
    const runnerWithTarget = new SequentialHookRunner([failing], { openTarget: target.open });
    await runnerWithTarget.run(RUN, log, PLENTY_OF_TIME);
    await runnerWithTarget.run(RUN, log, PLENTY_OF_TIME);
    expect(target.opened).toBe(2);
    expect(target.closed).toBe(2);
  });

  it("gives the hook after a failed `continue` hook a fresh connection, without the failed one's session", async () => {
    const target = targetDouble();
    const seen: TargetDatabase[] = [];
    const failing: Hook = {
      name: 'cleanup-pii',
      onFailure: 'continue',
      async run(context) {
        const database = await context.target();
        seen.push(database);
        // Fails inside a transaction it opened itself: the session is left mid-transaction.
        await database.query('BEGIN');
        throw new Error('column ssn not found');
      },
    };
    const report = await new SequentialHookRunner([failing, using('reindex-search', seen)], {
      openTarget: target.open,
    }).run(RUN, log, PLENTY_OF_TIME);

    expect(report.hooks.map((entry) => entry.status)).toEqual(['failed', 'succeeded']);
    expect(target.opened).toBe(2);
    expect(target.closed).toBe(2);
    expect(target.aborted).toBe(0);
    expect(seen[1]).not.toBe(seen[0]);
  });

  it('fails the hook that asked when the target cannot be opened', async () => {
    const target = targetDouble({ failOpen: true });
    const report = await new SequentialHookRunner([using('mask-pii'), hook('log-run')], {
      openTarget: target.open,
    }).run(RUN, log, PLENTY_OF_TIME);
    expect(report.hooks[0]).toMatchObject({ status: 'failed', error: 'Error: ECONNREFUSED' });
    expect(target.closed).toBe(0);
  });

  it('fails a hook asking for a target when none is configured, naming the setting', async () => {
    const report = await new SequentialHookRunner([using('mask-pii')]).run(RUN, log, PLENTY_OF_TIME);
    expect(report.hooks[0]?.error).toContain('TARGET_DATABASE_SECRET_ARN is not set');
  });

  it('gives every hook of a run the same secrets view, made fresh for each run', async () => {
    const views: Secrets[] = [];
    const seen: Secrets[] = [];
    const secrets = () => {
      const view: Secrets = {
        getSecretString: async () => 'x',
        getDatabaseSecret: async () => {
          throw new Error('unused');
        },
      };
      views.push(view);
      return view;
    };
    const reading = (name: string): Hook => ({
      name,
      async run(context) {
        seen.push(context.secrets);
        return undefined;
      },
    });
    const twoHooks = new SequentialHookRunner([reading('a'), reading('b')], { secrets });
    await twoHooks.run(RUN, log, PLENTY_OF_TIME);
    await twoHooks.run(RUN, log, PLENTY_OF_TIME);
    expect(views).toHaveLength(2);
    expect(seen).toEqual([views[0], views[0], views[1], views[1]]);
  });

  it('warns, without failing the run, when the connection does not close cleanly', async () => {
    const target = targetDouble();
    const open = async () => {
      const database = await target.open();
      return {
        ...database,
        close: async () => {
          throw new Error('socket hang up');
        },
      };
    };
    const report = await new SequentialHookRunner([using('mask-pii')], { openTarget: open }).run(
      RUN,
      log,
      PLENTY_OF_TIME,
    );
    expect(report.succeeded).toBe(true);
    expect(log.entries).toContainEqual({
      level: 'warn',
      message: 'the target database connection did not close cleanly',
      attributes: { error: 'Error: socket hang up' },
    });
  });
});

describe('always: cleanups that run after a failure too', () => {
  const always = (
    name: string,
    behaviour: Parameters<typeof hook>[1] = {},
    onFailure?: Hook['onFailure'],
  ) => ({
    ...hook(name, behaviour),
    always: true,
    ...(onFailure && { onFailure }),
  });

  it('runs an always hook after a hook that stops the rest, and skips the others', async () => {
    const report = await runner([
      hook('drop-fk'),
      hook('mask-pii', { fail: new Error('boom') }),
      hook('reindex'),
      always('restore-fk'),
    ]).run(RUN, log, PLENTY_OF_TIME);
    expect(calls).toEqual(['drop-fk', 'mask-pii', 'restore-fk']);
    expect(report.succeeded).toBe(false);
    expect(report.hooks.map((entry) => `${entry.name} ${entry.status}`)).toEqual([
      'drop-fk succeeded',
      'mask-pii failed',
      'reindex skipped',
      'restore-fk succeeded',
    ]);
  });

  it('stays stopped when an always hook itself fails with continue: the hooks after it are still skipped', async () => {
    await runner([
      hook('mask-pii', { fail: new Error('boom') }),
      always('restore-fk', { fail: new Error('again') }, 'continue'),
      hook('reindex'),
    ]).run(RUN, log, PLENTY_OF_TIME);
    expect(calls).toEqual(['mask-pii', 'restore-fk']);
  });

  it('runs only the always hooks when resumed after an earlier invocation stopped', async () => {
    const report = await runner([hook('mask-pii'), hook('reindex'), always('restore-fk')]).run(
      RUN,
      log,
      PLENTY_OF_TIME,
      {
        startAt: 1,
        earlierFailed: true,
        earlierStopped: true,
      },
    );
    expect(calls).toEqual(['restore-fk']);
    expect(report.hooks.map((entry) => `${entry.name} ${entry.status}`)).toEqual([
      'reindex skipped',
      'restore-fk succeeded',
    ]);
    expect(report.succeeded).toBe(false);
  });
});
