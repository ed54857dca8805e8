// The local run's hooks: local/hooks.config.json built through the same configuration path as in Lambda
// (parsed, checked against the post-processor's settings, built by the registry), over the embedded
// PostgreSQL's staging database and the local secrets; and a runner that shows on the timeline what the hooks
// did. Every scenario of `npm run local` masks its staging copy through these.
import type pg from 'pg';
import { createLambdaClient } from '#shared/aws/clients';
import type { PostProcessorConfig } from '#shared/config';
import { connectTarget } from '#shared/database/connect';
import { checkHookSettings, parseHooksConfig } from '#shared/hooks/config-file';
import type { HookRunner } from '#shared/hooks/contract';
import { lambdaHook } from '#shared/hooks/kinds/lambda';
import { buildHooks } from '#shared/hooks/registry';
import { SequentialHookRunner } from '#shared/hooks/runner';
import { loadMaskEngine } from '#shared/masking/load-engine';
import { CUSTOM_HOOKS } from '../hooks/custom/index.ts';
import { SQL_SCRIPTS } from '../hooks/sql/scripts.generated.ts';
import hooksFile from './hooks.config.json' with { type: 'json' };
import { localSecrets, STAGING_SECRET_ARN } from './local-secrets.ts';
import { stagingCheckHook } from './staging-check-hook.ts';
import type { Timeline } from './timeline.ts';

/** The hooks of local/hooks.config.json, in order: each successful run must report all of them succeeded. */
export const HOOK_COUNT = hooksFile.hooks.length;

export function localHooks(postProcessorConfig: PostProcessorConfig, stagingSecret: string): HookRunner {
  const hookSources = {
    sqlScripts: SQL_SCRIPTS,
    modules: { ...CUSTOM_HOOKS, 'staging-check': stagingCheckHook },
  };
  const hooksConfig = parseHooksConfig(hooksFile, hookSources);
  checkHookSettings(hooksConfig, postProcessorConfig, hookSources.modules);
  const secrets = localSecrets(stagingSecret);
  return new SequentialHookRunner(
    buildHooks(hooksConfig, {
      ...hookSources,
      lambda: (options) => lambdaHook(createLambdaClient(), options),
      maskingSaltSecretArn: postProcessorConfig.maskingSaltSecretArn,
      maskEngine: loadMaskEngine,
    }),
    {
      secrets: () => secrets,
      openTarget: async (runSecrets) =>
        connectTarget(
          await runSecrets.getDatabaseSecret(STAGING_SECRET_ARN),
          postProcessorConfig.targetDatabaseTls,
        ),
    },
  );
}

/** Shows the outcome, a few staging rows before and after the hooks, and each hook's report. */
export class TimelineHookRunner implements HookRunner {
  constructor(
    private readonly inner: HookRunner,
    private readonly staging: pg.Client,
    private readonly timeline: Timeline,
  ) {}

  plan(): ReturnType<HookRunner['plan']> {
    return this.inner.plan();
  }

  async run(...args: Parameters<HookRunner['run']>) {
    const [run] = args;
    this.timeline.add(
      'outcome',
      `${run.outcome.kind}: ${run.outcome.explanation} (confirmed with DescribeReplicationTasks)`,
    );
    await this.showCustomers('staging before the hooks');
    // The run's options (where to start, the journal that records each hook) go through unchanged.
    const report = await this.inner.run(...args);
    await this.showCustomers('staging after the hooks');
    for (const hook of report.hooks) {
      this.timeline.add(
        'hook',
        `${hook.name} ${hook.status} in ${hook.durationMs} ms: ${hook.changed ?? hook.error ?? ''}`,
      );
    }
    return report;
  }

  private async showCustomers(when: string): Promise<void> {
    const sample = await this.staging.query<Record<string, unknown>>(
      `SELECT c.id, c.first_name, c.last_name, c.email, c.phone, to_char(c.date_of_birth, 'YYYY-MM-DD') AS born,
              left(t.notes, 34) AS ticket_notes
         FROM customers c LEFT JOIN support_tickets t ON t.customer_email = c.email
        WHERE c.id IN (5, 10, 15) ORDER BY c.id`,
    );
    this.timeline.add('rows', `${when}:`);
    for (const row of sample.rows)
      this.timeline.add(
        'rows',
        `  ${Object.values(row)
          .map((value) => String(value))
          .join(' | ')}`,
      );
  }
}
