// The template is code: these tests check its wiring (which function gets which setting, which event reaches
// which function), the deploy-time combination rules against shared/modes.ts, and least privilege, by
// reading template.yaml itself. The last test runs cfn-lint, which also runs the SAM transform.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPostProcessorConfig, loadStarterConfig } from '#shared/config';
import {
  CADENCES,
  MIGRATION_TYPES,
  MODE_RULES,
  type Mode,
  REFRESH_INDICATORS,
  SUPPORTED_MODES,
} from '#shared/modes';
import { readCfnYaml } from './cfn-yaml.ts';

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
const TASK_IDENTIFIER = 'nightly-refresh';

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
    case 'Fn::Sub':
      if (typeof args !== 'string') throw new Error('The test renderer only knows the one-argument Fn::Sub');
      return args.replace(/\$\{([^}!]+)\}/g, (_, name: string) => lookup(name));
    case 'Fn::If': {
      const [name, whenTrue, whenFalse] = list(args, fn);
      return render(condition(String(name), params) ? whenTrue : whenFalse, params);
    }
    case 'Fn::GetAtt': {
      const [id, attribute] = list(args, fn).map(String);
      return `${lookup(String(id))}#${String(attribute)}`;
    }
    default:
      return Object.fromEntries(
        Object.entries(expression).map(([key, value]) => [key, render(value, params)]),
      );
  }
}

/** What !Ref returns for the resources the functions' settings name. */
function physicalId(id: string, params: Params): string | undefined {
  if (!(id in resources)) return undefined;
  const { type, properties } = resource(id);
  switch (type) {
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${params['AWS::Region']}:${params['AWS::AccountId']}:${String(render(properties.TopicName, params))}`;
    case 'AWS::DynamoDB::Table':
      return String(render(properties.TableName, params));
    case 'AWS::Events::Rule':
      return String(render(properties.Name, params));
    default:
      return id;
  }
}

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
const TOPICS_KEY = { 'Fn::GetAtt': ['TopicsKey', 'Arn'] };

/** Per function: every action its code calls, and the one resource each may touch. */
const EXPECTED_PRIVILEGES: Record<FunctionId, Record<string, unknown>> = {
  TaskStarterFunction: {
    'logs:CreateLogStream': { 'Fn::GetAtt': ['TaskStarterLogGroup', 'Arn'] },
    'logs:PutLogEvents': { 'Fn::GetAtt': ['TaskStarterLogGroup', 'Arn'] },
    'dms:DescribeReplicationTasks': '*',
    'dms:StartReplicationTask': { Ref: 'ReplicationTaskArn' },
    'events:DescribeRule': RULE_ARN,
    'events:DisableRule': RULE_ARN,
    'events:EnableRule': RULE_ARN,
    'sns:Publish': ALERTS_TOPIC,
    'kms:GenerateDataKey': TOPICS_KEY,
    'kms:Decrypt': TOPICS_KEY,
  },
  PostProcessorFunction: {
    'logs:CreateLogStream': { 'Fn::GetAtt': ['PostProcessorLogGroup', 'Arn'] },
    'logs:PutLogEvents': { 'Fn::GetAtt': ['PostProcessorLogGroup', 'Arn'] },
    'dms:DescribeReplicationTasks': '*',
    'events:DescribeRule': RULE_ARN,
    'events:EnableRule': RULE_ARN,
    'sns:Publish': ALERTS_TOPIC,
    'kms:GenerateDataKey': TOPICS_KEY,
    'kms:Decrypt': TOPICS_KEY,
    'dynamodb:PutItem': { 'Fn::GetAtt': ['RunLedgerTable', 'Arn'] },
    'dynamodb:DeleteItem': { 'Fn::GetAtt': ['RunLedgerTable', 'Arn'] },
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
  HoldScheduleRule: 'IsSchedule',
  ReleaseScheduleRule: 'IsSchedule',
  ReadTargetDatabaseSecret: 'HasTargetDatabaseSecret',
  ReadMaskingSaltSecret: 'HasMaskingSaltSecret',
  InvokeHookFunctions: 'HasHookFunctions',
  AttachToVpc: 'InVpc',
};

/**
 * Actions the Service Authorization Reference lists with no resource type, so that `Resource: "*"` is the
 * only valid choice: DescribeReplicationTasks (StartReplicationTask, by contrast, takes the task's ARN) and
 * DescribeNetworkInterfaces.
 */
const NO_RESOURCE_LEVEL_PERMISSIONS = new Set([
  'dms:DescribeReplicationTasks',
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
    'MIGRATION_REFRESH_INDICATOR',
    'MIGRATION_REFRESH_TYPE',
    'SCHEDULE_OR_ONE_TIME',
    'SCHEDULE_RULE_NAME',
    'ALERTS_TOPIC_ARN',
    'POWERTOOLS_SERVICE_NAME',
    'POWERTOOLS_LOG_LEVEL',
  ];

  it('gives each function exactly the variables its configuration reads', () => {
    expect(Object.keys(envOf('TaskStarterFunction')).sort()).toEqual(
      [...BASE, 'START_TYPE_OVERRIDE', 'CDC_START_TIME', 'CDC_START_POSITION'].sort(),
    );
    expect(Object.keys(envOf('PostProcessorFunction')).sort()).toEqual(
      [
        ...BASE,
        'RULE_AFTER_FAILURE',
        'RUN_LEDGER_TABLE',
        'TARGET_DATABASE_SECRET_ARN',
        'TARGET_DATABASE_TLS',
        'MASKING_SALT_SECRET_ARN',
        'NODE_EXTRA_CA_CERTS',
      ].sort(),
    );
  });

  it('passes each setting from the parameter or resource it belongs to', () => {
    const starter = envOf('TaskStarterFunction');
    const post = envOf('PostProcessorFunction');
    for (const env of [starter, post]) {
      expect(env.REPLICATION_TASK_ARN).toEqual({ Ref: 'ReplicationTaskArn' });
      expect(env.REPLICATION_TASK_IDENTIFIER).toEqual({ Ref: 'ReplicationTaskIdentifier' });
      expect(env.MIGRATION_REFRESH_INDICATOR).toEqual({ Ref: 'MigrationRefreshIndicator' });
      expect(env.MIGRATION_REFRESH_TYPE).toEqual({ Ref: 'MigrationRefreshType' });
      expect(env.SCHEDULE_OR_ONE_TIME).toEqual({ Ref: 'ScheduleOrOneTime' });
      expect(env.ALERTS_TOPIC_ARN).toEqual({ Ref: 'AlertsTopic' });
      expect(env.POWERTOOLS_LOG_LEVEL).toBe('INFO');
    }
    expect(starter.START_TYPE_OVERRIDE).toEqual({ Ref: 'StartTypeOverride' });
    expect(starter.CDC_START_TIME).toEqual({ Ref: 'CdcStartTime' });
    expect(starter.CDC_START_POSITION).toEqual({ Ref: 'CdcStartPosition' });
    expect(post.RULE_AFTER_FAILURE).toEqual({ Ref: 'RuleAfterFailure' });
    expect(post.TARGET_DATABASE_SECRET_ARN).toEqual({ Ref: 'TargetDatabaseSecretArn' });
    expect(post.TARGET_DATABASE_TLS).toEqual({ Ref: 'TargetDatabaseTls' });
    expect(post.MASKING_SALT_SECRET_ARN).toEqual({ Ref: 'MaskingSaltSecretArn' });
    // The Lambda runtime's CA bundle includes the RDS certificate authorities, so TLS to RDS verifies.
    expect(post.NODE_EXTRA_CA_CERTS).toBe('/var/runtime/ca-cert.pem');
    expect(post.RUN_LEDGER_TABLE).toEqual({ Ref: 'RunLedgerTable' });
    expect(starter.POWERTOOLS_SERVICE_NAME).toBe('task-starter');
    expect(post.POWERTOOLS_SERVICE_NAME).toBe('post-processor');
  });

  it.each(
    SUPPORTED_MODES.map((mode) => [modeLabel(mode), mode] as const),
  )('renders settings both functions accept at cold start (%s)', (_, mode) => {
    const params = parameterValues(mode);
    const ruleName = mode.cadence === 'schedule' ? physicalId('ScheduleRule', params) : undefined;

    const starter = loadStarterConfig(renderedEnv('TaskStarterFunction', params));
    expect(starter.task).toEqual({ arn: TASK_ARN, identifier: TASK_IDENTIFIER });
    expect(starter.mode).toEqual(mode);
    expect(starter.scheduleRuleName).toBe(ruleName);
    expect(starter.startTypeOverride).toBeUndefined();

    const post = loadPostProcessorConfig(renderedEnv('PostProcessorFunction', params));
    expect(post.scheduleRuleName).toBe(ruleName);
    expect(post.alertsTopicArn).toBe(starter.alertsTopicArn);
    expect(post.runLedgerTable).toBe(physicalId('RunLedgerTable', params));
    expect(post.targetDatabaseSecretArn).toBeUndefined();
    expect(post.maskingSaltSecretArn).toBeUndefined();
    expect(post.targetDatabaseTls).toBe('verify');
    expect(post.ruleAfterFailure).toBe('re-enable');
  });

  it('names the schedule rule in schedule mode only', () => {
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
    const ruleName = render(resource('ScheduleRule').properties.Name, schedule);
    expect(renderedEnv('TaskStarterFunction', schedule).SCHEDULE_RULE_NAME).toBe(ruleName);
    expect(renderedEnv('PostProcessorFunction', schedule).SCHEDULE_RULE_NAME).toBe(ruleName);
    expect(renderedEnv('TaskStarterFunction', oneTime).SCHEDULE_RULE_NAME).toBe('');
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
    expect('arn:aws:dms:eu-west-1:123456789012:endpoint:ABC').not.toMatch(pattern('ReplicationTaskArn'));
    expect(TASK_IDENTIFIER).toMatch(pattern('ReplicationTaskIdentifier'));
    for (const bad of ['1task', 'double--hyphen', 'trailing-', TASK_ARN]) {
      expect(bad).not.toMatch(pattern('ReplicationTaskIdentifier'));
    }
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
      ].sort(),
    );
  });
});

describe('DMS notices', () => {
  it('subscribes to state changes and failures of the task, by identifier', () => {
    const subscriptions = resourcesOfType('AWS::DMS::EventSubscription');
    expect(subscriptions).toHaveLength(1);
    const subscription = subscriptions[0] as Resource;
    expect(subscription.condition).toBe('UseSns');
    expect(subscription.properties.SourceType).toBe('replication-task');
    expect(subscription.properties.SourceIds).toEqual([{ Ref: 'ReplicationTaskIdentifier' }]);
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
      'detail-type': ['DMS Replication Task State Change'],
      resources: [{ Ref: 'ReplicationTaskArn' }],
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
  it('is keyed by runKey, expires records on expiresAt and is encrypted and recoverable', () => {
    const table = resource('RunLedgerTable').properties;
    expect(table.KeySchema).toEqual([{ AttributeName: 'runKey', KeyType: 'HASH' }]);
    expect(table.AttributeDefinitions).toEqual([{ AttributeName: 'runKey', AttributeType: 'S' }]);
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.SSESpecification).toEqual({ SSEEnabled: true });
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

  it('has no Hooks parameter any more: hooks are listed in hooks.config.json', () => {
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

  it('gives the rule to the roles only in schedule mode, and DisableRule to the task-starter only', () => {
    const post = statementsOf('PostProcessorFunction').flatMap((statement) => statement.actions);
    expect(post).not.toContain('events:DisableRule');
    expect(post).not.toContain('dms:StartReplicationTask');
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

  it('gives the post-processor the most time, for long hooks', () => {
    expect(effectiveFunction('PostProcessorFunction').Timeout).toBe(900);
    expect(Number(effectiveFunction('TaskStarterFunction').Timeout)).toBeLessThanOrEqual(120);
  });

  it.each(FUNCTION_IDS)('%s is bundled by esbuild as build.mjs bundles it', (id) => {
    const metadata = obj(obj(resources[id], id).Metadata, `${id}.Metadata`);
    expect(metadata.BuildMethod).toBe('esbuild');
    const build = obj(metadata.BuildProperties, 'BuildProperties');
    const entry = `functions/${FUNCTIONS[id]}/handler.ts`;
    expect(build.EntryPoints).toEqual([entry]);
    expect(existsSync(join(ROOT, entry))).toBe(true);
    expect(build.Format).toBe('esm');
    expect(['node22', 'es2022']).toContain(build.Target);
    expect(build.Minify).toBe(true);
    expect(build.Sourcemap).toBe(false);
    expect(build.OutExtension).toEqual(['.js=.mjs']);
    const banner = list(build.Banner, 'Banner');
    expect(banner).toHaveLength(1);
    const bannerJs = String(banner[0]).replace(/^js=/, '');
    expect(bannerJs).toContain('createRequire(import.meta.url)');
    expect(readFileSync(join(ROOT, 'build.mjs'), 'utf8')).toContain(bannerJs);
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

  it.each(FUNCTION_IDS)('%s reports events it finally failed on to the alerts topic', (id) => {
    const config = obj(effectiveFunction(id).EventInvokeConfig, 'EventInvokeConfig');
    expect(config.MaximumRetryAttempts).toBe(2);
    expect(obj(obj(config.DestinationConfig, 'DestinationConfig').OnFailure, 'OnFailure')).toEqual({
      Type: 'SNS',
      Destination: { Ref: 'AlertsTopic' },
    });
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
  // In CI a missing linter is a failure (the test below runs and fails); locally it is a visible skip.
  const runLint = available || Boolean(process.env.CI);
  if (!runLint) console.warn('cfn-lint is not on PATH: the template lint test is skipped (it fails in CI).');

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
