// A test that needs a tool this machine may lack (MariaDB, moto_server, cfn-lint) asks here. In CI (CI set) a
// missing tool is a failure: a suite that cannot run must never let CI pass silently. Elsewhere the suite is
// skipped, and the skip is recorded so that the run's last line (test/support/missing-tools-reporter.ts) says
// what did not run and why, under a green summary that would otherwise hide it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the suites of one `vitest` run record their skips: set by vitest.config.ts, read by the reporter. */
export const SKIPS_DIRECTORY_VARIABLE = 'DMS_SCHEDULER_TEST_SKIPS';

/**
 * Whether the tool is there. Throws in CI when it is not; otherwise records the skip of `suite` (`why`: what is
 * missing and how to install it) and warns once.
 */
export function toolAvailable(available: boolean, suite: string, why: string): boolean {
  if (available) return true;
  if (process.env.CI) throw new Error(`${suite}: ${why}; CI must run these tests`);
  console.warn(`NOTICE: skipping ${suite}: ${why}.`);
  const directory = process.env[SKIPS_DIRECTORY_VARIABLE];
  if (directory) {
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, `${suite.replace(/[^A-Za-z0-9.-]/g, '_')}.txt`), `${suite}: ${why}`);
  }
  return false;
}
