// Test runner settings: real databases and moto_server start slowly, so integration tests get room to breathe.
// Suites skipped for a tool this machine lacks are listed after the summary (test/support/missing-tools.ts).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { SKIPS_DIRECTORY_VARIABLE } from './test/support/missing-tools.ts';

// One directory per run, inherited by every worker: where skipped suites say why.
process.env[SKIPS_DIRECTORY_VARIABLE] ??= join(tmpdir(), `dms-scheduler-test-skips-${process.pid}`);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    reporters: ['default', './test/support/missing-tools-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
