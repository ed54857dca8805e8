// Column names are half the evidence: they must be read however a schema spells them, in the languages teams
// name columns in, and must not take a product's, file's or host's name for a person's, nor a MAC address for
// anyone's address.
import { describe, expect, it } from 'vitest';
import {
  contentVetoes,
  kindFitsType,
  nameSignals,
  tableContextSignals,
  tokeniseName,
  typeCategory,
} from '#shared/discovery/names';
import type { NameSignal, PiiKind } from '#shared/discovery/types';

const strongest = (signals: readonly NameSignal[]) => signals[0];
const kindsOf = (column: string, dataType = 'character varying') =>
  nameSignals(column, dataType).map((signal) => signal.kind);

describe('tokeniseName', () => {
  it.each([
    ['customerEmail', ['customer', 'email']],
    ['e_mail_2', ['e', 'mail', '2']],
    ['EMAIL_ADDR', ['email', 'addr']],
    ['mobileNo', ['mobile', 'no']],
    ['phone-number', ['phone', 'number']],
    ['IPAddress', ['ip', 'address']],
    ['IPv4Address', ['ipv4', 'address']],
    ['remote_ipv6', ['remote', 'ipv6']],
    ['address1', ['address', '1']],
    ['Straße', ['strasse']],
    ['Prénom', ['prenom']],
    ['firstname', ['first', 'name']],
    ['username', ['user', 'name']],
    ['Vorname', ['vor', 'name']],
    ['voornaam', ['voor', 'naam']],
    ['emailaddresses', ['email', 'address']],
    ['DateOfBirth', ['date', 'of', 'birth']],
    ['name', ['name']],
  ])('%s → %j', (column, tokens) => {
    expect(tokeniseName(column)).toEqual(tokens);
  });
});

describe('typeCategory', () => {
  it.each([
    ['character varying', 'text'],
    ['varchar(255)', 'text'],
    ['TEXT', 'text'],
    ['citext', 'text'],
    ['enum', 'text'],
    ['bigint', 'number'],
    ['int unsigned', 'number'],
    ['numeric(19,0)', 'number'],
    ['date', 'date'],
    ['timestamp without time zone', 'date'],
    ['timestamp(6) with time zone', 'date'],
    ['datetime', 'date'],
    ['inet', 'network'],
    ['boolean', 'other'],
    ['uuid', 'other'],
    ['bytea', 'other'],
    ['jsonb', 'other'],
    ['macaddr', 'other'],
  ])('%s is %s', (dataType, category) => {
    expect(typeCategory(dataType)).toBe(category);
  });
});

describe('nameSignals: the language list', () => {
  it.each<[string, PiiKind]>([
    // e-mail
    ['email', 'email'],
    ['customerEmail', 'email'],
    ['e_mail_2', 'email'],
    ['EMAIL_ADDR', 'email'],
    ['email_address', 'email'],
    ['e-mail-adresse', 'email'],
    ['emailadres', 'email'],
    ['mail', 'email'],
    ['correo', 'email'],
    ['correo_electronico', 'email'],
    ['courriel', 'email'],
    // phone
    ['phone', 'phone'],
    ['phone_number', 'phone'],
    ['tel', 'phone'],
    ['telefon', 'phone'],
    ['Telefonnummer', 'phone'],
    ['telephone', 'phone'],
    ['téléphone', 'phone'],
    ['telefono', 'phone'],
    ['telefoon', 'phone'],
    ['mobile', 'phone'],
    ['mobileNo', 'phone'],
    ['mobil', 'phone'],
    ['cell', 'phone'],
    ['handy', 'phone'],
    ['fax', 'phone'],
    ['msisdn', 'phone'],
    // SSN
    ['ssn', 'ssn'],
    ['social_security_number', 'ssn'],
    // tax id
    ['tax_id', 'tax-id'],
    ['tin', 'tax-id'],
    ['vat_number', 'tax-id'],
    ['steuernummer', 'tax-id'],
    ['steuer_id', 'tax-id'],
    ['nif', 'tax-id'],
    ['siren', 'tax-id'],
    ['siret', 'tax-id'],
    ['codice_fiscale', 'tax-id'],
    ['cpf', 'tax-id'],
    // bank account
    ['iban', 'iban'],
    ['bic', 'iban'],
    ['account_no', 'iban'],
    ['konto', 'iban'],
    ['Kontonummer', 'iban'],
    // card
    ['card', 'card'],
    ['card_number', 'card'],
    ['cc', 'card'],
    ['cc_num', 'card'],
    ['pan', 'card'],
    ['credit_card', 'card'],
    ['creditCardNumber', 'card'],
    ['Kreditkartennummer', 'card'],
    // date of birth
    ['dob', 'date-of-birth'],
    ['birth_date', 'date-of-birth'],
    ['birthdate', 'date-of-birth'],
    ['date_of_birth', 'date-of-birth'],
    ['birthday', 'date-of-birth'],
    ['born_on', 'date-of-birth'],
    ['Geburtsdatum', 'date-of-birth'],
    ['geburtstag', 'date-of-birth'],
    ['date_de_naissance', 'date-of-birth'],
    ['fecha_de_nacimiento', 'date-of-birth'],
    ['data_di_nascita', 'date-of-birth'],
    ['geboortedatum', 'date-of-birth'],
    // person name
    ['first_name', 'person-name'],
    ['firstName', 'person-name'],
    ['last_name', 'person-name'],
    ['lastname', 'person-name'],
    ['full_name', 'person-name'],
    ['middle_name', 'person-name'],
    ['surname', 'person-name'],
    ['given_name', 'person-name'],
    ['family_name', 'person-name'],
    ['customer_name', 'person-name'],
    ['cardholder_name', 'person-name'],
    ['vorname', 'person-name'],
    ['Nachname', 'person-name'],
    ['Kundenname', 'person-name'],
    ['nom', 'person-name'],
    ['nom_de_famille', 'person-name'],
    ['prenom', 'person-name'],
    ['Prénom', 'person-name'],
    ['apellido', 'person-name'],
    ['nombre', 'person-name'],
    ['nombre_cliente', 'person-name'],
    ['cognome', 'person-name'],
    ['voornaam', 'person-name'],
    ['achternaam', 'person-name'],
    // address
    ['address', 'address'],
    ['addr', 'address'],
    ['street', 'address'],
    ['street_address', 'address'],
    ['billing_address', 'address'],
    ['address_line_1', 'address'],
    ['strasse', 'address'],
    ['Straße', 'address'],
    ['rue', 'address'],
    ['calle', 'address'],
    ['city', 'address'],
    ['adresse', 'address'],
    ['Wohnadresse', 'address'],
    // postcode
    ['postcode', 'postcode'],
    ['zip', 'postcode'],
    ['zip_code', 'postcode'],
    ['zipCode', 'postcode'],
    ['plz', 'postcode'],
    ['postal_code', 'postcode'],
    ['code_postal', 'postcode'],
    ['cp', 'postcode'],
    // IP
    ['ip', 'ip-address'],
    ['ip_addr', 'ip-address'],
    ['ip_address', 'ip-address'],
    ['IPAddress', 'ip-address'],
    ['ipv4', 'ip-address'],
    ['client_ipv6', 'ip-address'],
    ['remote_addr', 'ip-address'],
    // passport
    ['passport', 'passport'],
    ['passport_number', 'passport'],
    ['pass_no', 'passport'],
    ['reisepass', 'passport'],
    ['Reisepassnummer', 'passport'],
    ['passeport', 'passport'],
    // national id
    ['national_id', 'national-id'],
    ['nid', 'national-id'],
    ['dni', 'national-id'],
    ['nie', 'national-id'],
    ['personalausweis', 'national-id'],
    ['Personalausweisnummer', 'national-id'],
    ['bsn', 'national-id'],
    ['nino', 'national-id'],
  ])('%s → %s', (column, kind) => {
    expect(strongest(nameSignals(column, 'character varying'))?.kind).toBe(kind);
  });
});

describe('nameSignals: weights', () => {
  it.each([
    ['email', 0.9],
    ['e_mail', 0.9],
    ['mail', 0.6],
    ['first_name', 0.9],
    ['customer_name', 0.8],
    ['user_name', 0.4],
    ['username', 0.4],
    ['name', 0.3],
    ['address', 0.6],
    ['billing_address', 0.8],
    ['card', 0.6],
    ['card_number', 0.9],
    ['bic', 0.4],
    ['city', 0.5],
  ])('%s weighs %d', (column, weight) => {
    expect(strongest(nameSignals(column, 'text'))?.weight).toBe(weight);
  });

  it('names the rule that matched, from the column name only', () => {
    expect(nameSignals('e_mail_2', 'text')).toEqual([
      { kind: 'email', weight: 0.9, rule: 'name tokens "e mail"' },
    ]);
    expect(nameSignals('Telefonnummer', 'text')[0]?.rule).toBe('name stem "telefon" in "telefonnummer"');
    expect(nameSignals('first_name', 'text')[0]?.rule).toBe('"first" qualifies name token "name"');
  });

  it('keeps the strongest signal per kind, strongest kind first', () => {
    const signals = nameSignals('email_or_phone', 'text');
    expect(signals.map((signal) => signal.kind)).toEqual(['email', 'phone']);
    expect(nameSignals('e_mail', 'text')).toHaveLength(1);
  });
});

describe('nameSignals: look-alike names', () => {
  it.each([
    // a qualifying noun before `name` that is not a person's makes it a thing's name
    'product_name',
    'productName',
    'file_name',
    'filename',
    'host_name',
    'hostname',
    'table_name',
    'company_name',
    'nom_produit',
    'nombre_archivo',
    'nome_prodotto',
    // network addresses are nobody's home
    'mac_address',
    'macaddr',
    'server_address',
    'wallet_address',
    // about the data, not the data
    'card_type',
    'card_brand',
    'card_expiry',
    'email_template',
    'email_domain',
    'phone_type',
    'name_length',
    'ip_country',
    'is_mobile',
    'mobile_app_version',
    'gift_card',
    // places of birth are not dates
    'birth_place',
    'geburtsort',
    'lieu_de_naissance',
    'lugar_de_nacimiento',
    // nothing to do with any kind
    'password',
    'pass',
    'order_number',
    'sku',
    'created_at',
    'id',
  ])('%s says nothing', (column) => {
    expect(nameSignals(column, 'text')).toEqual([]);
  });

  it('sends ip_address and email_address to their own kinds, not to address', () => {
    expect(kindsOf('ip_address')).toEqual(['ip-address']);
    expect(kindsOf('email_address')).toEqual(['email']);
    expect(kindsOf('e_mail_address')).toEqual(['email']);
  });

  it('reads the cc of an e-mail as e-mail addresses, not a card', () => {
    expect(kindsOf('cc_emails')).toEqual(['email']);
    expect(kindsOf('cc_list')).toEqual([]);
  });

  it('reads a birth name as a name, not a date', () => {
    expect(kindsOf('birth_name')).toEqual(['person-name']);
    expect(kindsOf('Geburtsname')).toEqual(['person-name']);
  });

  it('takes user_name for an ambiguous handle: below the threshold on its name alone', () => {
    const [signal] = nameSignals('user_name', 'text');
    expect(signal).toEqual({ kind: 'person-name', weight: 0.4, rule: '"user" qualifies name token "name"' });
  });
});

describe('nameSignals: type compatibility', () => {
  it('keeps text kinds to text columns', () => {
    expect(kindsOf('email', 'integer')).toEqual([]);
    expect(kindsOf('email', 'boolean')).toEqual([]);
    expect(kindsOf('first_name', 'uuid')).toEqual([]);
    expect(kindsOf('email_verified', 'boolean')).toEqual([]);
  });

  it('lets a number be a phone, card or SSN, but not a key into another table', () => {
    expect(kindsOf('phone', 'bigint')).toEqual(['phone']);
    expect(kindsOf('card_number', 'numeric(19,0)')).toEqual(['card']);
    expect(kindsOf('ssn', 'integer')).toEqual(['ssn']);
    expect(kindsOf('phone_id', 'bigint')).toEqual([]);
    expect(kindsOf('card_id', 'integer')).toEqual([]);
    expect(kindsOf('zip_code', 'integer')).toEqual([]);
  });

  it('lets a date of birth be a date, a timestamp or text, never a number', () => {
    expect(kindsOf('dob', 'date')).toEqual(['date-of-birth']);
    expect(kindsOf('dob', 'timestamp with time zone')).toEqual(['date-of-birth']);
    expect(kindsOf('dob', 'varchar(10)')).toEqual(['date-of-birth']);
    expect(kindsOf('dob', 'integer')).toEqual([]);
  });

  it('lets an IP address be inet or text', () => {
    expect(kindsOf('client_ip', 'inet')).toEqual(['ip-address']);
    expect(kindsOf('client_ip', 'text')).toEqual(['ip-address']);
    expect(kindsOf('client_ip', 'bigint')).toEqual([]);
  });

  it('agrees with kindFitsType', () => {
    expect(kindFitsType('phone', 'number')).toBe(true);
    expect(kindFitsType('email', 'number')).toBe(false);
    expect(kindFitsType('date-of-birth', 'date')).toBe(true);
    expect(kindFitsType('ip-address', 'network')).toBe(true);
    expect(kindFitsType('free-text', 'other')).toBe(false);
  });
});

describe('tableContextSignals', () => {
  it('reads a bare name in a table of people as a person’s', () => {
    for (const table of ['customers', 'users', 'people', 'Kunden', 'clientes', 'employee']) {
      expect(tableContextSignals(table, 'name', 'text'), table).toEqual([
        { kind: 'person-name', weight: 0.8, rule: `bare "name" in table "${table}" of people` },
      ]);
    }
    expect(tableContextSignals('clientes', 'nombre', 'text')).toHaveLength(1);
  });

  it('adds nothing elsewhere, for qualified names, or where a name cannot be stored', () => {
    expect(tableContextSignals('products', 'name', 'text')).toEqual([]);
    expect(tableContextSignals('customers', 'product_name', 'text')).toEqual([]);
    expect(tableContextSignals('customers', 'name', 'integer')).toEqual([]);
  });
});

describe('contentVetoes', () => {
  it('rules out kinds a code column can look like', () => {
    expect([...contentVetoes('app_version')]).toEqual(['ip-address']);
    expect([...contentVetoes('build')]).toEqual(['ip-address']);
    expect([...contentVetoes('order_number')]).toEqual(['card', 'phone']);
    expect([...contentVetoes('isbn')]).toEqual(['card', 'phone']);
    expect([...contentVetoes('sha256')]).toEqual(['card', 'phone', 'iban', 'ssn']);
    expect([...contentVetoes('contact')]).toEqual([]);
    expect([...contentVetoes('client_ip')]).toEqual([]);
  });
});
