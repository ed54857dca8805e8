// An AWS failure of any kind becomes one readable line naming the call, with a hint where one helps.
import { describe, expect, it } from 'vitest';
import { askAws, explainAwsFailure } from '../../../cli/aws.ts';
import { AwsCallError, DeploymentError } from '../../../cli/errors.ts';

const named = (name: string, message: string, extra: object = {}) =>
  Object.assign(new Error(message), { name }, extra);

describe('explainAwsFailure', () => {
  it.each([
    [
      named('CredentialsProviderError', 'Could not load credentials from any providers'),
      'no AWS credentials found (Could not load credentials from any providers): check the profile (--profile, AWS_PROFILE) has credentials, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    ],
    [
      named('Error', 'Region is missing'),
      'no AWS region: give --region REGION, or set AWS_REGION (or a region in the profile)',
    ],
    [
      named('Error', 'connect ECONNREFUSED 127.0.0.1:9', { code: 'ECONNREFUSED' }),
      'cannot reach AWS (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9)',
    ],
    [
      named('AccessDeniedException', 'User x is not authorized\nsecond line'),
      'AccessDeniedException: User x is not authorized',
    ],
    [named('ThrottlingException', ''), 'ThrottlingException'],
  ])('%s', (error, text) => {
    expect(explainAwsFailure(error)).toBe(text);
  });
});

describe('askAws', () => {
  it('wraps a failure in an AwsCallError naming the call, the SDK error as its cause', async () => {
    const cause = named('AccessDeniedException', 'no');
    const failure = askAws('DynamoDB GetItem', () => Promise.reject(cause));
    await expect(failure).rejects.toThrow(
      new AwsCallError('DynamoDB GetItem', 'DynamoDB GetItem failed: AccessDeniedException: no'),
    );
    await expect(failure).rejects.toMatchObject({ what: 'DynamoDB GetItem', cause });
  });

  it("lets the command line's own errors through unchanged", async () => {
    const own = new DeploymentError('the task does not exist');
    await expect(askAws('DMS', () => Promise.reject(own))).rejects.toBe(own);
  });

  it('returns what the call returns', async () => {
    await expect(askAws('DMS', async () => 42)).resolves.toBe(42);
  });
});
