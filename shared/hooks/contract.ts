// The hook contract: what a hook receives and what it reports. Hooks run after a load has succeeded and
// before the environment is used again (masking, PII cleanup, re-indexing, smoke checks). This file is the
// whole surface a hook author needs to know.
import type { TargetDatabase } from '../database/target.ts';
import type { Outcome } from '../dms/outcome.ts';
import type { TaskStats } from '../dms/task.ts';
import type { Log } from '../log.ts';
import type { Mode } from '../modes.ts';
import type { Secrets } from '../secrets/secrets.ts';

/** The run a hook is called for. */
export interface RunSummary {
  readonly runKey: string;
  readonly taskArn: string;
  readonly taskIdentifier: string;
  readonly mode: Mode;
  readonly outcome: Outcome;
  readonly stats: TaskStats | undefined;
}

export interface HookContext {
  readonly run: RunSummary;
  readonly log: Log;
  /**
   * Milliseconds left in this hook's budget: the smaller of its own timeout and the time before the
   * function's deadline minus what settling the run needs. A hook that cannot finish in time should not start.
   */
  remainingTimeMs(): number;
  /** Aborted when the hook's budget ends; pass it to anything that accepts one (SDK calls, fetch). */
  readonly signal: AbortSignal;
  /** Secrets Manager, read once per secret per run. Values must never be logged or put in errors. */
  readonly secrets: Secrets;
  /**
   * The target database, opened on first use from the TARGET_DATABASE_SECRET_ARN secret. One connection is
   * shared by the hooks of a run and closed by the runner after the last one: never close it yourself. After a
   * failed hook the runner closes it (aborts it, if the hook timed out), so the next hook starts on a fresh
   * session. Rejects once this hook's budget has ended, so a timed-out hook cannot open another connection.
   */
  target(): Promise<TargetDatabase>;
}

/** What a hook reports back: a short, human sentence about what it changed (never data or secrets). */
export interface HookResult {
  readonly changed?: string;
}

/** What a failed hook means for the hooks after it: `stop` (the default) skips them, `continue` runs them. */
export type OnFailure = 'stop' | 'continue';

export interface Hook {
  readonly name: string;
  /** Default `stop`. Either way, a failed hook makes the run's hooks report `succeeded: false` (and alert). */
  readonly onFailure?: OnFailure;
  /** The hook's own budget; the runner also caps it at the time left before the function's deadline. */
  readonly timeoutSeconds?: number;
  /** Resolves when done; throws to fail the hook (and, by default, stop the hooks after it). */
  run(context: HookContext): Promise<HookResult | undefined>;
}

export type HookStatus = 'succeeded' | 'failed' | 'skipped';

export interface HookReport {
  readonly name: string;
  readonly status: HookStatus;
  readonly durationMs: number;
  readonly changed?: string;
  readonly error?: string;
  /** Set when the hook failed because its time budget ended (it may still have been running). */
  readonly timedOut?: true;
}

export interface HooksReport {
  /** False as soon as any hook failed, including one configured to `continue`. */
  readonly succeeded: boolean;
  readonly hooks: readonly HookReport[];
}

/** The port the post-processor runs hooks through. */
export interface HookRunner {
  run(run: RunSummary, log: Log, remainingTimeMs: () => number): Promise<HooksReport>;
}
