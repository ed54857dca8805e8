// From hooks.config.json entries to hooks: each kind builds, in order, and a hook that cannot be built fails
// with its name. Also covers the built-in log-run hook, which every deployment has by default.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { parseHooksConfig } from '#shared/hooks/config-file';
import type { RunSummary } from '#shared/hooks/contract';
import { logRunHook } from '#shared/hooks/log-run';
import { buildHooks } from '#shared/hooks/registry';
import { hookContext } from '../../support/hooks.ts';
import { RecordingLog } from '../../support/ports.ts';

describe('the log-run hook', () => {
  const run: RunSummary = {
    runKey: 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ#2026-11-23T00:00:05.000Z',
    taskArn: 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    taskIdentifier: 'nightly-refresh',
    mode: { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
    outcome: { kind: 'succeeded', explanation: 'The full load finished' },
    stats: { tablesLoaded: 12, tablesErrored: 0, elapsedTimeMillis: 2_462_000 },
  };

  it('logs the run figures and reports that it changed nothing', async () => {
    const log = new RecordingLog();
    const result = await logRunHook().run(hookContext({ run, log }));

    expect(logRunHook().name).toBe('log-run');
    expect(result).toEqual({ changed: 'nothing (logged the run)' });
    expect(log.entries).toEqual([
      {
        level: 'info',
        message: 'run finished',
        attributes: {
          task: 'nightly-refresh',
          outcome: 'succeeded',
          tablesLoaded: 12,
          tablesErrored: 0,
          elapsedTimeMillis: 2_462_000,
        },
      },
    ]);
  });

  it('copes with a run without stats', async () => {
    const log = new RecordingLog();
    await logRunHook().run(hookContext({ run: { ...run, stats: undefined }, log }));
    expect(log.entries[0]?.attributes).toEqual({
      task: 'nightly-refresh',
      outcome: 'succeeded',
      tablesLoaded: undefined,
      tablesErrored: undefined,
      elapsedTimeMillis: undefined,
    });
  });
});

describe('buildHooks', () => {
  const sources = {
    sqlScripts: { 'hooks/sql/clear.sql': 'DELETE FROM audit_log' },
    modules: { notes: { needsTarget: true, run: async () => undefined } },
  };
  const lambda = () => new LambdaClient({ region: 'us-east-1' });
  const config = parseHooksConfig(
    {
      version: 1,
      hooks: [
        {
          name: 'mask-pii',
          kind: 'mask',
          tables: [{ table: 'customers', truncate: true }],
          timeoutSeconds: 60,
        },
        { name: 'clear', kind: 'sql', file: 'hooks/sql/clear.sql' },
        {
          name: 'reindex',
          kind: 'lambda',
          functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:r',
          onFailure: 'continue',
        },
        { name: 'notes', kind: 'module', module: 'notes' },
        { name: 'log', kind: 'log-run' },
      ],
    },
    sources,
  );

  it('builds one hook per entry, in order, with its failure policy and timeout', () => {
    const hooks = buildHooks(config, {
      ...sources,
      lambda,
      maskingSaltSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf',
    });
    expect(hooks.map((hook) => [hook.name, hook.onFailure, hook.timeoutSeconds])).toEqual([
      ['mask-pii', 'stop', 60],
      ['clear', 'stop', undefined],
      ['reindex', 'continue', undefined],
      ['notes', 'stop', undefined],
      ['log', 'stop', undefined],
    ]);
  });

  it('refuses a mask hook without the salt secret', () => {
    expect(() => buildHooks(config, { ...sources, lambda, maskingSaltSecretArn: undefined })).toThrow(
      'MASKING_SALT_SECRET_ARN',
    );
  });
});
