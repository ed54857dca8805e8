// Why this file exists: an export reads one account, an import writes another, usually with different
// credentials: each command takes its side's `--profile` (global) and `--role-arn` (STS AssumeRole from
// those credentials, refreshed before they expire). The DMS client is built here once per command, and
// every call through the definitions ports fails as one readable line (askAws: exit 3).
import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { ClientLocation } from '#shared/aws/clients';
import { askAws } from '../aws.ts';
import type { GlobalOptions } from '../context.ts';
import { UsageError } from '../errors.ts';

export interface SideOptions {
  readonly roleArn?: string;
  readonly externalId?: string;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
/** What the SDK takes as credentials (its Credentials). */
interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Assumed-role credentials are renewed this long before they expire. */
const RENEW_MS = 5 * 60_000;

export function checkSideOptions(options: SideOptions): void {
  if (options.roleArn !== undefined && !ROLE_ARN.test(options.roleArn)) {
    throw new UsageError(
      `--role-arn ${options.roleArn} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)`,
    );
  }
  if (options.externalId !== undefined && options.roleArn === undefined) {
    throw new UsageError('--external-id is given to the role of --role-arn: give both');
  }
}

export interface DmsSide {
  readonly dms: DatabaseMigrationServiceClient;
  destroy(): void;
}

export function dmsSide(globals: GlobalOptions, options: SideOptions): DmsSide {
  const location: ClientLocation = {
    ...(globals.region !== undefined && { region: globals.region }),
    ...(globals.profile !== undefined && { profile: globals.profile }),
  };
  const sts = options.roleArn === undefined ? undefined : new STSClient({ maxAttempts: 3, ...location });
  const dms = new DatabaseMigrationServiceClient({
    maxAttempts: 5,
    retryMode: 'standard',
    ...location,
    ...(sts !== undefined &&
      options.roleArn !== undefined && {
        credentials: assumedRole(sts, options.roleArn, options.externalId),
      }),
  });
  return {
    dms,
    destroy: () => {
      dms.destroy();
      sts?.destroy();
    },
  };
}

function assumedRole(
  sts: STSClient,
  roleArn: string,
  externalId: string | undefined,
): () => Promise<Credentials> {
  let current: Credentials | undefined;
  return async () => {
    if (current?.expiration !== undefined && current.expiration.getTime() - RENEW_MS > Date.now())
      return current;
    const response = await askAws(`STS AssumeRole ${roleArn}`, () =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: 'dms-scheduler-definitions',
          ...(externalId !== undefined && { ExternalId: externalId }),
        }),
      ),
    );
    const credentials = response.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new Error(`STS AssumeRole ${roleArn} returned no credentials`);
    }
    current = {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken !== undefined && { sessionToken: credentials.SessionToken }),
      ...(credentials.Expiration !== undefined && { expiration: credentials.Expiration }),
    };
    return current;
  };
}

/** The DMS call behind each port method, for the one line a failure prints. */
const DMS_CALLS: Readonly<Record<string, string>> = {
  tasks: 'DescribeReplicationTasks',
  endpoints: 'DescribeEndpoints',
  replicationInstances: 'DescribeReplicationInstances',
  tags: 'ListTagsForResource',
  createEndpoint: 'CreateEndpoint',
  modifyEndpoint: 'ModifyEndpoint',
  deleteEndpoint: 'DeleteEndpoint',
  createReplicationInstance: 'CreateReplicationInstance',
  modifyReplicationInstance: 'ModifyReplicationInstance',
  deleteReplicationInstance: 'DeleteReplicationInstance',
  createTask: 'CreateReplicationTask',
  modifyTask: 'ModifyReplicationTask',
  deleteTask: 'DeleteReplicationTask',
  testConnection: 'TestConnection',
  describe: 'DescribeReplicationTasks',
  start: 'StartReplicationTask',
};

/** The port with every method's failure turned into one line naming the DMS call (exit 3). */
export function guarded<T extends object>(port: T): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const call = DMS_CALLS[String(property)] ?? String(property);
      return (...args: unknown[]) =>
        askAws(`DMS ${call}`, () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
}
