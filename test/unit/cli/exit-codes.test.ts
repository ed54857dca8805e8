// Each ending of the program has its own code, and --help lists every one of them.
import { describe, expect, it } from 'vitest';
import { AwsCallError, DeploymentError, RefusedError, UsageError } from '../../../cli/errors.ts';
import { EXIT, EXIT_CODES_HELP, exitCodeOf } from '../../../cli/exit-codes.ts';
import { InputError } from '../../../local/hooks-command/input-error.ts';

describe('exitCodeOf', () => {
  it.each([
    [new UsageError('bad option'), 2],
    [new InputError('hooks: bad input'), 2],
    [new AwsCallError('DMS DescribeReplicationTasks', 'failed'), 3],
    [new RefusedError('a run is active'), 4],
    [new DeploymentError('no ledger output'), 5],
    [new TypeError('a bug'), 70],
    ['a thrown string', 70],
  ])('%s → %i', (error, code) => {
    expect(exitCodeOf(error)).toBe(code);
  });

  it('a bug is never mistaken for a failed run', () => {
    expect(exitCodeOf(new Error('x'))).not.toBe(EXIT.failed);
  });
});

describe('EXIT_CODES_HELP', () => {
  it('lists every code, once, in order', () => {
    const listed = [...EXIT_CODES_HELP.matchAll(/^ {2}(\d+) /gm)].map((match) => Number(match[1]));
    expect(listed).toEqual(Object.values(EXIT));
  });
});
