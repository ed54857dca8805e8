// Why this file exists: `dms-scheduler hooks …` is the local hooks command (local/hooks-command/), mounted as
// a subcommand so that there is one program: the same parser, the same actions, the same exit codes (0, 1,
// 2: a subset of the program's) and the same help. Nothing is re-implemented here; the arguments are handed
// over as given.
import type { Command } from 'commander';
import { usage } from '../local/hooks-command/arguments.ts';
import { runHooksCommand } from '../local/hooks-command/command.ts';
import { globalsOf } from './context.ts';
import type { CliIo } from './output.ts';

const INVOKED_AS = 'dms-scheduler hooks';

export function addHooksCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('hooks')
    .description(
      'validate, plan, run or discover a hooks configuration against a database (see hooks --help)',
    )
    // Its --help is the hooks command's own, also for `dms-scheduler help hooks`.
    .helpOption(false)
    .configureHelp({ formatHelp: () => `${usage(INVOKED_AS)}\n` })
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[arguments...]', "the hooks command's own arguments")
    .action(async (args: string[], _options: object, command: Command) => {
      setExitCode(await runMountedHooks(args, globalsOf(command).json === true, io));
    });
}

export async function runMountedHooks(args: readonly string[], json: boolean, io: CliIo): Promise<number> {
  // Commander reads --json as the program's own option wherever it appears; `hooks discover` has its own.
  const argv = json ? [...args, '--json'] : [...args];
  return runHooksCommand(
    argv,
    io.env,
    {
      out: (line) => io.stdout.write(`${line}\n`),
      err: (line) => io.stderr.write(`${line}\n`),
    },
    INVOKED_AS,
  );
}
