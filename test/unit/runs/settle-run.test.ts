// handleNotice: the post-processor's decisions. The notice is a hint and the task is the truth; a finished
// run is settled once however often it is announced; hooks run only on success; every other ending alerts;
// the rule follows the policy, and one-time mode never enables one.
import { beforeEach, describe, expect, it } from 'vitest';
import type { TaskSnapshot } from '#shared/dms/task';
import { SettleFailedError } from '#shared/errors';
import type { Hook, HookRunner } from '#shared/hooks/contract';
import { SequentialHookRunner } from '#shared/hooks/runner';
import type { TaskNotice } from '#shared/notices/notice';
import { MemoryRunLedger } from '#shared/runs/memory-ledger';
import { handleNotice } from '#shared/runs/settle-run';
import {
  finishedTask,
  postProcessorConfig,
  RecordingAlerts,
  RecordingLock,
  RecordingLog,
  RULE_NAME,
  ScriptedTasks,
  TASK_ARN,
  TASK_ID,
} from '../../support/ports.ts';

const stopNotice: TaskNotice = { channel: 'sns', taskIdentifier: TASK_ID, eventId: 'DMS-EVENT-0079' };
const oneTime = { SCHEDULE_OR_ONE_TIME: 'one-time' };

let lock: RecordingLock;
let alerts: RecordingAlerts;
let ledger: MemoryRunLedger;
let hookCalls: string[];

beforeEach(() => {
  lock = new RecordingLock('DISABLED');
  alerts = new RecordingAlerts();
  ledger = new MemoryRunLedger();
  hookCalls = [];
});

function recordingHook(name: string, behaviour: 'succeed' | 'fail' = 'succeed'): Hook {
  return {
    name,
    async run({ run }) {
      hookCalls.push(`${name}:${run.outcome.kind}`);
      if (behaviour === 'fail') throw new Error(`${name} could not mask customers.email`);
      return { changed: `${name} done` };
    },
  };
}

function depsFor(
  snapshot: TaskSnapshot,
  options: { hooks?: Hook[]; withLock?: boolean; runner?: HookRunner } = {},
) {
  const tasks = new ScriptedTasks(snapshot);
  return {
    tasks,
    lock: options.withLock === false ? undefined : lock,
    alerts,
    ledger,
    hooks:
      options.runner ??
      new SequentialHookRunner(options.hooks ?? [recordingHook('mask'), recordingHook('reindex')]),
    log: new RecordingLog(),
    clock: () => new Date('2026-11-23T00:42:00Z'),
    remainingTimeMs: () => 600_000,
  };
}

describe('a run that succeeded', () => {
  it('runs the hooks in order, enables the rule and sends no alert', async () => {
    const deps = depsFor(finishedTask());
    const result = await handleNotice(deps, postProcessorConfig(), stopNotice);
    expect(result).toMatchObject({
      action: 'settled',
      outcome: { kind: 'succeeded' },
      ruleAction: 'enable',
      alerted: false,
    });
    expect(hookCalls).toEqual(['mask:succeeded', 'reindex:succeeded']);
    expect(lock.state).toBe('ENABLED');
    expect(alerts.published).toEqual([]);
    expect(deps.tasks.describeCalls).toEqual([TASK_ARN]);
  });

  it('settles once however many times the notice arrives, by SNS or EventBridge', async () => {
    const deps = depsFor(finishedTask());
    const config = postProcessorConfig();
    await handleNotice(deps, config, stopNotice);
    const again = await handleNotice(deps, config, stopNotice);
    const viaEventBridge = await handleNotice(deps, config, { channel: 'eventbridge', taskArn: TASK_ARN });
    expect(again).toMatchObject({ action: 'duplicate', ruleAction: 'enable' });
    expect(viaEventBridge.action).toBe('duplicate');
    expect(hookCalls).toEqual(['mask:succeeded', 'reindex:succeeded']);
  });

  it('does nothing while another delivery holds the claim on the same run', async () => {
    const deps = depsFor(finishedTask());
    const snapshot = deps.tasks.snapshot;
    const runKey = `${TASK_ARN}#${snapshot.lastStartDate?.toISOString()}`;
    await ledger.claim(runKey, new Date(Date.now() + 60_000));
    const result = await handleNotice(deps, postProcessorConfig(), stopNotice);
    expect(result).toEqual({ action: 'duplicate', runKey });
    expect(hookCalls).toEqual([]);
    expect(lock.calls).toEqual([]);
  });

  it('settles the next run of the same task again', async () => {
    const deps = depsFor(finishedTask());
    const config = postProcessorConfig();
    await handleNotice(deps, config, stopNotice);
    deps.tasks.snapshot = finishedTask({ lastStartDate: new Date('2026-11-24T00:00:05Z') });
    const next = await handleNotice(deps, config, stopNotice);
    expect(next.action).toBe('settled');
    expect(hookCalls).toHaveLength(4);
  });

  it('in one-time mode runs the hooks but never enables a rule', async () => {
    const deps = depsFor(finishedTask(), { withLock: false });
    const result = await handleNotice(deps, postProcessorConfig(oneTime), stopNotice);
    expect(result).toMatchObject({ action: 'settled', ruleAction: 'none' });
    expect(hookCalls).toHaveLength(2);
    expect(lock.calls).toEqual([]);
  });
});

describe('a notice is a hint: the task decides', () => {
  it.each([
    ['running', {}],
    ['starting', {}],
    ['stopping', {}],
  ])('waits while the task is %s, whatever the notice said', async (status) => {
    const deps = depsFor(finishedTask({ status, stopReason: undefined }));
    const result = await handleNotice(deps, postProcessorConfig(), stopNotice);
    expect(result.action).toBe('waiting');
    expect(hookCalls).toEqual([]);
    expect(lock.calls).toEqual([]);
    expect(alerts.published).toEqual([]);
  });

  it('treats a "stopped" notice for a task that failed as a failure', async () => {
    const deps = depsFor(
      finishedTask({
        status: 'failed',
        stopReason: undefined,
        lastFailureMessage: 'Last Error ODBC general error.',
      }),
    );
    const result = await handleNotice(deps, postProcessorConfig(), stopNotice);
    expect(result).toMatchObject({ action: 'settled', outcome: { kind: 'failed' } });
    expect(hookCalls).toEqual([]);
    expect(alerts.published[0]?.message).toContain('Last Error ODBC general error.');
  });

  it.each([
    { channel: 'sns', taskIdentifier: 'someone-elses-task' },
    { channel: 'eventbridge', taskArn: 'arn:aws:dms:us-east-1:123456789012:task:SOMEONEELSESTASK0000000000' },
  ] as const)('ignores a notice for another task without reading anything ($channel)', async (notice) => {
    const deps = depsFor(finishedTask());
    const result = await handleNotice(deps, postProcessorConfig(), notice);
    expect(result.action).toBe('ignored');
    expect(deps.tasks.describeCalls).toEqual([]);
    expect(lock.calls).toEqual([]);
  });
});

describe('a run that did not succeed', () => {
  const failed = () =>
    finishedTask({
      stopReason: 'Stop Reason FATAL_ERROR',
      lastFailureMessage: 'Stream Component Fatal error.',
    });
  const stoppedByHand = () =>
    finishedTask({
      stopReason: 'Stop Reason NORMAL',
      stats: { fullLoadProgressPercent: 40, stopDate: new Date() },
    });

  it.each([
    ['failed', failed, 'the run failed'],
    ['stopped-by-user', stoppedByHand, 'the run was stopped before it finished'],
  ] as const)('%s: no hooks, an alert, and the rule re-enabled by default', async (kind, snapshot, headline) => {
    const deps = depsFor(snapshot());
    const result = await handleNotice(deps, postProcessorConfig(), stopNotice);
    expect(result).toMatchObject({
      action: 'settled',
      outcome: { kind },
      ruleAction: 'enable',
      alerted: true,
    });
    expect(hookCalls).toEqual([]);
    expect(lock.state).toBe('ENABLED');
    expect(alerts.published).toHaveLength(1);
    expect(alerts.published[0]?.subject).toContain(headline);
    expect(alerts.published[0]?.message).toContain(`${RULE_NAME} was re-enabled`);
    expect(alerts.published[0]?.message).toContain('unmasked production data');
  });

  it('keeps the rule disabled when so configured, and the alert says how to resume', async () => {
    const deps = depsFor(failed());
    const result = await handleNotice(
      deps,
      postProcessorConfig({ RULE_AFTER_FAILURE: 'keep-disabled' }),
      stopNotice,
    );
    expect(result).toMatchObject({ ruleAction: 'keep-disabled' });
    expect(lock.calls).toEqual([]);
    expect(lock.state).toBe('DISABLED');
    expect(alerts.published[0]?.message).toContain('kept DISABLED');
    expect(alerts.published[0]?.message).toContain(`aws events enable-rule --name ${RULE_NAME}`);
  });

  it('in one-time mode alerts and never enables a rule', async () => {
    const deps = depsFor(failed(), { withLock: false });
    const result = await handleNotice(deps, postProcessorConfig(oneTime), stopNotice);
    expect(result).toMatchObject({ ruleAction: 'none', alerted: true });
    expect(lock.calls).toEqual([]);
    expect(alerts.published[0]?.message).toContain('One-time mode');
  });

  it('a failing hook stops the hooks after it, alerts naming it, and follows the failure policy', async () => {
    const deps = depsFor(finishedTask(), {
      hooks: [recordingHook('mask', 'fail'), recordingHook('reindex')],
    });
    const result = await handleNotice(
      deps,
      postProcessorConfig({ RULE_AFTER_FAILURE: 'keep-disabled' }),
      stopNotice,
    );
    expect(hookCalls).toEqual(['mask:succeeded']);
    expect(result).toMatchObject({ action: 'settled', ruleAction: 'keep-disabled', alerted: true });
    if (result.action !== 'settled') throw new Error('expected a settled run');
    expect(result.hooks?.hooks.map((hook) => hook.status)).toEqual(['failed', 'skipped']);
    expect(alerts.published[0]?.subject).toContain('hook mask failed');
    expect(alerts.published[0]?.message).toContain('could not mask customers.email');
    expect(lock.state).toBe('DISABLED');
  });

  it('a data-migration alert does not talk about unmasked data', async () => {
    const deps = depsFor(failed());
    await handleNotice(
      deps,
      postProcessorConfig({ MIGRATION_REFRESH_INDICATOR: 'data-migration' }),
      stopNotice,
    );
    expect(alerts.published[0]?.message).not.toContain('unmasked');
  });
});

describe('the reconcile tick (a lost notice must not leave the schedule dead)', () => {
  const tick: TaskNotice = { channel: 'reconcile' };

  it('settles a run that ended without any notice arriving', async () => {
    const deps = depsFor(finishedTask());
    const result = await handleNotice(deps, postProcessorConfig(), tick);
    expect(result).toMatchObject({ action: 'settled', ruleAction: 'enable' });
    expect(hookCalls).toHaveLength(2);
    expect(lock.state).toBe('ENABLED');
  });

  it('leaves a settled run alone, even if the rule was disabled by hand since', async () => {
    const deps = depsFor(finishedTask());
    const config = postProcessorConfig();
    await handleNotice(deps, config, stopNotice);
    lock.state = 'DISABLED';
    lock.calls.length = 0;
    const result = await handleNotice(deps, config, tick);
    expect(result.action).toBe('duplicate');
    expect(lock.calls).toEqual([]);
    expect(hookCalls).toHaveLength(2);
  });

  it('ignores a run that ended before the reconcile window, so an expired ledger record never re-runs hooks', async () => {
    const longAgo = new Date('2026-08-01T00:00:00Z');
    const deps = depsFor(
      finishedTask({ lastStartDate: longAgo, stats: { stopDate: longAgo, fullLoadProgressPercent: 100 } }),
    );
    const result = await handleNotice(deps, postProcessorConfig(), tick);
    expect(result.action).toBe('ignored');
    expect(hookCalls).toEqual([]);
    expect(lock.calls).toEqual([]);
  });

  it('waits while the task is running', async () => {
    const deps = depsFor(finishedTask({ status: 'running', stopReason: undefined }));
    expect((await handleNotice(deps, postProcessorConfig(), tick)).action).toBe('waiting');
  });
});

describe('when settling partly fails', () => {
  it('fails the invocation if the alert cannot be sent, but still enables the rule; the retry repeats nothing', async () => {
    const deps = depsFor(finishedTask({ stopReason: 'Stop Reason FATAL_ERROR' }));
    alerts.failures = 1;
    const config = postProcessorConfig();
    await expect(handleNotice(deps, config, stopNotice)).rejects.toThrow(SettleFailedError);
    expect(lock.state).toBe('ENABLED');
    const retry = await handleNotice(deps, config, stopNotice);
    expect(retry.action).toBe('duplicate');
    expect(alerts.published).toEqual([]);
  });

  it('fails the invocation if the rule cannot be enabled; the retry enables it without re-running hooks', async () => {
    const deps = depsFor(finishedTask());
    lock.failOn = 'enable';
    lock.failures = 1;
    const config = postProcessorConfig();
    await expect(handleNotice(deps, config, stopNotice)).rejects.toThrow(/could not be enabled/);
    expect(lock.state).toBe('DISABLED');
    const retry = await handleNotice(deps, config, stopNotice);
    expect(retry.action).toBe('duplicate');
    expect(lock.state).toBe('ENABLED');
    expect(hookCalls).toEqual(['mask:succeeded', 'reindex:succeeded']);
  });

  it('gives the claim back if the hook runner itself breaks, so a retry can settle the run', async () => {
    const broken: HookRunner = {
      run: async () => {
        throw new Error('runner broke');
      },
    };
    const deps = depsFor(finishedTask(), { runner: broken });
    const config = postProcessorConfig();
    await expect(handleNotice(deps, config, stopNotice)).rejects.toThrow('runner broke');
    const retry = await handleNotice(
      { ...deps, hooks: new SequentialHookRunner([recordingHook('mask')]) },
      config,
      stopNotice,
    );
    expect(retry.action).toBe('settled');
    expect(hookCalls).toEqual(['mask:succeeded']);
  });
});
