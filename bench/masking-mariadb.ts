// The MariaDB side of the masking bench: a throwaway mariadbd (test/support/mariadb.ts, Debian's mariadb-server
// binaries), the seeds (four columns; one value column per strategy) from MariaDB's built-in sequence tables, the
// tool's MySQL-dialect expressions written by hand as one UPDATE, and the settle step. Without the binaries the bench says so and measures PostgreSQL only.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { connectMysql } from '#shared/database/mysql';
import { FIRST_NAMES, LAST_NAMES } from '#shared/masking/dictionaries';
import { DIGIT_OF_VALUE_CLASS } from '#shared/masking/digits';
import { startLocalMariadb } from '../test/support/mariadb.ts';
import {
  type BoundStatement,
  type MaskingBenchEngine,
  VALUE_COLUMN,
  type ValueShape,
} from './masking-engine.ts';

const BINARIES = ['mariadbd', 'mariadb-install-db'] as const;
const PURGE_WAIT_MS = 120_000;

/** Why MariaDB cannot be started here, or undefined when it can. */
export function mariadbMissing(): string | undefined {
  const missing = BINARIES.filter((binary) => spawnSync('sh', ['-c', `command -v ${binary}`]).status !== 0);
  if (missing.length === 0) return undefined;
  // Debian installs mariadbd in /usr/sbin, which is not on every user's PATH.
  const hint = existsSync('/usr/sbin/mariadbd')
    ? '; /usr/sbin/mariadbd exists: export PATH="$PATH:/usr/sbin"'
    : '';
  return `${missing.join(' and ')} not found on PATH (Debian package mariadb-server)${hint}`;
}

/**
 * The tool's salt as the dialect reads it, here a bound parameter: an explicit utf8mb4 binary collation, so that
 * CONCAT with a column of another collation is not an illegal mix.
 */
const KEY = '(CONVERT(? USING utf8mb4) COLLATE utf8mb4_bin)';
const NAME_COUNT = FIRST_NAMES.length;
const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/**
 * shared/masking/dialects/mysql.ts's expressions for email, first-name, digits-randomize and date-shift (maxDays
 * 30), written out as one UPDATE. Parameters, in the order their `?` appear: the key, the key and the hundred
 * first names of the ELT pick, the ten digit classes (value 0 to 9), and maxDays. Like the tool, one hash per
 * name; unlike it, no care for the rare name that would pick itself.
 */
function handWritten(table: string, salt: string): BoundStatement {
  const nameIndex = `(CAST(CONV(LEFT(SHA2(CONCAT(${KEY}, ':', LOWER(first_name)), 256), 8), 16, 10) AS UNSIGNED) % ${NAME_COUNT})`;
  // Each digit first becomes a control character standing for its value (CHAR 14-23), then each of those a
  // random other ASCII digit: MySQL has no per-character set function.
  const hidden = DIGITS.reduce(
    (text, digit) => `REGEXP_REPLACE(${text}, ?, CHAR(${14 + digit} USING utf8mb4))`,
    '(CONVERT(phone USING utf8mb4) COLLATE utf8mb4_bin)',
  );
  const randomized = DIGITS.reduce(
    (text, digit) =>
      `REPLACE(${text}, CHAR(${14 + digit} USING utf8mb4), CAST(MOD(${digit} + 1 + FLOOR(RAND() * 9), 10) AS CHAR))`,
    hidden,
  );
  const sql = `UPDATE ${table} SET
    email = CONCAT('u_', LEFT(SHA2(CONCAT(${KEY}, ':', LOWER(email)), 256), 16), '@example.invalid'),
    first_name = ELT(${nameIndex} + 1, ${FIRST_NAMES.map(() => '?').join(', ')}),
    phone = ${randomized},
    birth_date = DATE_ADD(birth_date, INTERVAL (IF(RAND() < 0.5, -1, 1) * (1 + FLOOR(RAND() * ?))) DAY)`;
  const params = [salt, salt, ...FIRST_NAMES, ...DIGIT_OF_VALUE_CLASS, 30];
  // Positional placeholders: a miscount would bind a value to the wrong expression rather than fail.
  const placeholders = sql.split('?').length - 1;
  if (placeholders !== params.length) {
    throw new Error(
      `hand-written MariaDB UPDATE has ${placeholders} placeholders for ${params.length} values`,
    );
  }
  return { sql, params };
}

/**
 * The parts every value shape is made of, from the row number g, as bench/masking-postgres.ts makes them: a first
 * and a last name from the masking dictionaries (bound, first names then last names; every pair of them over
 * 10,000 rows), a phone number and the 15 digits of a card number after its leading 4.
 */
const valueParts = (rows: number) => `SELECT seq AS g,
    ELT(1 + seq % ${FIRST_NAMES.length}, ${FIRST_NAMES.map(() => '?').join(', ')}) AS first_name,
    ELT(1 + (seq DIV ${FIRST_NAMES.length}) % ${LAST_NAMES.length}, ${LAST_NAMES.map(() => '?').join(', ')}) AS last_name,
    CONCAT('+1 555 ', LPAD(seq % 10000000, 7, '0')) AS phone,
    LPAD((seq * 2654435761) % 1000000000000000, 15, '0') AS card_digits
  FROM seq_1_to_${Math.trunc(rows)}`;
const EMAIL = `CONCAT(LOWER(first_name), '.', LOWER(last_name), g, '@example.com')`;
const CARD = `CONCAT('4', SUBSTRING(card_digits, 1, 3), ' ', SUBSTRING(card_digits, 4, 4), ' ',
  SUBSTRING(card_digits, 8, 4), ' ', SUBSTRING(card_digits, 12, 4))`;
/** Column types as current schemas declare them: bounded VARCHARs, TEXT for free text. */
const VALUES: Readonly<Record<ValueShape, { readonly type: string; readonly value: string }>> = {
  email: { type: 'VARCHAR(320)', value: EMAIL },
  phone: { type: 'VARCHAR(32)', value: 'phone' },
  card: { type: 'VARCHAR(32)', value: CARD },
  'first-name': { type: 'VARCHAR(100)', value: 'first_name' },
  'last-name': { type: 'VARCHAR(100)', value: 'last_name' },
  'full-name': { type: 'VARCHAR(100)', value: `CONCAT(first_name, ' ', last_name)` },
  'free-text': {
    type: 'TEXT',
    value: `CONCAT('Order ', g, ': please call back on ', phone, ' or write to ', ${EMAIL},
      '; paid by card ', ${CARD}, '.')`,
  },
  amount: { type: 'DECIMAL(12,2)', value: '((g * 7919) % 10000000) / 100' },
  date: { type: 'DATE', value: `DATE_ADD('1950-01-01', INTERVAL g % 20000 DAY)` },
};

async function historyListLength(root: mysql.Connection): Promise<number> {
  const [rows] = await root.query<mysql.RowDataPacket[]>(
    "SHOW GLOBAL STATUS LIKE 'Innodb_history_list_length'",
  );
  return Number(rows[0]?.Value ?? 0);
}

export async function startMariadbBench(): Promise<MaskingBenchEngine> {
  const server = await startLocalMariadb('mask_bench');
  const notes: string[] = [
    // Seen on this server: an UPDATE setting columns to themselves reports "Rows matched: N  Changed: 0".
    'MariaDB writes no row whose new values equal the old ones: its FLOOR reads and locks every row but ' +
      'writes none, so it lies below the real write floor; WRITE-FLOOR, which changes every row, is that floor',
  ];
  try {
    const { secret } = server;
    const db = await connectMysql(secret, 'off');
    // FLUSH and the server status need privileges beyond the masking role's database: root has them. The
    // throwaway server's root has no password on loopback; without it the flush is skipped, and said so.
    const root = await mysql
      .createConnection({ host: secret.host, port: secret.port, user: 'root' })
      .catch((error: unknown) => {
        notes.push(`FLUSH TABLES and the purge wait were skipped: root could not connect (${String(error)})`);
        return undefined;
      });
    const [version] = (await db.query<{ v: string }>('SELECT VERSION() AS v')).rows;
    return {
      name: 'mariadb',
      title: `MariaDB ${version?.v ?? '?'} (mariadbd of Debian's mariadb-server)`,
      settleSteps: 'ANALYZE TABLE, the end of InnoDB purge, and FLUSH TABLES … FOR EXPORT',
      db,
      secret,
      notes,
      connect: (other) => connectMysql(other, 'off'),
      async seed(table, rows) {
        await db.query(`DROP TABLE IF EXISTS ${table}`);
        // utf8mb4, what current schemas use; the tool's expressions convert to it whatever the column's charset.
        await db.query(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, email VARCHAR(320) NOT NULL,
          first_name VARCHAR(100), phone VARCHAR(32), birth_date DATE, balance DECIMAL(12,2))
          ENGINE = InnoDB DEFAULT CHARSET = utf8mb4`);
        // seq_1_to_N is MariaDB's SEQUENCE engine: the rows of generate_series, with no table behind them.
        await db.query(
          `INSERT INTO ${table}
           SELECT seq, CONCAT('person', seq, '@example.com'), ELT(1 + seq % 5, 'Ann', 'Bob', 'Cleo', 'Dan', 'Eve'),
             CONCAT('+1 555 ', LPAD(seq % 10000000, 7, '0')), DATE_ADD('1950-01-01', INTERVAL seq % 20000 DAY),
             seq % 1000
           FROM seq_1_to_${Math.trunc(rows)}`,
        );
      },
      async seedValues(table, shape, rows) {
        const { type, value } = VALUES[shape];
        await db.query(`DROP TABLE IF EXISTS ${table}`);
        await db.query(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, ${VALUE_COLUMN} ${type})
          ENGINE = InnoDB DEFAULT CHARSET = utf8mb4`);
        await db.query(`INSERT INTO ${table} SELECT g, ${value} FROM (${valueParts(rows)}) parts`, [
          ...FIRST_NAMES,
          ...LAST_NAMES,
        ]);
      },
      // Seen on this server: an UPDATE setting a column to itself reports "Changed: 0" and writes nothing.
      writesUnchangedRows: false,
      valueWriteFloorUpdate: (table, shape) =>
        `UPDATE ${table} SET ${VALUE_COLUMN} = ${
          shape === 'amount'
            ? `${VALUE_COLUMN} + 1`
            : shape === 'date'
              ? `${VALUE_COLUMN} + INTERVAL 1 DAY`
              : `REVERSE(${VALUE_COLUMN})`
        }`,
      async settle(table) {
        await db.query(`ANALYZE TABLE ${table}`);
        if (!root) return;
        // The previous sample's UPDATE left undo records that InnoDB's purge threads clean up in the background:
        // waiting for them keeps that work out of this sample's timing.
        const deadline = Date.now() + PURGE_WAIT_MS;
        let pending = await historyListLength(root);
        while (pending > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          pending = await historyListLength(root);
        }
        if (pending > 0) {
          notes.push(
            `a sample started with ${pending} undo records not yet purged (waited ${PURGE_WAIT_MS / 1000} s)`,
          );
        }
        // FOR EXPORT writes the table's dirty pages (the seed's) to disk, the closest MariaDB has to a
        // CHECKPOINT of one table; the table is read-locked until UNLOCK TABLES.
        await root.query(`FLUSH TABLES ${secret.database}.${table} FOR EXPORT`);
        await root.query('UNLOCK TABLES');
      },
      writeFloorUpdate: (table) =>
        `UPDATE ${table} SET email = REVERSE(email), first_name = REVERSE(first_name), phone = REVERSE(phone),
          birth_date = birth_date + INTERVAL 1 DAY`,
      handUpdate: handWritten,
      rowUpdate: (table) =>
        `UPDATE ${table} SET email = ?, first_name = ?, phone = ?, birth_date = ? WHERE id = ?`,
      async stop() {
        await db.close();
        await root?.end();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
