// The narrow logging port the domain writes to. Powertools' Logger satisfies it in Lambda; the local run
// supplies its own; tests capture it. Attributes are structured, never interpolated secrets.
import { Logger } from '@aws-lambda-powertools/logger';

export type LogAttributes = Record<string, unknown>;

export interface Log {
  debug(message: string, attributes?: LogAttributes): void;
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}

/** One Powertools logger per function, named after it; level from POWERTOOLS_LOG_LEVEL. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

/** The Log port over a Powertools logger (which takes attributes as an optional rest argument). */
export function asLog(logger: Logger): Log {
  const level =
    (write: (message: string, ...extra: [LogAttributes] | []) => void) =>
    (message: string, attributes?: LogAttributes) =>
      attributes ? write(message, attributes) : write(message);
  return {
    debug: level(logger.debug.bind(logger)),
    info: level(logger.info.bind(logger)),
    warn: level(logger.warn.bind(logger)),
    error: level(logger.error.bind(logger)),
  };
}
