// Why this file exists: an operator names a stack, not six resources. `--stack NAME` is turned into one
// typed Deployment here: the stack's Outputs (functions, rule, ledger table, topics) and Parameters (the
// task, the mode, NamePrefix), checked with zod so that a stack that is not, or no longer, a dms-scheduler
// deployment is refused with every missing or malformed piece named, before any other call is made.
// A stack whose ReplicationTaskArn lists several tasks (comma-separated, paired by position with the
// identifiers) is a run group named by its NamePrefix, as the template's RUN_GROUP_NAME is: its ledger record
// and history are keyed by `groupKeyOf(name)`, and DMS is asked about each member.
import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { z } from 'zod';
import { groupKeyOf, MAX_GROUP_MEMBERS, type TaskRef } from '#shared/config';
import { resourceKindOf, SCHEDULED_RESOURCE_ARN } from '#shared/dms/arn';
import { CADENCES, MIGRATION_TYPES, REFRESH_INDICATORS } from '#shared/modes';
import { askAws } from './aws.ts';
import { AwsCallError, DeploymentError } from './errors.ts';

export interface Deployment {
  readonly stack: { readonly name: string; readonly id: string; readonly status: string };
  readonly namePrefix: string;
  /**
   * What the ledger record and the history are about, as the functions' `config.task`: the one task, or for a
   * group `{ arn: groupKeyOf(name), identifier: name }`, which is no DMS resource.
   */
  readonly task: TaskRef;
  /** The DMS tasks, in the stack's order: `[task]` for one task. */
  readonly members: readonly TaskRef[];
  /** Set when the stack lists more than one task: its name is the stack's NamePrefix (RUN_GROUP_NAME). */
  readonly group: { readonly name: string } | undefined;
  readonly mode: {
    readonly indicator: (typeof REFRESH_INDICATORS)[number];
    readonly migrationType: (typeof MIGRATION_TYPES)[number];
    readonly cadence: (typeof CADENCES)[number];
  };
  readonly functions: {
    readonly taskStarter: string;
    readonly postProcessor: string;
  };
  /** Undefined in one-time mode: the template creates no schedule rule then. */
  readonly scheduleRule: { readonly name: string; readonly expression: string | undefined } | undefined;
  readonly runLedgerTable: string;
  /** `success` only with NotifyOnSuccess = success-topic; a stack from before success notices has none. */
  readonly topics: {
    readonly alerts: string;
    readonly dmsEvents: string | undefined;
    readonly success?: string | undefined;
  };
  readonly ruleAfterFailure: string | undefined;
  /** off, alerts-topic or success-topic; unset for a stack from before success notices. */
  readonly notifyOnSuccess?: string | undefined;
  readonly hooksConfig: string | undefined;
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const nonEmpty = z.string().min(1, 'is empty');
/** CloudFormation gives an optional parameter left blank as "": that is unset, not a value. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { message: `is not one of ${values.join(', ')}` });

/** A comma-separated list (a run group's tasks), each item checked; one item for one task. */
const listOf = (valid: (item: string) => boolean, message: string) =>
  z
    .string()
    .transform((value) => value.split(',').map((item) => item.trim()))
    .refine((items) => items.every(valid), message)
    .refine((items) => items.length <= MAX_GROUP_MEMBERS, `lists more than ${MAX_GROUP_MEMBERS} tasks`)
    .refine((items) => new Set(items).size === items.length, 'lists a task twice');

/** Keyed by where each value comes from in the stack ("Output X", "Parameter Y"), so problems name it. */
const stackSchema = z.object({
  'Output TaskStarterFunctionName': nonEmpty,
  'Output PostProcessorFunctionName': nonEmpty,
  'Output RunLedgerTableName': z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'is not a DynamoDB table name'),
  'Output AlertsTopicArn': z.string().regex(TOPIC_ARN, 'is not an SNS topic ARN'),
  'Output ScheduleRuleName': optional(z.string().regex(/^[.\-_A-Za-z0-9]{1,64}$/, 'is not a rule name')),
  'Output DmsEventsTopicArn': optional(z.string().regex(TOPIC_ARN, 'is not an SNS topic ARN')),
  'Output SuccessTopicArn': optional(z.string().regex(TOPIC_ARN, 'is not an SNS topic ARN')),
  'Parameter NamePrefix': nonEmpty,
  'Parameter ReplicationTaskArn': listOf(
    (arn) => SCHEDULED_RESOURCE_ARN.test(arn),
    'is not a DMS task ARN nor a Serverless replication config ARN (nor a comma-separated list of task ARNs)',
  ),
  'Parameter ReplicationTaskIdentifier': listOf((identifier) => identifier !== '', 'is empty'),
  'Parameter MigrationRefreshIndicator': oneOf(REFRESH_INDICATORS),
  'Parameter MigrationRefreshType': oneOf(MIGRATION_TYPES),
  'Parameter ScheduleOrOneTime': oneOf(CADENCES),
  'Parameter ScheduleExpression': optional(z.string()),
  'Parameter RuleAfterFailure': optional(z.string()),
  'Parameter HooksConfig': optional(z.string()),
  'Parameter NotifyOnSuccess': optional(z.string()),
});

/** The stack's outputs and parameters as one flat map, keyed as `stackSchema` names them. */
export function stackValues(stack: Stack): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey) values[`Output ${output.OutputKey}`] = output.OutputValue;
  }
  for (const parameter of stack.Parameters ?? []) {
    if (parameter.ParameterKey) values[`Parameter ${parameter.ParameterKey}`] = parameter.ParameterValue;
  }
  return values;
}

/** The Deployment a described stack is, or a DeploymentError listing each missing or malformed value. */
export function deploymentFromStack(stack: Stack): Deployment {
  const stackName = stack.StackName ?? '(unnamed stack)';
  const values = stackValues(stack);
  const parsed = stackSchema.safeParse(values);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        return values[key] === undefined ? `${key} is missing` : `${key} ${issue.message}`;
      });
  if (parsed.success && parsed.data['Parameter ScheduleOrOneTime'] === 'schedule') {
    if (parsed.data['Output ScheduleRuleName'] === undefined) {
      problems.push('Output ScheduleRuleName is missing (a schedule-mode stack has a schedule rule)');
    }
  }
  if (parsed.success) problems.push(...groupProblems(parsed.data));
  if (!parsed.success || problems.length > 0) {
    throw new DeploymentError(
      `stack ${stackName} is not a usable dms-scheduler deployment: ${problems.join('; ')}`,
      problems,
    );
  }
  const data = parsed.data;
  const cadence = data['Parameter ScheduleOrOneTime'];
  const ruleName = data['Output ScheduleRuleName'];
  const identifiers = data['Parameter ReplicationTaskIdentifier'];
  const members = data['Parameter ReplicationTaskArn'].map((arn, i) => ({
    arn,
    identifier: identifiers[i] ?? '',
  }));
  const namePrefix = data['Parameter NamePrefix'];
  const group = members.length > 1 ? { name: namePrefix } : undefined;
  return {
    stack: { name: stackName, id: stack.StackId ?? '', status: stack.StackStatus ?? 'unknown' },
    namePrefix,
    task: group ? { arn: groupKeyOf(group.name), identifier: group.name } : (members[0] as TaskRef),
    members,
    group,
    mode: {
      indicator: data['Parameter MigrationRefreshIndicator'],
      migrationType: data['Parameter MigrationRefreshType'],
      cadence,
    },
    functions: {
      taskStarter: data['Output TaskStarterFunctionName'],
      postProcessor: data['Output PostProcessorFunctionName'],
    },
    // One-time mode never touches a rule, even if a stale output names one.
    scheduleRule:
      cadence === 'schedule' && ruleName !== undefined
        ? { name: ruleName, expression: data['Parameter ScheduleExpression'] }
        : undefined,
    runLedgerTable: data['Output RunLedgerTableName'],
    topics: {
      alerts: data['Output AlertsTopicArn'],
      dmsEvents: data['Output DmsEventsTopicArn'],
      success: data['Output SuccessTopicArn'],
    },
    ruleAfterFailure: data['Parameter RuleAfterFailure'],
    notifyOnSuccess: data['Parameter NotifyOnSuccess'],
    hooksConfig: data['Parameter HooksConfig'],
  };
}

/** What makes a list of tasks a group the functions accept: paired lists, tasks only, one account and region. */
function groupProblems(data: {
  'Parameter ReplicationTaskArn': string[];
  'Parameter ReplicationTaskIdentifier': string[];
}): string[] {
  const arns = data['Parameter ReplicationTaskArn'];
  const identifiers = data['Parameter ReplicationTaskIdentifier'];
  const problems: string[] = [];
  if (arns.length !== identifiers.length) {
    problems.push(
      `Parameter ReplicationTaskArn lists ${arns.length} task(s) but Parameter ReplicationTaskIdentifier ${identifiers.length}: they name the same tasks, in the same order`,
    );
  }
  if (arns.length > 1) {
    if (arns.some((arn) => resourceKindOf(arn) === 'replication-config')) {
      problems.push(
        'Parameter ReplicationTaskArn lists a Serverless replication config in a run group: a group holds replication tasks only',
      );
    }
    if (new Set(arns.map((arn) => arn.split(':').slice(1, 5).join(':'))).size > 1) {
      problems.push('Parameter ReplicationTaskArn lists tasks of more than one account or region');
    }
  }
  return problems;
}

/** The ARN DMS adapters are chosen by: a group's members are all replication tasks. */
export function dmsArnOf(deployment: Deployment): string {
  return (deployment.members[0] ?? deployment.task).arn;
}

/** DescribeStacks for `stackName`, as a Deployment. A stack that does not exist is an AWS error (exit 3). */
export async function findDeployment(client: CloudFormationClient, stackName: string): Promise<Deployment> {
  const response = await askAws('CloudFormation DescribeStacks', async () => {
    try {
      return await client.send(new DescribeStacksCommand({ StackName: stackName }));
    } catch (error) {
      // CloudFormation says "Stack with id NAME does not exist" as a ValidationError: said plainly here.
      if (error instanceof Error && /does not exist/.test(error.message)) {
        throw new AwsCallError(
          'CloudFormation DescribeStacks',
          `stack ${stackName} not found (CloudFormation DescribeStacks: ${error.message}); check --stack, --region and --profile`,
          { cause: error },
        );
      }
      throw error;
    }
  });
  const stack = response.Stacks?.[0];
  if (stack === undefined) {
    throw new AwsCallError(
      'CloudFormation DescribeStacks',
      `stack ${stackName} not found (DescribeStacks returned none)`,
    );
  }
  return deploymentFromStack(stack);
}
