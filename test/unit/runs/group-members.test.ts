// The pure rules of a group's members, over generated groups: never more members under way than the limit,
// a group succeeds only when every member did, a failure stops every queued member, and the outcome names
// each task that did not succeed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allSettled,
  groupOutcome,
  isActiveMember,
  nextToStart,
  settleMembers,
} from '#shared/runs/group-members';
import type { GroupMember, MemberState, RunOutcomeKind } from '#shared/runs/run';

const STATES: MemberState[] = ['queued', 'starting', 'started', 'finished', 'not-started'];
const KINDS: RunOutcomeKind[] = ['succeeded', 'failed', 'stopped-by-user', 'start-failed'];

const memberArb = (index: number) =>
  fc.record({ state: fc.constantFrom(...STATES), kind: fc.constantFrom(...KINDS) }).map(
    ({ state, kind }): GroupMember => ({
      arn: `arn:aws:dms:us-east-1:123456789012:task:T${index}`,
      identifier: `part-${index}`,
      state,
      before: 0,
      startRequestedAt: '2026-11-23T00:00:00.000Z',
      ...(state === 'finished' && { outcome: { kind, explanation: `part-${index} ${kind}` } }),
    }),
  );
const groupArb = fc
  .integer({ min: 1, max: 8 })
  .chain((size) => fc.tuple(...Array.from({ length: size }, (_, i) => memberArb(i))));

describe('the members of a group', () => {
  it('never lets more members be under way than the limit', () => {
    fc.assert(
      fc.property(groupArb, fc.integer({ min: 1, max: 8 }), (members, limit) => {
        const starts = nextToStart(members, { name: 'g', maxConcurrency: limit });
        const active = members.filter(isActiveMember).length;
        expect(active + starts.length).toBeLessThanOrEqual(Math.max(limit, active));
        for (const index of starts) expect(members[index]?.state).toBe('queued');
        // In the group's order: the first queued members go first.
        const queued = members.flatMap((member, i) => (member.state === 'queued' ? [i] : []));
        expect(starts).toEqual(queued.slice(0, starts.length));
      }),
    );
  });

  it('succeeds only when every member succeeded, and names each task that did not', () => {
    fc.assert(
      fc.property(groupArb, (members) => {
        const settled = members.map((member) =>
          member.state === 'finished' ? member : { ...member, state: 'not-started' as const },
        );
        fc.pre(allSettled(settled));
        const outcome = groupOutcome(settled);
        const everyOne = settled.every((member) => member.outcome?.kind === 'succeeded');
        expect(outcome.kind === 'succeeded').toBe(everyOne);
        for (const member of settled) {
          if (member.outcome?.kind !== 'succeeded') {
            expect(outcome.explanation).toContain(`task ${member.identifier}`);
          }
        }
        if (!everyOne && settled.some((m) => m.outcome?.kind === 'failed')) {
          expect(outcome.kind).toBe('failed');
        }
      }),
    );
  });

  it('calls a group start-failed only when no member ran at all', () => {
    const refused = (i: number, kind: RunOutcomeKind): GroupMember => ({
      arn: `a${i}`,
      identifier: `p${i}`,
      state: 'finished',
      before: 0,
      outcome: { kind, explanation: kind },
    });
    expect(groupOutcome([refused(1, 'start-failed'), refused(2, 'start-failed')]).kind).toBe('start-failed');
    expect(groupOutcome([refused(1, 'start-failed'), refused(2, 'succeeded')]).kind).toBe('failed');
    expect(groupOutcome([refused(1, 'stopped-by-user'), refused(2, 'succeeded')]).kind).toBe(
      'stopped-by-user',
    );
  });

  it('stops every queued member once a member did not succeed', () => {
    fc.assert(
      fc.property(groupArb, (members) => {
        const after = settleMembers(members, new Map(), new Date('2026-11-23T00:01:00Z'), 300_000);
        const failed = members.some(
          (member) => member.state === 'finished' && member.outcome?.kind !== 'succeeded',
        );
        for (const [i, member] of after.entries()) {
          if (members[i]?.state === 'queued') expect(member.state).toBe(failed ? 'not-started' : 'queued');
          else expect(member).toBe(members[i]);
        }
      }),
    );
  });

  it('stops every queued member once a person asked the group to stop, even with no member failed', () => {
    const queued: GroupMember = { arn: 'a1', identifier: 'p1', state: 'queued', before: 0 };
    const running: GroupMember = { ...queued, arn: 'a2', identifier: 'p2', state: 'started' };
    const now = new Date('2026-11-23T00:01:00Z');
    expect(settleMembers([running, queued], new Map(), now, 300_000, true)[1]?.state).toBe('not-started');
    expect(settleMembers([running, queued], new Map(), now, 300_000, false)[1]?.state).toBe('queued');
  });
});
