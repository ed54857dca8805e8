// Alerts tell a person that a run needs them: what happened, to which task, and what to do next. The port
// takes a finished message; building it lives here so the wording is the same on every path and testable.

export interface Alert {
  /** SNS subjects are ASCII, one line, at most 100 characters. */
  readonly subject: string;
  readonly message: string;
}

export interface Alerts {
  publish(alert: Alert): Promise<void>;
}

const SUBJECT_LIMIT = 100;

export function buildAlert(parts: {
  taskIdentifier: string;
  headline: string;
  lines: readonly string[];
}): Alert {
  // SNS refuses a subject with line breaks, control or non-ASCII characters, and the alert would be lost:
  // a hook's name, for one, reaches the headline unchecked.
  const subject = `dms-scheduler: ${parts.taskIdentifier}: ${parts.headline}`
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7E]/g, '?')
    .trim();
  return {
    subject: subject.length <= SUBJECT_LIMIT ? subject : `${subject.slice(0, SUBJECT_LIMIT - 3)}...`,
    message: [`${parts.headline}.`, '', ...parts.lines].join('\n'),
  };
}
