// Runs the configured hooks in order. The first failure stops the rest (they are reported as skipped) unless
// the failed hook says `onFailure: continue`, so a cleanup never runs on data an earlier step failed to mask;
// a hook that says `always` (a cleanup that must run after a failure too) is the exception, and still runs.
// Each hook gets a time budget: its own timeout, capped by the time left before the function's deadline
// minus what settling the run needs. When the budget ends the hook's AbortSignal fires and the hook is
// reported failed at once, even if its code ignores the signal: a hung hook must not take the settle step
// (ledger, alert, rule) down with it. A hook is not started at all when too little time is left.
//
// The hooks of a run share one target connection, but never a failed hook's: after any failure the
// connection is closed (after a timeout: aborted, since the hook may still be running a statement and a
// polite close would wait for it), so the next hook gets a fresh one with no leftover session state or open
// transaction. A timed-out hook's own `target()` refuses to open another connection.
import type { TargetDatabase } from '../database/target.ts';
import { describeError } from '../errors.ts';
import type { Log } from '../log.ts';
import { NO_SECRETS, type Secrets } from '../secrets/secrets.ts';
import type {
  Hook,
  HookContext,
  HookPlanEntry,
  HookReport,
  HookRunner,
  HookRunOptions,
  HooksReport,
  RunSummary,
} from './contract.ts';

/** Time kept back for settling the run (ledger, alert, rule) after the last hook. */
export const SETTLE_RESERVE_MS = 10_000;

/** setTimeout's largest delay; longer ones fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** A hook's time budget ended before it did. */
export class HookTimeoutError extends Error {
  override readonly name = 'HookTimeoutError';
}

export interface HookRunnerOptions {
  /** A fresh secrets view per run, so cached values live for one invocation only. */
  readonly secrets?: () => Secrets;
  /** Opens the target database; called at most once per run, on a hook's first `target()`. */
  readonly openTarget?: (secrets: Secrets) => Promise<TargetDatabase>;
  readonly now?: () => number;
}

const noTarget = async (): Promise<TargetDatabase> => {
  throw new Error('no target database is configured (TARGET_DATABASE_SECRET_ARN is not set)');
};

/** How long closing the target connection may take before it is aborted instead. */
export const CLOSE_TIMEOUT_MS = 5_000;

/** The run's one target connection, opened on first use; closed at the end and after a failed hook. */
class SharedTarget {
  private opened: Promise<TargetDatabase> | undefined;

  constructor(private readonly open: () => Promise<TargetDatabase>) {}

  get = (): Promise<TargetDatabase> => {
    this.opened ??= this.open();
    return this.opened;
  };

  /** Forgets the connection, so the next `get` opens a new one; resolves the old one if it opened. */
  private take(): Promise<TargetDatabase | undefined> | undefined {
    const opened = this.opened;
    this.opened = undefined;
    return opened?.catch(() => undefined);
  }

  /**
   * Drops the connection at once, without waiting for a statement a timed-out hook may still be running (a
   * connection still being opened is dropped as soon as it opens). The server may finish that statement,
   * but its transaction can never commit once the client is gone.
   */
  abort(log: Log): void {
    void this.take()?.then((database) => {
      if (database) abortQuietly(database, log);
    });
  }

  /**
   * Closes the connection if one was opened. A close that takes longer than CLOSE_TIMEOUT_MS (mysql2's end()
   * waits behind a running statement) is turned into an abort, so closing never holds the run.
   */
  async close(log: Log): Promise<void> {
    const database = await this.take();
    if (database === undefined) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timed out'>((resolve) => {
      timer = setTimeout(() => resolve('timed out'), CLOSE_TIMEOUT_MS);
    });
    const closing = database.close();
    try {
      if ((await Promise.race([closing, timedOut])) === 'timed out') {
        closing.catch(() => undefined);
        log.warn('the target database connection did not close in time; aborted it', {
          timeoutMs: CLOSE_TIMEOUT_MS,
        });
        abortQuietly(database, log);
      }
    } catch (error) {
      // The hooks' work is committed or rolled back already; a connection that will not close cleanly is
      // dropped with the execution environment. Worth a warning, not a failed run.
      log.warn('the target database connection did not close cleanly', { error: describeError(error) });
    } finally {
      clearTimeout(timer);
    }
  }
}

function abortQuietly(database: TargetDatabase, log: Log): void {
  try {
    database.abort();
  } catch (error) {
    log.warn('the target database connection could not be aborted', { error: describeError(error) });
  }
}

export class SequentialHookRunner implements HookRunner {
  private readonly now: () => number;

  constructor(
    private readonly hooks: readonly Hook[],
    private readonly options: HookRunnerOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  plan(): readonly HookPlanEntry[] {
    return this.hooks.map((hook) => ({
      name: hook.name,
      rerunnable: hook.rerunnable === true,
      always: hook.always === true,
      onFailure: hook.onFailure ?? 'stop',
    }));
  }

  async run(
    run: RunSummary,
    log: Log,
    remainingTimeMs: () => number,
    options: HookRunOptions = {},
  ): Promise<HooksReport> {
    const secrets = this.options.secrets?.() ?? NO_SECRETS;
    const openTarget = this.options.openTarget;
    const target = new SharedTarget(openTarget ? () => openTarget(secrets) : noTarget);
    const reports: HookReport[] = [];
    const { journal, startAt = 0 } = options;
    const plan = this.plan();
    let anyFailed = options.earlierFailed === true;
    let stopped = options.earlierStopped === true;
    try {
      for (const [index, hook] of this.hooks.entries()) {
        if (index < startAt) continue;
        if (stopped && hook.always !== true) {
          const skipped: HookReport = { name: hook.name, status: 'skipped', durationMs: 0 };
          await journal?.afterHook(index, skipped);
          reports.push(skipped);
          continue;
        }
        // Recorded before the hook starts: should this invocation die while it runs, the next one knows.
        await journal?.beforeHook(index, plan[index] as HookPlanEntry);
        const report = await this.runOne(hook, { run, log, secrets, target }, remainingTimeMs);
        reports.push(report);
        if (report.timedOut) {
          // The hook may still be running a statement on the connection, and a polite close would wait
          // for it: drop the connection now, before anything else can fail. The hooks after it get a fresh one.
          target.abort(log);
        } else if (report.status === 'failed') {
          // A failed hook may have left session state behind (an open transaction, SET, temporary tables):
          // the hooks after it get a fresh connection.
          await target.close(log);
        }
        await journal?.afterHook(index, report);
        if (report.status === 'failed') {
          anyFailed = true;
          // Once stopped, stopped: an `always` hook failing with `continue` does not bring the rest back.
          stopped = stopped || hook.onFailure !== 'continue';
        }
      }
    } finally {
      await target.close(log);
    }
    return { succeeded: !anyFailed, hooks: reports };
  }

  private async runOne(
    hook: Hook,
    shared: { run: RunSummary; log: Log; secrets: Secrets; target: SharedTarget },
    remainingTimeMs: () => number,
  ): Promise<HookReport> {
    const { log } = shared;
    const available = remainingTimeMs() - SETTLE_RESERVE_MS;
    if (available < 0) {
      return {
        name: hook.name,
        status: 'failed',
        durationMs: 0,
        error: 'not started: too little time left before the function deadline',
      };
    }
    const ownBudgetMs =
      hook.timeoutSeconds === undefined ? Number.POSITIVE_INFINITY : hook.timeoutSeconds * 1000;
    const budgetMs = Math.min(ownBudgetMs, available);
    const budgetReason =
      budgetMs === ownBudgetMs
        ? `its timeoutSeconds (${hook.timeoutSeconds})`
        : 'the time left before the function deadline, less the settle reserve';
    const started = this.now();
    const budgetEnds = started + budgetMs;
    const controller = new AbortController();
    const context: HookContext = {
      run: shared.run,
      log,
      signal: controller.signal,
      secrets: shared.secrets,
      // Once the hook's budget has ended, it may not open a connection that would outlive the run.
      target: () =>
        controller.signal.aborted
          ? Promise.reject(
              new HookTimeoutError(
                `${hook.name}: its time budget has ended; it may not use the target database any more`,
              ),
            )
          : shared.target.get(),
      remainingTimeMs: () => Math.min(remainingTimeMs() - SETTLE_RESERVE_MS, budgetEnds - this.now()),
    };

    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          const error = new HookTimeoutError(
            `timed out after ${Math.round(budgetMs / 1000)} s (budget: ${budgetReason})`,
          );
          controller.abort(error);
          reject(error);
        },
        Math.min(budgetMs, MAX_TIMER_MS),
      );
    });
    // Called through an async wrapper so a hook that throws before returning a promise is a failure too.
    const running = (async () => hook.run(context))();
    // If the budget wins the race, the hook's own late failure has nobody left to hear it.
    running.catch(() => undefined);
    try {
      const result = await Promise.race([running, timedOut]);
      const durationMs = Math.round(this.now() - started);
      log.info('hook succeeded', { hook: hook.name, durationMs, changed: result?.changed });
      return {
        name: hook.name,
        status: 'succeeded',
        durationMs,
        ...(result?.changed && { changed: result.changed }),
        ...(result?.rowsMasked !== undefined && { rowsMasked: result.rowsMasked }),
      };
    } catch (error) {
      const durationMs = Math.round(this.now() - started);
      log.error('hook failed', { hook: hook.name, durationMs, error: describeError(error) });
      return {
        name: hook.name,
        status: 'failed',
        durationMs,
        error: describeError(error),
        ...(error instanceof HookTimeoutError && { timedOut: true as const }),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
