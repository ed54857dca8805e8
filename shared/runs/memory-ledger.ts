// An in-process RunLedger with the same claim semantics as the DynamoDB one: used by the local run, where
// one process sees every notice, and by unit tests of the settling logic.
import type { Claim, RunLedger, SettledRun } from './ledger.ts';

type Entry = { state: 'in-progress'; leaseUntil: Date } | { state: 'settled'; run: SettledRun };

export class MemoryRunLedger implements RunLedger {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  async claim(runKey: string, leaseUntil: Date): Promise<Claim> {
    const entry = this.entries.get(runKey);
    if (entry?.state === 'settled') return { claimed: false, settled: entry.run };
    if (entry?.state === 'in-progress' && entry.leaseUntil > this.clock()) return { claimed: false };
    this.entries.set(runKey, { state: 'in-progress', leaseUntil });
    return { claimed: true };
  }

  async settle(run: SettledRun): Promise<void> {
    this.entries.set(run.runKey, { state: 'settled', run });
  }

  async abandon(runKey: string): Promise<void> {
    if (this.entries.get(runKey)?.state === 'in-progress') this.entries.delete(runKey);
  }
}
