// The README's first command, as a test: `npm run local` runs three scheduled cycles over a real embedded
// PostgreSQL: a first start, a re-run choosing reload-target, and a start DMS refuses, after which one alert
// is published and the rule is enabled again. Each succeeded run sends one success notice. While run 1 is
// active, a repeated scheduled event and a manual start are skipped under its lock. After each load the
// staging copy is masked by the configured hooks.
// The run exits non-zero when any of its own checks fail, which makes execFile reject here. Its hooks are
// those of local/hooks.config.json, over the shipped hooks/sql/ and hooks/custom/ plus the local run's own
// staging-check module; that file is checked first, so a module a team removed is named at once. It ends
// with the `dms-scheduler history` table of its three runs; then a second scenario runs a group of two tasks,
// and a third a full-load-and-cdc migration whose full load finished milestone runs its post-load SQL hook
// once and sends the cut-over notice while changes keep arriving, before a stop at cut-over ends it succeeded.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { checkHookSettings, type HookSources } from '#shared/hooks/config-file';
import { CUSTOM_HOOKS } from '../../hooks/custom/index.ts';
import { SQL_SCRIPTS } from '../../hooks/sql/scripts.generated.ts';
import { stagingCheckHook } from '../../local/staging-check-hook.ts';
import { deploymentNeeds, parseRepoHooksFile } from '../support/shipped-hooks.ts';

const run = promisify(execFile);

/** What local/run.ts gives local/hooks.config.json to refer to. */
const LOCAL_SOURCES: HookSources = {
  sqlScripts: SQL_SCRIPTS,
  modules: { ...CUSTOM_HOOKS, 'staging-check': stagingCheckHook },
};
const localHooks = () => parseRepoHooksFile('local/hooks.config.json', LOCAL_SOURCES);

it('local/hooks.config.json is valid over what the local run registers, and passes the settings check', () => {
  const config = localHooks();
  expect(() =>
    checkHookSettings(config, deploymentNeeds(config, LOCAL_SOURCES.modules).settings, LOCAL_SOURCES.modules),
  ).not.toThrow();
});

it('runs the refresh cycles locally and prints the timeline', async () => {
  const { stdout: all } = await run(process.execPath, ['--import', 'tsx', 'local/run.ts'], {
    timeout: 120_000,
  });
  // The first scenario (one task, three nights), the second (a run group), the third (a full-load-and-cdc
  // migration), each checked on its own.
  const groupAt = all.indexOf('\n== Scenario 2');
  const cdcAt = all.indexOf('\n== Scenario 3');
  expect(groupAt).toBeGreaterThan(0);
  expect(cdcAt).toBeGreaterThan(groupAt);
  const stdout = all.slice(0, groupAt);
  const lines = stdout.split('\n');
  const index = (pattern: RegExp, from = 0) => {
    const found = lines.slice(from).findIndex((line) => pattern.test(line));
    return found === -1 ? -1 : from + found;
  };
  // The refresh cycles' lines, before the full-load-and-cdc part that ends the run (checked at the end).
  const count = (pattern: RegExp) => lines.filter((line) => pattern.test(line)).length;
  const run1 = index(/== Run 1/);
  const run2 = index(/== Run 2/);
  const run3 = index(/== Run 3/);
  const afterwards = index(/== Afterwards/);
  expect([run1, run2, run3, afterwards].every((at, i, all) => at > (all[i - 1] ?? -1))).toBe(true);

  // Start types: first start, then a re-run that must reload the target; DMS is asked three times in all.
  const first = index(/task-starter: started with start-replication/);
  expect(first).toBeGreaterThan(run1);
  expect(first).toBeLessThan(run2);
  const second = index(/task-starter: started with reload-target/);
  expect(second).toBeGreaterThan(run2);
  expect(second).toBeLessThan(run3);
  expect(count(/task\s+DMS accepted/)).toBe(2);
  expect(count(/task\s+DMS refused/)).toBe(1);

  // The lock: while run 1 is active, its scheduled event again and a manual {} start are both skipped,
  // naming run 1, and nothing is started; only then does run 1's load begin.
  const run1Id = lines[first]?.match(/; run (\S+)$/)?.[1];
  expect(run1Id).toBeDefined();
  const skipped = lines
    .slice(first + 1, index(/load\s+customers/, first))
    .filter((line) => /task-starter: skipped/.test(line));
  expect(skipped).toHaveLength(2);
  for (const line of skipped) {
    expect(line).toContain(`run ${run1Id} is still active`);
    expect(line).toMatch(/holds the task's lock\); rule untouched$/);
  }
  expect(lines[index(/the same scheduled event delivered again/) + 1]).toBe(skipped[0]);
  expect(lines[index(/a manual start \{\}/) + 1]).toBe(skipped[1]);

  // Rule states: disabled and enabled once per run, in that order, and ENABLED at the end.
  expect(count(/rule\s+dms-scheduler-schedule DISABLED/)).toBe(3);
  expect(count(/rule\s+dms-scheduler-schedule ENABLED/)).toBe(3);
  for (const [from, to] of [
    [run1, run2],
    [run2, run3],
    [run3, afterwards],
  ] as const) {
    const disabled = index(/rule\s+dms-scheduler-schedule DISABLED/, from);
    const enabled = index(/rule\s+dms-scheduler-schedule ENABLED/, from);
    expect(disabled).toBeGreaterThan(from);
    expect(enabled).toBeGreaterThan(disabled);
    expect(enabled).toBeLessThan(to);
  }
  expect(stdout).toContain('run record: no run active; rule ENABLED');

  // Runs 1 and 2 settle once each on the stop notice, with every hook and no alert.
  const hooks = localHooks().hooks;
  expect(
    count(
      new RegExp(
        `settled: load succeeded, all ${hooks.length} hooks succeeded; rule decision: enable; no alert; run released`,
      ),
    ),
  ).toBe(2);
  for (const { name } of hooks) expect(count(new RegExp(`hook\\s+${name} succeeded`)), name).toBe(2);
  // NotifyOnSuccess = success-topic: each succeeded run sends one "staging is ready" summary, before it
  // gives the rule back; the refused start sends none.
  const summary =
    /^\s*[\d.]+s\s+success\s+dms-scheduler: nightly-refresh: refresh succeeded \(\d+(s|m \d{2}s)\)$/;
  expect(count(summary)).toBe(2);
  for (const [from, to] of [
    [run1, run2],
    [run2, run3],
  ] as const) {
    const sent = index(summary, from);
    expect(sent).toBeLessThan(to);
    expect(index(/rule\s+dms-scheduler-schedule ENABLED/, from)).toBeGreaterThan(sent);
  }
  expect(count(/success\s+Rows masked: [\d,]+$/)).toBe(2);
  expect(count(/success\s+The load and every hook succeeded: the target is ready to be used\.$/)).toBe(2);
  // Every repeated SNS delivery changes nothing; the repeated stop notice finds the run settled already.
  expect(count(/SNS delivered again/)).toBe(4);
  expect(count(/post-processor: duplicate, nothing changed: /)).toBe(4);
  expect(count(/duplicate, nothing changed: ignored: the task's last run was settled already/)).toBe(2);
  expect(stdout).not.toContain('CHANGED something');
  expect(stdout).toContain('customers: 500 rows copied production → staging');

  // Masking: the sample rows hold production PII before the hooks and none after; joins survive.
  const before = index(/staging before the hooks/);
  const after = index(/staging after the hooks/);
  expect(lines.slice(before + 1, before + 4).join('\n')).toContain('donald.5@example.com');
  const masked = lines.slice(after + 1, after + 4).join('\n');
  expect(masked).not.toMatch(/@example\.com|\+1-555-\d|Please call me/);
  expect(masked).toMatch(/u_[0-9a-f]{16}@example\.invalid/);
  expect(stdout).toContain('all 1500 orders still join on masked email');

  // Run 3: the refused start ends the run with exactly one alert, and the rule is given back after it.
  const refused = index(/task\s+DMS refused reload-target/);
  expect(refused).toBeGreaterThan(run3);
  const alert = index(/alert\s+dms-scheduler: nightly-refresh: the task could not be started/);
  expect(count(/^\s*[\d.]+s\s+alert\s/)).toBe(1);
  expect(alert).toBeGreaterThan(refused);
  expect(index(/rule\s+dms-scheduler-schedule ENABLED/, refused)).toBeGreaterThan(alert);
  const failed = index(/task-starter: start-failed with reload-target/);
  expect(failed).toBeGreaterThan(alert);
  expect(lines[failed]).toMatch(
    /an alert was published and the schedule rule dms-scheduler-schedule was re-enabled/,
  );
  expect(failed).toBeLessThan(afterwards);

  // What the runs reported to CloudWatch.
  const metrics = lines[index(/metrics\s/, afterwards)] ?? '';
  expect(metrics).toMatch(/RunsStarted 2\b/);
  expect(metrics).toMatch(/RunsSucceeded 2\b/);
  expect(metrics).toMatch(/RunsFailed 1\b/);

  // It ends with `dms-scheduler history` over the runs it made: the three released runs, newest first.
  const history = index(/== dms-scheduler history/, afterwards);
  expect(history).toBeGreaterThan(afterwards);
  expect(lines[history + 1]).toMatch(
    /^START {17}START TYPE {9}TRIGGER {3}OUTCOME {7}DURATION {2}HOOKS {8}ROWS MASKED {2}RULE ACTION$/,
  );
  const rows = lines.slice(history + 2, history + 5);
  expect(rows.map((row) => row.split(/\s{2,}/).slice(1, 4))).toEqual([
    ['reload-target', 'schedule', 'start-failed'],
    ['reload-target', 'schedule', 'succeeded'],
    ['start-replication', 'schedule', 'succeeded'],
  ]);
  expect(rows[1]).toContain(`${hooks.length} succeeded`);
  expect(lines[history + 5]).toBe('');
  expectGroupScenario(all.slice(groupAt, cdcAt), hooks.length);

  // The full-load-and-cdc migration: a manual first start, the full load, and the task running on.
  const cdc = all.slice(cdcAt).split('\n');
  const at = (pattern: RegExp, from = 0) => {
    const found = cdc.slice(from).findIndex((line) => pattern.test(line));
    return found === -1 ? -1 : from + found;
  };
  const cdcCount = (pattern: RegExp) => cdc.filter((line) => pattern.test(line)).length;
  const start = at(/task-starter: started with start-replication/);
  expect(start).toBeGreaterThan(0);
  // A tick during the load finds nothing to do.
  expect(cdc[at(/milestone tick .* → post-processor/) + 1]).toMatch(
    /waiting \(run started\): The task is starting$/,
  );
  const loaded = at(/full load finished; the task keeps running/);
  expect(loaded).toBeGreaterThan(at(/orders: 1500 rows copied source → target \(full load\)/));
  // The milestone: the next tick runs the SQL hook once and sends the cut-over notice, as its topic delivers it.
  const hooksRan = at(/create-indexes succeeded in \d+ ms/);
  expect(hooksRan).toBeGreaterThan(loaded);
  expect(cdcCount(/hook\s+create-indexes /)).toBe(1);
  const cutover = at(/success\s+dms-scheduler: orders-migration: full load finished, ready for cut-over$/);
  expect(cutover).toBeGreaterThan(hooksRan);
  expect(cdcCount(/ready for cut-over$/)).toBe(1);
  expect(cdc.slice(cutover, cutover + 20).join('\n')).toMatch(/Tables loaded: 3\n/);
  // A repeated tick changes nothing; rows inserted after the milestone still arrive.
  expect(at(/ignored: milestone tick: run \S+ \(started\) awaits no milestone/)).toBeGreaterThan(cutover);
  const flowing = at(/change capture: 3 row\(s\) applied; orders: source (\d+), target \1$/);
  expect(flowing).toBeGreaterThan(cutover);
  expect(at(/target index orders_customer_email_idx: present$/)).toBeGreaterThan(hooksRan);
  // The stop at cut-over ends the run succeeded, with its summary, and no hook runs again.
  const stopped = at(/task stopped \(Stop Reason NORMAL\)/);
  expect(stopped).toBeGreaterThan(flowing);
  expect(at(/success\s+dms-scheduler: orders-migration: migration succeeded/)).toBeGreaterThan(stopped);
  expect(
    at(
      /full-load-and-cdc run released as succeeded: Change capture was stopped by a person through `dms-scheduler stop`/,
    ),
  ).toBeGreaterThan(stopped);
  expect(cdc[at(/hooks ran .* at the milestone/)]).toMatch(
    /hooks ran once each, at the milestone \(create-indexes, log-run\); 1 cut-over notice, 1 success notice, 0 alert\(s\)$/,
  );
  expect(cdcCount(/^\s*[\d.]+s\s+alert\s/)).toBe(0);
  expect(all).toMatch(/OK$/m);
}, 180_000);

/**
 * The second scenario: one scheduled event starts both tasks of the group under one lock; each loads its own
 * tables; the first to stop leaves the group waiting; the hooks run once, after the second, and mask every
 * table both loaded; one success notice, no alert, the group's rule given back.
 */
function expectGroupScenario(output: string, hookCount: number): void {
  const lines = output.split('\n');
  const index = (pattern: RegExp, from = 0) => {
    const found = lines.slice(from).findIndex((line) => pattern.test(line));
    return found === -1 ? -1 : from + found;
  };
  const count = (pattern: RegExp) => lines.filter((line) => pattern.test(line)).length;
  expect(lines[index(/task-starter: /)]).toMatch(
    /task-starter: started \(group 2 tasks: load-customers started \(start-replication\), load-orders started \(start-replication\)\); rule DISABLED$/,
  );
  expect(count(/task\s+DMS accepted start-replication; task load-(customers|orders) starting/)).toBe(2);
  for (const [table, task] of [
    ['customers', 'load-customers'],
    ['support_tickets', 'load-customers'],
    ['orders', 'load-orders'],
  ]) {
    expect(
      count(new RegExp(`load\\s+${table}: \\d+ rows copied production → staging \\(task ${task}\\)$`)),
    ).toBe(1);
  }
  const stops = lines.flatMap((line, i) => (/task\s+task load-\S+ stopped/.test(line) ? [i] : []));
  expect(stops).toHaveLength(2);
  // After the first stop the group waits for the other task; the hooks begin only after the second.
  expect(lines[index(/post-processor: /, stops[0])]).toMatch(
    /waiting \(run started\): 1 of 2 tasks under way/,
  );
  const outcome = index(/outcome\s+succeeded: All 2 tasks of the group succeeded/);
  expect(outcome).toBeGreaterThan(stops[1] ?? Number.MAX_SAFE_INTEGER);
  expect(count(/outcome\s+succeeded/)).toBe(1);
  expect(count(/hook\s+\S+ succeeded/)).toBe(hookCount);
  expect(count(/success\s+dms-scheduler: nightly-group: refresh succeeded/)).toBe(1);
  expect(count(/^\s*[\d.]+s\s+alert\s/)).toBe(0);
  expect(index(/rule\s+nightly-group-schedule ENABLED/)).toBeGreaterThan(outcome);
  expect(lines[index(/post-processor: group settled/)]).toContain(
    'succeeded; rule decision enable; run released',
  );
  for (const column of ['customers.email', 'orders.customer_email', 'support_tickets.customer_email']) {
    expect(lines[index(new RegExp(`staging\\.${column.replace('.', '\\.')}: `))]).toMatch(
      /, 0 from production$/,
    );
  }
  const history = index(/== dms-scheduler history --stack nightly-group/);
  expect(lines[history + 2]?.split(/\s{2,}/).slice(1, 4)).toEqual(['-', 'schedule', 'succeeded']);
}
