// Why this file exists: what every AWS-reading command does before its own work, in one place: read the
// global options, refuse a missing --stack as a usage error (before any call), build the clients for
// --region / --profile, find the deployment, and pick the printer (colour or not) for the command's data.
import type { Command } from 'commander';
import { type AwsClients, createAwsClients } from './aws.ts';
import { type Deployment, findDeployment } from './deployment.ts';
import { UsageError } from './errors.ts';
import { type CliIo, colourWanted, type Printer, printerFor } from './output.ts';

/** The options every command accepts, wherever on the line they are given. */
export interface GlobalOptions {
  readonly stack?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly json?: boolean;
  /** False with --no-color. */
  readonly color: boolean;
}

export function globalsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function printerOf(io: CliIo, globals: GlobalOptions): Printer {
  const colour = colourWanted({
    stdoutIsTty: io.stdout.isTTY === true,
    env: io.env,
    colourOption: globals.color,
  });
  return printerFor(io, colour);
}

/** Finds the deployment of `--stack` and hands it, with the clients that found it, to `work`. */
export async function withDeployment(
  globals: GlobalOptions,
  work: (clients: AwsClients, deployment: Deployment) => Promise<void>,
): Promise<void> {
  if (globals.stack === undefined || globals.stack.trim() === '') {
    throw new UsageError(
      '--stack NAME is required: the CloudFormation stack of the deployment (or set DMS_SCHEDULER_STACK)',
    );
  }
  const clients = createAwsClients({
    ...(globals.region !== undefined && { region: globals.region }),
    ...(globals.profile !== undefined && { profile: globals.profile }),
  });
  try {
    await work(clients, await findDeployment(clients.cloudFormation, globals.stack));
  } finally {
    clients.destroy();
  }
}
