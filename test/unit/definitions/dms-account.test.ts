// The DMS adapter and the import's write path over it, with a mocked DMS client: the calls moto_server does
// not implement (ModifyEndpoint, ModifyReplicationInstance, ModifyReplicationTask) are checked here against
// the SDK's request shapes, with the waits real DMS needs (an instance `creating` until `available`, a
// deleted task listed until it is gone, a connection `testing` until DMS decides, a new task `creating`
// before it can start), pagination by Marker and tags read in batches of ARNs.
import {
  CreateReplicationInstanceCommand,
  DatabaseMigrationServiceClient,
  DeleteReplicationTaskCommand,
  DescribeConnectionsCommand,
  DescribeEndpointsCommand,
  DescribeReplicationInstancesCommand,
  DescribeReplicationTasksCommand,
  ListTagsForResourceCommand,
  ModifyEndpointCommand,
  ModifyReplicationInstanceCommand,
  ModifyReplicationTaskCommand,
  StartReplicationTaskCommand,
  TestConnectionCommand,
} from '@aws-sdk/client-database-migration-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AccountState } from '#shared/definitions/account';
import { applyPlan } from '#shared/definitions/apply';
import { desiredState } from '#shared/definitions/desired-state';
import { DmsAccount, DmsWaitError } from '#shared/definitions/dms-account';
import { plan } from '#shared/definitions/plan';
import { testAndStart } from '#shared/definitions/start';
import { DmsTaskControl } from '#shared/dms/dms-task-control';
import { rejection } from '../../support/rejection.ts';

const dms = mockClient(DatabaseMigrationServiceClient);
const client = new DatabaseMigrationServiceClient({ region: 'us-east-1' });
const sleeps: number[] = [];
const wait = { attempts: 4, intervalMs: 7, sleep: async (ms: number) => void sleeps.push(ms) };
const account = new DmsAccount(client, wait);

const mappings = {
  rules: [
    {
      'rule-type': 'selection',
      'rule-id': '1',
      'rule-name': 'a',
      'object-locator': { 'schema-name': 'a', 'table-name': '%' },
      'rule-action': 'include',
    },
  ],
};
const folder = {
  endpoints: {
    src: {
      type: 'source' as const,
      engine: 'postgres',
      server: 'db.stg',
      port: 5432,
      database: 'app',
      username: 'dms',
      auth: { kind: 'password' as const, password: 'placeholder' },
    },
    dst: {
      type: 'target' as const,
      engine: 'mysql',
      database: 'dw',
      auth: {
        kind: 'secrets-manager' as const,
        secretArn: 'arn:aws:secretsmanager:us-east-1:2:secret:dw',
        accessRoleArn: 'arn:aws:iam::2:role/read',
      },
    },
  },
  replicationInstances: {
    main: { class: 'dms.r5.large', allocatedStorage: 100, securityGroupIds: ['sg-1'] },
  },
  tasks: {
    orders: {
      migrationType: 'full-load' as const,
      sourceEndpoint: 'src',
      targetEndpoint: 'dst',
      replicationInstance: 'main',
      tableMappings: mappings,
      settings: { Logging: { EnableLogging: true } },
    },
  },
};

beforeEach(() => {
  dms.reset();
  sleeps.length = 0;
});

describe('updates (what moto_server cannot do)', () => {
  it("sends ModifyEndpoint, ModifyReplicationInstance (applied now) and ModifyReplicationTask with the folder's values", async () => {
    const desired = desiredState(folder, 'stg', {});
    const actual: AccountState = {
      endpoints: new Map([
        [
          'src',
          { arn: 'arn:src', importEnv: 'stg', definition: { ...folder.endpoints.src, server: 'db.old' } },
        ],
        [
          'dst',
          {
            arn: 'arn:dst',
            importEnv: 'stg',
            definition: { ...folder.endpoints.dst, auth: { kind: 'secrets-manager', secretArn: 'arn:old' } },
          },
        ],
      ]),
      replicationInstances: new Map([
        [
          'main',
          {
            arn: 'arn:main',
            importEnv: 'stg',
            definition: { class: 'dms.t3.medium', allocatedStorage: 100 },
          },
        ],
      ]),
      tasks: new Map([
        [
          'orders',
          {
            arn: 'arn:orders',
            importEnv: 'stg',
            status: 'stopped',
            sourceEndpoint: 'src',
            targetEndpoint: 'dst',
            replicationInstance: 'main',
            definition: { migrationType: 'full-load', tableMappings: { rules: [] } },
          },
        ],
      ]),
    };
    const made = plan(desired, actual, { prune: false });
    expect(made.items.map((item) => item.action)).toEqual(['update', 'update', 'update', 'update']);
    dms.onAnyCommand().resolves({});
    await applyPlan(
      made,
      desired,
      actual,
      account,
      () => 'never-sent',
      () => {},
    );
    expect(dms).toHaveReceivedCommandWith(ModifyEndpointCommand, {
      EndpointArn: 'arn:src',
      EndpointType: 'source',
      EngineName: 'postgres',
      ServerName: 'db.stg',
      Port: 5432,
      DatabaseName: 'app',
      Username: 'dms',
    });
    // A password cannot be read back to compare: a modify never sends one.
    expect(dms.commandCalls(ModifyEndpointCommand).map((call) => 'Password' in call.args[0].input)).toEqual([
      false,
      false,
    ]);
    expect(dms).toHaveReceivedCommandWith(ModifyEndpointCommand, {
      EndpointArn: 'arn:dst',
      MySQLSettings: {
        SecretsManagerSecretId: 'arn:aws:secretsmanager:us-east-1:2:secret:dw',
        SecretsManagerAccessRoleArn: 'arn:aws:iam::2:role/read',
      },
    });
    expect(dms).toHaveReceivedCommandWith(ModifyReplicationInstanceCommand, {
      ReplicationInstanceArn: 'arn:main',
      ReplicationInstanceClass: 'dms.r5.large',
      AllocatedStorage: 100,
      ApplyImmediately: true,
      VpcSecurityGroupIds: ['sg-1'],
    });
    expect(dms).toHaveReceivedCommandWith(ModifyReplicationTaskCommand, {
      ReplicationTaskArn: 'arn:orders',
      MigrationType: 'full-load',
      TableMappings: JSON.stringify(mappings),
      ReplicationTaskSettings: '{"Logging":{"EnableLogging":true}}',
    });
  });
});

describe('waits', () => {
  it('creates an instance and returns only once DMS says it is available', async () => {
    dms
      .on(CreateReplicationInstanceCommand)
      .resolves({ ReplicationInstance: { ReplicationInstanceArn: 'arn:main' } });
    dms
      .on(DescribeReplicationInstancesCommand)
      .resolvesOnce({
        ReplicationInstances: [{ ReplicationInstanceArn: 'arn:main', ReplicationInstanceStatus: 'creating' }],
      })
      .resolvesOnce({
        ReplicationInstances: [{ ReplicationInstanceArn: 'arn:main', ReplicationInstanceStatus: 'creating' }],
      })
      .resolves({
        ReplicationInstances: [
          { ReplicationInstanceArn: 'arn:main', ReplicationInstanceStatus: 'available' },
        ],
      });
    expect(
      await account.createReplicationInstance({
        ReplicationInstanceIdentifier: 'main',
        ReplicationInstanceClass: 'dms.t3.medium',
      }),
    ).toBe('arn:main');
    expect(dms).toHaveReceivedCommandTimes(DescribeReplicationInstancesCommand, 3);
    expect(sleeps).toEqual([7, 7]);
  });

  it('gives up with DmsWaitError when the instance never becomes available', async () => {
    dms
      .on(CreateReplicationInstanceCommand)
      .resolves({ ReplicationInstance: { ReplicationInstanceArn: 'arn:main' } });
    dms.on(DescribeReplicationInstancesCommand).resolves({
      ReplicationInstances: [{ ReplicationInstanceArn: 'arn:main', ReplicationInstanceStatus: 'creating' }],
    });
    const error = await rejection(
      account.createReplicationInstance({
        ReplicationInstanceIdentifier: 'main',
        ReplicationInstanceClass: 'dms.t3.medium',
      }),
    );
    expect(error).toBeInstanceOf(DmsWaitError);
    expect((error as Error).message).toBe(
      'gave up waiting for replication instance main to be available after 4 reads',
    );
  });

  it('deletes a task and returns once DMS no longer lists it (its endpoints can go after)', async () => {
    dms.on(DeleteReplicationTaskCommand).resolves({});
    dms
      .on(DescribeReplicationTasksCommand)
      .resolvesOnce({ ReplicationTasks: [{ ReplicationTaskArn: 'arn:t', Status: 'deleting' }] })
      .rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundFault' }));
    await account.deleteTask('arn:t');
    expect(dms).toHaveReceivedCommandTimes(DescribeReplicationTasksCommand, 2);
  });

  it('tests a connection until DMS decides, and reports a failure with its message', async () => {
    dms.on(TestConnectionCommand).resolves({});
    dms
      .on(DescribeConnectionsCommand)
      .resolvesOnce({
        Connections: [{ EndpointArn: 'arn:e', ReplicationInstanceArn: 'arn:i', Status: 'testing' }],
      })
      .resolves({
        Connections: [
          {
            EndpointArn: 'arn:e',
            ReplicationInstanceArn: 'arn:i',
            Status: 'failed',
            LastFailureMessage: 'timeout connecting to db.stg:5432',
          },
        ],
      });
    expect(await account.testConnection('arn:i', 'arn:e')).toEqual({
      ok: false,
      message: 'timeout connecting to db.stg:5432',
    });
  });
});

describe('reading', () => {
  it('follows Marker through every page', async () => {
    dms
      .on(DescribeEndpointsCommand)
      .resolvesOnce({ Endpoints: [{ EndpointIdentifier: 'a' }], Marker: 'm1' })
      .resolves({ Endpoints: [{ EndpointIdentifier: 'b' }] });
    expect((await account.endpoints()).map((each) => each.EndpointIdentifier)).toEqual(['a', 'b']);
    expect(dms).toHaveReceivedNthCommandWith(DescribeEndpointsCommand, 2, { Marker: 'm1' });
  });

  it('reads tags in batches of 20 ARNs; an ARN without tags maps to {}', async () => {
    const arns = Array.from({ length: 25 }, (_, index) => `arn:${index}`);
    dms.on(ListTagsForResourceCommand).callsFake((input: { ResourceArnList: string[] }) => ({
      TagList: input.ResourceArnList.filter((arn) => arn !== 'arn:3').map((arn) => ({
        ResourceArn: arn,
        Key: 'k',
        Value: arn,
      })),
    }));
    const tags = await account.tags(arns);
    expect(dms).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 2);
    expect(tags.get('arn:24')).toEqual({ k: 'arn:24' });
    expect(tags.get('arn:3')).toEqual({});
  });
});

describe('--start', () => {
  const desired = desiredState(folder, 'stg', {});
  const arnOf = new Map([
    ['src', 'arn:src'],
    ['dst', 'arn:dst'],
    ['main', 'arn:main'],
    ['orders', 'arn:orders'],
  ]);
  const control = new DmsTaskControl(client);

  it("waits out a new task's `creating`, then starts it for the first time", async () => {
    dms.on(TestConnectionCommand).resolves({});
    dms.on(DescribeConnectionsCommand).callsFake((input: { Filters: { Values: string[] }[] }) => ({
      Connections: [
        {
          EndpointArn: input.Filters[0]?.Values[0],
          ReplicationInstanceArn: 'arn:main',
          Status: 'successful',
        },
      ],
    }));
    dms
      .on(DescribeReplicationTasksCommand)
      .resolvesOnce({
        ReplicationTasks: [
          {
            ReplicationTaskArn: 'arn:orders',
            ReplicationTaskIdentifier: 'orders',
            Status: 'creating',
            MigrationType: 'full-load',
          },
        ],
      })
      .resolves({
        ReplicationTasks: [
          {
            ReplicationTaskArn: 'arn:orders',
            ReplicationTaskIdentifier: 'orders',
            Status: 'ready',
            MigrationType: 'full-load',
          },
        ],
      });
    dms.on(StartReplicationTaskCommand).resolves({});
    const lines: string[] = [];
    const outcome = await testAndStart(desired, arnOf, account, control, (line) => lines.push(line), wait);
    expect(outcome.started).toEqual([{ task: 'orders', startType: 'start-replication' }]);
    expect(dms).toHaveReceivedCommandWith(StartReplicationTaskCommand, {
      ReplicationTaskArn: 'arn:orders',
      StartReplicationTaskType: 'start-replication',
    });
    expect(lines).toEqual([
      'connection main -> src: successful',
      'connection main -> dst: successful',
      'started orders with start-replication (first run of the task)',
    ]);
  });

  it('a task in a state DMS does not start from is reported, not started, and not waited for', async () => {
    dms.on(TestConnectionCommand).resolves({});
    dms.on(DescribeConnectionsCommand).callsFake((input: { Filters: { Values: string[] }[] }) => ({
      Connections: [
        {
          EndpointArn: input.Filters[0]?.Values[0],
          ReplicationInstanceArn: 'arn:main',
          Status: 'successful',
        },
      ],
    }));
    dms.on(DescribeReplicationTasksCommand).resolves({
      ReplicationTasks: [
        {
          ReplicationTaskArn: 'arn:orders',
          ReplicationTaskIdentifier: 'orders',
          Status: 'failed-move',
          MigrationType: 'full-load',
        },
      ],
    });
    const outcome = await testAndStart(desired, arnOf, account, control, () => {}, wait);
    expect(outcome.started).toEqual([]);
    expect(outcome.notStarted).toEqual([
      {
        task: 'orders',
        reason:
          'task orders cannot be started: moving the task failed; fix or move it again before starting it (status failed-move)',
      },
    ]);
    expect(dms).toHaveReceivedCommandTimes(DescribeReplicationTasksCommand, 1);
    expect(dms).not.toHaveReceivedCommand(StartReplicationTaskCommand);
  });

  it('starts nothing when one connection test fails', async () => {
    dms.on(TestConnectionCommand).resolves({});
    dms.on(DescribeConnectionsCommand).callsFake((input: { Filters: { Values: string[] }[] }) => {
      const endpoint = input.Filters[0]?.Values[0];
      return {
        Connections: [
          {
            EndpointArn: endpoint,
            ReplicationInstanceArn: 'arn:main',
            Status: endpoint === 'arn:dst' ? 'failed' : 'successful',
            LastFailureMessage: 'access denied',
          },
        ],
      };
    });
    const outcome = await testAndStart(desired, arnOf, account, control, () => {}, wait);
    expect(outcome).toEqual({
      connections: [
        { instance: 'main', endpoint: 'src', ok: true },
        { instance: 'main', endpoint: 'dst', ok: false, message: 'access denied' },
      ],
      started: [],
      notStarted: [],
    });
    expect(dms).not.toHaveReceivedCommand(StartReplicationTaskCommand);
    expect(dms).not.toHaveReceivedCommand(DescribeReplicationTasksCommand);
  });
});
