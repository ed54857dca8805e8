// The task-starter handler over the sample trigger events: the schedule, the console's test event, an
// override, and malformed manual events, which are refused with a clear error before anything changes.
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidEventError } from '#shared/errors';
import { createStarterHandler } from '../../../functions/task-starter/app.ts';
import { sampleEvent } from '../../support/events.ts';
import {
  finishedTask,
  RecordingAlerts,
  RecordingLock,
  RecordingLog,
  ScriptedTasks,
  starterConfig,
  task,
} from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

let lock: RecordingLock;
let alerts: RecordingAlerts;
let log: RecordingLog;

beforeEach(() => {
  lock = new RecordingLock();
  alerts = new RecordingAlerts();
  log = new RecordingLog();
});

const handlerFor = (tasks: ScriptedTasks, env: Record<string, string> = {}) =>
  createStarterHandler({ tasks, lock, alerts, log }, starterConfig(env));

describe('triggers', () => {
  it('the scheduled event starts the run and logs the result', async () => {
    const tasks = new ScriptedTasks(task());
    const result = await handlerFor(tasks)(sampleEvent('schedule.json'));
    expect(result).toMatchObject({
      outcome: 'started',
      startType: 'start-replication',
      rule: { state: 'DISABLED' },
    });
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'task-starter: started' }),
    );
  });

  it("the console's hello-world test event is a manual run", async () => {
    const tasks = new ScriptedTasks(finishedTask());
    const result = await handlerFor(tasks)(sampleEvent('console-test.json'));
    expect(result).toMatchObject({ outcome: 'started', startType: 'reload-target' });
  });

  it('an override event chooses the start type', async () => {
    const tasks = new ScriptedTasks(finishedTask());
    await handlerFor(tasks, { START_TYPE_OVERRIDE: 'auto' })(sampleEvent('override-reload-target.json'));
    expect(tasks.startCalls.map((call) => call.startType)).toEqual(['reload-target']);
  });

  it('a scheduled event from another rule is ignored', async () => {
    const tasks = new ScriptedTasks(task());
    const result = await handlerFor(tasks)(sampleEvent('schedule-other-rule.json'));
    expect(result.outcome).toBe('ignored');
    expect(tasks.startCalls).toEqual([]);
  });
});

describe('bad input', () => {
  it.each([
    ['override-invalid.json', sampleEvent('override-invalid.json'), 'startType'],
    ['both CDC start fields', { cdcStartTime: '2026-11-20T00:00:00Z', cdcStartPosition: 'x:1' }, 'not both'],
    ['a malformed CDC time', { cdcStartTime: 'yesterday' }, 'cdcStartTime'],
  ])('%s is refused naming the field, and nothing changes', async (_name, event, field) => {
    const tasks = new ScriptedTasks(task());
    const failure = await rejection(handlerFor(tasks)(event));
    expect(failure).toBeInstanceOf(InvalidEventError);
    expect((failure as Error).message).toContain(field);
    expect(tasks.describeCalls).toEqual([]);
    expect(lock.calls).toEqual([]);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'task-starter failed' }),
    );
  });
});
