// The dms-scheduler program, run as an operator runs it (a child process, real commander, real streams and
// exit codes), against a deployment made of parts in moto_server (moto-deployment.ts): `--stack` discovery
// from CloudFormation, `status` and `history` over the real adapters (DMS, EventBridge, the DynamoDB run
// ledger), their tables and `--json` shapes, and each way of failing: a stack that does not exist (AWS
// error), a stack that is not a deployment, a profile, colour on a terminal and off everywhere else.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  DatabaseMigrationServiceClient,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryReport } from '../../cli/history.ts';
import type { StatusReport } from '../../cli/status.ts';
import { historyEntryOf } from '../../shared/runs/history.ts';
import type { Run, TaskRecord } from '../../shared/runs/run.ts';
import { toolAvailable } from '../support/missing-tools.ts';
import { type ProgramResult, programCommand, REPO_ROOT, runProgram } from '../support/run-program.ts';
import {
  createLedger,
  createReplicationTask,
  createRule,
  createStack,
  uniqueName,
} from './moto-deployment.ts';
import {
  acceptMotoDmsTimestamps,
  MOTO_ACCOUNT_ID,
  MOTO_REGION,
  motoServerFor,
  type RunningMotoServer,
  startMotoServer,
} from './moto-server.ts';

const motoServerPath = motoServerFor('cli.moto');
const hasScript = toolAvailable(
  spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0,
  'cli.moto colour on a terminal',
  'util-linux script not on PATH (apt-get install util-linux): it gives the program a pseudo-terminal',
);

const PRELOAD = ['./test/integration/moto-dms-preload.ts'];
// biome-ignore lint/suspicious/noControlCharactersInRegex: an ANSI colour escape is what is looked for.
const ANSI = /\u001b\[/;

/** The nightly run of 2026-11-23, released: it succeeded, masked 238 rows, and gave the rule back. */
const releasedRun: Run = {
  id: '2026-11-23T00:00:00.000Z~0a1b2c',
  trigger: 'schedule',
  phase: 'released',
  createdAt: '2026-11-23T00:00:00.000Z',
  updatedAt: '2026-11-23T00:12:40.000Z',
  before: 0,
  startType: 'reload-target',
  scheduledFor: '2026-11-23T00:00:00.000Z',
  startRequestedAt: '2026-11-23T00:00:01.000Z',
  ruleOwned: true,
  outcome: { kind: 'succeeded', explanation: 'The full load finished' },
  finishedAt: '2026-11-23T00:11:04.000Z',
  hooks: [
    {
      name: 'mask-pii',
      status: 'succeeded',
      rerunnable: true,
      attempts: 1,
      durationMs: 83_000,
      changed: 'masked customers: email 120, phone 118',
      rowsMasked: 238,
    },
    { name: 'smoke-check', status: 'succeeded', rerunnable: false, attempts: 1, durationMs: 1_200 },
  ],
  ruleDecision: 'enable',
  outbox: [],
  releasedAt: '2026-11-23T00:12:40.000Z',
};

/** A run five minutes old, in its hooks: it holds the lock and keeps the rule disabled. */
function activeRun(now: Date): Run {
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
  return {
    id: `${at(5)}~ffee01`,
    trigger: 'manual',
    phase: 'hooks',
    createdAt: at(5),
    updatedAt: at(1),
    before: 0,
    startType: 'reload-target',
    startRequestedAt: at(5),
    ruleOwned: true,
    outcome: { kind: 'succeeded', explanation: 'The full load finished' },
    finishedAt: at(2),
    hooks: [
      { name: 'mask-pii', status: 'running', rerunnable: true, attempts: 1, owner: 'x', leaseUntil: 0 },
      { name: 'smoke-check', status: 'pending', rerunnable: false, attempts: 0 },
    ],
    outbox: [],
  };
}

const DAY_MS = 86_400_000;

/**
 * Runs of the past days, as the release step writes them into the run history: the nightly run 1, 2, 3 and
 * 10 days before `now` (00:01Z), succeeded, failed, a manual start DMS refused, and an older success.
 */
function pastRuns(now: Date): Run[] {
  const midnight = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const run = (daysAgo: number, suffix: string, overrides: Partial<Run>): Run => {
    const created = midnight - daysAgo * DAY_MS + 60_000;
    const at = (seconds: number) => new Date(created + seconds * 1000).toISOString();
    return {
      id: `${at(0)}~${suffix}`,
      trigger: 'schedule',
      phase: 'notified',
      createdAt: at(0),
      updatedAt: at(700),
      before: 0,
      startType: 'reload-target',
      scheduledFor: at(0),
      startRequestedAt: at(1),
      ruleOwned: true,
      outbox: [],
      ruleDecision: 'enable',
      ...overrides,
    };
  };
  const created = (daysAgo: number) => new Date(midnight - daysAgo * DAY_MS + 60_000).toISOString();
  const plus = (daysAgo: number, seconds: number) =>
    new Date(Date.parse(created(daysAgo)) + seconds * 1000).toISOString();
  return [
    run(1, 'aaaa01', {
      outcome: {
        kind: 'succeeded',
        explanation: 'The full load finished',
        stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
      },
      finishedAt: plus(1, 664),
      hooks: [
        {
          name: 'mask-pii',
          status: 'succeeded',
          rerunnable: true,
          attempts: 1,
          durationMs: 83_000,
          rowsMasked: 238,
        },
        { name: 'smoke-check', status: 'succeeded', rerunnable: false, attempts: 1, durationMs: 1_200 },
      ],
    }),
    run(2, 'aaaa02', {
      outcome: { kind: 'failed', explanation: 'The task failed', stopReason: 'Stop Reason FATAL_ERROR' },
      finishedAt: plus(2, 241),
    }),
    run(3, 'aaaa03', {
      trigger: 'manual',
      scheduledFor: undefined,
      outcome: { kind: 'start-failed', explanation: 'DMS refused the start' },
      finishedAt: plus(3, 301),
      ruleDecision: 'none',
      ruleOwned: false,
    }),
    run(10, 'aaaa10', {
      outcome: { kind: 'succeeded', explanation: 'The full load finished' },
      finishedAt: plus(10, 61),
      hooks: [
        {
          name: 'mask-pii',
          status: 'succeeded',
          rerunnable: true,
          attempts: 1,
          durationMs: 50_000,
          rowsMasked: 12,
        },
      ],
    }),
  ];
}

/** The table a person should see: each column as wide as its widest cell, two spaces apart. */
function historyTable(rows: readonly (readonly string[])[]): string[] {
  const header = [
    'START',
    'START TYPE',
    'TRIGGER',
    'OUTCOME',
    'DURATION',
    'HOOKS',
    'ROWS MASKED',
    'RULE ACTION',
  ];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  return [header, ...rows].map((cells) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
const stamp = (iso: string) => `${iso.slice(0, 19).replace('T', ' ')}Z`;

describe.runIf(motoServerPath !== undefined)('dms-scheduler against moto_server', () => {
  let moto: RunningMotoServer | undefined;
  let home: string;
  const stacks = {
    nightly: uniqueName('dms-nightly'),
    busy: uniqueName('dms-busy'),
    history: uniqueName('dms-history'),
    oneTime: uniqueName('dms-once'),
    noLedger: uniqueName('dms-no-ledger'),
    noTask: uniqueName('dms-no-task'),
  };
  const ruleNames = { nightly: uniqueName('nightly-schedule'), busy: uniqueName('busy-schedule') };
  let taskArn = '';
  let busyRunId = '';
  let past: Run[] = [];

  /** The program's environment: moto's endpoint and keys, and no file of this machine's ~/.aws. */
  function env(extra: Record<string, string> = {}, without: readonly string[] = []): Record<string, string> {
    const base: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_ENDPOINT_URL: moto?.endpoint ?? '',
      AWS_REGION: MOTO_REGION,
      AWS_ACCESS_KEY_ID: 'moto-test-key',
      AWS_SECRET_ACCESS_KEY: 'moto-test-secret',
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      // Node 20 is within the project's engines; the SDK's notice about Node 22 is not under test.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...extra,
    };
    for (const key of without) delete base[key];
    return base;
  }

  const program = (args: readonly string[], environment = env()): Promise<ProgramResult> =>
    runProgram(args, { env: environment, preload: PRELOAD });

  beforeAll(async () => {
    if (motoServerPath === undefined) throw new Error('moto_server not on PATH');
    moto = await startMotoServer(motoServerPath);
    home = mkdtempSync(join(tmpdir(), 'dms-scheduler-cli-home-'));
    const config = moto.clientConfig;
    const dms = new DatabaseMigrationServiceClient(config);
    acceptMotoDmsTimestamps(dms);
    const cloudFormation = new CloudFormationClient(config);
    const eventBridge = new EventBridgeClient(config);
    const dynamoDb = new DynamoDBClient(config);
    try {
      const identifier = uniqueName('nightly-refresh');
      taskArn = await createReplicationTask(dms, identifier);
      // moto leaves a new task in `creating`; one start and stop brings it to `stopped`, with its stats.
      await dms.send(
        new StartReplicationTaskCommand({
          ReplicationTaskArn: taskArn,
          StartReplicationTaskType: 'start-replication',
        }),
      );
      await dms.send(new StopReplicationTaskCommand({ ReplicationTaskArn: taskArn }));
      await createRule(eventBridge, ruleNames.nightly, 'ENABLED');
      await createRule(eventBridge, ruleNames.busy, 'DISABLED');
      const released: TaskRecord = { seen: 1, run: releasedRun, lastScheduledFor: releasedRun.scheduledFor };
      const busy = activeRun(new Date());
      busyRunId = busy.id;
      const base = { namePrefix: 'nightly', taskArn, taskIdentifier: identifier };
      await createStack(cloudFormation, stacks.nightly, {
        ...base,
        cadence: 'schedule',
        ruleName: ruleNames.nightly,
        ledgerTable: await createLedger(dynamoDb, taskArn, released),
      });
      past = pastRuns(new Date());
      const entries = past.map((run) => historyEntryOf(run, new Date(Date.parse(run.updatedAt))));
      const [lastRun] = past;
      await createStack(cloudFormation, stacks.busy, {
        ...base,
        cadence: 'schedule',
        ruleName: ruleNames.busy,
        ledgerTable: await createLedger(dynamoDb, taskArn, { seen: 1, run: busy }, entries),
      });
      await createStack(cloudFormation, stacks.history, {
        ...base,
        cadence: 'schedule',
        ruleName: ruleNames.nightly,
        ledgerTable: await createLedger(
          dynamoDb,
          taskArn,
          lastRun && { seen: 1, run: { ...lastRun, phase: 'released', releasedAt: lastRun.updatedAt } },
          entries,
        ),
      });
      await createStack(cloudFormation, stacks.oneTime, {
        ...base,
        cadence: 'one-time',
        ledgerTable: await createLedger(dynamoDb, taskArn, undefined),
      });
      await createStack(cloudFormation, stacks.noLedger, {
        ...base,
        cadence: 'schedule',
        ruleName: ruleNames.nightly,
      });
      await createStack(cloudFormation, stacks.noTask, {
        ...base,
        taskArn: `arn:aws:dms:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:task:NOSUCHTASK`,
        cadence: 'one-time',
        ledgerTable: await createLedger(dynamoDb, taskArn, undefined),
      });
    } finally {
      for (const client of [dms, cloudFormation, eventBridge, dynamoDb]) client.destroy();
    }
  });

  afterAll(async () => {
    await moto?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  describe('status', () => {
    it('prints the task, the rule, the free lock and the last run as aligned facts', async () => {
      const result = await program(['status', '--stack', stacks.nightly]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toEqual([
        `Stack:          ${stacks.nightly} (CREATE_COMPLETE)`,
        'Mode:           data-refresh, full-load, schedule',
        expect.stringMatching(/^Task: {11}nightly-refresh-\w+: stopped$/),
        expect.stringMatching(/^Last started: {3}\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
        'Full load:      100%; tables: 1 loaded, 0 loading, 0 queued, 0 errored',
        `Schedule rule:  ${ruleNames.nightly}: ENABLED`,
        'Lock:           free',
        'Active run:     none',
        'Last run:       2026-11-23T00:00:00.000Z~0a1b2c (schedule, reload-target): succeeded in 11m 03s; hooks 2 succeeded; rule enable',
      ]);
      expect(result.stdout).not.toMatch(ANSI);
    });

    it('finds the stack from DMS_SCHEDULER_STACK when --stack is not given', async () => {
      const result = await program(['status', '--json'], env({ DMS_SCHEDULER_STACK: stacks.nightly }));
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).stack.name).toBe(stacks.nightly);
    });

    it('--json: one document with the documented keys, the active run and the lock it holds', async () => {
      const result = await program(['--json', 'status', '--stack', stacks.busy]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const report = JSON.parse(result.stdout) as StatusReport;
      expect(Object.keys(report)).toEqual([
        'kind',
        'version',
        'stack',
        'mode',
        'task',
        'rule',
        'lock',
        'holdOff',
        'activeRun',
        'lastRun',
        'ledger',
      ]);
      expect(report).toMatchObject({
        kind: 'status',
        version: 1,
        task: { arn: taskArn, status: 'stopped', migrationType: 'full-load', fullLoadProgressPercent: 100 },
        rule: { name: ruleNames.busy, state: 'DISABLED' },
        lock: { held: true, runId: busyRunId },
        holdOff: null,
        activeRun: {
          id: busyRunId,
          trigger: 'manual',
          phase: 'hooks',
          active: true,
          outcome: { kind: 'succeeded' },
          hooks: [
            { name: 'mask-pii', status: 'running' },
            { name: 'smoke-check', status: 'pending' },
          ],
          ruleAction: null,
        },
        lastRun: null,
      });
    });

    it('says so when the stack is one-time (no rule) and the ledger holds no run', async () => {
      const result = await program(['status', '--stack', stacks.oneTime]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Schedule rule:  none (one-time mode)\n');
      expect(result.stdout).toContain('Last run:       none recorded\n');
      const json = JSON.parse((await program(['status', '--stack', stacks.oneTime, '--json'])).stdout);
      expect(json).toMatchObject({ rule: null, lock: { held: false }, activeRun: null, lastRun: null });
    });
  });

  describe('history', () => {
    const cellsOf = (index: number): string[] => {
      const run = past[index] as Run;
      const cells: Record<number, string[]> = {
        0: ['reload-target', 'schedule', 'succeeded', '11m 03s', '2 succeeded', '238', 'enable'],
        1: ['reload-target', 'schedule', 'failed', '4m 00s', 'none', '-', 'enable'],
        2: ['reload-target', 'manual', 'start-failed', '5m 00s', 'none', '-', 'none'],
        3: ['reload-target', 'schedule', 'succeeded', '1m 00s', '1 succeeded', '12', 'enable'],
      };
      return [stamp(run.startRequestedAt ?? run.createdAt), ...(cells[index] ?? [])];
    };
    const tableOf = (...indexes: number[]) => historyTable(indexes.map(cellsOf));
    const linesOf = (stdout: string) => stdout.trimEnd().split('\n');

    it('by default: the last 7 days of runs from the history, newest first, in the eight columns', async () => {
      const result = await program(['history', '--stack', stacks.history]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(linesOf(result.stdout)).toEqual(tableOf(0, 1, 2));
    });

    it('--since 30d reaches the older run; --limit keeps the newest and says so on stderr', async () => {
      const month = await program(['history', '--stack', stacks.history, '--since', '30d']);
      expect(month.code).toBe(0);
      expect(linesOf(month.stdout)).toEqual(tableOf(0, 1, 2, 3));
      const two = await program(['history', '--stack', stacks.history, '--since', '30d', '--limit', '2']);
      expect(two.code).toBe(0);
      expect(linesOf(two.stdout)).toEqual(tableOf(0, 1));
      expect(two.stderr).toBe('Showing the newest 2; --limit and --since show more.\n');
    });

    it('--since a UTC date, or a span in hours, starts the list there', async () => {
      const day = (past[1] as Run).createdAt.slice(0, 10);
      const fromDate = await program(['history', '--stack', stacks.history, '--since', day]);
      expect(linesOf(fromDate.stdout)).toEqual(tableOf(0, 1));
      const hours = Math.ceil((Date.now() - Date.parse((past[0] as Run).createdAt)) / 3_600_000) + 1;
      const fromSpan = await program(['history', '--stack', stacks.history, '--since', `${hours}h`]);
      expect(linesOf(fromSpan.stdout)).toEqual(tableOf(0));
    });

    it('--json: version 2, the filter applied (defaults included) and the runs in the same shape as status', async () => {
      const result = await program(['history', '--stack', stacks.history, '--json', '--since', '30d']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const report = JSON.parse(result.stdout) as HistoryReport;
      expect(Object.keys(report)).toEqual(['kind', 'version', 'task', 'ledger', 'since', 'limit', 'runs']);
      expect(report).toMatchObject({ kind: 'history', version: 2, task: { arn: taskArn }, limit: 20 });
      expect(Date.now() - Date.parse(report.since)).toBeGreaterThanOrEqual(30 * DAY_MS);
      expect(report.ledger.keeps).toContain('90 days');
      const [newest, failed, refused] = past as [Run, Run, Run];
      expect(report.runs.map((run) => run.id)).toEqual(past.map((run) => run.id));
      expect(report.runs[0]).toEqual({
        id: newest.id,
        trigger: 'schedule',
        phase: 'released',
        active: false,
        startType: 'reload-target',
        createdAt: newest.createdAt,
        scheduledFor: newest.scheduledFor,
        startedAt: newest.startRequestedAt,
        finishedAt: newest.finishedAt,
        durationMs: 663_000,
        outcome: { kind: 'succeeded', explanation: 'The full load finished' },
        stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
        hooks: [
          {
            name: 'mask-pii',
            status: 'succeeded',
            durationMs: 83_000,
            rowsMasked: 238,
            changed: null,
            error: null,
          },
          {
            name: 'smoke-check',
            status: 'succeeded',
            durationMs: 1_200,
            rowsMasked: null,
            changed: null,
            error: null,
          },
        ],
        hooksOmitted: 0,
        rowsMasked: 238,
        ruleAction: 'enable',
        releasedAt: newest.updatedAt,
        lastError: null,
      });
      expect(report.runs[1]).toMatchObject({
        id: failed.id,
        stopReason: 'Stop Reason FATAL_ERROR',
        hooks: [],
      });
      expect(report.runs[2]).toMatchObject({
        id: refused.id,
        trigger: 'manual',
        scheduledFor: null,
        ruleAction: 'none',
      });
      const defaults = JSON.parse((await program(['history', '--stack', stacks.history, '--json'])).stdout);
      expect(Date.now() - Date.parse(defaults.since)).toBeLessThan(7 * DAY_MS + 60_000);
      expect(defaults.runs).toHaveLength(3);
    });

    it('a run released before the history was kept is still listed, from the task record', async () => {
      const result = await program(['history', '--stack', stacks.nightly, '--since', '2026-11-01', '--json']);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).runs).toEqual([
        expect.objectContaining({
          id: releasedRun.id,
          startedAt: '2026-11-23T00:00:01.000Z',
          outcome: { kind: 'succeeded', explanation: 'The full load finished' },
          durationMs: 663_000,
          rowsMasked: 238,
          ruleAction: 'enable',
        }),
      ]);
    });

    it('no run since the date asked: only the header, and a note saying none matches', async () => {
      const result = await program(['history', '--stack', stacks.history, '--since', '1h']);
      expect(result.code).toBe(0);
      expect(linesOf(result.stdout)).toEqual(tableOf());
      expect(result.stderr).toBe('No run in the ledger matches (runs are kept 90 days after their day).\n');
    });

    it('the active run comes first, marked active, whatever --since says, then the history', async () => {
      const result = await program(['history', '--stack', stacks.busy, '--since', '2d']);
      expect(result.code).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[1]).toMatch(
        /reload-target {2}manual +succeeded \(active: hooks\) +3m 00s +1 running, 1 pending +- +-$/,
      );
      expect(lines[2]).toContain('  schedule  succeeded  ');
      const json = JSON.parse((await program(['history', '--stack', stacks.busy, '--json'])).stdout);
      expect(json.runs.map((run: { id: string; active: boolean }) => [run.id, run.active])).toEqual([
        [busyRunId, true],
        ...past.slice(0, 3).map((run) => [run.id, false]),
      ]);
    });

    it.each([
      ['yesterday'],
      ['7x'],
      ['2026-13-45'],
      ['-3d'],
    ])('a --since it cannot read (%s) is a usage error (2), the option named, nothing asked of AWS', async (since) => {
      const result = await program(['history', '--stack', stacks.history, '--since', since]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^dms-scheduler: --since takes a span back from now/);
    });
  });

  describe('failures', () => {
    it('a stack that does not exist: AWS error (3), one line on stderr, nothing on stdout', async () => {
      const result = await program(['status', '--stack', 'no-such-stack']);
      expect(result.code).toBe(3);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'dms-scheduler: stack no-such-stack not found (CloudFormation DescribeStacks: Stack with id no-such-stack does not exist); check --stack, --region and --profile\n',
      );
    });

    it('a stack without the ledger output: not a deployment (5), the output named', async () => {
      const result = await program(['history', '--stack', stacks.noLedger]);
      expect(result.code).toBe(5);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `dms-scheduler: stack ${stacks.noLedger} is not a usable dms-scheduler deployment: Output RunLedgerTableName is missing\n`,
      );
    });

    it('a stack naming a task DMS does not have: not a deployment (5), the parameter named', async () => {
      const result = await program(['status', '--stack', stacks.noTask]);
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(
        /^dms-scheduler: stack \S+: Parameter ReplicationTaskArn names a task that does not exist \(.*NOSUCHTASK\)\n$/,
      );
    });

    it('--profile reads that profile from the credentials file, not the environment; an unknown one is an AWS error', async () => {
      writeFileSync(
        join(home, 'credentials'),
        '[ops]\naws_access_key_id = moto-profile-key\naws_secret_access_key = moto-profile-secret\n',
      );
      const noKeys = env({}, ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
      const withProfile = await program(
        ['--profile', 'ops', 'status', '--stack', stacks.nightly, '--json'],
        noKeys,
      );
      expect(withProfile.code).toBe(0);
      expect(JSON.parse(withProfile.stdout).task.arn).toBe(taskArn);

      const unknown = await program(['--profile', 'nobody', 'status', '--stack', stacks.nightly], noKeys);
      expect(unknown.code).toBe(3);
      expect(unknown.stdout).toBe('');
      expect(unknown.stderr).toMatch(
        /^dms-scheduler: CloudFormation DescribeStacks failed: no AWS credentials found \(.+\): check the profile/,
      );
      expect(unknown.stderr.trimEnd().split('\n')).toHaveLength(1);
    });

    it('no region anywhere: AWS error (3) saying how to give one', async () => {
      const result = await program(['status', '--stack', stacks.nightly], env({}, ['AWS_REGION']));
      expect(result.code).toBe(3);
      expect(result.stderr).toBe(
        'dms-scheduler: CloudFormation DescribeStacks failed: no AWS region: give --region REGION, or set AWS_REGION (or a region in the profile)\n',
      );
    });
  });

  describe.runIf(hasScript)('colour', () => {
    /** The program on a pseudo-terminal (util-linux `script`): stdout is a TTY, as in an operator's shell. */
    function onTerminal(args: readonly string[], environment: Record<string, string>): string {
      const command = ['node', ...programCommand(args, PRELOAD)].map((word) => `'${word}'`).join(' ');
      const result = spawnSync('script', ['-qec', command, '/dev/null'], {
        cwd: REPO_ROOT,
        env: environment,
        encoding: 'utf8',
      });
      if (result.status !== 0)
        throw new Error(`script exited ${result.status}: ${result.stdout}${result.stderr}`);
      return result.stdout;
    }

    it('is on for a terminal, and off with NO_COLOR or --no-color', () => {
      const args = ['status', '--stack', stacks.nightly];
      const onTty = onTerminal(args, env());
      expect(onTty).toMatch(ANSI);
      expect(onTty).toContain(`\u001b[32mENABLED\u001b[39m`);
      expect(onTerminal(args, env({ NO_COLOR: '1' }))).not.toMatch(ANSI);
      expect(onTerminal([...args, '--no-color'], env())).not.toMatch(ANSI);
    });

    it('is off when stdout is a pipe', async () => {
      expect((await program(['status', '--stack', stacks.nightly])).stdout).not.toMatch(ANSI);
    });
  });
});
