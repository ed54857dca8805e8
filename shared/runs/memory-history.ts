// Why this file exists: the local run and the unit tests need a RunHistory without DynamoDB. It keeps the
// same rules as the DynamoDB one (a day's bucket per task, one entry per run id, at most MAX_RUNS_PER_DAY
// runs a day), and copies entries in and out, as a real store would.
import {
  type HistoryQuery,
  type HistoryWrite,
  historyDayOf,
  historyDays,
  historyKeyOf,
  MAX_RUNS_PER_DAY,
  newestFirst,
  type RunHistory,
  type RunHistoryEntry,
} from './history.ts';

export class MemoryRunHistory implements RunHistory {
  /** Day bucket key → run id → the entry as JSON. */
  private readonly buckets = new Map<string, Map<string, string>>();

  async record(taskArn: string, entry: RunHistoryEntry): Promise<HistoryWrite> {
    const key = historyKeyOf(taskArn, historyDayOf(entry));
    const bucket = this.buckets.get(key) ?? new Map<string, string>();
    if (!bucket.has(entry.id) && bucket.size >= MAX_RUNS_PER_DAY) return 'day-full';
    bucket.set(entry.id, JSON.stringify(entry));
    this.buckets.set(key, bucket);
    return 'recorded';
  }

  async list(taskArn: string, query: HistoryQuery): Promise<RunHistoryEntry[]> {
    const entries = historyDays(query.since, query.until).flatMap((day) => [
      ...(this.buckets.get(historyKeyOf(taskArn, day))?.values() ?? []),
    ]);
    return newestFirst(
      entries.map((json) => JSON.parse(json) as RunHistoryEntry),
      query,
    );
  }
}
