// The DMS adapters of the S3 target folder and of connection tests, against the SDK client: DescribeEndpoints
// for exactly the one endpoint (an endpoint that is not S3, or not there, is refused by name); ModifyEndpoint
// sending BucketFolder alone with ExactSettings false, so every other setting of the endpoint is kept;
// TestConnection and DescribeConnections for exactly the instance and endpoint pair.
import {
  DatabaseMigrationServiceClient,
  DescribeConnectionsCommand,
  DescribeEndpointsCommand,
  ModifyEndpointCommand,
  TestConnectionCommand,
} from '@aws-sdk/client-database-migration-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DmsConnectionTester } from '#shared/dms/dms-connections';
import { DmsTargetFolderEditor } from '#shared/dms/dms-endpoints';
import { rejection } from '../../support/rejection.ts';

const dms = mockClient(DatabaseMigrationServiceClient);
const client = new DatabaseMigrationServiceClient({ region: 'us-east-1' });
const ENDPOINT = 'arn:aws:dms:us-east-1:123456789012:endpoint:EXPORTS3';
const INSTANCE = 'arn:aws:dms:us-east-1:123456789012:rep:NIGHTLYINSTANCE';

beforeEach(() => dms.reset());

describe('DmsTargetFolderEditor', () => {
  const editor = new DmsTargetFolderEditor(client);

  it('reads the BucketFolder of exactly the one endpoint', async () => {
    dms.on(DescribeEndpointsCommand).resolves({
      Endpoints: [
        { EndpointArn: `${ENDPOINT}X`, EngineName: 's3', S3Settings: { BucketFolder: 'other' } },
        { EndpointArn: ENDPOINT, EngineName: 's3', S3Settings: { BucketFolder: 'exports/2026/11/23' } },
      ],
    });
    expect(await editor.folderOf(ENDPOINT)).toBe('exports/2026/11/23');
    expect(dms).toHaveReceivedCommandWith(DescribeEndpointsCommand, {
      Filters: [{ Name: 'endpoint-arn', Values: [ENDPOINT] }],
    });
  });

  it('refuses an endpoint that is not an S3 target, or that DMS does not know', async () => {
    dms
      .on(DescribeEndpointsCommand)
      .resolvesOnce({ Endpoints: [{ EndpointArn: ENDPOINT, EngineName: 'postgres' }] });
    expect(String(await rejection(editor.folderOf(ENDPOINT)))).toContain(
      'is a postgres endpoint, not an S3 target',
    );
    dms.reset();
    dms.on(DescribeEndpointsCommand).resolves({ Endpoints: [] });
    expect(String(await rejection(editor.folderOf(ENDPOINT)))).toContain(`DMS knows no endpoint ${ENDPOINT}`);
  });

  it('sets BucketFolder alone, merged into the other settings', async () => {
    dms.on(ModifyEndpointCommand).resolves({});
    await editor.setFolder(ENDPOINT, 'exports/2026/11/24');
    expect(dms).toHaveReceivedCommandExactlyOnceWith(ModifyEndpointCommand, {
      EndpointArn: ENDPOINT,
      S3Settings: { BucketFolder: 'exports/2026/11/24' },
      ExactSettings: false,
    });
    const input = dms.commandCalls(ModifyEndpointCommand)[0]?.args[0].input;
    expect(Object.keys(input ?? {}).sort()).toEqual(['EndpointArn', 'ExactSettings', 'S3Settings']);
    expect(Object.keys(input?.S3Settings ?? {})).toEqual(['BucketFolder']);
  });
});

describe('DmsConnectionTester', () => {
  const tester = new DmsConnectionTester(client);

  it('starts a test of exactly the pair and answers its state', async () => {
    dms.on(TestConnectionCommand).resolves({ Connection: { Status: 'testing' } });
    expect(await tester.test(INSTANCE, ENDPOINT)).toEqual({ status: 'testing' });
    expect(dms).toHaveReceivedCommandWith(TestConnectionCommand, {
      ReplicationInstanceArn: INSTANCE,
      EndpointArn: ENDPOINT,
    });
  });

  it("reads the state of exactly the pair, with DMS's failure message", async () => {
    dms.on(DescribeConnectionsCommand).resolves({
      Connections: [
        { ReplicationInstanceArn: INSTANCE, EndpointArn: `${ENDPOINT}X`, Status: 'successful' },
        {
          ReplicationInstanceArn: INSTANCE,
          EndpointArn: ENDPOINT,
          Status: 'failed',
          LastFailureMessage: 'timeout',
        },
      ],
    });
    expect(await tester.read(INSTANCE, ENDPOINT)).toEqual({
      status: 'failed',
      lastFailureMessage: 'timeout',
    });
    expect(dms).toHaveReceivedCommandWith(DescribeConnectionsCommand, {
      Filters: [
        { Name: 'endpoint-arn', Values: [ENDPOINT] },
        { Name: 'replication-instance-arn', Values: [INSTANCE] },
      ],
    });
    dms.on(DescribeConnectionsCommand).resolves({ Connections: [] });
    expect(await tester.read(INSTANCE, ENDPOINT)).toBeUndefined();
  });
});
