// The secrets port hooks read connection details and salts through. Values are returned to the caller only:
// no implementation may log them or put them in an error message (invariant 6); errors name the secret ID.
import type { DatabaseSecret, DatabaseSettings } from '../database/secret.ts';

export interface Secrets {
  /** The secret's string value (SecretString). Throws SecretUnavailableError naming `secretId`, never a value. */
  getSecretString(secretId: string): Promise<string>;
  /**
   * The secret parsed in the RDS secret format (engine, host, port, username, password, dbname), with what it
   * lacks filled from `settings` (an RDS-managed secret holds only username and password); a key in both
   * must agree. Throws ConfigurationError naming keys and settings, never a value.
   */
  getDatabaseSecret(secretId: string, settings?: DatabaseSettings): Promise<DatabaseSecret>;
}

/** A secret could not be read (missing, not allowed, binary-only, or the service failed). Names the secret only. */
export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
}

/** Secrets for a run that has none configured: any read fails, naming what was asked for. */
export const NO_SECRETS: Secrets = {
  getSecretString: async (secretId) => {
    throw new SecretUnavailableError(`Secret ${secretId} cannot be read: no secrets source is configured`);
  },
  getDatabaseSecret: async (secretId) => {
    throw new SecretUnavailableError(`Secret ${secretId} cannot be read: no secrets source is configured`);
  },
};
