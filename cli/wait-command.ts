// Why this file exists: `dms-scheduler wait` on the command line: its options and help, the real adapters
// (DMS, the DynamoDB run ledger, EventBridge) handed to waitForRun, the progress display chosen for stderr,
// and Ctrl-C turned into an abort that stops following and leaves the run alone. `run --wait` comes here too.
import type { Command } from 'commander';
import { taskControlFor } from '#shared/dms/controls';
import { DynamoDbRunStore } from '#shared/runs/dynamodb-store';
import { EventBridgeScheduleRule } from '#shared/schedule/eventbridge-rule';
import type { AwsClients } from './aws.ts';
import { type GlobalOptions, globalsOf, printerOf, withDeployment } from './context.ts';
import { type Deployment, dmsArnOf } from './deployment.ts';
import { UsageError } from './errors.ts';
import { EXIT_CODES_HELP } from './exit-codes.ts';
import { abortableSleep } from './follow.ts';
import type { CliIo } from './output.ts';
import { type ProgressDisplay, progressDisplayFor } from './progress.ts';
import { followToReport, type WaitReport, waitForRun } from './wait.ts';

export const DEFAULT_INTERVAL_SECONDS = 15;
/** Polls that may fail in a row (each call with the SDK's own retries) before wait ends with exit 3. */
export const FAILED_POLLS_ALLOWED = 3;

export const WAIT_EXIT_HELP = `Exit codes of wait (and run --wait):
  0    the run succeeded, its hooks too (no run active: the last one did, or there is none)
  1    the run did not succeed (failed, stopped, start-failed, a hook failed or was interrupted)
  3    AWS error: DMS or the ledger could not be read for ${FAILED_POLLS_ALLOWED + 1} polls in a row
  130  Ctrl-C: following stopped; the run goes on, untouched`;

const HELP = `
Follows the active run to its settled end: the full load's progress (FullLoadProgressPercent, tables loaded,
loading, queued, errored, elapsed and an estimate), then the outcome, each hook with its report, and the
schedule rule. Progress goes to stderr: a bar on a terminal, plain lines otherwise; the summary (or --json)
to stdout. With no run active, it prints the last run and exits as that run ended. For a run group: a bar (or
lines) per task, and each task's end in the summary; it ends when the group's run is released.

Examples:
  $ dms-scheduler wait --stack dms-nightly
  $ dms-scheduler wait --stack dms-nightly --interval 60 --json > run.json

${WAIT_EXIT_HELP}

${EXIT_CODES_HELP}`;

export function addWaitCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('wait')
    .description('follow the active run to its end: progress, outcome, hooks and the schedule rule')
    .option('--interval <seconds>', `seconds between polls (default ${DEFAULT_INTERVAL_SECONDS})`)
    .addHelpText('after', HELP)
    .action(async (options: { interval?: string }, command: Command) => {
      const globals = globalsOf(command);
      const intervalMs = parseInterval(options.interval);
      await withDeployment(globals, async (clients, deployment) => {
        setExitCode(await followFromCommandLine(clients, deployment, io, globals, intervalMs));
      });
    });
}

/** `--interval` in seconds (fractions allowed, so tests poll quickly) as milliseconds; a UsageError if not. */
export function parseInterval(text: string | undefined): number {
  if (text === undefined) return DEFAULT_INTERVAL_SECONDS * 1000;
  const seconds = /^\d{1,4}(\.\d{1,3})?$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(seconds >= 0.01 && seconds <= 3600)) {
    throw new UsageError('--interval must be a number of seconds from 0.01 to 3600');
  }
  return Math.round(seconds * 1000);
}

export async function followFromCommandLine(
  clients: AwsClients,
  deployment: Deployment,
  io: CliIo,
  globals: GlobalOptions,
  intervalMs: number,
): Promise<number> {
  const { ports, timing, progress, release } = waitWiring(clients, deployment, io, intervalMs);
  try {
    return await waitForRun(ports, deployment, timing, {
      printer: printerOf(io, globals),
      progress,
      json: globals.json === true,
    });
  } finally {
    release();
  }
}

/** For `run --wait`: the run followed to its report, which `run` prints with its own. */
export async function wiredFollow(
  clients: AwsClients,
  deployment: Deployment,
  io: CliIo,
  intervalMs: number,
): Promise<WaitReport> {
  const { ports, timing, progress, release } = waitWiring(clients, deployment, io, intervalMs);
  try {
    return await followToReport(ports, deployment, timing, progress);
  } finally {
    release();
  }
}

function waitWiring(clients: AwsClients, deployment: Deployment, io: CliIo, intervalMs: number) {
  const interrupt = new AbortController();
  const release = io.onInterrupt?.(() => interrupt.abort()) ?? (() => {});
  const progress: ProgressDisplay = progressDisplayFor(io.stderr, io.now);
  return {
    ports: {
      tasks: taskControlFor(clients.dms, dmsArnOf(deployment)),
      store: new DynamoDbRunStore(clients.dynamoDb, deployment.runLedgerTable),
      rule: deployment.scheduleRule
        ? new EventBridgeScheduleRule(clients.eventBridge, deployment.scheduleRule.name)
        : undefined,
    },
    timing: {
      intervalMs,
      clock: io.now,
      sleep: abortableSleep,
      signal: interrupt.signal,
      failedPollsAllowed: FAILED_POLLS_ALLOWED,
    },
    progress,
    release,
  };
}
