// Opens the target database a secret describes, with the driver for its engine, loading the driver from
// source on first use (the local run, the hooks command, tests). The post-processor's bundle loads it from a
// bundle of its own instead (connector.ts).
import { targetConnector } from './connector.ts';

export const connectTarget = targetConnector({
  postgres: () => import('./postgres.ts'),
  mysql: () => import('./mysql.ts'),
});
