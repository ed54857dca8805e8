// The README's first command, as a test: `npm run local` runs three scheduled cycles over a real embedded
// PostgreSQL: a first start, a re-run choosing reload-target, and a start DMS refuses, after which the rule
// is enabled again and an alert published. After each load the staging copy is masked by the configured hooks.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);

it('runs the refresh cycles locally and prints the timeline', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'local/run.ts'], { timeout: 120_000 });
  const lines = stdout.split('\n');
  const index = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
  expect(index(/task-starter: started with start-replication/)).toBeGreaterThan(-1);
  expect(index(/task-starter: started with reload-target/)).toBeGreaterThan(index(/start-replication/));
  // Each run: rule disabled, load, outcome confirmed, hooks, rule enabled; the redelivered notice is a duplicate.
  expect(lines.filter((line) => /rule\s+dms-scheduler-schedule DISABLED/.test(line))).toHaveLength(3);
  expect(lines.filter((line) => /rule\s+dms-scheduler-schedule ENABLED/.test(line))).toHaveLength(3);
  expect(lines.filter((line) => /hook\s+staging-check succeeded/.test(line))).toHaveLength(2);
  expect(lines.filter((line) => /duplicate: this run is already settled/.test(line))).toHaveLength(2);
  expect(stdout).toContain('customers: 500 rows copied production → staging');
  // Masking: the sample rows hold production PII before the hooks and none after; joins survive.
  const before = index(/staging before the hooks/);
  const after = index(/staging after the hooks/);
  expect(lines.slice(before + 1, before + 4).join('\n')).toContain('donald.5@example.com');
  const masked = lines.slice(after + 1, after + 4).join('\n');
  expect(masked).not.toMatch(/@example\.com|\+1-555-\d|Please call me/);
  expect(masked).toMatch(/u_[0-9a-f]{16}@example\.invalid/);
  expect(lines.filter((line) => /hook\s+mask-pii succeeded/.test(line))).toHaveLength(2);
  expect(stdout).toContain('all 1500 orders still join on masked email');
  // Run 3: the refused start is compensated, in this order.
  const refused = index(/DMS refused reload-target/);
  expect(refused).toBeGreaterThan(index(/Run 3/));
  expect(lines[refused + 1]).toMatch(/rule\s+dms-scheduler-schedule ENABLED/);
  expect(lines[refused + 2]).toMatch(/alert\s+dms-scheduler: nightly-refresh: the task could not be started/);
  expect(stdout).toMatch(/OK$/m);
}, 180_000);
