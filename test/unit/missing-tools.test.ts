// The guarantee of `npm test` about tools a machine may lack: CI fails without them; elsewhere the skip is listed
// after the summary, with what is missing.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SKIPS_DIRECTORY_VARIABLE, toolAvailable } from '../support/missing-tools.ts';
import MissingToolsReporter from '../support/missing-tools-reporter.ts';

describe('a missing tool', () => {
  const saved = { ci: process.env.CI, skips: process.env[SKIPS_DIRECTORY_VARIABLE] };
  let directory: string;

  beforeEach(() => {
    directory = join(mkdtempSync(join(tmpdir(), 'skips-test-')), 'skips');
    process.env[SKIPS_DIRECTORY_VARIABLE] = directory;
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(join(directory, '..'), { recursive: true, force: true });
    for (const [name, value] of [
      ['CI', saved.ci],
      [SKIPS_DIRECTORY_VARIABLE, saved.skips],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('fails in CI, recording nothing', () => {
    process.env.CI = '1';
    expect(() => toolAvailable(false, 'masking.mysql', 'mariadbd not found')).toThrow(
      'masking.mysql: mariadbd not found; CI must run these tests',
    );
    expect(existsSync(directory)).toBe(false);
  });

  it('elsewhere skips the suite, and the reporter lists it after the summary, then forgets it', () => {
    delete process.env.CI;
    expect(toolAvailable(false, 'masking.mysql', 'mariadbd not found')).toBe(false);
    expect(toolAvailable(true, 'template lint', 'never shown')).toBe(true);
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => printed.push(line));
    new MissingToolsReporter().onTestRunEnd();
    expect(printed).toEqual([
      '\nNot run on this machine (CI runs them): 1 suite(s)',
      '  - masking.mysql: mariadbd not found',
    ]);
    expect(existsSync(directory)).toBe(false);
  });
});
