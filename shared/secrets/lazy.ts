// Secrets whose implementation is loaded on the first read: the Secrets Manager client and adapter live in a
// bundle of their own (functions/post-processor/lazy/secrets-manager.mts), parsed when a hook first reads a
// secret, not at every cold start.
import type { DatabaseSecret, DatabaseSettings } from '../database/secret.ts';
import type { Secrets } from './secrets.ts';

export class LazySecrets implements Secrets {
  private loaded: Promise<Secrets> | undefined;

  constructor(private readonly load: () => Promise<Secrets>) {}

  async getSecretString(secretId: string): Promise<string> {
    return (await this.secrets()).getSecretString(secretId);
  }

  async getDatabaseSecret(secretId: string, settings?: DatabaseSettings): Promise<DatabaseSecret> {
    return (await this.secrets()).getDatabaseSecret(secretId, settings);
  }

  private secrets(): Promise<Secrets> {
    // A failed load is not kept: the next read tries again.
    this.loaded ??= this.load().catch((error: unknown) => {
      this.loaded = undefined;
      throw error;
    });
    return this.loaded;
  }
}
