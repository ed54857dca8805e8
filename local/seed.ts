// The local run's "production" database: customers with PII, their orders (which refer to customers by email,
// so the masked copy must keep that join intact) and support tickets with free-text notes. Generated
// deterministically inside the database, so every run prints the same figures.
import type pg from 'pg';

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const LAST_NAMES = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Perlman',
  'Lee',
];

export const SEED_CUSTOMERS = 500;
export const ORDERS_PER_CUSTOMER = 3;

export async function seedProduction(client: pg.Client): Promise<void> {
  await client.query(`
    CREATE TABLE customers (
      id integer PRIMARY KEY,
      first_name text NOT NULL,
      last_name text NOT NULL,
      email text NOT NULL UNIQUE,
      phone text,
      date_of_birth date
    );
    CREATE TABLE orders (
      id integer PRIMARY KEY,
      customer_email text NOT NULL,
      amount numeric(10, 2) NOT NULL,
      ordered_at timestamptz NOT NULL
    );
    CREATE TABLE support_tickets (
      id integer PRIMARY KEY,
      customer_email text NOT NULL,
      notes text
    );`);
  // Set-based generation inside the database: no rows travel through Node.
  await client.query(
    `INSERT INTO customers (id, first_name, last_name, email, phone, date_of_birth)
     SELECT i, ($1::text[])[1 + i % 10], ($2::text[])[1 + (i / 10) % 10],
            lower(($1::text[])[1 + i % 10]) || '.' || i || '@example.com',
            '+1-555-' || lpad((i * 7919 % 10000)::text, 4, '0'),
            date '1960-01-01' + (i * 37 % 15000)
       FROM generate_series(1, $3::int) AS i`,
    [FIRST_NAMES, LAST_NAMES, SEED_CUSTOMERS],
  );
  await client.query(
    `INSERT INTO orders (id, customer_email, amount, ordered_at)
     SELECT o, c.email, round((10 + (o * 7 % 500))::numeric, 2), timestamptz '2026-01-01' + make_interval(hours => o)
       FROM generate_series(1, $1::int * $2::int) AS o
       JOIN customers c ON c.id = 1 + (o - 1) / $2::int`,
    [SEED_CUSTOMERS, ORDERS_PER_CUSTOMER],
  );
  await client.query(
    `INSERT INTO support_tickets (id, customer_email, notes)
     SELECT c.id, c.email, 'Please call me on ' || c.phone || ', I am ' || c.first_name || ' ' || c.last_name
       FROM customers c WHERE c.id % 5 = 0`,
  );
}
