// Lambda entry point of the post-processor: configuration, hooks and AWS clients are built once, at cold
// start; a bad setting, an unknown or broken hooks configuration (hooks/configs/<HOOKS_CONFIG>.json), or a
// hook needing a setting the stack lacks fails here, naming itself, before any notice is handled.
// What only hooks use (the pg and mysql2 drivers, the Secrets Manager and Lambda clients) is in bundles of its
// own, ./lazy/*.mjs (template.yaml: EntryPoints, and External in this bundle), imported on first use: most
// invocations (started, duplicate, reconcile) run no hook, and none of them parses that code.
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { SnsAlerts } from '#shared/alerts/sns-alerts';
import {
  createDmsClient,
  createDynamoDbClient,
  createEventBridgeClient,
  createSnsClient,
} from '#shared/aws/clients';
import { loadPostProcessorConfig } from '#shared/config';
import { targetConnector } from '#shared/database/connector';
import { taskControlFor } from '#shared/dms/controls';
import { checkHookSettings } from '#shared/hooks/config-file';
import { hooksConfigFile, hooksConfigName, parseBundledHooksConfig } from '#shared/hooks/configs';
import { lazyHook } from '#shared/hooks/lazy';
import { buildHooks } from '#shared/hooks/registry';
import { SequentialHookRunner } from '#shared/hooks/runner';
import { asLog, createLogger } from '#shared/log';
import { powertoolsMetrics } from '#shared/metrics';
import { DynamoDbRunHistory } from '#shared/runs/dynamodb-history';
import { DynamoDbRunStore } from '#shared/runs/dynamodb-store';
import { EventBridgeScheduleRule } from '#shared/schedule/eventbridge-rule';
import { LazySecrets } from '#shared/secrets/lazy';
import { HOOKS_CONFIGS } from '../../hooks/configs/configs.generated.ts';
import { CUSTOM_HOOKS } from '../../hooks/custom/index.ts';
import { SQL_SCRIPTS } from '../../hooks/sql/scripts.generated.ts';
import { createPostProcessorHandler, successNoticesFor } from './app.ts';

const logger = createLogger('post-processor');
const metrics = powertoolsMetrics('post-processor');
const config = loadPostProcessorConfig(process.env);
// One client for the ledger table: the task records and the run history live in it side by side.
const dynamoDb = createDynamoDbClient();
const hookSources = { sqlScripts: SQL_SCRIPTS, modules: CUSTOM_HOOKS };
// Every configuration of hooks/configs/ is bundled; the stack's HooksConfig parameter picks one.
const chosenHooksConfig = hooksConfigName(process.env);
const hooksConfig = parseBundledHooksConfig(HOOKS_CONFIGS, chosenHooksConfig, hookSources);
checkHookSettings(hooksConfig, config, CUSTOM_HOOKS, hooksConfigFile(chosenHooksConfig));

// Built when hooks first need it, not at cold start, then kept for the container's life.
let secretsClient: SecretsManagerClient | undefined;
const secretsManager = async () => {
  const { SecretsManagerSecrets, createSecretsManagerClient } = await import('./lazy/secrets-manager.mjs');
  secretsClient ??= createSecretsManagerClient();
  return new SecretsManagerSecrets(secretsClient);
};
const connectTarget = targetConnector({
  postgres: () => import('./lazy/postgres.mjs'),
  mysql: () => import('./lazy/mysql.mjs'),
});
const targetSecretArn = config.targetDatabaseSecretArn;
const hooks = new SequentialHookRunner(
  buildHooks(hooksConfig, {
    ...hookSources,
    lambda: (options) =>
      lazyHook(options, async () => {
        const { createLambdaClient, lambdaHook } = await import('./lazy/lambda.mjs');
        return lambdaHook(createLambdaClient(), options);
      }),
    maskingSaltSecretArn: config.maskingSaltSecretArn,
    maskEngine: () => import('./lazy/mask.mjs'),
  }),
  {
    // A new adapter per run: secret values are cached for one invocation only.
    secrets: () => new LazySecrets(secretsManager),
    ...(targetSecretArn !== undefined && {
      openTarget: async (secrets) =>
        connectTarget(
          await secrets.getDatabaseSecret(targetSecretArn, config.targetDatabase),
          config.targetDatabaseTls,
        ),
    }),
  },
);

const sns = createSnsClient();
const successNotices = successNoticesFor(config, (topicArn) => new SnsAlerts(sns, topicArn));
const run = createPostProcessorHandler(
  {
    tasks: taskControlFor(createDmsClient(), config.members[0]?.arn ?? config.task.arn),
    rule: config.scheduleRule
      ? new EventBridgeScheduleRule(createEventBridgeClient(), config.scheduleRule.name)
      : undefined,
    alerts: new SnsAlerts(sns, config.alertsTopicArn),
    ...(successNotices && { successNotices }),
    store: new DynamoDbRunStore(dynamoDb, config.runLedgerTable),
    history: new DynamoDbRunHistory(dynamoDb, config.runLedgerTable),
    hooks,
    metrics,
    log: asLog(logger),
    clock: () => new Date(),
  },
  config,
);

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  try {
    return await run(event, context);
  } finally {
    metrics.flush();
  }
};
