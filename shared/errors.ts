// One error policy for the whole project: small named classes, each thrown in one documented situation and
// carrying the underlying failure as `cause`, so callers narrow with `instanceof` instead of matching text.

/** A setting (environment variable, stack parameter or event field) is missing or malformed. Nothing was changed. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  /**
   * Each problem on its own, where the message lists several (every problem of a configuration file, every
   * rule masking refuses), so a caller can show them one per line without parsing the message.
   */
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[] = [message]) {
    super(message);
    this.problems = problems;
  }
}

/** The replication task the stack points at does not exist, or is not the task the configuration describes. */
export class TaskMismatchError extends Error {
  override readonly name = 'TaskMismatchError';
}

/** A requested start type is not valid for the task's state and history. Nothing was changed. */
export class StartTypeRefusedError extends Error {
  override readonly name = 'StartTypeRefusedError';
}

/**
 * DMS answered StartReplicationTask with a refusal (a client fault that is not throttling): the start was
 * not applied by that call. Whether an earlier attempt of the same call was is a question for the task itself.
 */
export class StartRefusedError extends Error {
  override readonly name: string = 'StartRefusedError';
}

/**
 * What a start needs before StartReplicationTask could not be made ready (the S3 target folder, its connection
 * test): the task was not asked to start, and the run ends as a refused start does, with one alert.
 */
export class StartPreparationError extends StartRefusedError {
  override readonly name = 'StartPreparationError';
}

/**
 * DMS answered StopReplicationTask with a refusal (a client fault that is not throttling), e.g. the task is
 * not running: the stop was not applied by that call. Whether an earlier attempt was is read from the task.
 */
export class StopRefusedError extends Error {
  override readonly name = 'StopRefusedError';
}

/** DMS answered that `start-replication` is only valid for a task's first run. */
export class FirstRunOnlyError extends Error {
  override readonly name = 'FirstRunOnlyError';
}

/**
 * A step the run owes (publish its alert, give the schedule back) failed. It stays recorded in the run, and
 * the invocation fails so that Lambda retries it; the reconcile tick retries it too.
 */
export class StepFailedError extends Error {
  override readonly name = 'StepFailedError';
}

/** The message of any thrown value, for logs and alerts (never a stack, never the raw object). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** An invocation event could not be used (e.g. a manual event with an unknown start type). Nothing was changed. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}
