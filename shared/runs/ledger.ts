// The run ledger makes settling a run happen once (invariant 2: never twice). SNS delivers at least once,
// EventBridge may deliver too, and DMS sends several notices per run; each of them may reach the
// post-processor, but only the one that claims the run first runs its hooks and sends its alert.
import type { OutcomeKind } from '../dms/outcome.ts';
import type { TaskSnapshot } from '../dms/task.ts';

/** What was decided for the schedule rule when the run was settled; replayed by duplicate notices. */
export type RuleAction = 'enable' | 'keep-disabled' | 'none';

export interface SettledRun {
  readonly runKey: string;
  readonly outcome: OutcomeKind;
  readonly hooksSucceeded: boolean;
  readonly ruleAction: RuleAction;
  readonly settledAt: string;
}

export type Claim =
  | { readonly claimed: true }
  /** Another delivery holds the claim (`settled` undefined) or has settled the run already. */
  | { readonly claimed: false; readonly settled?: SettledRun };

export interface RunLedger {
  /** Claims the run unless someone else holds an unexpired claim or has settled it. */
  claim(runKey: string, leaseUntil: Date): Promise<Claim>;
  settle(run: SettledRun): Promise<void>;
  /** Gives the claim back so a retry can settle the run (used when settling broke before any hook ran). */
  abandon(runKey: string): Promise<void>;
}

/**
 * A run is one start of the task: its key is the task and the time DMS says it was last started, so every
 * notice about the same run maps to the same key and the next run gets a new one.
 */
export function runKeyOf(task: TaskSnapshot): string {
  const started =
    task.lastStartDate ?? task.stats?.startDate ?? task.stats?.freshStartDate ?? task.stats?.stopDate;
  return `${task.arn}#${started ? started.toISOString() : 'never-started'}`;
}
