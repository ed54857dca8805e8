// Why this file exists: masking is declared, not hand-written, so the declaration is the only thing a team can
// get wrong. This schema is the first gate (names are plain identifiers, values are data, never SQL); the
// catalog check (catalog.ts) is the second, against the live database, before any statement changes a row.

import { ConfigurationError } from '../errors.ts';
import * as z from '../schema.ts';

/** A plain SQL identifier: no quotes, spaces, semicolons or comment markers can pass. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

// The schemas are built on first use (a zod schema costs its construction): a post-processor whose hooks
// configuration has no mask hook never builds them at cold start.
function buildMaskingRulesSchema() {
  const identifier = z
    .string()
    .check(z.regex(IDENTIFIER, 'must be a plain identifier ([A-Za-z_][A-Za-z0-9_$]*, ≤ 63)'));
  const tableName = z.string().check(
    z.refine((name) => {
      const parts = name.split('.');
      return parts.length <= 2 && parts.every((part) => IDENTIFIER.test(part));
    }, 'must be "table" or "schema.table", each a plain identifier ([A-Za-z_][A-Za-z0-9_$]*, ≤ 63)'),
  );

  /**
   * One character that is neither a digit (of any script: a digit mask of digits would hide nothing) nor special
   * in a regular-expression replacement.
   */
  const maskChar = z
    .string()
    .check(
      z.refine(
        (value) => [...value].length === 1 && !/[\p{Nd}\\$]/u.test(value),
        'must be one character, not a digit, \\ or $',
      ),
    );

  /**
   * What text-scrub writes in place of a detected e-mail, phone, card or IBAN: no decimal digit (of any script) and
   * no @, so no detector can find the replacement again (verification would rightly count it as left over), and
   * neither \ nor $, which are special in a regular-expression replacement.
   */
  const scrubToken = z
    .string()
    .check(
      z.refine(
        (value) => [...value].length >= 1 && [...value].length <= 40 && !/[\p{Nd}@\\$]/u.test(value),
        'replacement must be 1 to 40 characters without digits, @, \\ or $',
      ),
    );

  // z.number() refuses Infinity and NaN itself.
  const scalar = z.union([z.string(), z.number(), z.boolean()]);

  const strategySchema = z.discriminatedUnion('strategy', [
    z.strictObject({
      strategy: z.literal('fixed'),
      value: z.union([z.string(), z.number(), z.null()]),
    }),
    z.strictObject({ strategy: z.literal('null') }),
    z.strictObject({
      strategy: z.literal('hash'),
      length: z.optional(z.number().check(z.int(), z.minimum(8), z.maximum(64))),
    }),
    z.strictObject({ strategy: z.literal('email') }),
    z.strictObject({
      strategy: z.literal('partial'),
      keepFirst: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(1000))),
      keepLast: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(1000))),
      maskChar: z.optional(maskChar),
    }),
    z.strictObject({ strategy: z.literal('digits-mask'), maskChar: z.optional(maskChar) }),
    z.strictObject({ strategy: z.literal('digits-randomize') }),
    z.strictObject({ strategy: z.literal('first-name') }),
    z.strictObject({ strategy: z.literal('last-name') }),
    z.strictObject({ strategy: z.literal('full-name') }),
    z.strictObject({
      strategy: z.literal('text-scrub'),
      replacement: z.optional(
        z.strictObject({
          email: z.optional(scrubToken),
          phone: z.optional(scrubToken),
          card: z.optional(scrubToken),
          iban: z.optional(scrubToken),
        }),
      ),
    }),
    z
      .strictObject({
        strategy: z.literal('noise'),
        ratio: z
          .number('ratio must be a number')
          .check(z.gt(0, 'ratio must be above 0'), z.maximum(1, 'ratio must be at most 1')),
        min: z.optional(z.number('min must be a finite number')),
        max: z.optional(z.number('max must be a finite number')),
      })
      .check(
        z.refine(
          (noise) => noise.min === undefined || noise.max === undefined || noise.min <= noise.max,
          'noise needs min ≤ max',
        ),
      ),
    z.strictObject({
      strategy: z.literal('date-shift'),
      maxDays: z.number().check(z.int(), z.minimum(1), z.maximum(36500)),
    }),
    z.strictObject({ strategy: z.literal('shuffle') }),
  ]);

  const whereSchema = z
    .strictObject({
      column: identifier,
      equals: z.optional(scalar),
      in: z.optional(z.array(scalar).check(z.minLength(1), z.maxLength(1000))),
      isNull: z.optional(z.boolean()),
    })
    .check(
      z.refine(
        (where) => [where.equals, where.in, where.isNull].filter((test) => test !== undefined).length === 1,
        'needs exactly one of equals, in, isNull',
      ),
    );

  const tableRuleSchema = z
    .strictObject({
      table: tableName,
      where: z.optional(whereSchema),
      truncate: z.optional(z.literal(true)),
      columns: z.optional(z.record(z.string(), strategySchema)),
    })
    .check(
      z.superRefine((rule, context) => {
        const columns = Object.keys(rule.columns ?? {});
        if (rule.truncate && (columns.length > 0 || rule.where)) {
          context.addIssue({
            code: 'custom',
            message: 'truncate takes no columns and no where',
            path: ['truncate'],
          });
        }
        if (!rule.truncate && columns.length === 0) {
          context.addIssue({
            code: 'custom',
            message: 'needs truncate: true or at least one column',
            path: [],
          });
        }
        for (const column of columns) {
          if (!IDENTIFIER.test(column)) {
            context.addIssue({
              code: 'custom',
              message: 'is not a plain identifier',
              path: ['columns', column],
            });
          }
        }
      }),
    );

  // The `tables` array of a mask hook, in the order the tables are masked.
  return z.array(tableRuleSchema).check(z.minLength(1));
}

let built: ReturnType<typeof buildMaskingRulesSchema> | undefined;

/** The schema of a mask hook's `tables`, in the order the tables are masked. */
export const maskingRulesSchema = (): ReturnType<typeof buildMaskingRulesSchema> =>
  (built ??= buildMaskingRulesSchema());

export type MaskingRules = z.infer<ReturnType<typeof buildMaskingRulesSchema>>;
export type TableRule = MaskingRules[number];
export type Strategy = NonNullable<TableRule['columns']>[string];
export type RowFilter = NonNullable<TableRule['where']>;

/** `tables[2].columns["e;mail"]`: where in the configuration a problem is. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    const key = String(segment);
    return IDENTIFIER.test(key) ? `${text}.${key}` : `${text}[${JSON.stringify(key)}]`;
  }, root);
}

/** Validates a mask hook's `tables`; `label` names the hook in errors. Throws ConfigurationError listing every problem. */
export function parseMaskingRules(input: unknown, label: string): MaskingRules {
  const parsed = maskingRulesSchema().safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${formatPath('tables', issue.path)}: ${issue.message}`,
  );
  throw new ConfigurationError(`Masking rules of ${label} are invalid: ${problems.join('; ')}`);
}
