// Why this file exists: the SDK side of the definitions ports (ports.ts): one DMS call per method, plus the
// waits DMS makes necessary, each as a bounded poll of a Describe call (the SDK's own waiters fail on
// intermediate states). Only the command line builds it; no Lambda function imports this file.
import {
  CreateEndpointCommand,
  type CreateEndpointMessage,
  CreateReplicationInstanceCommand,
  type CreateReplicationInstanceMessage,
  CreateReplicationTaskCommand,
  type CreateReplicationTaskMessage,
  type DatabaseMigrationServiceClient,
  DeleteEndpointCommand,
  DeleteReplicationInstanceCommand,
  DeleteReplicationTaskCommand,
  DescribeConnectionsCommand,
  DescribeEndpointsCommand,
  DescribeReplicationInstancesCommand,
  DescribeReplicationTasksCommand,
  type Endpoint,
  ListTagsForResourceCommand,
  ModifyEndpointCommand,
  type ModifyEndpointMessage,
  ModifyReplicationInstanceCommand,
  type ModifyReplicationInstanceMessage,
  ModifyReplicationTaskCommand,
  type ModifyReplicationTaskMessage,
  type ReplicationInstance,
  type ReplicationTask,
  TestConnectionCommand,
} from '@aws-sdk/client-database-migration-service';
import type { ConnectionResult, DmsReader, DmsWriter, Tags } from './ports.ts';
import { DEFAULT_WAIT, type WaitSettings } from './start.ts';

const TAG_BATCH = 20;

/** DMS did not reach the state an import waits for (an instance available, a task gone, a connection tested). */
export class DmsWaitError extends Error {
  override readonly name = 'DmsWaitError';
}

export class DmsAccount implements DmsReader, DmsWriter {
  constructor(
    private readonly client: DatabaseMigrationServiceClient,
    private readonly wait: WaitSettings = DEFAULT_WAIT,
  ) {}

  async tasks(): Promise<ReplicationTask[]> {
    return this.paginate(async (Marker) => {
      const page = await this.client.send(new DescribeReplicationTasksCommand({ Marker, MaxRecords: 100 }));
      return { items: page.ReplicationTasks ?? [], marker: page.Marker };
    });
  }

  async endpoints(): Promise<Endpoint[]> {
    return this.paginate(async (Marker) => {
      const page = await this.client.send(new DescribeEndpointsCommand({ Marker, MaxRecords: 100 }));
      return { items: page.Endpoints ?? [], marker: page.Marker };
    });
  }

  async replicationInstances(): Promise<ReplicationInstance[]> {
    return this.paginate(async (Marker) => {
      const page = await this.client.send(
        new DescribeReplicationInstancesCommand({ Marker, MaxRecords: 100 }),
      );
      return { items: page.ReplicationInstances ?? [], marker: page.Marker };
    });
  }

  async tags(arns: readonly string[]): Promise<Map<string, Tags>> {
    const found = new Map<string, Record<string, string>>(arns.map((arn) => [arn, {}]));
    for (let index = 0; index < arns.length; index += TAG_BATCH) {
      const batch = arns.slice(index, index + TAG_BATCH);
      const response = await this.client.send(new ListTagsForResourceCommand({ ResourceArnList: batch }));
      for (const tag of response.TagList ?? []) {
        // With a list of ARNs, DMS names each tag's resource; with one ARN, the tag is that ARN's.
        const arn = tag.ResourceArn ?? (batch.length === 1 ? batch[0] : undefined);
        const own = arn === undefined ? undefined : found.get(arn);
        if (own !== undefined && tag.Key !== undefined) own[tag.Key] = tag.Value ?? '';
      }
    }
    return found;
  }

  async createEndpoint(input: CreateEndpointMessage): Promise<string> {
    const response = await this.client.send(new CreateEndpointCommand(input));
    return required(response.Endpoint?.EndpointArn, 'CreateEndpoint returned no EndpointArn');
  }

  async modifyEndpoint(input: ModifyEndpointMessage): Promise<void> {
    await this.client.send(new ModifyEndpointCommand(input));
  }

  async deleteEndpoint(arn: string): Promise<void> {
    await this.client.send(new DeleteEndpointCommand({ EndpointArn: arn }));
  }

  async createReplicationInstance(input: CreateReplicationInstanceMessage): Promise<string> {
    const response = await this.client.send(new CreateReplicationInstanceCommand(input));
    const arn = required(
      response.ReplicationInstance?.ReplicationInstanceArn,
      'CreateReplicationInstance returned no ARN',
    );
    await this.poll(
      `replication instance ${input.ReplicationInstanceIdentifier} to be available`,
      async () => {
        const page = await this.client.send(
          new DescribeReplicationInstancesCommand({
            Filters: [{ Name: 'replication-instance-arn', Values: [arn] }],
          }),
        );
        const status = page.ReplicationInstances?.find(
          (each) => each.ReplicationInstanceArn === arn,
        )?.ReplicationInstanceStatus;
        if (status === 'failed' || status === 'incompatible-network' || status === 'storage-full') {
          throw new DmsWaitError(`replication instance ${input.ReplicationInstanceIdentifier} is ${status}`);
        }
        return status === 'available' ? true : undefined;
      },
    );
    return arn;
  }

  async modifyReplicationInstance(input: ModifyReplicationInstanceMessage): Promise<void> {
    await this.client.send(new ModifyReplicationInstanceCommand(input));
  }

  async deleteReplicationInstance(arn: string): Promise<void> {
    await this.client.send(new DeleteReplicationInstanceCommand({ ReplicationInstanceArn: arn }));
  }

  async createTask(input: CreateReplicationTaskMessage): Promise<string> {
    const response = await this.client.send(new CreateReplicationTaskCommand(input));
    return required(response.ReplicationTask?.ReplicationTaskArn, 'CreateReplicationTask returned no ARN');
  }

  async modifyTask(input: ModifyReplicationTaskMessage): Promise<void> {
    await this.client.send(new ModifyReplicationTaskCommand(input));
  }

  async deleteTask(arn: string): Promise<void> {
    await this.client.send(new DeleteReplicationTaskCommand({ ReplicationTaskArn: arn }));
    await this.poll(
      `task ${arn} to be deleted`,
      async () => {
        const page = await this.client.send(
          new DescribeReplicationTasksCommand({
            Filters: [{ Name: 'replication-task-arn', Values: [arn] }],
            WithoutSettings: true,
          }),
        );
        return (page.ReplicationTasks ?? []).some((task) => task.ReplicationTaskArn === arn)
          ? undefined
          : true;
      },
      (error) => (error instanceof Error && error.name === 'ResourceNotFoundFault' ? true : undefined),
    );
  }

  async testConnection(instanceArn: string, endpointArn: string): Promise<ConnectionResult> {
    await this.client.send(
      new TestConnectionCommand({ ReplicationInstanceArn: instanceArn, EndpointArn: endpointArn }),
    );
    return this.poll(`the connection test of ${endpointArn}`, async () => {
      const page = await this.client.send(
        new DescribeConnectionsCommand({ Filters: [{ Name: 'endpoint-arn', Values: [endpointArn] }] }),
      );
      const connection = page.Connections?.find(
        (each) => each.EndpointArn === endpointArn && each.ReplicationInstanceArn === instanceArn,
      );
      if (connection?.Status === 'successful') return { ok: true } as const;
      if (connection?.Status === 'failed')
        return { ok: false, message: connection.LastFailureMessage || 'failed' } as const;
      return undefined;
    });
  }

  /** Reads until `read` answers (not undefined), at most `attempts` times; an error `gone` answers for ends it too. */
  private async poll<T>(
    what: string,
    read: () => Promise<T | undefined>,
    gone?: (error: unknown) => T | undefined,
  ): Promise<T> {
    for (let attempt = 1; attempt <= this.wait.attempts; attempt += 1) {
      try {
        const answer = await read();
        if (answer !== undefined) return answer;
      } catch (error) {
        const answer = gone?.(error);
        if (answer !== undefined) return answer;
        throw error;
      }
      if (attempt < this.wait.attempts) await this.wait.sleep(this.wait.intervalMs);
    }
    throw new DmsWaitError(`gave up waiting for ${what} after ${this.wait.attempts} reads`);
  }

  private async paginate<T>(
    page: (marker: string | undefined) => Promise<{ items: T[]; marker: string | undefined }>,
  ): Promise<T[]> {
    const all: T[] = [];
    let marker: string | undefined;
    do {
      const { items, marker: next } = await page(marker);
      all.push(...items);
      marker = next;
    } while (marker);
    return all;
  }
}

function required(value: string | undefined, message: string): string {
  if (value === undefined) throw new Error(message);
  return value;
}
