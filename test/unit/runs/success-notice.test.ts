// The "staging is ready" notice is read by people deciding whether to open the target: it must say which run
// succeeded, how long it took, what the hooks did (as counts and statuses, never values or hook report
// text), and what the schedule does next, and it must always be publishable by SNS, however long the names.
import { describe, expect, it } from 'vitest';
import { MESSAGE_LIMIT_BYTES, SUBJECT_MAX_CHARS } from '#shared/alerts/alerts';
import { formatDuration } from '#shared/duration-text';
import type { HookProgress, Run } from '#shared/runs/run';
import { successNotice, successNoticeId } from '#shared/runs/success-notice';
import { postProcessorConfig, RULE_NAME, runFixture, TASK_ARN, TASK_ID } from '../../support/ports.ts';

const CREATED = '2026-11-23T00:00:00.000Z';
const FINISHED = new Date('2026-11-23T00:52:40.000Z');

const hook = (name: string, overrides: Partial<HookProgress> = {}): HookProgress => ({
  name,
  status: 'succeeded',
  rerunnable: false,
  attempts: 1,
  durationMs: 5_000,
  ...overrides,
});

function succeededRun(overrides: Partial<Run> = {}): Run {
  return runFixture({
    id: `${CREATED}~abcdef`,
    createdAt: CREATED,
    phase: 'hooks-done',
    trigger: 'schedule',
    startType: 'reload-target',
    outcome: { kind: 'succeeded', explanation: 'The full load finished' },
    stats: {
      startDate: '2026-11-23T00:00:05.000Z',
      stopDate: '2026-11-23T00:41:07.000Z',
      tablesLoaded: 12,
      tablesErrored: 0,
    },
    hooks: [
      hook('mask-pii', {
        rerunnable: true,
        durationMs: 600_000,
        rowsMasked: 1200,
        changed: 'alice@example.com',
      }),
      hook('mask-orders', { durationMs: 90_000, rowsMasked: 34 }),
      hook('notify-team', { durationMs: 1_500, changed: 'posted to #staging with token xoxb-secret' }),
    ],
    ...overrides,
  });
}

const lines = (message: string) => message.split('\n');

describe('successNotice', () => {
  it('says in the subject which task finished what, and how long the whole run took', () => {
    const notice = successNotice(postProcessorConfig(), succeededRun(), 'enable', FINISHED);
    expect(notice.subject).toBe(`dms-scheduler: ${TASK_ID}: refresh succeeded (52m 40s)`);
    expect(notice.id).toBe(`${CREATED}~abcdef:succeeded`);
    expect(successNoticeId(succeededRun())).toBe(notice.id);
  });

  it('calls a data-migration run a migration', () => {
    const config = postProcessorConfig({
      MIGRATION_REFRESH_INDICATOR: 'data-migration',
      SCHEDULE_OR_ONE_TIME: 'one-time',
      SCHEDULE_RULE_ARN: '',
    });
    const notice = successNotice(config, succeededRun({ trigger: 'manual' }), 'none', FINISHED);
    expect(notice.subject).toBe(`dms-scheduler: ${TASK_ID}: migration succeeded (52m 40s)`);
    expect(notice.message).not.toContain('ready to be used');
    expect(lines(notice.message)).toContain('One-time mode: no schedule rule is involved.');
  });

  it('lists the task, trigger, start type, times, durations, tables and rows masked', () => {
    const { message } = successNotice(postProcessorConfig(), succeededRun(), 'enable', FINISHED);
    expect(lines(message)).toEqual([
      'refresh succeeded (52m 40s).',
      '',
      `Task: ${TASK_ID} (${TASK_ARN})`,
      `Run: ${CREATED}~abcdef`,
      'Trigger: schedule',
      'Start type: reload-target',
      `Started at: ${CREATED}`,
      'Finished at: 2026-11-23T00:52:40.000Z',
      'Duration: 52m 40s (load 41m 02s, hooks 11m 32s)',
      'Tables loaded: 12',
      'Rows masked: 1,234',
      'Hooks:',
      '- mask-pii: succeeded in 10m 00s, 1,200 rows masked',
      '- mask-orders: succeeded in 1m 30s, 34 rows masked',
      '- notify-team: succeeded in 2s',
      '',
      'The load and every hook succeeded: the target is ready to be used.',
      `The schedule rule ${RULE_NAME} is being re-enabled: the next run is on schedule.`,
    ]);
  });

  it("never carries a hook's own report text, which may quote data or secrets", () => {
    const { message, subject } = successNotice(postProcessorConfig(), succeededRun(), 'enable', FINISHED);
    for (const leak of ['alice@example.com', 'xoxb-secret', '#staging']) {
      expect(message).not.toContain(leak);
      expect(subject).not.toContain(leak);
    }
  });

  it('counts from the DMS start for a run adopted after DMS had begun', () => {
    const adopted = succeededRun({
      trigger: 'adopted',
      ruleOwned: false,
      createdAt: '2026-11-23T00:42:00.000Z',
      startType: undefined,
    });
    const notice = successNotice(postProcessorConfig(), adopted, 'none', FINISHED);
    expect(notice.subject).toContain('(52m 35s)');
    expect(notice.message).toContain('Started at: 2026-11-23T00:00:05.000Z');
    expect(notice.message).toContain('Start type: not recorded');
    expect(notice.message).toContain(`The schedule rule ${RULE_NAME} was not disabled by this run`);
  });

  it('says so when no hook masks rows, or no hook is configured at all', () => {
    const noMask = successNotice(
      postProcessorConfig(),
      succeededRun({ hooks: [hook('reindex')] }),
      'enable',
      FINISHED,
    );
    expect(noMask.message).toContain('Rows masked: none reported (no hook masks rows)');
    const none = successNotice(postProcessorConfig(), succeededRun({ hooks: [] }), 'enable', FINISHED);
    expect(none.message).toContain('Hooks: none configured');
    expect(none.message).toContain('Duration: 52m 40s (load 41m 02s, hooks 0s)');
  });

  it('leaves the load duration out when DMS gave no dates', () => {
    const { message } = successNotice(
      postProcessorConfig(),
      succeededRun({ stats: undefined }),
      'enable',
      FINISHED,
    );
    expect(lines(message)).toContain('Duration: 52m 40s');
    expect(message).not.toContain('Tables loaded');
  });

  it('stays publishable with names far past what SNS takes', () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      hook(`hook-${i}-${'x'.repeat(40)}\u0007é`, { rowsMasked: i }),
    );
    const config = postProcessorConfig({ REPLICATION_TASK_IDENTIFIER: `a${'b'.repeat(200)}` });
    const notice = successNotice(config, succeededRun({ hooks: many }), 'enable', FINISHED);
    expect(notice.subject.length).toBeLessThanOrEqual(SUBJECT_MAX_CHARS);
    expect(notice.subject).toMatch(/^[\x21-\x7E][\x20-\x7E]*$/);
    expect(notice.subject.endsWith('...')).toBe(true);
    expect(Buffer.byteLength(notice.message)).toBeLessThanOrEqual(MESSAGE_LIMIT_BYTES);
    expect(notice.message).toMatch(/\[\.\.\. truncated: \d+ more bytes\]$/);
    expect(notice.message).not.toContain('\u0007');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [-5, '0s'],
    [41_499, '41s'],
    [59_600, '1m 00s'],
    [760_000, '12m 40s'],
    [3_720_000, '1h 02m'],
    [183_600_000, '2d 03h'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
