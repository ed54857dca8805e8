// Why this file exists: the masking salt is the one secret every pseudonym of every stack that shares it derives
// from, so it never leaves this process. What the database needs is a key per purpose (one per deterministic
// strategy), derived here with HMAC-SHA-256 and bound as a parameter of the statements that use it: never held
// by the session (no user variable, no setting a trigger or `user_variables_by_thread` could read), never in a
// statement's text (so never in `pg_stat_activity.query`, the process list or `events_statements_*`).
//
// What someone who sees a purpose key (see README, "What masking keeps from whom") can do with it: compute the
// pseudonym of a value they already know for that one purpose (is alice@example.com in this copy?), as the
// masking itself does. What they cannot: recover the salt (HMAC is one-way), or compute another purpose's or
// another salt's pseudonyms.
import { createHmac } from 'node:crypto';

/** The deterministic strategies, each with a key of its own. */
export type KeyPurpose = 'hash' | 'email' | 'first-name' | 'last-name' | 'full-name';

/**
 * Versioned label: changing the derivation changes every pseudonym, which a team relying on stable pseudonyms
 * across refreshes must be told about, so a new derivation gets a new label.
 */
const LABEL = 'dms-scheduler/masking/v1/';

/** The key of one purpose: 64 hex characters, never the salt nor anything the salt can be read back from. */
export function purposeKey(salt: string, purpose: KeyPurpose): string {
  return createHmac('sha256', salt).update(`${LABEL}${purpose}`).digest('hex');
}

const PURPOSES: readonly KeyPurpose[] = ['hash', 'email', 'first-name', 'last-name', 'full-name'];

/** Every purpose's key of one salt, derived once per masking run; the salt itself is not kept. */
export function purposeKeys(salt: string): Readonly<Record<KeyPurpose, string>> {
  return Object.fromEntries(PURPOSES.map((purpose) => [purpose, purposeKey(salt, purpose)])) as Record<
    KeyPurpose,
    string
  >;
}
