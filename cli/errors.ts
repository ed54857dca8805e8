// Why this file exists: the command line's own failures, as named classes in the project's one error policy
// (shared/errors.ts): each is thrown in one situation, carries what went wrong as `cause`, and is mapped to
// its exit code in exit-codes.ts. Messages are one line, meant to be read by a person at a terminal.

/** The command line is wrong (an unknown option, a malformed value). Nothing was asked of AWS. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * An AWS call failed. `what` names the call ("CloudFormation DescribeStacks"), the message says it and why,
 * with a hint where one helps (no credentials, no region).
 */
export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';

  constructor(
    readonly what: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The stack answered, but it is not a deployment the command can use: `problems` names each missing piece. */
export class DeploymentError extends Error {
  override readonly name = 'DeploymentError';

  constructor(
    message: string,
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
  }
}

/** The command was understood and deliberately not carried out (e.g. a run is active). Nothing was changed. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
}
