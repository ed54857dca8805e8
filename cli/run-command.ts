// Why this file exists: `dms-scheduler run` on the command line: its options, help and examples, and the
// wiring: the request checked before any call (start.ts), the deployed task-starter's Lambda adapter, and
// for `--wait` the wait command's following; startFromCommandLine does the rest.
import type { Command } from 'commander';
import { globalsOf, printerOf, withDeployment } from './context.ts';
import { EXIT_CODES_HELP } from './exit-codes.ts';
import type { CliIo } from './output.ts';
import { manualRequest, type RunOptions, startFromCommandLine } from './start.ts';
import { LambdaTaskStarter } from './task-starter-invoker.ts';
import { parseInterval, WAIT_EXIT_HELP, wiredFollow } from './wait-command.ts';

const HELP = `
Invokes the stack's task-starter with a manual request, so the run takes the task's lock and gets the same
checks, start-type choice and compensation as a scheduled one. Prints what it answered: started, skipped
(and why), start-failed (DMS refused: the alert is out) or start-unknown.

Examples:
  $ dms-scheduler run --stack dms-nightly
  $ dms-scheduler run --stack dms-nightly --wait
  $ dms-scheduler run --stack dms-once --start-type start-replication --cdc-start-time 2026-11-23T00:00:00Z
  $ dms-scheduler run --stack dms-nightly --json | jq -r .runId

Exit codes of run: 0 started; 1 start-failed; 3 start-unknown, or the function failed; 4 skipped (a run is
active, or the task is not startable; nothing was changed). With --wait, once started, those of wait:

${WAIT_EXIT_HELP}

${EXIT_CODES_HELP}`;

interface RunCommandOptions extends RunOptions {
  readonly wait?: boolean;
  readonly interval?: string;
}

export function addRunCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('run')
    .description('start one run now through the task-starter (same lock and checks as the schedule)')
    .option('--start-type <type>', 'start-replication, reload-target or resume-processing (default: chosen)')
    .option('--cdc-start-time <iso>', 'for a first cdc start: where change capture begins (ISO date-time)')
    .option('--cdc-start-position <position>', 'for a first cdc start: a checkpoint, LSN or SCN instead')
    .option('--wait', 'then follow the run to its end, as dms-scheduler wait does')
    .option('--interval <seconds>', 'with --wait: seconds between polls (default 15)')
    .addHelpText('after', HELP)
    .action(async (options: RunCommandOptions, command: Command) => {
      const globals = globalsOf(command);
      const request = manualRequest(options);
      const intervalMs = parseInterval(options.interval);
      await withDeployment(globals, async (clients, deployment) => {
        const code = await startFromCommandLine(
          new LambdaTaskStarter(clients.lambda, deployment.functions.taskStarter),
          request,
          { printer: printerOf(io, globals), json: globals.json === true, stackName: deployment.stack.name },
          options.wait === true ? () => wiredFollow(clients, deployment, io, intervalMs) : undefined,
        );
        setExitCode(code);
      });
    });
}
