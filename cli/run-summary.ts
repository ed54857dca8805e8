// Why this file exists: `status` and `history` show the same run from the ledger, and their `--json` must
// describe it the same way. This is that one view of a Run: every key always present (null when the run has
// no such value yet), dates as ISO strings, so scripts can rely on the shape (README: "Command line").
import type { HookStatus, RuleDecision, Run, RunTrigger } from '#shared/runs/run';

export interface HookSummary {
  readonly name: string;
  readonly status: HookStatus;
  readonly durationMs: number | null;
  readonly rowsMasked: number | null;
  readonly changed: string | null;
  readonly error: string | null;
}

export interface RunSummary {
  readonly id: string;
  readonly trigger: RunTrigger;
  readonly phase: Run['phase'];
  /** True until the run is released: it then holds the task's lock. */
  readonly active: boolean;
  readonly startType: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** From the start to the task's end; null while the task is still running. */
  readonly durationMs: number | null;
  readonly outcome: { readonly kind: string; readonly explanation: string } | null;
  readonly hooks: readonly HookSummary[];
  /** The sum over the hooks that recorded one; null when none did (no mask hook, or an older record). */
  readonly rowsMasked: number | null;
  /** What the run does (or did) with the schedule rule when released; null until decided. */
  readonly ruleAction: RuleDecision | null;
  readonly releasedAt: string | null;
  readonly lastError: string | null;
}

export function summariseRun(run: Run): RunSummary {
  const hooks = (run.hooks ?? []).map(
    (hook): HookSummary => ({
      name: hook.name,
      status: hook.status,
      durationMs: hook.durationMs ?? null,
      rowsMasked: hook.rowsMasked ?? null,
      changed: hook.changed ?? null,
      error: hook.error ?? null,
    }),
  );
  const counted = hooks.flatMap((hook) => (hook.rowsMasked === null ? [] : [hook.rowsMasked]));
  const startedAt = run.startRequestedAt ?? run.createdAt;
  return {
    id: run.id,
    trigger: run.trigger,
    phase: run.phase,
    active: run.phase !== 'released',
    startType: run.startType ?? null,
    startedAt,
    finishedAt: run.finishedAt ?? null,
    durationMs: run.finishedAt === undefined ? null : Date.parse(run.finishedAt) - Date.parse(startedAt),
    outcome: run.outcome ? { kind: run.outcome.kind, explanation: run.outcome.explanation } : null,
    hooks,
    rowsMasked: counted.length === 0 ? null : counted.reduce((sum, rows) => sum + rows, 0),
    ruleAction: run.ruleDecision ?? null,
    releasedAt: run.releasedAt ?? null,
    lastError: run.lastError ?? null,
  };
}

/** "2 succeeded, 1 skipped": the hooks' statuses counted, in the order a run moves through them. */
export function countHooks(hooks: readonly HookSummary[]): string {
  if (hooks.length === 0) return 'none';
  const order: readonly HookStatus[] = [
    'succeeded',
    'failed',
    'interrupted',
    'skipped',
    'running',
    'pending',
  ];
  return order
    .map((status) => [status, hooks.filter((hook) => hook.status === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
}
