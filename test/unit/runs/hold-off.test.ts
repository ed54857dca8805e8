// Ending a keep-disabled hold-off by hand (`dms-scheduler resume`): the rule on, then the hold-off cleared,
// the same functions a successful release uses; refused while a run is active and when there is no hold-off.
import { beforeEach, describe, expect, it } from 'vitest';
import { resumeHeldOffSchedule, withoutHoldOff } from '#shared/runs/hold-off';
import { ChangeRefused, type RunStore } from '#shared/runs/store';
import { RecordingRule, RecordingStore, runFixture, seedRecord, TASK_ARN } from '../../support/ports.ts';

const HOLD_OFF = { runId: '2026-11-22T00:00:00.000Z~dead01', since: '2026-11-22T00:40:00.000Z' };
const released = runFixture({ id: HOLD_OFF.runId, phase: 'released', releasedAt: HOLD_OFF.since });

let store: RecordingStore;
let rule: RecordingRule;

beforeEach(() => {
  store = new RecordingStore();
  rule = new RecordingRule('DISABLED');
});

describe('resumeHeldOffSchedule', () => {
  it('enables the rule first, then clears the hold-off, and keeps the rest of the record', async () => {
    await seedRecord(store.inner, { seen: 7, run: released, holdOff: HOLD_OFF, lastScheduledFor: 'x' });
    let ruleWhenWritten: string | undefined;
    store.beforeSave = () => {
      ruleWhenWritten = rule.current;
      return undefined;
    };
    expect(await resumeHeldOffSchedule({ store, rule }, TASK_ARN)).toEqual({
      refused: false,
      holdOff: HOLD_OFF,
      ruleBefore: 'DISABLED',
    });
    expect(rule.calls).toEqual(['state', 'enable']);
    expect(ruleWhenWritten).toBe('ENABLED');
    expect(await store.record()).toEqual({ seen: 7, run: released, lastScheduledFor: 'x' });
  });

  it('refuses while a run is active, touching neither the rule nor the record', async () => {
    const active = runFixture({ phase: 'hooks' });
    await seedRecord(store.inner, { seen: 0, run: active, holdOff: HOLD_OFF });
    expect(await resumeHeldOffSchedule({ store, rule }, TASK_ARN)).toEqual({
      refused: 'run-active',
      runId: active.id,
      phase: 'hooks',
    });
    expect(rule.calls).toEqual([]);
    expect(store.written).toEqual([]);
  });

  it.each([
    'ENABLED',
    'DISABLED',
  ] as const)('refuses without a hold-off and says the rule is %s; a rule off by hand stays off', async (state) => {
    rule.current = state;
    await seedRecord(store.inner, { seen: 0, run: released });
    expect(await resumeHeldOffSchedule({ store, rule }, TASK_ARN)).toEqual({
      refused: 'no-hold-off',
      ruleState: state,
    });
    expect(rule.calls).toEqual(['state']);
    expect(rule.current).toBe(state);
  });

  it('a rule that cannot be enabled leaves the hold-off recorded (nothing is lost for the next try)', async () => {
    await seedRecord(store.inner, { seen: 0, run: released, holdOff: HOLD_OFF });
    rule.failOn = 'enable';
    await expect(resumeHeldOffSchedule({ store, rule }, TASK_ARN)).rejects.toThrow(/enable failed/);
    expect((await store.record())?.holdOff).toEqual(HOLD_OFF);
  });

  it("a newer failure's hold-off written meanwhile is not cleared", async () => {
    await seedRecord(store.inner, { seen: 0, run: released, holdOff: HOLD_OFF });
    const newer = { runId: 'newer', since: '2026-11-23T00:40:00.000Z' };
    let first = true;
    const racing: RunStore = {
      load: (taskArn) => store.inner.load(taskArn),
      save: async (taskArn, record, version) => {
        if (!first) return store.inner.save(taskArn, record, version);
        first = false;
        // Another run failed and held the rule off again between the read and this write.
        const current = await store.inner.load(taskArn);
        await store.inner.save(
          taskArn,
          { ...(current.record ?? { seen: 0 }), holdOff: newer },
          current.version,
        );
        return false;
      },
    };
    await expect(resumeHeldOffSchedule({ store: racing, rule }, TASK_ARN)).rejects.toBeInstanceOf(
      ChangeRefused,
    );
    expect((await store.record())?.holdOff).toEqual(newer);
  });
});

it('withoutHoldOff drops only the hold-off', () => {
  expect(withoutHoldOff({ seen: 1, holdOff: HOLD_OFF, run: released })).toEqual({ seen: 1, run: released });
});
