// Why this file exists: `npm run hooks -- validate` answers one question before a configuration is deployed:
// does it fit this database? Each hook's check is printed (what was checked, or why nothing could be), every
// problem on its own line naming the entry and where in it, then one verdict. Exit 0 when clean, 1 when not.
import type { TargetDatabase } from '#shared/database/target';
import type { HookSources, HooksConfig } from '#shared/hooks/config-file';
import { checkHooks, deterministicStrategies, type HookCheck, hookLabel } from './check.ts';
import { EXIT_OK, EXIT_PROBLEMS } from './input-error.ts';
import type { Output } from './output.ts';

export interface DatabaseAction {
  readonly config: HooksConfig;
  readonly sources: HookSources;
  readonly database: TargetDatabase;
  /** How the database is named in output: the URL without its password. */
  readonly display: string;
  readonly output: Output;
}

/** The problems of a configuration that did not fit, and the verdict line. */
export function formatProblems(problems: readonly string[]): string[] {
  return [
    ...problems.map((problem) => `  - ${problem}`),
    `Not valid: ${problems.length} problem(s); nothing was changed.`,
  ];
}

/** Every problem of the checks, each naming its entry. */
export function problemsOfChecks(checks: readonly HookCheck[]): string[] {
  return checks.flatMap((check) =>
    check.problems.map((problem) => `${hookLabel(check.index, check.entry)}: ${problem}`),
  );
}

/** What validate prints for its checks: one line per hook, then the problems and the verdict. */
export function formatValidation(checks: readonly HookCheck[], display: string): string[] {
  const lines = checks.map((check) => {
    const label = hookLabel(check.index, check.entry);
    if (!check.checked) return `${label}: ${check.note}`;
    return `${label}: ${check.problems.length > 0 ? `${check.problems.length} problem(s)` : 'ok'}; ${check.note}`;
  });
  const problems = problemsOfChecks(checks);
  if (problems.length > 0) return [...lines, ...formatProblems(problems)];
  const salted = checks.flatMap((check) => deterministicStrategies(check.entry));
  return [
    ...lines,
    `Valid: ${checks.filter((check) => check.checked).length} hook(s) checked, all fit ${display}.${salted.length > 0 ? ` A run needs MASKING_SALT (deterministic strategies: ${[...new Set(salted)].sort().join(', ')}).` : ''}`,
  ];
}

export async function validate(action: DatabaseAction): Promise<number> {
  const checks = await checkHooks(action.config, action.database, action.sources);
  for (const line of formatValidation(checks, action.display)) action.output.out(line);
  return checks.some((check) => check.problems.length > 0) ? EXIT_PROBLEMS : EXIT_OK;
}
