// The README's first command, as a test: `npm run local` runs two scheduled refresh cycles over a real
// embedded PostgreSQL and must end with the rule enabled, the second run choosing reload-target.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);

it('runs two refresh cycles locally and prints the timeline', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'local/run.ts'], { timeout: 120_000 });
  const lines = stdout.split('\n');
  const index = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
  expect(index(/task-starter: started with start-replication/)).toBeGreaterThan(-1);
  expect(index(/task-starter: started with reload-target/)).toBeGreaterThan(index(/start-replication/));
  // Each run: rule disabled, load, outcome confirmed, hooks, rule enabled; the redelivered notice is a duplicate.
  expect(lines.filter((line) => /rule\s+dms-scheduler-schedule DISABLED/.test(line))).toHaveLength(2);
  expect(lines.filter((line) => /rule\s+dms-scheduler-schedule ENABLED/.test(line))).toHaveLength(2);
  expect(lines.filter((line) => /hook\s+staging-check succeeded/.test(line))).toHaveLength(2);
  expect(lines.filter((line) => /duplicate: this run is already settled/.test(line))).toHaveLength(2);
  expect(stdout).toContain('customers: 500 rows copied production → staging');
  expect(stdout).toMatch(/OK$/m);
}, 180_000);
