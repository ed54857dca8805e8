// Configuration is read once at cold start: a missing or malformed variable must stop the function there,
// with the variable's name in the message, and the settings that are optional must behave as documented.
import { describe, expect, it } from 'vitest';
import { loadPostProcessorConfig, loadStarterConfig } from '#shared/config';
import { ConfigurationError } from '#shared/errors';

type Env = Record<string, string | undefined>;

const TASK_ARN = 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-alerts';
const SCHEDULE_RULE_ARN = 'arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-schedule';
const RECONCILE_RULE_ARN = 'arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-reconcile';

const STARTER_ENV: Env = {
  REPLICATION_TASK_ARN: TASK_ARN,
  REPLICATION_TASK_IDENTIFIER: 'nightly-refresh',
  MIGRATION_REFRESH_INDICATOR: 'data-refresh',
  MIGRATION_REFRESH_TYPE: 'full-load',
  SCHEDULE_OR_ONE_TIME: 'schedule',
  SCHEDULE_RULE_ARN,
  ALERTS_TOPIC_ARN: TOPIC_ARN,
  RUN_LEDGER_TABLE: 'dms-scheduler-runs',
};
const POST_PROCESSOR_ENV: Env = { ...STARTER_ENV, RECONCILE_RULE_ARN };

const ONE_TIME_CDC: Env = {
  MIGRATION_REFRESH_INDICATOR: 'data-migration',
  MIGRATION_REFRESH_TYPE: 'cdc',
  SCHEDULE_OR_ONE_TIME: 'one-time',
};

const loaders = [
  ['loadStarterConfig', loadStarterConfig, STARTER_ENV],
  ['loadPostProcessorConfig', loadPostProcessorConfig, POST_PROCESSOR_ENV],
] as const;

/** Rule ARNs the loaders refuse, as rows of the malformed-values tables: [variable, description, value, rule]. */
const malformedRuleArns = (name: string) =>
  [
    [name, 'a rule name, not an ARN', 'dms-scheduler-schedule'],
    [name, 'an SNS ARN', 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-schedule'],
    [name, 'the event bus ARN', 'arn:aws:events:us-east-1:123456789012:event-bus/default'],
    // Only rules on the default bus: a custom bus's rule ARN has the bus in its path.
    [name, 'a rule on a custom bus', 'arn:aws:events:us-east-1:123456789012:rule/ops-bus/nightly'],
    [name, 'a short account id', 'arn:aws:events:us-east-1:12345:rule/nightly'],
    [name, 'spaces in the name', 'arn:aws:events:us-east-1:123456789012:rule/rule with spaces'],
    [name, 'a 65-character name', `arn:aws:events:us-east-1:123456789012:rule/${'r'.repeat(65)}`],
    [name, 'no name', 'arn:aws:events:us-east-1:123456789012:rule/'],
  ].map(
    (row) => [...row, 'must be an EventBridge rule ARN (arn:aws:events:REGION:ACCOUNT:rule/NAME)'] as const,
  );

/** The ConfigurationError a load throws (fails the test if it throws anything else or nothing). */
function configurationError(load: () => unknown): ConfigurationError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError, but the configuration loaded');
}

describe('a valid environment', () => {
  it('loads the starter configuration', () => {
    expect(loadStarterConfig(STARTER_ENV)).toEqual({
      task: { arn: TASK_ARN, identifier: 'nightly-refresh' },
      members: [{ arn: TASK_ARN, identifier: 'nightly-refresh' }],
      group: undefined,
      mode: { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
      scheduleRule: { arn: SCHEDULE_RULE_ARN, name: 'dms-scheduler-schedule' },
      scheduleRuleName: 'dms-scheduler-schedule',
      alertsTopicArn: TOPIC_ARN,
      runLedgerTable: 'dms-scheduler-runs',
      ruleAfterFailure: 're-enable',
      startTypeOverride: undefined,
      cdcStart: {},
    });
  });

  it('loads the post-processor configuration with its defaults', () => {
    expect(loadPostProcessorConfig(POST_PROCESSOR_ENV)).toEqual({
      task: { arn: TASK_ARN, identifier: 'nightly-refresh' },
      members: [{ arn: TASK_ARN, identifier: 'nightly-refresh' }],
      group: undefined,
      mode: { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
      scheduleRule: { arn: SCHEDULE_RULE_ARN, name: 'dms-scheduler-schedule' },
      scheduleRuleName: 'dms-scheduler-schedule',
      alertsTopicArn: TOPIC_ARN,
      ruleAfterFailure: 're-enable',
      runLedgerTable: 'dms-scheduler-runs',
      reconcileRuleArn: RECONCILE_RULE_ARN,
      staleRunMs: 24 * 3600_000,
      targetDatabaseSecretArn: undefined,
      targetDatabase: {
        engine: undefined,
        host: undefined,
        port: undefined,
        database: undefined,
      },
      maskingSaltSecretArn: undefined,
      targetDatabaseTls: 'verify',
      notifyOnSuccess: 'off',
      successNoticeTopicArn: undefined,
    });
  });

  it.each([
    'arn:aws-cn:dms:cn-north-1:123456789012:task:ABC',
    'arn:aws-us-gov:dms:us-gov-west-1:123456789012:task:X-1',
    'arn:aws:dms:us-east-1:123456789012:replication-config:NIGHTLYSERVERLESS0000000000',
  ])('accepts a task or Serverless replication config ARN, in any partition (%s)', (arn) => {
    expect(loadStarterConfig({ ...STARTER_ENV, REPLICATION_TASK_ARN: arn }).task.arn).toBe(arn);
  });

  it.each([
    ['arn:aws-cn:events:cn-north-1:123456789012:rule/nightly', 'nightly'],
    ['arn:aws-us-gov:events:us-gov-west-1:123456789012:rule/nightly', 'nightly'],
    ['arn:aws:events:eu-west-1:123456789012:rule/Nightly.Refresh_2-a', 'Nightly.Refresh_2-a'],
    [`arn:aws:events:eu-west-1:123456789012:rule/${'r'.repeat(64)}`, 'r'.repeat(64)],
  ])('takes the schedule rule name from its ARN (%s)', (arn, name) => {
    const config = loadStarterConfig({ ...STARTER_ENV, SCHEDULE_RULE_ARN: arn });
    expect(config.scheduleRule).toEqual({ arn, name });
    expect(config.scheduleRuleName).toBe(name);
  });
});

describe.each(loaders)('%s: required variables', (_, load, env) => {
  const required = [
    'REPLICATION_TASK_ARN',
    'REPLICATION_TASK_IDENTIFIER',
    'MIGRATION_REFRESH_INDICATOR',
    'MIGRATION_REFRESH_TYPE',
    'SCHEDULE_OR_ONE_TIME',
    'ALERTS_TOPIC_ARN',
    'RUN_LEDGER_TABLE',
    ...(load === loadPostProcessorConfig ? ['RECONCILE_RULE_ARN'] : []),
  ];

  it.each(required)('refuses a missing %s, naming it', (name) => {
    const error = configurationError(() => load({ ...env, [name]: undefined }));
    expect(error.message).toContain(`${name} is not set`);
  });

  it.each(required)('treats an empty %s as not set', (name) => {
    const error = configurationError(() => load({ ...env, [name]: '' }));
    expect(error.message).toContain(`${name} is not set`);
  });

  it('names every missing variable at once', () => {
    const error = configurationError(() => load({}));
    for (const name of required) expect(error.message).toContain(name);
  });

  it('requires SCHEDULE_RULE_ARN in schedule mode', () => {
    const error = configurationError(() => load({ ...env, SCHEDULE_RULE_ARN: undefined }));
    expect(error.message).toContain('SCHEDULE_RULE_ARN is not set');
    expect(configurationError(() => load({ ...env, SCHEDULE_RULE_ARN: '' })).message).toContain(
      'SCHEDULE_RULE_ARN is not set',
    );
  });

  it.each([
    ['set', SCHEDULE_RULE_ARN],
    ['unset', undefined],
    ['empty', ''],
  ])('ignores SCHEDULE_RULE_ARN in one-time mode (%s)', (_description, value) => {
    const config = load({ ...env, ...ONE_TIME_CDC, SCHEDULE_RULE_ARN: value });
    expect(config.scheduleRule).toBeUndefined();
    expect(config.scheduleRuleName).toBeUndefined();
  });

  it('no longer reads SCHEDULE_RULE_NAME', () => {
    const config = load({ ...env, SCHEDULE_RULE_NAME: 'another-rule' });
    expect(config.scheduleRuleName).toBe('dms-scheduler-schedule');
    expect(
      configurationError(() => load({ ...env, SCHEDULE_RULE_ARN: undefined, SCHEDULE_RULE_NAME: 'x' }))
        .message,
    ).toContain('SCHEDULE_RULE_ARN is not set');
  });

  it.each([
    ['re-enable', 're-enable'],
    ['keep-disabled', 'keep-disabled'],
    [undefined, 're-enable'],
    ['', 're-enable'],
  ])('RULE_AFTER_FAILURE=%j gives %j', (value, expected) => {
    expect(load({ ...env, RULE_AFTER_FAILURE: value }).ruleAfterFailure).toBe(expected);
  });

  it('reads RUN_LEDGER_TABLE', () => {
    expect(load({ ...env, RUN_LEDGER_TABLE: 'staging.dms_runs-2' }).runLedgerTable).toBe(
      'staging.dms_runs-2',
    );
  });
});

describe.each(loaders)('%s: malformed values', (_, load, env) => {
  it.each([
    ['REPLICATION_TASK_ARN', 'an identifier, not an ARN', 'nightly-refresh', 'must be a DMS task ARN'],
    [
      'REPLICATION_TASK_ARN',
      'an endpoint ARN',
      'arn:aws:dms:us-east-1:123456789012:endpoint:ABC',
      'must be a DMS task ARN',
    ],
    [
      'REPLICATION_TASK_ARN',
      'a replication instance ARN',
      'arn:aws:dms:us-east-1:123456789012:rep:ABC',
      'or a DMS Serverless replication config ARN',
    ],
    [
      'REPLICATION_TASK_ARN',
      'a short account id',
      'arn:aws:dms:us-east-1:12345:task:ABC',
      'must be a DMS task ARN',
    ],
    ['REPLICATION_TASK_IDENTIFIER', 'a leading digit', '1nightly', 'must be a DMS task identifier'],
    ['REPLICATION_TASK_IDENTIFIER', 'a double hyphen', 'nightly--refresh', 'must be a DMS task identifier'],
    ['REPLICATION_TASK_IDENTIFIER', 'a trailing hyphen', 'nightly-refresh-', 'must be a DMS task identifier'],
    ['REPLICATION_TASK_IDENTIFIER', 'an underscore', 'nightly_refresh', 'must be a DMS task identifier'],
    ['REPLICATION_TASK_IDENTIFIER', '256 characters', `a${'b'.repeat(255)}`, 'must be a DMS task identifier'],
    ['MIGRATION_REFRESH_INDICATOR', 'an unknown indicator', 'data-copy', 'data-refresh'],
    ['MIGRATION_REFRESH_TYPE', 'an unknown migration type', 'full_load', 'full-load-and-cdc'],
    ['SCHEDULE_OR_ONE_TIME', 'an unknown cadence', 'daily', 'one-time'],
    ...malformedRuleArns('SCHEDULE_RULE_ARN'),
    [
      'ALERTS_TOPIC_ARN',
      'an SQS ARN',
      'arn:aws:sqs:us-east-1:123456789012:alerts',
      'must be an SNS topic ARN',
    ],
    ['RUN_LEDGER_TABLE', 'a space', 'runs table', 'must be a DynamoDB table name'],
    ['RUN_LEDGER_TABLE', 'two characters', 'ab', 'must be a DynamoDB table name'],
    ['RULE_AFTER_FAILURE', 'an unknown policy', 'ignore', 'keep-disabled'],
  ])('refuses %s with %s, naming the variable and the rule', (name, _description, value, rule) => {
    const error = configurationError(() => load({ ...env, [name]: value }));
    expect(error.message).toContain(name);
    expect(error.message).toContain(rule);
    expect(error.message).not.toContain('is not set');
  });

  it('refuses an unsupported mode combination, naming the broken rule', () => {
    const error = configurationError(() =>
      load({ ...env, MIGRATION_REFRESH_INDICATOR: 'data-refresh', MIGRATION_REFRESH_TYPE: 'cdc' }),
    );
    expect(error.message).toContain('data-refresh / cdc / schedule');
    expect(error.message).toContain('MigrationRefreshType must be full-load');
  });
});

describe('loadStarterConfig: start type and CDC start', () => {
  it.each([
    ['auto', undefined],
    ['', undefined],
    [undefined, undefined],
    ['start-replication', 'start-replication'],
    ['reload-target', 'reload-target'],
    ['resume-processing', 'resume-processing'],
  ])('START_TYPE_OVERRIDE=%j gives %j', (value, expected) => {
    expect(loadStarterConfig({ ...STARTER_ENV, START_TYPE_OVERRIDE: value }).startTypeOverride).toBe(
      expected,
    );
  });

  it('refuses an unknown START_TYPE_OVERRIDE, naming it', () => {
    const error = configurationError(() =>
      loadStarterConfig({ ...STARTER_ENV, START_TYPE_OVERRIDE: 'reload-everything' }),
    );
    expect(error.message).toContain('START_TYPE_OVERRIDE');
  });

  it('parses CDC_START_TIME into a Date', () => {
    const config = loadStarterConfig({
      ...STARTER_ENV,
      ...ONE_TIME_CDC,
      CDC_START_TIME: '2026-11-23T01:30:00+02:00',
    });
    expect(config.cdcStart).toEqual({ time: new Date('2026-11-22T23:30:00Z') });
  });

  it('passes CDC_START_POSITION through as it is', () => {
    const position = 'checkpoint:V1#27#mysql-bin-changelog.157832:1975:-1:2002:677883278264080';
    const config = loadStarterConfig({ ...STARTER_ENV, ...ONE_TIME_CDC, CDC_START_POSITION: position });
    expect(config.cdcStart).toEqual({ position });
  });

  it.each([
    'yesterday',
    '2026-13-01T00:00:00Z',
    '1700000000',
  ])('refuses CDC_START_TIME=%j, naming it', (value) => {
    const error = configurationError(() => loadStarterConfig({ ...STARTER_ENV, CDC_START_TIME: value }));
    expect(error.message).toContain('CDC_START_TIME must be an ISO-8601 date-time');
  });

  it('refuses a CDC_START_POSITION longer than 1024 characters, naming it', () => {
    const error = configurationError(() =>
      loadStarterConfig({ ...STARTER_ENV, CDC_START_POSITION: 'x'.repeat(1025) }),
    );
    expect(error.message).toContain('CDC_START_POSITION');
  });

  it('refuses CDC_START_TIME and CDC_START_POSITION together, naming both', () => {
    const error = configurationError(() =>
      loadStarterConfig({
        ...STARTER_ENV,
        ...ONE_TIME_CDC,
        CDC_START_TIME: '2026-11-23T00:00:00Z',
        CDC_START_POSITION: 'mysql-bin-changelog.000024:373',
      }),
    );
    expect(error.message).toContain('CDC_START_TIME');
    expect(error.message).toContain('CDC_START_POSITION');
  });

  it('treats empty CDC variables as unset, so an empty one does not count as "both"', () => {
    const config = loadStarterConfig({
      ...STARTER_ENV,
      ...ONE_TIME_CDC,
      CDC_START_TIME: '',
      CDC_START_POSITION: 'mysql-bin-changelog.000024:373',
    });
    expect(config.cdcStart).toEqual({ position: 'mysql-bin-changelog.000024:373' });
    expect(
      loadStarterConfig({ ...STARTER_ENV, CDC_START_TIME: '', CDC_START_POSITION: '' }).cdcStart,
    ).toEqual({});
  });
});

describe('loadPostProcessorConfig: hook settings', () => {
  const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/target-AbCdEf';
  const SALT = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/masking-salt-XyZ123';

  it('reads the target database secret, the masking salt secret and the TLS mode', () => {
    const config = loadPostProcessorConfig({
      ...POST_PROCESSOR_ENV,
      TARGET_DATABASE_SECRET_ARN: SECRET,
      MASKING_SALT_SECRET_ARN: SALT,
      TARGET_DATABASE_TLS: 'require',
    });
    expect(config.targetDatabaseSecretArn).toBe(SECRET);
    expect(config.maskingSaltSecretArn).toBe(SALT);
    expect(config.targetDatabaseTls).toBe('require');
  });

  it('treats empty secret ARNs (unset stack parameters) as unset, and TLS as verify', () => {
    const config = loadPostProcessorConfig({
      ...POST_PROCESSOR_ENV,
      TARGET_DATABASE_SECRET_ARN: '',
      MASKING_SALT_SECRET_ARN: '',
      TARGET_DATABASE_TLS: '',
    });
    expect(config.targetDatabaseSecretArn).toBeUndefined();
    expect(config.maskingSaltSecretArn).toBeUndefined();
    expect(config.targetDatabaseTls).toBe('verify');
  });

  it.each([
    ['TARGET_DATABASE_SECRET_ARN', 'staging/target'],
    ['MASKING_SALT_SECRET_ARN', 'arn:aws:s3:::bucket/salt'],
    // A partial ARN (no suffix): the role's policy names the full ARN, so reading it would be denied.
    ['TARGET_DATABASE_SECRET_ARN', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/target'],
    ['MASKING_SALT_SECRET_ARN', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/masking-salt'],
    ['MASKING_SALT_SECRET_ARN', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:salt-AbC'],
    ['TARGET_DATABASE_TLS', 'insecure'],
  ])('refuses a malformed %s, naming it', (name, value) => {
    const error = configurationError(() => loadPostProcessorConfig({ ...POST_PROCESSOR_ENV, [name]: value }));
    expect(error.message).toContain(name);
  });

  it('says a secret ARN must be the full one, with its suffix', () => {
    const error = configurationError(() =>
      loadPostProcessorConfig({
        ...POST_PROCESSOR_ENV,
        TARGET_DATABASE_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/target',
      }),
    );
    expect(error.message).toContain(
      'TARGET_DATABASE_SECRET_ARN must be the full Secrets Manager secret ARN, with its 6-character suffix',
    );
  });

  it('no longer reads HOOKS: hooks come from the hooks configuration', () => {
    const config = loadPostProcessorConfig({ ...POST_PROCESSOR_ENV, HOOKS: 'Not A Hook;' });
    expect(config).not.toHaveProperty('hookNames');
  });
});

describe('loadPostProcessorConfig: the target database', () => {
  // The master secret RDS manages for a cluster (ManageMasterUserPassword): its name starts with "rds!".
  const RDS_MANAGED =
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-AbCdEf';
  const load = (env: Env) => loadPostProcessorConfig({ ...POST_PROCESSOR_ENV, ...env });

  it('accepts the full ARN of a secret RDS manages (rds!…)', () => {
    expect(load({ TARGET_DATABASE_SECRET_ARN: RDS_MANAGED }).targetDatabaseSecretArn).toBe(RDS_MANAGED);
    const instance =
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-Z9y8X7';
    expect(load({ TARGET_DATABASE_SECRET_ARN: instance }).targetDatabaseSecretArn).toBe(instance);
  });

  it.each([
    ['a partial ARN (no suffix)', RDS_MANAGED.slice(0, -'-AbCdEf'.length)],
    ['a short suffix', `${RDS_MANAGED.slice(0, -'-AbCdEf'.length)}-AbC`],
    [
      '"!" elsewhere in the name',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:staging!target-AbCdEf',
    ],
    [
      '"rds!" not at the start',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x/rds!cluster-1-AbCdEf',
    ],
  ])('refuses an RDS-managed secret ARN with %s, naming the variable', (_, value) => {
    const error = configurationError(() => load({ TARGET_DATABASE_SECRET_ARN: value }));
    expect(error.message).toContain(
      'TARGET_DATABASE_SECRET_ARN must be the full Secrets Manager secret ARN, with its 6-character suffix',
    );
  });

  it('keeps refusing "rds!" for the masking salt, which is a secret created by hand', () => {
    const error = configurationError(() => load({ MASKING_SALT_SECRET_ARN: RDS_MANAGED }));
    expect(error.message).toContain('MASKING_SALT_SECRET_ARN');
  });

  it('reads the engine, host, port and database name the secret may lack', () => {
    const config = load({
      TARGET_DATABASE_SECRET_ARN: RDS_MANAGED,
      TARGET_DATABASE_ENGINE: 'aurora-postgresql',
      TARGET_DATABASE_HOST: 'staging.cluster-abc123.eu-west-1.rds.amazonaws.com',
      TARGET_DATABASE_PORT: '5432',
      TARGET_DATABASE_NAME: 'app',
    });
    expect(config.targetDatabase).toEqual({
      engine: 'aurora-postgresql',
      host: 'staging.cluster-abc123.eu-west-1.rds.amazonaws.com',
      port: 5432,
      database: 'app',
    });
  });

  it('treats empty settings (unset stack parameters) as unset', () => {
    const config = load({
      TARGET_DATABASE_ENGINE: '',
      TARGET_DATABASE_HOST: '',
      TARGET_DATABASE_PORT: '',
      TARGET_DATABASE_NAME: '',
    });
    expect(config.targetDatabase).toEqual({
      engine: undefined,
      host: undefined,
      port: undefined,
      database: undefined,
    });
  });

  it.each([
    'postgres',
    'postgresql',
    'aurora-postgresql',
    'mysql',
    'mariadb',
    'aurora',
    'aurora-mysql',
  ])('accepts the engine %s, as the secret format names it', (engine) => {
    expect(load({ TARGET_DATABASE_ENGINE: engine }).targetDatabase.engine).toBe(engine);
  });

  it.each([
    ['1', 1],
    ['3306', 3306],
    ['65535', 65535],
  ])('accepts TARGET_DATABASE_PORT=%j', (value, port) => {
    expect(load({ TARGET_DATABASE_PORT: value }).targetDatabase.port).toBe(port);
  });

  it.each([
    '10.0.12.34',
    'db',
    'staging.cluster-abc123.eu-west-1.rds.amazonaws.com',
    'proxy-1.proxy-abc.us-east-1.rds.amazonaws.com',
  ])('accepts the host %s', (host) => {
    expect(load({ TARGET_DATABASE_HOST: host }).targetDatabase.host).toBe(host);
  });

  it.each([
    ['TARGET_DATABASE_ENGINE', 'oracle', 'must be one of postgres, postgresql, aurora-postgresql, mysql'],
    ['TARGET_DATABASE_ENGINE', 'Postgres', 'must be one of'],
    ['TARGET_DATABASE_PORT', '0', 'must be a port number, 1 to 65535'],
    ['TARGET_DATABASE_PORT', '65536', 'must be a port number, 1 to 65535'],
    ['TARGET_DATABASE_PORT', '-1', 'must be a port number, 1 to 65535'],
    ['TARGET_DATABASE_PORT', '5432.5', 'must be a port number, 1 to 65535'],
    ['TARGET_DATABASE_PORT', '05432', 'must be a port number, 1 to 65535'],
    ['TARGET_DATABASE_PORT', 'postgres', 'must be a port number, 1 to 65535'],
    ['TARGET_DATABASE_HOST', 'postgres://db.example.com', 'must be a host name or IPv4 address'],
    [
      'TARGET_DATABASE_HOST',
      'db.example.com:5432',
      'must be a host name or IPv4 address, with no scheme, port or path',
    ],
    [
      'TARGET_DATABASE_HOST',
      'db.example.com/app',
      'must be a host name or IPv4 address, with no scheme, port or path',
    ],
    [
      'TARGET_DATABASE_HOST',
      'user@db.example.com',
      'must be a host name or IPv4 address, with no scheme, port or path',
    ],
    ['TARGET_DATABASE_HOST', 'db .example.com', 'must be a host name'],
    ['TARGET_DATABASE_HOST', '-db.example.com', 'must be a host name'],
    ['TARGET_DATABASE_HOST', 'db..example.com', 'must be a host name'],
    ['TARGET_DATABASE_HOST', `${'a'.repeat(64)}.example.com`, 'must be a host name'],
    ['TARGET_DATABASE_HOST', Array.from({ length: 64 }, () => 'abc').join('.'), 'must be a host name'],
    ['TARGET_DATABASE_NAME', 'd'.repeat(65), 'must be at most 64 characters'],
  ])('refuses %s=%j, naming the variable', (name, value, rule) => {
    const error = configurationError(() => load({ [name]: value }));
    expect(error.message).toContain(`${name} ${rule}`);
    expect(error.message).not.toContain('is not set');
  });

  it('accepts a database name of exactly 64 characters', () => {
    expect(load({ TARGET_DATABASE_NAME: 'd'.repeat(64) }).targetDatabase.database).toBe('d'.repeat(64));
  });

  it('names every malformed setting at once', () => {
    const error = configurationError(() =>
      load({ TARGET_DATABASE_ENGINE: 'oracle', TARGET_DATABASE_PORT: '0', TARGET_DATABASE_HOST: 'a/b' }),
    );
    for (const name of ['TARGET_DATABASE_ENGINE', 'TARGET_DATABASE_PORT', 'TARGET_DATABASE_HOST']) {
      expect(error.message).toContain(name);
    }
  });
});

describe('loadPostProcessorConfig: the reconcile rule and stuck runs', () => {
  it('requires RECONCILE_RULE_ARN in one-time mode too', () => {
    const error = configurationError(() =>
      loadPostProcessorConfig({ ...POST_PROCESSOR_ENV, ...ONE_TIME_CDC, RECONCILE_RULE_ARN: undefined }),
    );
    expect(error.message).toContain('RECONCILE_RULE_ARN is not set');
    expect(loadPostProcessorConfig({ ...POST_PROCESSOR_ENV, ...ONE_TIME_CDC }).reconcileRuleArn).toBe(
      RECONCILE_RULE_ARN,
    );
  });

  it.each(
    malformedRuleArns('RECONCILE_RULE_ARN'),
  )('refuses %s with %s, naming the variable and the rule', (name, _description, value, rule) => {
    const error = configurationError(() => loadPostProcessorConfig({ ...POST_PROCESSOR_ENV, [name]: value }));
    expect(error.message).toContain(`${name} ${rule}`);
  });

  it('the starter does not read RECONCILE_RULE_ARN', () => {
    expect(loadStarterConfig({ ...STARTER_ENV, RECONCILE_RULE_ARN: 'not an ARN' })).not.toHaveProperty(
      'reconcileRuleArn',
    );
  });

  it.each([
    [undefined, 24],
    ['', 24],
    ['1', 1],
    ['24', 24],
    ['720', 720],
  ])('STALE_RUN_HOURS=%j gives %j hours', (value, hours) => {
    expect(loadPostProcessorConfig({ ...POST_PROCESSOR_ENV, STALE_RUN_HOURS: value }).staleRunMs).toBe(
      hours * 3600_000,
    );
  });

  it.each([
    ['0', 'must be a whole number of hours, 1 to 720'],
    ['-5', 'must be a whole number of hours, 1 to 720'],
    ['721', 'must be a whole number of hours, 1 to 720'],
    ['abc', 'must be a whole number of hours, 1 to 720'],
    ['24h', 'must be a whole number of hours, 1 to 720'],
    ['0x10', 'must be a whole number of hours, 1 to 720'],
    ['1e1', 'must be a whole number of hours, 1 to 720'],
    ['1.5', 'must be a whole number of hours, 1 to 720'],
  ])('refuses STALE_RUN_HOURS=%j, naming it', (value, rule) => {
    const error = configurationError(() =>
      loadPostProcessorConfig({ ...POST_PROCESSOR_ENV, STALE_RUN_HOURS: value }),
    );
    expect(error.message).toContain('STALE_RUN_HOURS');
    expect(error.message).toContain(rule);
    expect(error.message).not.toContain('is not set');
  });
});

describe('loadPostProcessorConfig: success notices', () => {
  const SUCCESS_TOPIC = 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-success';

  it.each([
    [undefined, undefined, 'off', undefined],
    ['', '', 'off', undefined],
    ['off', SUCCESS_TOPIC, 'off', undefined],
    ['alerts-topic', '', 'alerts-topic', TOPIC_ARN],
    // Only success-topic sends to the success topic, whatever else is passed.
    ['alerts-topic', SUCCESS_TOPIC, 'alerts-topic', TOPIC_ARN],
    ['success-topic', SUCCESS_TOPIC, 'success-topic', SUCCESS_TOPIC],
  ])('NOTIFY_ON_SUCCESS=%j with SUCCESS_TOPIC_ARN=%j sends %j to %j', (setting, topic, expected, arn) => {
    const config = loadPostProcessorConfig({
      ...POST_PROCESSOR_ENV,
      NOTIFY_ON_SUCCESS: setting,
      SUCCESS_TOPIC_ARN: topic,
    });
    expect(config.notifyOnSuccess).toBe(expected);
    expect(config.successNoticeTopicArn).toBe(arn);
  });

  it('refuses an unknown setting, naming the variable and the values it takes', () => {
    const error = configurationError(() =>
      loadPostProcessorConfig({ ...POST_PROCESSOR_ENV, NOTIFY_ON_SUCCESS: 'always' }),
    );
    expect(error.message).toContain('NOTIFY_ON_SUCCESS must be one of off, alerts-topic, success-topic');
  });

  it('refuses success-topic without a topic, naming both variables', () => {
    const error = configurationError(() =>
      loadPostProcessorConfig({ ...POST_PROCESSOR_ENV, NOTIFY_ON_SUCCESS: 'success-topic' }),
    );
    expect(error.message).toContain('SUCCESS_TOPIC_ARN is not set');
    expect(error.message).toContain('NOTIFY_ON_SUCCESS is success-topic');
  });

  it('refuses a success topic that is not an SNS topic ARN, naming it', () => {
    const error = configurationError(() =>
      loadPostProcessorConfig({
        ...POST_PROCESSOR_ENV,
        NOTIFY_ON_SUCCESS: 'success-topic',
        SUCCESS_TOPIC_ARN: 'arn:aws:sqs:us-east-1:123456789012:success',
      }),
    );
    expect(error.message).toContain('SUCCESS_TOPIC_ARN must be an SNS topic ARN');
  });
});

describe('a run group', () => {
  const GROUP_ENV: Env = {
    ...STARTER_ENV,
    REPLICATION_TASK_ARN: `${TASK_ARN},arn:aws:dms:us-east-1:123456789012:task:SECONDTASK`,
    REPLICATION_TASK_IDENTIFIER: 'nightly-refresh,second-refresh',
    RUN_GROUP_NAME: 'nightly',
  };

  it('refuses an S3 target folder with a ConfigurationError naming the setting', () => {
    const error = configurationError(() =>
      loadStarterConfig({
        ...GROUP_ENV,
        S3_TARGET_FOLDER_TEMPLATE: 'exports/{yyyy}/{MM}/{dd}',
        TASK_REPLICATION_INSTANCE_ARN: 'arn:aws:dms:us-east-1:123456789012:rep:INSTANCE',
        TASK_TARGET_ENDPOINT_ARN: 'arn:aws:dms:us-east-1:123456789012:endpoint:TARGET',
      }),
    );
    expect(error.message).toContain(
      "S3_TARGET_FOLDER_TEMPLATE is set, but it prepares one task's target endpoint and this stack runs a group of tasks",
    );
  });
});
