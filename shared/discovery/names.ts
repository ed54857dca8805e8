// Why this file exists: a column's name is often the only evidence there is (an empty table today fills
// tomorrow; a person's name or a postcode looks like any other word or code), and the best evidence against a
// look-alike (`product_name`, `mac_address`, `app_version`). This file reads names the way schemas are written:
// split into tokens (snake_case, camelCase, kebab-case, digits), in English, German, French, Spanish, Dutch,
// Italian and Portuguese and their common abbreviations, German and Dutch compounds (`Telefonnummer`,
// `voornaam`) by their stems or heads. Each match is a NameSignal whose weight says how specific the word is,
// kept only when the column's type can hold the kind at all. score.ts weighs these against what the values show.
import type { NameSignal, PiiKind } from './types.ts';

/** A word list written as one comma-separated string: the tables below stay readable at a glance. */
function list(words: string): string[] {
  return words
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word !== '');
}

const setOf = (words: string): ReadonlySet<string> => new Set(list(words));

// ---------------------------------------------------------------------------------------------------------------
// Tokens

/** Tokens whose digits belong to them (`ipv4`), kept whole where letters and digits are otherwise split. */
const TOKENS_WITH_DIGITS = /^(?:ipv[46]|last4)$/;

/**
 * Heads of compounds whose qualifier decides the kind (`username`, `ipaddress`, `voornaam`, `Kundenname`), each
 * with the token it stands for (a plural as its singular). Longest first, so `addresses` is not read as `…es`.
 */
const COMPOUND_HEADS: readonly (readonly [string, string])[] = [
  ['addresses', 'address'],
  ['address', 'address'],
  ['adresse', 'adresse'],
  ['adres', 'adres'],
  ['addr', 'addr'],
  ['names', 'name'],
  ['name', 'name'],
  ['naam', 'naam'],
];

function splitCompound(token: string): string[] {
  for (const [head, canonical] of COMPOUND_HEADS) {
    if (token === head) return [canonical];
    if (token.length > head.length + 1 && token.endsWith(head))
      return [token.slice(0, -head.length), canonical];
  }
  return [token];
}

/**
 * The column name as lower-case tokens without accents: `customerEmail` → customer, email; `e_mail_2` → e, mail,
 * 2; `EMAIL_ADDR` → email, addr; `IPv4Address` → ipv4, address; `Straße` → strasse; `firstname` → first, name.
 */
export function tokeniseName(name: string): string[] {
  const plain = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    // Before camelCase splitting, which would cut `IPv4` into I, Pv4.
    .replace(/ipv([46])/gi, (_match, version: string) => `_ipv${version}_`)
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1_$2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1_$2');
  return plain
    .split(/[^\p{L}\p{N}]+/u)
    .filter((part) => part !== '')
    .map((part) => part.toLowerCase())
    .flatMap((part) => (TOKENS_WITH_DIGITS.test(part) ? [part] : (part.match(/\p{L}+|\p{N}+/gu) ?? [])))
    .flatMap(splitCompound);
}

const isNumberToken = (token: string | undefined) => token !== undefined && /^\p{N}+$/u.test(token);

// ---------------------------------------------------------------------------------------------------------------
// Types

/** What a column's type can hold, as far as detection cares. */
export type TypeCategory = 'text' | 'number' | 'date' | 'network' | 'other';

const TEXT_TYPES = setOf(
  'text, character varying, varchar, character, char, bpchar, nvarchar, nchar, varchar2, nvarchar2, citext, name, ' +
    'tinytext, mediumtext, longtext, string, clob, nclob, enum, set',
);
const NUMBER_TYPES = setOf(
  'smallint, integer, int, bigint, int2, int4, int8, tinyint, mediumint, numeric, decimal, number, serial, ' +
    'bigserial, smallserial, real, double precision, double, float, float4, float8',
);
const DATE_TYPES = setOf(
  'date, datetime, datetime2, smalldatetime, timestamp, timestamptz, timestamp without time zone, ' +
    'timestamp with time zone',
);
const NETWORK_TYPES = setOf('inet, cidr');

/**
 * The category of a catalog type, in any case, with or without modifiers (`varchar(255)`,
 * `timestamp(6) with time zone`, `int unsigned`). Types that cannot hold any kind (boolean, uuid, bytea, json,
 * macaddr, geometry …) are `other`.
 */
export function typeCategory(dataType: string): TypeCategory {
  const type = dataType
    .toLowerCase()
    .replace(/\([^)]*\)/g, '')
    .replace(/\b(?:unsigned|signed|zerofill)\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (TEXT_TYPES.has(type)) return 'text';
  if (NUMBER_TYPES.has(type)) return 'number';
  if (DATE_TYPES.has(type)) return 'date';
  if (NETWORK_TYPES.has(type)) return 'network';
  return 'other';
}

/**
 * The categories that can hold each kind. Every kind fits text. A number column can hold a phone, card or SSN
 * (stored without separators); a date column a birth date; an inet/cidr column an IP address.
 */
const KIND_FITS: Readonly<Record<PiiKind, readonly TypeCategory[]>> = {
  email: ['text'],
  phone: ['text', 'number'],
  card: ['text', 'number'],
  iban: ['text'],
  ssn: ['text', 'number'],
  'ip-address': ['text', 'network'],
  'date-of-birth': ['text', 'date'],
  'person-name': ['text'],
  address: ['text'],
  postcode: ['text'],
  'national-id': ['text'],
  passport: ['text'],
  'tax-id': ['text'],
  'free-text': ['text'],
};

/** The kind can be stored in a column of this category. */
export function kindFitsType(kind: PiiKind, category: TypeCategory): boolean {
  return KIND_FITS[kind].includes(category);
}

// ---------------------------------------------------------------------------------------------------------------
// Word rules

interface WordRule {
  readonly kind: PiiKind;
  readonly weight: number;
  /** Comma-separated; a word of several tokens is written with spaces (`e mail` matches the tokens e, mail). */
  readonly words: string;
  /** Beginnings of one token, for compounding languages (`telefon` in Telefonnummer, `geburt` in Geburtsdatum). */
  readonly stems?: string;
  /** Tokens a stem must not be (`geburtsort`: place of birth). */
  readonly except?: string;
  /** Tokens that, anywhere after the match, make the column about something else (`card_brand`, `ip_country`). */
  readonly unlessFollowedBy?: string;
  /** Tokens that, anywhere before the match, do the same (`lieu_de_naissance`: place of birth). */
  readonly unlessPrecededBy?: string;
}

const BIRTH_PLACE = 'place, city, country, town, lieu, lugar, luogo, local, pays, pais, paese';
const CARD_DETAILS =
  'type, brand, network, scheme, expiry, expiration, exp, last, last4, holder, bin, issuer, country';
const IP_DETAILS = 'country, region, city, location, geo, range, version, asn, isp, block';

const WORD_RULES: readonly WordRule[] = [
  // e-mail (`mailadres`, `Mailadresse` are split like `ipaddress`: mail + adres(se))
  { kind: 'email', weight: 0.9, words: 'email, emails, e mail, e mails, correo electronico', stems: 'email' },
  { kind: 'email', weight: 0.8, words: 'courriel, correo, mail address, mail adresse, mail adres' },
  { kind: 'email', weight: 0.6, words: 'mail' },
  // phone
  {
    kind: 'phone',
    weight: 0.9,
    words:
      'phone, phones, phonenumber, phoneno, phonenr, phonenum, telephone, telefoon, msisdn, cellphone, mobilephone, ' +
      'mobilenumber, mobileno, mobilnummer, handynummer, rufnummer, cell phone, mobile phone, mobile number',
    stems: 'telefon, telephon',
  },
  {
    kind: 'phone',
    weight: 0.8,
    words: 'tel, telno, telnr, mobile, mobil, handy, fax, movil, celular, cellulare',
    unlessFollowedBy: 'app, apps, device, os, platform, browser, model, version, view',
  },
  { kind: 'phone', weight: 0.7, words: 'cell, gsm', unlessFollowedBy: 'id, tower, index, value' },
  // SSN
  { kind: 'ssn', weight: 0.9, words: 'ssn, social security, socsec' },
  // tax id
  {
    kind: 'tax-id',
    weight: 0.9,
    words:
      'tax id, taxid, tax number, tax no, tax nr, tax identification, itin, steuernummer, steuerid, steuer id, ' +
      'steuer nr, steuer nummer, nif, codice fiscale, codicefiscale, cpf',
    stems: 'steueridentifikation',
  },
  { kind: 'tax-id', weight: 0.8, words: 'tin, tax code, tfn' },
  { kind: 'tax-id', weight: 0.7, words: 'vat, ust id, ustid, siren, siret, cnpj, nip, utr' },
  // IBAN and bank accounts
  { kind: 'iban', weight: 0.9, words: 'iban' },
  {
    kind: 'iban',
    weight: 0.8,
    words:
      'bank account, account no, account number, account nr, account num, acct no, acct number, acct num, ' +
      'kontonummer, kontonr, konto nr, konto nummer, rekeningnummer, rekening nummer',
  },
  { kind: 'iban', weight: 0.7, words: 'konto, cuenta, conto' },
  { kind: 'iban', weight: 0.4, words: 'bic, swift' },
  // payment card
  {
    kind: 'card',
    weight: 0.9,
    words:
      'credit card, creditcard, debit card, card number, card no, card num, card nr, cardnumber, cardno, ' +
      'cc number, cc num, cc no, ccnumber, ccnum, primary account number, kartennummer, carte bancaire, ' +
      'carte credit, numero carte, tarjeta credito, carta credito, cartao credito',
    stems: 'kreditkart',
    unlessFollowedBy: CARD_DETAILS,
  },
  { kind: 'card', weight: 0.7, words: 'pan', unlessFollowedBy: CARD_DETAILS },
  {
    kind: 'card',
    weight: 0.6,
    words: 'card, tarjeta, cartao',
    unlessFollowedBy: `${CARD_DETAILS}, id, color, colour, image, title, text, layout, position, order, index, name`,
    unlessPrecededBy:
      'gift, loyalty, business, report, score, dashboard, sim, sd, graphics, id, key, punch, wild',
  },
  {
    kind: 'card',
    weight: 0.5,
    words: 'cc',
    unlessFollowedBy: 'email, emails, list, recipient, recipients, address, addresses, to',
  },
  // date of birth
  {
    kind: 'date-of-birth',
    weight: 0.9,
    words: 'dob, birthdate, birth date, date of birth, birthday, naissance, nacimiento, nascita, nascimento',
    stems: 'geburt, geboorte',
    except: 'geburtsort, geburtsland, geboorteplaats, geboorteland',
    unlessPrecededBy: `${BIRTH_PLACE}, nom, nombre, nome, name`,
    // Geburtsname (birth name) is split into geburts + name: a name, not a date.
    unlessFollowedBy: `${BIRTH_PLACE}, name`,
  },
  {
    kind: 'date-of-birth',
    weight: 0.8,
    words: 'birth, bday',
    unlessFollowedBy: `${BIRTH_PLACE}, name, weight, order, rate, certificate`,
  },
  { kind: 'date-of-birth', weight: 0.7, words: 'born' },
  // person names in one word; `name` and its translations are read by their qualifiers (personNameSignals)
  { kind: 'person-name', weight: 0.9, words: 'prenom, prenoms, apellido, apellidos, cognome, sobrenome' },
  { kind: 'person-name', weight: 0.8, words: 'fname, lname' },
  // postal address (`address` itself is read by its qualifiers: addressSignals)
  { kind: 'address', weight: 0.8, words: 'street, calle', stems: 'strasse, straat' },
  {
    kind: 'address',
    weight: 0.7,
    words: 'house number, hausnummer, huisnummer, direccion, indirizzo, endereco, morada',
  },
  { kind: 'address', weight: 0.6, words: 'rue, wohnort, woonplaats' },
  { kind: 'address', weight: 0.5, words: 'city, ville, ciudad, citta, cidade, stadt' },
  { kind: 'address', weight: 0.4, words: 'town' },
  // postcode
  {
    kind: 'postcode',
    weight: 0.9,
    words:
      'postcode, post code, postal code, postalcode, zipcode, zip code, plz, postleitzahl, code postal, ' +
      'codigo postal, codice postale',
  },
  { kind: 'postcode', weight: 0.8, words: 'zip, postnummer', unlessFollowedBy: 'file, archive, path' },
  { kind: 'postcode', weight: 0.7, words: 'postal, cep' },
  { kind: 'postcode', weight: 0.4, words: 'cp' },
  // IP address
  {
    kind: 'ip-address',
    weight: 0.9,
    words: 'ip address, ip addr, ip adresse, ipv4, ipv6, remote addr, remote address, remote ip',
    unlessFollowedBy: IP_DETAILS,
  },
  { kind: 'ip-address', weight: 0.8, words: 'ip', unlessFollowedBy: IP_DETAILS },
  { kind: 'ip-address', weight: 0.7, words: 'forwarded for' },
  // passport
  {
    kind: 'passport',
    weight: 0.9,
    words: 'passport, passeport, pasaporte, passaporto, passaporte, paspoort',
    stems: 'reisepass',
    unlessFollowedBy: 'expiry, expiration, exp, expires, country, issued, issue, issuer, photo',
  },
  { kind: 'passport', weight: 0.8, words: 'pass no, pass number, pass nr, passnr, passno' },
  // national id
  {
    kind: 'national-id',
    weight: 0.9,
    words:
      'national id, national identity, national number, national insurance, dni, bsn, nino, aadhaar, aadhar, ' +
      'pesel, personnummer, fodselsnummer, cedula, curp, burgerservicenummer',
    stems: 'personalausweis, sozialversicherungsnummer',
  },
  {
    kind: 'national-id',
    weight: 0.8,
    words: 'nie, ni number, ni no, identity card, identity number, identity no, carte identite, svnr',
    stems: 'ausweis',
  },
  { kind: 'national-id', weight: 0.7, words: 'nid, id card, cni, nir, documento identidad' },
];

/**
 * Tokens after a match that make the column about the data rather than the data itself: a flag, a count, a
 * template, a hash (`email_verified`, `phone_type`, `email_template`, `name_length`, `email_hash`).
 */
const ABOUT_THE_DATA = setOf(
  'type, types, kind, status, count, cnt, flag, flags, verified, verification, confirmed, confirmation, enabled, ' +
    'disabled, template, templates, format, hash, hashed, digest, checksum, md5, sha1, sha256, domain, provider, ' +
    'consent, optin, optout, opt, preference, preferences, pref, prefs, length, len, valid, validated, validation, ' +
    'bounce, bounced, bounces, sent, label, mask, masked, token, tokenized, fingerprint, visibility, visible, ' +
    'required, policy, regex, pattern, rule, rules, setting, settings, config, source, campaign, frequency',
);
/** Tokens before a match that do the same (`is_mobile`, `has_email`, `count_phones`). */
const ABOUT_THE_DATA_BEFORE = setOf('is, has, can, allow, show, hide, use, count, total, nb');

/** A key into another table (`phone_id` bigint): in a number column, not the number itself. */
const KEY_SUFFIXES = setOf('id, fk');

interface RuleMatch {
  readonly start: number;
  readonly end: number;
  readonly rule: string;
}

/** A WordRule with its lists split once, at module load. */
interface CompiledRule {
  readonly kind: PiiKind;
  readonly weight: number;
  readonly phrases: readonly (readonly string[])[];
  readonly stems: readonly string[];
  readonly except: ReadonlySet<string>;
  readonly unlessFollowedBy: ReadonlySet<string>;
  readonly unlessPrecededBy: ReadonlySet<string>;
}

const COMPILED_RULES: readonly CompiledRule[] = WORD_RULES.map((rule) => ({
  kind: rule.kind,
  weight: rule.weight,
  phrases: list(rule.words).map((words) => words.split(' ')),
  stems: list(rule.stems ?? ''),
  except: setOf(rule.except ?? ''),
  unlessFollowedBy: setOf(rule.unlessFollowedBy ?? ''),
  unlessPrecededBy: setOf(rule.unlessPrecededBy ?? ''),
}));

function matchesOf(tokens: readonly string[], rule: CompiledRule): RuleMatch[] {
  const found: RuleMatch[] = [];
  for (const phrase of rule.phrases) {
    for (let start = 0; start + phrase.length <= tokens.length; start += 1) {
      if (phrase.every((word, offset) => tokens[start + offset] === word)) {
        const words = phrase.join(' ');
        const how = phrase.length > 1 ? `name tokens "${words}"` : `name token "${words}"`;
        found.push({ start, end: start + phrase.length, rule: how });
      }
    }
  }
  for (const stem of rule.stems) {
    tokens.forEach((token, index) => {
      if (token.startsWith(stem) && !rule.except.has(token)) {
        found.push({ start: index, end: index + 1, rule: `name stem "${stem}" in "${token}"` });
      }
    });
  }
  return found.filter(({ start, end }) => {
    const before = tokens.slice(0, start);
    const after = tokens.slice(end);
    return (
      !after.some((token) => ABOUT_THE_DATA.has(token) || rule.unlessFollowedBy.has(token)) &&
      !before.some((token) => ABOUT_THE_DATA_BEFORE.has(token) || rule.unlessPrecededBy.has(token))
    );
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Person names: `name` is the most ambiguous word in a schema, so its qualifier decides

/** Qualifiers that make `name` a person's for certain (`first_name`, `surname`, `Vorname`, `achternaam`). */
const PERSON_NAME_PARTS = setOf(
  'first, last, full, middle, sur, given, family, maiden, fore, christian, second, birth, vor, nach, familien, ' +
    'geburts, ruf, voor, achter, familie, roep',
);
/** Nouns for people (`customer_name`, `cardholder_name`, `emergency_contact_name`, `Kundenname`). */
const PERSON_NOUNS = setOf(
  'customer, cust, client, contact, person, personal, patient, employee, emp, member, holder, cardholder, ' +
    'accountholder, owner, guest, tenant, applicant, student, teacher, author, recipient, sender, beneficiary, ' +
    'payee, payer, buyer, guardian, parent, mother, father, spouse, driver, passenger, traveller, traveler, ' +
    'signer, signatory, subscriber, attendee, participant, candidate, doctor, physician, nurse, legal, billing, ' +
    'shipping, delivery, real, official, complete, kunde, kunden, mitarbeiter, klant',
);
/**
 * Qualifiers of handles rather than names (`user_name`, `username`, `nickname`, `display_name`): often a
 * person's name or e-mail, as often `jdoe42`. Too weak to report on the name alone; the values decide (an e-mail
 * among them is found as one).
 */
const HANDLE_QUALIFIERS = setOf(
  'user, usr, login, screen, nick, display, account, profile, benutzer, nutzer',
);

const NAME_HEADS = setOf('name, naam');
const PERSON_NAME_WEIGHT = 0.9;
const PERSON_NOUN_WEIGHT = 0.8;
const HANDLE_WEIGHT = 0.4;
/** `name` alone: a customer's, a product's, a file's? Only the table can tell (tableContextSignals). */
const BARE_NAME_WEIGHT = 0.3;

/** Romance words for name, whose qualifier follows them (`nom_client`, `nombre_producto`, `nome_di_famiglia`). */
const ROMANCE_NAME_HEADS: ReadonlyMap<string, number> = new Map([
  ['nom', 0.6],
  ['nombre', 0.5],
  ['nome', 0.5],
]);
const ROMANCE_CONNECTORS = setOf('de, del, da, di, do, du, des, dos, das, d');
const ROMANCE_PERSON_PARTS = setOf('famille, familia, famiglia, completo, complet, naissance, pila');
const ROMANCE_PERSON_NOUNS = setOf(
  'client, cliente, clienta, usuario, utilisateur, utente, contacto, contact, contatto, paciente, patient, ' +
    'paziente, titular, titulaire, socio, empleado, employe, dipendente, persona, personne, pessoa, jeune',
);

function personNameSignals(tokens: readonly string[]): NameSignal[] {
  const signals: NameSignal[] = [];
  const qualified = (weight: number, qualifier: string, head: string) =>
    signals.push({ kind: 'person-name', weight, rule: `"${qualifier}" qualifies name token "${head}"` });
  tokens.forEach((token, index) => {
    if (tokens.slice(index + 1).some((word) => ABOUT_THE_DATA.has(word))) return;
    const previous = tokens[index - 1];
    const next = tokens[index + 1];
    if (NAME_HEADS.has(token)) {
      if (previous !== undefined && PERSON_NAME_PARTS.has(previous))
        qualified(PERSON_NAME_WEIGHT, previous, token);
      else if (previous !== undefined && PERSON_NOUNS.has(previous))
        qualified(PERSON_NOUN_WEIGHT, previous, token);
      else if (previous !== undefined && HANDLE_QUALIFIERS.has(previous))
        qualified(HANDLE_WEIGHT, previous, token);
      // Any other word before it names a thing: product_name, file_name, host_name, table_name.
      else if (previous !== undefined && !isNumberToken(previous)) return;
      else if (next !== undefined && PERSON_NAME_PARTS.has(next)) qualified(PERSON_NAME_WEIGHT, next, token);
      else
        signals.push({ kind: 'person-name', weight: BARE_NAME_WEIGHT, rule: `name token "${token}" alone` });
      return;
    }
    const baseWeight = ROMANCE_NAME_HEADS.get(token);
    if (baseWeight === undefined) return;
    let after = index + 1;
    while (ROMANCE_CONNECTORS.has(tokens[after] ?? '')) after += 1;
    const qualifier = tokens[after] ?? previous;
    if (qualifier === undefined || isNumberToken(qualifier)) {
      signals.push({ kind: 'person-name', weight: baseWeight, rule: `name token "${token}" alone` });
    } else if (ROMANCE_PERSON_PARTS.has(qualifier)) {
      qualified(PERSON_NAME_WEIGHT, qualifier, token);
    } else if (ROMANCE_PERSON_NOUNS.has(qualifier) || PERSON_NOUNS.has(qualifier)) {
      qualified(PERSON_NOUN_WEIGHT, qualifier, token);
    }
    // Otherwise a thing's name: nom_produit, nombre_archivo, nome_prodotto.
  });
  return signals;
}

// ---------------------------------------------------------------------------------------------------------------
// Addresses: postal unless a qualifier makes it a network or e-mail address

const ADDRESS_HEADS: ReadonlyMap<string, number> = new Map([
  ['address', 0.6],
  ['adresse', 0.6],
  ['adres', 0.6],
  ['addr', 0.5],
]);
/** Addresses nobody lives at: mac_address (no kind), ip_address and email_address (their own kinds). */
const NOT_POSTAL = setOf(
  'mac, hw, hardware, ethernet, ip, ipv4, ipv6, remote, server, host, node, gateway, proxy, bind, listen, local, ' +
    'memory, mem, broadcast, multicast, bluetooth, bt, wifi, network, net, socket, wallet, contract, bitcoin, btc, ' +
    'eth, web, url, http, email, mail, courriel, cc, bcc, reply, from, pointer, ptr, register, base, start',
);
/** Qualifiers that make it certainly postal: billing_address, home_address, address_line_1, Wohnadresse. */
const POSTAL = setOf(
  'home, billing, shipping, delivery, postal, mailing, street, residential, residence, physical, permanent, ' +
    'current, customer, invoice, correspondence, primary, secondary, work, office, business, contact, wohn, ' +
    'liefer, rechnungs, post, line, woon, factuur',
);
const POSTAL_ADDRESS_WEIGHT = 0.8;

function addressSignals(tokens: readonly string[]): NameSignal[] {
  const signals: NameSignal[] = [];
  tokens.forEach((token, index) => {
    const baseWeight = ADDRESS_HEADS.get(token);
    if (baseWeight === undefined) return;
    if (tokens.slice(index + 1).some((word) => ABOUT_THE_DATA.has(word))) return;
    if (tokens.slice(0, index).some((word) => NOT_POSTAL.has(word))) return;
    const next = tokens[index + 1];
    const postal = [tokens[index - 1], next].find((word) => word !== undefined && POSTAL.has(word));
    if (postal !== undefined || isNumberToken(next)) {
      const qualifier = postal ?? next ?? '';
      signals.push({
        kind: 'address',
        weight: POSTAL_ADDRESS_WEIGHT,
        rule: `"${qualifier}" qualifies "${token}"`,
      });
    } else {
      signals.push({ kind: 'address', weight: baseWeight, rule: `name token "${token}"` });
    }
  });
  return signals;
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * What the column's name says, for the kinds its type can hold: the strongest signal per kind, strongest first.
 * A word that names the kind and little else weighs high (`email` 0.9, `iban` 0.9, `first_name` 0.9); a word
 * often used for other things low (`mail` 0.6, `address` 0.6, `card` 0.6, `user_name` 0.4, `name` alone 0.3).
 * A number column keeps only phone, card and SSN, and not when the name reads as a key (`phone_id`).
 */
export function nameSignals(column: string, dataType: string): NameSignal[] {
  const tokens = tokeniseName(column);
  const category = typeCategory(dataType);
  const signals: NameSignal[] = [];
  for (const rule of COMPILED_RULES) {
    for (const match of matchesOf(tokens, rule)) {
      const isKey = category === 'number' && tokens.slice(match.end).some((token) => KEY_SUFFIXES.has(token));
      if (!isKey) signals.push({ kind: rule.kind, weight: rule.weight, rule: match.rule });
    }
  }
  signals.push(...personNameSignals(tokens), ...addressSignals(tokens));
  const strongest = new Map<PiiKind, NameSignal>();
  for (const signal of signals) {
    if (!kindFitsType(signal.kind, category)) continue;
    const known = strongest.get(signal.kind);
    if (known === undefined || signal.weight > known.weight) strongest.set(signal.kind, signal);
  }
  return [...strongest.values()].sort((a, b) => b.weight - a.weight);
}

/** Tables of people: there a bare `name` is a person's (`customers.name`, `Kunden.name`); in `products` not. */
const PEOPLE = setOf(
  'customer, client, user, person, people, employee, staff, patient, member, contact, student, guest, passenger, ' +
    'applicant, candidate, subscriber, driver, tenant, resident, citizen, voter, donor, volunteer, traveller, ' +
    'traveler, lead, buyer, kunde, kunden, mitarbeiter, klant, klanten, cliente, clientes, usuario, usuarios, ' +
    'utilisateur, utilisateurs, personne, personnes, persona, personas, pessoa, pessoas, paciente, pacientes, ' +
    'teilnehmer, benutzer, medewerker, medewerkers',
);
const PEOPLE_TABLE_NAME_WEIGHT = 0.8;

function isPeopleTable(table: string): boolean {
  return tokeniseName(table).some((token) => PEOPLE.has(token) || PEOPLE.has(token.replace(/e?s$/, '')));
}

/**
 * What the table adds to a column's name: a bare `name` (or `naam`, `nom`, `nombre`, `nome`) in a table of
 * people is a person's name. [] when the table says nothing.
 */
export function tableContextSignals(table: string, column: string, dataType: string): NameSignal[] {
  const tokens = tokeniseName(column);
  const [only] = tokens;
  const bare =
    tokens.length === 1 && only !== undefined && (NAME_HEADS.has(only) || ROMANCE_NAME_HEADS.has(only));
  if (!bare || !kindFitsType('person-name', typeCategory(dataType)) || !isPeopleTable(table)) return [];
  return [
    {
      kind: 'person-name',
      weight: PEOPLE_TABLE_NAME_WEIGHT,
      rule: `bare "${column}" in table "${table}" of people`,
    },
  ];
}

/** Name tokens that say a column holds codes, and the kinds they rule out when only the content suggests them. */
const CONTENT_VETOES: readonly {
  readonly kinds: readonly PiiKind[];
  readonly tokens: ReadonlySet<string>;
}[] = [
  // `1.2.3.4` is a valid IPv4 address and a version: in a version column it is a version.
  { kinds: ['ip-address'], tokens: setOf('version, ver, release, build, firmware, fw, semver, oid') },
  // Product, order and shipment numbers can pass Luhn with a card's prefix, or have a phone's digits.
  {
    kinds: ['card', 'phone'],
    tokens: setOf(
      'sku, isbn, issn, ean, gtin, upc, barcode, order, invoice, tracking, shipment, parcel, serial, part, model, ' +
        'article, artikel, product, item, lot, batch, ref, reference, bestellnummer, rechnungsnummer, auftrag, ' +
        'auftragsnummer, ticket, confirmation, booking',
    ),
  },
  // Hashes and tokens are digits and letters by design.
  {
    kinds: ['card', 'phone', 'iban', 'ssn'],
    tokens: setOf('hash, checksum, digest, sha, sha1, sha256, md5, uuid, guid, token, nonce'),
  },
];

/**
 * The kinds the column's name rules out when only its content suggests them (`app_version` holding `1.2.3.4`,
 * `order_number` holding Luhn-valid numbers with a card's prefix). A name signal for the kind still counts with
 * its content: the veto is about content without a name.
 */
export function contentVetoes(column: string): ReadonlySet<PiiKind> {
  const tokens = tokeniseName(column);
  const vetoed = new Set<PiiKind>();
  for (const veto of CONTENT_VETOES) {
    if (tokens.some((token) => veto.tokens.has(token))) for (const kind of veto.kinds) vetoed.add(kind);
  }
  return vetoed;
}
