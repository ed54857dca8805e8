// The Secrets Manager adapter: one read per secret per invocation, database secrets parsed in the RDS
// format, and errors that name the secret but never carry its value.
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '#shared/errors';
import { SecretUnavailableError } from '#shared/secrets/secrets';
import { SecretsManagerSecrets } from '#shared/secrets/secrets-manager';
import { rejection } from '../../support/rejection.ts';

const secretsManager = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'us-east-1' });
const TARGET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/target-AbCdEf';
const SALT = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/salt-XyZ123';
const PASSWORD = 'correct horse battery staple';
const DATABASE_SECRET = JSON.stringify({
  engine: 'postgres',
  host: 'staging.cluster-abc.eu-west-1.rds.amazonaws.com',
  port: 5432,
  username: 'masker',
  password: PASSWORD,
  dbname: 'app',
});

beforeEach(() => {
  secretsManager.reset();
});

describe('SecretsManagerSecrets', () => {
  it('reads a secret string once per instance, and again in a new instance (the next invocation)', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: SALT }).resolves({ SecretString: 'the-salt' });
    const secrets = new SecretsManagerSecrets(client);

    expect(await secrets.getSecretString(SALT)).toBe('the-salt');
    expect(await secrets.getSecretString(SALT)).toBe('the-salt');
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SALT });

    await new SecretsManagerSecrets(client).getSecretString(SALT);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('parses a database secret in the RDS format', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: TARGET })
      .resolves({ SecretString: DATABASE_SECRET });
    expect(await new SecretsManagerSecrets(client).getDatabaseSecret(TARGET)).toEqual({
      dialect: 'postgres',
      host: 'staging.cluster-abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      username: 'masker',
      password: PASSWORD,
      database: 'app',
    });
  });

  it('refuses a database secret missing a key, naming the secret and the key, never the value', async () => {
    const { dbname: _, ...incomplete } = JSON.parse(DATABASE_SECRET);
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(incomplete) });
    const error = await rejection(new SecretsManagerSecrets(client).getDatabaseSecret(TARGET));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(TARGET);
    expect((error as Error).message).toContain('dbname');
    expect((error as Error).message).not.toContain(PASSWORD);
  });

  it('completes an RDS-managed secret (username and password only) from the stack settings', async () => {
    const rdsManaged =
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-AbCdEf';
    secretsManager
      .on(GetSecretValueCommand, { SecretId: rdsManaged })
      .resolves({ SecretString: JSON.stringify({ username: 'postgres', password: PASSWORD }) });
    const secrets = new SecretsManagerSecrets(client);
    const settings = {
      engine: 'aurora-postgresql',
      host: 'staging.cluster-abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      database: 'app',
    } as const;
    expect(await secrets.getDatabaseSecret(rdsManaged, settings)).toEqual({
      dialect: 'postgres',
      host: 'staging.cluster-abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      username: 'postgres',
      password: PASSWORD,
      database: 'app',
    });

    // Without the settings it names what is missing and where it comes from, never a value.
    const error = await rejection(secrets.getDatabaseSecret(rdsManaged));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(rdsManaged);
    expect((error as Error).message).toContain('has no engine, host, port, dbname');
    expect((error as Error).message).toContain('TargetDatabaseHost');
    expect((error as Error).message).not.toContain(PASSWORD);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('refuses a stack setting that disagrees with the secret, naming both, never the value', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: DATABASE_SECRET });
    const error = await rejection(
      new SecretsManagerSecrets(client).getDatabaseSecret(TARGET, { port: 5433 }),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(
      "the secret's port differs from TARGET_DATABASE_PORT (stack parameter TargetDatabasePort)",
    );
    expect((error as Error).message).not.toContain(PASSWORD);
    expect((error as Error).message).not.toContain('5432');
  });

  it('names the secret when it cannot be read, and does not cache the failure', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(
        new ResourceNotFoundException({
          message: "Secrets Manager can't find the specified secret.",
          $metadata: {},
        }),
      )
      .resolves({ SecretString: 'the-salt' });
    const secrets = new SecretsManagerSecrets(client);

    const error = await rejection(secrets.getSecretString(SALT));
    expect(error).toBeInstanceOf(SecretUnavailableError);
    expect((error as Error).message).toBe(
      `Secret ${SALT} could not be read (ResourceNotFoundException: Secrets Manager can't find the specified secret.)`,
    );
    expect(await secrets.getSecretString(SALT)).toBe('the-salt');
  });

  it('refuses a binary-only secret, naming it', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    const error = await rejection(new SecretsManagerSecrets(client).getSecretString(SALT));
    expect(error).toBeInstanceOf(SecretUnavailableError);
    expect((error as Error).message).toBe(
      `Secret ${SALT} has no SecretString (binary secrets are not supported)`,
    );
  });
});
