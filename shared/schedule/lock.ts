// The schedule rule is the run's lock: disabled while a run is in flight, so a slow run is never overlapped
// by the next trigger, and enabled again when the run has been settled (invariant 1: never stuck).

export type RuleState = 'ENABLED' | 'DISABLED';

export interface RunLock {
  readonly ruleName: string;
  /** Disables the rule (a no-op when it already is) and returns the state it is left in. */
  disable(): Promise<RuleState>;
  /** Enables the rule (a no-op when it already is) and returns the state it is left in. */
  enable(): Promise<RuleState>;
}
