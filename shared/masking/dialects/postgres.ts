// Why this file exists: masking on PostgreSQL (RDS and Aurora included) as set-based SQL using only built-ins
// that need no extension: sha256/convert_to/encode, regexp_replace, regexp_split_to_table, strpos, random().
// The dictionaries and every configured value are bound parameters; only catalog-spelled, quoted names are
// text. Deterministic strategies hash with their purpose's key (keys.ts), a bound parameter of the UPDATE:
// pg_stat_activity shows `$n` in its place, and no setting of the session holds it.
import type { MaskedColumn } from '../catalog.ts';
import { FIRST_NAMES, LAST_NAMES } from '../dictionaries.ts';
import { DECIMAL_DIGIT_CLASS, DECIMAL_DIGITS, NON_ASCII_DIGIT_CLASS } from '../digits.ts';
import { noiseExpression } from '../noise.ts';
import { ANY_SCRUB_PATTERN, replacementOf, SCRUB_PATTERNS } from '../scrub.ts';
import type { BoundSql, KeyRef, MaskDialect, ShuffleSource } from './dialect.ts';

const SIGN = '(CASE WHEN random() < 0.5 THEN -1 ELSE 1 END)';
/** A factor in (0.01, 1]: never 0, so a non-zero value always moves. */
const FRACTION = '(0.01 + 0.99 * random())';
function hashHex(input: string, key: string): string {
  return `encode(sha256(convert_to(${key}::text || ':' || ${input}, 'UTF8')), 'hex')`;
}

/** 32 bits of the hash, from hex character `from` (1-based), as a 1-based index into a dictionary of `size`. */
const pickIndex = (hash: string, from: number, size: number) =>
  `((('x' || substr(${hash}, ${from}, 8))::bit(32)::bigint % ${size}) + 1)::int`;

/**
 * A dictionary entry chosen by the first 32 bits of the keyed hash of lower(value). A value never masks to
 * itself: the only values whose pick is themselves (case aside) are dictionary entries whose own pick is their
 * position, and those are listed once per statement (an uncorrelated ARRAY subquery, an InitPlan, over the
 * dictionary); only they take the next entry. Every other row costs one hash and one array subscript, no
 * subquery per row.
 */
function fakeName(ref: string, dictionary: readonly string[], key: string, sql: BoundSql): string {
  const size = dictionary.length;
  const words = `${sql.bind(dictionary)}::text[]`;
  const pick = (value: string) => pickIndex(hashHex(`lower(${value})`, key), 1, size);
  const selfPicks = `ARRAY(SELECT lower(e) FROM unnest(${words}) WITH ORDINALITY AS w(e, p) WHERE ${pick('e')} = p)`;
  return `CASE WHEN lower(${ref}) = ANY(${selfPicks}) THEN (${words})[${pick(ref)} % ${size} + 1]
    ELSE (${words})[${pick(ref)}] END`;
}

/**
 * "First Last": the first name chosen by the first 32 bits of the keyed hash of lower(value), the last name by
 * the next 32. When the pair is the original (case aside), the next last name is taken: a value never masks to
 * itself. As for single names, the pairs that pick themselves are listed once per statement (over every pair of
 * the dictionaries), so a row computes its hash once and subscripts twice.
 */
function fakeFullName(ref: string, key: string, sql: BoundSql): string {
  const firstSize = FIRST_NAMES.length;
  const lastSize = LAST_NAMES.length;
  const first = `${sql.bind(FIRST_NAMES)}::text[]`;
  const last = `${sql.bind(LAST_NAMES)}::text[]`;
  const hash = (value: string) => hashHex(`lower(${value})`, key);
  const pair = (value: string, lastIndex: string) =>
    `(${first})[${pickIndex(hash(value), 1, firstSize)}] || ' ' || (${last})[${lastIndex}]`;
  const selfPicks = `ARRAY(SELECT lower(f.e || ' ' || l.e)
      FROM unnest(${first}) WITH ORDINALITY AS f(e, p), unnest(${last}) WITH ORDINALITY AS l(e, p)
     WHERE ${pickIndex(hash("f.e || ' ' || l.e"), 1, firstSize)} = f.p
       AND ${pickIndex(hash("f.e || ' ' || l.e"), 9, lastSize)} = l.p)`;
  return `CASE WHEN lower(${ref}) = ANY(${selfPicks})
    THEN ${pair(ref, `${pickIndex(hash(ref), 9, lastSize)} % ${lastSize} + 1`)}
    ELSE ${pair(ref, pickIndex(hash(ref), 9, lastSize))} END`;
}

/**
 * Every Unicode decimal digit (see digits.ts), bound, as a bracket class of explicit code points (a regular
 * expression, compiled once per statement, is ~5x faster than translate() over the 770 characters): neither
 * [[:digit:]] nor \d can be relied on, since they match ASCII only under the C and C.UTF-8 locales (embedded
 * PostgreSQL and many RDS clusters). The characters need a UTF8 database, the RDS and Aurora default.
 */
const digitClass = (sql: BoundSql) => `${sql.bind(DECIMAL_DIGIT_CLASS)}::text`;

export const postgresDialect: MaskDialect = {
  placeholders: 'numbered',

  beforeTransaction: undefined,

  // SHARE ROW EXCLUSIVE conflicts with every writer (ROW EXCLUSIVE: INSERT, UPDATE, DELETE, MERGE) and with
  // itself, not with readers. Truncating takes ACCESS EXCLUSIVE anyway: taking it first avoids a lock upgrade.
  lock: (table, truncate) =>
    `LOCK TABLE ${table} IN ${truncate ? 'ACCESS EXCLUSIVE' : 'SHARE ROW EXCLUSIVE'} MODE`,

  // With row_security off, a query that a policy would filter raises 42501 instead of returning fewer rows; a
  // role with BYPASSRLS, or the owner of a table without FORCE ROW LEVEL SECURITY, sees every row as before.
  allRowsOrFail: 'SET LOCAL row_security = off',

  expression(column: MaskedColumn, ref: string, sql: BoundSql, key: KeyRef): string {
    const { strategy } = column;
    switch (strategy.strategy) {
      case 'fixed':
        return strategy.value === null ? 'NULL' : sql.bind(strategy.value);
      case 'null':
        return 'NULL';
      case 'hash':
        return `left(${hashHex(ref, key('hash'))}, ${sql.bind(strategy.length ?? 32)}::int)`;
      case 'email':
        return `'u_' || left(${hashHex(`lower(${ref})`, key('email'))}, 16) || '@example.invalid'`;
      case 'partial': {
        const first = sql.bind(strategy.keepFirst ?? 0);
        const last = sql.bind(strategy.keepLast ?? 0);
        const mask = `${sql.bind(strategy.maskChar ?? '*')}::text`;
        // A value too short to keep both ends is masked whole rather than kept whole.
        return `CASE WHEN char_length(${ref}) <= ${first}::int + ${last}::int THEN repeat(${mask}, char_length(${ref}))
          ELSE left(${ref}, ${first}::int) || repeat(${mask}, char_length(${ref}) - ${first}::int - ${last}::int)
            || right(${ref}, ${last}::int) END`;
      }
      case 'digits-mask':
        return `regexp_replace(${ref}, ${digitClass(sql)}, ${sql.bind(strategy.maskChar ?? '#')}::text, 'g')`;
      case 'digits-randomize': {
        // Per character, per row: a digit of value d becomes the ASCII digit (d + 1..9) mod 10 with random()
        // drawn for that position, i.e. uniformly one of the nine OTHER values, independently of every other
        // position (never its own, so verification cannot be fooled by luck). The output is ASCII digits. A value
        // holding no digit beyond ASCII (one regular-expression test) takes the fast form, integer arithmetic on
        // code points; one with a digit of another script (its value: its position in the list, ASCII first, mod
        // 10) the general one.
        const value = `((strpos(${sql.bind(DECIMAL_DIGITS)}::text, c.ch) - 1) % 10)`;
        const general = `coalesce((SELECT string_agg(CASE WHEN c.ch ~ ${digitClass(sql)}
            THEN ((${value} + 1 + floor(random() * 9)::int) % 10)::text ELSE c.ch END, '' ORDER BY c.n)
          FROM regexp_split_to_table(${ref}, '') WITH ORDINALITY AS c(ch, n)), ${ref})`;
        const ascii = `coalesce((SELECT string_agg(CASE WHEN ascii(c.ch) BETWEEN 48 AND 57
            THEN chr(48 + (ascii(c.ch) - 47 + floor(random() * 9)::int) % 10) ELSE c.ch END, '' ORDER BY c.n)
          FROM regexp_split_to_table(${ref}, '') WITH ORDINALITY AS c(ch, n)), ${ref})`;
        return `CASE WHEN ${ref} ~ ${sql.bind(NON_ASCII_DIGIT_CLASS)}::text THEN ${general} ELSE ${ascii} END`;
      }
      case 'first-name':
        return fakeName(ref, FIRST_NAMES, key('first-name'), sql);
      case 'last-name':
        return fakeName(ref, LAST_NAMES, key('last-name'), sql);
      case 'full-name':
        return fakeFullName(ref, key('full-name'), sql);
      case 'text-scrub':
        // Each detector in turn (see scrub.ts), every occurrence; the replacements hold no digit and no @.
        return SCRUB_PATTERNS.reduce(
          (text, { kind, pattern }) =>
            `regexp_replace(${text}, ${sql.bind(pattern)}::text, ${sql.bind(replacementOf(strategy, kind))}::text, 'g')`,
          ref,
        );
      case 'noise':
        // Computed in numeric (exact types) or double precision, then assigned back (see noise.ts).
        return noiseExpression(column, strategy, ref, sql, {
          exact: (value) => `(${value})::numeric`,
          float: (value) => `${value}::float8`,
          ratio: (value) => `${value}::numeric`,
          round: (value, scale) => `round((${value})::numeric, ${scale})`,
          fraction: `${FRACTION}::numeric`,
          sign: SIGN,
        });
      case 'date-shift': {
        const days = `(${SIGN} * (1 + floor(random() * ${sql.bind(strategy.maxDays)}::int)))::int`;
        return column.dataType === 'date' ? `${ref} + ${days}` : `${ref} + make_interval(days => ${days})`;
      }
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
        return `${original} !~ ${digitClass(sql)}`;
      case 'text-scrub':
        // Exempt only a text in which no detector finds anything.
        return `${original} !~ ${sql.bind(ANY_SCRUB_PATTERN)}::text`;
      case 'partial':
        return `char_length(${original}) = 0`;
      default:
        return undefined;
    }
  },

  residue: (column, masked, sql) =>
    column.strategy.strategy === 'text-scrub'
      ? `${masked} ~ ${sql.bind(ANY_SCRUB_PATTERN)}::text`
      : undefined,

  distinct: (a, b) => `${a} IS DISTINCT FROM ${b}`,

  createCopy: (name, _keys, select) => [`CREATE TEMP TABLE ${name} ON COMMIT DROP AS ${select} WITH NO DATA`],

  afterCopy: (name) => [`ANALYZE ${name}`],

  dropCopy: () => [],

  inList: (column, values, sql) => `${column} = ANY(${sql.bind(values)})`,

  // One random cycle through the rows: each row takes the value of the next row in a random order, so no
  // row keeps its own value unless all the values are equal (a plain random permutation often would).
  shuffle(table: string, column: string, copy: ShuffleSource): string[] {
    const keyList = copy.keys.map((key) => key.copy).join(', ');
    const join = copy.keys.map((key) => `t.${key.table} = k.${key.copy}`).join(' AND ');
    return [
      `WITH ring AS MATERIALIZED (
          SELECT ${keyList}, ${copy.original} AS shuffled_value,
                 row_number() OVER (ORDER BY random()) AS rn, count(*) OVER () AS n
            FROM ${copy.name})
        UPDATE ${table} t SET ${column} = v.shuffled_value
          FROM ring k JOIN ring v ON v.rn = k.rn % k.n + 1
         WHERE ${join}`,
    ];
  },

  truncate: (table) => `TRUNCATE TABLE ${table}`,

  // Only a DEFERRABLE constraint can be deferred (the pre-flight refuses the others); the setting ends with the
  // transaction.
  deferForeignKey: (name) => `SET CONSTRAINTS ${name} DEFERRED`,

  foreignKeyChecks: undefined,
};
