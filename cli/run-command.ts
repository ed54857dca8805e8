// Why this file exists: `dms-scheduler run` on the command line: its options, help and examples; the request
// checked before any call (start.ts), the deployed task-starter invoked through its Lambda adapter, the
// result printed and mapped to its exit code, and `--wait` handed on to the wait command's following.
import type { Command } from 'commander';
import { globalsOf, printerOf, withDeployment } from './context.ts';
import { EXIT_CODES_HELP } from './exit-codes.ts';
import type { CliIo } from './output.ts';
import { formatStart, manualRequest, type RunOptions, runReport, startExitCode } from './start.ts';
import { LambdaTaskStarter } from './task-starter-invoker.ts';
import {
  followFromCommandLine,
  followToReportFromCommandLine,
  parseInterval,
  WAIT_EXIT_HELP,
} from './wait-command.ts';

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
        const starter = new LambdaTaskStarter(clients.lambda, deployment.functions.taskStarter);
        const result = await starter.invoke(request);
        const printer = printerOf(io, globals);
        const follow = options.wait === true && result.outcome === 'started';
        if (globals.json) {
          const waited = follow
            ? await followToReportFromCommandLine(clients, deployment, io, intervalMs)
            : undefined;
          printer.data(JSON.stringify(runReport(result, waited?.report ?? null), null, 2));
          setExitCode(waited?.exitCode ?? startExitCode(result.outcome));
          return;
        }
        // With --wait the start is a note: stdout then holds only the settled run, as wait prints it.
        for (const line of formatStart(result, printer.paint)) (follow ? printer.note : printer.data)(line);
        setExitCode(
          follow
            ? await followFromCommandLine(clients, deployment, io, globals, intervalMs)
            : startExitCode(result.outcome),
        );
      });
    });
}
