// A custom hook for the local run that works against the target database, as real hooks do: after masking,
// every staging table must still be populated and orders must still find their customer by (masked) email.
import type { CustomHook } from '#shared/hooks/kinds/module';

export const stagingCheckHook: CustomHook = {
  needsTarget: true,
  async run({ target }) {
    const database = await target();
    const counts = await database.query<{ customers: string; orders: string; joined: string }>(
      `SELECT (SELECT count(*) FROM customers) AS customers,
              (SELECT count(*) FROM orders) AS orders,
              (SELECT count(*) FROM orders o JOIN customers c ON c.email = o.customer_email) AS joined`,
    );
    const row = counts.rows[0];
    if (!row || Number(row.customers) === 0 || Number(row.orders) === 0) {
      throw new Error('staging is empty after the load');
    }
    if (row.joined !== row.orders) {
      throw new Error(`only ${row.joined} of ${row.orders} orders still find their customer after masking`);
    }
    return {
      changed: `nothing; ${row.customers} customers, all ${row.orders} orders still join on masked email`,
    };
  },
};
