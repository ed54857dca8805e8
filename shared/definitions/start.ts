// Why this file exists: `import --start` starts the imported tasks only once DMS has shown it can reach
// both ends of each: every (replication instance, endpoint) pair is tested first, and a single failure
// starts nothing. The start type is chosen as the scheduler chooses it (shared/dms/start-type.ts), so a
// task that ran before is reloaded or resumed, never started "for the first time" again.
import { chooseStartType, startability } from '../dms/start-type.ts';
import type { TaskControl, TaskSnapshot } from '../dms/task.ts';
import type { DesiredState } from './desired-state.ts';
import type { DmsWriter } from './ports.ts';

export interface ConnectionCheck {
  readonly instance: string;
  readonly endpoint: string;
  readonly ok: boolean;
  readonly message?: string;
}

export interface StartOutcome {
  readonly connections: readonly ConnectionCheck[];
  /** Empty when a connection failed: then nothing was started. */
  readonly started: readonly { readonly task: string; readonly startType: string }[];
  /** Tasks that never became startable (each with DMS's reason); the others were still started. */
  readonly notStarted: readonly { readonly task: string; readonly reason: string }[];
}

export async function testAndStart(
  desired: DesiredState,
  arnOf: ReadonlyMap<string, string>,
  writer: Pick<DmsWriter, 'testConnection'>,
  tasks: TaskControl,
  progress: (line: string) => void,
  wait: WaitSettings = DEFAULT_WAIT,
): Promise<StartOutcome> {
  const pairs = new Map<string, { instance: string; endpoint: string }>();
  for (const task of Object.values(desired.tasks)) {
    for (const endpoint of [task.sourceEndpoint, task.targetEndpoint]) {
      pairs.set(`${task.replicationInstance} ${endpoint}`, { instance: task.replicationInstance, endpoint });
    }
  }
  const connections: ConnectionCheck[] = [];
  for (const { instance, endpoint } of pairs.values()) {
    const result = await writer.testConnection(arnOrThrow(arnOf, instance), arnOrThrow(arnOf, endpoint));
    const check: ConnectionCheck = result.ok
      ? { instance, endpoint, ok: true }
      : { instance, endpoint, ok: false, message: result.message };
    progress(
      `connection ${instance} -> ${endpoint}: ${check.ok ? 'successful' : `failed: ${check.message}`}`,
    );
    connections.push(check);
  }
  if (connections.some((check) => !check.ok)) return { connections, started: [], notStarted: [] };
  const started: { task: string; startType: string }[] = [];
  const notStarted: { task: string; reason: string }[] = [];
  for (const id of Object.keys(desired.tasks)) {
    const arn = arnOrThrow(arnOf, id);
    let snapshot: TaskSnapshot;
    try {
      snapshot = await startableSnapshot(tasks, arn, wait);
    } catch (error) {
      if (!(error instanceof TaskNotStartableError)) throw error;
      progress(`not started: ${error.message}`);
      notStarted.push({ task: id, reason: error.message });
      continue;
    }
    if (snapshot.status === 'running') {
      progress(`${id} is already running: left as it is`);
      continue;
    }
    const { startType, reason } = chooseStartType(snapshot);
    await tasks.start({ taskArn: arn, startType });
    progress(`started ${id} with ${startType} (${reason})`);
    started.push({ task: id, startType });
  }
  return { connections, started, notStarted };
}

/** Statuses a task leaves on its own (a new task is `creating` for a while): waited out, not refused. */
const PASSING = new Set(['creating', 'modifying', 'starting', 'stopping', 'moving']);

export interface WaitSettings {
  readonly attempts: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly intervalMs: number;
}

export const DEFAULT_WAIT: WaitSettings = {
  attempts: 120,
  intervalMs: 10_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The task once it is startable (or running); throws when it stays in passage or is in a state DMS does not start from. */
async function startableSnapshot(tasks: TaskControl, arn: string, wait: WaitSettings): Promise<TaskSnapshot> {
  for (let attempt = 1; ; attempt += 1) {
    const snapshot = await tasks.describe(arn);
    if (snapshot.status === 'running' || startability(snapshot).startable) return snapshot;
    if (!PASSING.has(snapshot.status) || attempt >= wait.attempts) {
      const verdict = startability(snapshot);
      throw new TaskNotStartableError(
        `task ${snapshot.identifier} cannot be started: ${verdict.startable ? snapshot.status : verdict.reason}${attempt >= wait.attempts ? ` (still so after ${attempt} reads)` : ''}`,
      );
    }
    await wait.sleep(wait.intervalMs);
  }
}

/** A task did not become startable: it is reported in `notStarted`, and the other tasks are started. */
export class TaskNotStartableError extends Error {
  override readonly name = 'TaskNotStartableError';
}

function arnOrThrow(arnOf: ReadonlyMap<string, string>, id: string): string {
  const arn = arnOf.get(id);
  if (arn === undefined) throw new Error(`no ARN for ${id} after the import`);
  return arn;
}
