#!/usr/bin/env -S node --import tsx
// `dms-scheduler`: operate a deployed stack from a terminal (run, wait, stop, resume, status, history, hooks). The program lives in
// cli/; this entry point only hands it the process's arguments, streams, environment and clock, and sets
// the exit code (cli/exit-codes.ts says what each one means).
import { endQuietlyOnClosedPipe } from '../cli/output.ts';
import { runCli } from '../cli/program.ts';

endQuietlyOnClosedPipe(process.stdout);

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: () => new Date(),
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
});
