// Why this file exists: the `dms-scheduler` command line, from argv to exit code. Commander reads the
// options and dispatches to the commands (run-, wait-, stop-, resume-, status- and history-command.ts,
// hooks.ts); this file holds
// what they share: the global options, the program's help, where commander writes, and the one place an
// error becomes its exit code (exit-codes.ts) and its one line on stderr.
import { Command, CommanderError, Option } from 'commander';
import { describeError } from '#shared/errors';
import { addExportCommand } from './definitions/export-command.ts';
import { addGenerateCommand } from './definitions/generate-command.ts';
import { addImportCommand } from './definitions/import-command.ts';
import { EXIT, EXIT_CODES_HELP, exitCodeOf } from './exit-codes.ts';
import { addHistoryCommand } from './history-command.ts';
import { addHooksCommand } from './hooks.ts';
import type { CliIo } from './output.ts';
import { addResumeCommand } from './resume-command.ts';
import { addRunCommand } from './run-command.ts';
import { addStatusCommand } from './status-command.ts';
import { addStopCommand } from './stop-command.ts';
import { addWaitCommand } from './wait-command.ts';

const PROGRAM_HELP = `
Examples:
  $ dms-scheduler run --stack dms-nightly --wait
  $ dms-scheduler status --stack dms-nightly
  $ dms-scheduler stop --stack dms-nightly
  $ dms-scheduler resume --stack dms-nightly
  $ dms-scheduler history --stack dms-nightly --since 7d --json
  $ dms-scheduler --profile staging --region eu-west-1 status --stack dms-nightly
  $ dms-scheduler hooks validate --config example --database-url postgres://app@localhost/app

Output: data (tables, JSON) on stdout; notes and errors on stderr. --json prints one JSON document whose
shape is documented in the README ("Command line") and versioned by its "version" key. Colour only when
stdout is a terminal, NO_COLOR is unset and --no-color is not given.

Environment: DMS_SCHEDULER_STACK (for --stack); AWS_PROFILE, AWS_REGION and the SDK's credential chain.

${EXIT_CODES_HELP}`;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // A command that ends on its own terms (hooks: 1 for a failed hook) sets this; errors are mapped below.
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('dms-scheduler')
    .description('Operate a deployed dms-scheduler stack: its task, schedule rule and run ledger.')
    .addOption(
      new Option('--stack <name>', 'the CloudFormation stack of the deployment').env('DMS_SCHEDULER_STACK'),
    )
    .option('--region <region>', "AWS region (default: AWS_REGION, or the profile's region)")
    .option('--profile <name>', 'AWS profile from ~/.aws (default: AWS_PROFILE, or the default chain)')
    .option('--json', 'print one JSON document on stdout (shapes: README, "Command line")')
    .option('--no-color', 'no colour, even on a terminal (NO_COLOR does the same)')
    .addHelpText('after', PROGRAM_HELP)
    .showHelpAfterError('(run with --help for usage)')
    // Commander must not exit the process itself: its errors are mapped to the program's codes below.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  addRunCommand(program, io, setExitCode);
  addWaitCommand(program, io, setExitCode);
  addStopCommand(program, io);
  addResumeCommand(program, io);
  addStatusCommand(program, io);
  addHistoryCommand(program, io);
  addHooksCommand(program, io, setExitCode);
  addExportCommand(program, io);
  addImportCommand(program, io, setExitCode);
  addGenerateCommand(program, io);
  return program;
}

/** The error as one line on stderr (a bug: with its stack), and its exit code. */
function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has already printed the help or its one-line complaint; help asked for ends with 0, help
    // shown for want of a command (and every complaint) with a non-zero code: a usage error.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  const code = exitCodeOf(error);
  if (code === EXIT.internal) {
    io.stderr.write(`dms-scheduler: internal error: ${describeError(error)}\n`);
    if (error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  } else {
    io.stderr.write(`dms-scheduler: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return code;
}
