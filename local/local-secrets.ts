// The local run's stand-in for Secrets Manager: the same port, holding the staging database's connection (in
// the RDS secret format) and a masking salt made afresh for each run.
import { randomBytes } from 'node:crypto';
import { parseDatabaseSecret } from '#shared/database/secret';
import { type Secrets, SecretUnavailableError } from '#shared/secrets/secrets';

export const STAGING_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:local/staging-database-LoCaL1';
export const SALT_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:local/masking-salt-LoCaL2';

export function localSecrets(stagingSecret: string): Secrets {
  const values = new Map([
    [STAGING_SECRET_ARN, stagingSecret],
    [SALT_SECRET_ARN, randomBytes(32).toString('hex')],
  ]);
  const getSecretString = async (secretId: string) => {
    const value = values.get(secretId);
    if (value === undefined) throw new SecretUnavailableError(`Secret ${secretId} does not exist locally`);
    return value;
  };
  return {
    getSecretString,
    getDatabaseSecret: async (secretId) => parseDatabaseSecret(await getSecretString(secretId), secretId),
  };
}
