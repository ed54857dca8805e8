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
  findMotoServer,
  MOTO_ACCOUNT_ID,
  MOTO_REGION,
  type RunningMotoServer,
  startMotoServer,
} from './moto-server.ts';

const motoServerPath = findMotoServer();
toolAvailable(
  motoServerPath !== undefined,
  'cli.moto',
  'moto_server not on PATH (pip install "moto[server]")',
);
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

describe.runIf(motoServerPath !== undefined)('dms-scheduler against moto_server', () => {
  let moto: RunningMotoServer | undefined;
  let home: string;
  const stacks = {
    nightly: uniqueName('dms-nightly'),
    busy: uniqueName('dms-busy'),
    oneTime: uniqueName('dms-once'),
    noLedger: uniqueName('dms-no-ledger'),
    noTask: uniqueName('dms-no-task'),
  };
  const ruleNames = { nightly: uniqueName('nightly-schedule'), busy: uniqueName('busy-schedule') };
  let taskArn = '';
  let busyRunId = '';

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
      await createStack(cloudFormation, stacks.busy, {
        ...base,
        cadence: 'schedule',
        ruleName: ruleNames.busy,
        ledgerTable: await createLedger(dynamoDb, taskArn, { seen: 1, run: busy }),
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
    it('prints the run the ledger keeps in the seven columns, and says what the ledger keeps on stderr', async () => {
      const result = await program(['history', '--stack', stacks.nightly]);
      expect(result.code).toBe(0);
      expect(result.stdout.trimEnd().split('\n')).toEqual([
        'START                 START TYPE     OUTCOME    DURATION  HOOKS        ROWS MASKED  RULE ACTION',
        '2026-11-23 00:00:01Z  reload-target  succeeded  11m 03s   2 succeeded  238          enable',
      ]);
      expect(result.stderr).toBe(
        "Note: the run ledger keeps one run per task: the active run, or else the last one (each new run replaces the last run's record).\n",
      );
    });

    it('--json: the filter applied and the runs, in the same run shape as status', async () => {
      const result = await program([
        'history',
        '--stack',
        stacks.nightly,
        '--json',
        '--since',
        '2026-11-01',
        '--limit',
        '5',
      ]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const report = JSON.parse(result.stdout) as HistoryReport;
      expect(Object.keys(report)).toEqual(['kind', 'version', 'task', 'ledger', 'since', 'limit', 'runs']);
      expect(report).toMatchObject({
        kind: 'history',
        version: 1,
        task: { arn: taskArn },
        since: '2026-11-01T00:00:00.000Z',
        limit: 5,
      });
      expect(report.runs).toEqual([
        expect.objectContaining({
          id: releasedRun.id,
          startedAt: '2026-11-23T00:00:01.000Z',
          startType: 'reload-target',
          outcome: { kind: 'succeeded', explanation: 'The full load finished' },
          durationMs: 663_000,
          rowsMasked: 238,
          ruleAction: 'enable',
        }),
      ]);
    });

    it('--since after the run: no rows, and a note saying none matches', async () => {
      const result = await program(['history', '--stack', stacks.nightly, '--since', '2026-11-24']);
      expect(result.code).toBe(0);
      expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('No run in the ledger matches.');
      const json = JSON.parse(
        (await program(['history', '--stack', stacks.nightly, '--since', '2026-11-24', '--json'])).stdout,
      );
      expect(json.runs).toEqual([]);
    });

    it('an active run started within --since 1h is listed with its outcome and the phase it is still in', async () => {
      const result = await program(['history', '--stack', stacks.busy, '--since', '1h']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /reload-target {2}succeeded \(active: hooks\) {2}3m 00s {4}1 running, 1 pending {2}- +-\n$/,
      );
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
