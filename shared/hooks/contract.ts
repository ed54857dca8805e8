// The hook contract: what a hook receives and what it reports. Hooks run after a load has succeeded and
// before the environment is used again (masking, PII cleanup, re-indexing, smoke checks). This file is the
// whole surface a hook author needs to know.
import type { Outcome } from '../dms/outcome.ts';
import type { TaskStats } from '../dms/task.ts';
import type { Log } from '../log.ts';
import type { Mode } from '../modes.ts';

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
  /** Milliseconds left before the function's deadline; a hook that cannot finish in time should not start. */
  remainingTimeMs(): number;
}

/** What a hook reports back: a short, human sentence about what it changed (never data or secrets). */
export interface HookResult {
  readonly changed?: string;
}

export interface Hook {
  readonly name: string;
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
}

export interface HooksReport {
  readonly succeeded: boolean;
  readonly hooks: readonly HookReport[];
}

/** The port the post-processor runs hooks through. */
export interface HookRunner {
  run(run: RunSummary, log: Log, remainingTimeMs: () => number): Promise<HooksReport>;
}
