// Lambda entry point of the task-starter: configuration and AWS clients are built once, at cold start; a
// bad setting fails here, naming itself, before any event is handled.
import type { Context } from 'aws-lambda';
import { SnsAlerts } from '#shared/alerts/sns-alerts';
import {
  createDmsClient,
  createDynamoDbClient,
  createEventBridgeClient,
  createSnsClient,
} from '#shared/aws/clients';
import { loadStarterConfig } from '#shared/config';
import { taskControlFor } from '#shared/dms/controls';
import { DmsConnectionTester } from '#shared/dms/dms-connections';
import { DmsTargetFolderEditor } from '#shared/dms/dms-endpoints';
import { asLog, createLogger } from '#shared/log';
import { powertoolsMetrics } from '#shared/metrics';
import { DynamoDbRunHistory } from '#shared/runs/dynamodb-history';
import { DynamoDbRunStore } from '#shared/runs/dynamodb-store';
import { EventBridgeScheduleRule } from '#shared/schedule/eventbridge-rule';
import { createStarterHandler } from './app.ts';

const logger = createLogger('task-starter');
const metrics = powertoolsMetrics('task-starter');
const config = loadStarterConfig(process.env);
const dms = createDmsClient();
// One client for the ledger table: the task records and the run history live in it side by side.
const dynamoDb = createDynamoDbClient();
const run = createStarterHandler(
  {
    tasks: taskControlFor(dms, config.members[0]?.arn ?? config.task.arn),
    ...((config.preflight || config.targetFolder) && { connections: new DmsConnectionTester(dms) }),
    ...(config.targetFolder && { folders: new DmsTargetFolderEditor(dms) }),
    rule: config.scheduleRule
      ? new EventBridgeScheduleRule(createEventBridgeClient(), config.scheduleRule.name)
      : undefined,
    alerts: new SnsAlerts(createSnsClient(), config.alertsTopicArn),
    store: new DynamoDbRunStore(dynamoDb, config.runLedgerTable),
    history: new DynamoDbRunHistory(dynamoDb, config.runLedgerTable),
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
