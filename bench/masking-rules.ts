// The masking rules the bench measures: 4 PII columns, one of them with the costliest strategy
// (digits-randomize draws a random digit per character), shared by the bench and its memory-measuring child.
import { type MaskingRules, parseMaskingRules } from '#shared/masking/rules';

export function benchRules(table: string): MaskingRules {
  return parseMaskingRules(
    [
      {
        table,
        columns: {
          email: { strategy: 'email' },
          first_name: { strategy: 'first-name' },
          phone: { strategy: 'digits-randomize' },
          birth_date: { strategy: 'date-shift', maxDays: 30 },
        },
      },
    ],
    'bench',
  );
}
