// Why this file exists: masking on MySQL 8 and MariaDB 10.6+ (Aurora MySQL included) as set-based SQL using only
// built-ins: SHA2, REGEXP_REPLACE, REPLACE, RAND(), ELT. The dictionaries (their entries)
// and every configured value are bound parameters; only catalog-spelled, quoted names are text. Deterministic
// strategies hash with their purpose's key (keys.ts), a parameter of the UPDATE, a server-side prepared
// statement: the process list and performance_schema show `?` in its place, and no user variable holds it.
import type { MaskedColumn } from '../catalog.ts';
import { FIRST_NAMES, LAST_NAMES } from '../dictionaries.ts';
import { DECIMAL_DIGIT_CLASS, DIGIT_OF_VALUE_CLASS } from '../digits.ts';
import type { KeyPurpose } from '../keys.ts';
import { noiseExpression } from '../noise.ts';
import { ANY_SCRUB_PATTERN, replacementOf, SCRUB_PATTERNS } from '../scrub.ts';
import { selfPickedNames, selfPickedPairs } from '../self-picks.ts';
import type { BoundSql, KeyRef, MaskDialect, ShuffleSource } from './dialect.ts';

const SIGN = 'IF(RAND() < 0.5, -1, 1)';
/** A factor in (0.01, 1]: never 0, so a non-zero value always moves. */
const FRACTION = '(0.01 + 0.99 * RAND())';
const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
/**
 * A purpose's key, as utf8mb4 with an explicit binary collation: CONCAT with a column of another character set
 * or collation is then settled by the explicit side, never an illegal mix (error 1267).
 */
function hashHex(input: string, key: string): string {
  return `SHA2(CONCAT(CONVERT(${key} USING utf8mb4) COLLATE utf8mb4_bin, ':', ${input}), 256)`;
}

/** 32 bits of `hash` from hex character `from` (1-based), mod `size`: a 0-based dictionary position. */
const pickIndex = (hash: string, from: number, size: number) =>
  `(CAST(CONV(SUBSTRING(${hash}, ${from}, 8), 16, 10) AS UNSIGNED) % ${size})`;

/** The dictionary entry at a 0-based position: ELT over the entries, each a bound parameter. */
const entryAt = (position: string, dictionary: readonly string[], sql: BoundSql) =>
  `ELT(${position} + 1, ${dictionary.map((entry) => sql.bind(entry)).join(', ')})`;

/**
 * `LOWER(ref) IN (…)` over values found in this process (self-picks.ts), bound. The list is padded with NULLs
 * (which match nothing: the test is then NULL, not true, and CASE takes ELSE) to a multiple of 8, so the
 * statement text, which monitoring shows, is the same whatever the key: usually 0 to 2 values are listed.
 */
function lowerIn(ref: string, values: readonly string[], sql: BoundSql): string {
  const padded = Math.max(8, Math.ceil(values.length / 8) * 8);
  const list = Array.from({ length: padded }, (_, i) => sql.bind(values[i] ?? null));
  return `LOWER(${ref}) IN (${list.join(', ')})`;
}

/**
 * A dictionary entry chosen by the first 32 bits of the keyed hash of lower(value). A value never masks to
 * itself: only the entries whose own pick is themselves could, they are listed in this process (self-picks.ts),
 * and only they take the next entry. A row costs one hash and one ELT.
 */
function fakeName(
  ref: string,
  dictionary: readonly string[],
  key: KeyRef,
  purpose: KeyPurpose,
  sql: BoundSql,
): string {
  const size = dictionary.length;
  const index = pickIndex(hashHex(`LOWER(${ref})`, key(purpose)), 1, size);
  const selfPick = lowerIn(ref, selfPickedNames(key.value(purpose), dictionary), sql);
  const pick = entryAt(index, dictionary, sql);
  return `CASE WHEN ${selfPick} THEN ${entryAt(`(${index} + 1) % ${size}`, dictionary, sql)} ELSE ${pick} END`;
}

/**
 * "First Last": the first name chosen by the first 32 bits of the keyed hash of lower(value), the last name by
 * the next 32. When the pair is the original (case aside), the next last name is taken: a value never masks to
 * itself. The pairs that pick themselves are listed in this process, as for single names.
 */
function fakeFullName(ref: string, key: KeyRef, sql: BoundSql): string {
  const hash = hashHex(`LOWER(${ref})`, key('full-name'));
  const size = LAST_NAMES.length;
  const first = entryAt(pickIndex(hash, 1, FIRST_NAMES.length), FIRST_NAMES, sql);
  const pair = (lastPosition: string) => `CONCAT(${first}, ' ', ${entryAt(lastPosition, LAST_NAMES, sql)})`;
  const selfPick = lowerIn(ref, selfPickedPairs(key.value('full-name'), FIRST_NAMES, LAST_NAMES), sql);
  const usual = pair(pickIndex(hash, 9, size));
  return `CASE WHEN ${selfPick} THEN ${pair(`(${pickIndex(hash, 9, size)} + 1) % ${size}`)} ELSE ${usual} END`;
}

/**
 * Text as utf8mb4 with an explicit binary collation: the digit classes below hold characters of every script,
 * which a latin1 column could not be compared with (an illegal mix, or '?' in the pattern), and the explicit
 * collation settles REGEXP_REPLACE and REPLACE whatever the column's charset. The result is converted back on
 * assignment.
 */
const utf8 = (ref: string) => `(CONVERT(${ref} USING utf8mb4) COLLATE utf8mb4_bin)`;

/**
 * Digits randomize, honestly: MySQL has no per-character set function short of a recursive CTE per row, so the
 * decimal digits of each value 0-9, of every script (see digits.ts; the classes are bound), are first swapped
 * for a control character (CHAR 14-23, which does not occur in phone numbers or card numbers), then each control
 * character becomes a random ASCII digit other than the value it stood for, drawn with RAND() once per row.
 * Within one value, every occurrence of the same digit value gets the same replacement: a random per-row
 * substitution of the ten values (no value ever maps to itself), not independent per position. The output is
 * ASCII digits whatever the script of the input.
 */
function randomizeDigits(ref: string, sql: BoundSql): string {
  const hidden = DIGITS.reduce(
    (text, digit) =>
      `REGEXP_REPLACE(${text}, ${sql.bind(DIGIT_OF_VALUE_CLASS[digit])}, CHAR(${14 + digit} USING utf8mb4))`,
    utf8(ref),
  );
  return DIGITS.reduce(
    (text, digit) =>
      `REPLACE(${text}, CHAR(${14 + digit} USING utf8mb4), CAST(MOD(${digit} + 1 + FLOOR(RAND() * 9), 10) AS CHAR))`,
    hidden,
  );
}

export const mysqlDialect: MaskDialect = {
  placeholders: 'positional',

  // The lock below is a locking read over the whole table. Under REPEATABLE READ (and SERIALIZABLE) InnoDB
  // locks every index record and the gaps between them, the supremum included, so no other session can insert,
  // update or delete a row of the table until the transaction ends; under READ COMMITTED, which many targets
  // run, it locks the existing rows only and inserts would pass. SET TRANSACTION without SESSION applies to the
  // next transaction only, so the connection's own level is back for later hooks. LOCK TABLES is no option: it
  // commits the open transaction, and every statement after it would then commit on its own.
  beforeTransaction: 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ',

  // COUNT(*) so that no row leaves the database; the locking read still visits (and locks) every row. Readers
  // that do not lock (plain SELECT) are not blocked.
  lock: (table) => `SELECT COUNT(*) AS n FROM ${table} FOR UPDATE`,

  // MySQL and MariaDB have no row-level security: every query sees every row.
  allRowsOrFail: undefined,

  expression(column: MaskedColumn, ref: string, sql: BoundSql, key: KeyRef): string {
    const { strategy } = column;
    switch (strategy.strategy) {
      case 'fixed':
        return strategy.value === null ? 'NULL' : sql.bind(strategy.value);
      case 'null':
        return 'NULL';
      case 'hash':
        return `LEFT(${hashHex(ref, key('hash'))}, ${sql.bind(strategy.length ?? 32)})`;
      case 'email':
        return `CONCAT('u_', LEFT(${hashHex(`LOWER(${ref})`, key('email'))}, 16), '@example.invalid')`;
      case 'partial': {
        const first = sql.bind(strategy.keepFirst ?? 0);
        const last = sql.bind(strategy.keepLast ?? 0);
        const mask = sql.bind(strategy.maskChar ?? '*');
        // A value too short to keep both ends is masked whole rather than kept whole.
        return `CASE WHEN CHAR_LENGTH(${ref}) <= ${first} + ${last} THEN REPEAT(${mask}, CHAR_LENGTH(${ref}))
          ELSE CONCAT(LEFT(${ref}, ${first}), REPEAT(${mask}, CHAR_LENGTH(${ref}) - ${first} - ${last}),
            RIGHT(${ref}, ${last})) END`;
      }
      case 'digits-mask':
        // Every decimal digit of every script (see digits.ts), not only [0-9].
        return `REGEXP_REPLACE(${utf8(ref)}, ${sql.bind(DECIMAL_DIGIT_CLASS)}, ${sql.bind(strategy.maskChar ?? '#')})`;
      case 'digits-randomize':
        return randomizeDigits(ref, sql);
      case 'first-name':
        return fakeName(ref, FIRST_NAMES, key, 'first-name', sql);
      case 'last-name':
        return fakeName(ref, LAST_NAMES, key, 'last-name', sql);
      case 'full-name':
        return fakeFullName(ref, key, sql);
      case 'text-scrub':
        // Each detector in turn (see scrub.ts), every occurrence; the replacements hold no digit and no @.
        return SCRUB_PATTERNS.reduce(
          (text, { kind, pattern }) =>
            `REGEXP_REPLACE(${text}, ${sql.bind(pattern)}, ${sql.bind(replacementOf(strategy, kind))})`,
          utf8(ref),
        );
      case 'noise':
        // Exact types are computed as DECIMAL (no UNSIGNED arithmetic, which fails below 0), the random size of
        // the move as DOUBLE (see noise.ts); the result is assigned back.
        return noiseExpression(column, strategy, ref, sql, {
          exact: (value, scale) => `CAST(${value} AS DECIMAL(65, ${scale}))`,
          float: (value) => `(${value} + 0E0)`,
          ratio: (value) => `(${value} + 0E0)`,
          round: (value, scale) => `CAST(ROUND(${value}, ${scale}) AS DECIMAL(65, ${scale}))`,
          fraction: FRACTION,
          sign: SIGN,
        });
      case 'date-shift':
        return `DATE_ADD(${ref}, INTERVAL (${SIGN} * (1 + FLOOR(RAND() * ${sql.bind(strategy.maxDays)}))) DAY)`;
      case 'shuffle':
        throw new Error('shuffle is not an expression: it is rendered by shuffle()');
    }
  },

  unchangeable(column: MaskedColumn, original: string, sql: BoundSql): string | undefined {
    const { strategy } = column;
    switch (strategy.strategy) {
      case 'fixed':
        return strategy.value === null ? undefined : `${original} = ${sql.bind(strategy.value)}`;
      case 'digits-mask':
      case 'digits-randomize':
        // Exempt only a value without a single decimal digit of any script.
        return `${utf8(original)} NOT REGEXP ${sql.bind(DECIMAL_DIGIT_CLASS)}`;
      case 'text-scrub':
        // Exempt only a text in which no detector finds anything.
        return `${utf8(original)} NOT REGEXP ${sql.bind(ANY_SCRUB_PATTERN)}`;
      case 'partial':
        return `CHAR_LENGTH(${original}) = 0`;
      default:
        return undefined;
    }
  },

  residue: (column, masked, sql) =>
    column.strategy.strategy === 'text-scrub'
      ? `${utf8(masked)} REGEXP ${sql.bind(ANY_SCRUB_PATTERN)}`
      : undefined,

  distinct: (a, b) => `NOT (${a} <=> ${b})`,

  // CREATE/DROP TEMPORARY TABLE do not commit the open transaction (plain TRUNCATE and DDL would).
  createCopy: (name, keys, select) => [
    `DROP TEMPORARY TABLE IF EXISTS ${name}`,
    `CREATE TEMPORARY TABLE ${name} (PRIMARY KEY (${keys.join(', ')})) AS ${select} WHERE 1 = 0`,
  ],

  afterCopy: () => [],

  dropCopy: (name) => [`DROP TEMPORARY TABLE IF EXISTS ${name}`],

  inList: (column, values, sql) => `${column} IN (${values.map((value) => sql.bind(value)).join(', ')})`,

  // One random cycle through the rows: each row takes the value of the next row in a random order, so no
  // row keeps its own value unless all the values are equal (a plain random permutation often would). MySQL
  // cannot open one temporary table twice in a statement, so the ring's values and its keys (each pointing at
  // the position whose value it takes) are two temporary tables.
  shuffle(table: string, column: string, copy: ShuffleSource): string[] {
    const values = '`dms_mask_shuffled`';
    const ring = '`dms_mask_ring`';
    const keyList = copy.keys.map((key) => key.copy).join(', ');
    const join = copy.keys.map((key) => `t.${key.table} = k.${key.copy}`).join(' AND ');
    return [
      `DROP TEMPORARY TABLE IF EXISTS ${values}`,
      `DROP TEMPORARY TABLE IF EXISTS ${ring}`,
      `CREATE TEMPORARY TABLE ${values} (PRIMARY KEY (rn)) AS
        SELECT ROW_NUMBER() OVER (ORDER BY RAND()) AS rn, COUNT(*) OVER () AS n, ${keyList},
               ${copy.original} AS shuffled_value
          FROM ${copy.name}`,
      `CREATE TEMPORARY TABLE ${ring} AS SELECT ${keyList}, rn % n + 1 AS takes FROM ${values}`,
      `UPDATE ${table} t
        JOIN ${ring} k ON ${join}
        JOIN ${values} v ON v.rn = k.takes
        SET t.${column} = v.shuffled_value`,
      `DROP TEMPORARY TABLE IF EXISTS ${ring}`,
      `DROP TEMPORARY TABLE IF EXISTS ${values}`,
    ];
  },

  // TRUNCATE would commit implicitly and could not be rolled back; DELETE stays inside the transaction.
  truncate: (table) => `DELETE FROM ${table}`,

  deferForeignKey: () => undefined,

  // InnoDB checks foreign keys row by row and cannot defer them: the masking session switches them off for the
  // group's transaction (a session setting, no privilege beyond the session's own) and restores the value it
  // read afterwards; with checks off InnoDB also performs no ON UPDATE CASCADE. Masking then counts orphans.
  foreignKeyChecks: {
    read: 'SELECT @@SESSION.foreign_key_checks AS v',
    off: 'SET SESSION foreign_key_checks = 0',
    restore: (value) => `SET SESSION foreign_key_checks = ${value === 0 ? 0 : 1}`,
  },
};
