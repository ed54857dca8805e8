// Runs the configured hooks in order. The first failure stops the rest (they are reported as skipped), so a
// cleanup step never runs on data an earlier step failed to mask. A hook is not started when too little time
// is left before the function's deadline: a hook cut off halfway is worse than one that never began.
import { describeError } from '../errors.ts';
import type { Log } from '../log.ts';
import type { Hook, HookReport, HookRunner, HooksReport, RunSummary } from './contract.ts';

/** Time kept back for settling the run (ledger, alert, rule) after the last hook. */
export const SETTLE_RESERVE_MS = 10_000;

export class SequentialHookRunner implements HookRunner {
  constructor(
    private readonly hooks: readonly Hook[],
    private readonly now: () => number = () => performance.now(),
  ) {}

  async run(run: RunSummary, log: Log, remainingTimeMs: () => number): Promise<HooksReport> {
    const reports: HookReport[] = [];
    let failed = false;
    for (const hook of this.hooks) {
      if (failed) {
        reports.push({ name: hook.name, status: 'skipped', durationMs: 0 });
        continue;
      }
      const report = await this.runOne(hook, run, log, remainingTimeMs);
      reports.push(report);
      failed = report.status === 'failed';
    }
    return { succeeded: !failed, hooks: reports };
  }

  private async runOne(
    hook: Hook,
    run: RunSummary,
    log: Log,
    remainingTimeMs: () => number,
  ): Promise<HookReport> {
    if (remainingTimeMs() < SETTLE_RESERVE_MS) {
      return {
        name: hook.name,
        status: 'failed',
        durationMs: 0,
        error: 'not started: too little time left before the function deadline',
      };
    }
    const started = this.now();
    try {
      const result = await hook.run({
        run,
        log,
        remainingTimeMs: () => remainingTimeMs() - SETTLE_RESERVE_MS,
      });
      const durationMs = Math.round(this.now() - started);
      log.info('hook succeeded', { hook: hook.name, durationMs, changed: result?.changed });
      return {
        name: hook.name,
        status: 'succeeded',
        durationMs,
        ...(result?.changed && { changed: result.changed }),
      };
    } catch (error) {
      const durationMs = Math.round(this.now() - started);
      log.error('hook failed', { hook: hook.name, durationMs, error: describeError(error) });
      return { name: hook.name, status: 'failed', durationMs, error: describeError(error) };
    }
  }
}
