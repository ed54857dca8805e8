// Secrets over AWS Secrets Manager (GetSecretValue). One instance serves one invocation's hooks: values are
// cached in the instance, so hooks of a run share one read per secret, and the next invocation reads again
// (a rotated password or salt is picked up without a cold start). The client is built once per cold start.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type DatabaseSecret, type DatabaseSettings, parseDatabaseSecret } from '../database/secret.ts';
import { type Secrets, SecretUnavailableError } from './secrets.ts';

export class SecretsManagerSecrets implements Secrets {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly client: SecretsManagerClient) {}

  getSecretString(secretId: string): Promise<string> {
    let value = this.cache.get(secretId);
    if (value === undefined) {
      value = this.read(secretId);
      // A failed read is not cached: a later hook may try again.
      value.catch(() => this.cache.delete(secretId));
      this.cache.set(secretId, value);
    }
    return value;
  }

  async getDatabaseSecret(secretId: string, settings?: DatabaseSettings): Promise<DatabaseSecret> {
    return parseDatabaseSecret(await this.getSecretString(secretId), secretId, settings);
  }

  /** https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html */
  private async read(secretId: string): Promise<string> {
    let secretString: string | undefined;
    try {
      const response = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      secretString = response.SecretString;
    } catch (error) {
      // SDK errors carry the service's message (never the value); the name says which kind of failure.
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
      throw new SecretUnavailableError(`Secret ${secretId} could not be read (${reason})`, { cause: error });
    }
    if (secretString === undefined || secretString === '') {
      throw new SecretUnavailableError(
        `Secret ${secretId} has no SecretString (binary secrets are not supported)`,
      );
    }
    return secretString;
  }
}
