// A dms-scheduler deployment made of parts in moto_server, for the command-line tests: a DMS replication
// task, an EventBridge schedule rule, a run ledger table whose record the real DynamoDbRunStore writes (and
// whose run history the real DynamoDbRunHistory writes), and
// a CloudFormation stack whose Outputs and Parameters name them as the real template's do. moto cannot
// create the template's resources (Lambda code, DMS subscriptions), so the stack holds one
// WaitConditionHandle and literal Output values: what `--stack` discovery reads is the same either way.
import { randomUUID } from 'node:crypto';
import { type CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateEndpointCommand,
  CreateReplicationInstanceCommand,
  CreateReplicationTaskCommand,
  type DatabaseMigrationServiceClient,
} from '@aws-sdk/client-database-migration-service';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDbRunHistory } from '../../shared/runs/dynamodb-history.ts';
import { DynamoDbRunStore } from '../../shared/runs/dynamodb-store.ts';
import type { RunHistoryEntry } from '../../shared/runs/history.ts';
import type { TaskRecord } from '../../shared/runs/run.ts';
import { MOTO_ACCOUNT_ID, MOTO_REGION } from './moto-server.ts';

export interface MotoClients {
  readonly cloudFormation: CloudFormationClient;
  readonly dms: DatabaseMigrationServiceClient;
  readonly eventBridge: EventBridgeClient;
  readonly dynamoDb: DynamoDBClient;
}

export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A replication instance, two endpoints and a full-load task: what moto's CreateReplicationTask is given. */
export async function createReplicationTask(
  dms: DatabaseMigrationServiceClient,
  identifier: string,
): Promise<string> {
  const instance = await dms.send(
    new CreateReplicationInstanceCommand({
      ReplicationInstanceIdentifier: `${identifier}-instance`,
      ReplicationInstanceClass: 'dms.t3.micro',
    }),
  );
  const endpoint = async (type: 'source' | 'target') =>
    (
      await dms.send(
        new CreateEndpointCommand({
          EndpointIdentifier: `${identifier}-${type}`,
          EndpointType: type,
          EngineName: 'postgres',
          ServerName: `${type}.example.internal`,
          Port: 5432,
          DatabaseName: 'app',
          Username: 'dms',
          Password: 'not-a-secret',
        }),
      )
    ).Endpoint?.EndpointArn;
  const task = await dms.send(
    new CreateReplicationTaskCommand({
      ReplicationTaskIdentifier: identifier,
      ReplicationInstanceArn: instance.ReplicationInstance?.ReplicationInstanceArn,
      SourceEndpointArn: await endpoint('source'),
      TargetEndpointArn: await endpoint('target'),
      MigrationType: 'full-load',
      TableMappings: JSON.stringify({
        rules: [
          {
            'rule-type': 'selection',
            'rule-id': '1',
            'rule-name': 'all',
            'object-locator': { 'schema-name': 'public', 'table-name': '%' },
            'rule-action': 'include',
          },
        ],
      }),
    }),
  );
  const arn = task.ReplicationTask?.ReplicationTaskArn;
  if (!arn) throw new Error('CreateReplicationTask returned no ARN');
  return arn;
}

export async function createRule(
  eventBridge: EventBridgeClient,
  name: string,
  state: 'ENABLED' | 'DISABLED',
): Promise<void> {
  await eventBridge.send(
    new PutRuleCommand({ Name: name, ScheduleExpression: 'cron(0 0 * * ? *)', State: state }),
  );
}

/**
 * The run ledger table as the template defines it, with `record` (if any) written by the real store and
 * `history` (if any) by the real run history.
 */
export async function createLedger(
  dynamoDb: DynamoDBClient,
  taskArn: string,
  record: TaskRecord | undefined,
  history: readonly RunHistoryEntry[] = [],
): Promise<string> {
  const tableName = uniqueName('run-ledger');
  await dynamoDb.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  if (record !== undefined) {
    const saved = await new DynamoDbRunStore(dynamoDb, tableName).save(taskArn, record, 0);
    if (!saved) throw new Error('the ledger record was not written');
  }
  const runHistory = new DynamoDbRunHistory(dynamoDb, tableName);
  for (const entry of history) {
    if ((await runHistory.record(taskArn, entry)) !== 'recorded') throw new Error(`${entry.id} was not kept`);
  }
  return tableName;
}

export interface StackParts {
  readonly namePrefix: string;
  readonly taskArn: string;
  readonly taskIdentifier: string;
  readonly cadence: 'schedule' | 'one-time';
  readonly ruleName?: string;
  readonly ledgerTable?: string;
}

/** A stack whose Outputs and Parameters are those of template.yaml (the ones dms-scheduler reads, and more). */
export async function createStack(cloudFormation: CloudFormationClient, name: string, parts: StackParts) {
  const outputs: Record<string, string | undefined> = {
    TaskStarterFunctionName: `${parts.namePrefix}-task-starter`,
    TaskStarterFunctionArn: `arn:aws:lambda:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:function:${parts.namePrefix}-task-starter`,
    PostProcessorFunctionName: `${parts.namePrefix}-post-processor`,
    ScheduleRuleName: parts.ruleName,
    AlertsTopicArn: `arn:aws:sns:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:${parts.namePrefix}-alerts`,
    DmsEventsTopicArn: `arn:aws:sns:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:${parts.namePrefix}-dms-events`,
    RunLedgerTableName: parts.ledgerTable,
    DashboardName: parts.namePrefix,
  };
  const parameters: Record<string, string> = {
    NamePrefix: parts.namePrefix,
    ReplicationTaskArn: parts.taskArn,
    ReplicationTaskIdentifier: parts.taskIdentifier,
    MigrationRefreshIndicator: 'data-refresh',
    MigrationRefreshType: 'full-load',
    ScheduleOrOneTime: parts.cadence,
    ScheduleExpression: 'cron(0 0 * * ? *)',
    RuleAfterFailure: 're-enable',
    HooksConfig: 'default',
  };
  const template = {
    Parameters: Object.fromEntries(Object.keys(parameters).map((key) => [key, { Type: 'String' }])),
    Resources: { Placeholder: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    Outputs: Object.fromEntries(
      Object.entries(outputs)
        .filter((entry): entry is [string, string] => entry[1] !== undefined)
        .map(([key, value]) => [key, { Value: value, Description: `${key} of the test deployment` }]),
    ),
  };
  await cloudFormation.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: JSON.stringify(template),
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
    }),
  );
}
