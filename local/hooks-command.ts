// `npm run hooks -- <validate|plan|run> --config NAME --database-url URL`: lets a team validate, preview and
// run its own hooks configuration against its own database before a deployment does, with the post-processor's
// own parser, pre-flight and runner. The command line and the three actions live in local/hooks-command/; this
// entry point only hands them the process's arguments, environment and output, and sets the exit code.
import { runHooksCommand } from './hooks-command/command.ts';
import { consoleOutput } from './hooks-command/output.ts';

process.exitCode = await runHooksCommand(process.argv.slice(2), process.env, consoleOutput);
