// Why this file exists: the one change the scheduler makes to an endpoint, the S3 target's BucketFolder before
// a start, goes through this narrow port; dms-endpoints.ts is its DMS adapter. Nothing else of an endpoint is
// ever read or written, so no setting, password or secret of it passes through the scheduler.

export interface TargetFolderEditor {
  /** The endpoint's S3Settings.BucketFolder now (undefined when it has none). */
  folderOf(endpointArn: string): Promise<string | undefined>;
  /** Sets S3Settings.BucketFolder alone, merged into the endpoint's other settings. */
  setFolder(endpointArn: string, folder: string): Promise<void>;
}
