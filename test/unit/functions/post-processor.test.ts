// The post-processor handler over every sample event: notices for this task are settled, and everything
// else (other tasks, other sources, garbage) is logged, counted and ignored without failing the invocation
// or changing anything (invariant 5).
import { beforeEach, describe, expect, it } from 'vitest';
import { SequentialHookRunner } from '#shared/hooks/runner';
import { MemoryRunLedger } from '#shared/runs/memory-ledger';
import { createPostProcessorHandler } from '../../../functions/post-processor/app.ts';
import { sampleEvent } from '../../support/events.ts';
import {
  finishedTask,
  postProcessorConfig,
  RecordingAlerts,
  RecordingLock,
  RecordingLog,
  ScriptedTasks,
} from '../../support/ports.ts';

let tasks: ScriptedTasks;
let lock: RecordingLock;
let alerts: RecordingAlerts;
let log: RecordingLog;
let hookRuns: number;

function handler(env: Record<string, string> = {}) {
  return createPostProcessorHandler(
    {
      tasks,
      lock,
      alerts,
      ledger: new MemoryRunLedger(),
      hooks: new SequentialHookRunner([
        {
          name: 'count',
          run: async () => {
            hookRuns += 1;
            return undefined;
          },
        },
      ]),
      log,
      clock: () => new Date(),
    },
    postProcessorConfig(env),
  );
}

beforeEach(() => {
  tasks = new ScriptedTasks(finishedTask());
  lock = new RecordingLock('DISABLED');
  alerts = new RecordingAlerts();
  log = new RecordingLog();
  hookRuns = 0;
});

describe('notices for this task', () => {
  it.each([
    'sns-stopped-full-load-finished.json',
    'sns-stopped-full-load-finished-shape-b.json',
    'eventbridge-stopped.json',
  ])('%s settles a finished run: hooks once, rule enabled', async (name) => {
    const result = await handler()(sampleEvent(name));
    expect(result.results).toEqual([expect.objectContaining({ action: 'settled', ruleAction: 'enable' })]);
    expect(hookRuns).toBe(1);
    expect(lock.state).toBe('ENABLED');
  });

  it.each([
    'sns-started.json',
    'sns-started-shape-b.json',
    'eventbridge-started-documented.json',
  ])('%s while the task runs: waits', async (name) => {
    tasks.snapshot = finishedTask({ status: 'running', stopReason: undefined });
    const result = await handler()(sampleEvent(name));
    expect(result.results).toEqual([expect.objectContaining({ action: 'waiting' })]);
    expect(lock.calls).toEqual([]);
  });

  it.each([
    'sns-failed.json',
    'sns-failed-shape-b.json',
    'eventbridge-failed.json',
  ])('%s with a failed task: alert, no hooks', async (name) => {
    tasks.snapshot = finishedTask({ status: 'failed', stopReason: 'Stop Reason FATAL_ERROR' });
    const result = await handler()(sampleEvent(name));
    expect(result.results).toEqual([expect.objectContaining({ action: 'settled', alerted: true })]);
    expect(hookRuns).toBe(0);
    expect(alerts.published).toHaveLength(1);
  });
});

describe('input that changes nothing', () => {
  it.each([
    ['sns-foreign-task.json', 0],
    ['eventbridge-foreign-task.json', 0],
    ['sns-replication-instance.json', 1],
    ['eventbridge-instance-state-change.json', 1],
    ['sns-garbage-message.json', 1],
    ['garbage.json', 1],
    ['console-test.json', 1],
  ])('%s is ignored without failing', async (name, rejected) => {
    const result = await handler()(sampleEvent(name));
    expect(result.rejected).toBe(rejected);
    expect(result.results.every((entry) => entry.action === 'ignored')).toBe(true);
    expect(tasks.describeCalls).toEqual([]);
    expect(lock.calls).toEqual([]);
    expect(alerts.published).toEqual([]);
    expect(hookRuns).toBe(0);
    if (rejected > 0)
      expect(log.entries).toContainEqual(
        expect.objectContaining({ level: 'warn', message: 'input ignored' }),
      );
  });

  it.each([
    null,
    42,
    'text',
    [],
    { Records: [] },
    { Records: [{ EventSource: 'aws:sns' }] },
  ])('survives %j', async (event) => {
    const result = await handler()(event);
    expect(result.results).toEqual([]);
    expect(result.rejected).toBe(1);
    expect(tasks.describeCalls).toEqual([]);
  });
});

describe('the reconcile tick', () => {
  it('reads the task and settles a finished run whose notices never arrived', async () => {
    const result = await handler()(sampleEvent('reconcile.json'));
    expect(tasks.describeCalls).toHaveLength(1);
    expect(result.results).toEqual([expect.objectContaining({ action: 'settled', ruleAction: 'enable' })]);
    expect(hookRuns).toBe(1);
    expect(lock.state).toBe('ENABLED');
  });
});

describe('failures that must be retried', () => {
  it('fails the invocation when DMS cannot be read, having changed nothing', async () => {
    tasks.describe = async () => {
      throw new Error('ThrottlingException: Rate exceeded');
    };
    await expect(handler()(sampleEvent('sns-stopped-full-load-finished.json'))).rejects.toThrow(
      'ThrottlingException',
    );
    expect(lock.calls).toEqual([]);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'post-processor failed' }),
    );
  });
});
