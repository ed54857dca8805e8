// Why this file exists: discovery is only as good as its precision and recall, and those can only be measured
// against columns whose truth is known. This is a small shop's database, on PostgreSQL and on MariaDB alike,
// with every column labelled: true personal data of each kind discovery looks for (e-mails, phones in E.164 and
// national formats, card numbers with a valid Luhn digit and a real IIN, IBANs with valid mod-97 check digits,
// US SSNs, IPv4 and IPv6 addresses, birth dates under `birth_date` and `geburtsdatum`, names, addresses,
// postcodes, passports, tax ids, national ids, free-text notes quoting e-mails and phones), beside look-alikes
// that are not personal data (order numbers that pass Luhn by chance, product codes, SHA-256 hashes, UUIDs,
// created_at timestamps, hire dates, prices, quantities, version strings, and `u_…@example.invalid` pseudonyms
// copied from an already-masked column), and columns of types discovery does not read (JSON, binary), labelled
// as skipped. Values come from a seeded generator: the same database on every run and on both engines.
// Constraints are those a suggested configuration must respect: a unique e-mail and a unique SSN, a foreign key
// from tickets to customers by e-mail (DEFERRABLE on PostgreSQL), and a table without a primary key.
import { createHash } from 'node:crypto';
import type { Dialect, TargetDatabase } from '#shared/database/target';
import type { SkipReason } from '#shared/discovery/sample';
import type { PiiKind } from '#shared/discovery/types';
import { ibanOf, luhnCompleted, SeededRandom } from './seeded-values.ts';
import { insertRows } from './table-rows.ts';

/** What a column truly holds: a kind of personal data, nothing personal, or a type discovery does not read. */
export type ColumnLabel = PiiKind | 'none' | { readonly skipped: SkipReason };

type Value = string | number | null;

interface ColumnSpec {
  readonly name: string;
  readonly type: Readonly<Record<Dialect, string>>;
  readonly label: ColumnLabel;
  readonly value: (row: number, random: SeededRandom) => Value;
}

interface TableSpec {
  readonly name: string;
  readonly rows: number;
  readonly columns: readonly ColumnSpec[];
  /** Constraints after the columns, per dialect. */
  readonly constraints?: Readonly<Record<Dialect, readonly string[]>>;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A card number with a real issuer prefix (Visa, Mastercard, Amex) and a valid Luhn digit, sometimes grouped. */
function cardNumber(random: SeededRandom): string {
  const brand = random.pick(['visa', 'mastercard', 'amex'] as const);
  const prefix =
    brand === 'visa' ? '4' : brand === 'mastercard' ? String(random.int(51, 55)) : random.pick(['34', '37']);
  const length = brand === 'amex' ? 15 : 16;
  const body = prefix + random.digits(length - prefix.length - 1);
  const number = luhnCompleted(body);
  const style = random.int(0, 2);
  if (style === 0 || brand === 'amex') return number;
  const groups = number.match(/.{4}/g) ?? [number];
  return groups.join(style === 1 ? ' ' : '-');
}

/** An IBAN whose check digits are valid (mod 97 = 1), in electronic or print form. */
function iban(random: SeededRandom): string {
  const country = random.pick(['DE', 'GB', 'FR', 'NL'] as const);
  const letters = (n: number) =>
    Array.from({ length: n }, () => String.fromCharCode(65 + random.int(0, 25))).join('');
  const bban =
    country === 'DE'
      ? random.digits(18)
      : country === 'GB'
        ? letters(4) + random.digits(14)
        : country === 'FR'
          ? `${random.digits(10)}${random.digits(11)}${random.digits(2)}`
          : letters(4) + random.digits(10);
  const electronic = ibanOf(country, bban);
  return random.int(0, 1) === 0 ? electronic : (electronic.match(/.{1,4}/g) ?? []).join(' ');
}

/** A US SSN in AAA-GG-SSSS form, outside the ranges never issued (000, 666, 9xx; group 00; serial 0000). */
function ssn(random: SeededRandom): string {
  let area = random.int(1, 899);
  if (area === 666) area = 667;
  return `${pad(area, 3)}-${pad(random.int(1, 99), 2)}-${pad(random.int(1, 9999), 4)}`;
}

const FIRST_NAMES = [
  'Anna',
  'Lukas',
  'Maria',
  'James',
  'Sofia',
  'Mohammed',
  'Emma',
  'Noah',
  'Olivia',
  'Mateo',
  'Hannah',
  'Jonas',
  'Chloé',
  'Liam',
  'Yuki',
  'Fatima',
  'Oliver',
  'Leonie',
  'Giulia',
  'Ethan',
];
const LAST_NAMES = [
  'Müller',
  'Schmidt',
  'Garcia',
  'Smith',
  'Rossi',
  'Nguyen',
  'Kowalski',
  'Johnson',
  'Dubois',
  'Fischer',
  'Tanaka',
  'Brown',
  'Weber',
  'Martin',
  'Silva',
  'Jansen',
  'Wagner',
  'Khan',
  'Novak',
  'Lopez',
];
const STREETS = [
  'Baker Street',
  'Hauptstraße',
  'Rue de Rivoli',
  'Main Street',
  'Kastanienallee',
  'Via Roma',
  'Elm Avenue',
  'Calle Mayor',
  'Bahnhofstraße',
  'Oak Lane',
];
const DOMAINS = ['gmail.com', 'web.de', 'outlook.com', 'yahoo.co.uk', 'shop-kunde.de', 'proton.me'];

const nameOf = (row: number) => ({
  first: FIRST_NAMES[row % FIRST_NAMES.length] as string,
  last: LAST_NAMES[(row * 7 + 3) % LAST_NAMES.length] as string,
});

/** A customer's e-mail: unique per row (the row number is part of it), all lower case. */
function customerEmail(row: number): string {
  const { first, last } = nameOf(row);
  const ascii = (text: string) =>
    text
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase();
  return `${ascii(first)}.${ascii(last)}${row}@${DOMAINS[row % DOMAINS.length]}`;
}

/** An international number, as each country writes its mobiles: `+49 151 23456789`, sometimes without spaces. */
function e164(random: SeededRandom): string {
  const number = random.pick([
    () => `+49 151 ${random.digits(8)}`,
    () => `+44 7700 ${random.digits(6)}`,
    () => `+1 ${random.int(201, 989)} ${random.digits(3)} ${random.digits(4)}`,
    () => `+33 6 ${random.digits(2)} ${random.digits(2)} ${random.digits(2)} ${random.digits(2)}`,
    () => `+31 6 ${random.digits(8)}`,
  ])();
  return random.int(0, 1) === 0 ? number.replace(/ /g, '') : number;
}

function nationalPhone(random: SeededRandom): string {
  return random.pick([
    () => `030 ${random.digits(8)}`,
    () => `(${random.int(201, 989)}) ${random.digits(3)}-${random.digits(4)}`,
    () => `0151 ${random.digits(8)}`,
    () => `07700 ${random.digits(6)}`,
    () => `06 ${random.digits(2)} ${random.digits(2)} ${random.digits(2)} ${random.digits(2)}`,
  ])();
}

function address(random: SeededRandom): string {
  const street = random.pick(STREETS);
  const number = random.int(1, 240);
  return street.endsWith('straße') || street.endsWith('allee') || street.startsWith('Via')
    ? `${street} ${number}`
    : `${number} ${street}`;
}

function postcode(random: SeededRandom): string {
  return random.pick([
    () => random.digits(5),
    () =>
      `SW${random.int(1, 20)} ${random.int(1, 9)}${String.fromCharCode(65 + random.int(0, 25))}${String.fromCharCode(65 + random.int(0, 25))}`,
    () => `${random.int(10, 99)}${random.digits(3)}`,
    () =>
      `${random.int(1000, 9999)} ${String.fromCharCode(65 + random.int(0, 25))}${String.fromCharCode(65 + random.int(0, 25))}`,
  ])();
}

function ipv4(random: SeededRandom): string {
  return `${random.int(11, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
}

function ipv6(random: SeededRandom): string {
  const groups = Array.from({ length: 8 }, (_, i) =>
    i === 0 ? '2a02' : random.hex(4).replace(/^0+(?=.)/, ''),
  );
  const text = groups.join(':');
  // Some in the compressed form, a run of zero groups written as ::.
  return random.int(0, 2) === 0 ? `${groups.slice(0, 3).join(':')}::${groups.slice(6).join(':')}` : text;
}

const day = (year: number, random: SeededRandom) =>
  `${year}-${pad(random.int(1, 12), 2)}-${pad(random.int(1, 28), 2)}`;
const timestamp = (random: SeededRandom) =>
  `${day(random.int(2023, 2025), random)} ${pad(random.int(0, 23), 2)}:${pad(random.int(0, 59), 2)}:${pad(random.int(0, 59), 2)}`;

const PASSPORT_LETTERS = 'CFGHJKLMNPRTVWXYZ';
/** A German passport number: a letter of C F G H J K, then eight digits or letters, mostly digits. */
function passport(random: SeededRandom): string {
  const body = Array.from({ length: 8 }, () =>
    random.int(0, 2) === 0 ? random.pick([...PASSPORT_LETTERS]) : String(random.int(0, 9)),
  );
  return `${random.pick(['C', 'F', 'G', 'H', 'J', 'K'])}${body.join('')}`;
}

/** A UK National Insurance number (two prefix letters, six digits, suffix A-D). */
function nino(random: SeededRandom): string {
  const first = random.pick([...'ABCEGHJKLMNPRSTWXYZ']);
  const second = random.pick([...'ABCEGHJKLMNPRSTWXYZ']);
  return `${first}${second}${random.digits(6)}${random.pick(['A', 'B', 'C', 'D'])}`;
}

/** A US employer identification number (EIN): a valid campus prefix, a dash, seven digits. */
function ein(random: SeededRandom): string {
  return `${random.pick(['10', '12', '20', '27', '35', '46', '52', '61', '74', '83', '94'])}-${random.digits(7)}`;
}

function uuid(random: SeededRandom): string {
  const hex = random.hex(32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[random.int(0, 3)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const SUBJECTS = [
  'Invoice question',
  'Delivery delayed',
  'Refund for order',
  'Login problem',
  'Wrong size delivered',
  'Cancel subscription',
];
const PLAIN_NOTES = [
  'Customer asked about the return policy; explained the 30 day window.',
  'Parcel reported damaged, replacement sent.',
  'Password reset link resent, issue solved.',
  'Asked for a paper invoice; forwarded to billing.',
];

function ticketNote(row: number, random: SeededRandom): string {
  switch (row % 4) {
    case 0:
      return `Please reach me at ${customerEmail(row * 3)} after 5pm.`;
    case 1:
      return `Called back on ${e164(random)}, left a voicemail.`;
    default:
      return random.pick(PLAIN_NOTES);
  }
}

const CUSTOMERS = 60;

const text = (postgres: string, mysql = postgres) => ({ postgres, mysql });

/** The shop's tables, every column labelled with what it truly holds. */
export const PII_TABLES: readonly TableSpec[] = [
  {
    name: 'customers',
    rows: CUSTOMERS,
    constraints: {
      postgres: ['PRIMARY KEY (id)', 'CONSTRAINT customers_email_key UNIQUE (email)'],
      mysql: ['PRIMARY KEY (id)', 'CONSTRAINT customers_email_key UNIQUE (email)'],
    },
    columns: [
      { name: 'id', type: text('integer NOT NULL'), label: 'none', value: (row) => row + 1 },
      { name: 'email', type: text('varchar(120) NOT NULL'), label: 'email', value: customerEmail },
      {
        name: 'first_name',
        type: text('varchar(60)'),
        label: 'person-name',
        value: (row) => nameOf(row).first,
      },
      {
        name: 'last_name',
        type: text('varchar(60)'),
        label: 'person-name',
        value: (row) => nameOf(row).last,
      },
      { name: 'phone', type: text('varchar(32)'), label: 'phone', value: (_, random) => e164(random) },
      {
        name: 'mobile',
        type: text('varchar(32)'),
        label: 'phone',
        value: (_, random) => nationalPhone(random),
      },
      {
        name: 'birth_date',
        type: text('date'),
        label: 'date-of-birth',
        value: (_, random) => day(random.int(1940, 2005), random),
      },
      { name: 'street', type: text('varchar(120)'), label: 'address', value: (_, random) => address(random) },
      {
        name: 'postcode',
        type: text('varchar(12)'),
        label: 'postcode',
        value: (_, random) => postcode(random),
      },
      {
        name: 'last_login_ip',
        type: text('varchar(45)'),
        label: 'ip-address',
        value: (_, random) => ipv4(random),
      },
      {
        name: 'created_at',
        type: text('timestamp', 'datetime'),
        label: 'none',
        value: (_, random) => timestamp(random),
      },
      {
        // Copied from a column masked before (the `email` strategy's output): not personal data any more.
        name: 'subscriber_key',
        type: text('varchar(60)'),
        label: 'none',
        value: (_, random) => `u_${random.hex(16)}@example.invalid`,
      },
      {
        // Personal data under a name that says nothing: found by content or not at all.
        name: 'contact',
        type: text('varchar(120)'),
        label: 'email',
        value: (row) => customerEmail(row + 200),
      },
      {
        // A name that says e-mail over a timestamp.
        name: 'email_verified_at',
        type: text('timestamp', 'datetime'),
        label: 'none',
        value: (_, random) => timestamp(random),
      },
    ],
  },
  {
    name: 'payments',
    rows: 80,
    constraints: {
      postgres: ['PRIMARY KEY (id)', 'FOREIGN KEY (customer_id) REFERENCES customers (id)'],
      mysql: ['PRIMARY KEY (id)', 'FOREIGN KEY (customer_id) REFERENCES customers (id)'],
    },
    columns: [
      { name: 'id', type: text('integer NOT NULL'), label: 'none', value: (row) => row + 1 },
      {
        name: 'customer_id',
        type: text('integer'),
        label: 'none',
        value: (row) => (row % CUSTOMERS) + 1,
      },
      {
        name: 'card_number',
        type: text('varchar(19)'),
        label: 'card',
        value: (_, random) => cardNumber(random),
      },
      { name: 'iban', type: text('varchar(34)'), label: 'iban', value: (_, random) => iban(random) },
      {
        name: 'payer_account',
        type: text('varchar(40)'),
        label: 'iban',
        value: (_, random) => iban(random),
      },
      {
        // A name that says card over a SHA-256 hex digest.
        name: 'card_fingerprint',
        type: text('char(64)'),
        label: 'none',
        value: (row) => createHash('sha256').update(`card-${row}`).digest('hex'),
      },
      {
        // Sequential 12-digit numbers: about one in ten passes the Luhn check by chance.
        name: 'order_number',
        type: text('varchar(20)'),
        label: 'none',
        value: (row) => String(700_000_120_000 + row * 7),
      },
      {
        name: 'amount',
        type: text('numeric(10,2)', 'decimal(10,2)'),
        label: 'none',
        value: (_, random) => `${random.int(1, 900)}.${pad(random.int(0, 99), 2)}`,
      },
      { name: 'quantity', type: text('integer'), label: 'none', value: (_, random) => random.int(1, 20) },
      {
        name: 'paid_at',
        type: text('timestamp', 'datetime'),
        label: 'none',
        value: (_, random) => timestamp(random),
      },
      {
        name: 'product_code',
        type: text('varchar(20)'),
        label: 'none',
        value: (_, random) => `SKU-${random.digits(5)}-${random.pick(['BL', 'RD', 'GR', 'XL'])}`,
      },
      {
        name: 'app_version',
        type: text('varchar(16)'),
        label: 'none',
        value: (_, random) => `${random.int(1, 4)}.${random.int(0, 20)}.${random.int(0, 9)}`,
      },
    ],
  },
  {
    name: 'employees',
    rows: 40,
    constraints: {
      postgres: ['PRIMARY KEY (id)', 'CONSTRAINT employees_ssn_key UNIQUE (ssn)'],
      mysql: ['PRIMARY KEY (id)', 'CONSTRAINT employees_ssn_key UNIQUE (ssn)'],
    },
    columns: [
      { name: 'id', type: text('integer NOT NULL'), label: 'none', value: (row) => row + 1 },
      {
        name: 'full_name',
        type: text('varchar(120)'),
        label: 'person-name',
        value: (row) => `${nameOf(row + 5).first} ${nameOf(row + 11).last}`,
      },
      // Row-numbered serials keep the unique SSNs distinct.
      {
        name: 'ssn',
        type: text('varchar(11)'),
        label: 'ssn',
        value: (row, random) => `${ssn(random).slice(0, 7)}${pad(1000 + row, 4)}`,
      },
      { name: 'tax_id', type: text('varchar(12)'), label: 'tax-id', value: (_, random) => ein(random) },
      {
        name: 'passport_no',
        type: text('varchar(12)'),
        label: 'passport',
        value: (_, random) => passport(random),
      },
      {
        name: 'national_id',
        type: text('varchar(12)'),
        label: 'national-id',
        value: (_, random) => nino(random),
      },
      {
        name: 'geburtsdatum',
        type: text('date'),
        label: 'date-of-birth',
        value: (_, random) => day(random.int(1955, 2003), random),
      },
      {
        name: 'hired_on',
        type: text('date'),
        label: 'none',
        value: (_, random) => day(random.int(2008, 2025), random),
      },
      {
        name: 'home_address',
        type: text('varchar(160)'),
        label: 'address',
        value: (_, random) => `${address(random)}, ${postcode(random)}`,
      },
      {
        name: 'salary',
        type: text('numeric(10,2)', 'decimal(10,2)'),
        label: 'none',
        value: (_, random) => `${random.int(32, 140)}000.00`,
      },
      {
        name: 'workstation_ip',
        type: text('varchar(45)'),
        label: 'ip-address',
        value: (_, random) => ipv6(random),
      },
      {
        name: 'badge_uuid',
        type: text('uuid', 'char(36)'),
        label: 'none',
        value: (_, random) => uuid(random),
      },
    ],
  },
  {
    name: 'support_tickets',
    rows: 50,
    constraints: {
      postgres: [
        'PRIMARY KEY (id)',
        'CONSTRAINT tickets_customer_fk FOREIGN KEY (customer_email) REFERENCES customers (email) DEFERRABLE',
      ],
      mysql: [
        'PRIMARY KEY (id)',
        'CONSTRAINT tickets_customer_fk FOREIGN KEY (customer_email) REFERENCES customers (email)',
      ],
    },
    columns: [
      { name: 'id', type: text('integer NOT NULL'), label: 'none', value: (row) => row + 1 },
      {
        name: 'customer_email',
        type: text('varchar(120)'),
        label: 'email',
        value: (row) => customerEmail((row * 7) % CUSTOMERS),
      },
      {
        name: 'subject',
        type: text('varchar(80)'),
        label: 'none',
        value: (_, random) => random.pick(SUBJECTS),
      },
      { name: 'notes', type: text('text'), label: 'free-text', value: ticketNote },
      {
        name: 'attachment_sha256',
        type: text('char(64)'),
        label: 'none',
        value: (row) => createHash('sha256').update(`attachment-${row}`).digest('hex'),
      },
      {
        name: 'request_id',
        type: text('uuid', 'char(36)'),
        label: 'none',
        value: (_, random) => uuid(random),
      },
      {
        // JSON holding an e-mail: discovery does not read JSON, and says so.
        name: 'payload',
        type: text('jsonb', 'json'),
        label: { skipped: 'json' },
        value: (row) => JSON.stringify({ channel: 'web', replyTo: customerEmail(row) }),
      },
      {
        name: 'attachment',
        type: text('bytea', 'blob'),
        label: { skipped: 'binary' },
        value: () => null,
      },
      {
        name: 'created_at',
        type: text('timestamp', 'datetime'),
        label: 'none',
        value: (_, random) => timestamp(random),
      },
    ],
  },
  {
    // No primary key: read with a plain LIMIT on MySQL, and no masking rule can be suggested for it.
    name: 'audit_log',
    rows: 30,
    columns: [
      {
        name: 'event',
        type: text('varchar(40)'),
        label: 'none',
        value: (_, random) => random.pick(['login', 'logout', 'password-change']),
      },
      {
        name: 'actor_ip',
        type: text('varchar(45)'),
        label: 'ip-address',
        value: (_, random) => ipv4(random),
      },
      { name: 'origin', type: text('varchar(45)'), label: 'ip-address', value: (_, random) => ipv4(random) },
      {
        name: 'happened_at',
        type: text('timestamp', 'datetime'),
        label: 'none',
        value: (_, random) => timestamp(random),
      },
    ],
  },
];

/** `schema.table.column` → label, for the schema the tables live in. */
export function piiLabels(schema: string): Map<string, ColumnLabel> {
  return new Map(
    PII_TABLES.flatMap((table) =>
      table.columns.map((column) => [`${schema}.${table.name}.${column.name}`, column.label] as const),
    ),
  );
}

/** The generated rows, table by table: the same on every call. */
export function piiRows(): Map<string, Record<string, Value>[]> {
  const random = new SeededRandom(20261201);
  return new Map(
    PII_TABLES.map((table) => [
      table.name,
      Array.from({ length: table.rows }, (_, row) =>
        Object.fromEntries(table.columns.map((column) => [column.name, column.value(row, random)])),
      ),
    ]),
  );
}

/**
 * Every seeded value that must never be printed: each value of a column labelled as personal data (or skipped:
 * the JSON holds e-mails), the e-mails and phones quoted inside the notes, and each look-alike long enough that
 * it could only have been copied from the data. Values of digits only shorter than 7 (5-digit postcodes) are
 * left out: counts and durations are printed, and would match them by chance.
 */
export function piiSecrets(): string[] {
  const rows = piiRows();
  const secrets = new Set<string>();
  const add = (value: string) => {
    if (!(/^\d+$/.test(value) && value.length < 7)) secrets.add(value);
  };
  for (const table of PII_TABLES) {
    for (const column of table.columns) {
      const personal = column.label !== 'none';
      for (const row of rows.get(table.name) ?? []) {
        const value = row[column.name];
        if (typeof value !== 'string') continue;
        if (personal && value.length >= 4) add(value);
        else if (value.length >= 10) add(value);
        for (const quoted of value.match(/[^\s"]+@[^\s",]+|\+?\d[\d ]{6,}\d/g) ?? []) add(quoted);
      }
    }
  }
  return [...secrets];
}

/** Drops and creates the shop's tables in the connection's database (PostgreSQL: public), and seeds them. */
export async function createPiiSchema(db: TargetDatabase): Promise<void> {
  for (const table of [...PII_TABLES].reverse()) await db.query(`DROP TABLE IF EXISTS ${table.name}`);
  const rows = piiRows();
  for (const table of PII_TABLES) {
    const columns = table.columns.map((column) => `${column.name} ${column.type[db.dialect]}`);
    const constraints = table.constraints?.[db.dialect] ?? [];
    await db.query(`CREATE TABLE ${table.name} (${[...columns, ...constraints].join(', ')})`);
    await insertRows(db, db.dialect, table.name, rows.get(table.name) ?? []);
  }
}

/** Precision and recall of one kind (or of all, `overall`), against the labels. */
export interface KindScore {
  readonly kind: PiiKind | 'overall';
  /** Columns labelled with the kind. */
  readonly labelled: number;
  /** Columns reported as the kind. */
  readonly found: number;
  /** Reported as the kind and labelled with it. */
  readonly correct: number;
  readonly precision: number;
  readonly recall: number;
}

export interface Measurement {
  readonly perKind: readonly KindScore[];
  readonly overall: KindScore;
  /** Columns reported as a kind they are not labelled with (`none` included): what lowers precision. */
  readonly falsePositives: readonly string[];
  /** Labelled columns not reported as their kind: what lowers recall. */
  readonly missed: readonly string[];
}

/**
 * Scores findings against the labels: a finding counts only when its kind is the column's label. Columns
 * labelled as skipped are left out (discovery does not read them, and says so elsewhere); a finding on a column
 * without a label counts as a false positive.
 */
export function measureFindings(
  findings: readonly { schema: string; table: string; column: string; kind: PiiKind }[],
  labels: ReadonlyMap<string, ColumnLabel>,
): Measurement {
  const found = new Map(
    findings.map((finding) => [`${finding.schema}.${finding.table}.${finding.column}`, finding.kind]),
  );
  const truth = new Map<string, PiiKind | 'none'>();
  for (const [column, label] of labels) if (typeof label === 'string') truth.set(column, label);
  for (const column of found.keys()) if (!labels.has(column)) truth.set(column, 'none');
  const kinds = [...new Set([...truth.values(), ...found.values()])].filter((kind) => kind !== 'none').sort();
  const score = (
    kind: PiiKind | 'overall',
    labelled: number,
    reported: number,
    correct: number,
  ): KindScore => ({
    kind,
    labelled,
    found: reported,
    correct,
    precision: reported === 0 ? 1 : correct / reported,
    recall: labelled === 0 ? 1 : correct / labelled,
  });
  const perKind = kinds.map((kind) => {
    const labelled = [...truth.values()].filter((label) => label === kind).length;
    const reported = [...found.values()].filter((reportedKind) => reportedKind === kind).length;
    const correct = [...found].filter(
      ([column, reportedKind]) => reportedKind === kind && truth.get(column) === kind,
    ).length;
    return score(kind as PiiKind, labelled, reported, correct);
  });
  const sum = (pick: (score: KindScore) => number) =>
    perKind.reduce((total, entry) => total + pick(entry), 0);
  return {
    perKind,
    overall: score(
      'overall',
      sum((entry) => entry.labelled),
      sum((entry) => entry.found),
      sum((entry) => entry.correct),
    ),
    falsePositives: [...found]
      .filter(([column, kind]) => truth.get(column) !== kind)
      .map(([column, kind]) => `${column} (reported ${kind}, is ${truth.get(column)})`),
    missed: [...truth]
      .filter(([column, label]) => label !== 'none' && found.get(column) !== label)
      .map(([column, label]) => `${column} (is ${label}, reported ${found.get(column) ?? 'nothing'})`),
  };
}

/** The measurement as a table, for the test log. */
export function formatMeasurement(title: string, measurement: Measurement): string {
  const row = (score: KindScore) =>
    `  ${score.kind.padEnd(14)} ${String(score.labelled).padStart(8)} ${String(score.found).padStart(6)} ${String(score.correct).padStart(8)} ${score.precision.toFixed(2).padStart(10)} ${score.recall.toFixed(2).padStart(7)}`;
  return [
    title,
    `  ${'kind'.padEnd(14)} ${'labelled'.padStart(8)} ${'found'.padStart(6)} ${'correct'.padStart(8)} ${'precision'.padStart(10)} ${'recall'.padStart(7)}`,
    ...measurement.perKind.map(row),
    row(measurement.overall),
    ...(measurement.falsePositives.length > 0
      ? [`  false positives: ${measurement.falsePositives.join(', ')}`]
      : []),
    ...(measurement.missed.length > 0 ? [`  missed: ${measurement.missed.join(', ')}`] : []),
  ].join('\n');
}
