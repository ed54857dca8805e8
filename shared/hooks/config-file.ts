// A hooks configuration (hooks/configs/<name>.json; the local run's local/hooks.config.json): the versioned
// list of hooks a deployment runs after a successful load, in order. Every configuration is bundled into the
// post-processor (shared/hooks/configs.ts); the one the stack picks is validated here at cold start, and
// every one by a unit test, so a broken file fails CI before it is deployed. Every error names the file and
// points at the entry it is about: `Invalid hooks/configs/default.json: hooks[1] (name "x"): …`.

import { ConfigurationError } from '../errors.ts';
import { maskingRulesSchema } from '../masking/rules.ts';
import * as z from '../schema.ts';
import type { CustomHookRegistry } from './kinds/module.ts';

export const HOOKS_CONFIG_VERSION = 1;
export const HOOK_KINDS = ['mask', 'sql', 'lambda', 'module', 'log-run'] as const;
export type HookKind = (typeof HOOK_KINDS)[number];

const HOOK_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
const ALLOWED_COLUMN = /^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62}){1,2}$/;
const SQL_FILE = /^hooks\/sql\/[a-z0-9][a-z0-9-]*\.sql$/;
// A function ARN, optionally qualified with a version or alias.
const FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;

const common = {
  name: z
    .string()
    .check(z.regex(HOOK_NAME, 'must be lowercase letters, digits and hyphens, starting with a letter')),
  description: z.optional(z.string().check(z.maxLength(500))),
  onFailure: z._default(z.enum(['stop', 'continue']), 'stop'),
  // The Lambda maximum; the runner also caps it at the time left in the invocation.
  timeoutSeconds: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(900))),
  // Safe to run again after an interruption (mask hooks are, by default); otherwise an interrupted hook
  // makes the run hooks-interrupted and alerts, because the target's state is unknown.
  rerunnable: z.optional(z.boolean()),
  // A cleanup that runs even after an earlier hook failed or was interrupted (never skipped; still once).
  always: z.optional(z.boolean()),
};

const hookEntrySchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      ...common,
      kind: z.literal('mask'),
      // Built on the first mask entry parsed: a configuration without one never pays for the strategies.
      tables: z.lazy(maskingRulesSchema),
      // The drift guard: after masking, discovery looks at the masked target for PII no rule covers.
      // Default `fail` for a data-refresh (the copy must not open with unmasked PII), `warn` otherwise.
      uncovered: z.optional(z.enum(['fail', 'warn', 'off'])),
      allow: z.optional(
        z.array(
          z.strictObject({
            column: z
              .string()
              .check(
                z.regex(ALLOWED_COLUMN, 'must be schema.table.column or table.column (plain identifiers)'),
              ),
            reason: z
              .string()
              .check(
                z.trim(),
                z.minLength(3, 'must say why this column may hold what discovery flags'),
                z.maxLength(500),
              ),
          }),
        ),
      ),
      discovery: z.optional(
        z.strictObject({
          schemas: z.optional(
            z
              .array(z.string().check(z.regex(IDENTIFIER, 'must be a plain identifier')))
              .check(z.minLength(1)),
          ),
          rowsPerTable: z.optional(z.number().check(z.int(), z.minimum(10), z.maximum(100_000))),
          budgetSeconds: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(600))),
        }),
      ),
    }),
    z.strictObject({
      ...common,
      kind: z.literal('sql'),
      file: z.string().check(z.regex(SQL_FILE, 'must be a script path hooks/sql/<lowercase-name>.sql')),
    }),
    z.strictObject({
      ...common,
      kind: z.literal('lambda'),
      functionArn: z
        .string()
        .check(
          z.regex(
            FUNCTION_ARN,
            'must be a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)',
          ),
        ),
    }),
    z.strictObject({ ...common, kind: z.literal('module'), module: z.string().check(z.minLength(1)) }),
    z.strictObject({ ...common, kind: z.literal('log-run') }),
  ],
  { error: () => `must be one of ${HOOK_KINDS.join(', ')}` },
);

const hooksFileSchema = z.strictObject({
  $schema: z.optional(z.string()),
  version: z.literal(HOOKS_CONFIG_VERSION, {
    error: `must be ${HOOKS_CONFIG_VERSION} (the only version this scheduler reads)`,
  }),
  hooks: z.array(hookEntrySchema),
});

export type HookEntry = z.output<typeof hookEntrySchema>;
export interface HooksConfig {
  readonly version: typeof HOOKS_CONFIG_VERSION;
  readonly hooks: readonly HookEntry[];
}

/** What the file may refer to: the bundled SQL scripts and the registered custom modules. */
export interface HookSources {
  readonly sqlScripts: Readonly<Record<string, string>>;
  readonly modules: CustomHookRegistry;
}

function entryLabel(input: unknown, index: number): string {
  const hooks =
    typeof input === 'object' && input !== null ? (input as { hooks?: unknown }).hooks : undefined;
  const entry = Array.isArray(hooks) ? (hooks[index] as unknown) : undefined;
  const name = typeof entry === 'object' && entry !== null ? (entry as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? `hooks[${index}] (name ${JSON.stringify(name)})` : `hooks[${index}]`;
}

/** `hooks[1] (name "x"): tables[0].columns.email.strategy`, the field a problem is about. */
function describePath(input: unknown, path: readonly PropertyKey[]): string {
  if (path[0] !== 'hooks' || typeof path[1] !== 'number') return path.map(String).join('.') || 'the file';
  const field = path.slice(2).reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    const key = String(segment);
    const part = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
    return text === '' ? part : /^"/.test(part) ? `${text}[${part}]` : `${text}.${part}`;
  }, '');
  return field === '' ? entryLabel(input, path[1]) : `${entryLabel(input, path[1])}: ${field}`;
}

function fail(file: string, problems: readonly string[]): never {
  throw new ConfigurationError(`Invalid ${file}: ${problems.join('; ')}`, problems);
}

/**
 * Validates the file's content. Throws ConfigurationError naming `file` and listing every problem, each
 * pointing at its entry.
 */
export function parseHooksConfig(
  input: unknown,
  sources: HookSources,
  file = 'hooks.config.json',
): HooksConfig {
  const parsed = hooksFileSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    fail(
      file,
      parsed.error.issues.map((issue) => {
        // An unknown key is reported on its object; name it, so the message says which field is unexpected.
        const path =
          issue.code === 'unrecognized_keys' && issue.keys.length > 0
            ? [...issue.path, issue.keys.join(', ')]
            : issue.path;
        const message =
          issue.code === 'unrecognized_keys'
            ? 'is not a known setting'
            : issue.code === 'invalid_type'
              ? issue.input === undefined
                ? 'is missing'
                : `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`
              : issue.message;
        return `${describePath(input, path)} ${message}`;
      }),
    );
  }
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const [index, hook] of parsed.data.hooks.entries()) {
    const label = entryLabel(input, index);
    const first = seen.get(hook.name);
    if (first !== undefined) problems.push(`${label}: name is already used by hooks[${first}]`);
    else seen.set(hook.name, index);
    if (hook.kind === 'sql' && !Object.hasOwn(sources.sqlScripts, hook.file)) {
      const known = Object.keys(sources.sqlScripts).sort().join(', ') || 'none';
      problems.push(
        `${label}: file ${hook.file} is not a bundled script (bundled: ${known}; run npm run hooks:sql)`,
      );
    }
    if (hook.kind === 'module' && !Object.hasOwn(sources.modules, hook.module)) {
      const known = Object.keys(sources.modules).sort().join(', ') || 'none';
      problems.push(
        `${label}: module ${JSON.stringify(hook.module)} is not registered in hooks/custom/index.ts (registered: ${known})`,
      );
    }
  }
  if (problems.length > 0) fail(file, problems);
  return parsed.data as HooksConfig;
}

/** The settings hooks may need beyond the file: where the target database and the masking salt are. */
export interface HookSettings {
  readonly targetDatabaseSecretArn: string | undefined;
  readonly maskingSaltSecretArn: string | undefined;
}

export function needsTarget(hook: HookEntry, modules: CustomHookRegistry): boolean {
  switch (hook.kind) {
    case 'mask':
    case 'sql':
      return true;
    case 'module':
      return modules[hook.module]?.needsTarget === true;
    default:
      return false;
  }
}

/**
 * Refuses a file whose hooks need a setting the deployment lacks, naming the hooks and the setting, so a
 * missing stack parameter fails the cold start instead of tonight's masking.
 */
export function checkHookSettings(
  config: HooksConfig,
  settings: HookSettings,
  modules: CustomHookRegistry,
  file = 'hooks.config.json',
): void {
  const names = (hooks: readonly HookEntry[]) =>
    hooks.map((hook) => `${hook.name} (${hook.kind})`).join(', ');
  const problems: string[] = [];
  const targetUsers = config.hooks.filter((hook) => needsTarget(hook, modules));
  if (targetUsers.length > 0 && settings.targetDatabaseSecretArn === undefined) {
    problems.push(
      `${file} hook(s) ${names(targetUsers)} need the target database, but TARGET_DATABASE_SECRET_ARN is not set (stack parameter TargetDatabaseSecretArn)`,
    );
  }
  const maskers = config.hooks.filter((hook) => hook.kind === 'mask');
  if (maskers.length > 0 && settings.maskingSaltSecretArn === undefined) {
    problems.push(
      `${file} hook(s) ${names(maskers)} need the masking salt, but MASKING_SALT_SECRET_ARN is not set (stack parameter MaskingSaltSecretArn)`,
    );
  }
  if (problems.length > 0) {
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`, problems);
  }
}
