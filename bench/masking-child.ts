// Runs maskDatabase once in its own process and prints its peak RSS, so bench/masking.ts can show that the
// Lambda's memory does not grow with the table (rows stay in the database). Input: MASK_BENCH (JSON) in env.
import { connectPostgres } from '#shared/database/postgres';
import type { DatabaseSecret } from '#shared/database/secret';
import { maskDatabase } from '#shared/masking/mask';
import { benchRules } from './masking-rules.ts';

const { secret, table, salt } = JSON.parse(process.env.MASK_BENCH ?? '{}') as {
  secret: DatabaseSecret;
  table: string;
  salt: string;
};
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const db = await connectPostgres(secret, 'off');
const rules = benchRules(table);
await maskDatabase(db, rules, { salt, log: silent });
await db.close();
console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }));
