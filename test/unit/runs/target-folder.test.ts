// The S3 target folder inside startRun (S3_TARGET_FOLDER_TEMPLATE): once the run holds the lock and the rule
// is off, the target endpoint's BucketFolder is set from the template with the run's date, the target's
// connection test is awaited, and only then is the task started. A folder already set is not set again (a
// repeated start changes nothing more). A failed test, a folder that could not be set, or a task that loads
// through another endpoint ends the run as a refused start: one alert saying the task was not started, no
// start call, the rule as the failure policy says. Its configuration names every problem at once.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionState, ConnectionTester } from '#shared/dms/connections';
import type { TargetFolderEditor } from '#shared/dms/endpoints';
import { ConfigurationError } from '#shared/errors';
import { type StarterDeps, startRun } from '#shared/runs/start-run';
import type { Trigger } from '#shared/runs/trigger';
import {
  finishedTask,
  ManualClock,
  RecordingAlerts,
  RecordingHistory,
  RecordingLog,
  RecordingMetrics,
  RecordingRule,
  RecordingStore,
  RULE_ARN,
  ScriptedTasks,
  starterConfig,
} from '../../support/ports.ts';

const INSTANCE = 'arn:aws:dms:us-east-1:123456789012:rep:NIGHTLYINSTANCE';
const EXPORTS = 'arn:aws:dms:us-east-1:123456789012:endpoint:EXPORTS3';
const FOLDER_ENV = {
  S3_TARGET_FOLDER_TEMPLATE: 'exports/{yyyy}/{MM}/{dd}',
  S3_TARGET_FOLDER_TIME_ZONE: 'Europe/Berlin',
  TASK_REPLICATION_INSTANCE_ARN: INSTANCE,
  TASK_TARGET_ENDPOINT_ARN: EXPORTS,
};
/** Tonight's firing, 23:30 UTC: already the 24th in Berlin. */
const scheduled: Trigger = { kind: 'schedule', ruleArn: RULE_ARN, time: new Date('2026-11-23T23:30:00Z') };

class ScriptedFolders implements TargetFolderEditor {
  readonly calls: string[] = [];
  folder: string | undefined = 'exports/2026/11/23';
  failSet: Error | undefined;

  async folderOf(endpointArn: string): Promise<string | undefined> {
    this.calls.push(`read ${endpointArn}`);
    return this.folder;
  }

  async setFolder(endpointArn: string, folder: string): Promise<void> {
    this.calls.push(`set ${endpointArn} ${folder}`);
    if (this.failSet) throw this.failSet;
    this.folder = folder;
  }
}

/** A test is under way already (ModifyEndpoint started one): a second is refused, the running one answers. */
class AutoTestedConnections implements ConnectionTester {
  readonly calls: string[] = [];
  answer: ConnectionState = { status: 'successful' };

  async test(_instance: string, endpoint: string): Promise<ConnectionState> {
    this.calls.push(`test ${endpoint}`);
    throw Object.assign(new Error('A connection test is already running for this endpoint'), {
      name: 'InvalidResourceStateFault',
    });
  }

  async read(_instance: string, endpoint: string): Promise<ConnectionState> {
    this.calls.push(`read ${endpoint}`);
    return this.calls.filter((call) => call.startsWith('read')).length === 1
      ? { status: 'testing' }
      : this.answer;
  }
}

let tasks: ScriptedTasks;
let rule: RecordingRule;
let alerts: RecordingAlerts;
let store: RecordingStore;
let folders: ScriptedFolders;
let connections: AutoTestedConnections;
let clock: ManualClock;
let log: RecordingLog;

beforeEach(() => {
  log = new RecordingLog();
  tasks = new ScriptedTasks(finishedTask({ replicationInstanceArn: INSTANCE, targetEndpointArn: EXPORTS }));
  rule = new RecordingRule('ENABLED');
  alerts = new RecordingAlerts();
  store = new RecordingStore();
  folders = new ScriptedFolders();
  connections = new AutoTestedConnections();
  clock = new ManualClock(Date.parse('2026-11-23T23:30:01Z'));
});

const deps = (): StarterDeps => ({
  tasks,
  rule,
  alerts,
  store,
  history: new RecordingHistory(),
  folders,
  connections,
  metrics: new RecordingMetrics(),
  log,
  clock: clock.date,
  remainingTimeMs: () => 360_000,
  invocationId: 'starter-1',
  sleep: async (ms) => clock.advance(ms),
});

describe('the S3 target folder', () => {
  it("is set to the run's date in its time zone, its test awaited, and then the task is started", async () => {
    const result = await startRun(deps(), starterConfig(FOLDER_ENV), scheduled);
    expect(result.outcome).toBe('started');
    expect(folders.calls).toEqual([`read ${EXPORTS}`, `set ${EXPORTS} exports/2026/11/24`]);
    expect(connections.calls.at(-1)).toBe(`read ${EXPORTS}`);
    expect(tasks.startCalls).toHaveLength(1);
    // The lock was taken and the rule switched off before the endpoint was touched.
    expect(rule.calls).toContain('disable');
    expect(store.calls.indexOf('save')).toBeGreaterThanOrEqual(0);
  });

  it("is not set again when it already is the run's folder", async () => {
    folders.folder = 'exports/2026/11/24';
    await startRun(deps(), starterConfig(FOLDER_ENV), scheduled);
    expect(folders.calls).toEqual([`read ${EXPORTS}`]);
    expect(tasks.startCalls).toHaveLength(1);
  });

  it('ends the run as a refused start when the test failed: one alert, no start, the rule given back', async () => {
    connections.answer = { status: 'failed', lastFailureMessage: 'Access Denied to bucket exports-prod' };
    const result = await startRun(deps(), starterConfig(FOLDER_ENV), scheduled);
    expect(result.outcome).toBe('start-failed');
    expect(result.reason).toContain(
      'was not started (reload-target): the S3 target folder was set to exports/2026/11/24, but the target connection test failed: Access Denied to bucket exports-prod',
    );
    expect(result.reason).not.toContain('DMS refused');
    expect(log.entries.map((entry) => entry.message)).toContain(
      'the start could not be prepared; reading the task before undoing anything',
    );
    expect(tasks.startCalls).toEqual([]);
    expect(alerts.published).toHaveLength(1);
    expect(alerts.published[0]?.message).toContain('Access Denied to bucket exports-prod');
    expect(rule.calls.at(-1)).toBe('enable');
    expect((await store.record())?.run).toMatchObject({
      phase: 'released',
      outcome: { kind: 'start-failed' },
    });
  });

  it('ends the run as a refused start when the folder could not be set', async () => {
    folders.failSet = Object.assign(new Error('User is not authorized to perform dms:ModifyEndpoint'), {
      name: 'AccessDeniedFault',
    });
    const result = await startRun(deps(), starterConfig(FOLDER_ENV), scheduled);
    expect(result.outcome).toBe('start-failed');
    expect(result.reason).toContain('the S3 target folder exports/2026/11/24 could not be set');
    expect(connections.calls).toEqual([]);
    expect(tasks.startCalls).toEqual([]);
    expect(alerts.published).toHaveLength(1);
  });

  it('changes no endpoint when the task loads through another one', async () => {
    tasks.snapshot = { ...tasks.snapshot, targetEndpointArn: `${EXPORTS}OTHER` };
    const result = await startRun(deps(), starterConfig(FOLDER_ENV), scheduled);
    expect(result.outcome).toBe('start-failed');
    expect(result.reason).toContain(`the task's are ${EXPORTS}OTHER`);
    expect(folders.calls).toEqual([]);
    expect(tasks.startCalls).toEqual([]);
  });
});

describe('the S3 target folder configuration', () => {
  it('names every problem at once: the template, the time zone and each missing ARN', () => {
    const load = () =>
      starterConfig({
        S3_TARGET_FOLDER_TEMPLATE: '/exports/{YYYY}',
        S3_TARGET_FOLDER_TIME_ZONE: 'Mars/Olympus',
      });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(
      /S3_TARGET_FOLDER_TEMPLATE uses \{YYYY\}.*starts or ends with a slash.*time zone "Mars\/Olympus".*TASK_REPLICATION_INSTANCE_ARN is not set.*TASK_TARGET_ENDPOINT_ARN is not set/,
    );
  });

  it('is off without a template, and UTC by default', () => {
    expect(starterConfig().targetFolder).toBeUndefined();
    const { S3_TARGET_FOLDER_TIME_ZONE: _zone, ...utc } = FOLDER_ENV;
    expect(starterConfig(utc).targetFolder).toEqual({
      template: 'exports/{yyyy}/{MM}/{dd}',
      timeZone: 'UTC',
      instanceArn: INSTANCE,
      endpointArn: EXPORTS,
    });
  });
});
