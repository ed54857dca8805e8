// Why this file exists: the hooks command has three ways to end, and scripts (CI, a team's own checks) tell
// them apart by the exit code alone: 0 all is well, 1 the configuration does not fit (or a hook failed), 2 the
// command could not even try (bad arguments, an unknown configuration, an unreadable file, a database it cannot
// reach, a missing salt). An InputError is the last kind: thrown before anything is changed, one line that names
// what is wrong and never a value it was given (a URL may carry a password).

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_BAD_INPUT = 2;

/** The command cannot do what it was asked with what it was given; nothing was changed. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
