// A labelled corpus for the scorer: columns of every PII kind as real schemas spell and fill them, in several
// languages, with and without a telling name, and the look-alikes that sit beside them (order numbers passing
// Luhn, product codes, barcodes, hashes, UUIDs, timestamps, versions, prices, ISBNs, pseudonyms). Values come
// from a seeded generator, so every run scores the same ~3000 values; the corpus test turns the verdicts into
// precision and recall per kind.
import type { ColumnSample, PiiKind } from '#shared/discovery/types';
import { ibanOf, luhnCompleted, SeededRandom } from '../../support/seeded-values.ts';

export interface LabelledColumn {
  readonly sample: ColumnSample;
  /** The kind a reviewer would file the column under; undefined for a column holding no personal data. */
  readonly expected: PiiKind | undefined;
}

const list = (words: string) => words.split(',').map((word) => word.trim());
const pad = (value: number, width = 2) => String(value).padStart(width, '0');

const FIRST_NAMES = list(
  'Ada, Grace, Alan, Linus, Margaret, Jürgen, Søren, Zoë, Ana, Luis, Marie, Pierre, Giulia, João, Fatima, Wei, ' +
    'Aiko, Olusegun, Siobhan, Bjørn',
);
const LAST_NAMES = list(
  'Lovelace, Hopper, Turing, Torvalds, Hamilton, Müller, Kierkegaard, Núñez, García, Dubois, Rossi, Silva, Okafor, ' +
    "Nguyen, O'Brien, van der Berg, Schmidt, Kowalski, Tanaka, Murphy",
);
const DOMAINS = list('example.com, example.org, mail.example.de, sub.example.co.uk, beispiel.example');
const STREETS = list('Baker Street, Main Street, Elm Avenue, Rue de Rivoli, Calle Mayor, Station Road');
const GERMAN_STREETS = list('Hauptstraße, Bahnhofstraße, Gartenweg, Lindenallee, Schillerstraße');
const NOTES = [
  'Customer called about a late delivery, resolved',
  'Asked for an invoice copy, sent by post',
  'Prefers contact in the morning',
  'Complained about packaging, offered a voucher',
  'Order arrived damaged on 2024-03-14, replacement shipped',
  'Wants to upgrade to the premium plan next month',
  'No answer at 10:30, will try again',
  'Returned item SKU-4111-1111, refund of 19.99 issued',
];

const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';
const toArabicIndic = (text: string) =>
  text.replace(/[0-9]/g, (digit) => ARABIC_INDIC[Number(digit)] ?? digit);

/** An EAN-13 with its real check digit (weights 1 and 3), which is not a Luhn check. */
function eanCompleted(body: string): string {
  const sum = [...body].reduce((total, char, index) => total + Number(char) * (index % 2 === 0 ? 1 : 3), 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

const printed = (compact: string) => compact.replace(/(.{4})(?=.)/g, '$1 ');
const printedCard = (card: string) =>
  card.length === 15 ? `${card.slice(0, 4)} ${card.slice(4, 10)} ${card.slice(10)}` : printed(card);
const asciiLetters = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z]/g, '');

/** The value makers, each drawing from the one seeded generator. */
function makers(draw: SeededRandom) {
  const first = () => draw.pick(FIRST_NAMES);
  const last = () => draw.pick(LAST_NAMES);
  const date = (from: number, to: number) =>
    `${draw.int(from, to)}-${pad(draw.int(1, 12))}-${pad(draw.int(1, 28))}`;
  const time = () => `${pad(draw.int(0, 23))}:${pad(draw.int(0, 59))}:${pad(draw.int(0, 59))}`;
  const card = () =>
    draw.oneOf([
      () => luhnCompleted(`4${draw.digits(14)}`),
      () => luhnCompleted(`5${draw.int(1, 5)}${draw.digits(13)}`),
      () => luhnCompleted(`${draw.int(2221, 2720)}${draw.digits(11)}`),
      () => luhnCompleted(`3${draw.pick(['4', '7'])}${draw.digits(12)}`),
      () => luhnCompleted(`6011${draw.digits(11)}`),
    ]);
  const iban = () =>
    draw.oneOf([
      () => ibanOf('DE', draw.digits(18)),
      () => ibanOf('FR', draw.digits(23)),
      () => ibanOf('GB', `${draw.pick(['WEST', 'NWBK', 'BARC'])}${draw.digits(14)}`),
      () => ibanOf('NL', `${draw.pick(['ABNA', 'INGB', 'RABO'])}${draw.digits(10)}`),
      () => ibanOf('ES', draw.digits(20)),
      () => ibanOf('IT', `X${draw.digits(22)}`),
      () => ibanOf('CH', draw.digits(17)),
      () => ibanOf('NO', draw.digits(11)),
    ]);
  const email = () =>
    `${asciiLetters(first())}.${asciiLetters(last())}${draw.int(1, 99)}@${draw.pick(DOMAINS)}`;
  const phone = () =>
    draw.oneOf([
      () => `(${draw.int(201, 989)}) ${draw.int(200, 999)}-${draw.digits(4)}`,
      () => `${draw.int(201, 989)}-${draw.int(200, 999)}-${draw.digits(4)}`,
      () => `020 7946 ${draw.digits(4)}`,
      () => `07700 900${draw.digits(3)}`,
      () => `030 ${draw.int(1, 9)}${draw.digits(6)}`,
      () => `0${draw.int(1, 9)} ${draw.digits(2)} ${draw.digits(2)} ${draw.digits(2)} ${draw.digits(2)}`,
      () => `+44 20 7946 ${draw.digits(4)}`,
      () => `+49 151 ${draw.digits(8)}`,
      () => `+1-555-${draw.digits(4)}`,
    ]);
  const note = () => draw.pick(NOTES);
  const uuid = () => `${draw.hex(8)}-${draw.hex(4)}-4${draw.hex(3)}-a${draw.hex(3)}-${draw.hex(12)}`;
  return {
    // personal data
    email,
    emailOrNothing: () => (draw.int(0, 9) === 0 ? 'n/a' : email()),
    phone,
    ukMobile: () => {
      const mobile = `07700 900${draw.digits(3)}`;
      return draw.int(0, 4) === 0 ? toArabicIndic(mobile) : mobile;
    },
    bareMobile: () => `0151${draw.digits(7)}`,
    e164: () =>
      `+${draw.pick(['44 20', '49 30', '33 1', '31 20', '39 06'])} ${draw.digits(4)} ${draw.digits(4)}`,
    germanPhone: () =>
      draw.oneOf([
        () => `030 ${draw.int(1, 9)}${draw.digits(6)}`,
        () => `(089) ${draw.int(1, 9)}${draw.digits(5)}`,
        () => `0151 ${draw.digits(4)} ${draw.digits(4)}`,
        () => `+49 40 ${draw.digits(7)}`,
      ]),
    card,
    printedCard: () => printedCard(card()),
    iban,
    printedIban: () => printed(iban()),
    ssn: () => {
      const area = draw.pick([draw.int(1, 665), draw.int(667, 899)]);
      return `${pad(area, 3)}-${pad(draw.int(1, 99))}-${pad(draw.int(1, 9999), 4)}`;
    },
    bareSsn: () => `${pad(draw.int(1, 665), 3)}${pad(draw.int(1, 99))}${pad(draw.int(1, 9999), 4)}`,
    ipv4: () => `${draw.int(10, 223)}.${draw.int(0, 255)}.${draw.int(0, 255)}.${draw.int(1, 254)}`,
    ipAny: () =>
      draw.oneOf([
        () => `${draw.int(10, 223)}.${draw.int(0, 255)}.${draw.int(0, 255)}.${draw.int(1, 254)}`,
        () => `2001:db8:${draw.hex(4)}:${draw.hex(3)}::${draw.hex(2)}`,
        () => Array.from({ length: 8 }, () => draw.hex(4)).join(':'),
        () => `::ffff:192.0.2.${draw.int(1, 254)}`,
        () => `fe80::${draw.hex(4)}:${draw.hex(4)}`,
      ]),
    birthDate: () => date(1940, 2005),
    first,
    last,
    fullName: () => `${first()} ${last()}`,
    street: () => `${draw.int(1, 250)} ${draw.pick(STREETS)}`,
    germanStreet: () => `${draw.pick(GERMAN_STREETS)} ${draw.int(1, 120)}`,
    ukPostcode: () => `${draw.letters(2)}${draw.int(1, 20)} ${draw.int(1, 9)}${draw.letters(2)}`,
    germanPostcode: () => String(draw.int(10_000, 99_999)),
    passport: () => `${draw.letters(1)}${draw.digits(2)}${draw.letters(1)}${draw.digits(5)}`,
    dni: () => {
      const number = draw.int(10_000_000, 99_999_999);
      return `${number}${'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]}`;
    },
    nino: () =>
      `${draw.pick(['AB', 'CE', 'JG', 'PR'])} ${draw.digits(2)} ${draw.digits(2)} ${draw.digits(2)} C`,
    codiceFiscale: () =>
      `${draw.letters(6)}${draw.digits(2)}${draw.letters(1)}${draw.digits(2)}${draw.letters(1)}` +
      `${draw.digits(3)}${draw.letters(1)}`,
    // free text, a few values of which leak something
    note,
    // look-alikes
    orderNumber: () => luhnCompleted(`${draw.pick(['9', '1', '7', '8'])}${draw.digits(14)}`),
    orderRef: () => luhnCompleted(`${draw.int(1, 9)}${draw.digits(8)}`),
    visaLikeTracking: () => luhnCompleted(`4${draw.digits(14)}`),
    zeroPadded: () => `0${draw.int(100_000_000, 999_999_999)}`,
    sku: () => `SKU-${draw.digits(4)}-${draw.digits(4)}`,
    ean: () => eanCompleted(`4${draw.int(0, 4)}${draw.digits(10)}`),
    sha256: () => draw.hex(64),
    uuid,
    oldDate: () => date(1940, 2005),
    timestamp: () => `${date(2000, 2025)}T${time()}Z`,
    time,
    semver: () => `${draw.int(0, 9)}.${draw.int(0, 20)}.${draw.int(0, 50)}`,
    build: () => `${draw.int(1, 9)}.${draw.int(0, 9)}.${draw.int(0, 255)}.${draw.int(0, 255)}`,
    price: () => `${draw.int(1, 999)}.${draw.digits(2)}`,
    priceLabel: () =>
      draw.oneOf([
        () => `€ ${draw.int(1, 9)}.${draw.digits(3)},${draw.digits(2)}`,
        () => `$${draw.int(1, 999)}.${draw.digits(2)}`,
        () => `${draw.int(1, 999)},${draw.digits(2)} EUR`,
      ]),
    quantity: () => String(draw.int(1, 500)),
    reading: () => (draw.next() * 10 ** draw.int(-3, 8)).toFixed(draw.int(1, 6)),
    latLng: () => `${(draw.next() * 180 - 90).toFixed(4)}, ${(draw.next() * 360 - 180).toFixed(4)}`,
    invoiceNo: () => `INV-2024-${pad(draw.int(1, 999_999), 6)}`,
    pseudonym: () => `u_${draw.hex(16)}@example.invalid`,
    isbn: () =>
      draw.oneOf([
        () => `978-${draw.int(0, 9)}-${draw.digits(3)}-${draw.digits(5)}-${draw.int(0, 9)}`,
        () => `978${draw.digits(10)}`,
        () => `0-${draw.digits(3)}-${draw.digits(5)}-${draw.int(0, 9)}`,
      ]),
    productName: () =>
      `${draw.pick(['Blue', 'Red', 'Steel'])} ${draw.pick(['Widget', 'Gadget', 'Sprocket'])} ${draw.int(100, 9999)}`,
    fileName: () => `report_${draw.int(2000, 2025)}_${draw.int(1, 99)}.pdf`,
    hostName: () => `web-${pad(draw.int(1, 99))}.eu-west-1.example.internal`,
    mac: () => Array.from({ length: 6 }, () => draw.hex(2)).join(':'),
    handle: () => `${asciiLetters(first())}${draw.int(1, 999)}`,
    boolean: () => draw.pick(['true', 'false']),
  };
}

type Makers = ReturnType<typeof makers>;
type Maker = keyof Makers;

const VALUES_PER_COLUMN = 50;

/**
 * The corpus: table, column, catalog type, the label, and what fills the column (a maker, or [] for an empty
 * table). Labels are what a reviewer would decide; `accounts.user_name` holding handles is labelled as no PII (a
 * decision: handles are not reported on their name alone), `logins.user_name` holding e-mails as e-mail.
 */
const COLUMNS: readonly (readonly [
  string,
  string,
  string,
  PiiKind | undefined,
  Maker | 'empty' | 'leaks' | 'one-leak',
])[] = [
  // ---- personal data, named plainly, in several languages
  ['customers', 'email', 'character varying', 'email', 'email'],
  ['users', 'e_mail_2', 'varchar', 'email', 'emailOrNothing'],
  ['signups', 'email', 'character varying', 'email', 'empty'],
  ['customers', 'phone', 'character varying', 'phone', 'phone'],
  ['contacts', 'mobileNo', 'varchar', 'phone', 'ukMobile'],
  ['kunden', 'Telefonnummer', 'varchar', 'phone', 'germanPhone'],
  ['kunden', 'handy', 'varchar', 'phone', 'bareMobile'],
  ['payments', 'card_number', 'character varying', 'card', 'printedCard'],
  ['payments', 'cc_num', 'bigint', 'card', 'card'],
  ['accounts', 'iban', 'character varying', 'iban', 'printedIban'],
  ['employees', 'ssn', 'character varying', 'ssn', 'ssn'],
  ['employees', 'ssn_plain', 'character varying', 'ssn', 'bareSsn'],
  ['hr', 'social_security_number', 'bigint', 'ssn', 'empty'],
  ['sessions', 'remote_addr', 'character varying', 'ip-address', 'ipv4'],
  ['patients', 'date_of_birth', 'date', 'date-of-birth', 'birthDate'],
  ['kunden', 'Geburtsdatum', 'text', 'date-of-birth', 'birthDate'],
  ['members', 'dob', 'timestamp without time zone', 'date-of-birth', 'birthDate'],
  ['customers', 'first_name', 'character varying', 'person-name', 'first'],
  ['kunden', 'Nachname', 'varchar', 'person-name', 'last'],
  ['clientes', 'apellido', 'varchar', 'person-name', 'last'],
  ['customers', 'name', 'text', 'person-name', 'fullName'],
  ['customers', 'street_address', 'character varying', 'address', 'street'],
  ['kunden', 'Straße', 'varchar', 'address', 'germanStreet'],
  ['customers', 'zip_code', 'character varying', 'postcode', 'ukPostcode'],
  ['kunden', 'plz', 'varchar', 'postcode', 'germanPostcode'],
  ['travellers', 'passport_number', 'varchar', 'passport', 'passport'],
  ['clientes', 'dni', 'varchar', 'national-id', 'dni'],
  ['citizens', 'nino', 'varchar', 'national-id', 'nino'],
  ['fatture', 'codice_fiscale', 'varchar', 'tax-id', 'codiceFiscale'],
  // ---- personal data the name does not announce: the content must find it
  ['crm', 'contact', 'text', 'email', 'email'],
  ['logins', 'user_name', 'character varying', 'email', 'email'],
  ['leads', 'col_17', 'text', 'phone', 'e164'],
  ['legacy', 'c1', 'text', 'card', 'card'],
  ['suppliers', 'bank_ref', 'text', 'iban', 'iban'],
  ['audit', 'client', 'inet', 'ip-address', 'ipAny'],
  ['tickets', 'notes', 'text', 'free-text', 'leaks'],
  ['orders', 'comment', 'text', 'free-text', 'one-leak'],
  // ---- look-alikes: codes, hashes, times, versions, amounts, names of things, already masked values
  ['orders', 'order_number', 'character varying', undefined, 'orderNumber'],
  ['orders', 'order_ref', 'character varying', undefined, 'orderRef'],
  // Luhn-valid with a Visa prefix: only the name (a veto) keeps it out.
  ['shop', 'tracking_code', 'character varying', undefined, 'visaLikeTracking'],
  ['erp', 'customer_no', 'character varying', undefined, 'zeroPadded'],
  ['products', 'sku', 'character varying', undefined, 'sku'],
  ['products', 'barcode', 'text', undefined, 'ean'],
  // EAN-13s under a name that vetoes nothing: one in ten passes Luhn with a 13-digit Visa prefix, far below the
  // share content alone needs.
  ['catalog', 'code', 'text', undefined, 'ean'],
  ['files', 'sha256', 'character', undefined, 'sha256'],
  ['events', 'external_id', 'text', undefined, 'uuid'],
  ['events', 'id', 'uuid', undefined, 'uuid'],
  // Dates in the years of births: only a name makes them dates of birth.
  ['events', 'created_at', 'timestamp with time zone', undefined, 'oldDate'],
  ['logs', 'logged_at', 'text', undefined, 'timestamp'],
  ['shifts', 'start_time', 'text', undefined, 'time'],
  ['releases', 'version', 'character varying', undefined, 'semver'],
  // Every value a valid IPv4 address: only the name (a veto) keeps it out.
  ['builds', 'build_version', 'character varying', undefined, 'build'],
  ['products', 'price', 'numeric', undefined, 'price'],
  ['products', 'price_label', 'text', undefined, 'priceLabel'],
  ['orders', 'quantity', 'integer', undefined, 'quantity'],
  ['measurements', 'reading', 'text', undefined, 'reading'],
  ['geo', 'lat_lng', 'text', undefined, 'latLng'],
  ['invoices', 'invoice_no', 'text', undefined, 'invoiceNo'],
  ['crm', 'masked_contact', 'text', undefined, 'pseudonym'],
  ['books', 'isbn', 'character varying', undefined, 'isbn'],
  ['products', 'product_name', 'character varying', undefined, 'productName'],
  ['products', 'name', 'text', undefined, 'productName'],
  ['files', 'file_name', 'text', undefined, 'fileName'],
  ['servers', 'host_name', 'character varying', undefined, 'hostName'],
  ['devices', 'mac_address', 'character varying', undefined, 'mac'],
  ['accounts', 'user_name', 'character varying', undefined, 'handle'],
  ['app', 'phone_verified', 'boolean', undefined, 'boolean'],
  ['tickets', 'subject', 'text', undefined, 'note'],
];

/** Builds the corpus: 50 values a column (none for an empty table), the same for a given seed. */
export function buildCorpus(seed: number): LabelledColumn[] {
  const make = makers(new SeededRandom(seed));
  const fill = (maker: Maker): string[] => Array.from({ length: VALUES_PER_COLUMN }, () => make[maker]());
  // Notes of which three in fifty leak an e-mail address, a phone number and a card number.
  const leaks = (): string[] => {
    const notes = fill('note');
    notes[3] = `Wants invoices sent to ${make.email()} from now on`;
    notes[17] = `Call back on ${make.phone()} after six`;
    notes[41] = `Paid by card ${make.printedCard()}, refund pending`;
    return notes;
  };
  // Notes of which one in fifty leaks an IBAN: one is enough.
  const oneLeak = (): string[] => {
    const notes = fill('note');
    notes[25] = `Refund to ${make.printedIban()} please`;
    return notes;
  };
  const valuesOf = (filler: Maker | 'empty' | 'leaks' | 'one-leak'): string[] =>
    filler === 'empty' ? [] : filler === 'leaks' ? leaks() : filler === 'one-leak' ? oneLeak() : fill(filler);
  return COLUMNS.map(([table, column, dataType, expected, filler]) => {
    const values = valuesOf(filler);
    return {
      sample: { schema: 'app', table, column, dataType, values, rowsSampled: values.length },
      expected,
    };
  });
}
