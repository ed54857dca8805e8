// The template is code: these tests check its wiring (which function gets which setting, which event reaches
// which function), the deploy-time combination rules against shared/modes.ts, and least privilege, by
// reading template.yaml itself. The last test runs cfn-lint, which also runs the SAM transform.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadPostProcessorConfig,
  loadStarterConfig,
  NOTIFY_ON_SUCCESS,
  type NotifyOnSuccess,
} from '#shared/config';
import { DATABASE_ENGINES } from '#shared/database/secret';
import { SCHEDULED_RESOURCE_ARN } from '#shared/dms/arn';
import { ConfigurationError } from '#shared/errors';
import { DEFAULT_HOOKS_CONFIG, HOOKS_CONFIG_NAME, hooksConfigName } from '#shared/hooks/configs';
import {
  CADENCES,
  MIGRATION_TYPES,
  MODE_RULES,
  type Mode,
  REFRESH_INDICATORS,
  SUPPORTED_MODES,
} from '#shared/modes';
import { PREFLIGHT_MARGIN_MS } from '#shared/runs/preflight';
import { esbuildArgs, samFunctions } from '../../sam-esbuild.mjs';
import { toolAvailable } from '../support/missing-tools.ts';
import {
  BUNDLED_HOOKS_CONFIGS,
  PLACEHOLDER_SALT_SECRET_ARN,
  PLACEHOLDER_TARGET_SECRET_ARN,
} from '../support/shipped-hooks.ts';
import { readCfnYaml } from './cfn-yaml.ts';
import { buildFunction, importBuilt, productionCopy, type ScratchCopy } from './sam-build.ts';

type JsonObject = Record<string, unknown>;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATE_PATH = join(ROOT, 'template.yaml');

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw new Error(`${what} is not a mapping: ${JSON.stringify(value)}`);
  return value;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list: ${JSON.stringify(value)}`);
  return value;
}

/** IAM and event patterns allow a single value where a list is meant. */
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

const template = obj(readCfnYaml(TEMPLATE_PATH), 'template');
const resources = obj(template.Resources, 'Resources');
const parameters = obj(template.Parameters, 'Parameters');
const conditions = obj(template.Conditions, 'Conditions');

interface Resource {
  readonly id: string;
  readonly type: string;
  readonly condition: string | undefined;
  readonly properties: JsonObject;
}

function resource(id: string): Resource {
  const raw = obj(resources[id], `resource ${id}`);
  return {
    id,
    type: String(raw.Type),
    condition: typeof raw.Condition === 'string' ? raw.Condition : undefined,
    properties: obj(raw.Properties ?? {}, `${id}.Properties`),
  };
}

const resourcesOfType = (type: string): Resource[] =>
  Object.keys(resources)
    .map(resource)
    .filter((candidate) => candidate.type === type);

const FUNCTIONS = {
  TaskStarterFunction: 'task-starter',
  PostProcessorFunction: 'post-processor',
} as const;
type FunctionId = keyof typeof FUNCTIONS;
const FUNCTION_IDS = Object.keys(FUNCTIONS) as FunctionId[];

/** A function's properties as SAM deploys them: Globals.Function first, the function's own on top. */
function effectiveFunction(id: FunctionId): JsonObject {
  const globals = obj(obj(template.Globals ?? {}, 'Globals').Function ?? {}, 'Globals.Function');
  const own = resource(id).properties;
  const variables = (props: JsonObject) =>
    obj(obj(props.Environment ?? {}, 'Environment').Variables ?? {}, 'Environment.Variables');
  return {
    ...globals,
    ...own,
    Environment: { Variables: { ...variables(globals), ...variables(own) } },
  };
}

const envOf = (id: FunctionId): JsonObject =>
  obj(obj(effectiveFunction(id).Environment, 'Environment').Variables, 'Variables');

// ---------------------------------------------------------------------------------------------------------
// A tiny evaluator of the intrinsic functions the Conditions and Rules sections use, over parameter values.
// Anything it does not know throws, so the template cannot quietly outgrow it.
// ---------------------------------------------------------------------------------------------------------
type Params = Readonly<Record<string, string>>;

const PSEUDO: Params = {
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
};
const TASK_ARN = 'arn:aws:dms:eu-west-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ1';
const CONFIG_ARN = 'arn:aws:dms:eu-west-1:123456789012:replication-config:NIGHTLYSERVERLESS000000001';
const FOLDER_PARAMS: Params = {
  S3TargetFolderTemplate: 'exports/{yyyy}/{MM}/{dd}',
  TaskReplicationInstanceArn: 'arn:aws:dms:eu-west-1:123456789012:rep:NIGHTLYINSTANCE',
  TaskTargetEndpointArn: 'arn:aws:dms:eu-west-1:123456789012:endpoint:EXPORTS3',
};
const PREFLIGHT_PARAMS: Params = {
  PreflightConnections: 'on',
  TaskReplicationInstanceArn: 'arn:aws:dms:eu-west-1:123456789012:rep:NIGHTLYINSTANCE',
  TaskSourceEndpointArn: 'arn:aws:dms:eu-west-1:123456789012:endpoint:PRODSOURCE',
  TaskTargetEndpointArn: 'arn:aws:dms:eu-west-1:123456789012:endpoint:STAGINGTARGET',
};
const TASK_IDENTIFIER = 'nightly-refresh';
/** A run group of three tasks: ARNs and identifiers paired by position. */
const GROUP_ARNS = [
  'arn:aws:dms:eu-west-1:123456789012:task:CUSTOMERSAAAAAAAAAAAAAAAAAA',
  'arn:aws:dms:eu-west-1:123456789012:task:ORDERSBBBBBBBBBBBBBBBBBBBBB',
  'arn:aws:dms:eu-west-1:123456789012:task:INVOICESCCCCCCCCCCCCCCCCCCC',
];
const GROUP_IDENTIFIERS = ['customers-refresh', 'orders-refresh', 'invoices-refresh'];
const GROUP_PARAMS: Params = {
  ReplicationTaskArn: GROUP_ARNS.join(','),
  ReplicationTaskIdentifier: GROUP_IDENTIFIERS.join(','),
};

function evaluate(expression: unknown, params: Params): unknown {
  if (typeof expression === 'string' || typeof expression === 'number' || typeof expression === 'boolean') {
    return expression;
  }
  if (Array.isArray(expression)) return expression.map((item) => evaluate(item, params));
  const node = obj(expression, 'expression');
  const [fn, ...extra] = Object.keys(node);
  if (fn === undefined || extra.length > 0) throw new Error(`Not one intrinsic: ${JSON.stringify(node)}`);
  const args = node[fn];
  switch (fn) {
    case 'Ref': {
      const value = params[String(args)];
      if (value === undefined) throw new Error(`No value for parameter ${String(args)}`);
      return value;
    }
    case 'Condition':
      return evaluate(conditions[String(args)], params);
    case 'Fn::Equals': {
      const [left, right] = list(args, fn).map((arg) => String(evaluate(arg, params)));
      return left === right;
    }
    case 'Fn::And':
      return list(args, fn).every((arg) => evaluate(arg, params) === true);
    case 'Fn::Or':
      return list(args, fn).some((arg) => evaluate(arg, params) === true);
    case 'Fn::Not':
      return evaluate(list(args, fn)[0], params) !== true;
    case 'Fn::Join': {
      // A CommaDelimitedList parameter's value is kept as its comma-separated string here.
      const [separator, items] = list(args, fn);
      const value = evaluate(items, params);
      return Array.isArray(value) ? value.map(String).join(String(separator)) : String(value);
    }
    case 'Fn::Contains': {
      const [haystack, needle] = list(args, fn);
      return list(evaluate(haystack, params), 'Fn::Contains list').includes(evaluate(needle, params));
    }
    case 'Fn::Split': {
      const [separator, text] = list(args, fn);
      return String(evaluate(text, params)).split(String(separator));
    }
    case 'Fn::Select': {
      const [index, items] = list(args, fn);
      const selected = list(evaluate(items, params), 'Fn::Select list')[Number(index)];
      if (selected === undefined) throw new Error(`Fn::Select: no item ${String(index)}`);
      return selected;
    }
    case 'Fn::Sub': {
      // The string form over parameters only (what the Conditions use).
      if (typeof args !== 'string')
        throw new Error('The test evaluator knows only the string form of Fn::Sub');
      return args.replace(/\$\{([^}!]+)\}/g, (_, name: string) => String(evaluate({ Ref: name }, params)));
    }
    default:
      throw new Error(`The test evaluator does not know ${fn}`);
  }
}

const condition = (name: string, params: Params): boolean => evaluate({ Condition: name }, params) === true;

function parameterValues(mode: Mode, overrides: Params = {}): Params {
  const defaults = Object.fromEntries(
    Object.entries(parameters)
      .filter(([, spec]) => obj(spec, 'parameter').Default !== undefined)
      .map(([name, spec]) => [name, String(obj(spec, name).Default)]),
  );
  return {
    ...PSEUDO,
    ...defaults,
    ReplicationTaskArn: TASK_ARN,
    ReplicationTaskIdentifier: TASK_IDENTIFIER,
    MigrationRefreshIndicator: mode.indicator,
    MigrationRefreshType: mode.migrationType,
    ScheduleOrOneTime: mode.cadence,
    ...overrides,
  };
}

/** Renders a property value as CloudFormation would for the given parameters (physical names for resources). */
function render(expression: unknown, params: Params): unknown {
  if (typeof expression !== 'object' || expression === null) return expression;
  if (Array.isArray(expression)) return expression.map((item) => render(item, params));
  const [fn] = Object.keys(expression);
  const args = (expression as JsonObject)[fn ?? ''];
  const lookup = (name: string): string => {
    const value = params[name] ?? physicalId(name, params);
    if (value === undefined) throw new Error(`Cannot render a reference to ${name}`);
    return value;
  };
  switch (fn) {
    case 'Ref':
      return lookup(String(args));
    case 'Fn::Sub': {
      // "text" or ["text", { Name: value }]; ${Resource.Attribute} is a GetAtt, ${!Literal} stays.
      const [text, variables] = typeof args === 'string' ? [args, {}] : list(args, fn);
      const own = Object.fromEntries(
        Object.entries(obj(variables, 'Fn::Sub variables')).map(([name, value]) => [
          name,
          String(render(value, params)),
        ]),
      );
      return String(text).replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
        if (own[name] !== undefined) return own[name];
        const dot = name.indexOf('.');
        return dot < 0 || name.startsWith('AWS::')
          ? lookup(name)
          : getAtt(name.slice(0, dot), name.slice(dot + 1), params);
      });
    }
    case 'Fn::If': {
      const [name, whenTrue, whenFalse] = list(args, fn);
      return render(condition(String(name), params) ? whenTrue : whenFalse, params);
    }
    case 'Fn::GetAtt': {
      const [id, attribute] = list(args, fn).map(String);
      return getAtt(String(id), String(attribute), params);
    }
    case 'Fn::Split': {
      const [separator, text] = list(args, fn);
      return String(render(text, params)).split(String(separator));
    }
    default:
      return Object.fromEntries(
        Object.entries(expression).map(([key, value]) => [key, render(value, params)]),
      );
  }
}

/** A resource's physical name, from the property that sets it. */
const nameOf = (id: string, property: string, params: Params): string =>
  String(render(resource(id).properties[property], params));

/** What !Ref returns for the resources the tests render references to. */
function physicalId(id: string, params: Params): string | undefined {
  if (!(id in resources)) return undefined;
  const region = params['AWS::Region'];
  const account = params['AWS::AccountId'];
  switch (resource(id).type) {
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${region}:${account}:${nameOf(id, 'TopicName', params)}`;
    case 'AWS::DynamoDB::Table':
      return nameOf(id, 'TableName', params);
    case 'AWS::Events::Rule':
      return nameOf(id, 'Name', params);
    case 'AWS::Serverless::Function':
      return nameOf(id, 'FunctionName', params);
    case 'AWS::SQS::Queue':
      return `https://sqs.${region}.amazonaws.com/${account}/${nameOf(id, 'QueueName', params)}`;
    case 'AWS::CloudWatch::Alarm':
      return nameOf(id, 'AlarmName', params);
    default:
      return id;
  }
}

/** What !GetAtt returns for the attributes the tests compare; any other renders as "<ref>#<attribute>". */
function getAtt(id: string, attribute: string, params: Params): string {
  const region = params['AWS::Region'];
  const account = params['AWS::AccountId'];
  const type = id in resources ? resource(id).type : undefined;
  if (type === 'AWS::SQS::Queue' && attribute === 'QueueName') return nameOf(id, 'QueueName', params);
  if (type === 'AWS::SQS::Queue' && attribute === 'Arn') {
    return `arn:aws:sqs:${region}:${account}:${nameOf(id, 'QueueName', params)}`;
  }
  if (type === 'AWS::CloudWatch::Alarm' && attribute === 'Arn') {
    return `arn:aws:cloudwatch:${region}:${account}:alarm:${nameOf(id, 'AlarmName', params)}`;
  }
  return `${physicalId(id, params) ?? id}#${attribute}`;
}

/** The ARN of an EventBridge rule on the default bus, from the name the template gives it. */
const ruleArnOf = (id: string, params: Params): string =>
  `arn:aws:events:${params['AWS::Region']}:${params['AWS::AccountId']}:rule/${nameOf(id, 'Name', params)}`;

const renderedEnv = (id: FunctionId, params: Params): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(envOf(id)).map(([name, value]) => [name, String(render(value, params))]));

const modeLabel = (mode: Mode) => `${mode.indicator} / ${mode.migrationType} / ${mode.cadence}`;

// ---------------------------------------------------------------------------------------------------------
// IAM: every statement a function's role carries, with the condition it is under (if any).
// ---------------------------------------------------------------------------------------------------------
interface Statement {
  readonly sid: string;
  readonly actions: string[];
  readonly resources: unknown[];
  readonly underCondition: string | undefined;
  readonly raw: JsonObject;
}

function flattenStatements(statements: unknown[], underCondition?: string): Statement[] {
  return statements.flatMap((entry): Statement[] => {
    const node = obj(entry, 'statement');
    if ('Fn::If' in node) {
      const [name, whenTrue, whenFalse] = list(node['Fn::If'], 'Fn::If');
      return [whenTrue, whenFalse]
        .filter((branch) => !(isObject(branch) && branch.Ref === 'AWS::NoValue'))
        .flatMap((branch) => flattenStatements([branch], String(name)));
    }
    if (node.Effect !== 'Allow') throw new Error(`Unexpected statement effect ${String(node.Effect)}`);
    return [
      {
        sid: String(node.Sid),
        actions: asList(node.Action).map(String),
        resources: asList(node.Resource),
        underCondition,
        raw: node,
      },
    ];
  });
}

function roleOf(id: FunctionId): Resource {
  const role = obj(effectiveFunction(id).Role, `${id}.Role`);
  const [roleId, attribute] = list(role['Fn::GetAtt'], `${id}.Role Fn::GetAtt`);
  expect(attribute).toBe('Arn');
  return resource(String(roleId));
}

function statementsOf(id: FunctionId): Statement[] {
  const role = roleOf(id);
  return list(role.properties.Policies, `${role.id}.Policies`).flatMap((policy) =>
    flattenStatements(
      list(obj(obj(policy, 'policy').PolicyDocument, 'PolicyDocument').Statement, 'Statement'),
    ),
  );
}

const RULE_ARN = {
  'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/\${NamePrefix}-schedule`,
};
const ALERTS_TOPIC = { Ref: 'AlertsTopic' };
const SUCCESS_TOPIC = { Ref: 'SuccessTopic' };
const TOPICS_KEY = { 'Fn::GetAtt': ['TopicsKey', 'Arn'] };
const RUN_LEDGER = { 'Fn::GetAtt': ['RunLedgerTable', 'Arn'] };
const FAILED_INVOCATIONS_QUEUE = { 'Fn::GetAtt': ['FailedInvocationsQueue', 'Arn'] };
/** The task's ARN, or each of a run group's: the parameter split at its commas. */
const TASK_LIST = { 'Fn::Split': [',', { Ref: 'ReplicationTaskArn' }] };

/** Per function: every action its code calls, and the one resource each may touch. */
const EXPECTED_PRIVILEGES: Record<FunctionId, Record<string, unknown>> = {
  TaskStarterFunction: {
    'logs:CreateLogStream': { 'Fn::GetAtt': ['TaskStarterLogGroup', 'Arn'] },
    'logs:PutLogEvents': { 'Fn::GetAtt': ['TaskStarterLogGroup', 'Arn'] },
    'dms:DescribeReplicationTasks': '*',
    // The task, or each task of a run group.
    'dms:StartReplicationTask': TASK_LIST,
    'dms:DescribeReplications': '*',
    'dms:StartReplication': { Ref: 'ReplicationTaskArn' },
    'dms:TestConnection': [
      { Ref: 'TaskReplicationInstanceArn' },
      { Ref: 'TaskSourceEndpointArn' },
      { Ref: 'TaskTargetEndpointArn' },
    ],
    'dms:DescribeConnections': '*',
    'dms:ModifyEndpoint': { Ref: 'TaskTargetEndpointArn' },
    'dms:DescribeEndpoints': '*',
    'events:DescribeRule': RULE_ARN,
    'events:DisableRule': RULE_ARN,
    'events:EnableRule': RULE_ARN,
    'sns:Publish': ALERTS_TOPIC,
    'kms:GenerateDataKey': TOPICS_KEY,
    'kms:Decrypt': TOPICS_KEY,
    'dynamodb:GetItem': RUN_LEDGER,
    'dynamodb:PutItem': RUN_LEDGER,
    'dynamodb:UpdateItem': RUN_LEDGER,
    'sqs:SendMessage': FAILED_INVOCATIONS_QUEUE,
  },
  PostProcessorFunction: {
    'logs:CreateLogStream': { 'Fn::GetAtt': ['PostProcessorLogGroup', 'Arn'] },
    'logs:PutLogEvents': { 'Fn::GetAtt': ['PostProcessorLogGroup', 'Arn'] },
    'dms:DescribeReplicationTasks': '*',
    // A run group's queued members only (CONDITIONAL_STATEMENTS: IsGroup).
    'dms:StartReplicationTask': TASK_LIST,
    'dms:DescribeReplications': '*',
    'events:DescribeRule': RULE_ARN,
    'events:EnableRule': RULE_ARN,
    'events:DisableRule': RULE_ARN,
    // The success topic only with NotifyOnSuccess = success-topic (CONDITIONAL_STATEMENTS).
    'sns:Publish': [ALERTS_TOPIC, SUCCESS_TOPIC],
    'kms:GenerateDataKey': TOPICS_KEY,
    'kms:Decrypt': TOPICS_KEY,
    'dynamodb:GetItem': RUN_LEDGER,
    'dynamodb:PutItem': RUN_LEDGER,
    'dynamodb:UpdateItem': RUN_LEDGER,
    'sqs:SendMessage': FAILED_INVOCATIONS_QUEUE,
    'secretsmanager:GetSecretValue': [{ Ref: 'TargetDatabaseSecretArn' }, { Ref: 'MaskingSaltSecretArn' }],
    'lambda:InvokeFunction': { Ref: 'HookFunctionArns' },
    'ec2:CreateNetworkInterface': '*',
    'ec2:DescribeNetworkInterfaces': '*',
    'ec2:DeleteNetworkInterface': '*',
    'ec2:AssignPrivateIpAddresses': '*',
    'ec2:UnassignPrivateIpAddresses': '*',
  },
};

/** The statements granted only when a setting asks for them: Sid → the condition it must be under. */
const CONDITIONAL_STATEMENTS: Record<string, string> = {
  // A task's API, or a Serverless replication's, as the ARN says: one or the other, never both.
  ReadTask: 'IsServerless',
  ReadReplication: 'IsServerless',
  StartTask: 'IsServerless',
  StartReplication: 'IsServerless',
  TestFromInstance: 'TestsTargetConnection',
  PreflightTestSource: 'HasPreflight',
  TestTarget: 'TestsTargetConnection',
  ReadConnections: 'TestsTargetConnection',
  SetTargetFolder: 'HasTargetFolder',
  ReadTargetFolder: 'HasTargetFolder',
  HoldScheduleRule: 'IsSchedule',
  ReleaseScheduleRule: 'IsSchedule',
  ReadTargetDatabaseSecret: 'HasTargetDatabaseSecret',
  ReadMaskingSaltSecret: 'HasMaskingSaltSecret',
  InvokeHookFunctions: 'HasHookFunctions',
  AttachToVpc: 'InVpc',
  PublishSuccessNotices: 'SendsToSuccessTopic',
  StartQueuedMembers: 'IsGroup',
};

/**
 * Actions the Service Authorization Reference lists with no resource type, so that `Resource: "*"` is the
 * only valid choice: DescribeReplicationTasks (StartReplicationTask, by contrast, takes the task's ARN) and
 * DescribeNetworkInterfaces.
 */
const NO_RESOURCE_LEVEL_PERMISSIONS = new Set([
  'dms:DescribeReplicationTasks',
  'dms:DescribeReplications',
  'dms:DescribeConnections',
  'dms:DescribeEndpoints',
  'ec2:DescribeNetworkInterfaces',
]);

/**
 * Actions that do take resources but are granted on "*" by choice, and why (the template's comment must say
 * so, not claim the API allows nothing narrower): Lambda's network-interface management in a VPC, whose
 * subnet and security-group ARNs CloudFormation cannot build from the CommaDelimitedList parameters.
 */
const STAR_BY_CHOICE = new Set([
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
]);

// =========================================================================================================

describe('function settings', () => {
  const BASE = [
    'REPLICATION_TASK_ARN',
    'REPLICATION_TASK_IDENTIFIER',
    'RUN_GROUP_NAME',
    'GROUP_MAX_CONCURRENCY',
    'MIGRATION_REFRESH_INDICATOR',
    'MIGRATION_REFRESH_TYPE',
    'SCHEDULE_OR_ONE_TIME',
    'SCHEDULE_RULE_ARN',
    'ALERTS_TOPIC_ARN',
    'RUN_LEDGER_TABLE',
    'RULE_AFTER_FAILURE',
    'POWERTOOLS_SERVICE_NAME',
    'POWERTOOLS_LOG_LEVEL',
    'POWERTOOLS_METRICS_NAMESPACE',
  ];

  it('gives each function exactly the variables its configuration reads', () => {
    expect(Object.keys(envOf('TaskStarterFunction')).sort()).toEqual(
      [
        ...BASE,
        'START_TYPE_OVERRIDE',
        'CDC_START_TIME',
        'CDC_START_POSITION',
        'PREFLIGHT_CONNECTIONS',
        'TASK_REPLICATION_INSTANCE_ARN',
        'TASK_SOURCE_ENDPOINT_ARN',
        'TASK_TARGET_ENDPOINT_ARN',
        'S3_TARGET_FOLDER_TEMPLATE',
        'S3_TARGET_FOLDER_TIME_ZONE',
      ].sort(),
    );
    expect(Object.keys(envOf('PostProcessorFunction')).sort()).toEqual(
      [
        ...BASE,
        'RECONCILE_RULE_ARN',
        'MILESTONE_RULE_ARN',
        'STALE_RUN_HOURS',
        'TARGET_DATABASE_SECRET_ARN',
        'TARGET_DATABASE_ENGINE',
        'TARGET_DATABASE_HOST',
        'TARGET_DATABASE_PORT',
        'TARGET_DATABASE_NAME',
        'TARGET_DATABASE_TLS',
        'MASKING_SALT_SECRET_ARN',
        'NODE_EXTRA_CA_CERTS',
        'HOOKS_CONFIG',
        'NOTIFY_ON_SUCCESS',
        'SUCCESS_TOPIC_ARN',
      ].sort(),
    );
  });

  it('passes each setting from the parameter or resource it belongs to', () => {
    const starter = envOf('TaskStarterFunction');
    const post = envOf('PostProcessorFunction');
    for (const env of [starter, post]) {
      expect(env.REPLICATION_TASK_ARN).toEqual({ Ref: 'ReplicationTaskArn' });
      expect(env.REPLICATION_TASK_IDENTIFIER).toEqual({ Ref: 'ReplicationTaskIdentifier' });
      // A group is named after the stack; one task passes "" (its record is keyed by its ARN).
      expect(env.RUN_GROUP_NAME).toEqual({ 'Fn::If': ['IsGroup', { Ref: 'NamePrefix' }, ''] });
      expect(env.GROUP_MAX_CONCURRENCY).toEqual({ Ref: 'GroupMaxConcurrency' });
      expect(env.MIGRATION_REFRESH_INDICATOR).toEqual({ Ref: 'MigrationRefreshIndicator' });
      expect(env.MIGRATION_REFRESH_TYPE).toEqual({ Ref: 'MigrationRefreshType' });
      expect(env.SCHEDULE_OR_ONE_TIME).toEqual({ Ref: 'ScheduleOrOneTime' });
      expect(env.ALERTS_TOPIC_ARN).toEqual({ Ref: 'AlertsTopic' });
      expect(env.RUN_LEDGER_TABLE).toEqual({ Ref: 'RunLedgerTable' });
      expect(env.RULE_AFTER_FAILURE).toEqual({ Ref: 'RuleAfterFailure' });
      expect(env.POWERTOOLS_LOG_LEVEL).toBe('INFO');
      expect(env.POWERTOOLS_METRICS_NAMESPACE).toEqual({ Ref: 'NamePrefix' });
    }
    expect(starter.START_TYPE_OVERRIDE).toEqual({ Ref: 'StartTypeOverride' });
    expect(starter.CDC_START_TIME).toEqual({ Ref: 'CdcStartTime' });
    expect(starter.CDC_START_POSITION).toEqual({ Ref: 'CdcStartPosition' });
    expect(post.STALE_RUN_HOURS).toEqual({ Ref: 'StaleRunHours' });
    expect(post.TARGET_DATABASE_SECRET_ARN).toEqual({ Ref: 'TargetDatabaseSecretArn' });
    expect(post.TARGET_DATABASE_ENGINE).toEqual({ Ref: 'TargetDatabaseEngine' });
    expect(post.TARGET_DATABASE_HOST).toEqual({ Ref: 'TargetDatabaseHost' });
    expect(post.TARGET_DATABASE_PORT).toEqual({ Ref: 'TargetDatabasePort' });
    expect(post.TARGET_DATABASE_NAME).toEqual({ Ref: 'TargetDatabaseName' });
    expect(post.TARGET_DATABASE_TLS).toEqual({ Ref: 'TargetDatabaseTls' });
    expect(post.MASKING_SALT_SECRET_ARN).toEqual({ Ref: 'MaskingSaltSecretArn' });
    // The Lambda runtime's CA bundle includes the RDS certificate authorities, so TLS to RDS verifies.
    expect(post.NODE_EXTRA_CA_CERTS).toBe('/var/runtime/ca-cert.pem');
    expect(starter.POWERTOOLS_SERVICE_NAME).toBe('task-starter');
    expect(post.POWERTOOLS_SERVICE_NAME).toBe('post-processor');
  });

  it('passes the run ledger and the failure policy to both functions, from Globals', () => {
    const globals = obj(
      obj(obj(obj(template.Globals, 'Globals').Function, 'Globals.Function').Environment, 'Environment')
        .Variables,
      'Variables',
    );
    // The task-starter takes the run's lock and applies the failure policy to a refused start.
    expect(globals.RUN_LEDGER_TABLE).toEqual({ Ref: 'RunLedgerTable' });
    expect(globals.RULE_AFTER_FAILURE).toEqual({ Ref: 'RuleAfterFailure' });
    for (const id of FUNCTION_IDS) {
      const own = obj(obj(resource(id).properties.Environment, 'Environment').Variables, 'Variables');
      expect(own.RUN_LEDGER_TABLE, id).toBeUndefined();
      expect(own.RULE_AFTER_FAILURE, id).toBeUndefined();
    }
  });

  it.each(
    SUPPORTED_MODES.map((mode) => [modeLabel(mode), mode] as const),
  )('renders settings both functions accept at cold start (%s)', (_, mode) => {
    const params = parameterValues(mode);
    const ruleArn = mode.cadence === 'schedule' ? ruleArnOf('ScheduleRule', params) : undefined;

    const starter = loadStarterConfig(renderedEnv('TaskStarterFunction', params));
    expect(starter.task).toEqual({ arn: TASK_ARN, identifier: TASK_IDENTIFIER });
    expect(starter.mode).toEqual(mode);
    expect(starter.scheduleRule?.arn).toBe(ruleArn);
    expect(starter.startTypeOverride).toBeUndefined();
    expect(starter.runLedgerTable).toBe(physicalId('RunLedgerTable', params));
    expect(starter.ruleAfterFailure).toBe('re-enable');

    const post = loadPostProcessorConfig(renderedEnv('PostProcessorFunction', params));
    expect(post.scheduleRule?.arn).toBe(ruleArn);
    expect(post.reconcileRuleArn).toBe(ruleArnOf('ReconcileRule', params));
    expect(post.alertsTopicArn).toBe(starter.alertsTopicArn);
    expect(post.runLedgerTable).toBe(physicalId('RunLedgerTable', params));
    expect(post.staleRunMs).toBe(24 * 3600_000);
    expect(post.targetDatabaseSecretArn).toBeUndefined();
    expect(post.targetDatabase).toEqual({
      engine: undefined,
      host: undefined,
      port: undefined,
      database: undefined,
    });
    expect(post.maskingSaltSecretArn).toBeUndefined();
    expect(post.targetDatabaseTls).toBe('verify');
    expect(post.ruleAfterFailure).toBe('re-enable');
  });

  it.each(
    SUPPORTED_MODES.map((mode) => [modeLabel(mode), mode] as const),
  )('renders a run group both functions read as one group of its tasks (%s)', (_, mode) => {
    const members = GROUP_ARNS.map((arn, i) => ({ arn, identifier: GROUP_IDENTIFIERS[i] }));
    // A group of change-capture tasks starts them all at once (config.ts refuses a lower limit).
    const limits = [
      ['0', GROUP_ARNS.length] as const,
      ...(mode.migrationType === 'full-load' ? [['2', 2] as const] : []),
    ];
    for (const [limit, maxConcurrency] of limits) {
      const params = parameterValues(mode, { ...GROUP_PARAMS, GroupMaxConcurrency: limit });
      for (const config of [
        loadStarterConfig(renderedEnv('TaskStarterFunction', params)),
        loadPostProcessorConfig(renderedEnv('PostProcessorFunction', params)),
      ]) {
        expect(config.members).toEqual(members);
        // Named after the stack: its ledger record and history are the group's, not a task's.
        expect(config.group).toEqual({ name: 'dms-scheduler', maxConcurrency });
        expect(config.task).toEqual({ arn: 'group/dms-scheduler', identifier: 'dms-scheduler' });
      }
    }
  });

  it('names a group after the stack, and keys one task by its ARN whatever the prefix', () => {
    const mode: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };
    // A prefix a group name cannot be (a double hyphen) still deploys one task as before.
    const single = parameterValues(mode, { NamePrefix: 'nightly--refresh', GroupMaxConcurrency: '5' });
    expect(renderedEnv('TaskStarterFunction', single).RUN_GROUP_NAME).toBe('');
    const one = loadStarterConfig(renderedEnv('TaskStarterFunction', single));
    expect(one.group).toBeUndefined();
    expect(one.members).toEqual([{ arn: TASK_ARN, identifier: TASK_IDENTIFIER }]);
    expect(loadPostProcessorConfig(renderedEnv('PostProcessorFunction', single)).group).toBeUndefined();
    // For a group that prefix is its name, refused at cold start naming the setting.
    const group = { ...single, ...GROUP_PARAMS };
    expect(renderedEnv('PostProcessorFunction', group).RUN_GROUP_NAME).toBe('nightly--refresh');
    expect(() => loadStarterConfig(renderedEnv('TaskStarterFunction', group))).toThrow(/RUN_GROUP_NAME/);
  });

  it('passes the ARN of the schedule rule actually created, in schedule mode only', () => {
    const schedule = parameterValues({
      indicator: 'data-refresh',
      migrationType: 'full-load',
      cadence: 'schedule',
    });
    const oneTime = parameterValues({
      indicator: 'data-refresh',
      migrationType: 'full-load',
      cadence: 'one-time',
    });
    const ruleArn = ruleArnOf('ScheduleRule', schedule);
    expect(ruleArn).toBe('arn:aws:events:eu-west-1:123456789012:rule/dms-scheduler-schedule');
    for (const id of FUNCTION_IDS) {
      expect(renderedEnv(id, schedule).SCHEDULE_RULE_ARN, id).toBe(ruleArn);
      expect(renderedEnv(id, oneTime).SCHEDULE_RULE_ARN, id).toBe('');
    }
    expect(condition(String(resource('ScheduleRule').condition), oneTime)).toBe(false);
    // Another prefix moves both together.
    const other = { ...schedule, NamePrefix: 'nightly' };
    expect(renderedEnv('TaskStarterFunction', other).SCHEDULE_RULE_ARN).toBe(
      ruleArnOf('ScheduleRule', other),
    );
  });

  it('passes the post-processor the ARN of the reconcile rule actually created, in every mode', () => {
    for (const mode of SUPPORTED_MODES) {
      for (const params of [parameterValues(mode), parameterValues(mode, { NamePrefix: 'nightly' })]) {
        expect(renderedEnv('PostProcessorFunction', params).RECONCILE_RULE_ARN).toBe(
          ruleArnOf('ReconcileRule', params),
        );
      }
    }
    expect(envOf('TaskStarterFunction').RECONCILE_RULE_ARN).toBeUndefined();
  });
});

describe('deploy-time rules', () => {
  const rules = obj(template.Rules, 'Rules');

  /** The ids of the rules a set of parameter values breaks. */
  function brokenRules(params: Params): string[] {
    return Object.entries(rules)
      .filter(([, spec]) => {
        const rule = obj(spec, 'rule');
        if (rule.RuleCondition !== undefined && evaluate(rule.RuleCondition, params) !== true) return false;
        return list(rule.Assertions, 'Assertions').some(
          (assertion) => evaluate(obj(assertion, 'assertion').Assert, params) !== true,
        );
      })
      .map(([id]) => id);
  }

  const ALL_MODES: Mode[] = REFRESH_INDICATORS.flatMap((indicator) =>
    MIGRATION_TYPES.flatMap((migrationType) =>
      CADENCES.map((cadence) => ({ indicator, migrationType, cadence })),
    ),
  );

  it('accepts exactly the supported combinations and refuses the other six', () => {
    expect(ALL_MODES).toHaveLength(12);
    const accepted = ALL_MODES.filter((mode) => brokenRules(parameterValues(mode)).length === 0);
    expect(accepted.map(modeLabel).sort()).toEqual(SUPPORTED_MODES.map(modeLabel).sort());
    expect(accepted).toHaveLength(6);
  });

  it.each(
    ALL_MODES.map((mode) => [modeLabel(mode), mode] as const),
  )('breaks the same rules as shared/modes.ts for %s', (_, mode) => {
    const expected = MODE_RULES.filter((rule) => rule.breaks(mode)).map((rule) => rule.id);
    expect(brokenRules(parameterValues(mode))).toEqual(expected);
  });

  it('words each combination rule as shared/modes.ts does', () => {
    for (const rule of MODE_RULES) {
      const assertions = list(obj(rules[rule.id], rule.id).Assertions, 'Assertions');
      expect(assertions.map((assertion) => obj(assertion, 'assertion').AssertDescription)).toEqual([
        rule.description,
      ]);
    }
  });

  it('gives every assertion of every rule an AssertDescription', () => {
    const assertions = Object.values(rules).flatMap((rule) =>
      list(obj(rule, 'rule').Assertions, 'Assertions'),
    );
    expect(assertions.length).toBeGreaterThanOrEqual(3);
    for (const assertion of assertions) {
      expect(String(obj(assertion, 'assertion').AssertDescription ?? '').length).toBeGreaterThan(20);
    }
  });

  it('refuses the pre-flight without the three ARNs it may test, and grants it only with them', () => {
    const mode: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };
    expect(brokenRules(parameterValues(mode, PREFLIGHT_PARAMS))).toEqual([]);
    expect(condition('HasPreflight', parameterValues(mode, PREFLIGHT_PARAMS))).toBe(true);
    for (const name of Object.keys(PREFLIGHT_PARAMS).filter((key) => key !== 'PreflightConnections')) {
      const params = parameterValues(mode, { ...PREFLIGHT_PARAMS, [name]: '' });
      expect(brokenRules(params), name).toEqual(['PreflightNamesItsConnections']);
      expect(condition('HasPreflight', params), name).toBe(false);
    }
    expect(condition('HasPreflight', parameterValues(mode))).toBe(false);
  });

  it('refuses an S3 folder template without the endpoint it sets and the instance it tests from', () => {
    const mode: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };
    expect(brokenRules(parameterValues(mode, FOLDER_PARAMS))).toEqual([]);
    expect(condition('HasTargetFolder', parameterValues(mode, FOLDER_PARAMS))).toBe(true);
    expect(condition('TestsTargetConnection', parameterValues(mode, FOLDER_PARAMS))).toBe(true);
    expect(condition('HasPreflight', parameterValues(mode, FOLDER_PARAMS))).toBe(false);
    for (const name of ['TaskReplicationInstanceArn', 'TaskTargetEndpointArn']) {
      const params = parameterValues(mode, { ...FOLDER_PARAMS, [name]: '' });
      expect(brokenRules(params), name).toEqual(['FolderNamesItsEndpoint']);
      expect(condition('HasTargetFolder', params), name).toBe(false);
    }
    const pattern = new RegExp(
      String(obj(parameters.S3TargetFolderTemplate, 'S3TargetFolderTemplate').AllowedPattern),
    );
    expect('exports/{yyyy}/{MM}/{dd}').toMatch(pattern);
    expect('').toMatch(pattern);
    expect('exports/{yyyy} x').not.toMatch(pattern);
  });

  it('accepts a run group in every row of the combination table, and refuses it elsewhere as one task', () => {
    for (const mode of ALL_MODES) {
      expect(brokenRules(parameterValues(mode, GROUP_PARAMS)), modeLabel(mode)).toEqual(
        brokenRules(parameterValues(mode)),
      );
    }
    for (const mode of SUPPORTED_MODES) {
      expect(brokenRules(parameterValues(mode, { ...GROUP_PARAMS, GroupMaxConcurrency: '2' }))).toEqual([]);
    }
  });

  it('uses only the rule functions, which CloudFormation requires of every rule', () => {
    // The documented rule functions. CloudFormation refuses the whole template when a rule holds any other
    // (it is known to for Fn::Sub, Fn::If and Condition), even a rule that does not apply; Fn::Split and
    // Fn::Select are not rule functions, so no rule can tell a group from one task.
    const RULE_FUNCTIONS = new Set([
      'Ref',
      'Fn::And',
      'Fn::Contains',
      'Fn::EachMemberEquals',
      'Fn::EachMemberIn',
      'Fn::Equals',
      'Fn::Not',
      'Fn::Or',
      'Fn::RefAll',
      'Fn::ValueOf',
      'Fn::ValueOfAll',
    ]);
    const used = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (isObject(node)) {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::')) used.add(key);
          walk(value);
        }
      }
    };
    for (const rule of Object.values(rules)) {
      const { RuleCondition, Assertions } = obj(rule, 'rule');
      walk(RuleCondition);
      for (const assertion of list(Assertions, 'Assertions')) walk(obj(assertion, 'assertion').Assert);
    }
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((fn) => !RULE_FUNCTIONS.has(fn))).toEqual([]);
    const comment = readFileSync(TEMPLATE_PATH, 'utf8')
      .split('\n')
      .slice(0, readFileSync(TEMPLATE_PATH, 'utf8').split('\n').indexOf('Rules:'))
      .filter((line) => line.startsWith('#'))
      .join(' ');
    expect(comment).toMatch(/CloudFormation refuses the template if a rule holds any/);
    expect(comment).toMatch(/a rule cannot tell a group\s+# from one task/);
  });

  it.each([
    [
      'the pre-flight',
      PREFLIGHT_PARAMS,
      'HasPreflight',
      /PREFLIGHT_CONNECTIONS is on, but it tests one task's connections and this stack runs a group/,
    ],
    [
      'an S3 target folder',
      FOLDER_PARAMS,
      'HasTargetFolder',
      /S3_TARGET_FOLDER_TEMPLATE is set, but it prepares one task's target endpoint and this stack runs a group/,
    ],
  ])('refuses %s for a group at cold start, and grants it nothing', (_, settings, grant, refusal) => {
    const mode: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };
    // One task: valid, and granted.
    expect(brokenRules(parameterValues(mode, settings))).toEqual([]);
    expect(condition(grant, parameterValues(mode, settings))).toBe(true);
    expect(() =>
      loadStarterConfig(renderedEnv('TaskStarterFunction', parameterValues(mode, settings))),
    ).not.toThrow();
    // A group: no rule can see it, so the task-starter refuses it at its cold start, and its role holds none
    // of the setting's grants meanwhile.
    const group = parameterValues(mode, { ...settings, ...GROUP_PARAMS });
    expect(brokenRules(group)).toEqual([]);
    expect(condition(grant, group)).toBe(false);
    expect(condition('TestsTargetConnection', group)).toBe(false);
    expect(() => loadStarterConfig(renderedEnv('TaskStarterFunction', group))).toThrow(refusal);
  });

  it('leaves to the cold start the group checks no pattern or rule can make, naming them', () => {
    const mode: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };
    const arnPattern = new RegExp(
      String(obj(parameters.ReplicationTaskArn, 'ReplicationTaskArn').AllowedPattern),
    );
    const idPattern = new RegExp(
      String(obj(parameters.ReplicationTaskIdentifier, 'ReplicationTaskIdentifier').AllowedPattern),
    );
    for (const [what, overrides, refusal] of [
      [
        'lists of different lengths',
        { ...GROUP_PARAMS, ReplicationTaskIdentifier: GROUP_IDENTIFIERS.slice(0, 2).join(',') },
        /REPLICATION_TASK_ARN lists 3 task\(s\) but REPLICATION_TASK_IDENTIFIER 2/,
      ],
      [
        'tasks of two regions',
        {
          ...GROUP_PARAMS,
          ReplicationTaskArn: [
            ...GROUP_ARNS.slice(0, 2),
            'arn:aws:dms:us-east-1:123456789012:task:OTHER',
          ].join(','),
        },
        /more than one account or region/,
      ],
    ] as const) {
      const params = parameterValues(mode, overrides);
      // The deploy lets it through (each list is well formed, every rule holds) …
      expect(params.ReplicationTaskArn, what).toMatch(arnPattern);
      expect(params.ReplicationTaskIdentifier, what).toMatch(idPattern);
      expect(brokenRules(params), what).toEqual([]);
      // … and both functions refuse it before any AWS call, naming the setting.
      expect(() => loadStarterConfig(renderedEnv('TaskStarterFunction', params)), what).toThrow(refusal);
      expect(() => loadPostProcessorConfig(renderedEnv('PostProcessorFunction', params)), what).toThrow(
        refusal,
      );
    }
  });

  it('refuses a CDC start time together with a CDC start position', () => {
    const mode: Mode = { indicator: 'data-migration', migrationType: 'cdc', cadence: 'one-time' };
    const time = { CdcStartTime: '2024-05-01T00:00:00Z' };
    const position = { CdcStartPosition: 'mysql-bin-changelog.000024:373' };
    expect(brokenRules(parameterValues(mode, time))).toEqual([]);
    expect(brokenRules(parameterValues(mode, position))).toEqual([]);
    expect(brokenRules(parameterValues(mode, { ...time, ...position }))).toEqual([
      'CdcStartIsTimeOrPosition',
    ]);
  });
});

describe('parameters', () => {
  const spec = (name: string) => obj(parameters[name], name);
  const pattern = (name: string) => new RegExp(String(spec(name).AllowedPattern));

  it('requires both the task ARN and the task identifier, and says why', () => {
    for (const name of ['ReplicationTaskArn', 'ReplicationTaskIdentifier']) {
      expect(spec(name).Default).toBeUndefined();
      expect(String(spec(name).Description)).toMatch(/internal resource ID/);
      expect(String(spec(name).Description)).toMatch(/event subscriptions/);
    }
    expect(TASK_ARN).toMatch(pattern('ReplicationTaskArn'));
    expect(CONFIG_ARN).toMatch(pattern('ReplicationTaskArn'));
    // One ARN: exactly the functions' pattern (shared/dms/arn.ts), which refuses it again.
    for (const arn of [TASK_ARN, CONFIG_ARN, 'arn:aws-cn:dms:cn-north-1:123456789012:task:A1', 'x']) {
      expect(pattern('ReplicationTaskArn').test(arn), arn).toBe(SCHEDULED_RESOURCE_ARN.test(arn));
    }
    expect('arn:aws:dms:eu-west-1:123456789012:endpoint:ABC').not.toMatch(pattern('ReplicationTaskArn'));
    expect('arn:aws:dms:eu-west-1:123456789012:rep:ABC').not.toMatch(pattern('ReplicationTaskArn'));
    expect(TASK_IDENTIFIER).toMatch(pattern('ReplicationTaskIdentifier'));
    for (const bad of ['1task', 'double--hyphen', 'trailing-', TASK_ARN]) {
      expect(bad).not.toMatch(pattern('ReplicationTaskIdentifier'));
    }
  });

  it('takes a run group as comma-separated lists: 2 to 20 task ARNs, their names in the same order', () => {
    const arns = pattern('ReplicationTaskArn');
    const ids = pattern('ReplicationTaskIdentifier');
    const twenty = Array.from({ length: 20 }, (_, i) => `arn:aws:dms:eu-west-1:123456789012:task:T${i}`);
    const names = Array.from({ length: 20 }, (_, i) => `task-${i}`);
    expect(GROUP_PARAMS.ReplicationTaskArn).toMatch(arns);
    expect(GROUP_PARAMS.ReplicationTaskIdentifier).toMatch(ids);
    expect(twenty.join(',')).toMatch(arns);
    expect(names.join(',')).toMatch(ids);
    for (const [what, bad] of [
      ['21 tasks', [...twenty, TASK_ARN].join(',')],
      ['a replication config in a list', `${TASK_ARN},${CONFIG_ARN}`],
      ['a replication config first', `${CONFIG_ARN},${TASK_ARN}`],
      ['a space', `${TASK_ARN}, ${GROUP_ARNS[0]}`],
      ['an empty item', `${TASK_ARN},,${GROUP_ARNS[0]}`],
      ['a trailing comma', `${TASK_ARN},`],
      ['an endpoint', `${TASK_ARN},arn:aws:dms:eu-west-1:123456789012:endpoint:ABC`],
    ] as const) {
      expect(bad, what).not.toMatch(arns);
    }
    for (const [what, bad] of [
      ['21 names', [...names, 'one-more'].join(',')],
      ['a space', 'a-task, b-task'],
      ['an empty item', 'a-task,,b-task'],
      ['a trailing comma', 'a-task,'],
      ['a bad name in the list', 'a-task,double--hyphen'],
    ] as const) {
      expect(bad, what).not.toMatch(ids);
    }
    // Room for 20 names of DMS's longest (the configuration bounds each one at 255).
    expect(Number(spec('ReplicationTaskIdentifier').MaxLength)).toBeGreaterThanOrEqual(4096);
    for (const name of ['ReplicationTaskArn', 'ReplicationTaskIdentifier']) {
      expect(String(spec(name).ConstraintDescription), name).toMatch(/run group .*separated by commas/s);
    }
    expect(String(spec('ReplicationTaskArn').Description)).toMatch(/refuse a mismatch.*at cold start/s);
    // Whatever the patterns let through as a list, the functions read as a group of those tasks.
    const config = loadStarterConfig(
      renderedEnv(
        'TaskStarterFunction',
        parameterValues(
          { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
          { ReplicationTaskArn: twenty.join(','), ReplicationTaskIdentifier: names.join(',') },
        ),
      ),
    );
    expect(config.members.map((member) => member.arn)).toEqual(twenty);
  });

  it('offers GroupMaxConcurrency, 0 to 20, 0 (all at once) by default, next to the tasks', () => {
    expect(spec('GroupMaxConcurrency')).toMatchObject({
      Type: 'Number',
      Default: 0,
      MinValue: 0,
      MaxValue: 20,
    });
    expect(String(spec('GroupMaxConcurrency').Description)).toMatch(/0 starts them all at once/);
    // Accepted with one task, where it limits nothing: the description says so.
    expect(String(spec('GroupMaxConcurrency').Description)).toMatch(/With one task .*changes nothing/s);
    const ui = obj(obj(template.Metadata, 'Metadata')['AWS::CloudFormation::Interface'], 'Interface');
    const taskGroup = list(ui.ParameterGroups, 'ParameterGroups')
      .map((group) => obj(group, 'group'))
      .find((group) => list(group.Parameters, 'Parameters').includes('ReplicationTaskArn'));
    expect(list(taskGroup?.Parameters, 'Parameters')).toEqual([
      'ReplicationTaskArn',
      'ReplicationTaskIdentifier',
      'GroupMaxConcurrency',
    ]);
  });

  it('offers the combination values shared/modes.ts knows, and no others', () => {
    expect(spec('MigrationRefreshIndicator').AllowedValues).toEqual([...REFRESH_INDICATORS]);
    expect(spec('MigrationRefreshType').AllowedValues).toEqual([...MIGRATION_TYPES]);
    expect(spec('ScheduleOrOneTime').AllowedValues).toEqual([...CADENCES]);
  });

  it('has defaults that satisfy their own constraints', () => {
    for (const [name, raw] of Object.entries(parameters)) {
      const { Default, AllowedValues, AllowedPattern } = obj(raw, name);
      if (Default === undefined) continue;
      if (AllowedValues !== undefined) expect(list(AllowedValues, name)).toContain(Default);
      if (AllowedPattern !== undefined) expect(String(Default)).toMatch(new RegExp(String(AllowedPattern)));
    }
    expect(spec('ScheduleExpression').Default).toBe('cron(0 0 * * ? *)');
    expect(spec('NamePrefix').Default).toBe('dms-scheduler');
  });

  it('bounds the stuck-run threshold in hours and passes it to the post-processor', () => {
    expect(spec('StaleRunHours')).toMatchObject({ Type: 'Number', Default: 24, MinValue: 1, MaxValue: 720 });
    expect(String(spec('StaleRunHours').Description ?? '')).toContain('StuckRuns');
    const params = parameterValues(
      { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
      { StaleRunHours: '6' },
    );
    expect(renderedEnv('PostProcessorFunction', params).STALE_RUN_HOURS).toBe('6');
    expect(loadPostProcessorConfig(renderedEnv('PostProcessorFunction', params)).staleRunMs).toBe(
      6 * 3600_000,
    );
  });

  it('shows every parameter in exactly one console group, with a label', () => {
    const ui = obj(obj(template.Metadata, 'Metadata')['AWS::CloudFormation::Interface'], 'Interface');
    const groups = list(ui.ParameterGroups, 'ParameterGroups').map((group) => obj(group, 'group'));
    const grouped = groups.flatMap((group) => list(group.Parameters, 'Parameters').map(String));
    expect([...grouped].sort()).toEqual(Object.keys(parameters).sort());
    expect(new Set(grouped).size).toBe(grouped.length);
    const labels = obj(ui.ParameterLabels, 'ParameterLabels');
    for (const name of Object.keys(parameters)) {
      expect(String(obj(labels[name] ?? {}, name).default ?? ''), name).not.toBe('');
    }
    const afterTheRun = groups.find((group) => obj(group.Label, 'Label').default === 'After the run');
    expect(list(afterTheRun?.Parameters, 'After the run')).toContain('StaleRunHours');
  });
});

describe('schedule', () => {
  const rule = resource('ScheduleRule');

  it('exists in schedule mode only, under a fixed name, and targets the task-starter', () => {
    expect(rule.type).toBe('AWS::Events::Rule');
    expect(rule.condition).toBe('IsSchedule');
    expect(rule.properties.Name).toEqual({ 'Fn::Sub': `\${NamePrefix}-schedule` });
    expect(rule.properties.ScheduleExpression).toEqual({ Ref: 'ScheduleExpression' });
    expect(rule.properties.State).toBe('ENABLED');
    const targets = list(rule.properties.Targets, 'Targets').map((target) => obj(target, 'target').Arn);
    expect(targets).toEqual([{ 'Fn::GetAtt': ['TaskStarterFunction', 'Arn'] }]);
  });

  it('may invoke the task-starter, and only from this rule', () => {
    const permissions = resourcesOfType('AWS::Lambda::Permission').filter(
      (permission) => permission.properties.Principal === 'events.amazonaws.com',
    );
    const forStarter = permissions.filter(
      (permission) => JSON.stringify(permission.properties.FunctionName) === '{"Ref":"TaskStarterFunction"}',
    );
    expect(forStarter).toHaveLength(1);
    expect(forStarter[0]?.condition).toBe('IsSchedule');
    expect(forStarter[0]?.properties.Action).toBe('lambda:InvokeFunction');
    expect(forStarter[0]?.properties.SourceArn).toEqual({ 'Fn::GetAtt': ['ScheduleRule', 'Arn'] });
  });

  it('is the rule the roles may flip, by the same name', () => {
    const params = parameterValues({
      indicator: 'data-refresh',
      migrationType: 'full-load',
      cadence: 'schedule',
    });
    expect(render(RULE_ARN, params)).toBe(
      `arn:aws:events:eu-west-1:123456789012:rule/${String(render(rule.properties.Name, params))}`,
    );
  });
});

describe('reconcile tick', () => {
  const rule = resource('ReconcileRule');

  it('runs in every mode on its own schedule and targets the post-processor', () => {
    expect(rule.type).toBe('AWS::Events::Rule');
    expect(rule.condition).toBeUndefined();
    expect(rule.properties.ScheduleExpression).toEqual({ Ref: 'ReconcileSchedule' });
    expect(parameters.ReconcileSchedule).toMatchObject({ Default: 'rate(1 hour)' });
    const targets = list(rule.properties.Targets, 'Targets').map((target) => obj(target, 'target').Arn);
    expect(targets).toEqual([{ 'Fn::GetAtt': ['PostProcessorFunction', 'Arn'] }]);
  });

  it('may invoke the post-processor only from this rule', () => {
    const fromEvents = resourcesOfType('AWS::Lambda::Permission').filter(
      (permission) =>
        permission.properties.Principal === 'events.amazonaws.com' &&
        JSON.stringify(permission.properties.FunctionName) === '{"Ref":"PostProcessorFunction"}',
    );
    const sources = fromEvents.map((permission) => JSON.stringify(permission.properties.SourceArn)).sort();
    expect(sources).toEqual(
      [
        JSON.stringify({ 'Fn::GetAtt': ['DmsTaskEventsRule', 'Arn'] }),
        JSON.stringify({ 'Fn::GetAtt': ['ReconcileRule', 'Arn'] }),
        JSON.stringify({ 'Fn::GetAtt': ['MilestoneTickRule', 'Arn'] }),
      ].sort(),
    );
  });
});

describe('milestone tick (full-load-and-cdc)', () => {
  const rule = resource('MilestoneTickRule');
  const permission = resource('MilestoneTickInvokePermission');
  const cdcParams = parameterValues({
    indicator: 'data-migration',
    migrationType: 'full-load-and-cdc',
    cadence: 'one-time',
  });

  it('exists only in full-load-and-cdc stacks, with its invoke permission', () => {
    expect(rule.type).toBe('AWS::Events::Rule');
    expect(rule.condition).toBe('IsFullLoadAndCdc');
    expect(permission.condition).toBe('IsFullLoadAndCdc');
    for (const mode of SUPPORTED_MODES) {
      expect(condition('IsFullLoadAndCdc', parameterValues(mode)), modeLabel(mode)).toBe(
        mode.migrationType === 'full-load-and-cdc',
      );
    }
  });

  it('is named after the prefix, runs on its own schedule, always on, and targets the post-processor', () => {
    expect(nameOf('MilestoneTickRule', 'Name', cdcParams)).toBe('dms-scheduler-milestone-tick');
    expect(rule.properties.ScheduleExpression).toEqual({ Ref: 'MilestoneTickSchedule' });
    expect(parameters.MilestoneTickSchedule).toMatchObject({
      Default: 'rate(5 minutes)',
      AllowedPattern: '^(cron|rate)\\(.+\\)$',
    });
    expect(rule.properties.State).toBe('ENABLED');
    const targets = list(rule.properties.Targets, 'Targets').map((target) => obj(target, 'target').Arn);
    expect(targets).toEqual([{ 'Fn::GetAtt': ['PostProcessorFunction', 'Arn'] }]);
    expect(permission.properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      FunctionName: { Ref: 'PostProcessorFunction' },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['MilestoneTickRule', 'Arn'] },
    });
  });

  it('passes the post-processor exactly the rule’s ARN in full-load-and-cdc stacks, and nothing elsewhere', () => {
    for (const params of [cdcParams, { ...cdcParams, NamePrefix: 'cutover' }]) {
      const env = renderedEnv('PostProcessorFunction', params);
      expect(env.MILESTONE_RULE_ARN).toBe(ruleArnOf('MilestoneTickRule', params));
      expect(loadPostProcessorConfig(env).milestoneRuleArn).toBe(ruleArnOf('MilestoneTickRule', params));
    }
    for (const mode of SUPPORTED_MODES.filter((m) => m.migrationType !== 'full-load-and-cdc')) {
      const env = renderedEnv('PostProcessorFunction', parameterValues(mode));
      expect(env.MILESTONE_RULE_ARN, modeLabel(mode)).toBe('');
      expect(loadPostProcessorConfig(env).milestoneRuleArn, modeLabel(mode)).toBeUndefined();
    }
    expect(envOf('TaskStarterFunction').MILESTONE_RULE_ARN).toBeUndefined();
  });

  it('needs no new grant: no role may switch the rule, or any rule but the schedule', () => {
    for (const id of FUNCTION_IDS) {
      for (const statement of statementsOf(id)) {
        if (!statement.actions.some((action) => /^events:(Enable|Disable|Put|Delete)/.test(action))) continue;
        const targets = JSON.stringify(statement.resources);
        expect(targets, id).not.toContain('milestone');
        expect(targets, id).not.toContain('MilestoneTickRule');
      }
    }
  });
});

describe('DMS notices', () => {
  it('subscribes to state changes and failures of the task, by identifier', () => {
    const subscriptions = resourcesOfType('AWS::DMS::EventSubscription');
    expect(subscriptions).toHaveLength(1);
    const subscription = subscriptions[0] as Resource;
    expect(subscription.condition).toBe('UseSns');
    expect(subscription.properties.SourceType).toBe('replication-task');
    expect(subscription.properties.SourceIds).toEqual({
      'Fn::Split': [',', { Ref: 'ReplicationTaskIdentifier' }],
    });
    const mode: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };
    expect(render(subscription.properties.SourceIds, parameterValues(mode))).toEqual([TASK_IDENTIFIER]);
    // A run group's subscription covers each of its tasks.
    expect(render(subscription.properties.SourceIds, parameterValues(mode, GROUP_PARAMS))).toEqual(
      GROUP_IDENTIFIERS,
    );
    expect(list(subscription.properties.EventCategories, 'EventCategories').sort()).toEqual([
      'failure',
      'state change',
    ]);
    expect(subscription.properties.Enabled).toBe(true);
  });

  it('publishes to the topic the post-processor is subscribed to and may be invoked from', () => {
    const topic = obj(resource('DmsEventSubscription').properties.SnsTopicArn, 'SnsTopicArn');
    const topicId = String(topic.Ref);
    expect(resource(topicId).type).toBe('AWS::SNS::Topic');

    const lambdaSubscriptions = resourcesOfType('AWS::SNS::Subscription').filter(
      (subscription) => subscription.properties.Protocol === 'lambda',
    );
    expect(lambdaSubscriptions.map((subscription) => subscription.properties)).toEqual([
      expect.objectContaining({
        TopicArn: { Ref: topicId },
        Endpoint: { 'Fn::GetAtt': ['PostProcessorFunction', 'Arn'] },
      }),
    ]);

    const snsPermissions = resourcesOfType('AWS::Lambda::Permission').filter(
      (permission) => permission.properties.Principal === 'sns.amazonaws.com',
    );
    expect(snsPermissions.map((permission) => permission.properties)).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        FunctionName: { Ref: 'PostProcessorFunction' },
        SourceArn: { Ref: topicId },
      }),
    ]);
  });

  it('lets only DMS, for this account, publish to the events topic', () => {
    const policies = resourcesOfType('AWS::SNS::TopicPolicy').filter((policy) =>
      list(policy.properties.Topics, 'Topics').some(
        (topic) => isObject(topic) && topic.Ref === 'DmsEventsTopic',
      ),
    );
    expect(policies).toHaveLength(1);
    const statements = list(
      obj((policies[0] as Resource).properties.PolicyDocument, 'PolicyDocument').Statement,
      'Statement',
    ).map((statement) => obj(statement, 'statement'));
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Principal).toEqual({ Service: 'dms.amazonaws.com' });
      expect(asList(statement.Action)).toEqual(['sns:Publish']);
      expect(statement.Resource).toEqual({ Ref: 'DmsEventsTopic' });
      const conditionBlock = obj(statement.Condition, 'Condition');
      expect(obj(conditionBlock.StringEquals, 'StringEquals')['aws:SourceAccount']).toEqual({
        Ref: 'AWS::AccountId',
      });
    }
  });

  it('encrypts both topics with a rotated customer-managed key that DMS may use', () => {
    for (const topicId of ['DmsEventsTopic', 'AlertsTopic']) {
      expect(resource(topicId).properties.KmsMasterKeyId).toEqual({ Ref: 'TopicsKey' });
    }
    const key = resource('TopicsKey');
    expect(key.type).toBe('AWS::KMS::Key');
    expect(key.properties.EnableKeyRotation).toBe(true);
    const statements = flattenStatements(
      list(obj(key.properties.KeyPolicy, 'KeyPolicy').Statement, 'KeyPolicy.Statement'),
    );
    const forDms = statements.filter((statement) =>
      JSON.stringify(statement.raw.Principal).includes('dms.amazonaws.com'),
    );
    expect(forDms).toHaveLength(1);
    expect(forDms[0]?.actions.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(forDms[0]?.underCondition).toBe('UseSns');
    // Limited to the events topic's messages, by the ARN the topic really gets.
    const context = obj(obj(forDms[0]?.raw.Condition, 'Condition').StringEquals, 'StringEquals');
    const params = parameterValues({
      indicator: 'data-migration',
      migrationType: 'cdc',
      cadence: 'one-time',
    });
    expect(render(context['kms:EncryptionContext:aws:sns:topicArn'], params)).toBe(
      physicalId('DmsEventsTopic', params),
    );
  });

  it('matches native EventBridge events of the task by ARN and hands them to the post-processor', () => {
    const rule = resource('DmsTaskEventsRule');
    expect(rule.condition).toBe('UseEventBridge');
    expect(rule.properties.EventPattern).toEqual({
      source: ['aws.dms'],
      'detail-type': [
        {
          'Fn::If': ['IsServerless', 'DMS Replication State Change', 'DMS Replication Task State Change'],
        },
      ],
      resources: TASK_LIST,
    });
    const mode: Mode = { indicator: 'data-migration', migrationType: 'cdc', cadence: 'one-time' };
    const patternFor = (overrides: Params) =>
      render(rule.properties.EventPattern, parameterValues(mode, overrides));
    expect(patternFor({ ReplicationTaskArn: TASK_ARN })).toEqual({
      source: ['aws.dms'],
      'detail-type': ['DMS Replication Task State Change'],
      resources: [TASK_ARN],
    });
    expect(patternFor({ ReplicationTaskArn: CONFIG_ARN })).toMatchObject({
      'detail-type': ['DMS Replication State Change'],
      resources: [CONFIG_ARN],
    });
    // A run group's tasks' events, each of them, as task state changes.
    expect(patternFor(GROUP_PARAMS)).toEqual({
      source: ['aws.dms'],
      'detail-type': ['DMS Replication Task State Change'],
      resources: GROUP_ARNS,
    });
    const targets = list(rule.properties.Targets, 'Targets').map((target) => obj(target, 'target').Arn);
    expect(targets).toEqual([{ 'Fn::GetAtt': ['PostProcessorFunction', 'Arn'] }]);
    const permissions = resourcesOfType('AWS::Lambda::Permission').filter(
      (permission) =>
        JSON.stringify(permission.properties.SourceArn) === '{"Fn::GetAtt":["DmsTaskEventsRule","Arn"]}',
    );
    expect(permissions.map((permission) => permission.properties)).toEqual([
      expect.objectContaining({
        Principal: 'events.amazonaws.com',
        FunctionName: { Ref: 'PostProcessorFunction' },
      }),
    ]);
  });

  it("takes a Serverless replication config's notices from EventBridge, whatever NoticePath says", () => {
    const oneTime: Mode = { indicator: 'data-migration', migrationType: 'cdc', cadence: 'one-time' };
    for (const path of ['sns', 'eventbridge']) {
      const params = parameterValues(oneTime, { NoticePath: path, ReplicationTaskArn: CONFIG_ARN });
      expect(condition('IsServerless', params), path).toBe(true);
      expect(condition('UseSns', params), path).toBe(false);
      expect(condition('UseEventBridge', params), path).toBe(true);
    }
    expect(condition('IsServerless', parameterValues(oneTime))).toBe(false);
    expect(String(obj(parameters.ReplicationTaskArn, 'ReplicationTaskArn').Description)).toMatch(
      /Serverless replication config .*native EventBridge events, whatever NoticePath says/s,
    );
  });

  it('tells a run group from one task, and reads one ARN as a task or a Serverless config as before', () => {
    const oneTime: Mode = { indicator: 'data-migration', migrationType: 'cdc', cadence: 'one-time' };
    const cases: ReadonlyArray<readonly [string, Params, boolean, boolean]> = [
      ['one task', { ReplicationTaskArn: TASK_ARN }, false, false],
      ['a Serverless config', { ReplicationTaskArn: CONFIG_ARN }, false, true],
      ['a group of two', { ReplicationTaskArn: GROUP_ARNS.slice(0, 2).join(',') }, true, false],
      ['a group of three', GROUP_PARAMS, true, false],
    ];
    for (const [what, overrides, isGroup, isServerless] of cases) {
      const params = parameterValues(oneTime, overrides);
      expect(condition('IsGroup', params), what).toBe(isGroup);
      expect(condition('IsServerless', params), what).toBe(isServerless);
      // A group of tasks takes its notices by the path NoticePath names, as one task does.
      expect(condition('UseSns', params), what).toBe(!isServerless);
    }
  });

  it('chooses exactly one notice path', () => {
    const oneTime: Mode = { indicator: 'data-migration', migrationType: 'cdc', cadence: 'one-time' };
    for (const path of ['sns', 'eventbridge']) {
      const params = parameterValues(oneTime, { NoticePath: path });
      expect([condition('UseSns', params), condition('UseEventBridge', params)].filter(Boolean)).toHaveLength(
        1,
      );
    }
  });
});

describe('run ledger', () => {
  it('is keyed by pk (one record per task), expires records on expiresAt and is encrypted and recoverable', () => {
    const table = resource('RunLedgerTable').properties;
    expect(table.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(table.AttributeDefinitions).toEqual([{ AttributeName: 'pk', AttributeType: 'S' }]);
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    // The run history's day items carry expiresAt (shared/runs/dynamodb-history.ts); task records never do.
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.SSESpecification).toEqual({ SSEEnabled: true });
  });

  const onLedger = (id: FunctionId) =>
    statementsOf(id).filter((statement) =>
      statement.resources.some((target) => JSON.stringify(target) === JSON.stringify(RUN_LEDGER)),
    );

  it.each(
    FUNCTION_IDS,
  )('%s may read and write task records (GetItem, PutItem) and update run history items only', (id) => {
    const statements = onLedger(id);
    expect(statements).toHaveLength(2);
    for (const statement of statements) {
      expect(statement.underCondition).toBeUndefined();
      expect(statement.resources).toEqual([RUN_LEDGER]);
    }
    const records = statements.find((statement) => statement.actions.includes('dynamodb:PutItem'));
    expect([...(records?.actions ?? [])].sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(records?.raw.Condition).toBeUndefined();
    const history = statements.find((statement) => statement.actions.includes('dynamodb:UpdateItem'));
    expect(history?.actions).toEqual(['dynamodb:UpdateItem']);
    // UpdateItem on a task record would bypass its version check: only the history's keys are allowed.
    expect(history?.raw.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['history#*'] },
    });
    const dynamodb = statementsOf(id).flatMap((statement) =>
      statement.actions.filter((action) => action.startsWith('dynamodb:')),
    );
    expect(dynamodb.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });
});

describe('never silent', () => {
  const SCHEDULE: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };
  const ONE_TIME: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'one-time' };

  interface Watch {
    readonly namespace: unknown;
    readonly metric: string;
    readonly dimensions: Record<string, unknown>;
    readonly statistic: string;
    readonly period: number;
    readonly condition?: string;
  }

  /** Each alarm, the metric it must watch (in template form) and the mode it exists in. */
  const ALARMS: Record<string, Watch> = {
    TaskStarterErrorsAlarm: {
      namespace: 'AWS/Lambda',
      metric: 'Errors',
      dimensions: { FunctionName: { Ref: 'TaskStarterFunction' } },
      statistic: 'Sum',
      period: 300,
    },
    PostProcessorErrorsAlarm: {
      namespace: 'AWS/Lambda',
      metric: 'Errors',
      dimensions: { FunctionName: { Ref: 'PostProcessorFunction' } },
      statistic: 'Sum',
      period: 300,
    },
    FailedInvocationsAlarm: {
      namespace: 'AWS/SQS',
      metric: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: { 'Fn::GetAtt': ['FailedInvocationsQueue', 'QueueName'] } },
      statistic: 'Maximum',
      period: 300,
    },
    StuckRunsAlarm: {
      namespace: { Ref: 'NamePrefix' },
      metric: 'StuckRuns',
      dimensions: { service: 'post-processor' },
      statistic: 'Maximum',
      period: 3600,
    },
    ScheduleOffWithoutRunAlarm: {
      namespace: { Ref: 'NamePrefix' },
      metric: 'ScheduleOffWithoutRun',
      dimensions: { service: 'post-processor' },
      statistic: 'Maximum',
      period: 3600,
      condition: 'IsSchedule',
    },
  };
  const ALARM_IDS = Object.keys(ALARMS);

  const dimensionsOf = (alarm: Resource): Record<string, unknown> =>
    Object.fromEntries(
      list(alarm.properties.Dimensions, `${alarm.id}.Dimensions`).map((dimension) => {
        const { Name, Value } = obj(dimension, 'dimension');
        return [String(Name), Value];
      }),
    );

  /** The alarms that exist for a set of parameter values. */
  const alarmsIn = (params: Params): Resource[] =>
    resourcesOfType('AWS::CloudWatch::Alarm').filter(
      (alarm) => alarm.condition === undefined || condition(alarm.condition, params),
    );

  it('keeps failed invocations 14 days, encrypted, in a queue of its own', () => {
    const queue = resource('FailedInvocationsQueue');
    expect(queue.type).toBe('AWS::SQS::Queue');
    expect(queue.condition).toBeUndefined();
    expect(queue.properties.QueueName).toEqual({ 'Fn::Sub': `\${NamePrefix}-failed-invocations` });
    expect(queue.properties.MessageRetentionPeriod).toBe(1209600);
    expect(queue.properties.SqsManagedSseEnabled).toBe(true);
  });

  it('has exactly these alarms: four in every mode, the schedule one in schedule mode only', () => {
    expect(
      resourcesOfType('AWS::CloudWatch::Alarm')
        .map((alarm) => alarm.id)
        .sort(),
    ).toEqual([...ALARM_IDS].sort());
    for (const id of ALARM_IDS) expect(resource(id).condition, id).toBe(ALARMS[id]?.condition);
    expect(alarmsIn(parameterValues(SCHEDULE))).toHaveLength(5);
    expect(alarmsIn(parameterValues(ONE_TIME)).map((alarm) => alarm.id)).not.toContain(
      'ScheduleOffWithoutRunAlarm',
    );
    expect(alarmsIn(parameterValues(ONE_TIME))).toHaveLength(4);
  });

  it.each(ALARM_IDS)('%s watches its metric and goes off on the first occurrence', (id) => {
    const alarm = resource(id);
    const watch = ALARMS[id] as Watch;
    expect(alarm.properties.Namespace).toEqual(watch.namespace);
    expect(alarm.properties.MetricName).toBe(watch.metric);
    expect(dimensionsOf(alarm)).toEqual(watch.dimensions);
    expect(alarm.properties.Statistic).toBe(watch.statistic);
    expect(alarm.properties.Period).toBe(watch.period);
    expect(alarm.properties.EvaluationPeriods).toBe(1);
    expect(alarm.properties.Threshold).toBe(1);
    expect(alarm.properties.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    // No data (no invocation, an empty queue, no stuck run) is the good state.
    expect(alarm.properties.TreatMissingData).toBe('notBreaching');
  });

  it.each(ALARM_IDS)('%s tells the alerts topic when it goes off and when it is over', (id) => {
    const alarm = resource(id);
    expect(alarm.properties.AlarmActions).toEqual([ALERTS_TOPIC]);
    expect(alarm.properties.OKActions).toEqual([ALERTS_TOPIC]);
    const name = String(render(alarm.properties.AlarmName, parameterValues(SCHEDULE)));
    expect(name.startsWith('dms-scheduler-')).toBe(true);
    expect(
      String(render(alarm.properties.AlarmDescription, parameterValues(SCHEDULE))).length,
    ).toBeGreaterThan(80);
  });

  it('names each alarm uniquely', () => {
    const params = parameterValues(SCHEDULE);
    const names = alarmsIn(params).map((alarm) => String(render(alarm.properties.AlarmName, params)));
    expect(new Set(names).size).toBe(names.length);
  });

  it('watches the functions the template creates and the queue they fail into', () => {
    for (const [alarmId, functionId] of [
      ['TaskStarterErrorsAlarm', 'TaskStarterFunction'],
      ['PostProcessorErrorsAlarm', 'PostProcessorFunction'],
    ] as const) {
      expect(dimensionsOf(resource(alarmId)).FunctionName).toEqual({ Ref: functionId });
    }
    for (const id of FUNCTION_IDS) {
      const onFailure = obj(
        obj(obj(effectiveFunction(id).EventInvokeConfig, 'EventInvokeConfig').DestinationConfig, 'D')
          .OnFailure,
        'OnFailure',
      );
      const [queueId] = list(obj(onFailure.Destination, 'Destination')['Fn::GetAtt'], 'GetAtt');
      expect(dimensionsOf(resource('FailedInvocationsAlarm')).QueueName).toEqual({
        'Fn::GetAtt': [queueId, 'QueueName'],
      });
    }
  });

  it.each([
    'StuckRunsAlarm',
    'ScheduleOffWithoutRunAlarm',
  ])('%s watches the namespace and service the post-processor writes its metrics under', (id) => {
    const alarm = resource(id);
    for (const params of [parameterValues(SCHEDULE), parameterValues(SCHEDULE, { NamePrefix: 'nightly' })]) {
      const env = renderedEnv('PostProcessorFunction', params);
      expect(render(alarm.properties.Namespace, params)).toBe(env.POWERTOOLS_METRICS_NAMESPACE);
      // Powertools Metrics' default dimension is service = POWERTOOLS_SERVICE_NAME.
      expect(dimensionsOf(alarm)).toEqual({ service: env.POWERTOOLS_SERVICE_NAME });
    }
    expect(renderedEnv('TaskStarterFunction', parameterValues(SCHEDULE)).POWERTOOLS_METRICS_NAMESPACE).toBe(
      renderedEnv('PostProcessorFunction', parameterValues(SCHEDULE)).POWERTOOLS_METRICS_NAMESPACE,
    );
  });

  it('lets CloudWatch use the topics key, for messages of the alerts topic only', () => {
    const statements = flattenStatements(
      list(obj(resource('TopicsKey').properties.KeyPolicy, 'KeyPolicy').Statement, 'KeyPolicy.Statement'),
    );
    const forCloudWatch = statements.filter((statement) =>
      JSON.stringify(statement.raw.Principal).includes('cloudwatch.amazonaws.com'),
    );
    expect(forCloudWatch).toHaveLength(1);
    const statement = forCloudWatch[0] as Statement;
    expect(statement.raw.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
    expect([...statement.actions].sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    // Alerts exist in every mode.
    expect(statement.underCondition).toBeUndefined();
    const conditionBlock = obj(statement.raw.Condition, 'Condition');
    expect(Object.keys(conditionBlock)).toEqual(['StringEquals']);
    const equals = obj(conditionBlock.StringEquals, 'StringEquals');
    expect(Object.keys(equals)).toEqual(['kms:EncryptionContext:aws:sns:topicArn']);
    for (const params of [parameterValues(SCHEDULE), parameterValues(ONE_TIME, { NamePrefix: 'nightly' })]) {
      expect(render(equals['kms:EncryptionContext:aws:sns:topicArn'], params)).toBe(
        physicalId('AlertsTopic', params),
      );
    }
    // Only the account (through IAM), DMS and CloudWatch appear in the key policy.
    expect(statements.map((candidate) => JSON.stringify(candidate.raw.Principal)).sort()).toEqual(
      [
        JSON.stringify({ AWS: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root` } }),
        JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }),
        JSON.stringify({ Service: 'dms.amazonaws.com' }),
      ].sort(),
    );
  });

  it("lets only this stack's alarms, in this account, publish to the alerts topic", () => {
    const policies = resourcesOfType('AWS::SNS::TopicPolicy').filter((policy) =>
      list(policy.properties.Topics, 'Topics').some(
        (topic) => isObject(topic) && topic.Ref === 'AlertsTopic',
      ),
    );
    expect(policies).toHaveLength(1);
    const policy = policies[0] as Resource;
    expect(policy.condition).toBeUndefined();
    expect(policy.properties.Topics).toEqual([ALERTS_TOPIC]);
    const statements = list(
      obj(policy.properties.PolicyDocument, 'PolicyDocument').Statement,
      'Statement',
    ).map((statement) => obj(statement, 'statement'));
    expect(statements).toHaveLength(1);
    const statement = statements[0] as JsonObject;
    expect(statement.Effect).toBe('Allow');
    expect(statement.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
    expect(asList(statement.Action)).toEqual(['sns:Publish']);
    expect(statement.Resource).toEqual(ALERTS_TOPIC);
    const conditionBlock = obj(statement.Condition, 'Condition');
    expect(Object.keys(conditionBlock).sort()).toEqual(['ArnLike', 'StringEquals']);
    expect(obj(conditionBlock.StringEquals, 'StringEquals')).toEqual({
      'aws:SourceAccount': { Ref: 'AWS::AccountId' },
    });
    const sourceArn = obj(conditionBlock.ArnLike, 'ArnLike')['aws:SourceArn'];

    for (const params of [parameterValues(SCHEDULE), parameterValues(SCHEDULE, { NamePrefix: 'nightly' })]) {
      const pattern = String(render(sourceArn, params));
      // ArnLike: * and ? are the only wildcards.
      const glob = new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
      const alarmArns = alarmsIn(params).map((alarm) => getAtt(alarm.id, 'Arn', params));
      expect(alarmArns).toHaveLength(5);
      for (const arn of alarmArns) expect(arn).toMatch(glob);
      const prefix = params.NamePrefix;
      for (const foreign of [
        `arn:aws:cloudwatch:eu-west-1:999999999999:alarm:${prefix}-stuck-runs`,
        `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${prefix}-stuck-runs`,
        'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:another-stack-stuck-runs',
      ]) {
        expect(foreign).not.toMatch(glob);
      }
    }
  });

  describe('dashboard', () => {
    const dashboard = resource('Dashboard');

    type Widget = { type: string; properties: JsonObject };

    function widgetsIn(params: Params): Widget[] {
      const body = render(dashboard.properties.DashboardBody, params);
      expect(typeof body).toBe('string');
      const parsed = obj(JSON.parse(String(body)), 'DashboardBody');
      return list(parsed.widgets, 'widgets').map((widget) => obj(widget, 'widget') as unknown as Widget);
    }

    /** Every metric a widget shows, as "namespace|metric|dimension=value|…" (dimensions sorted). */
    function metricsIn(params: Params): Set<string> {
      const keys = widgetsIn(params)
        .filter((widget) => widget.type === 'metric')
        .flatMap((widget) => list(widget.properties.metrics, 'metrics'))
        .map((entry) => {
          const parts = list(entry, 'metric').filter((part) => typeof part === 'string') as string[];
          const [namespace, metric, ...rest] = parts;
          const dimensions: string[] = [];
          for (let index = 0; index + 1 < rest.length; index += 2) {
            dimensions.push(`${rest[index]}=${rest[index + 1]}`);
          }
          return [namespace, metric, ...dimensions.sort()].join('|');
        });
      return new Set(keys);
    }

    function alarmKey(alarm: Resource, params: Params): string {
      const dimensions = Object.entries(dimensionsOf(alarm))
        .map(([name, value]) => `${name}=${String(render(value, params))}`)
        .sort();
      return [
        String(render(alarm.properties.Namespace, params)),
        String(alarm.properties.MetricName),
        ...dimensions,
      ].join('|');
    }

    it('exists under the stack prefix', () => {
      expect(dashboard.type).toBe('AWS::CloudWatch::Dashboard');
      expect(dashboard.condition).toBeUndefined();
      expect(render(dashboard.properties.DashboardName, parameterValues(SCHEDULE))).toBe('dms-scheduler');
    });

    it.each([
      ['schedule', SCHEDULE],
      ['one-time', ONE_TIME],
    ] as const)('parses as JSON and shows every metric an alarm watches (%s)', (_, mode) => {
      const params = parameterValues(mode, { NamePrefix: 'nightly' });
      const metrics = metricsIn(params);
      for (const alarm of alarmsIn(params)) expect([...metrics], alarm.id).toContain(alarmKey(alarm, params));
      for (const widget of widgetsIn(params).filter((candidate) => candidate.type === 'metric')) {
        expect(widget.properties.region).toBe(params['AWS::Region']);
      }
    });

    it("shows the runs' figures under the namespace and service each function writes them", () => {
      const params = parameterValues(SCHEDULE, { NamePrefix: 'nightly' });
      const metrics = metricsIn(params);
      const from = (id: FunctionId, metric: string) => {
        const env = renderedEnv(id, params);
        return `${env.POWERTOOLS_METRICS_NAMESPACE}|${metric}|service=${env.POWERTOOLS_SERVICE_NAME}`;
      };
      expect([...metrics]).toEqual(
        expect.arrayContaining([
          from('TaskStarterFunction', 'RunsStarted'),
          ...[
            'RunsSucceeded',
            'RunsFailed',
            'RunDuration',
            'HookDuration',
            'RowsMasked',
            'StuckRuns',
            'ScheduleOffWithoutRun',
          ].map((metric) => from('PostProcessorFunction', metric)),
          ...FUNCTION_IDS.flatMap((id) =>
            ['Errors', 'Duration'].map(
              (metric) => `AWS/Lambda|${metric}|FunctionName=${physicalId(id, params)}`,
            ),
          ),
        ]),
      );
    });

    it.each([
      ['schedule', SCHEDULE],
      ['one-time', ONE_TIME],
    ] as const)('lists exactly the alarms that exist (%s)', (_, mode) => {
      const params = parameterValues(mode);
      const listed = widgetsIn(params)
        .filter((widget) => widget.type === 'alarm')
        .flatMap((widget) => list(widget.properties.alarms, 'alarms'));
      expect([...listed].sort()).toEqual(
        alarmsIn(params)
          .map((alarm) => getAtt(alarm.id, 'Arn', params))
          .sort(),
      );
    });
  });
});

describe('least privilege', () => {
  it.each(FUNCTION_IDS)('%s may call exactly the actions its code uses', (id) => {
    const actions = statementsOf(id).flatMap((statement) => statement.actions);
    expect([...new Set(actions)].sort()).toEqual(Object.keys(EXPECTED_PRIVILEGES[id]).sort());
    // An action appears in more than one statement only to reach different resources under different conditions.
    const grants = statementsOf(id).flatMap((statement) =>
      statement.actions.map((action) => JSON.stringify([action, statement.resources])),
    );
    expect(new Set(grants).size).toBe(grants.length);
  });

  it.each(FUNCTION_IDS)('%s may touch exactly the resources its code touches', (id) => {
    const granted = new Map<string, unknown[]>();
    for (const statement of statementsOf(id)) {
      for (const action of statement.actions) {
        expect(statement.resources, `${id} ${action}: one resource per statement`).toHaveLength(1);
        granted.set(action, [...(granted.get(action) ?? []), ...statement.resources]);
      }
    }
    for (const [action, resources] of granted) {
      expect(resources, `${id} ${action}`).toEqual(asList(EXPECTED_PRIVILEGES[id][action]));
    }
  });

  /** The statements a function's role holds for the given parameters, rendered as CloudFormation would. */
  function grantedFor(id: FunctionId, params: Params): JsonObject[] {
    const role = roleOf(id);
    return list(role.properties.Policies, 'Policies').flatMap((policy) =>
      list(obj(obj(policy, 'policy').PolicyDocument, 'PolicyDocument').Statement, 'Statement').flatMap(
        (entry): JsonObject[] => {
          const node = obj(entry, 'statement');
          if (!('Fn::If' in node)) return [obj(render(node, params), 'statement')];
          const [name, whenTrue, whenFalse] = list(node['Fn::If'], 'Fn::If');
          const branch = condition(String(name), params) ? whenTrue : whenFalse;
          return isObject(branch) && branch.Ref === 'AWS::NoValue'
            ? []
            : [obj(render(branch, params), 'branch')];
        },
      ),
    );
  }
  const dmsGrants = (statements: JsonObject[]) =>
    statements.flatMap((statement) =>
      asList(statement.Action)
        .map(String)
        .filter((action) => action.startsWith('dms:'))
        .map((action) => [action, statement.Resource] as const),
    );

  it.each([
    [
      'a task',
      { ReplicationTaskArn: TASK_ARN },
      ['dms:DescribeReplicationTasks', 'dms:StartReplicationTask'],
      [TASK_ARN],
    ],
    [
      'a Serverless replication config',
      { ReplicationTaskArn: CONFIG_ARN },
      ['dms:DescribeReplications', 'dms:StartReplication'],
      CONFIG_ARN,
    ],
    ['a run group', GROUP_PARAMS, ['dms:DescribeReplicationTasks', 'dms:StartReplicationTask'], GROUP_ARNS],
  ] as const)('grants the task-starter only the DMS calls for %s', (_, overrides, expected, started) => {
    const params = parameterValues(
      { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
      overrides,
    );
    const grants = dmsGrants(grantedFor('TaskStarterFunction', params));
    expect(grants.map(([action]) => action).sort()).toEqual(expected);
    expect(grants.find(([action]) => action === expected[1])?.[1]).toEqual(started);
  });

  it("lets the post-processor start tasks only in a run group, and only the group's tasks", () => {
    const mode: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };
    // One task: no start of any kind; only the run that takes the lock (the task-starter's) starts it.
    for (const arn of [TASK_ARN, CONFIG_ARN]) {
      const single = dmsGrants(
        grantedFor('PostProcessorFunction', parameterValues(mode, { ReplicationTaskArn: arn })),
      );
      expect(
        single.map(([action]) => action),
        arn,
      ).not.toContain('dms:StartReplicationTask');
      expect(
        single.map(([action]) => action),
        arn,
      ).not.toContain('dms:StartReplication');
    }
    // A group: StartReplicationTask on exactly its tasks (the queued members it starts as others finish).
    const group = dmsGrants(grantedFor('PostProcessorFunction', parameterValues(mode, GROUP_PARAMS)));
    expect(group).toEqual([
      ['dms:DescribeReplicationTasks', '*'],
      ['dms:StartReplicationTask', GROUP_ARNS],
    ]);
    const starts = statementsOf('PostProcessorFunction').filter((statement) =>
      statement.actions.some((action) => action.startsWith('dms:Start')),
    );
    expect(starts.map((statement) => [statement.sid, statement.underCondition, statement.actions])).toEqual([
      ['StartQueuedMembers', 'IsGroup', ['dms:StartReplicationTask']],
    ]);
    expect(starts[0]?.resources).toEqual([TASK_LIST]);
  });

  it('never grants a wildcard action', () => {
    const actions = FUNCTION_IDS.flatMap((id) => statementsOf(id).flatMap((statement) => statement.actions));
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('uses Resource "*" only for actions that allow nothing narrower', () => {
    const starred = FUNCTION_IDS.flatMap((id) =>
      statementsOf(id).filter((statement) => statement.resources.includes('*')),
    );
    expect(starred.length).toBeGreaterThan(0);
    for (const statement of starred) {
      expect(
        statement.actions.every(
          (action) => NO_RESOURCE_LEVEL_PERMISSIONS.has(action) || STAR_BY_CHOICE.has(action),
        ),
      ).toBe(true);
    }
  });

  it('says which "*" grants are a choice rather than an API limit, without overstating it', () => {
    const lines = readFileSync(TEMPLATE_PATH, 'utf8').split('\n');
    const start = lines.findIndex((line) => line.includes('Sid: AttachToVpc'));
    const end = lines.findIndex((line, index) => index > start && /^\s*Resource:/.test(line));
    const comment = lines
      .slice(start, end)
      .filter((line) => line.trim().startsWith('#'))
      .map((line) => line.trim().replace(/^#\s?/, ''))
      .join(' ');
    expect(comment).toContain('DescribeNetworkInterfaces has no resource type');
    expect(comment).toContain(
      'CreateNetworkInterface to network-interface/* plus the ARNs of the configured',
    );
    expect(comment).toContain('is a choice, not an API limit');
    expect(comment).not.toMatch(/allows nothing narrower/);
  });

  it.each(FUNCTION_IDS)('%s may use the topics key only through SNS', (id) => {
    const kms = statementsOf(id).filter((statement) =>
      statement.actions.some((action) => action.startsWith('kms:')),
    );
    expect(kms.map((statement) => statement.sid)).toEqual(['EncryptAlerts']);
    expect(kms[0]?.raw.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Sub': `sns.\${AWS::Region}.amazonaws.com` } },
    });
  });

  it.each([
    'TargetDatabaseSecretArn',
    'MaskingSaltSecretArn',
  ])('%s accepts only the full secret ARN, which the role grants GetSecretValue on', (name) => {
    const spec = obj(parameters[name], name);
    const pattern = new RegExp(String(spec.AllowedPattern));
    const full = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/target-AbCdEf';
    expect('').toMatch(pattern);
    expect(full).toMatch(pattern);
    for (const partial of [
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/target',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/target-AbC',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging/target-AbCdEf?',
    ]) {
      expect(partial).not.toMatch(pattern);
    }
    expect(String(spec.ConstraintDescription)).toContain('the full ARN, with its 6-character suffix');
    // The function accepts what the stack accepts.
    const params = parameterValues(
      { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
      { [name]: full },
    );
    const config = loadPostProcessorConfig(renderedEnv('PostProcessorFunction', params));
    expect([config.targetDatabaseSecretArn, config.maskingSaltSecretArn]).toContain(full);
  });

  it('explains every Resource "*" in a comment', () => {
    const lines = readFileSync(TEMPLATE_PATH, 'utf8').split('\n');
    const starLines = lines.flatMap((line, index) =>
      /^\s*Resource:\s*["']\*["']/.test(line) ? [index] : [],
    );
    expect(starLines.length).toBeGreaterThan(0);
    for (const index of starLines) {
      expect(lines[index - 1]?.trim().startsWith('#'), `line ${index + 1}`).toBe(true);
    }
  });

  it('grants each optional privilege only under the condition of its setting', () => {
    for (const id of FUNCTION_IDS) {
      for (const statement of statementsOf(id)) {
        expect(statement.underCondition, `${id} ${statement.sid}`).toBe(
          CONDITIONAL_STATEMENTS[statement.sid],
        );
        if (statement.actions.some((action) => action.startsWith('events:'))) {
          expect(statement.underCondition).toBe('IsSchedule');
        }
      }
    }
    const sids = statementsOf('PostProcessorFunction').map((statement) => statement.sid);
    for (const sid of [
      'ReadTargetDatabaseSecret',
      'ReadMaskingSaltSecret',
      'InvokeHookFunctions',
      'AttachToVpc',
      'PublishSuccessNotices',
    ]) {
      expect(sids).toContain(sid);
    }
  });

  it.each([
    [
      'HasTargetDatabaseSecret',
      { TargetDatabaseSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:t-AbCdEf' },
    ],
    [
      'HasMaskingSaltSecret',
      { MaskingSaltSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf' },
    ],
    ['HasHookFunctions', { HookFunctionArns: 'arn:aws:lambda:eu-west-1:123456789012:function:reindex' }],
    ['InVpc', { SubnetIds: 'subnet-0a1b2c3d,subnet-4e5f6a7b', SecurityGroupIds: 'sg-0123456789abcdef0' }],
  ])('%s holds only when its parameters are set', (name, set) => {
    const mode: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };
    expect(condition(name, parameterValues(mode))).toBe(false);
    expect(condition(name, parameterValues(mode, set))).toBe(true);
  });

  it('runs in a VPC only with both subnets and security groups', () => {
    const mode: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };
    expect(condition('InVpc', parameterValues(mode, { SubnetIds: 'subnet-0a1b2c3d' }))).toBe(false);
    expect(condition('InVpc', parameterValues(mode, { SecurityGroupIds: 'sg-0123456789abcdef0' }))).toBe(
      false,
    );
    expect(resource('PostProcessorFunction').properties.VpcConfig).toEqual({
      'Fn::If': [
        'InVpc',
        { SubnetIds: { Ref: 'SubnetIds' }, SecurityGroupIds: { Ref: 'SecurityGroupIds' } },
        { Ref: 'AWS::NoValue' },
      ],
    });
    expect(effectiveFunction('TaskStarterFunction').VpcConfig).toBeUndefined();
  });

  it('has no Hooks parameter any more: hooks are listed in the hooks configuration', () => {
    expect(parameters.Hooks).toBeUndefined();
    expect(obj(parameters.HookFunctionArns, 'HookFunctionArns').Type).toBe('CommaDelimitedList');
    for (const name of [
      'TargetDatabaseSecretArn',
      'MaskingSaltSecretArn',
      'HookFunctionArns',
      'SubnetIds',
      'SecurityGroupIds',
    ]) {
      expect(obj(parameters[name], name).Default, name).toBe('');
    }
  });

  it.each(FUNCTION_IDS)('%s has its own role, trusted by Lambda only, with no managed policies', (id) => {
    const role = roleOf(id);
    expect(role.type).toBe('AWS::IAM::Role');
    expect(role.properties.ManagedPolicyArns).toBeUndefined();
    const trust = list(obj(role.properties.AssumeRolePolicyDocument, 'trust').Statement, 'Statement');
    expect(trust).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const other = FUNCTION_IDS.find((candidate) => candidate !== id) as FunctionId;
    expect(roleOf(other).id).not.toBe(role.id);
  });
});

describe('the hooks configuration', () => {
  const spec = () => obj(parameters.HooksConfig, 'HooksConfig');
  const mode: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };

  it('is a parameter, default "default", whose pattern is the names the post-processor accepts', () => {
    expect(spec()).toMatchObject({ Type: 'String', Default: DEFAULT_HOOKS_CONFIG });
    expect(String(spec().AllowedPattern)).toBe(HOOKS_CONFIG_NAME.source);
    const pattern = new RegExp(String(spec().AllowedPattern));
    for (const name of BUNDLED_HOOKS_CONFIGS) expect(name).toMatch(pattern);
    for (const bad of ['', 'Prod', '../default', 'prod_to_dev', 'default.json', 'x'.repeat(65)]) {
      expect(bad).not.toMatch(pattern);
    }
    expect(String(spec().Description)).toContain('hooks/configs/');
  });

  it('reaches the post-processor as HOOKS_CONFIG, which its cold start reads', () => {
    expect(envOf('PostProcessorFunction').HOOKS_CONFIG).toEqual({ Ref: 'HooksConfig' });
    expect(envOf('TaskStarterFunction').HOOKS_CONFIG).toBeUndefined();
    const rendered = (overrides: Params) =>
      renderedEnv('PostProcessorFunction', parameterValues(mode, overrides));
    expect(hooksConfigName(rendered({}))).toBe(DEFAULT_HOOKS_CONFIG);
    expect(hooksConfigName(rendered({ HooksConfig: 'prod-to-dev' }))).toBe('prod-to-dev');
  });

  it('is shown in the hooks group', () => {
    const ui = obj(obj(template.Metadata, 'Metadata')['AWS::CloudFormation::Interface'], 'Interface');
    const hooksGroup = list(ui.ParameterGroups, 'ParameterGroups')
      .map((group) => list(obj(group, 'group').Parameters, 'Parameters'))
      .find((names) => names.includes('TargetDatabaseSecretArn'));
    expect(hooksGroup).toContain('HooksConfig');
  });
});

describe('the target database', () => {
  const spec = (name: string) => obj(parameters[name], name);
  const pattern = (name: string) => new RegExp(String(spec(name).AllowedPattern));
  const mode: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };
  const RDS_MANAGED =
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-AbCdEf';
  const SETTINGS = ['TargetDatabaseEngine', 'TargetDatabaseHost', 'TargetDatabasePort', 'TargetDatabaseName'];

  /** Whether the post-processor's cold start accepts the stack with these parameter values. */
  function coldStartAccepts(overrides: Params): boolean {
    try {
      loadPostProcessorConfig(renderedEnv('PostProcessorFunction', parameterValues(mode, overrides)));
      return true;
    } catch (error) {
      if (error instanceof ConfigurationError) return false;
      throw error;
    }
  }

  it('accepts the full ARN of a secret RDS manages (rds!…), and the function accepts it too', () => {
    const instance =
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-Z9y8X7';
    for (const arn of [RDS_MANAGED, instance]) {
      expect(arn).toMatch(pattern('TargetDatabaseSecretArn'));
      expect(coldStartAccepts({ TargetDatabaseSecretArn: arn }), arn).toBe(true);
    }
  });

  it.each([
    ['no suffix', RDS_MANAGED.slice(0, -'-AbCdEf'.length)],
    ['a short suffix', `${RDS_MANAGED.slice(0, -'-AbCdEf'.length)}-AbC`],
    [
      '"!" elsewhere in the name',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging!target-AbCdEf',
    ],
    ['"rds!" not at the start', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x/rds!db-1-AbCdEf'],
    ['a wildcard', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!*'],
  ])('refuses an RDS-managed secret ARN with %s, as the function does', (_, arn) => {
    expect(arn).not.toMatch(pattern('TargetDatabaseSecretArn'));
    expect(coldStartAccepts({ TargetDatabaseSecretArn: arn })).toBe(false);
  });

  it('grants GetSecretValue on exactly the RDS-managed secret given, and only when one is given', () => {
    const params = parameterValues(mode, { TargetDatabaseSecretArn: RDS_MANAGED });
    const read = statementsOf('PostProcessorFunction').filter(
      (statement) => statement.sid === 'ReadTargetDatabaseSecret',
    );
    expect(read).toHaveLength(1);
    expect(read[0]?.underCondition).toBe('HasTargetDatabaseSecret');
    expect(read[0]?.actions).toEqual(['secretsmanager:GetSecretValue']);
    expect(read[0]?.resources.map((arn) => render(arn, params))).toEqual([RDS_MANAGED]);
    expect(condition('HasTargetDatabaseSecret', params)).toBe(true);
    expect(condition('HasTargetDatabaseSecret', parameterValues(mode))).toBe(false);
    // The settings completing the secret grant nothing of their own.
    expect(condition('HasTargetDatabaseSecret', parameterValues(mode, { TargetDatabaseHost: 'db' }))).toBe(
      false,
    );
  });

  it('keeps the AWS-managed key requirement, for RDS-managed secrets too', () => {
    const description = String(spec('TargetDatabaseSecretArn').Description);
    expect(description).toContain('AWS-managed key (aws/secretsmanager)');
    expect(description).toContain('RDS-managed secret too');
    expect(description).toContain('kms:Decrypt');
    expect(description).toMatch(/only username and\s+password/);
    for (const name of SETTINGS) expect(description).toContain(name);
    const touching = statementsOf('PostProcessorFunction').filter((statement) =>
      statement.resources.some((arn) => JSON.stringify(arn).includes('TargetDatabaseSecretArn')),
    );
    expect(touching.flatMap((statement) => statement.actions)).toEqual(['secretsmanager:GetSecretValue']);
  });

  it('has optional engine, host, port and database name parameters, in the hooks group', () => {
    for (const name of SETTINGS) {
      expect(spec(name).Type, name).toBe('String');
      expect(spec(name).Default, name).toBe('');
      expect(String(spec(name).Description), name).toContain('RDS-managed master secret');
    }
    const ui = obj(obj(template.Metadata, 'Metadata')['AWS::CloudFormation::Interface'], 'Interface');
    const hooksGroup = list(ui.ParameterGroups, 'ParameterGroups')
      .map((group) => list(obj(group, 'group').Parameters, 'Parameters'))
      .find((names) => names.includes('TargetDatabaseSecretArn'));
    expect(hooksGroup).toEqual(expect.arrayContaining(SETTINGS));
  });

  it('offers exactly the engines the secret parser knows', () => {
    expect(spec('TargetDatabaseEngine').AllowedValues).toEqual(['', ...DATABASE_ENGINES]);
  });

  it('passes the settings through to the function, which reads them', () => {
    const config = loadPostProcessorConfig(
      renderedEnv(
        'PostProcessorFunction',
        parameterValues(mode, {
          TargetDatabaseSecretArn: RDS_MANAGED,
          TargetDatabaseEngine: 'aurora-mysql',
          TargetDatabaseHost: 'staging.cluster-abc123.eu-west-1.rds.amazonaws.com',
          TargetDatabasePort: '3306',
          TargetDatabaseName: 'shop',
        }),
      ),
    );
    expect(config.targetDatabaseSecretArn).toBe(RDS_MANAGED);
    expect(config.targetDatabase).toEqual({
      engine: 'aurora-mysql',
      host: 'staging.cluster-abc123.eu-west-1.rds.amazonaws.com',
      port: 3306,
      database: 'shop',
    });
    expect(envOf('TaskStarterFunction').TARGET_DATABASE_HOST).toBeUndefined();
  });

  it.each([
    ['1', true],
    ['80', true],
    ['3306', true],
    ['5432', true],
    ['9999', true],
    ['10000', true],
    ['59999', true],
    ['64999', true],
    ['65499', true],
    ['65529', true],
    ['65535', true],
    ['0', false],
    ['05432', false],
    ['65536', false],
    ['65540', false],
    ['66000', false],
    ['99999', false],
    ['100000', false],
    ['-1', false],
    ['5432.0', false],
    ['port', false],
  ])('TargetDatabasePort=%j: the stack and the function agree (accepted: %s)', (value, accepted) => {
    expect(pattern('TargetDatabasePort').test(value)).toBe(accepted);
    expect(coldStartAccepts({ TargetDatabasePort: value })).toBe(accepted);
  });

  it.each([
    ['db', true],
    ['10.0.12.34', true],
    ['staging.cluster-abc123.eu-west-1.rds.amazonaws.com', true],
    [`${'a'.repeat(63)}.example.com`, true],
    ['postgres://db.example.com', false],
    ['db.example.com:5432', false],
    ['db.example.com/app', false],
    ['user@db.example.com', false],
    ['-db.example.com', false],
    ['db-.example.com', false],
    ['db..example.com', false],
    [`${'a'.repeat(64)}.example.com`, false],
  ])('TargetDatabaseHost=%j: the stack and the function agree (accepted: %s)', (value, accepted) => {
    expect(pattern('TargetDatabaseHost').test(value)).toBe(accepted);
    expect(coldStartAccepts({ TargetDatabaseHost: value })).toBe(accepted);
  });

  it('bounds the host and database name as the function does', () => {
    expect(spec('TargetDatabaseHost').MaxLength).toBe(253);
    const longHost = Array.from({ length: 64 }, () => 'abc').join('.');
    expect(longHost.length).toBeGreaterThan(253);
    expect(coldStartAccepts({ TargetDatabaseHost: longHost })).toBe(false);
    expect(spec('TargetDatabaseName').MaxLength).toBe(64);
    expect(coldStartAccepts({ TargetDatabaseName: 'd'.repeat(64) })).toBe(true);
    expect(coldStartAccepts({ TargetDatabaseName: 'd'.repeat(65) })).toBe(false);
  });
});

describe('functions', () => {
  it.each(FUNCTION_IDS)('%s runs on Node.js 22 on arm64 with an explicit name', (id) => {
    const fn = effectiveFunction(id);
    expect(resource(id).type).toBe('AWS::Serverless::Function');
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Handler).toBe('handler.handler');
    expect(fn.FunctionName).toEqual({ 'Fn::Sub': `\${NamePrefix}-${FUNCTIONS[id]}` });
    expect(fn.CodeUri).toBe('.');
  });

  it('gives the post-processor the most time, for long hooks, and the task-starter more only for its pre-flight or a group', () => {
    expect(effectiveFunction('PostProcessorFunction').Timeout).toBe(900);
    const mode: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };
    const timeout = (overrides: Params) =>
      Number(render(effectiveFunction('TaskStarterFunction').Timeout, parameterValues(mode, overrides)));
    expect(timeout({})).toBeLessThanOrEqual(120);
    // DMS's own TestConnectionSucceeds waiter allows 5 minutes; the function keeps a margin beyond that.
    expect(timeout(PREFLIGHT_PARAMS)).toBeGreaterThanOrEqual(300 + PREFLIGHT_MARGIN_MS / 1000);
    expect(timeout(PREFLIGHT_PARAMS)).toBeLessThan(900);
    expect(timeout(FOLDER_PARAMS)).toBe(timeout(PREFLIGHT_PARAMS));
    // A group's task-starter reads and starts up to 20 tasks in turn: three times a single task's time.
    expect(timeout(GROUP_PARAMS)).toBeGreaterThanOrEqual(3 * timeout({}));
    expect(timeout(GROUP_PARAMS)).toBeLessThan(900);
  });

  it.each(FUNCTION_IDS)('%s is bundled by esbuild as build.mjs bundles it', (id) => {
    const metadata = obj(obj(resources[id], id).Metadata, `${id}.Metadata`);
    expect(metadata.BuildMethod).toBe('esbuild');
    const build = obj(metadata.BuildProperties, 'BuildProperties');
    const entry = `functions/${FUNCTIONS[id]}/handler.ts`;
    // The handler first, then every module it imports at run time from ./lazy/ (bundled apart, External in
    // the handler's bundle): all of them, so none is missing from the package.
    const lazyDir = join(ROOT, `functions/${FUNCTIONS[id]}/lazy`);
    const lazy = existsSync(lazyDir)
      ? readdirSync(lazyDir)
          .filter((file) => file.endsWith('.mts'))
          .map((file) => `functions/${FUNCTIONS[id]}/lazy/${file}`)
      : [];
    const entryPoints = list(build.EntryPoints, 'EntryPoints');
    expect(entryPoints[0]).toBe(entry);
    expect(entryPoints.slice(1).sort()).toEqual(lazy.sort());
    expect(build.External).toEqual(lazy.length > 0 ? ['./lazy/*'] : undefined);
    expect(existsSync(join(ROOT, entry))).toBe(true);
    expect(build.MainFields).toBe('module,main');
    expect(build.Format).toBe('esm');
    expect(['node22', 'es2022']).toContain(build.Target);
    expect(build.Minify).toBe(true);
    expect(build.Sourcemap).toBe(false);
    expect(build.OutExtension).toEqual(['.js=.mjs']);
    const banner = list(build.Banner, 'Banner');
    expect(banner).toHaveLength(1);
    const bannerJs = String(banner[0]).replace(/^js=/, '');
    expect(bannerJs).toContain('createRequire(import.meta.url)');
    // `npm run build` reads these same properties (sam-esbuild.mjs): there is no second copy to drift.
    expect(samFunctions(TEMPLATE_PATH).find((fn) => fn.id === id)?.properties).toEqual(build);
    expect(esbuildArgs(build, 'out')).toEqual(
      expect.arrayContaining(['--format=esm', `--banner:${banner[0]}`]),
    );
  });

  it.each(FUNCTION_IDS)('%s logs to its own log group with the configured retention', (id) => {
    const logGroupRef = obj(obj(effectiveFunction(id).LoggingConfig, 'LoggingConfig').LogGroup, 'LogGroup');
    const logGroup = resource(String(logGroupRef.Ref));
    expect(logGroup.type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.properties.LogGroupName).toEqual({
      'Fn::Sub': `/aws/lambda/\${NamePrefix}-${FUNCTIONS[id]}`,
    });
    expect(logGroup.properties.RetentionInDays).toEqual({ Ref: 'LogRetentionInDays' });
  });

  it.each(FUNCTION_IDS)('%s keeps events it finally failed on in the failed-invocations queue', (id) => {
    const config = obj(effectiveFunction(id).EventInvokeConfig, 'EventInvokeConfig');
    // Not the alerts topic, which may itself be what is failing.
    expect(obj(obj(config.DestinationConfig, 'DestinationConfig').OnFailure, 'OnFailure')).toEqual({
      Type: 'SQS',
      Destination: FAILED_INVOCATIONS_QUEUE,
    });
    expect(resource('FailedInvocationsQueue').type).toBe('AWS::SQS::Queue');
  });

  it('never retries a start (a retry is a new start decision), and retries a notice twice', () => {
    const retries = (id: FunctionId) =>
      obj(effectiveFunction(id).EventInvokeConfig, 'EventInvokeConfig').MaximumRetryAttempts;
    expect(retries('TaskStarterFunction')).toBe(0);
    expect(retries('PostProcessorFunction')).toBe(2);
  });

  it.each(
    FUNCTION_IDS,
  )('%s may send to its on-failure destination, exactly that queue, and nothing else on SQS', (id) => {
    // Lambda sends the destination record with the function's execution role.
    const sqs = statementsOf(id).filter((statement) =>
      statement.actions.some((action) => action.startsWith('sqs:')),
    );
    expect(sqs).toHaveLength(1);
    expect(sqs[0]?.actions).toEqual(['sqs:SendMessage']);
    expect(sqs[0]?.underCondition).toBeUndefined();
    const destination = obj(
      obj(obj(effectiveFunction(id).EventInvokeConfig, 'EventInvokeConfig').DestinationConfig, 'Dest')
        .OnFailure,
      'OnFailure',
    ).Destination;
    expect(sqs[0]?.resources).toEqual([destination]);
  });
});

describe('success notices', () => {
  const MODE: Mode = { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' };
  const EMAIL = 'staging-users@example.com';
  const with_ = (value: NotifyOnSuccess, extra: Params = {}) =>
    parameterValues(MODE, { NotifyOnSuccess: value, ...extra });

  /** The statements a role really carries for these parameter values, resources rendered. */
  const grantedFor = (id: FunctionId, params: Params, action: string): unknown[] =>
    statementsOf(id)
      .filter(
        (statement) => statement.underCondition === undefined || condition(statement.underCondition, params),
      )
      .filter((statement) => statement.actions.includes(action))
      .flatMap((statement) => statement.resources.map((value) => render(value, params)));

  const exists = (id: string, params: Params) => {
    const { condition: name } = resource(id);
    return name === undefined || condition(name, params);
  };

  it('is a parameter taking exactly the values the post-processor reads, off by default, shown after the run', () => {
    const spec = obj(parameters.NotifyOnSuccess, 'NotifyOnSuccess');
    expect(spec.AllowedValues).toEqual([...NOTIFY_ON_SUCCESS]);
    expect(spec.Default).toBe('off');
    const ui = obj(obj(template.Metadata, 'Metadata')['AWS::CloudFormation::Interface'], 'Interface');
    const afterTheRun = list(ui.ParameterGroups, 'ParameterGroups')
      .map((group) => obj(group, 'group'))
      .find((group) => obj(group.Label, 'Label').default === 'After the run');
    expect(list(afterTheRun?.Parameters, 'After the run')).toEqual(
      expect.arrayContaining(['NotifyOnSuccess', 'SuccessNotificationEmail']),
    );
    const email = obj(parameters.SuccessNotificationEmail, 'SuccessNotificationEmail');
    expect(email.AllowedPattern).toBe(obj(parameters.NotificationEmail, 'NotificationEmail').AllowedPattern);
    expect(email.Default).toBe('');
  });

  it.each([
    ['off', undefined],
    ['alerts-topic', 'AlertsTopic'],
    ['success-topic', 'SuccessTopic'],
  ] as const)('with %s, the post-processor sends summaries to %s and may publish to no other topic', (value, topicId) => {
    const params = with_(value);
    const config = loadPostProcessorConfig(renderedEnv('PostProcessorFunction', params));
    expect(config.notifyOnSuccess).toBe(value);
    expect(config.successNoticeTopicArn).toBe(topicId && physicalId(topicId, params));
    expect(exists('SuccessTopic', params)).toBe(value === 'success-topic');
    const topics = [
      physicalId('AlertsTopic', params),
      ...(value === 'success-topic' ? [physicalId('SuccessTopic', params)] : []),
    ];
    expect(grantedFor('PostProcessorFunction', params, 'sns:Publish')).toEqual(topics);
    // The task-starter never sends a summary: the alerts topic only, whatever the setting.
    expect(grantedFor('TaskStarterFunction', params, 'sns:Publish')).toEqual([
      physicalId('AlertsTopic', params),
    ]);
    expect(renderedEnv('TaskStarterFunction', params).NOTIFY_ON_SUCCESS).toBeUndefined();
    // The key is the topics' one, used through SNS only (EncryptAlerts): nothing more is granted for it.
    expect(grantedFor('PostProcessorFunction', params, 'kms:GenerateDataKey')).toEqual([
      render(TOPICS_KEY, params),
    ]);
  });

  it('passes the success topic as "" when the stack creates none, which the post-processor reads as unset', () => {
    for (const value of ['off', 'alerts-topic'] as const) {
      expect(renderedEnv('PostProcessorFunction', with_(value)).SUCCESS_TOPIC_ARN).toBe('');
    }
    expect(renderedEnv('PostProcessorFunction', with_('success-topic')).SUCCESS_TOPIC_ARN).toBe(
      'arn:aws:sns:eu-west-1:123456789012:dms-scheduler-success',
    );
  });

  it('creates the success topic under the prefix, encrypted with the topics key like the alerts topic', () => {
    const topic = resource('SuccessTopic');
    expect(topic.type).toBe('AWS::SNS::Topic');
    expect(topic.condition).toBe('SendsToSuccessTopic');
    expect(topic.properties.TopicName).toEqual({ 'Fn::Sub': `\${NamePrefix}-success` });
    expect(topic.properties.KmsMasterKeyId).toEqual(resource('AlertsTopic').properties.KmsMasterKeyId);
  });

  it('lets only the post-processor publish to the success topic', () => {
    const policies = resourcesOfType('AWS::SNS::TopicPolicy').filter((policy) =>
      list(policy.properties.Topics, 'Topics').some(
        (topic) => isObject(topic) && topic.Ref === 'SuccessTopic',
      ),
    );
    expect(policies).toHaveLength(1);
    const policy = policies[0] as Resource;
    expect(policy.condition).toBe('SendsToSuccessTopic');
    expect(policy.properties.Topics).toEqual([SUCCESS_TOPIC]);
    expect(obj(policy.properties.PolicyDocument, 'PolicyDocument').Statement).toEqual([
      {
        Sid: 'OnlyThePostProcessorPublishes',
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::GetAtt': [roleOf('PostProcessorFunction').id, 'Arn'] } },
        Action: 'sns:Publish',
        Resource: SUCCESS_TOPIC,
      },
    ]);
  });

  it('subscribes the success email to the success topic, only with success-topic and an address', () => {
    const subscription = resource('SuccessEmailSubscription');
    expect(subscription.properties).toEqual({
      TopicArn: SUCCESS_TOPIC,
      Protocol: 'email',
      Endpoint: { Ref: 'SuccessNotificationEmail' },
    });
    const name = String(subscription.condition);
    expect(condition(name, with_('success-topic', { SuccessNotificationEmail: EMAIL }))).toBe(true);
    expect(condition(name, with_('success-topic'))).toBe(false);
    expect(condition(name, with_('alerts-topic', { SuccessNotificationEmail: EMAIL }))).toBe(false);
  });

  it('refuses a success email without the success topic at deploy time, saying what to do', () => {
    const rule = obj(obj(template.Rules, 'Rules').SuccessEmailNeedsSuccessTopic, 'rule');
    const breaks = (params: Params) =>
      evaluate(rule.RuleCondition, params) === true &&
      list(rule.Assertions, 'Assertions').some(
        (assertion) => evaluate(obj(assertion, 'a').Assert, params) !== true,
      );
    expect(breaks(with_('success-topic', { SuccessNotificationEmail: EMAIL }))).toBe(false);
    expect(breaks(with_('off'))).toBe(false);
    for (const value of ['off', 'alerts-topic'] as const) {
      expect(breaks(with_(value, { SuccessNotificationEmail: EMAIL })), value).toBe(true);
    }
    const [assertion] = list(rule.Assertions, 'Assertions');
    expect(String(obj(assertion, 'assertion').AssertDescription)).toContain(
      'set NotifyOnSuccess to success-topic',
    );
  });

  it('outputs the success topic ARN when there is one', () => {
    const output = obj(obj(template.Outputs, 'Outputs').SuccessTopicArn, 'SuccessTopicArn');
    expect(output.Condition).toBe('SendsToSuccessTopic');
    expect(output.Value).toEqual(SUCCESS_TOPIC);
  });
});

describe('outputs', () => {
  const outputs = obj(template.Outputs, 'Outputs');

  it('describes every output', () => {
    expect(Object.keys(outputs).length).toBeGreaterThan(0);
    for (const [name, output] of Object.entries(outputs)) {
      expect(String(obj(output, name).Description ?? ''), name).not.toBe('');
    }
  });

  it('names the failed-invocations queue, the dashboard and the run ledger', () => {
    const value = (name: string) => obj(outputs[name], name).Value;
    expect(value('FailedInvocationsQueueUrl')).toEqual({ Ref: 'FailedInvocationsQueue' });
    expect(value('DashboardName')).toEqual({ Ref: 'Dashboard' });
    expect(value('RunLedgerTableName')).toEqual({ Ref: 'RunLedgerTable' });
  });

  it('offers a ready-to-paste command for a one-time run of the task-starter', () => {
    const command = obj(obj(outputs.OneTimeRunCommand, 'OneTimeRunCommand').Value, 'Value');
    expect(String(command['Fn::Sub'])).toMatch(
      /^aws lambda invoke .*--function-name \$\{TaskStarterFunction\} .*--payload '\{\}'/,
    );
  });
});

describe('cfn-lint', () => {
  const available = (() => {
    try {
      execFileSync('cfn-lint', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  // In CI a missing linter fails the file; locally it is a skip, listed after the summary.
  const runLint = toolAvailable(available, 'template lint', 'cfn-lint not on PATH (pip install cfn-lint)');

  it.runIf(runLint)('finds nothing wrong with template.yaml (SAM transform included)', () => {
    let output: string;
    try {
      output = execFileSync('cfn-lint', ['template.yaml'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    } catch (error) {
      // A non-zero exit: show what cfn-lint found rather than only "Command failed".
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`cfn-lint failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
    }
    expect(output).toBe('');
  });
});

describe('sam build, emulated from a fresh clone', () => {
  // The SAM CLI's esbuild workflow: a copy of the code, a production-only install, esbuild from that copy's
  // node_modules/.bin, the template's BuildProperties; what it ships is the bundle alone.
  let copy: ScratchCopy;
  let artifacts: string;
  beforeAll(() => {
    copy = productionCopy(ROOT);
    artifacts = mkdtempSync(join(tmpdir(), 'dms-scheduler-sam-artifacts-'));
  });
  afterAll(() => {
    copy?.remove();
    if (artifacts !== undefined) rmSync(artifacts, { recursive: true, force: true });
  });

  // A stack with hooks reaching the target database and the masking salt, so every setting is exercised.
  const params = parameterValues(
    { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
    {
      TargetDatabaseSecretArn: PLACEHOLDER_TARGET_SECRET_ARN,
      MaskingSaltSecretArn: PLACEHOLDER_SALT_SECRET_ARN,
    },
  );

  it('finds esbuild in the production install, where the workflow looks first', () => {
    expect(copy.esbuild, 'esbuild must be a production dependency').toBeDefined();
  });

  it.each(
    FUNCTION_IDS,
  )('%s builds with its BuildProperties and loads with its deployed environment', (id) => {
    const fn = effectiveFunction(id);
    const metadata = obj(obj(resources[id], id).Metadata, `${id}.Metadata`);
    const outdir = join(artifacts, id);
    const files = buildFunction(copy, String(fn.CodeUri), obj(metadata.BuildProperties, id), outdir);
    // Handler "handler.handler": the module handler.mjs (OutExtension), its export handler.
    const handlerFile = `${String(fn.Handler).replace(/\.[^.]+$/, '')}.mjs`;
    expect(files).toContain(handlerFile);
    const env = {
      ...Object.fromEntries(
        Object.entries(renderedEnv(id, params)).map(([name, value]) => [name, value ?? '']),
      ),
      // What the Lambda runtime adds; the region from the stack's.
      AWS_REGION: String(params['AWS::Region']),
      AWS_LAMBDA_FUNCTION_NAME: physicalId(id, params) ?? id,
    };
    // Every module the handler imports at run time (External in its bundle) is in the package, and every
    // other file of the package is one of them: nothing is missing, nothing is shipped for nothing.
    const lazy = [
      ...readFileSync(join(outdir, handlerFile), 'utf8').matchAll(/import\("\.\/(lazy\/[^"]+)"\)/g),
    ].map((match) => String(match[1]));
    expect([...new Set(lazy)].sort()).toEqual(files.filter((file) => file !== handlerFile));
    const others = files.filter((file) => file !== handlerFile).map((file) => join(outdir, file));
    const outcome = importBuilt(join(outdir, handlerFile), others, env);
    expect(outcome.ok ? 'loaded' : outcome.output).toBe('loaded');
    expect(outcome.handlerType).toBe('function');
  });
});
