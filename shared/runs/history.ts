// Why this file exists: the task's record keeps only its current (or last) run, and each new run replaces it,
// so a run's release also leaves a compact entry in the run history: what `dms-scheduler history` lists. This
// is the port the release step writes through, the entry's shape, and the pure rules for it: which UTC day's
// bucket it goes in, when that bucket expires, and how an entry is kept small enough that a whole day of a
// busy schedule fits in one DynamoDB item (400 KB). An entry carries counts, states and DMS's own wording,
// never a secret, a row value, a hook's error text or its `changed` report (a custom hook may put data there).
import type { StartType } from '../dms/task.ts';
import type { HookStatus, RuleDecision, Run, RunOutcomeKind, RunTrigger } from './run.ts';

export interface HistoryHook {
  readonly name: string;
  readonly status: HookStatus;
  readonly durationMs?: number;
  readonly rowsMasked?: number;
}

/** One released run, as the history keeps it. */
export interface RunHistoryEntry {
  readonly id: string;
  readonly trigger: RunTrigger;
  readonly startType?: StartType;
  readonly scheduledFor?: string;
  /** When the run took the task's lock: the entry's day bucket is this date's. */
  readonly createdAt: string;
  readonly startRequestedAt?: string;
  readonly finishedAt?: string;
  readonly releasedAt: string;
  /** From the lock taken to its release: how long this run kept the task (and the schedule) to itself. */
  readonly lockHeldMs: number;
  readonly outcome?: {
    readonly kind: RunOutcomeKind;
    readonly explanation: string;
    readonly stopReason?: string;
  };
  readonly hooks: readonly HistoryHook[];
  /** Hooks left out to keep the entry small (a configuration with very many hooks); 0 almost always. */
  readonly hooksOmitted: number;
  /** Summed over every hook that recorded a count, the omitted ones included. */
  readonly rowsMasked?: number;
  readonly ruleDecision?: RuleDecision;
  /** For a run group: how many tasks it held, and how many of them succeeded (two numbers, whatever the size). */
  readonly tasks?: { readonly total: number; readonly succeeded: number };
}

/** What a write did: `day-full` when the day's bucket already holds MAX_RUNS_PER_DAY other runs. */
export type HistoryWrite = 'recorded' | 'day-full';

export interface HistoryQuery {
  /** Runs created at or after this moment. */
  readonly since: Date;
  /** The newest day to read: now, for a person asking. */
  readonly until: Date;
  readonly limit: number;
}

/**
 * The run history of a task. `record` is idempotent per run id: writing the same run again (a retried
 * release, a lost answer) replaces its entry, never adds a second one.
 */
export interface RunHistory {
  record(taskArn: string, entry: RunHistoryEntry): Promise<HistoryWrite>;
  /** Newest first, at most `limit`. */
  list(taskArn: string, query: HistoryQuery): Promise<RunHistoryEntry[]>;
}

const DAY_MS = 86_400_000;
/** How long a day's bucket is kept after that day ends; DynamoDB's TTL deletes it some time after. */
export const HISTORY_RETENTION_DAYS = 90;
/** One entry, as JSON in UTF-8, is at most this large: see MAX_RUNS_PER_DAY. */
export const ENTRY_MAX_BYTES = 1024;
/**
 * A day's bucket holds at most this many runs: 360 × (1 KiB entry + its attribute name + its id in the set
 * of ids) stays under DynamoDB's 400 KB item limit, with room for the key. That is a run every 4 minutes all
 * day; a 5-minute schedule makes 288. A run past it is not kept in the history (and counted as such), rather
 * than keeping the task's lock until a write that can never succeed does.
 */
export const MAX_RUNS_PER_DAY = 360;

const EXPLANATION_MAX_CHARS = 200;
const SHORT_EXPLANATION_MAX_CHARS = 60;
const STOP_REASON_MAX_CHARS = 64;
const HOOK_NAME_MAX_CHARS = 64;

/** The UTC day (`yyyy-mm-dd`) of the run's lock: a run keeps its day however long it lasts. */
export function historyDayOf(run: Pick<Run, 'createdAt'> | Pick<RunHistoryEntry, 'createdAt'>): string {
  return new Date(run.createdAt).toISOString().slice(0, 10);
}

/** The key of a day's bucket, beside the task's own record (`task#…`) in the same table. */
export function historyKeyOf(taskArn: string, day: string): string {
  return `history#${taskArn}#${day}`;
}

/** Epoch seconds (DynamoDB TTL's unit) HISTORY_RETENTION_DAYS after the day ends. */
export function historyExpiresAt(day: string): number {
  return (Date.parse(`${day}T00:00:00.000Z`) + (HISTORY_RETENTION_DAYS + 1) * DAY_MS) / 1000;
}

/** The days from `until`'s back to `since`'s (no further back than the retention), newest first. */
export function historyDays(since: Date, until: Date): string[] {
  const dayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
  const retained = until.getTime() - (HISTORY_RETENTION_DAYS + 1) * DAY_MS;
  const oldest = dayStart(Math.max(since.getTime(), retained));
  const days: string[] = [];
  for (let at = dayStart(until.getTime()); at >= oldest; at -= DAY_MS) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

/** The run's entry, as it is released at `releasedAt`, fitted to ENTRY_MAX_BYTES. */
export function historyEntryOf(run: Run, releasedAt: Date): RunHistoryEntry {
  const hooks = run.hooks ?? [];
  const counted = hooks.flatMap((hook) => (hook.rowsMasked === undefined ? [] : [hook.rowsMasked]));
  const entry: RunHistoryEntry = {
    id: run.id,
    trigger: run.trigger,
    ...(run.startType && { startType: run.startType }),
    ...(run.scheduledFor && { scheduledFor: run.scheduledFor }),
    createdAt: run.createdAt,
    ...(run.startRequestedAt && { startRequestedAt: run.startRequestedAt }),
    ...(run.finishedAt && { finishedAt: run.finishedAt }),
    releasedAt: releasedAt.toISOString(),
    lockHeldMs: Math.max(0, releasedAt.getTime() - Date.parse(run.createdAt)),
    ...(run.outcome && {
      outcome: {
        kind: run.outcome.kind,
        explanation: truncate(run.outcome.explanation, EXPLANATION_MAX_CHARS),
        ...(run.outcome.stopReason && {
          stopReason: truncate(run.outcome.stopReason, STOP_REASON_MAX_CHARS),
        }),
      },
    }),
    hooks: hooks.map((hook) => ({
      name: truncate(hook.name, HOOK_NAME_MAX_CHARS),
      status: hook.status,
      ...(hook.durationMs !== undefined && { durationMs: hook.durationMs }),
      ...(hook.rowsMasked !== undefined && { rowsMasked: hook.rowsMasked }),
    })),
    hooksOmitted: 0,
    ...(counted.length > 0 && { rowsMasked: counted.reduce((sum, rows) => sum + rows, 0) }),
    ...(run.ruleDecision && { ruleDecision: run.ruleDecision }),
    ...(run.members && {
      tasks: {
        total: run.members.length,
        succeeded: run.members.filter((member) => member.outcome?.kind === 'succeeded').length,
      },
    }),
  };
  return fitEntry(entry);
}

export function entryBytes(entry: RunHistoryEntry): number {
  return Buffer.byteLength(JSON.stringify(entry), 'utf8');
}

/**
 * Within ENTRY_MAX_BYTES: the last hooks go first (their count is kept, and the rows they masked are in the
 * total), then the explanation is shortened, then dropped. Ids, dates and states are short and bounded.
 */
export function fitEntry(entry: RunHistoryEntry): RunHistoryEntry {
  let fitted = entry;
  while (entryBytes(fitted) > ENTRY_MAX_BYTES && fitted.hooks.length > 0) {
    fitted = { ...fitted, hooks: fitted.hooks.slice(0, -1), hooksOmitted: fitted.hooksOmitted + 1 };
  }
  const outcome = fitted.outcome;
  if (entryBytes(fitted) > ENTRY_MAX_BYTES && outcome) {
    const explanation = truncate(outcome.explanation, SHORT_EXPLANATION_MAX_CHARS);
    fitted = { ...fitted, outcome: { ...outcome, explanation } };
    if (entryBytes(fitted) > ENTRY_MAX_BYTES)
      fitted = { ...fitted, outcome: { ...outcome, explanation: '' } };
  }
  return fitted;
}

/** At most `max` characters, the cut marked; never a lone half of a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Newest first, by when the run took the lock, and at most `limit`, of those created since `since`. */
export function newestFirst(
  entries: readonly RunHistoryEntry[],
  query: Pick<HistoryQuery, 'since' | 'limit'>,
): RunHistoryEntry[] {
  return entries
    .filter((entry) => Date.parse(entry.createdAt) >= query.since.getTime())
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
    .slice(0, query.limit);
}
