// The template `dms-scheduler generate` writes: it must pass cfn-lint (with and without the nested scheduler
// stacks), it must describe the same DMS resources an `import` would create (the template is resolved here
// with an environment's parameters, intrinsic functions and all, and compared with the import's requests
// for the same folder and overrides), its nested scheduler stacks must pass exactly the parameters this
// project's template.yaml takes, and moto_server's CloudFormation must accept it. moto's CloudFormation has
// no AWS::DMS::* resource types (it skips them with a warning), so that deploy checks parameters, conditions
// and the template's shape; what the resources become is the resolution test's to prove.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CFN_ENDPOINT_SETTINGS } from '../../shared/definitions/cfn-endpoint-settings.ts';
import { desiredState } from '../../shared/definitions/desired-state.ts';
import type { SettingsBlock } from '../../shared/definitions/engines.ts';
import { writeDefinitions } from '../../shared/definitions/folder.ts';
import { type Definitions, PASSWORD_PLACEHOLDER } from '../../shared/definitions/model.ts';
import {
  createEndpointRequest,
  createInstanceRequest,
  createTaskRequest,
} from '../../shared/definitions/requests.ts';
import { findMotoServer, type RunningMotoServer, startMotoServer } from '../integration/moto-server.ts';
import { toolAvailable } from '../support/missing-tools.ts';
import { REPO_ROOT, runProgram } from '../support/run-program.ts';
import { readCfnYaml } from './cfn-yaml.ts';

const hasCfnLint = toolAvailable(
  (() => {
    try {
      execFileSync('cfn-lint', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })(),
  'definitions template lint',
  'cfn-lint not on PATH (pip install cfn-lint)',
);
const motoServerPath = findMotoServer();
const hasMoto = toolAvailable(
  motoServerPath !== undefined,
  'definitions template on moto CloudFormation',
  'moto_server not on PATH (pip install "moto[server]")',
);

const mappings = (schema: string) => ({
  rules: [
    {
      'rule-type': 'selection',
      'rule-id': '1',
      'rule-name': 'all',
      'object-locator': { 'schema-name': schema, 'table-name': '%' },
      'rule-action': 'include',
    },
  ],
});

/** Three engines, the three kinds of auth, a setting CloudFormation lacks, two tasks sharing an instance. */
const FOLDER: Definitions = {
  endpoints: {
    'orders-source': {
      type: 'source',
      engine: 'postgres',
      server: 'orders.dev.internal',
      port: 5432,
      database: 'orders',
      username: 'dms',
      auth: { kind: 'password', password: PASSWORD_PLACEHOLDER },
      settings: {
        PostgreSQLSettings: { HeartbeatEnable: true, SlotName: 'dms_orders', MapJsonbAsClob: true },
      },
    },
    'warehouse-target': {
      type: 'target',
      engine: 'mysql',
      database: 'warehouse',
      auth: {
        kind: 'secrets-manager',
        secretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:wh-AbCdEf',
        accessRoleArn: 'arn:aws:iam::111111111111:role/dms-secrets',
      },
      settings: { MySQLSettings: { ServerTimezone: 'UTC' } },
    },
    'lake-target': {
      type: 'target',
      engine: 's3',
      auth: { kind: 'none' },
      settings: { S3Settings: { BucketName: 'orders-lake', DataFormat: 'parquet' } },
    },
  },
  replicationInstances: { main: { class: 'dms.t3.medium', allocatedStorage: 50, multiAz: false } },
  tasks: {
    orders: {
      migrationType: 'full-load',
      sourceEndpoint: 'orders-source',
      targetEndpoint: 'warehouse-target',
      replicationInstance: 'main',
      tableMappings: mappings('public'),
      settings: {
        FullLoadSettings: { TargetTablePrepMode: 'DROP_AND_CREATE' },
        Logging: { EnableLogging: true },
      },
    },
    'orders-archive': {
      migrationType: 'cdc',
      sourceEndpoint: 'orders-source',
      targetEndpoint: 'lake-target',
      replicationInstance: 'main',
      tableMappings: mappings('archive'),
    },
  },
};

/** The staging environment, as parameters of the template and as overrides of an import. */
const STAGING = {
  prefix: 'stg-',
  ordersSecret: 'arn:aws:secretsmanager:us-east-1:222222222222:secret:orders-stg-XyZ123',
  warehouseSecret: 'arn:aws:secretsmanager:us-east-1:222222222222:secret:wh-stg-XyZ123',
  role: 'arn:aws:iam::222222222222:role/dms-secrets',
  instanceClass: 'dms.r5.large',
  subnetGroup: 'stg-private',
  securityGroups: ['sg-0a1', 'sg-0b2'],
};
const PARAMETERS: Record<string, string> = {
  NamePrefix: STAGING.prefix,
  OrdersSourceEndpointSecretArn: STAGING.ordersSecret,
  OrdersSourceEndpointSecretAccessRoleArn: STAGING.role,
  WarehouseTargetEndpointSecretArn: STAGING.warehouseSecret,
  WarehouseTargetEndpointSecretAccessRoleArn: STAGING.role,
  MainInstanceClass: STAGING.instanceClass,
  MainInstanceSubnetGroup: STAGING.subnetGroup,
  MainInstanceSecurityGroupIds: STAGING.securityGroups.join(','),
};

type Template = {
  Parameters: Record<string, { Type: string; Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};

/** The template's resources as CloudFormation would create them with `given` (Ref, Sub, If, conditions). */
function resolve(template: Template, given: Record<string, string>): Template['Resources'] {
  const parameter = (name: string): unknown => {
    const declared = template.Parameters[name];
    if (declared === undefined) throw new Error(`no parameter ${name}`);
    const value = given[name] ?? declared.Default;
    if (value === undefined) throw new Error(`parameter ${name} has no value`);
    return declared.Type === 'CommaDelimitedList'
      ? String(value)
          .split(',')
          .filter((item) => item !== '')
      : String(value);
  };
  const NO_VALUE = Symbol('AWS::NoValue');
  const condition = (name: string): boolean => evaluate(template.Conditions?.[name]) === true;
  const evaluate = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(evaluate).filter((item) => item !== NO_VALUE);
    if (typeof node !== 'object' || node === null) return node;
    const entries = Object.entries(node);
    const [key, value] = entries[0] ?? [];
    if (entries.length === 1 && key === 'Ref') {
      if (value === 'AWS::NoValue') return NO_VALUE;
      return String(value) in template.Resources ? `arn:${String(value)}` : parameter(String(value));
    }
    if (entries.length === 1 && key === 'Fn::Sub') {
      return String(value).replace(/\$\{([A-Za-z0-9]+)\}/g, (_match, name: string) =>
        String(parameter(name)),
      );
    }
    if (entries.length === 1 && key === 'Fn::If') {
      const [name, then, otherwise] = value as [string, unknown, unknown];
      return evaluate(condition(name) ? then : otherwise);
    }
    if (entries.length === 1 && key === 'Fn::Not') return !(evaluate((value as unknown[])[0]) as boolean);
    if (entries.length === 1 && key === 'Fn::Equals') {
      const [a, b] = (value as unknown[]).map(evaluate);
      return a === b;
    }
    if (entries.length === 1 && key === 'Fn::Join') {
      const [separator, list] = value as [string, unknown];
      return (evaluate(list) as unknown[]).join(separator);
    }
    const resolved: Record<string, unknown> = {};
    for (const [name, inner] of entries) {
      const result = evaluate(inner);
      if (result !== NO_VALUE) resolved[name] = result;
    }
    return resolved;
  };
  return evaluate(template.Resources) as Template['Resources'];
}

/** An import request in the template's spelling: CloudFormation names of settings blocks, no tags or password. */
function asCfnProperties(request: object): Record<string, unknown> {
  const spelled: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request)) {
    if (key === 'Tags' || key === 'Password') continue;
    spelled[CFN_ENDPOINT_SETTINGS[key as SettingsBlock]?.cfn ?? key] = value;
  }
  return spelled;
}

describe('dms-scheduler generate', () => {
  let work: string;
  let plain: Template;
  let nested: Template;
  let stderr = '';
  let moto: RunningMotoServer | undefined;

  beforeAll(async () => {
    if (hasMoto && motoServerPath) moto = await startMotoServer(motoServerPath);
    work = mkdtempSync(join(tmpdir(), 'dms-scheduler-generate-'));
    writeDefinitions(join(work, 'definitions'), FOLDER);
    const env = { PATH: process.env.PATH ?? '', HOME: work };
    const first = await runProgram(
      ['generate', '--dir', join(work, 'definitions'), '--out', join(work, 'plain', 'dms-tasks.yaml')],
      { env },
    );
    expect(first).toMatchObject({ code: 0, stdout: `wrote ${join(work, 'plain', 'dms-tasks.yaml')}\n` });
    stderr = first.stderr;
    const second = await runProgram(
      [
        'generate',
        '--dir',
        join(work, 'definitions'),
        '--out',
        join(work, 'nested', 'dms-tasks.yaml'),
        '--with-scheduler',
      ],
      { env },
    );
    expect(second.code).toBe(0);
    plain = readCfnYaml(join(work, 'plain', 'dms-tasks.yaml')) as Template;
    nested = readCfnYaml(join(work, 'nested', 'dms-tasks.yaml')) as Template;
  });

  afterAll(async () => {
    await moto?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.runIf(hasCfnLint)('passes cfn-lint, with and without the nested scheduler stacks', () => {
    for (const file of [join(work, 'plain', 'dms-tasks.yaml'), join(work, 'nested', 'dms-tasks.yaml')]) {
      let output: string;
      try {
        output = execFileSync('cfn-lint', [file], { encoding: 'utf8', timeout: 120_000 });
      } catch (error) {
        const { stdout, stderr: lintErr } = error as { stdout?: string; stderr?: string };
        throw new Error(`cfn-lint failed on ${file}:\n${stdout ?? ''}${lintErr ?? ''}`, { cause: error });
      }
      expect(output).toBe('');
    }
  });

  it('resolved with the staging parameters, it is what an import with the same overrides would create', () => {
    const desired = desiredState(FOLDER, 'staging', {
      namePrefix: STAGING.prefix,
      endpoints: {
        'orders-source': { secretArn: STAGING.ordersSecret, secretAccessRoleArn: STAGING.role },
        'warehouse-target': { secretArn: STAGING.warehouseSecret, secretAccessRoleArn: STAGING.role },
      },
      replicationInstances: {
        main: {
          class: STAGING.instanceClass,
          subnetGroup: STAGING.subnetGroup,
          securityGroupIds: STAGING.securityGroups,
        },
      },
    });
    const resources = resolve(plain, PARAMETERS);
    const byId = (type: string, key: string, id: string) => {
      const found = Object.entries(resources).find(
        ([, resource]) => resource.Type === type && resource.Properties[key] === id,
      );
      if (found === undefined) throw new Error(`no ${type} ${id} in the template`);
      return { logical: found[0], properties: found[1].Properties };
    };
    for (const [id, endpoint] of Object.entries(desired.endpoints)) {
      const { properties } = byId('AWS::DMS::Endpoint', 'EndpointIdentifier', id);
      const expected = asCfnProperties(createEndpointRequest(id, endpoint, 'staging', undefined));
      // CloudFormation knows no MapJsonbAsClob: the one difference, and the generator warns about it.
      if (id === 'stg-orders-source') {
        delete (expected.PostgreSqlSettings as Record<string, unknown>).MapJsonbAsClob;
      }
      expect(properties).toEqual(expected);
    }
    const instance = byId('AWS::DMS::ReplicationInstance', 'ReplicationInstanceIdentifier', 'stg-main');
    const instanceRequest = asCfnProperties(
      createInstanceRequest('stg-main', desired.replicationInstances['stg-main'] as never, 'staging'),
    );
    expect(instance.properties).toEqual({
      ...instanceRequest,
      // Parameters are strings until CloudFormation converts them for the property.
      AllocatedStorage: String(instanceRequest.AllocatedStorage),
      MultiAZ: String(instanceRequest.MultiAZ),
    });
    for (const [id, task] of Object.entries(desired.tasks)) {
      const { properties } = byId('AWS::DMS::ReplicationTask', 'ReplicationTaskIdentifier', id);
      const arn = (identifier: string, type: string, key: string) =>
        `arn:${byId(type, key, identifier).logical}`;
      expect(properties).toEqual(
        asCfnProperties(
          createTaskRequest(
            id,
            task,
            {
              sourceEndpointArn: arn(task.sourceEndpoint, 'AWS::DMS::Endpoint', 'EndpointIdentifier'),
              targetEndpointArn: arn(task.targetEndpoint, 'AWS::DMS::Endpoint', 'EndpointIdentifier'),
              replicationInstanceArn: arn(
                task.replicationInstance,
                'AWS::DMS::ReplicationInstance',
                'ReplicationInstanceIdentifier',
              ),
            },
            'staging',
          ),
        ),
      );
    }
    expect(stderr).toBe(
      "warning: endpoint orders-source: AWS::DMS::Endpoint's PostgreSqlSettings has no MapJsonbAsClob; left out of the template\n",
    );
  });

  it('holds no password: every endpoint that takes credentials reads them from a Secrets Manager parameter', () => {
    const text = readFileSync(join(work, 'plain', 'dms-tasks.yaml'), 'utf8');
    expect(text).not.toMatch(/Password/);
    expect(plain.Parameters.OrdersSourceEndpointSecretArn).not.toHaveProperty('Default');
    expect(plain.Parameters).not.toHaveProperty('LakeTargetEndpointSecretArn');
  });

  it('nests the scheduler per task with exactly the parameters template.yaml takes, the task ARN by Ref', () => {
    const scheduler = readCfnYaml(join(REPO_ROOT, 'template.yaml')) as Template;
    const required = Object.entries(scheduler.Parameters)
      .filter(([, declared]) => declared.Default === undefined)
      .map(([name]) => name);
    const applications = Object.entries(nested.Resources).filter(
      ([, resource]) => resource.Type === 'AWS::Serverless::Application',
    );
    expect(applications.map(([name]) => name).sort()).toEqual([
      'OrdersArchiveTaskScheduler',
      'OrdersTaskScheduler',
    ]);
    for (const [name, application] of applications) {
      const given = application.Properties.Parameters as Record<string, unknown>;
      for (const key of Object.keys(given)) expect(scheduler.Parameters).toHaveProperty(key);
      for (const key of required) expect(given).toHaveProperty(key);
      expect(given.ReplicationTaskArn).toEqual({ Ref: name.replace(/Scheduler$/, '') });
      expect(application.Properties.Location).toBe(
        relative(join(work, 'nested'), join(REPO_ROOT, 'template.yaml')),
      );
    }
    const archive = applications.find(([name]) => name === 'OrdersArchiveTaskScheduler')?.[1];
    expect((archive?.Properties.Parameters as Record<string, unknown>).MigrationRefreshType).toBe('cdc');
    expect(nested.Parameters.OrdersArchiveTaskScheduleOrOneTime?.Default).toBe('one-time');
    expect(nested.Parameters.OrdersArchiveTaskRefreshIndicator?.Default).toBe('data-migration');
  });

  it.runIf(hasMoto)(
    "on moto_server's CloudFormation: the stack is created with the staging parameters (moto skips AWS::DMS types)",
    async () => {
      if (moto === undefined) throw new Error('moto_server did not start');
      const cloudFormation = new CloudFormationClient(moto.clientConfig);
      try {
        await cloudFormation.send(
          new CreateStackCommand({
            StackName: 'dms-tasks-staging',
            TemplateBody: readFileSync(join(work, 'plain', 'dms-tasks.yaml'), 'utf8'),
            Parameters: Object.entries(PARAMETERS).map(([ParameterKey, ParameterValue]) => ({
              ParameterKey,
              ParameterValue,
            })),
          }),
        );
        const stack = (
          await cloudFormation.send(new DescribeStacksCommand({ StackName: 'dms-tasks-staging' }))
        ).Stacks?.[0];
        expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
        const echoed = Object.fromEntries(
          (stack?.Parameters ?? []).map((each) => [each.ParameterKey, each.ParameterValue]),
        );
        // moto echoes a CommaDelimitedList in Python's list syntax; the ids are what matter.
        expect(echoed.MainInstanceSecurityGroupIds).toMatch(/sg-0a1.*sg-0b2/);
        delete echoed.MainInstanceSecurityGroupIds;
        const { MainInstanceSecurityGroupIds: _list, ...given } = PARAMETERS;
        expect(echoed).toEqual({
          ...given,
          MainInstanceAllocatedStorage: '50',
          MainInstanceMultiAZ: 'false',
          OrdersSourceEndpointDatabaseName: 'orders',
          WarehouseTargetEndpointDatabaseName: 'warehouse',
        });
      } finally {
        cloudFormation.destroy();
      }
    },
  );
});
