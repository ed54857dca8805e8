// One error policy for the whole project: small named classes, each thrown in one documented situation and
// carrying the underlying failure as `cause`, so callers narrow with `instanceof` instead of matching text.

/** A setting (environment variable, stack parameter or event field) is missing or malformed. Nothing was changed. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** The replication task the stack points at does not exist, or is not the task the configuration describes. */
export class TaskMismatchError extends Error {
  override readonly name = 'TaskMismatchError';
}

/** A requested start type is not valid for the task's state and history. Nothing was changed. */
export class StartTypeRefusedError extends Error {
  override readonly name = 'StartTypeRefusedError';
}

/** DMS refused to start the task; the rule was re-enabled and an alert published (see `compensation`). */
export class StartFailedError extends Error {
  override readonly name = 'StartFailedError';
  constructor(
    message: string,
    readonly compensation: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** DMS answered that `start-replication` is only valid for a task's first run. */
export class FirstRunOnlyError extends Error {
  override readonly name = 'FirstRunOnlyError';
}

/** The run finished, but settling it (alert, rule) did not fully succeed; the invocation fails so it is retried. */
export class SettleFailedError extends Error {
  override readonly name = 'SettleFailedError';
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
