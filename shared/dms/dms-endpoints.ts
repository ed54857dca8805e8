// Why this file exists: TargetFolderEditor over the DMS API. DescribeEndpoints (filtered to exactly the one
// endpoint) reads BucketFolder; ModifyEndpoint with ExactSettings false merges the new BucketFolder into the
// endpoint's S3 settings, leaving every other setting as it was. DMS then tests the endpoint's connection.
import {
  type DatabaseMigrationServiceClient,
  DescribeEndpointsCommand,
  ModifyEndpointCommand,
} from '@aws-sdk/client-database-migration-service';
import type { TargetFolderEditor } from './endpoints.ts';

export class DmsTargetFolderEditor implements TargetFolderEditor {
  constructor(private readonly client: DatabaseMigrationServiceClient) {}

  async folderOf(endpointArn: string): Promise<string | undefined> {
    const { Endpoints: endpoints = [] } = await this.client.send(
      new DescribeEndpointsCommand({ Filters: [{ Name: 'endpoint-arn', Values: [endpointArn] }] }),
    );
    const endpoint = endpoints.find((candidate) => candidate.EndpointArn === endpointArn);
    if (endpoint === undefined) throw new Error(`DMS knows no endpoint ${endpointArn}`);
    if (endpoint.EngineName !== undefined && endpoint.EngineName !== 's3') {
      throw new Error(`endpoint ${endpointArn} is a ${endpoint.EngineName} endpoint, not an S3 target`);
    }
    return endpoint.S3Settings?.BucketFolder;
  }

  async setFolder(endpointArn: string, folder: string): Promise<void> {
    await this.client.send(
      new ModifyEndpointCommand({
        EndpointArn: endpointArn,
        S3Settings: { BucketFolder: folder },
        // Merge: only BucketFolder changes (ExactSettings true would drop every setting not given here).
        ExactSettings: false,
      }),
    );
  }
}
