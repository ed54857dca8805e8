// What an export keeps: the task's own fields, in the folder's account-neutral terms. Every secret value DMS
// may echo (the top-level password never, but engine settings and connection attributes can) is removed and
// named in a warning without its value; a Secrets Manager reference is lifted out of the engine's settings;
// the CloudWatch log group and stream DMS names after the task's resource id are dropped.
import type { Endpoint } from '@aws-sdk/client-database-migration-service';
import { describe, expect, it } from 'vitest';
import { PASSWORD_PLACEHOLDER } from '#shared/definitions/model';
import { normaliseEndpoint, normaliseInstance, normaliseTask } from '#shared/definitions/normalise';
import { scrubExtraConnectionAttributes, scrubSettings } from '#shared/definitions/secrets';

describe('normaliseEndpoint', () => {
  it('keeps an inline-password endpoint with a placeholder, without any secret value, and warns by name', () => {
    const endpoint: Endpoint = {
      EndpointIdentifier: 'dev-orders',
      EndpointArn: 'arn:aws:dms:us-east-1:123456789012:endpoint:ABC',
      EndpointType: 'source',
      EngineName: 'mongodb',
      ServerName: 'db.dev',
      Port: 27017,
      DatabaseName: 'orders',
      Username: 'dms',
      Status: 'active',
      KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1',
      CertificateArn: 'arn:aws:dms:us-east-1:123456789012:cert:X',
      ExtraConnectionAttributes: 'a=1;PASSWORD=leak-1;b=2',
      MongoDbSettings: {
        Password: 'leak-2',
        AuthType: 'password',
        ServerName: 'db.dev',
        Port: 27017,
        NestingLevel: 'one',
      },
    };
    const { value, warnings } = normaliseEndpoint(endpoint, 'orders');
    expect(value).toEqual({
      type: 'source',
      engine: 'mongodb',
      server: 'db.dev',
      port: 27017,
      database: 'orders',
      username: 'dms',
      extraConnectionAttributes: 'a=1;b=2',
      auth: { kind: 'password', password: PASSWORD_PLACEHOLDER },
      settings: { MongoDbSettings: { AuthType: 'password', NestingLevel: 'one' } },
    });
    const text = JSON.stringify(value) + warnings.join('\n');
    expect(text).not.toContain('leak-');
    expect(warnings).toEqual([
      'endpoint dev-orders: left out MongoDbSettings.Password (secret values are never written)',
      'endpoint dev-orders: uses an inline password; exported with a placeholder (give it a secretArn in the overrides, or set DMS_SCHEDULER_PASSWORD_ORDERS at import)',
      'endpoint dev-orders: left out CertificateArn (it belongs to the source account)',
      'endpoint dev-orders: left out ExtraConnectionAttributes.PASSWORD (secret values are never written)',
    ]);
  });

  it("lifts the Secrets Manager reference out of the engine block; server, port and user are the secret's", () => {
    const { value, warnings } = normaliseEndpoint({
      EndpointIdentifier: 'dw',
      EndpointType: 'target',
      EngineName: 'aurora-postgresql',
      ServerName: 'from-the-secret',
      Port: 5432,
      Username: 'from-the-secret',
      DatabaseName: 'dw',
      PostgreSQLSettings: {
        SecretsManagerSecretId: 'arn:aws:secretsmanager:us-east-1:1:secret:dw',
        SecretsManagerAccessRoleArn: 'arn:aws:iam::1:role/read',
        DatabaseName: 'dw',
        HeartbeatEnable: false,
      },
    });
    expect(value).toEqual({
      type: 'target',
      engine: 'aurora-postgresql',
      database: 'dw',
      auth: {
        kind: 'secrets-manager',
        secretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:dw',
        accessRoleArn: 'arn:aws:iam::1:role/read',
      },
      settings: { PostgreSQLSettings: { HeartbeatEnable: false } },
    });
    expect(warnings).toEqual([]);
  });

  it('an endpoint that takes no credentials (S3) has auth none and keeps its settings', () => {
    const { value } = normaliseEndpoint({
      EndpointIdentifier: 'lake',
      EndpointType: 'target',
      EngineName: 's3',
      S3Settings: { BucketName: 'lake', EncryptPassword: true } as never,
    });
    expect(value).toEqual({
      type: 'target',
      engine: 's3',
      auth: { kind: 'none' },
      settings: { S3Settings: { BucketName: 'lake', EncryptPassword: true } },
    });
  });
});

describe('scrubbing', () => {
  it('removes nested secret keys and keeps boolean flags named like them', () => {
    expect(
      scrubSettings(
        { Kafka: { SaslPassword: 'x', SslClientKeyPassword: 'y', Broker: 'b' }, EncryptPassword: true },
        'KafkaSettings',
      ),
    ).toEqual({
      value: { Kafka: { Broker: 'b' }, EncryptPassword: true },
      removed: ['KafkaSettings.Kafka.SaslPassword', 'KafkaSettings.Kafka.SslClientKeyPassword'],
    });
    expect(
      scrubSettings({ SecurityDbEncryption: 'tde', SecurityDbEncryptionName: 'name' }, 'OracleSettings')
        .value,
    ).toEqual({ SecurityDbEncryptionName: 'name' });
  });

  it('removes password attributes from connection attributes', () => {
    expect(scrubExtraConnectionAttributes('x=1; password = y;z=2')).toEqual({
      value: 'x=1;z=2',
      removed: ['ExtraConnectionAttributes.password'],
    });
  });
});

describe('normaliseInstance and normaliseTask', () => {
  it('keeps class, storage, version, Multi-AZ, access and subnet group; nothing account-specific', () => {
    expect(
      normaliseInstance({
        ReplicationInstanceIdentifier: 'main',
        ReplicationInstanceArn: 'arn:aws:dms:us-east-1:1:rep:X',
        ReplicationInstanceClass: 'dms.r5.large',
        AllocatedStorage: 100,
        EngineVersion: '3.5.3',
        MultiAZ: true,
        PubliclyAccessible: false,
        AvailabilityZone: 'us-east-1a',
        VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1', Status: 'active' }],
        ReplicationSubnetGroup: { ReplicationSubnetGroupIdentifier: 'private' },
        KmsKeyId: 'arn:aws:kms:x',
      }),
    ).toEqual({
      class: 'dms.r5.large',
      allocatedStorage: 100,
      engineVersion: '3.5.3',
      multiAz: true,
      publiclyAccessible: false,
      subnetGroup: 'private',
    });
  });

  it.each([
    ['default'],
    ['default-vpc-0a1b2c3d'],
  ])('leaves out the subnet group DMS made for a VPC (%s)', (name) => {
    expect(
      normaliseInstance({
        ReplicationInstanceClass: 'dms.t3.micro',
        ReplicationSubnetGroup: { ReplicationSubnetGroupIdentifier: name },
      }),
    ).toEqual({ class: 'dms.t3.micro' });
  });

  it('parses mappings and settings, and drops the CloudWatch log group and stream', () => {
    const task = normaliseTask({
      MigrationType: 'cdc',
      TableMappings: '{"rules":[]}',
      ReplicationTaskSettings: JSON.stringify({
        Logging: {
          EnableLogging: true,
          CloudWatchLogGroup: 'dms-tasks-x',
          CloudWatchLogStream: 'dms-task-X',
        },
        TargetMetadata: {},
      }),
    });
    expect(task).toEqual({
      migrationType: 'cdc',
      tableMappings: { rules: [] },
      settings: { Logging: { EnableLogging: true }, TargetMetadata: {} },
    });
  });
});
