// The last line of `npm test` when suites were skipped for a tool this machine lacks (see missing-tools.ts):
// vitest's own summary counts skipped tests but not why, and a green run that never touched MariaDB looks like
// one that did.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter } from 'vitest/reporters';
import { SKIPS_DIRECTORY_VARIABLE } from './missing-tools.ts';

export default class MissingToolsReporter implements Reporter {
  onTestRunEnd(): void {
    const directory = process.env[SKIPS_DIRECTORY_VARIABLE];
    if (!directory) return;
    let skips: string[] = [];
    try {
      skips = readdirSync(directory)
        .sort()
        .map((file) => readFileSync(join(directory, file), 'utf8'));
    } catch {
      return; // nothing was skipped
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
    if (skips.length === 0) return;
    console.log(`\nNot run on this machine (CI runs them): ${skips.length} suite(s)`);
    for (const skip of skips) console.log(`  - ${skip}`);
  }
}
