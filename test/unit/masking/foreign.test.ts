// The foreign-key rules of the pre-flight (see shared/masking/foreign.ts): which column pairs of a foreign key
// may be masked, and what a refusal names (the constraint, both columns and the strategies, never a value).
import { describe, expect, it } from 'vitest';
import { type ForeignKey, foreignKeyVerdict, orphansQuery } from '#shared/masking/foreign';
import type { Strategy } from '#shared/masking/rules';

const key = (over: Partial<ForeignKey> = {}): ForeignKey => ({
  name: 'visits_patient_fk',
  from: { schema: 'public', table: 'visits', columns: ['patient_email'] },
  to: { schema: 'public', table: 'patients', columns: ['email'] },
  deferrable: true,
  onUpdateCascade: false,
  ...over,
});
const FROM = 'public.visits.patient_email';
const TO = 'public.patients.email';
const verdict = (from: Strategy | undefined, to: Strategy | undefined, over: Partial<ForeignKey> = {}) =>
  foreignKeyVerdict(key(over), FROM, TO, from, to, 'postgres');

describe('foreignKeyVerdict', () => {
  it.each<[Strategy, Strategy, string]>([
    [{ strategy: 'email' }, { strategy: 'email' }, 'linked'],
    [{ strategy: 'hash' }, { strategy: 'hash', length: 32 }, 'linked'],
    [{ strategy: 'hash', length: 16 }, { strategy: 'hash', length: 32 }, 'refused'],
    [{ strategy: 'first-name' }, { strategy: 'first-name' }, 'linked'],
    [{ strategy: 'last-name' }, { strategy: 'first-name' }, 'refused'],
    [{ strategy: 'full-name' }, { strategy: 'full-name' }, 'linked'],
    [{ strategy: 'full-name' }, { strategy: 'first-name' }, 'refused'],
    [{ strategy: 'text-scrub' }, { strategy: 'text-scrub' }, 'refused'],
    [{ strategy: 'noise', ratio: 0.1 }, { strategy: 'noise', ratio: 0.1 }, 'refused'],
    [{ strategy: 'fixed', value: 'x' }, { strategy: 'fixed', value: 'x' }, 'linked'],
    [{ strategy: 'fixed', value: 'x' }, { strategy: 'fixed', value: 'y' }, 'refused'],
    [{ strategy: 'null' }, { strategy: 'null' }, 'linked'],
    [{ strategy: 'shuffle' }, { strategy: 'shuffle' }, 'refused'],
    [{ strategy: 'partial', keepLast: 2 }, { strategy: 'partial', keepLast: 2 }, 'refused'],
    [{ strategy: 'email' }, { strategy: 'hash' }, 'refused'],
  ])('%j → %j is %s', (from, to, expected) => {
    expect(verdict(from, to).kind).toBe(expected);
  });

  it('ignores a pair with neither side masked', () => {
    expect(verdict(undefined, undefined).kind).toBe('unmasked');
  });

  it('refuses one side masked only, naming the constraint, both columns and the strategy', () => {
    const referenced = verdict(undefined, { strategy: 'email' }, { onUpdateCascade: true });
    expect(referenced).toEqual({
      kind: 'refused',
      why: `foreign key visits_patient_fk (${FROM} → ${TO}): ${TO} is masked with email but ${FROM} is not, so the reference would break (ON UPDATE CASCADE is not relied on); mask both columns with the same deterministic strategy`,
    });
    const referencing = verdict({ strategy: 'hash', length: 20 }, undefined);
    expect(referencing.kind === 'refused' && referencing.why).toContain(
      `${FROM} is masked with hash (length 20) but ${TO} is not`,
    );
  });

  it('refuses a non-deferrable constraint on PostgreSQL only, with the statement that fixes it', () => {
    const refused = verdict({ strategy: 'email' }, { strategy: 'email' }, { deferrable: false });
    expect(refused.kind === 'refused' && refused.why).toContain(
      'ALTER TABLE public.visits ALTER CONSTRAINT visits_patient_fk DEFERRABLE',
    );
    const mysql = foreignKeyVerdict(
      key({ deferrable: false }),
      FROM,
      TO,
      { strategy: 'email' },
      { strategy: 'email' },
      'mysql',
    );
    expect(mysql.kind).toBe('linked');
  });
});

describe('orphansQuery', () => {
  it('counts referencing rows with every key column set that find no referenced row', () => {
    expect(
      orphansQuery('"v"', '"p"', [
        { from: '"a"', to: '"x"' },
        { from: '"b"', to: '"y"' },
      ]).replace(/\s+/g, ' '),
    ).toBe(
      'SELECT COUNT(*) AS n FROM "v" f WHERE f."a" IS NOT NULL AND f."b" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "p" r WHERE r."x" = f."a" AND r."y" = f."b")',
    );
  });
});
