// Lambda entry point of the post-processor: configuration, hooks and AWS clients are built once, at cold
// start; a bad setting or an unknown hook fails here, naming itself, before any notice is handled.
import type { Context } from 'aws-lambda';
import { SnsAlerts } from '#shared/alerts/sns-alerts';
import {
  createDmsClient,
  createDynamoDbClient,
  createEventBridgeClient,
  createSnsClient,
} from '#shared/aws/clients';
import { loadPostProcessorConfig } from '#shared/config';
import { DmsTaskControl } from '#shared/dms/dms-task-control';
import { resolveHooks } from '#shared/hooks/registry';
import { SequentialHookRunner } from '#shared/hooks/runner';
import { asLog, createLogger } from '#shared/log';
import { DynamoDbRunLedger } from '#shared/runs/dynamodb-ledger';
import { EventBridgeRunLock } from '#shared/schedule/eventbridge-lock';
import { createPostProcessorHandler } from './app.ts';

const logger = createLogger('post-processor');
const config = loadPostProcessorConfig(process.env);
const run = createPostProcessorHandler(
  {
    tasks: new DmsTaskControl(createDmsClient()),
    lock: config.scheduleRuleName
      ? new EventBridgeRunLock(createEventBridgeClient(), config.scheduleRuleName)
      : undefined,
    alerts: new SnsAlerts(createSnsClient(), config.alertsTopicArn),
    ledger: new DynamoDbRunLedger(createDynamoDbClient(), config.runLedgerTable),
    hooks: new SequentialHookRunner(resolveHooks(config.hookNames)),
    log: asLog(logger),
    clock: () => new Date(),
  },
  config,
);

export const handler = (event: unknown, context: Context) => {
  logger.addContext(context);
  return run(event, context);
};
