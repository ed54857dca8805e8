// The pre-flight inside startRun (PREFLIGHT_CONNECTIONS=on): the connections are tested after the task was
// read and found startable, and before anything is written. When both succeed the run starts as before;
// when one fails, or the task uses other endpoints than the stack names, one alert says so with DMS's message
// and nothing else happens: no lock, no ledger write, the rule untouched, no start. An alert that cannot be
// published fails the invocation, so the Errors alarm tells someone. Its configuration refuses missing ARNs
// and a Serverless replication.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionState, ConnectionTester } from '#shared/dms/connections';
import { ConfigurationError } from '#shared/errors';
import { type StarterDeps, startRun } from '#shared/runs/start-run';
import type { Trigger } from '#shared/runs/trigger';
import {
  ManualClock,
  RecordingAlerts,
  RecordingHistory,
  RecordingLog,
  RecordingMetrics,
  RecordingRule,
  RecordingStore,
  RULE_ARN,
  RULE_NAME,
  ScriptedTasks,
  starterConfig,
  TASK_ID,
  task,
} from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

const INSTANCE = 'arn:aws:dms:us-east-1:123456789012:rep:NIGHTLYINSTANCE';
const SOURCE = 'arn:aws:dms:us-east-1:123456789012:endpoint:PRODSOURCE';
const TARGET = 'arn:aws:dms:us-east-1:123456789012:endpoint:STAGINGTARGET';
const PREFLIGHT_ENV = {
  PREFLIGHT_CONNECTIONS: 'on',
  TASK_REPLICATION_INSTANCE_ARN: INSTANCE,
  TASK_SOURCE_ENDPOINT_ARN: SOURCE,
  TASK_TARGET_ENDPOINT_ARN: TARGET,
};
const scheduled: Trigger = { kind: 'schedule', ruleArn: RULE_ARN, time: new Date('2026-11-23T00:00:00Z') };

/** Every connection answers `testing`, then what `answers` says for its endpoint (successful by default). */
class ScriptedConnections implements ConnectionTester {
  readonly calls: string[] = [];
  answers: Record<string, ConnectionState> = {};

  async test(_instance: string, endpoint: string): Promise<ConnectionState> {
    this.calls.push(`test ${endpoint}`);
    return { status: 'testing' };
  }

  async read(_instance: string, endpoint: string): Promise<ConnectionState> {
    this.calls.push(`read ${endpoint}`);
    return this.answers[endpoint] ?? { status: 'successful' };
  }
}

let tasks: ScriptedTasks;
let rule: RecordingRule;
let alerts: RecordingAlerts;
let store: RecordingStore;
let connections: ScriptedConnections;
let clock: ManualClock;

beforeEach(() => {
  tasks = new ScriptedTasks(
    task({ replicationInstanceArn: INSTANCE, sourceEndpointArn: SOURCE, targetEndpointArn: TARGET }),
  );
  rule = new RecordingRule('ENABLED');
  alerts = new RecordingAlerts();
  store = new RecordingStore();
  connections = new ScriptedConnections();
  clock = new ManualClock();
});

const deps = (overrides: Partial<StarterDeps> = {}): StarterDeps => ({
  tasks,
  rule,
  alerts,
  store,
  history: new RecordingHistory(),
  connections,
  metrics: new RecordingMetrics(),
  log: new RecordingLog(),
  clock: clock.date,
  remainingTimeMs: () => 360_000,
  invocationId: 'starter-1',
  sleep: async (ms) => clock.advance(ms),
  ...overrides,
});

describe('the pre-flight', () => {
  it('tests both connections before the lock, then starts as usual', async () => {
    const result = await startRun(deps(), starterConfig(PREFLIGHT_ENV), scheduled);
    expect(result.outcome).toBe('started');
    expect(connections.calls.slice(0, 2)).toEqual([`test ${SOURCE}`, `test ${TARGET}`]);
    expect(tasks.startCalls).toHaveLength(1);
    expect(alerts.published).toEqual([]);
  });

  it("on a failed test: one alert with DMS's message, and no lock, no write, no rule call, no start", async () => {
    connections.answers[TARGET] = {
      status: 'failed',
      lastFailureMessage: 'Test connection failed for endpoint staging: timeout connecting to 10.0.3.7:5432',
    };
    const result = await startRun(deps(), starterConfig(PREFLIGHT_ENV), scheduled);
    expect(result).toEqual({
      outcome: 'preflight-failed',
      reason: `the target connection test failed: Test connection failed for endpoint staging: timeout connecting to 10.0.3.7:5432 (endpoint ${TARGET})`,
      task: { identifier: TASK_ID, status: 'ready' },
      rule: { name: RULE_NAME, state: 'untouched' },
    });
    expect(store.calls.filter((call) => call === 'save')).toEqual([]);
    // Read, never changed.
    expect(rule.calls).toEqual(['state']);
    expect(tasks.startCalls).toEqual([]);
    expect(alerts.published).toHaveLength(1);
    const [alert] = alerts.published;
    expect(alert?.id).toBe(`preflight:${TASK_ID}:2026-11-23T00:00:00.000Z`);
    expect(alert?.subject).toBe(
      `dms-scheduler: ${TASK_ID}: not started: the pre-flight connection test failed`,
    );
    expect(alert?.message).toContain('timeout connecting to 10.0.3.7:5432');
    expect(alert?.message).toContain(`The schedule rule ${RULE_NAME} was not touched`);
  });

  it('refuses, testing nothing, when the task uses other endpoints than the stack names', async () => {
    tasks.snapshot = { ...tasks.snapshot, targetEndpointArn: `${TARGET}OTHER` };
    const result = await startRun(deps(), starterConfig(PREFLIGHT_ENV), scheduled);
    expect(result.outcome).toBe('preflight-failed');
    expect(result.reason).toContain(
      `target endpoint the stack names (${TARGET}; the task's is ${TARGET}OTHER)`,
    );
    expect(connections.calls).toEqual([]);
    expect(store.calls.filter((call) => call === 'save')).toEqual([]);
    expect(alerts.published).toHaveLength(1);
  });

  it("gives up before the function's time runs out, and says so", async () => {
    connections.answers[SOURCE] = { status: 'testing' };
    const result = await startRun(
      deps({ remainingTimeMs: () => 60_000 }),
      starterConfig(PREFLIGHT_ENV),
      scheduled,
    );
    expect(result.outcome).toBe('preflight-failed');
    expect(result.reason).toMatch(/^the source connection test gave no answer within \d+ s$/);
    expect(clock.now - Date.parse('2026-11-23T01:00:00Z')).toBeLessThanOrEqual(60_000 - 15_000);
  });

  it('fails the invocation, having changed nothing, when the alert cannot be published', async () => {
    connections.answers[SOURCE] = { status: 'failed' };
    alerts.failures = 1;
    const error = await rejection(startRun(deps(), starterConfig(PREFLIGHT_ENV), scheduled));
    expect(String(error)).toContain('not allowed to publish');
    expect(store.calls.filter((call) => call === 'save')).toEqual([]);
    expect(rule.calls).toEqual(['state']);
  });

  it('tests nothing for a scheduled event that arrives while the rule is off (a late delivery)', async () => {
    rule = new RecordingRule('DISABLED');
    const result = await startRun(deps(), starterConfig(PREFLIGHT_ENV), scheduled);
    expect(result.outcome).toBe('skipped');
    expect(connections.calls).toEqual([]);
    expect(alerts.published).toEqual([]);
  });

  it('reads the rule again after the tests: a rule switched off by hand meanwhile is left alone', async () => {
    const switchedOff: ConnectionTester = {
      test: (instance, endpoint) => connections.test(instance, endpoint),
      read: async (instance, endpoint) => {
        rule.current = 'DISABLED';
        return connections.read(instance, endpoint);
      },
    };
    const result = await startRun(
      deps({ connections: switchedOff }),
      starterConfig(PREFLIGHT_ENV),
      scheduled,
    );
    expect(result.outcome).toBe('skipped');
    expect(result.reason).toContain('is disabled');
    expect(rule.calls).toEqual(['state', 'state']);
    expect(store.calls.filter((call) => call === 'save')).toEqual([]);
    expect(tasks.startCalls).toEqual([]);
  });

  it('is skipped when off, and never tested for a task that is not startable', async () => {
    await startRun(deps(), starterConfig(), scheduled);
    expect(connections.calls).toEqual([]);
    tasks.snapshot = { ...tasks.snapshot, status: 'running' };
    const result = await startRun(deps(), starterConfig(PREFLIGHT_ENV), { kind: 'manual' });
    expect(result.outcome).toBe('skipped');
    expect(connections.calls).toEqual([]);
  });
});

describe('the pre-flight configuration', () => {
  it('needs all three ARNs when on, naming each missing one', () => {
    expect(() => starterConfig({ PREFLIGHT_CONNECTIONS: 'on' })).toThrow(ConfigurationError);
    expect(() => starterConfig({ PREFLIGHT_CONNECTIONS: 'on' })).toThrow(
      /TASK_REPLICATION_INSTANCE_ARN is not set .*TASK_SOURCE_ENDPOINT_ARN is not set .*TASK_TARGET_ENDPOINT_ARN is not set/,
    );
    expect(starterConfig(PREFLIGHT_ENV).preflight).toEqual({
      instanceArn: INSTANCE,
      source: SOURCE,
      target: TARGET,
    });
    expect(starterConfig().preflight).toBeUndefined();
  });

  it('refuses an ARN of the wrong kind, and a Serverless replication', () => {
    expect(() => starterConfig({ ...PREFLIGHT_ENV, TASK_SOURCE_ENDPOINT_ARN: INSTANCE })).toThrow(
      'TASK_SOURCE_ENDPOINT_ARN must be a DMS endpoint ARN',
    );
    expect(() =>
      starterConfig({
        ...PREFLIGHT_ENV,
        REPLICATION_TASK_ARN: 'arn:aws:dms:us-east-1:123456789012:replication-config:SERVERLESS',
      }),
    ).toThrow(/a DMS Serverless replication has no replication instance to test from/);
  });
});
