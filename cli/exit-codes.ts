// Why this file exists: scripts (CI jobs, cron wrappers, a team's runbooks) tell the command's endings apart
// by the exit code alone, so every code is defined here once, with the sentence `--help` and the README show,
// and every error the program can end with is mapped to one of them in `exitCodeOf`, nowhere else.
import { InputError } from '../local/hooks-command/input-error.ts';
import { AwsCallError, DeploymentError, RefusedError, UsageError } from './errors.ts';

export const EXIT = {
  /** The command did what it was asked (for `status` and `history`: it could read everything). */
  ok: 0,
  /** A run (or, for `hooks`, a hook or the configuration's fit to the database) failed. */
  failed: 1,
  /** The command line is wrong; nothing was asked of AWS and nothing was changed. */
  usage: 2,
  /** An AWS call failed: no credentials or region, access denied, the stack does not exist, throttling, no network. */
  aws: 3,
  /** The command was understood and refused (e.g. a run is already active); nothing was changed. */
  refused: 4,
  /** The stack is not a usable dms-scheduler deployment: an output or parameter is missing or malformed. */
  deployment: 5,
  /** A bug in dms-scheduler itself: the message and stack are printed; please report it. */
  internal: 70,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit-code table of `--help` (and of the README's "Command line" section). */
export const EXIT_CODES_HELP = `Exit codes:
  0   success
  1   a run failed (hooks: a hook failed, or the configuration does not fit the database)
  2   usage error: a wrong command line; nothing was asked of AWS, nothing was changed
  3   AWS error: no credentials or region, access denied, stack not found, throttled, unreachable
  4   refused: understood, but not done (e.g. a run is already active); nothing was changed
  5   not a usable deployment: the stack lacks an output or parameter dms-scheduler needs
  70  internal error (a bug in dms-scheduler): please report it with the message`;

/** The exit code an error ends the program with. Unknown errors are bugs: never mistaken for a failed run. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError || error instanceof InputError) return EXIT.usage;
  if (error instanceof AwsCallError) return EXIT.aws;
  if (error instanceof DeploymentError) return EXIT.deployment;
  if (error instanceof RefusedError) return EXIT.refused;
  return EXIT.internal;
}
