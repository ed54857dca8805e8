// Why this file exists: the pre-flight's ConnectionTester over the DMS API: TestConnection to start a test of
// the replication instance's connection to an endpoint, DescribeConnections (filtered to exactly that pair)
// to read its state. It maps shapes and makes no decisions; connections.ts waits and judges.
import {
  type Connection,
  type DatabaseMigrationServiceClient,
  DescribeConnectionsCommand,
  TestConnectionCommand,
} from '@aws-sdk/client-database-migration-service';
import type { ConnectionState, ConnectionTester } from './connections.ts';

export class DmsConnectionTester implements ConnectionTester {
  constructor(private readonly client: DatabaseMigrationServiceClient) {}

  async test(instanceArn: string, endpointArn: string): Promise<ConnectionState> {
    const { Connection: connection } = await this.client.send(
      new TestConnectionCommand({ ReplicationInstanceArn: instanceArn, EndpointArn: endpointArn }),
    );
    // TestConnection answers with the connection, normally `testing`; without one, the test is under way.
    return connection ? stateOf(connection) : { status: 'testing' };
  }

  async read(instanceArn: string, endpointArn: string): Promise<ConnectionState | undefined> {
    const { Connections: connections = [] } = await this.client.send(
      new DescribeConnectionsCommand({
        Filters: [
          { Name: 'endpoint-arn', Values: [endpointArn] },
          { Name: 'replication-instance-arn', Values: [instanceArn] },
        ],
      }),
    );
    const connection = connections.find(
      (candidate) =>
        candidate.EndpointArn === endpointArn && candidate.ReplicationInstanceArn === instanceArn,
    );
    return connection ? stateOf(connection) : undefined;
  }
}

function stateOf(connection: Connection): ConnectionState {
  return {
    status: connection.Status ?? 'unknown',
    ...(connection.LastFailureMessage && { lastFailureMessage: connection.LastFailureMessage }),
  };
}
