// Lambda entry point of the task-starter: configuration and AWS clients are built once, at cold start; a
// bad setting fails here, naming itself, before any event is handled.
import type { Context } from 'aws-lambda';
import { SnsAlerts } from '#shared/alerts/sns-alerts';
import { createDmsClient, createEventBridgeClient, createSnsClient } from '#shared/aws/clients';
import { loadStarterConfig } from '#shared/config';
import { DmsTaskControl } from '#shared/dms/dms-task-control';
import { asLog, createLogger } from '#shared/log';
import { EventBridgeRunLock } from '#shared/schedule/eventbridge-lock';
import { createStarterHandler } from './app.ts';

const logger = createLogger('task-starter');
const config = loadStarterConfig(process.env);
const run = createStarterHandler(
  {
    tasks: new DmsTaskControl(createDmsClient()),
    lock: config.scheduleRuleName
      ? new EventBridgeRunLock(createEventBridgeClient(), config.scheduleRuleName)
      : undefined,
    alerts: new SnsAlerts(createSnsClient(), config.alertsTopicArn),
    log: asLog(logger),
  },
  config,
);

export const handler = (event: unknown, context: Context) => {
  logger.addContext(context);
  return run(event, context);
};
