// Runs maskDatabase once in its own process and prints its peak RSS, so bench/masking.ts can show that the
// Lambda's memory does not grow with the table (rows stay in the database). Input: MASK_BENCH (JSON) in env.
import { connectPostgres } from '#shared/database/postgres';
import type { DatabaseSecret } from '#shared/database/secret';
import { maskDatabase } from '#shared/masking/mask';
import { parseMaskingRules } from '#shared/masking/rules';

const { secret, table, salt } = JSON.parse(process.env.MASK_BENCH ?? '{}') as {
  secret: DatabaseSecret;
  table: string;
  salt: string;
};
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const db = await connectPostgres(secret, 'off');
const rules = parseMaskingRules(
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
await maskDatabase(db, rules, { salt, log: silent });
await db.close();
console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }));
