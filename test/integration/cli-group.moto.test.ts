// `dms-scheduler status`, `stop` and `history` on a run-group stack, run as an operator runs them (a child
// process, real commander, streams and exit codes) against a deployment in moto_server (moto-deployment.ts):
// a stack whose ReplicationTaskArn lists two moto tasks, its ledger record and history under the group's key
// (`group/<NamePrefix>`), written by the real DynamoDbRunStore and DynamoDbRunHistory. What is checked:
// DescribeReplicationTasks read for each member, StopReplicationTask on each running member with the stop
// recorded on the group's run first, the refusal when no member runs, and the group's runs listed.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../cli/status.ts';
import { DynamoDbRunStore } from '../../shared/runs/dynamodb-store.ts';
import { historyEntryOf } from '../../shared/runs/history.ts';
import type { GroupMember, Run } from '../../shared/runs/run.ts';
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
  MOTO_REGION,
  motoServerFor,
  type RunningMotoServer,
  startMotoServer,
} from './moto-server.ts';

const motoServerPath = motoServerFor('cli-group.moto');
const PRELOAD = ['./test/integration/moto-dms-preload.ts'];

const member = (arn: string, identifier: string, extra: Partial<GroupMember>): GroupMember => ({
  arn,
  identifier,
  state: 'queued',
  before: 0,
  startType: 'reload-target',
  ...extra,
});

function groupRun(members: readonly GroupMember[], extra: Partial<Run> = {}): Run {
  const now = new Date().toISOString();
  return {
    id: `${now}~9a0b1c`,
    trigger: 'schedule',
    phase: 'started',
    createdAt: now,
    updatedAt: now,
    before: 0,
    startRequestedAt: now,
    ruleOwned: true,
    outbox: [],
    members,
    ...extra,
  };
}

describe.runIf(motoServerPath !== undefined)('dms-scheduler on a run group, against moto_server', () => {
  let moto: RunningMotoServer | undefined;
  let home = '';
  let dms: DatabaseMigrationServiceClient;
  let dynamoDb: DynamoDBClient;
  const stacks = {
    status: uniqueName('grp-status'),
    stop: uniqueName('grp-stop'),
    follow: uniqueName('grp-follow'),
  };
  const prefixes = {
    status: uniqueName('orders').toLowerCase(),
    stop: uniqueName('refresh').toLowerCase(),
    follow: uniqueName('follow').toLowerCase(),
  };
  const ruleName = uniqueName('group-schedule');
  const tasks = { running: '', stopped: '', stopA: '', stopB: '', followA: '', followB: '' };
  const ids = {
    running: uniqueName('orders-refresh'),
    stopped: uniqueName('customers-refresh'),
    stopA: uniqueName('invoices-refresh'),
    stopB: uniqueName('payments-refresh'),
    followA: uniqueName('stock-refresh'),
    followB: uniqueName('prices-refresh'),
  };
  const ledgers = { status: '', stop: '', follow: '' };
  let statusRun: Run;

  function env(): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_ENDPOINT_URL: moto?.endpoint ?? '',
      AWS_REGION: MOTO_REGION,
      AWS_ACCESS_KEY_ID: 'moto-test-key',
      AWS_SECRET_ACCESS_KEY: 'moto-test-secret',
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  }
  const program = (args: readonly string[]): Promise<ProgramResult> =>
    runProgram(args, { env: env(), preload: PRELOAD });
  const taskStatus = async (arn: string) =>
    (
      await dms.send(
        new DescribeReplicationTasksCommand({ Filters: [{ Name: 'replication-task-arn', Values: [arn] }] }),
      )
    ).ReplicationTasks?.[0]?.Status;
  const start = (arn: string) =>
    dms.send(
      new StartReplicationTaskCommand({
        ReplicationTaskArn: arn,
        StartReplicationTaskType: 'start-replication',
      }),
    );

  beforeAll(async () => {
    if (motoServerPath === undefined) throw new Error('moto_server not on PATH');
    moto = await startMotoServer(motoServerPath);
    home = mkdtempSync(join(tmpdir(), 'dms-scheduler-cli-group-'));
    const config = moto.clientConfig;
    dms = new DatabaseMigrationServiceClient(config);
    acceptMotoDmsTimestamps(dms);
    dynamoDb = new DynamoDBClient(config);
    const cloudFormation = new CloudFormationClient(config);
    const eventBridge = new EventBridgeClient(config);
    try {
      for (const key of Object.keys(tasks) as (keyof typeof tasks)[]) {
        tasks[key] = await createReplicationTask(dms, ids[key]);
        await start(tasks[key]);
      }
      await dms.send(new StopReplicationTaskCommand({ ReplicationTaskArn: tasks.stopped }));
      await createRule(eventBridge, ruleName, 'DISABLED');

      statusRun = groupRun([
        member(tasks.running, ids.running, {
          state: 'started',
          startRequestedAt: new Date().toISOString(),
        }),
        member(tasks.stopped, ids.stopped, { state: 'queued' }),
      ]);
      // A released run of the day before, in the history under the group's key.
      const yesterday = new Date(Date.now() - 86_400_000).toISOString();
      const released = groupRun(
        [
          member(tasks.running, ids.running, {
            state: 'finished',
            outcome: { kind: 'succeeded', explanation: 'The full load finished' },
          }),
          member(tasks.stopped, ids.stopped, {
            state: 'finished',
            outcome: { kind: 'failed', explanation: 'The task failed' },
          }),
        ],
        {
          id: `${yesterday}~aaaa01`,
          createdAt: yesterday,
          startRequestedAt: yesterday,
          phase: 'notified',
          outcome: {
            kind: 'failed',
            explanation: `1 of 2 tasks of the group succeeded; task ${ids.stopped}: The task failed`,
          },
          finishedAt: new Date(Date.parse(yesterday) + 240_000).toISOString(),
          ruleDecision: 'enable',
        },
      );
      const statusKey = `group/${prefixes.status}`;
      ledgers.status = await createLedger(dynamoDb, statusKey, { seen: 1, run: statusRun }, [
        historyEntryOf(released, new Date(Date.parse(yesterday) + 300_000)),
      ]);
      await createStack(cloudFormation, stacks.status, {
        namePrefix: prefixes.status,
        taskArn: `${tasks.running},${tasks.stopped}`,
        taskIdentifier: `${ids.running},${ids.stopped}`,
        cadence: 'schedule',
        ruleName,
        ledgerTable: ledgers.status,
      });

      ledgers.stop = await createLedger(dynamoDb, `group/${prefixes.stop}`, {
        seen: 1,
        run: groupRun([
          member(tasks.stopA, ids.stopA, { state: 'started', startRequestedAt: new Date().toISOString() }),
          member(tasks.stopB, ids.stopB, { state: 'started', startRequestedAt: new Date().toISOString() }),
        ]),
      });
      await createStack(cloudFormation, stacks.stop, {
        namePrefix: prefixes.stop,
        taskArn: `${tasks.stopA}, ${tasks.stopB}`,
        taskIdentifier: `${ids.stopA}, ${ids.stopB}`,
        cadence: 'one-time',
        ledgerTable: ledgers.stop,
      });

      ledgers.follow = await createLedger(dynamoDb, `group/${prefixes.follow}`, {
        seen: 1,
        run: groupRun([
          member(tasks.followA, ids.followA, {
            state: 'started',
            startRequestedAt: new Date().toISOString(),
          }),
          member(tasks.followB, ids.followB, {
            state: 'started',
            startRequestedAt: new Date().toISOString(),
          }),
        ]),
      });
      await createStack(cloudFormation, stacks.follow, {
        namePrefix: prefixes.follow,
        taskArn: `${tasks.followA},${tasks.followB}`,
        taskIdentifier: `${ids.followA},${ids.followB}`,
        cadence: 'one-time',
        ledgerTable: ledgers.follow,
      });
    } finally {
      for (const client of [cloudFormation, eventBridge]) client.destroy();
    }
  });

  afterAll(async () => {
    for (const client of [dms, dynamoDb]) client?.destroy();
    await moto?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  describe('status', () => {
    it('--json: the group, and each member as DMS reports it with where it stands in the run', async () => {
      const result = await program(['status', '--stack', stacks.status, '--json']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const report = JSON.parse(result.stdout) as StatusReport;
      expect(report.task).toBeNull();
      expect(report.group).toEqual({ name: prefixes.status, key: `group/${prefixes.status}`, tasks: 2 });
      expect(report.members?.map((m) => [m.identifier, m.arn, m.status, m.run?.state])).toEqual([
        [ids.running, tasks.running, 'running', 'started'],
        [ids.stopped, tasks.stopped, 'stopped', 'queued'],
      ]);
      expect(report.members?.[1]?.run).toMatchObject({ startType: 'reload-target', outcome: null });
      expect(report.lock).toEqual({ held: true, runId: statusRun.id, since: statusRun.createdAt });
      expect(report.activeRun?.members?.map((m) => m.identifier)).toEqual([ids.running, ids.stopped]);
      expect(report.rule).toEqual({ name: ruleName, state: 'DISABLED' });
    });

    it('as text: the group, then one line per task: DMS’s status and its state in the run', async () => {
      const result = await program(['status', '--stack', stacks.status]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines.slice(2, 5)).toEqual([
        `Run group:      ${prefixes.status} (2 tasks)`,
        expect.stringMatching(
          new RegExp(
            `^Tasks: {10}${ids.running}: running(; [^;]+)*; in the run: started \\(reload-target\\)$`,
          ),
        ),
        expect.stringMatching(
          new RegExp(
            `^ {16}${ids.stopped}: stopped( \\([^)]*\\))?(; [^;]+)*; in the run: queued \\(reload-target\\)$`,
          ),
        ),
      ]);
      expect(lines).toContain(`Lock:           held by run ${statusRun.id}`);
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^Active run: {5}\S+ \(schedule\): started for \d+s; tasks 1 started, 1 queued$/,
        ),
      );
    });
  });

  describe('history', () => {
    it('lists the group’s runs from its own key, with a TASKS column', async () => {
      const result = await program(['history', '--stack', stacks.status]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const [header, active, past] = result.stdout.trimEnd().split('\n');
      expect(header).toMatch(
        /^START +START TYPE +TRIGGER +OUTCOME +TASKS +DURATION +HOOKS +ROWS MASKED +RULE ACTION$/,
      );
      // The active run's members share a start type; the history keeps none of a group's.
      expect(active).toMatch(
        /^\S+ \S+ +reload-target +schedule +in progress \(started\) +1 started, 1 queued +\S+ so far /,
      );
      expect(past).toMatch(/^\S+ \S+ +- +schedule +failed +1\/2 succeeded +4m 00s +none +- +enable$/);

      const json = JSON.parse((await program(['history', '--stack', stacks.status, '--json'])).stdout);
      expect(json.task).toEqual({ arn: `group/${prefixes.status}` });
      expect(json.group).toEqual({ name: prefixes.status, tasks: 2 });
      expect(json.runs.map((run: { groupTasks: unknown }) => run.groupTasks)).toEqual([
        { total: 2, succeeded: null },
        { total: 2, succeeded: 1 },
      ]);
    });
  });

  describe('stop', () => {
    it('records the request on the group’s run, then stops each running member (StopReplicationTask each)', async () => {
      expect(await taskStatus(tasks.stopA)).toBe('running');
      expect(await taskStatus(tasks.stopB)).toBe('running');
      const result = await program(['stop', '--stack', stacks.stop, '--json']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject({
        kind: 'stop',
        version: 1,
        task: null,
        group: { name: prefixes.stop },
        stopRequest: { by: 'cli' },
        members: [
          {
            arn: tasks.stopA,
            statusBefore: 'running',
            statusAfter: 'stopped',
            stop: 'accepted',
            error: null,
          },
          {
            arn: tasks.stopB,
            statusBefore: 'running',
            statusAfter: 'stopped',
            stop: 'accepted',
            error: null,
          },
        ],
      });
      expect(await taskStatus(tasks.stopA)).toBe('stopped');
      expect(await taskStatus(tasks.stopB)).toBe('stopped');
      const { record } = await new DynamoDbRunStore(dynamoDb, ledgers.stop).load(`group/${prefixes.stop}`);
      expect(record?.run?.stopRequested).toEqual({ by: 'cli', at: report.stopRequest.at });
      expect(report.run).toEqual({ id: record?.run?.id, phase: 'started' });
    });

    it('refuses (exit 4) once no member is running, and changes nothing', async () => {
      const store = new DynamoDbRunStore(dynamoDb, ledgers.stop);
      const before = await store.load(`group/${prefixes.stop}`);
      const result = await program(['stop', '--stack', stacks.stop]);
      expect(result.code).toBe(4);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `dms-scheduler: no task of group ${prefixes.stop} is running or starting (${ids.stopA} stopped, ${ids.stopB} stopped): only a running or starting task can be stopped; nothing was changed\n`,
      );
      expect((await store.load(`group/${prefixes.stop}`)).version).toBe(before.version);
    });
  });

  describe('wait', () => {
    it('in a pipe: a line per member, read from DMS each; once the group’s run is released, each member’s end; exit 1 when one failed', async () => {
      const child = spawn(
        process.execPath,
        programCommand(['wait', '--stack', stacks.follow, '--interval', '0.2'], PRELOAD),
        { cwd: REPO_ROOT, env: env() },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
      const deadline = Date.now() + 20_000;
      const both = new RegExp(
        `^${ids.followA}: .*full load running[\\s\\S]*^${ids.followB}: .*full load running`,
        'm',
      );
      while (!both.test(stderr)) {
        if (Date.now() > deadline) throw new Error(`wait printed no line per member: ${stdout}${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const store = new DynamoDbRunStore(dynamoDb, ledgers.follow);
      const key = `group/${prefixes.follow}`;
      const { record, version } = await store.load(key);
      const run = record?.run as Run;
      const now = new Date().toISOString();
      const ended: Run = {
        ...run,
        phase: 'released',
        outcome: {
          kind: 'failed',
          explanation: `1 of 2 tasks of the group succeeded; task ${ids.followB}: The task failed`,
        },
        finishedAt: now,
        releasedAt: now,
        ruleDecision: 'none',
        hooks: [],
        members: [
          {
            ...(run.members?.[0] as GroupMember),
            state: 'finished',
            finishedAt: now,
            outcome: { kind: 'succeeded', explanation: 'The full load finished' },
          },
          {
            ...(run.members?.[1] as GroupMember),
            state: 'finished',
            finishedAt: now,
            outcome: { kind: 'failed', explanation: 'The task failed' },
          },
        ],
      };
      expect(await store.save(key, { ...(record as NonNullable<typeof record>), run: ended }, version)).toBe(
        true,
      );
      expect(await exited).toBe(1);
      expect(stderr).not.toContain('\r');
      const lines = stdout.trimEnd().split('\n');
      expect(lines).toContain(
        `Outcome:        1 of 2 tasks of the group succeeded; task ${ids.followB}: The task failed`,
      );
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^Tasks: {10}${ids.followA}: succeeded \\(reload-target\\) in \\d+s$`),
        ),
      );
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^ {16}${ids.followB}: failed \\(reload-target\\) in \\d+s: The task failed$`),
        ),
      );
    });
  });
});
