// Why this file exists: a team that runs discovery on a database nobody has masked yet needs a first masking
// configuration, not a list to type one from. This turns findings into the `tables` of a mask hook, one strategy
// per column chosen by the kind of data it holds, and says for every column why (JSON has no comments, so the
// reasons come beside the rules). The choice respects what the masking pre-flight would refuse, as far as the
// catalog tells: a strategy must fit the column's type and length; a primary key column is never masked, nor a
// table without one (masking verifies by it); a column under a unique index gets an injective strategy; the two
// sides of a foreign key get the same deterministic one, or neither is masked. What the catalog cannot tell
// before a run (e-mails that differ only in case) is left to the pre-flight itself (check.ts). Pure.
//
// The strategy per kind, and why:
// - email → `email`: still an address to the application, never deliverable, the same pseudonym in every table.
// - phone → `digits-randomize`: every digit replaced, so no real number is left; format and length survive the
//   application's validation.
// - card → `partial`, last 4 kept: PCI DSS truncation (at most the last four digits) leaves no cardholder data,
//   "card ending 1234" screens keep working, and the value can never be charged. `digits-randomize` would write
//   numbers that pass Luhn one time in ten under a real issuer prefix: someone else's card, possibly.
// - iban → `hash`: an IBAN holds the bank and the account number, so no part of it may stay; a fake of the right
//   shape needs per-country check digits (and random digits make a valid one, maybe a real account, one time in
//   97); the hash is deterministic, so payments still join on it.
// - ssn → `digits-randomize`: the AAA-GG-SSSS shape stays, no digit does. Keeping the last four (`partial`)
//   would keep exactly the part used to verify a person's identity.
// - national-id, passport, tax-id → `hash`: an identifier is only useful whole; deterministic and injective,
//   so joins and unique indexes hold.
// - ip-address → `hash`: deterministic, so "the same visitor" still links sessions and logs; nothing of the
//   address is kept. A fixed documentation address (192.0.2.1, RFC 5737) would still parse as an address, but
//   it is still an address to the detectors, so the drift guard after masking would report the column as
//   holding IP addresses; random digits leave an IPv6 address's letters in place.
// - date-of-birth → `date-shift` by up to 180 days: ages stay right to half a year for age checks; the exact date
//   (with a postcode, enough to single most people out) is gone. A birth date kept as text gets `fixed`.
// - person-name → `first-name`, `last-name` or `full-name` by the column's name: realistic, deterministic.
// - address → `fixed` REDACTED: any part of an address identifies; a constant no detector reads as one.
// - postcode → `partial`, first 2 kept: the region survives for reports (coarser than HIPAA's 3-digit ZIP).
// - free-text → `text-scrub`: e-mails, phones, cards and IBANs inside the text replaced; names inside it are not
//   found by any strategy, which the reason says.
// Numbers holding personal data (a phone as bigint) take `null` where the column allows it: no strategy writes
// a fitting pseudonym into a number.
import type { Dialect } from '../database/target.ts';
import { FIRST_NAMES, LAST_NAMES } from '../masking/dictionaries.ts';
import { type ForeignKey, foreignKeyVerdict } from '../masking/foreign.ts';
import { IDENTIFIER, type MaskingRules, type Strategy } from '../masking/rules.ts';
import { MIN_UNIQUE_HASH_LENGTH, type UniqueIndex, uniqueVerdict } from '../masking/unique.ts';
import type { CatalogColumn, CatalogTable } from './sample.ts';
import type { Finding, PiiKind } from './types.ts';

/** What the catalog says about the tables, for strategies that fit; everything is optional. */
export interface SuggestContext {
  readonly dialect?: Dialect;
  /** The connection's database: the default schema on MySQL. */
  readonly database?: string;
  /** The catalog as the sampler read it: column types and lengths, primary keys. */
  readonly tables?: readonly CatalogTable[];
  /** Unique indexes per table, keyed by `tableKey(schema, table)`. */
  readonly uniqueIndexes?: ReadonlyMap<string, readonly UniqueIndex[]>;
  /** Foreign keys from or to the tables with findings. */
  readonly foreignKeys?: readonly ForeignKey[];
}

export interface ColumnReason {
  /** `schema.table.column` as the catalog spells it. */
  readonly column: string;
  readonly kind: PiiKind;
  /** The suggested strategy; undefined when the column is not masked by the suggestion (`why` says why). */
  readonly strategy: Strategy | undefined;
  readonly why: readonly string[];
}

export interface MaskingSuggestion {
  /** The `tables` of a mask hook (empty when nothing can be suggested); parseMaskingRules accepts it. */
  readonly rules: MaskingRules;
  /** One per finding (and per column a foreign key brought in), sorted by column. */
  readonly reasons: readonly ColumnReason[];
}

export const tableKey = (schema: string, table: string): string => JSON.stringify([schema, table]);
const columnKey = (schema: string, table: string, column: string) => JSON.stringify([schema, table, column]);

const FIXED_ADDRESS = 'REDACTED';
const FIXED_DATE_TEXT = '1970-01-01';

const WHY: Readonly<Record<PiiKind, string>> = {
  email:
    'email: a deterministic pseudonym u_…@example.invalid, still an address to the application and never deliverable; the same in every table, so joins hold',
  phone:
    'digits-randomize: every digit replaced, so no real number is left; the format and length pass the application’s checks',
  card: 'partial, last 4 kept: PCI DSS truncation leaves no cardholder data and "ending in 1234" screens still work; random digits could write someone else’s valid card number',
  iban: 'hash: an IBAN holds bank and account number, so no part of it is kept; deterministic, so payments still join on it; random digits would make a valid, possibly real, IBAN one time in 97',
  ssn: 'digits-randomize: the AAA-GG-SSSS shape stays, no digit does; keeping the last four would keep exactly the part used to verify identity',
  'national-id':
    'hash: an identifier is only useful whole; deterministic and injective, so joins and unique indexes hold',
  passport:
    'hash: an identifier is only useful whole; deterministic and injective, so joins and unique indexes hold',
  'tax-id':
    'hash: an identifier is only useful whole; deterministic and injective, so joins and unique indexes hold',
  'ip-address':
    'hash: nothing of the address is kept, and the same address still links the same rows; a fixed documentation address would still read as an IP address to the drift guard after masking',
  'date-of-birth':
    'date-shift by up to 180 days: ages stay right to half a year; the exact date, which with a postcode singles most people out, is gone',
  'person-name':
    'a name from the bundled dictionaries, chosen by salted hash: realistic and the same in every table',
  address: `fixed ${FIXED_ADDRESS}: any part of an address identifies; a constant that no detector reads as an address`,
  postcode:
    'partial, first 2 kept: the region survives for reports (coarser than HIPAA’s 3-digit ZIP); a full postcode with a birth date singles most people out',
  'free-text':
    'text-scrub: e-mails, phones, card numbers and IBANs inside the text are replaced, the rest stays; names inside free text are not found: review the column',
};

const FIRST_TOKENS = new Set([
  'first',
  'given',
  'fname',
  'forename',
  'firstname',
  'givenname',
  'vorname',
  'prenom',
  'prénom',
  'nombre',
]);
const LAST_TOKENS = new Set([
  'last',
  'family',
  'surname',
  'lname',
  'lastname',
  'familyname',
  'nachname',
  'familienname',
  'apellido',
  'apellidos',
  'nom',
]);

/** `first-name`, `last-name` or `full-name`, by the tokens of the column's name (`given_name`, `Nachname` …). */
export function nameStrategy(column: string): 'first-name' | 'last-name' | 'full-name' {
  const tokens = column
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u);
  if (tokens.some((token) => FIRST_TOKENS.has(token))) return 'first-name';
  if (tokens.some((token) => LAST_TOKENS.has(token))) return 'last-name';
  return 'full-name';
}

/** The strategy for a kind on a text column, by the rules in this file's first comment. */
export function textStrategy(kind: PiiKind, column: string): Strategy {
  switch (kind) {
    case 'email':
      return { strategy: 'email' };
    case 'phone':
    case 'ssn':
      return { strategy: 'digits-randomize' };
    case 'card':
      return { strategy: 'partial', keepLast: 4 };
    case 'iban':
    case 'national-id':
    case 'passport':
    case 'tax-id':
    case 'ip-address':
      return { strategy: 'hash' };
    case 'date-of-birth':
      return { strategy: 'fixed', value: FIXED_DATE_TEXT };
    case 'person-name':
      return { strategy: nameStrategy(column) };
    case 'address':
      return { strategy: 'fixed', value: FIXED_ADDRESS };
    case 'postcode':
      return { strategy: 'partial', keepFirst: 2 };
    case 'free-text':
      return { strategy: 'text-scrub' };
  }
}

const longest = (names: readonly string[]) => Math.max(...names.map((name) => name.length));

/** The most characters a strategy writes, when known in advance (as the pre-flight computes it). */
function writes(strategy: Strategy): number | undefined {
  switch (strategy.strategy) {
    case 'email':
      return 'u_'.length + 16 + '@example.invalid'.length;
    case 'hash':
      return strategy.length ?? 32;
    case 'first-name':
      return longest(FIRST_NAMES);
    case 'last-name':
      return longest(LAST_NAMES);
    case 'full-name':
      return longest(FIRST_NAMES) + 1 + longest(LAST_NAMES);
    case 'fixed':
      return typeof strategy.value === 'string' ? strategy.value.length : undefined;
    default:
      return undefined;
  }
}

const INJECTIVE_WHY = 'hash: the column is under a unique index, and hash keeps distinct values distinct';

/** A hash that fits the column, at least `minimum` long; undefined if the column is too short for one. */
function fittingHash(maxLength: number | null, minimum: number): Strategy | undefined {
  const length = Math.min(32, maxLength ?? 32);
  if (length < minimum) return undefined;
  return length === 32 ? { strategy: 'hash' } : { strategy: 'hash', length };
}

/** When no pseudonym fits: NULL where the column allows it (it never collides in a unique index), else nothing. */
function nullOrNothing(
  column: CatalogColumn | undefined,
  unique: readonly UniqueIndex[],
  because: string,
): { strategy: Strategy | undefined; why: string[] } {
  if (column?.nullable && unique.every((index) => !index.nullsNotDistinct)) {
    return {
      strategy: { strategy: 'null' },
      why: [`null: ${because}; NULL holds nothing and never collides`],
    };
  }
  return { strategy: undefined, why: [`not masked: ${because}`] };
}

const describe = (strategy: Strategy): string => {
  const options = Object.entries(strategy)
    .filter(([key]) => key !== 'strategy')
    .map(([key, value]) => `${key} ${JSON.stringify(value)}`);
  return options.length > 0 ? `${strategy.strategy} (${options.join(', ')})` : strategy.strategy;
};

/** `found as email (score 0.97): email 60/60 sampled values; name token "email"`: counts and rules, no value. */
export function evidenceLine(finding: Finding): string {
  const content = finding.content
    .filter((evidence) => evidence.matched > 0)
    .map((evidence) => `${evidence.detector} ${evidence.matched}/${evidence.sampled} sampled values`);
  const names = finding.name.map((signal) => signal.rule);
  const parts = [...content, ...names];
  return `found as ${finding.kind} (score ${finding.score.toFixed(2)})${parts.length > 0 ? `: ${parts.join('; ')}` : ''}`;
}

interface Draft {
  readonly schema: string;
  readonly table: string;
  readonly column: string;
  readonly kind: PiiKind;
  strategy: Strategy | undefined;
  why: string[];
}

/** Everything that makes a column unmaskable whatever the strategy, or undefined. */
function blockedBecause(
  table: CatalogTable | undefined,
  column: CatalogColumn | undefined,
  names: { schema: string; table: string; column: string },
  defaultSchema: string | undefined,
  known: boolean,
): string | undefined {
  const plain = (name: string) => IDENTIFIER.test(name);
  if (
    !plain(names.table) ||
    !plain(names.column) ||
    (names.schema !== defaultSchema && !plain(names.schema))
  ) {
    return 'not masked: its name is not a plain identifier, which a masking rule cannot name; rename it, or mask it in an sql hook';
  }
  if (!known) return undefined;
  if (table === undefined || column === undefined) return 'not masked: the catalog does not list this column';
  if (table.primaryKey.length === 0) {
    return `not masked: table ${names.schema}.${names.table} has no primary key, which masking needs to verify every row; add one, empty the table with a rule { "table": "…", "truncate": true }, or mask it in an sql hook`;
  }
  if (table.primaryKey.includes(column.name)) {
    return 'not masked: it is part of the primary key, which masking keeps unchanged; if it holds personal data, give the table a surrogate key';
  }
  return undefined;
}

/** The strategy for the column's type and length, with the reasons; undefined strategy with a reason if none fits. */
function chooseStrategy(
  kind: PiiKind,
  column: CatalogColumn | undefined,
  name: string,
  indexes: readonly UniqueIndex[],
): { strategy: Strategy | undefined; why: string[] } {
  const read = column === undefined ? 'text' : 'sampled' in column.read ? column.read.sampled : undefined;
  const unique = indexes.filter((index) => index.columns.includes(name));
  if (read === 'date') {
    return unique.length > 0
      ? {
          strategy: undefined,
          why: ['not masked: a date under a unique index; no date strategy keeps dates distinct'],
        }
      : { strategy: { strategy: 'date-shift', maxDays: 180 }, why: [WHY['date-of-birth']] };
  }
  if (read !== 'text') {
    if (column?.nullable && unique.every((index) => !index.nullsNotDistinct)) {
      return {
        strategy: { strategy: 'null' },
        why: [
          `null: the column is a ${column.dataType}, and no strategy writes a fitting pseudonym into a number`,
        ],
      };
    }
    return {
      strategy: undefined,
      why: [
        `not masked: the column is a ${column?.dataType ?? 'number'} NOT NULL, and no strategy writes a fitting pseudonym into it; mask it in an sql hook`,
      ],
    };
  }
  let strategy = textStrategy(kind, name);
  const why = [kind === 'person-name' ? `${strategy.strategy}: ${WHY[kind]}` : WHY[kind]];
  if (kind === 'date-of-birth')
    why[0] = `fixed ${FIXED_DATE_TEXT}: a birth date kept as text, which date-shift cannot move`;
  const maxLength = column?.maxLength ?? null;
  const length = writes(strategy);
  if (length !== undefined && maxLength !== null && length > maxLength) {
    const hash = fittingHash(maxLength, unique.length > 0 ? MIN_UNIQUE_HASH_LENGTH : 8);
    if (hash === undefined) {
      return nullOrNothing(
        column,
        unique,
        `${strategy.strategy} writes up to ${length} characters and the column holds ${maxLength}`,
      );
    }
    why.push(
      `${describe(hash)} instead: ${strategy.strategy} writes up to ${length} characters, the column holds ${maxLength}`,
    );
    strategy = hash;
  }
  for (const index of unique) {
    const verdict = uniqueVerdict(strategy, name, index, indexes);
    if (verdict.kind !== 'refused') continue;
    const hash = fittingHash(maxLength, MIN_UNIQUE_HASH_LENGTH);
    if (hash === undefined) {
      return nullOrNothing(
        column,
        unique,
        `unique index ${index.name} needs distinct values, and the column is too short for a ${MIN_UNIQUE_HASH_LENGTH}-character hash`,
      );
    }
    why.push(`${INJECTIVE_WHY} (${index.name}; ${strategy.strategy} could give two rows one value)`);
    strategy = hash;
  }
  return { strategy, why };
}

const same = (a: Strategy, b: Strategy) => JSON.stringify(a) === JSON.stringify(b);

/** One deterministic strategy both sides of a foreign key can take, or undefined. */
function joinedStrategy(
  a: Strategy | undefined,
  b: Strategy | undefined,
  lengths: readonly (number | null)[],
): Strategy | undefined {
  if (a && b && same(a, b) && (a.strategy === 'email' || a.strategy === 'hash')) return a;
  const shortest = Math.min(...lengths.map((length) => length ?? 32));
  if (
    (a?.strategy === 'email' || b?.strategy === 'email') &&
    shortest >= (writes({ strategy: 'email' }) ?? 0)
  ) {
    return { strategy: 'email' };
  }
  // The referenced side is unique (a key): the hash must be long enough not to collide.
  return fittingHash(shortest, MIN_UNIQUE_HASH_LENGTH);
}

/**
 * A starting masking configuration for the findings. `context` (the catalog, unique indexes, foreign keys)
 * makes the strategies fit the columns; without it every column is taken for unconstrained text and every table
 * is named `schema.table`.
 */
export function suggestMaskingRules(
  findings: readonly Finding[],
  context: SuggestContext = {},
): MaskingSuggestion {
  const defaultSchema =
    context.dialect === undefined ? undefined : context.dialect === 'postgres' ? 'public' : context.database;
  const known = context.tables !== undefined;
  const tables = new Map((context.tables ?? []).map((table) => [tableKey(table.schema, table.table), table]));
  const lookup = (schema: string, table: string, column: string) => {
    const found = tables.get(tableKey(schema, table));
    return { table: found, column: found?.columns.find((candidate) => candidate.name === column) };
  };
  const indexesOf = (schema: string, table: string) =>
    context.uniqueIndexes?.get(tableKey(schema, table)) ?? [];

  const drafts = new Map<string, Draft>();
  const draftFor = (schema: string, table: string, column: string, kind: PiiKind, why: string[]): Draft => {
    const catalog = lookup(schema, table, column);
    const blocked = blockedBecause(
      catalog.table,
      catalog.column,
      { schema, table, column },
      defaultSchema,
      known,
    );
    const chosen = blocked
      ? { strategy: undefined, why: [blocked] }
      : chooseStrategy(kind, catalog.column, column, indexesOf(schema, table));
    return { schema, table, column, kind, strategy: chosen.strategy, why: [...why, ...chosen.why] };
  };
  for (const finding of findings) {
    const { schema, table, column } = finding;
    drafts.set(
      columnKey(schema, table, column),
      draftFor(schema, table, column, finding.kind, [evidenceLine(finding)]),
    );
  }

  // Foreign keys: both sides of a pair masked with one deterministic strategy, or neither. A pass can bring in
  // a column (the referencing side of a masked key), which another key may join in turn: repeat until settled.
  const label = (draft: { schema: string; table: string; column: string }) =>
    `${draft.schema}.${draft.table}.${draft.column}`;
  for (let pass = 0; pass < 8; pass++) {
    let changed = false;
    for (const key of context.foreignKeys ?? []) {
      key.from.columns.forEach((fromColumn, index) => {
        const toColumn = key.to.columns[index];
        if (toColumn === undefined) return;
        const ends = [
          { schema: key.from.schema, table: key.from.table, column: fromColumn },
          { schema: key.to.schema, table: key.to.table, column: toColumn },
        ] as const;
        const [from, to] = ends.map((end) => drafts.get(columnKey(end.schema, end.table, end.column)));
        if (!from?.strategy && !to?.strategy) return;
        const masked = (from?.strategy ? from : to) as Draft;
        const brought = ends.map((end, side) => {
          const existing = side === 0 ? from : to;
          if (existing) return existing;
          const draft = draftFor(end.schema, end.table, end.column, masked.kind, [
            `holds the values of ${label(masked)} through foreign key ${key.name}, so it is masked alike`,
          ]);
          drafts.set(columnKey(end.schema, end.table, end.column), draft);
          changed = true;
          return draft;
        }) as [Draft, Draft];
        const [a, b] = brought;
        const unmask = (drafts: readonly Draft[], why: string) => {
          for (const draft of drafts) {
            if (draft.strategy === undefined) continue;
            draft.strategy = undefined;
            draft.why = [...draft.why, why];
            changed = true;
          }
        };
        const blocked = brought.find((draft) => draft.strategy === undefined);
        if (blocked) {
          unmask(
            [blocked === a ? b : a],
            `not masked: joined by foreign key ${key.name} to ${label(blocked)}, which is not masked; masking one side would break the references`,
          );
          return;
        }
        const lengths = brought.map(
          (draft) => lookup(draft.schema, draft.table, draft.column).column?.maxLength ?? null,
        );
        const joined = joinedStrategy(a.strategy, b.strategy, lengths);
        if (joined === undefined) {
          unmask(
            brought,
            `not masked: foreign key ${key.name} needs one deterministic strategy on both sides, and no hash fits both columns`,
          );
          return;
        }
        const verdict = foreignKeyVerdict(
          key,
          label(a),
          label(b),
          joined,
          joined,
          context.dialect ?? 'postgres',
        );
        if (verdict.kind === 'refused') {
          unmask(brought, `not masked: ${verdict.why}`);
          return;
        }
        for (const draft of brought) {
          if (draft.strategy && same(draft.strategy, joined)) continue;
          draft.strategy = joined;
          draft.why = [
            ...draft.why,
            `${describe(joined)}: joined by foreign key ${key.name} (${label(a)} → ${label(b)}), so both sides are masked with one deterministic strategy and the references hold`,
          ];
          changed = true;
        }
      });
    }
    if (!changed) break;
  }

  const ordered = [...drafts.values()].sort((x, y) =>
    label(x) < label(y) ? -1 : label(x) > label(y) ? 1 : 0,
  );
  const byTable = new Map<string, { table: string; columns: Record<string, Strategy> }>();
  for (const draft of ordered) {
    if (draft.strategy === undefined) continue;
    const id = tableKey(draft.schema, draft.table);
    const entry = byTable.get(id) ?? {
      table: draft.schema === defaultSchema ? draft.table : `${draft.schema}.${draft.table}`,
      columns: {},
    };
    entry.columns[draft.column] = draft.strategy;
    byTable.set(id, entry);
  }
  return {
    rules: [...byTable.values()],
    reasons: ordered.map((draft) => ({
      column: label(draft),
      kind: draft.kind,
      strategy: draft.strategy,
      why: draft.why,
    })),
  };
}
