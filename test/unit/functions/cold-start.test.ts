// The Lambda entry points validate their configuration at cold start: a missing or malformed variable fails
// the import with its name in the message, before any event is handled or any AWS call is made.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BASE_ENV } from '../../support/ports.ts';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

function stubEnv(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}

describe.each([
  ['task-starter', () => import('../../../functions/task-starter/handler.ts')],
  ['post-processor', () => import('../../../functions/post-processor/handler.ts')],
])('%s cold start', (_name, load) => {
  it('loads with a valid configuration', async () => {
    stubEnv({ ...BASE_ENV, AWS_REGION: 'us-east-1' });
    const module = await load();
    expect(typeof module.handler).toBe('function');
  });

  it.each([
    'REPLICATION_TASK_ARN',
    'REPLICATION_TASK_IDENTIFIER',
    'ALERTS_TOPIC_ARN',
    'MIGRATION_REFRESH_TYPE',
  ])('fails naming %s when it is missing', async (name) => {
    stubEnv({ ...BASE_ENV, AWS_REGION: 'us-east-1', [name]: '' });
    await expect(load()).rejects.toThrow(new RegExp(`${name} is not set`));
  });

  it('fails naming the rule that an unsupported combination breaks', async () => {
    stubEnv({ ...BASE_ENV, AWS_REGION: 'us-east-1', MIGRATION_REFRESH_TYPE: 'cdc' });
    await expect(load()).rejects.toThrow(/data-refresh/);
  });
});

it('the post-processor fails at cold start on an unknown hook', async () => {
  stubEnv({ ...BASE_ENV, AWS_REGION: 'us-east-1', HOOKS: 'log-run,mask-everything' });
  await expect(import('../../../functions/post-processor/handler.ts')).rejects.toThrow(/mask-everything/);
});
