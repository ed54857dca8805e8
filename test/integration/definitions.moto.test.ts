// Task definitions as code, end to end against moto_server, through the real program (a child process) and
// the real DMS adapter: `export` from one account, `import` into another (STS AssumeRole into a second moto
// account: moto keys each assumed role's credentials to the account in its role ARN), export again and
// compare; `--plan` and a repeated import send no changing call; `--prune` removes exactly what the import
// made; `--start` tests connections and then starts; passwords planted in the source reach no file.
// moto lacks ModifyEndpoint, ModifyReplicationInstance, ModifyReplicationTask and AddTagsToResource: updates
// are planned here (shown by --plan) and carried out in test/unit/definitions/dms-account.test.ts instead.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEndpointCommand,
  type CreateEndpointMessage,
  CreateReplicationInstanceCommand,
  CreateReplicationTaskCommand,
  DatabaseMigrationServiceClient,
  DescribeEndpointsCommand,
  DescribeReplicationInstancesCommand,
  DescribeReplicationTasksCommand,
  ListTagsForResourceCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_TAG, PASSWORD_PLACEHOLDER } from '../../shared/definitions/model.ts';
import { type ProgramResult, runProgram } from '../support/run-program.ts';
import {
  acceptMotoDmsTimestamps,
  MOTO_ACCOUNT_ID,
  motoServerFor,
  type RunningMotoServer,
  startMotoServer,
} from './moto-server.ts';

const motoServerPath = motoServerFor('definitions.moto');

const PRELOAD = ['./test/integration/moto-dms-preload.ts', './test/integration/dms-call-log-preload.ts'];
const TARGET_ACCOUNT = '222222222222';
const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/dms-promoter`;
/** Planted in the source account; no exported file may contain any of them. */
const PLANTED = [
  'Planted-Top-Pa55word',
  'Planted-Settings-Secret',
  'Planted-Eca-Secret',
  'Planted-Mongo-Secret',
];
const SOURCE_SECRET = `arn:aws:secretsmanager:us-east-1:${MOTO_ACCOUNT_ID}:secret:orders-target-AbCdEf`;
const TARGET_SECRET = `arn:aws:secretsmanager:us-east-1:${TARGET_ACCOUNT}:secret:orders-target-stg-XyZ123`;
const READ_CALLS = new Set([
  'DescribeEndpoints',
  'DescribeReplicationInstances',
  'DescribeReplicationTasks',
  'ListTagsForResource',
  'DescribeConnections',
]);

const selectAll = (schema: string) => ({
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

describe.runIf(motoServerPath !== undefined)(
  'export and import of task definitions against moto_server',
  () => {
    let moto: RunningMotoServer | undefined;
    let work: string;
    let source: DatabaseMigrationServiceClient;
    let target: DatabaseMigrationServiceClient;
    const folder = () => join(work, 'definitions');
    const overrides = () => join(work, 'overrides.yaml');
    const callLog = () => join(work, 'calls.log');

    function env(extra: Record<string, string> = {}): Record<string, string> {
      return {
        PATH: process.env.PATH ?? '',
        HOME: work,
        AWS_ENDPOINT_URL: moto?.endpoint ?? '',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'moto-test-key',
        AWS_SECRET_ACCESS_KEY: 'moto-test-secret',
        AWS_CONFIG_FILE: join(work, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(work, 'credentials'),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        DMS_CALL_LOG: callLog(),
        ...extra,
      };
    }
    const program = (args: readonly string[], extra: Record<string, string> = {}): Promise<ProgramResult> => {
      writeFileSync(callLog(), '');
      return runProgram(args, { env: env(extra), preload: PRELOAD });
    };
    const calls = () => readFileSync(callLog(), 'utf8').split('\n').filter(Boolean);
    const changingCalls = () => calls().filter((call) => !READ_CALLS.has(call));
    const withPassword = {
      DMS_SCHEDULER_PASSWORD_ORDERS_SOURCE: 'target-pw',
      DMS_SCHEDULER_PASSWORD_CUSTOMERS_SOURCE: 'target-pw',
    };
    const importArgs = (dir = folder()) => [
      'import',
      '--dir',
      dir,
      '--env',
      'staging',
      '--overrides',
      overrides(),
      '--role-arn',
      TARGET_ROLE,
    ];

    async function inventory(client: DatabaseMigrationServiceClient) {
      const endpoints = (await client.send(new DescribeEndpointsCommand({}))).Endpoints ?? [];
      const instances =
        (await client.send(new DescribeReplicationInstancesCommand({}))).ReplicationInstances ?? [];
      const tasks = (await client.send(new DescribeReplicationTasksCommand({}))).ReplicationTasks ?? [];
      return {
        endpoints: endpoints.map((each) => each.EndpointIdentifier).sort(),
        instances: instances.map((each) => each.ReplicationInstanceIdentifier).sort(),
        tasks: tasks.map((each) => `${each.ReplicationTaskIdentifier}:${each.Status}`).sort(),
      };
    }

    beforeAll(async () => {
      if (motoServerPath === undefined) throw new Error('moto_server not on PATH');
      moto = await startMotoServer(motoServerPath);
      work = mkdtempSync(join(tmpdir(), 'dms-scheduler-definitions-'));
      source = new DatabaseMigrationServiceClient(moto.clientConfig);
      acceptMotoDmsTimestamps(source);
      const sts = new STSClient(moto.clientConfig);
      const assumed = await sts.send(
        new AssumeRoleCommand({ RoleArn: TARGET_ROLE, RoleSessionName: 'test' }),
      );
      sts.destroy();
      target = new DatabaseMigrationServiceClient({
        ...moto.clientConfig,
        credentials: {
          accessKeyId: assumed.Credentials?.AccessKeyId ?? '',
          secretAccessKey: assumed.Credentials?.SecretAccessKey ?? '',
          sessionToken: assumed.Credentials?.SessionToken ?? '',
        },
      });
      acceptMotoDmsTimestamps(target);

      // The source ("dev") account: two promoted tasks sharing a target and an instance, and one that is not.
      const instance = await source.send(
        new CreateReplicationInstanceCommand({
          ReplicationInstanceIdentifier: 'dev-main',
          ReplicationInstanceClass: 'dms.t3.medium',
          AllocatedStorage: 50,
          MultiAZ: false,
        }),
      );
      const endpoint = async (input: CreateEndpointMessage) =>
        (await source.send(new CreateEndpointCommand(input))).Endpoint?.EndpointArn ?? '';
      const ordersSource = await endpoint({
        EndpointIdentifier: 'dev-orders-source',
        EndpointType: 'source',
        EngineName: 'postgres',
        ServerName: 'orders.dev.internal',
        Port: 5432,
        DatabaseName: 'orders',
        Username: 'dms',
        Password: PLANTED[0],
        ExtraConnectionAttributes: `heartbeatFrequency=5;password=${PLANTED[2]}`,
        PostgreSQLSettings: { HeartbeatEnable: true, Password: PLANTED[1], SlotName: 'dms_orders' },
      });
      const customersSource = await endpoint({
        EndpointIdentifier: 'dev-customers-source',
        EndpointType: 'source',
        EngineName: 'mongodb',
        ServerName: 'customers.dev.internal',
        Port: 27017,
        DatabaseName: 'customers',
        Username: 'dms',
        MongoDbSettings: { AuthType: 'password', Password: PLANTED[3], NestingLevel: 'none' },
      });
      const sharedTarget = await endpoint({
        EndpointIdentifier: 'dev-warehouse-target',
        EndpointType: 'target',
        EngineName: 'postgres',
        DatabaseName: 'warehouse',
        PostgreSQLSettings: {
          SecretsManagerSecretId: SOURCE_SECRET,
          SecretsManagerAccessRoleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/dms-secrets`,
        },
      });
      const task = (id: string, sourceArn: string, schema: string, promote: boolean) =>
        source.send(
          new CreateReplicationTaskCommand({
            ReplicationTaskIdentifier: id,
            SourceEndpointArn: sourceArn,
            TargetEndpointArn: sharedTarget,
            ReplicationInstanceArn: instance.ReplicationInstance?.ReplicationInstanceArn,
            MigrationType: 'full-load',
            TableMappings: JSON.stringify(selectAll(schema)),
            ReplicationTaskSettings: JSON.stringify({
              TargetMetadata: { SupportLobs: true, LobMaxSize: 32 },
              FullLoadSettings: { TargetTablePrepMode: 'DROP_AND_CREATE' },
              Logging: {
                EnableLogging: true,
                LogComponents: [{ Id: 'SOURCE_UNLOAD', Severity: 'LOGGER_SEVERITY_DEFAULT' }],
                CloudWatchLogGroup: `dms-tasks-${id}`,
                CloudWatchLogStream: 'dms-task-ABCDEF123',
              },
            }),
            Tags: promote ? [{ Key: 'promote', Value: 'yes' }] : [{ Key: 'promote', Value: 'no' }],
          }),
        );
      await task('dev-orders', ordersSource, 'public', true);
      await task('dev-customers', customersSource, 'crm', true);
      await task('dev-adhoc', ordersSource, 'scratch', false);
      // A task whose settings hold a section these rules do not know (as a newer DMS might answer).
      await source.send(
        new CreateReplicationTaskCommand({
          ReplicationTaskIdentifier: 'dev-odd',
          SourceEndpointArn: ordersSource,
          TargetEndpointArn: sharedTarget,
          ReplicationInstanceArn: instance.ReplicationInstance?.ReplicationInstanceArn,
          MigrationType: 'cdc',
          TableMappings: JSON.stringify(selectAll('odd')),
          ReplicationTaskSettings: JSON.stringify({ FutureSettings: { Enabled: true } }),
        }),
      );

      // The target ("staging") account already has an endpoint made by hand: no import may touch it.
      await target.send(
        new CreateEndpointCommand({
          EndpointIdentifier: 'stg-legacy',
          EndpointType: 'source',
          EngineName: 'mysql',
          ServerName: 'legacy',
          Port: 3306,
          Username: 'x',
          Password: 'x',
        }),
      );
      writeFileSync(
        overrides(),
        [
          'staging:',
          '  namePrefix: stg-',
          '  endpoints:',
          '    orders-source:',
          '      server: orders.staging.internal',
          '    warehouse-target:',
          `      secretArn: ${TARGET_SECRET}`,
          `      secretAccessRoleArn: arn:aws:iam::${TARGET_ACCOUNT}:role/dms-secrets`,
          '  replicationInstances:',
          '    main:',
          '      class: dms.r5.large',
          '',
        ].join('\n'),
      );
    });

    afterAll(async () => {
      source?.destroy();
      target?.destroy();
      await moto?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('export --tag writes tm-/rts- per task and one manifest, without account-specific fields', async () => {
      const result = await program([
        'export',
        '--tag',
        'promote=yes',
        '--out',
        folder(),
        '--strip-prefix',
        'dev-',
      ]);
      expect(result.code).toBe(0);
      expect(readdirSync(folder()).sort()).toEqual([
        'manifest.json',
        'rts-customers.json',
        'rts-orders.json',
        'tm-customers.json',
        'tm-orders.json',
      ]);
      const manifest = JSON.parse(readFileSync(join(folder(), 'manifest.json'), 'utf8'));
      expect(manifest.tasks).toEqual({
        customers: {
          migrationType: 'full-load',
          sourceEndpoint: 'customers-source',
          targetEndpoint: 'warehouse-target',
          replicationInstance: 'main',
        },
        orders: {
          migrationType: 'full-load',
          sourceEndpoint: 'orders-source',
          targetEndpoint: 'warehouse-target',
          replicationInstance: 'main',
        },
      });
      expect(manifest.replicationInstances).toEqual({
        main: { class: 'dms.t3.medium', allocatedStorage: 50, multiAz: false },
      });
      expect(manifest.endpoints['orders-source']).toEqual({
        type: 'source',
        engine: 'postgres',
        server: 'orders.dev.internal',
        port: 5432,
        database: 'orders',
        username: 'dms',
        extraConnectionAttributes: 'heartbeatFrequency=5',
        auth: { kind: 'password', password: PASSWORD_PLACEHOLDER },
        settings: { PostgreSQLSettings: { HeartbeatEnable: true, SlotName: 'dms_orders' } },
      });
      expect(manifest.endpoints['warehouse-target'].auth).toEqual({
        kind: 'secrets-manager',
        secretArn: SOURCE_SECRET,
        accessRoleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/dms-secrets`,
      });
      const settings = JSON.parse(readFileSync(join(folder(), 'rts-orders.json'), 'utf8'));
      expect(settings.Logging).toEqual({
        EnableLogging: true,
        LogComponents: [{ Id: 'SOURCE_UNLOAD', Severity: 'LOGGER_SEVERITY_DEFAULT' }],
      });
      expect(JSON.parse(readFileSync(join(folder(), 'tm-orders.json'), 'utf8'))).toEqual(selectAll('public'));
      expect(JSON.stringify(manifest)).not.toMatch(/arn:aws:dms|"Status"|creating/);
      expect(result.stderr).toContain(
        'warning: endpoint dev-orders-source: uses an inline password; exported with a placeholder',
      );
      expect(result.stderr).toContain('DMS_SCHEDULER_PASSWORD_ORDERS_SOURCE');
    });

    it('export --task checks what it wrote as import will, and warns of what import would refuse', async () => {
      const odd = join(work, 'odd');
      const result = await program(['export', '--task', 'dev-odd', '--out', odd]);
      expect(result.code).toBe(0);
      expect(readdirSync(odd).sort()).toEqual(['manifest.json', 'rts-dev-odd.json', 'tm-dev-odd.json']);
      expect(result.stderr).toContain(
        'warning: import will refuse rts-dev-odd.json $.FutureSettings: unknown key (known: TargetMetadata,',
      );
      const missing = await program(['export', '--task', 'dev-none', '--out', odd]);
      expect(missing).toMatchObject({ code: 4, stdout: '' });
      expect(missing.stderr).toBe(
        'dms-scheduler: no replication task dev-none in this account and region; nothing was written\n',
      );
    });

    it('no file export writes holds a planted password or secret value, and the warnings name none either', async () => {
      const result = await program([
        'export',
        '--tag',
        'promote=yes',
        '--out',
        folder(),
        '--strip-prefix',
        'dev-',
      ]);
      expect(result.code).toBe(0);
      const everything = readdirSync(folder())
        .map((file) => readFileSync(join(folder(), file), 'utf8'))
        .join('\n');
      for (const secret of PLANTED) {
        expect(everything).not.toContain(secret);
        expect(result.stdout + result.stderr).not.toContain(secret);
      }
      expect(result.stderr).toContain('left out PostgreSQLSettings.Password');
      expect(result.stderr).toContain('left out MongoDbSettings.Password');
      expect(result.stderr).toContain('left out ExtraConnectionAttributes.password');
    });

    it('import --plan lists every change, sends no changing call, and changes nothing', async () => {
      const before = await inventory(target);
      const result = await program([...importArgs(), '--plan']);
      expect(result.code).toBe(0);
      expect(result.stdout.trimEnd().split('\n')).toEqual([
        'Plan for environment staging:',
        '  + create  endpoint              stg-customers-source',
        '  + create  endpoint              stg-orders-source',
        '  + create  endpoint              stg-warehouse-target',
        '  + create  replication-instance  stg-main',
        '  + create  task                  stg-customers',
        '  + create  task                  stg-orders',
        '6 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged.',
      ]);
      expect(result.stderr).toContain('set DMS_SCHEDULER_PASSWORD_ORDERS_SOURCE');
      expect(changingCalls()).toEqual([]);
      expect(calls()).toContain('DescribeEndpoints');
      expect(await inventory(target)).toEqual(before);
    });

    it('refuses (4) before any change when a password it must create an endpoint with is missing', async () => {
      const result = await program(importArgs());
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(
        /needs passwords it does not have \(nothing was changed\): endpoint stg-customers-source: set DMS_SCHEDULER_PASSWORD_CUSTOMERS_SOURCE/,
      );
      expect(changingCalls()).toEqual([]);
    });

    it('import creates everything in the target account, tagged, with the overrides applied', async () => {
      const result = await program(importArgs(), withPassword);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('created task stg-orders');
      expect(result.stderr).toContain('Done: 6 created, 0 updated, 0 replaced, 0 deleted, 0 unchanged.');
      expect(changingCalls()).toEqual([
        'CreateEndpoint',
        'CreateEndpoint',
        'CreateEndpoint',
        'CreateReplicationInstance',
        'CreateReplicationTask',
        'CreateReplicationTask',
      ]);
      expect(await inventory(target)).toEqual({
        endpoints: ['stg-customers-source', 'stg-legacy', 'stg-orders-source', 'stg-warehouse-target'],
        instances: ['stg-main'],
        tasks: ['stg-customers:creating', 'stg-orders:creating'],
      });
      const endpoints = (await target.send(new DescribeEndpointsCommand({}))).Endpoints ?? [];
      const byId = (id: string) => endpoints.find((each) => each.EndpointIdentifier === id);
      expect(byId('stg-orders-source')?.ServerName).toBe('orders.staging.internal');
      expect(byId('stg-warehouse-target')?.PostgreSQLSettings?.SecretsManagerSecretId).toBe(TARGET_SECRET);
      const instance = (await target.send(new DescribeReplicationInstancesCommand({})))
        .ReplicationInstances?.[0];
      expect(instance?.ReplicationInstanceClass).toBe('dms.r5.large');
      const tags = await target.send(
        new ListTagsForResourceCommand({ ResourceArn: byId('stg-orders-source')?.EndpointArn }),
      );
      expect(tags.TagList?.map(({ Key, Value }) => ({ Key, Value }))).toEqual([
        { Key: IMPORT_TAG, Value: 'staging' },
      ]);
      // The source account is as it was.
      expect((await inventory(source)).tasks).toEqual([
        'dev-adhoc:creating',
        'dev-customers:creating',
        'dev-odd:creating',
        'dev-orders:creating',
      ]);
    });

    it('a second import of the same folder is a no-op: every item unchanged, no changing call', async () => {
      const before = await inventory(target);
      const result = await program(importArgs(), withPassword);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('0 to create, 0 to update, 0 to replace, 0 to delete, 6 unchanged.');
      expect(result.stderr).toContain('Nothing to change: the account already matches the folder.');
      expect(changingCalls()).toEqual([]);
      expect(await inventory(target)).toEqual(before);
    });

    it('round trip: exporting the target gives the folder back, changed exactly by the overrides', async () => {
      const again = join(work, 'again');
      const result = await program([
        'export',
        '--tag',
        `${IMPORT_TAG}=staging`,
        '--out',
        again,
        '--strip-prefix',
        'stg-',
        '--role-arn',
        TARGET_ROLE,
      ]);
      expect(result.code).toBe(0);
      const read = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
      for (const file of ['tm-orders.json', 'tm-customers.json', 'rts-orders.json', 'rts-customers.json']) {
        expect(read(again, file)).toEqual(read(folder(), file));
      }
      const expected = read(folder(), 'manifest.json');
      expected.endpoints['orders-source'].server = 'orders.staging.internal';
      expected.endpoints['warehouse-target'].auth = {
        kind: 'secrets-manager',
        secretArn: TARGET_SECRET,
        accessRoleArn: `arn:aws:iam::${TARGET_ACCOUNT}:role/dms-secrets`,
      };
      expected.replicationInstances.main.class = 'dms.r5.large';
      expect(read(again, 'manifest.json')).toEqual(expected);
    });

    it('--plan shows an edited table mapping as an update of that task alone', async () => {
      const edited = join(work, 'edited');
      cpSync(folder(), edited, { recursive: true });
      const mappings = selectAll('public');
      mappings.rules.push({
        ...mappings.rules[0],
        'rule-id': '2',
        'rule-name': 'audit',
        'object-locator': { 'schema-name': 'audit', 'table-name': '%' },
      } as (typeof mappings.rules)[0]);
      writeFileSync(join(edited, 'tm-orders.json'), JSON.stringify(mappings));
      const result = await program([...importArgs(edited), '--plan']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('  ~ update  task                  stg-orders (tableMappings)\n');
      expect(result.stdout).toContain('0 to create, 1 to update, 0 to replace, 0 to delete, 5 unchanged.');
      expect(changingCalls()).toEqual([]);
      const json = await program([...importArgs(edited), '--plan', '--json']);
      expect(json.code).toBe(0);
      const document = JSON.parse(json.stdout);
      expect(Object.keys(document)).toEqual([
        'kind',
        'version',
        'dryRun',
        'env',
        'items',
        'conflicts',
        'applied',
        'start',
      ]);
      expect(document).toMatchObject({
        kind: 'import',
        version: 1,
        dryRun: true,
        env: 'staging',
        conflicts: [],
        applied: false,
        start: null,
      });
      expect(document.items).toContainEqual({
        action: 'update',
        kind: 'task',
        id: 'stg-orders',
        arn: expect.stringMatching(/^arn:aws:dms:us-east-1:222222222222:task:/),
        changes: ['tableMappings'],
      });
      expect(changingCalls()).toEqual([]);
    });

    it('--start tests each instance-endpoint pair, then starts the tasks with the start type they need', async () => {
      // moto leaves a new task in `creating` for good (real DMS moves it to `ready`); one start and stop brings
      // it to `stopped`, a state DMS starts from. Waiting out `creating` is tested against a mocked DMS.
      for (const task of (await target.send(new DescribeReplicationTasksCommand({}))).ReplicationTasks ??
        []) {
        await target.send(
          new StartReplicationTaskCommand({
            ReplicationTaskArn: task.ReplicationTaskArn,
            StartReplicationTaskType: 'start-replication',
          }),
        );
        await target.send(new StopReplicationTaskCommand({ ReplicationTaskArn: task.ReplicationTaskArn }));
      }
      const result = await program([...importArgs(), '--start'], withPassword);
      expect(result.code).toBe(0);
      expect(changingCalls()).toEqual([
        'TestConnection',
        'TestConnection',
        'TestConnection',
        'StartReplicationTask',
        'StartReplicationTask',
      ]);
      expect(result.stderr).toContain('connection stg-main -> stg-orders-source: successful');
      expect(result.stderr).toContain('connection stg-main -> stg-warehouse-target: successful');
      expect(result.stderr).toMatch(/started stg-orders with reload-target/);
      expect((await inventory(target)).tasks).toEqual(['stg-customers:running', 'stg-orders:running']);
      for (const task of (await target.send(new DescribeReplicationTasksCommand({}))).ReplicationTasks ??
        []) {
        await target.send(new StopReplicationTaskCommand({ ReplicationTaskArn: task.ReplicationTaskArn }));
      }
    });

    it('another environment cannot take over what staging imported: refused (4), nothing changed', async () => {
      const qa = join(work, 'qa-overrides.json');
      writeFileSync(qa, JSON.stringify({ qa: { namePrefix: 'stg-' } }));
      const result = await program(
        ['import', '--dir', folder(), '--env', 'qa', '--overrides', qa, '--role-arn', TARGET_ROLE],
        withPassword,
      );
      expect(result.code).toBe(4);
      expect(result.stdout).toContain(
        '! refused endpoint stg-orders-source: an endpoint named stg-orders-source belongs to the import of environment staging, not qa',
      );
      expect(changingCalls()).toEqual([]);
    });

    it('--prune deletes what staging imported and the folder dropped, and nothing else', async () => {
      const smaller = join(work, 'smaller');
      cpSync(folder(), smaller, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(smaller, 'manifest.json'), 'utf8'));
      delete manifest.tasks.customers;
      delete manifest.endpoints['customers-source'];
      writeFileSync(join(smaller, 'manifest.json'), JSON.stringify(manifest));
      rmSync(join(smaller, 'tm-customers.json'));
      rmSync(join(smaller, 'rts-customers.json'));
      const result = await program([...importArgs(smaller), '--prune'], withPassword);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('  - delete  task                  stg-customers\n');
      expect(result.stdout).toContain('  - delete  endpoint              stg-customers-source\n');
      expect(changingCalls()).toEqual(['DeleteReplicationTask', 'DeleteEndpoint']);
      expect(await inventory(target)).toEqual({
        endpoints: ['stg-legacy', 'stg-orders-source', 'stg-warehouse-target'],
        instances: ['stg-main'],
        tasks: ['stg-orders:stopped'],
      });
    });

    it('--prune with a folder of no tasks removes exactly what the import created: the hand-made endpoint stays', async () => {
      const empty = join(work, 'empty');
      cpSync(folder(), empty, { recursive: true });
      for (const file of readdirSync(empty)) if (file !== 'manifest.json') rmSync(join(empty, file));
      writeFileSync(
        join(empty, 'manifest.json'),
        JSON.stringify({
          kind: 'dms-scheduler/definitions',
          version: 1,
          endpoints: {},
          replicationInstances: {},
          tasks: {},
        }),
      );
      writeFileSync(join(work, 'empty-overrides.json'), JSON.stringify({ staging: { namePrefix: 'stg-' } }));
      const result = await program([
        'import',
        '--dir',
        empty,
        '--env',
        'staging',
        '--overrides',
        join(work, 'empty-overrides.json'),
        '--role-arn',
        TARGET_ROLE,
        '--prune',
      ]);
      expect(result.code).toBe(0);
      expect(changingCalls()).toEqual([
        'DeleteReplicationTask',
        'DeleteEndpoint',
        'DeleteEndpoint',
        'DeleteReplicationInstance',
      ]);
      expect(await inventory(target)).toEqual({ endpoints: ['stg-legacy'], instances: [], tasks: [] });
      expect((await inventory(source)).endpoints).toEqual([
        'dev-customers-source',
        'dev-orders-source',
        'dev-warehouse-target',
      ]);
    });

    it('a folder that breaks DMS rules is a usage error (2) naming file and JSON path, before any call', async () => {
      const broken = join(work, 'broken');
      cpSync(folder(), broken, { recursive: true });
      writeFileSync(
        join(broken, 'tm-orders.json'),
        JSON.stringify({
          rules: [
            {
              'rule-type': 'selection',
              'rule-id': '1',
              'rule-name': 'all',
              'object-locator': { 'schema-name': 'public' },
              'rule-action': 'keep',
            },
          ],
        }),
      );
      writeFileSync(join(broken, 'rts-customers.json'), JSON.stringify({ FullLoadSetings: {} }));
      const result = await program(importArgs(broken), withPassword);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        'tm-orders.json $.rules[0]["object-locator"]["table-name"]: is required',
      );
      expect(result.stderr).toContain(
        'tm-orders.json $.rules[0]["rule-action"]: "keep" is not one of include, exclude, explicit',
      );
      expect(result.stderr).toContain('rts-customers.json $.FullLoadSetings: unknown key');
      expect(calls()).toEqual([]);
    });
  },
);
