// Why this file exists: the endpoint-preparation step of a start (S3_TARGET_FOLDER_TEMPLATE). After the run
// holds the task's lock, so that no other run's load is writing into the folder, and before the task is
// started, the S3 target endpoint's BucketFolder is set from the template (the run's date in the configured
// time zone), and the target connection is tested and its answer awaited: DMS starts a task only after a
// successful test, and a modified endpoint must be tested again. A failure is a StartPreparationError,
// which ends the run as a refused start does: one alert, the task not started, the rule as the failure
// policy says.
import type { StarterConfig, TargetFolderPreparation } from '../config.ts';
import { type ConnectionTester, testConnections } from '../dms/connections.ts';
import type { TargetFolderEditor } from '../dms/endpoints.ts';
import { renderFolder } from '../dms/folder-template.ts';
import type { TaskSnapshot } from '../dms/task.ts';
import { describeError, StartPreparationError } from '../errors.ts';
import type { RunDeps } from './advance.ts';
import { PREFLIGHT_MARGIN_MS, PREFLIGHT_POLL_MS } from './preflight.ts';

export interface TargetFolderDeps extends Pick<RunDeps, 'clock' | 'log' | 'remainingTimeMs'> {
  readonly folders: TargetFolderEditor;
  readonly connections: ConnectionTester;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Sets the folder for the run at `runDate` and waits for the target's test; returns the folder. */
export async function prepareTargetFolder(
  deps: TargetFolderDeps,
  config: StarterConfig,
  preparation: TargetFolderPreparation,
  task: TaskSnapshot,
  runDate: Date,
): Promise<string> {
  if (
    task.targetEndpointArn !== preparation.endpointArn ||
    task.replicationInstanceArn !== preparation.instanceArn
  ) {
    throw new StartPreparationError(
      `task ${config.task.identifier} does not load through the endpoint and instance the stack names for its S3 folder (TASK_TARGET_ENDPOINT_ARN ${preparation.endpointArn}, TASK_REPLICATION_INSTANCE_ARN ${preparation.instanceArn}; the task's are ${task.targetEndpointArn ?? 'unknown'} and ${task.replicationInstanceArn ?? 'unknown'}); nothing was changed`,
    );
  }
  const folder = renderFolder(preparation, runDate);
  try {
    // Read first: a repeated start of the same run (a retry, a lost answer) finds the folder set, and changes
    // nothing more.
    if ((await deps.folders.folderOf(preparation.endpointArn)) !== folder) {
      await deps.folders.setFolder(preparation.endpointArn, folder);
      deps.log.info('S3 target folder set', { endpointArn: preparation.endpointArn, folder });
    }
  } catch (error) {
    throw new StartPreparationError(
      `the S3 target folder ${folder} could not be set on ${preparation.endpointArn} (${describeError(error)})`,
      { cause: error },
    );
  }
  const verdict = await testConnections(
    deps.connections,
    preparation.instanceArn,
    [{ role: 'target', arn: preparation.endpointArn }],
    {
      deadline: deps.clock().getTime() + deps.remainingTimeMs() - PREFLIGHT_MARGIN_MS,
      pollMs: PREFLIGHT_POLL_MS,
      now: () => deps.clock().getTime(),
      sleep: deps.sleep,
    },
  );
  if (!verdict.passed) {
    throw new StartPreparationError(
      `the S3 target folder was set to ${folder}, but ${verdict.problem}; the task was not started`,
    );
  }
  return folder;
}
