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
  /** Rows the hook masked, for the RowsMasked metric (a count, never data). */
  readonly rowsMasked?: number;
}

/** What a failed hook means for the hooks after it: `stop` (the default) skips them, `continue` runs them. */
export type OnFailure = 'stop' | 'continue';

export interface Hook {
  readonly name: string;
  /** Default `stop`. Either way, a failed hook makes the run's hooks report `succeeded: false` (and alert). */
  readonly onFailure?: OnFailure;
  /** The hook's own budget; the runner also caps it at the time left before the function's deadline. */
  readonly timeoutSeconds?: number;
  /**
   * True when running the hook again after an interruption (crash, timeout, lost lease) is safe: re-masking
   * masked data leaves it masked. Such a hook is resumed by the next invocation; any other interrupted hook
   * makes the run hooks-interrupted, with an alert, because the target's state is then unknown.
   */
  readonly rerunnable?: boolean;
  /**
   * True for a cleanup that must run after an earlier hook failed or was interrupted too (restoring a dropped
   * foreign key, re-opening nothing): it is never skipped. It still runs at most once per run.
   */
  readonly always?: boolean;
  /** Resolves when done; throws to fail the hook (and, by default, stop the hooks after it). */
  run(context: HookContext): Promise<HookResult | undefined>;
}

export type HookStatus = 'succeeded' | 'failed' | 'skipped';

export interface HookReport {
  readonly name: string;
  readonly status: HookStatus;
  readonly durationMs: number;
  readonly changed?: string;
  readonly rowsMasked?: number;
  readonly error?: string;
  /** Set when the hook failed because its time budget ended (it may still have been running). */
  readonly timedOut?: true;
}

export interface HooksReport {
  /** False as soon as any hook failed, including one configured to `continue`. */
  readonly succeeded: boolean;
  readonly hooks: readonly HookReport[];
}

/**
 * Where the runner records each hook's start and end before going on, so a run's hooks run at most once
 * however the invocation ends. Either call may throw (the record could not be written, or another invocation
 * holds the run): the runner then stops at once, without running the hook, and rethrows.
 */
export interface HookJournal {
  beforeHook(index: number, hook: HookPlanEntry): Promise<void>;
  afterHook(index: number, report: HookReport): Promise<void>;
}

/** What the run's record needs to know of a configured hook before it runs. */
export interface HookPlanEntry {
  readonly name: string;
  readonly rerunnable: boolean;
  readonly always: boolean;
  readonly onFailure: OnFailure;
}

export interface HookRunOptions {
  /** Index of the first hook to run; those before it ran in an earlier invocation. */
  readonly startAt?: number;
  /** True when a hook before `startAt` failed: the run's hooks still report failure. */
  readonly earlierFailed?: boolean;
  /** True when a hook before `startAt` failed with `stop` or was interrupted: only `always` hooks still run. */
  readonly earlierStopped?: boolean;
  readonly journal?: HookJournal;
}

/** The port the post-processor runs hooks through. */
export interface HookRunner {
  /** The configured hooks, in order. */
  plan(): readonly HookPlanEntry[];
  run(
    run: RunSummary,
    log: Log,
    remainingTimeMs: () => number,
    options?: HookRunOptions,
  ): Promise<HooksReport>;
}
