// Why this file exists: DMS keeps a Secrets Manager reference (SecretsManagerSecretId and the role that reads
// it) inside the engine's own settings block, whose name depends on the engine (`PostgreSQLSettings` for
// postgres and aurora-postgresql...). Export lifts the reference out of it, import and generate put it back:
// all three agree on the engine-to-block table here.

/** Every engine-specific settings block of an endpoint, under its API name. */
export const SETTINGS_BLOCKS = [
  'DynamoDbSettings',
  'S3Settings',
  'DmsTransferSettings',
  'MongoDbSettings',
  'KinesisSettings',
  'KafkaSettings',
  'ElasticsearchSettings',
  'NeptuneSettings',
  'RedshiftSettings',
  'PostgreSQLSettings',
  'MySQLSettings',
  'OracleSettings',
  'SybaseSettings',
  'MicrosoftSQLServerSettings',
  'IBMDb2Settings',
  'DocDbSettings',
  'RedisSettings',
  'GcpMySQLSettings',
  'TimestreamSettings',
] as const;
export type SettingsBlock = (typeof SETTINGS_BLOCKS)[number];

const SECRET_BLOCK_OF_ENGINE: Readonly<Record<string, SettingsBlock>> = {
  postgres: 'PostgreSQLSettings',
  'aurora-postgresql': 'PostgreSQLSettings',
  babelfish: 'PostgreSQLSettings',
  'aurora-postgresql-serverless': 'PostgreSQLSettings',
  mysql: 'MySQLSettings',
  mariadb: 'MySQLSettings',
  aurora: 'MySQLSettings',
  'aurora-serverless': 'MySQLSettings',
  'gcp-mysql': 'GcpMySQLSettings',
  oracle: 'OracleSettings',
  sqlserver: 'MicrosoftSQLServerSettings',
  azuredb: 'MicrosoftSQLServerSettings',
  'azure-sql-managed-instance': 'MicrosoftSQLServerSettings',
  sybase: 'SybaseSettings',
  db2: 'IBMDb2Settings',
  'db2-zos': 'IBMDb2Settings',
  docdb: 'DocDbSettings',
  mongodb: 'MongoDbSettings',
  redshift: 'RedshiftSettings',
  'redshift-serverless': 'RedshiftSettings',
};

/** The block that holds the engine's Secrets Manager reference, or undefined when the engine takes none. */
export const secretBlockOf = (engine: string): SettingsBlock | undefined => SECRET_BLOCK_OF_ENGINE[engine];

/** Engines that authenticate with a user name (and so, without a secret, with a password). */
export const takesCredentials = (engine: string) => secretBlockOf(engine) !== undefined;
