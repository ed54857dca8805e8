// The context the runner gives a hook, for tests of single hooks, and a secrets double reading from a map, so
// hook tests need neither the runner nor AWS.
import type { HookContext, RunSummary } from '#shared/hooks/contract';
import type { Log } from '#shared/log';
import { NO_SECRETS, type Secrets } from '#shared/secrets/secrets';
import { RecordingLog, TASK_ARN, TASK_ID } from './ports.ts';

export const RUN: RunSummary = {
  runKey: `${TASK_ARN}#2026-11-23T00:00:05.000Z`,
  taskArn: TASK_ARN,
  taskIdentifier: TASK_ID,
  mode: { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
  outcome: { kind: 'succeeded', explanation: 'The full load finished' },
  stats: { tablesLoaded: 12, tablesErrored: 0, elapsedTimeMillis: 2_462_000 },
};

export function hookContext(overrides: Partial<HookContext> & { log?: Log } = {}): HookContext {
  return {
    run: RUN,
    log: new RecordingLog(),
    remainingTimeMs: () => 60_000,
    signal: new AbortController().signal,
    secrets: NO_SECRETS,
    target: async () => {
      throw new Error('this test gives the hook no target database');
    },
    ...overrides,
  };
}

/** Secrets from a fixed map; unknown IDs fail like a missing secret. */
export function secretsOf(values: Record<string, string>): Secrets & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async getSecretString(secretId) {
      reads.push(secretId);
      const value = values[secretId];
      if (value === undefined) throw new Error(`ResourceNotFoundException: ${secretId}`);
      return value;
    },
    async getDatabaseSecret() {
      throw new Error('not used');
    },
  };
}
