// Why this file exists: validate and plan both need to know, per hook of a configuration, whether it fits the
// database: for a mask hook, what the post-processor's own pre-flight (resolveRules) says about its rules against
// the live catalog (unknown names, type mismatches, unique-index and foreign-key refusals, all at once), and the
// transaction groups it would mask in; for the other kinds, what can and cannot be checked from here. Reading
// the catalog changes nothing; the one query that reads data counts case twins, a number.
import type { TargetDatabase } from '#shared/database/target';
import { ConfigurationError } from '#shared/errors';
import { type HookEntry, type HookSources, type HooksConfig, needsTarget } from '#shared/hooks/config-file';
import { describeDriverError, splitStatements } from '#shared/hooks/kinds/sql';
import { type MaskGroup, resolveRules } from '#shared/masking/catalog';
import type { KeyPurpose } from '#shared/masking/keys';
import { InputError } from './input-error.ts';

export interface HookCheck {
  /** The entry's position in the file. */
  readonly index: number;
  readonly entry: HookEntry;
  /** What does not fit, each naming where in the entry it is; empty when the hook fits. */
  readonly problems: readonly string[];
  /** What was checked, or why nothing could be. */
  readonly note: string;
  /** False for a hook nothing can be checked of from here (a `lambda` hook runs in AWS). */
  readonly checked: boolean;
  /** A mask hook that fits: its tables in the transaction groups a run masks them in. */
  readonly groups: readonly MaskGroup[] | undefined;
}

/** `hooks[0] mask-pii (mask)`: how the command names an entry. */
export const hookLabel = (index: number, entry: HookEntry): string =>
  `hooks[${index}] ${entry.name} (${entry.kind})`;

/** The strategies whose pseudonyms derive from the salt (one key each, see keys.ts). */
const DETERMINISTIC: ReadonlySet<string> = new Set<KeyPurpose>([
  'hash',
  'email',
  'first-name',
  'last-name',
  'full-name',
]);

/** The deterministic strategies a mask hook uses, sorted; none for other kinds. */
export function deterministicStrategies(entry: HookEntry): string[] {
  if (entry.kind !== 'mask') return [];
  const used = entry.tables.flatMap((rule) =>
    Object.values(rule.columns ?? {}).map((strategy) => strategy.strategy),
  );
  return [...new Set(used.filter((name) => DETERMINISTIC.has(name)))].sort();
}

async function checkMask(
  db: TargetDatabase,
  index: number,
  entry: Extract<HookEntry, { kind: 'mask' }>,
): Promise<HookCheck> {
  try {
    const groups = await resolveRules(db, db.dialect, db.database, entry.tables);
    const tables = groups.reduce((sum, group) => sum + group.tables.length, 0);
    return {
      index,
      entry,
      problems: [],
      note: `${tables} table(s) checked against the catalog, masked in ${groups.length} transaction(s)`,
      checked: true,
      groups,
    };
  } catch (error) {
    if (error instanceof ConfigurationError) {
      return {
        index,
        entry,
        problems: error.problems,
        note: 'does not fit the database',
        checked: true,
        groups: undefined,
      };
    }
    // The catalog could not be read at all (a privilege, a dropped connection): nothing could be checked.
    throw new InputError(
      `reading the catalog for ${hookLabel(index, entry)} failed: ${describeDriverError(error)}`,
    );
  }
}

function checkOther(index: number, entry: HookEntry, sources: HookSources): HookCheck {
  const result = (note: string, checked = true): HookCheck => ({
    index,
    entry,
    problems: [],
    note,
    checked,
    groups: undefined,
  });
  switch (entry.kind) {
    case 'sql': {
      const statements = splitStatements(sources.sqlScripts[entry.file] ?? '').length;
      return result(`${entry.file} is bundled: ${statements} statement(s), run in one transaction`);
    }
    case 'module':
      return result(
        `module ${entry.module} is registered in hooks/custom/index.ts${needsTarget(entry, sources.modules) ? ' (uses the target database)' : ''}; its code is its own, not checked here`,
      );
    case 'lambda':
      return result(
        `not checked locally: it invokes ${entry.functionArn} in AWS (list it in the stack's HookFunctionArns)`,
        false,
      );
    default:
      return result('nothing to check');
  }
}

/** Checks every hook of a parsed configuration against the database, in the file's order. */
export async function checkHooks(
  config: HooksConfig,
  db: TargetDatabase,
  sources: HookSources,
): Promise<HookCheck[]> {
  const checks: HookCheck[] = [];
  for (const [index, entry] of config.hooks.entries()) {
    checks.push(
      entry.kind === 'mask' ? await checkMask(db, index, entry) : checkOther(index, entry, sources),
    );
  }
  return checks;
}
