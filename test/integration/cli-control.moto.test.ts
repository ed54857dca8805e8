// `dms-scheduler stop`, `resume`, `wait` and `run`, run as an operator runs them (a child process, real
// commander, streams, signals and exit codes) against a deployment in moto_server (moto-deployment.ts):
// StopReplicationTask on a running moto task with the stop recorded in the DynamoDB ledger; resume enabling a
// held-off EventBridge rule and clearing the hold-off; the refusals (exit 4); wait's progress as a bar on a
// pseudo-terminal (util-linux `script`) and as plain lines in a pipe, and Ctrl-C leaving the run alone (exit
// 130); run invoking the stack's task-starter. moto's Lambda, told not to use Docker (POST /moto-api/config
// {"lambda": {"use_docker": false}}), answers an Invoke with the payload it was sent: that proves the function
// and payload `run` sends, and how it reads an answer that is no start result. run's reading of real answers
// is tested against the real handler in cli.simulated.test.ts and over aws-sdk-client-mock.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  StartReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRunStore } from '../../shared/runs/dynamodb-store.ts';
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

const motoServerPath = motoServerFor('cli-control.moto');
const hasScript = toolAvailable(
  spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0,
  'cli-control.moto wait on a terminal',
  'util-linux script not on PATH (apt-get install util-linux): it gives the program a pseudo-terminal',
);

const PRELOAD = ['./test/integration/moto-dms-preload.ts'];
// biome-ignore lint/suspicious/noControlCharactersInRegex: an SGR colour escape is what is looked for.
const COLOUR = /\u001b\[(3\d|2|1)m/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a carriage return or cursor move is what is looked for.
const REDRAW = /\r|\u001b\[\d*G/;

function run(phase: Run['phase'], extra: Partial<Run> = {}): Run {
  const now = new Date().toISOString();
  return {
    id: `${now}~c0ffee`,
    trigger: 'manual',
    phase,
    createdAt: now,
    updatedAt: now,
    before: 0,
    startType: 'reload-target',
    startRequestedAt: now,
    ruleOwned: true,
    outbox: [],
    ...extra,
  };
}

const HOLD_OFF = { runId: '2026-11-22T00:00:00.000Z~dead01', since: '2026-11-22T00:40:00.000Z' };

describe.runIf(motoServerPath !== undefined)(
  'dms-scheduler stop, resume, wait and run against moto_server',
  () => {
    let moto: RunningMotoServer | undefined;
    let home = '';
    let dms: DatabaseMigrationServiceClient;
    let eventBridge: EventBridgeClient;
    let dynamoDb: DynamoDBClient;
    const stacks = {
      running: uniqueName('dms-running'),
      held: uniqueName('dms-held'),
      heldBusy: uniqueName('dms-held-busy'),
      offByHand: uniqueName('dms-off-by-hand'),
      oneTime: uniqueName('dms-once'),
      following: uniqueName('dms-following'),
    };
    const rules = {
      held: uniqueName('held'),
      heldBusy: uniqueName('held-busy'),
      offByHand: uniqueName('off-by-hand'),
    };
    const tasks = { running: '', following: '' };
    const ledgers = { running: '', held: '', following: '' };

    function env(extra: Record<string, string> = {}): Record<string, string> {
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
        ...extra,
      };
    }
    const program = (args: readonly string[], environment = env()): Promise<ProgramResult> =>
      runProgram(args, { env: environment, preload: PRELOAD });
    const record = async (table: string, taskArn: string) =>
      new DynamoDbRunStore(dynamoDb, table).load(taskArn);
    const rewrite = async (table: string, taskArn: string, change: (current: TaskRecord) => TaskRecord) => {
      const store = new DynamoDbRunStore(dynamoDb, table);
      const { record: current, version } = await store.load(taskArn);
      if (!(await store.save(taskArn, change(current as TaskRecord), version)))
        throw new Error('ledger write lost');
    };
    const taskStatus = async (arn: string) =>
      (
        await dms.send(
          new DescribeReplicationTasksCommand({ Filters: [{ Name: 'replication-task-arn', Values: [arn] }] }),
        )
      ).ReplicationTasks?.[0]?.Status;

    async function runningTask(identifier: string): Promise<string> {
      const arn = await createReplicationTask(dms, identifier);
      await dms.send(
        new StartReplicationTaskCommand({
          ReplicationTaskArn: arn,
          StartReplicationTaskType: 'start-replication',
        }),
      );
      return arn;
    }

    beforeAll(async () => {
      if (motoServerPath === undefined) throw new Error('moto_server not on PATH');
      moto = await startMotoServer(motoServerPath);
      home = mkdtempSync(join(tmpdir(), 'dms-scheduler-cli-control-'));
      const config = moto.clientConfig;
      dms = new DatabaseMigrationServiceClient(config);
      acceptMotoDmsTimestamps(dms);
      eventBridge = new EventBridgeClient(config);
      dynamoDb = new DynamoDBClient(config);
      const cloudFormation = new CloudFormationClient(config);
      const lambda = new LambdaClient(config);
      try {
        const running = uniqueName('running-refresh');
        tasks.running = await runningTask(running);
        const following = uniqueName('following-refresh');
        tasks.following = await runningTask(following);
        const base = { namePrefix: 'nightly', taskArn: tasks.running, taskIdentifier: running };
        ledgers.running = await createLedger(dynamoDb, tasks.running, { seen: 0, run: run('started') });
        await createStack(cloudFormation, stacks.running, {
          ...base,
          cadence: 'one-time',
          ledgerTable: ledgers.running,
        });

        await createRule(eventBridge, rules.held, 'DISABLED');
        ledgers.held = await createLedger(dynamoDb, tasks.running, {
          seen: 1,
          run: run('released', {
            id: HOLD_OFF.runId,
            outcome: { kind: 'failed', explanation: 'The task failed' },
          }),
          holdOff: HOLD_OFF,
        });
        await createStack(cloudFormation, stacks.held, {
          ...base,
          cadence: 'schedule',
          ruleName: rules.held,
          ledgerTable: ledgers.held,
        });
        await createRule(eventBridge, rules.heldBusy, 'DISABLED');
        await createStack(cloudFormation, stacks.heldBusy, {
          ...base,
          cadence: 'schedule',
          ruleName: rules.heldBusy,
          ledgerTable: await createLedger(dynamoDb, tasks.running, {
            seen: 1,
            run: run('hooks'),
            holdOff: HOLD_OFF,
          }),
        });
        await createRule(eventBridge, rules.offByHand, 'DISABLED');
        await createStack(cloudFormation, stacks.offByHand, {
          ...base,
          cadence: 'schedule',
          ruleName: rules.offByHand,
          ledgerTable: await createLedger(dynamoDb, tasks.running, { seen: 1, run: run('released') }),
        });
        await createStack(cloudFormation, stacks.oneTime, {
          ...base,
          namePrefix: 'once',
          cadence: 'one-time',
          ledgerTable: await createLedger(dynamoDb, tasks.running, undefined),
        });
        ledgers.following = await createLedger(dynamoDb, tasks.following, { seen: 0, run: run('started') });
        await createStack(cloudFormation, stacks.following, {
          namePrefix: 'following',
          taskArn: tasks.following,
          taskIdentifier: following,
          cadence: 'one-time',
          ledgerTable: ledgers.following,
        });
        await createTaskStarterFunction(moto.endpoint, lambda, 'once-task-starter');
      } finally {
        for (const client of [cloudFormation, lambda]) client.destroy();
      }
    });

    afterAll(async () => {
      for (const client of [dms, eventBridge, dynamoDb]) client?.destroy();
      await moto?.stop();
      if (home) rmSync(home, { recursive: true, force: true });
    });

    describe('stop', () => {
      it('records the request on the active run, then stops the running task (StopReplicationTask)', async () => {
        expect(await taskStatus(tasks.running)).toBe('running');
        const result = await program(['stop', '--stack', stacks.running, '--json']);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        const report = JSON.parse(result.stdout);
        expect(Object.keys(report)).toEqual(['kind', 'version', 'task', 'run', 'stopRequest']);
        expect(report).toMatchObject({
          kind: 'stop',
          version: 1,
          task: { arn: tasks.running, statusBefore: 'running', statusAfter: 'stopped' },
          stopRequest: { by: 'cli' },
        });
        expect(await taskStatus(tasks.running)).toBe('stopped');
        const { record: stored } = await record(ledgers.running, tasks.running);
        expect(stored?.run?.stopRequested).toEqual({ by: 'cli', at: report.stopRequest.at });
        expect(report.run).toEqual({ id: stored?.run?.id, phase: 'started' });
      });

      it('refuses (exit 4) a task that is not running, and changes nothing', async () => {
        const before = await record(ledgers.running, tasks.running);
        const result = await program(['stop', '--stack', stacks.running]);
        expect(result.code).toBe(4);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(
          /^dms-scheduler: task running-refresh-\w+ is stopped: only a running or starting task can be stopped; nothing was changed\n$/,
        );
        expect((await record(ledgers.running, tasks.running)).version).toBe(before.version);
      });
    });

    describe('resume', () => {
      it('enables the held-off rule and clears the hold-off; a second resume is refused (exit 4)', async () => {
        const result = await program(['resume', '--stack', stacks.held]);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).toBe(
          `Schedule rule ${rules.held}: DISABLED → ENABLED\nHold-off after run ${HOLD_OFF.runId} (since ${HOLD_OFF.since}) cleared: the next scheduled run will start\n`,
        );
        expect((await eventBridge.send(new DescribeRuleCommand({ Name: rules.held }))).State).toBe('ENABLED');
        const { record: stored } = await record(ledgers.held, tasks.running);
        expect(stored).not.toHaveProperty('holdOff');
        expect(stored?.run?.id).toBe(HOLD_OFF.runId);

        const again = await program(['resume', '--stack', stacks.held, '--json']);
        expect(again).toMatchObject({ code: 4, stdout: '' });
        expect(again.stderr).toBe(
          `dms-scheduler: the schedule rule ${rules.held} is ENABLED and no hold-off is recorded: nothing to resume\n`,
        );
      });

      it.each([
        [
          'heldBusy',
          /^dms-scheduler: run \S+ is active \(hooks\): its release decides the schedule rule \S+; nothing was changed\n$/,
        ],
        ['offByHand', /is DISABLED, but not by RuleAfterFailure=keep-disabled \(no hold-off is recorded\)/],
        ['oneTime', /runs one-time: it has no schedule rule to resume/],
      ] as const)('refuses (exit 4) for %s, and leaves the rule as it was', async (stack, message) => {
        const result = await program(['resume', '--stack', stacks[stack]]);
        expect(result.code).toBe(4);
        expect(result.stderr).toMatch(message);
        if (stack !== 'oneTime') {
          const name = rules[stack];
          expect((await eventBridge.send(new DescribeRuleCommand({ Name: name }))).State).toBe('DISABLED');
        }
      });
    });

    describe('run', () => {
      it('invokes the stack\u2019s task-starter with the manual request (moto echoes it), and refuses an answer that is no start result (exit 3)', async () => {
        const result = await program(['run', '--stack', stacks.oneTime, '--start-type', 'reload-target']);
        expect(result.code).toBe(3);
        expect(result.stdout).toBe('');
        expect(result.stderr).toBe(
          'dms-scheduler: the task-starter once-task-starter answered with something that is not a start result: {"startType":"reload-target"}\n',
        );
      });
    });

    describe('wait', () => {
      /** Starts `wait` (optionally on a pseudo-terminal); resolves once its output matches `ready`. */
      function startWait(onTerminal: boolean, extraEnv: Record<string, string> = {}) {
        const args = ['wait', '--stack', stacks.following, '--interval', '0.2'];
        const node = ['node', ...programCommand(args, PRELOAD)];
        const child: ChildProcess = onTerminal
          ? spawn('script', ['-qfec', node.map((word) => `'${word}'`).join(' '), '/dev/null'], {
              cwd: REPO_ROOT,
              env: env(extraEnv),
            })
          : spawn(process.execPath, node.slice(1), { cwd: REPO_ROOT, env: env(extraEnv) });
        let stdout = '';
        let stderr = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
        });
        child.stderr?.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
        const output = () => ({ stdout, stderr });
        const until = async (ready: RegExp) => {
          const deadline = Date.now() + 20_000;
          while (!ready.test(stdout + stderr)) {
            if (Date.now() > deadline) throw new Error(`wait never printed ${ready}: ${stdout}${stderr}`);
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        };
        return { child, exited, output, until };
      }
      const settle = () =>
        rewrite(ledgers.following, tasks.following, (current) => ({
          ...current,
          run: {
            ...(current.run as Run),
            phase: 'released',
            outcome: { kind: 'succeeded', explanation: 'The full load finished' },
            finishedAt: new Date().toISOString(),
            hooks: [
              {
                name: 'mask-pii',
                status: 'succeeded',
                rerunnable: true,
                attempts: 1,
                rowsMasked: 238,
                durationMs: 1200,
              },
            ],
            ruleDecision: 'none',
            releasedAt: new Date().toISOString(),
          },
        }));
      const reopen = () =>
        rewrite(ledgers.following, tasks.following, (current) => ({ ...current, run: run('started') }));

      it('in a pipe: plain progress lines on stderr, no bar, no colour; the settled run on stdout; exit 0', async () => {
        await reopen();
        const waiting = startWait(false);
        // One line: nothing changes between polls in moto, so the next would come a minute later.
        await waiting.until(/full load running[^\n]*\n/);
        await settle();
        expect(await waiting.exited).toBe(0);
        const { stdout, stderr } = waiting.output();
        expect(stderr).toMatch(/^(--|\d+)% \| tables: .* \| full load running \| \d+s elapsed/m);
        expect(stderr).not.toContain('\r');
        expect(stderr).not.toMatch(/[\u2588\u2591]/);
        expect(stdout).toMatch(/^Run: {12}\S+ \(manual, reload-target\): succeeded in \d+s\n/);
        expect(stdout).toContain('Hooks:          mask-pii succeeded: 1s; 238 rows masked\n');
        expect(stdout).toContain('Schedule rule:  none (one-time mode)\n');
        expect(stdout + stderr).not.toMatch(COLOUR);
      });

      it('Ctrl-C stops following, says how to follow again, leaves the run alone; exit 130', async () => {
        await reopen();
        const before = await record(ledgers.following, tasks.following);
        const waiting = startWait(false);
        await waiting.until(/full load running/);
        waiting.child.kill('SIGINT');
        expect(await waiting.exited).toBe(130);
        expect(waiting.output().stderr).toContain(
          `Stopped following; the run goes on, untouched. Follow it again with: dms-scheduler wait --stack ${stacks.following}\n`,
        );
        expect(waiting.output().stdout).toBe('');
        expect(await record(ledgers.following, tasks.following)).toEqual(before);
        expect(await taskStatus(tasks.following)).toBe('running');
      });

      it.runIf(hasScript)(
        'on a terminal: the progress bar, redrawn in place; colour, but none with NO_COLOR',
        async () => {
          for (const [extra, coloured] of [
            [{}, true],
            [{ NO_COLOR: '1' }, false],
          ] as const) {
            await reopen();
            const waiting = startWait(true, extra);
            await waiting.until(/[\u2588\u2591]{24} [^\n]*full load running/);
            await settle();
            expect(await waiting.exited).toBe(0);
            const { stdout } = waiting.output();
            expect(stdout).toMatch(/[\u2588\u2591]{24} 100% \| tables: 1 loaded/);
            expect(stdout).toMatch(REDRAW);
            expect(stdout).toMatch(/Outcome: {8}The full load finished/);
            if (coloured) expect(stdout).toContain('\u001b[32msucceeded\u001b[39m');
            else expect(stdout).not.toMatch(COLOUR);
          }
        },
      );
    });
  },
);

/**
 * A Lambda function in moto named as the stack's task-starter. With Docker off, moto runs none of its code:
 * Invoke answers with the payload it was sent. The IAM role it needs is created through moto's IAM Query API.
 */
async function createTaskStarterFunction(
  endpoint: string,
  lambda: LambdaClient,
  name: string,
): Promise<void> {
  const config = await fetch(`${endpoint}/moto-api/config`, {
    method: 'POST',
    body: JSON.stringify({ lambda: { use_docker: false } }),
  });
  if (!config.ok) throw new Error(`moto config: ${config.status}`);
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
  const role = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=moto-test-key/20260101/${MOTO_REGION}/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: `Action=CreateRole&Version=2010-05-08&RoleName=${name}-role&AssumeRolePolicyDocument=${encodeURIComponent(trust)}`,
  });
  if (!role.ok) throw new Error(`moto CreateRole: ${role.status} ${await role.text()}`);
  const directory = mkdtempSync(join(tmpdir(), 'task-starter-zip-'));
  try {
    const zip = join(directory, 'function.zip');
    const made = spawnSync('python3', [
      '-c',
      'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z: z.writestr("handler.py", "def handler(event, context):\\n    return event\\n")',
      zip,
    ]);
    if (made.status !== 0) throw new Error(`zip: ${made.stderr}`);
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'python3.12',
        Role: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/${name}-role`,
        Handler: 'handler.handler',
        Code: { ZipFile: readFileSync(zip) },
      }),
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
