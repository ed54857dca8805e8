// Why this file exists: a definitions folder (what `dms-scheduler export` writes and `import` and `generate`
// read) is an account-neutral description of DMS tasks, their endpoints and replication instances. This is
// its shape in memory, shared by every step, and the few names the folder and the import agree on. Nothing
// here holds a password: the folder never does (a placeholder stands where one would be).

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_KIND = 'dms-scheduler/definitions';
export const MANIFEST_VERSION = 1;

/** The table-mapping and task-settings files of a task, named as the Task Copy tool names them. */
export const tableMappingsFile = (task: string) => `tm-${task}.json`;
export const taskSettingsFile = (task: string) => `rts-${task}.json`;

/** Written where an endpoint had an inline password. Import refuses any other value in a file. */
export const PASSWORD_PLACEHOLDER =
  '<set at import: DMS_SCHEDULER_PASSWORD_<ENDPOINT> or an override secretArn>';

/** The environment variable an endpoint's password is read from at import: DMS_SCHEDULER_PASSWORD_ORDERS_SOURCE. */
export const passwordVariable = (folderId: string) =>
  `DMS_SCHEDULER_PASSWORD_${folderId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/**
 * The tag every resource an import creates carries, its value the environment (`--env`). `--prune` deletes
 * only resources with this tag and this value; a resource without it is never changed or deleted.
 */
export const IMPORT_TAG = 'dms-scheduler:import-env';

export const ENDPOINT_TYPES = ['source', 'target'] as const;
export type EndpointType = (typeof ENDPOINT_TYPES)[number];

export const MIGRATION_TYPES = ['full-load', 'cdc', 'full-load-and-cdc'] as const;
export type MigrationType = (typeof MIGRATION_TYPES)[number];

/** How the endpoint authenticates: a Secrets Manager reference, an inline password (never kept), or nothing (S3, Kinesis...). */
export type EndpointAuth =
  | { readonly kind: 'secrets-manager'; readonly secretArn: string; readonly accessRoleArn?: string }
  | { readonly kind: 'password'; readonly password: string }
  | { readonly kind: 'none' };

export interface EndpointDefinition {
  readonly type: EndpointType;
  readonly engine: string;
  readonly server?: string;
  readonly port?: number;
  readonly database?: string;
  readonly username?: string;
  readonly sslMode?: string;
  readonly extraConnectionAttributes?: string;
  readonly auth: EndpointAuth;
  /** Engine-specific settings blocks under their API names (`PostgreSQLSettings`...), secrets removed. */
  readonly settings?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** An endpoint's plain fields (everything but how it authenticates and its engine settings), as the folder names them. */
export const ENDPOINT_PLAIN_FIELDS = [
  'type',
  'engine',
  'server',
  'port',
  'database',
  'username',
  'sslMode',
  'extraConnectionAttributes',
] as const satisfies readonly (keyof EndpointDefinition)[];

/** Every field of a replication instance, as the folder and the overrides name them. */
export const INSTANCE_FIELDS = [
  'class',
  'allocatedStorage',
  'engineVersion',
  'multiAz',
  'publiclyAccessible',
  'subnetGroup',
  'securityGroupIds',
] as const satisfies readonly (keyof ReplicationInstanceDefinition)[];

export interface ReplicationInstanceDefinition {
  readonly class: string;
  readonly allocatedStorage?: number;
  readonly engineVersion?: string;
  readonly multiAz?: boolean;
  readonly publiclyAccessible?: boolean;
  /** The replication subnet group's name; it must exist in the target account (import does not create it). */
  readonly subnetGroup?: string;
  /** Security groups are VPC-specific: never exported, given per environment by overrides. */
  readonly securityGroupIds?: readonly string[];
}

export interface TaskDefinition {
  readonly migrationType: MigrationType;
  readonly sourceEndpoint: string;
  readonly targetEndpoint: string;
  readonly replicationInstance: string;
  /** The parsed `tm-<task>.json`. */
  readonly tableMappings: unknown;
  /** The parsed `rts-<task>.json`; absent: DMS's defaults. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** Everything a folder describes, keyed by identifier (without any environment's name prefix). */
export interface Definitions {
  readonly endpoints: Readonly<Record<string, EndpointDefinition>>;
  readonly replicationInstances: Readonly<Record<string, ReplicationInstanceDefinition>>;
  readonly tasks: Readonly<Record<string, TaskDefinition>>;
}

/** One thing wrong with a file, where: the file's name and a JSON path (`$.rules[0]["rule-type"]`). */
export interface Problem {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

export const describeProblem = (problem: Problem) => `${problem.file} ${problem.path}: ${problem.message}`;

/** The folder (or an overrides file) breaks DMS's rules or the folder's own: nothing was asked of AWS. */
export class DefinitionsError extends Error {
  override readonly name = 'DefinitionsError';

  constructor(
    message: string,
    readonly problems: readonly Problem[],
  ) {
    super(`${message}:\n${problems.map((problem) => `  ${describeProblem(problem)}`).join('\n')}`);
  }
}
