// Discovery's pure parts, without a database: how the sampler reads each type and builds its SELECT (names quoted
// from the catalog, numbers its own, the engine's statement bound), which strategy a suggestion gives each kind and
// how it bends to the catalog (primary keys, unique indexes, foreign keys, lengths, types), which rule covers a
// column, the discover command line, and the table discover prints.
import { describe, expect, it } from 'vitest';
import { coveredColumns, type DiscoveryReport } from '#shared/discovery/discover';
import type { CatalogColumn, CatalogTable } from '#shared/discovery/sample';
import { classifyType, sampleQuery, tablesamplePercent } from '#shared/discovery/sample-sql';
import { nameStrategy, suggestMaskingRules, tableKey } from '#shared/discovery/suggest';
import type { Finding, PiiKind } from '#shared/discovery/types';
import type { ForeignKey } from '#shared/masking/foreign';
import { parseMaskingRules } from '#shared/masking/rules';
import type { UniqueIndex } from '#shared/masking/unique';
import { parseCommandLine } from '../../local/hooks-command/arguments.ts';
import { evidenceOf, formatDiscovery, suggestedConfig } from '../../local/hooks-command/discover.ts';
import { InputError } from '../../local/hooks-command/input-error.ts';

const finding = (column: string, kind: PiiKind, score = 0.9): Finding => {
  const [schema = '', table = '', name = ''] = column.split('.');
  return {
    schema,
    table,
    column: name,
    kind,
    score,
    name: [{ kind, weight: 0.8, rule: `name token "${name}"` }],
    content: [{ detector: kind, matched: 40, sampled: 50 }],
  };
};

const text = (name: string, maxLength: number | null = 120, nullable = true): CatalogColumn => ({
  name,
  dataType: 'character varying',
  nullable,
  maxLength,
  read: { sampled: 'text' },
});

const table = (
  schema: string,
  name: string,
  columns: readonly CatalogColumn[],
  primaryKey: readonly string[] = ['id'],
): CatalogTable => ({
  schema,
  table: name,
  columns: [
    { name: 'id', dataType: 'integer', nullable: false, maxLength: null, read: { sampled: 'numeric' } },
    ...columns,
  ],
  primaryKey,
  estimatedRows: 100,
  estimatedPages: 1,
});

const unique = (name: string, columns: readonly string[]): UniqueIndex => ({
  name,
  columns,
  keys: new Map(columns.map((column) => [column, { lowered: false, caseInsensitive: false, prefix: null }])),
  inExpression: [],
  nullsNotDistinct: false,
  width: columns.length,
});

const foreignKey = (
  name: string,
  from: [string, string, string],
  to: [string, string, string],
  deferrable = true,
): ForeignKey => ({
  name,
  from: { schema: from[0], table: from[1], columns: [from[2]] },
  to: { schema: to[0], table: to[1], columns: [to[2]] },
  deferrable,
  onUpdateCascade: false,
});

describe('how the sampler reads a type', () => {
  it.each([
    ['postgres', 'character varying', { sampled: 'text' }],
    ['postgres', 'citext', { sampled: 'text' }],
    ['postgres', 'uuid', { sampled: 'text' }],
    ['postgres', 'inet', { sampled: 'text' }],
    ['postgres', 'numeric', { sampled: 'numeric' }],
    ['postgres', 'timestamp with time zone', { sampled: 'date' }],
    ['postgres', 'bytea', { skipped: 'binary' }],
    ['postgres', 'jsonb', { skipped: 'json' }],
    ['postgres', 'geometry', { skipped: 'geometry' }],
    ['postgres', 'boolean', { skipped: 'other type' }],
    ['postgres', 'array', { skipped: 'other type' }],
    ['mysql', 'varchar', { sampled: 'text' }],
    ['mysql', 'enum', { sampled: 'text' }],
    ['mysql', 'decimal', { sampled: 'numeric' }],
    ['mysql', 'datetime', { sampled: 'date' }],
    ['mysql', 'longblob', { skipped: 'binary' }],
    ['mysql', 'json', { skipped: 'json' }],
    ['mysql', 'point', { skipped: 'geometry' }],
    ['mysql', 'time', { skipped: 'other type' }],
  ] as const)('%s %s: %j', (dialect, type, read) => {
    expect(classifyType(dialect, type)).toEqual(read);
  });

  it('samples with TABLESAMPLE only where the estimate says the table is large', () => {
    expect(tablesamplePercent(null, 1000)).toBeUndefined();
    expect(tablesamplePercent(9_999, 1000)).toBeUndefined();
    expect(tablesamplePercent(10_000, 1000)).toBe(20);
    expect(tablesamplePercent(1_000_000, 1000)).toBe(0.2);
    expect(tablesamplePercent(3_000_000_000, 1000)).toBe(0.0000666667);
    // At least 16 pages: a sample of one or two expected pages often comes back empty.
    expect(tablesamplePercent(30_000, 100, 200)).toBe(8);
    expect(tablesamplePercent(30_000, 100, 10)).toBe(100);
  });
});

describe("the sampler's SELECT", () => {
  const odd = table('Sales "EU"', 'or`ders', [
    text('e"mail'),
    { name: 'born', dataType: 'date', nullable: true, maxLength: null, read: { sampled: 'date' } },
    { name: 'ip', dataType: 'inet', nullable: true, maxLength: null, read: { sampled: 'text' } },
  ]);
  const columns = odd.columns.slice(1);

  it('PostgreSQL: names quoted from the catalog, dates as yyyy-mm-dd, values cut, TABLESAMPLE or LIMIT', () => {
    const sampled = sampleQuery('postgres', odd, columns, {
      rows: 1000,
      percent: 0.2,
      timeoutMs: 5000,
      maxValueLength: 500,
    });
    expect(sampled).toEqual({
      method: 'tablesample',
      sql: `SELECT left("e""mail"::text, 500) AS c0, left(to_char("born", 'YYYY-MM-DD'), 500) AS c1, left(host("ip"), 500) AS c2 FROM "Sales ""EU"""."or\`ders" TABLESAMPLE SYSTEM (0.2) ORDER BY random() LIMIT 1000`,
    });
    expect(
      sampleQuery('postgres', odd, columns, { rows: 10, timeoutMs: 5000, maxValueLength: 500 }).sql,
    ).toMatch(/FROM "Sales ""EU"""\."or`ders" LIMIT 10$/);
  });

  it('MySQL: primary-key order and MAX_EXECUTION_TIME; MariaDB: SET STATEMENT max_statement_time; no key: plain LIMIT', () => {
    const mysqlColumns = [
      text('e`mail'),
      { ...text('born'), dataType: 'date', read: { sampled: 'date' } as const },
    ];
    const keyed = table('shop', 'or`ders', mysqlColumns);
    expect(
      sampleQuery('mysql', keyed, mysqlColumns, { rows: 1000, timeoutMs: 1500, maxValueLength: 500 }),
    ).toEqual({
      method: 'key-order',
      sql: "SELECT /*+ MAX_EXECUTION_TIME(1500) */ LEFT(CAST(`e``mail` AS CHAR), 500) AS c0, LEFT(DATE_FORMAT(`born`, '%Y-%m-%d'), 500) AS c1 FROM `shop`.`or``ders` ORDER BY `id` LIMIT 1000",
    });
    const keyless = { ...keyed, primaryKey: [] };
    expect(
      sampleQuery('mariadb', keyless, mysqlColumns, { rows: 20, timeoutMs: 1500, maxValueLength: 500 }),
    ).toEqual({
      method: 'limit',
      sql: "SET STATEMENT max_statement_time=1.500 FOR SELECT LEFT(CAST(`e``mail` AS CHAR), 500) AS c0, LEFT(DATE_FORMAT(`born`, '%Y-%m-%d'), 500) AS c1 FROM `shop`.`or``ders` LIMIT 20",
    });
  });
});

describe('the suggested strategy per kind', () => {
  it.each([
    ['public.t.email', 'email', { strategy: 'email' }],
    ['public.t.phone', 'phone', { strategy: 'digits-randomize' }],
    ['public.t.card_number', 'card', { strategy: 'partial', keepLast: 4 }],
    ['public.t.iban', 'iban', { strategy: 'hash' }],
    ['public.t.ssn', 'ssn', { strategy: 'digits-randomize' }],
    ['public.t.tax_id', 'tax-id', { strategy: 'hash' }],
    ['public.t.passport_no', 'passport', { strategy: 'hash' }],
    ['public.t.national_id', 'national-id', { strategy: 'hash' }],
    ['public.t.last_ip', 'ip-address', { strategy: 'hash' }],
    ['public.t.dob_text', 'date-of-birth', { strategy: 'fixed', value: '1970-01-01' }],
    ['public.t.street', 'address', { strategy: 'fixed', value: 'REDACTED' }],
    ['public.t.zip', 'postcode', { strategy: 'partial', keepFirst: 2 }],
    ['public.t.notes', 'free-text', { strategy: 'text-scrub' }],
    ['public.t.full_name', 'person-name', { strategy: 'full-name' }],
  ] as const)('%s (%s): %j, with reasons, valid as masking rules', (column, kind, strategy) => {
    const { rules, reasons } = suggestMaskingRules([finding(column, kind)]);
    expect(rules).toEqual([{ table: 'public.t', columns: { [column.split('.')[2] as string]: strategy } }]);
    expect(() => parseMaskingRules(rules, 'suggested')).not.toThrow();
    expect(reasons).toHaveLength(1);
    expect(reasons[0]?.why[0]).toBe(
      `found as ${kind} (score 0.90): ${kind} 40/50 sampled values; name token "${column.split('.')[2]}"`,
    );
    expect(reasons[0]?.why[1]).toMatch(new RegExp(`^${strategy.strategy}\\b`));
  });

  it.each([
    ['first_name', 'first-name'],
    ['givenName', 'first-name'],
    ['Vorname', 'first-name'],
    ['last_name', 'last-name'],
    ['nachname', 'last-name'],
    ['surname', 'last-name'],
    ['full_name', 'full-name'],
    ['name', 'full-name'],
    ['customer', 'full-name'],
  ])('a name in %s is masked with %s', (column, strategy) => {
    expect(nameStrategy(column)).toBe(strategy);
  });

  it('fits the type: a date is shifted, a nullable number nulled, a NOT NULL number left with a reason', () => {
    const people = table('public', 'people', [
      { name: 'born', dataType: 'date', nullable: false, maxLength: null, read: { sampled: 'date' } },
      { name: 'phone', dataType: 'bigint', nullable: true, maxLength: null, read: { sampled: 'numeric' } },
      { name: 'ssn', dataType: 'integer', nullable: false, maxLength: null, read: { sampled: 'numeric' } },
    ]);
    const { rules, reasons } = suggestMaskingRules(
      [
        finding('public.people.born', 'date-of-birth'),
        finding('public.people.phone', 'phone'),
        finding('public.people.ssn', 'ssn'),
      ],
      { dialect: 'postgres', database: 'shop', tables: [people] },
    );
    expect(rules).toEqual([
      {
        table: 'people',
        columns: { born: { strategy: 'date-shift', maxDays: 180 }, phone: { strategy: 'null' } },
      },
    ]);
    expect(reasons.find((reason) => reason.column === 'public.people.ssn')).toMatchObject({
      strategy: undefined,
      why: [expect.any(String), expect.stringMatching(/^not masked: the column is a integer NOT NULL/)],
    });
  });

  it('never masks a primary key, a table without one, or a name no rule can write; each says why', () => {
    const keyed = table('public', 'keyed', [text('email')], ['email']);
    const keyless = table('public', 'log', [text('ip')], []);
    const odd = table('public', 'odd', [text('e-mail')]);
    const { rules, reasons } = suggestMaskingRules(
      [
        finding('public.keyed.email', 'email'),
        finding('public.log.ip', 'ip-address'),
        finding('public.odd.e-mail', 'email'),
      ],
      { dialect: 'postgres', database: 'shop', tables: [keyed, keyless, odd] },
    );
    expect(rules).toEqual([]);
    expect(reasons.map((reason) => [reason.column, reason.strategy, reason.why[1]])).toEqual([
      ['public.keyed.email', undefined, expect.stringMatching(/^not masked: it is part of the primary key/)],
      [
        'public.log.ip',
        undefined,
        expect.stringMatching(/^not masked: table public\.log has no primary key/),
      ],
      [
        'public.odd.e-mail',
        undefined,
        expect.stringMatching(/^not masked: its name is not a plain identifier/),
      ],
    ]);
  });

  it('keeps a unique column unique: an injective hash where the kind’s strategy could collide; if too short, null or nothing', () => {
    const staff = table('public', 'staff', [text('ssn', 11, false), text('card', 19), text('badge', 12)]);
    const { rules, reasons } = suggestMaskingRules(
      [
        finding('public.staff.ssn', 'ssn'),
        finding('public.staff.card', 'card'),
        finding('public.staff.badge', 'passport'),
      ],
      {
        dialect: 'postgres',
        database: 'shop',
        tables: [staff],
        uniqueIndexes: new Map([
          [
            tableKey('public', 'staff'),
            [unique('staff_ssn_key', ['ssn']), unique('staff_card_badge', ['card', 'badge'])],
          ],
        ]),
      },
    );
    // 11 characters hold no 16-character hash (and ssn is NOT NULL); card's 19 do; badge's 12 do not, but it may be NULL.
    expect(rules).toEqual([
      { table: 'staff', columns: { badge: { strategy: 'null' }, card: { strategy: 'hash', length: 19 } } },
    ]);
    expect(reasons.find((reason) => reason.column === 'public.staff.ssn')?.why.at(-1)).toMatch(
      /^not masked: unique index staff_ssn_key needs distinct values/,
    );
  });

  it('fits the length: an e-mail pseudonym that would not fit becomes a hash that does', () => {
    const short = table('public', 'short', [text('email', 24)]);
    const { rules } = suggestMaskingRules([finding('public.short.email', 'email')], {
      dialect: 'postgres',
      database: 'shop',
      tables: [short],
    });
    expect(rules).toEqual([{ table: 'short', columns: { email: { strategy: 'hash', length: 24 } } }]);
  });

  const customers = table('public', 'customers', [text('email'), text('phone', 32)]);
  const tickets = table('public', 'tickets', [text('customer_email'), text('customer_phone', 32)]);
  const context = (keys: readonly ForeignKey[], dialect: 'postgres' | 'mysql' = 'postgres') => ({
    dialect,
    database: dialect === 'postgres' ? 'shop' : 'public',
    tables: [customers, tickets],
    uniqueIndexes: new Map([[tableKey('public', 'customers'), [unique('customers_email_key', ['email'])]]]),
    foreignKeys: keys,
  });

  it('masks both sides of a foreign key alike, bringing in a referencing column nothing was found in', () => {
    const { rules, reasons } = suggestMaskingRules(
      [finding('public.customers.email', 'email')],
      context([
        foreignKey('tickets_fk', ['public', 'tickets', 'customer_email'], ['public', 'customers', 'email']),
      ]),
    );
    expect(rules).toEqual([
      { table: 'customers', columns: { email: { strategy: 'email' } } },
      { table: 'tickets', columns: { customer_email: { strategy: 'email' } } },
    ]);
    expect(reasons.find((reason) => reason.column === 'public.tickets.customer_email')?.why[0]).toBe(
      'holds the values of public.customers.email through foreign key tickets_fk, so it is masked alike',
    );
    expect(() => parseMaskingRules(rules, 'suggested')).not.toThrow();
  });

  it('gives a foreign key whose kind’s strategy is not deterministic one hash on both sides', () => {
    const { rules } = suggestMaskingRules(
      [finding('public.customers.phone', 'phone'), finding('public.tickets.customer_phone', 'phone')],
      context([
        foreignKey('phone_fk', ['public', 'tickets', 'customer_phone'], ['public', 'customers', 'phone']),
      ]),
    );
    expect(rules).toEqual([
      { table: 'customers', columns: { phone: { strategy: 'hash' } } },
      { table: 'tickets', columns: { customer_phone: { strategy: 'hash' } } },
    ]);
  });

  it('masks neither side of a PostgreSQL foreign key that is not DEFERRABLE, and says how to fix it; MySQL needs no deferral', () => {
    const key = foreignKey(
      'tickets_fk',
      ['public', 'tickets', 'customer_email'],
      ['public', 'customers', 'email'],
      false,
    );
    const refused = suggestMaskingRules([finding('public.customers.email', 'email')], context([key]));
    expect(refused.rules).toEqual([]);
    expect(refused.reasons.find((reason) => reason.column === 'public.customers.email')?.why.at(-1)).toMatch(
      /^not masked: foreign key tickets_fk .* is not DEFERRABLE.*ALTER TABLE public\.tickets ALTER CONSTRAINT tickets_fk DEFERRABLE/,
    );
    const mysql = suggestMaskingRules([finding('public.customers.email', 'email')], context([key], 'mysql'));
    expect(mysql.rules).toHaveLength(2);
  });

  it('leaves a referencing column unmasked with its reason when the referenced column is a primary key', () => {
    const { rules, reasons } = suggestMaskingRules(
      [finding('public.tickets.customer_email', 'email')],
      context([
        foreignKey('tickets_fk', ['public', 'tickets', 'customer_email'], ['public', 'customers', 'id']),
      ]),
    );
    expect(rules).toEqual([]);
    expect(reasons.map((reason) => reason.column)).toEqual([
      'public.customers.id',
      'public.tickets.customer_email',
    ]);
    expect(reasons[1]?.why.at(-1)).toBe(
      'not masked: joined by foreign key tickets_fk to public.customers.id, which is not masked; masking one side would break the references',
    );
  });
});

describe('which rule covers a column', () => {
  const rules = parseMaskingRules(
    [
      { table: 'customers', columns: { Email: { strategy: 'email' } } },
      {
        table: 'crm.notes',
        where: { column: 'region', equals: 'EU' },
        columns: { body: { strategy: 'text-scrub' } },
      },
      { table: 'sessions', truncate: true },
    ],
    'mask',
  );

  it('resolves the default schema per dialect and compares names as the catalog does', () => {
    const postgres = coveredColumns(rules, 'postgres', 'shop');
    expect(postgres({ schema: 'public', table: 'customers', column: 'email' })).toEqual({
      strategy: { strategy: 'email' },
      rule: 0,
      truncated: false,
      filtered: false,
    });
    expect(postgres({ schema: 'public', table: 'customers', column: 'phone' })).toBeUndefined();
    expect(postgres({ schema: 'shop', table: 'customers', column: 'email' })).toBeUndefined();
    expect(postgres({ schema: 'crm', table: 'notes', column: 'body' })).toMatchObject({
      rule: 1,
      filtered: true,
    });
    expect(postgres({ schema: 'public', table: 'sessions', column: 'ip' })).toEqual({
      strategy: { strategy: 'null' },
      rule: 2,
      truncated: true,
      filtered: false,
    });
    const mysql = coveredColumns(rules, 'mysql', 'shop');
    expect(mysql({ schema: 'shop', table: 'Customers', column: 'EMAIL' })).toMatchObject({ rule: 0 });
    expect(mysql({ schema: 'public', table: 'customers', column: 'email' })).toBeUndefined();
  });
});

describe('the discover command line', () => {
  const URL = 'postgres://alice@db.internal/shop';

  it('reads schemas, rows, budget, --json and --write-config', () => {
    expect(
      parseCommandLine([
        'discover',
        '--database-url',
        URL,
        '--schema',
        'public',
        '--schema',
        'crm',
        '--rows',
        '200',
        '--budget-seconds',
        '5',
        '--json',
        '--write-config',
        'x.json',
      ]),
    ).toEqual({
      help: false,
      action: 'discover',
      databaseUrl: URL,
      tls: undefined,
      schemas: ['public', 'crm'],
      rowsPerTable: 200,
      budgetSeconds: 5,
      json: true,
      writeConfig: 'x.json',
    });
    expect(parseCommandLine(['discover', '--database-url', URL])).toMatchObject({
      schemas: [],
      rowsPerTable: undefined,
      budgetSeconds: undefined,
      json: false,
      writeConfig: undefined,
    });
  });

  it.each([
    [['discover', '--config', 'default', '--database-url', URL], /^discover reads no hooks configuration/],
    [['discover'], /^--database-url is missing/],
    [['discover', '--database-url', URL, '--rows', '5'], /^--rows must be a whole number from 10 to 100000$/],
    [['discover', '--database-url', URL, '--rows', '1e3'], /^--rows must be a whole number/],
    [
      ['discover', '--database-url', URL, '--budget-seconds', '0'],
      /^--budget-seconds must be a whole number from 1 to 600$/,
    ],
    [['discover', '--database-url', URL, '--budget-seconds', '601'], /^--budget-seconds must be/],
    [['discover', '--database-url', URL, '--schema', ''], /^--schema must be a schema name/],
    [['validate', '--config', 'default', '--database-url', URL, '--json'], /^--json: for discover only$/],
    [
      ['plan', '--config', 'default', '--database-url', URL, '--schema', 's', '--rows', '10'],
      /^--schema, --rows: for discover only$/,
    ],
  ])('refuses %j', (argv, message) => {
    let error: unknown;
    try {
      parseCommandLine(argv);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('what discover prints', () => {
  const report: DiscoveryReport = {
    dialect: 'postgres',
    database: 'shop',
    schemas: ['public'],
    threshold: 0.5,
    findings: [
      finding('public.customers.email', 'email', 0.97),
      {
        ...finding('public.tickets.notes', 'free-text', 0.71),
        name: [],
        content: [
          { detector: 'free-text', matched: 20, sampled: 50 },
          { detector: 'email', matched: 12, sampled: 50 },
          { detector: 'phone', matched: 0, sampled: 50 },
        ],
      },
    ],
    tablesScanned: [
      {
        schema: 'public',
        table: 'customers',
        method: 'limit',
        rowsSampled: 60,
        columnsSampled: 3,
        estimatedRows: null,
      },
    ],
    tablesNotScanned: [
      { schema: 'public', table: 'orders', reason: 'budget' },
      { schema: 'public', table: 'vault', reason: 'error', detail: 'SQLSTATE 42501' },
    ],
    columnsSkipped: [
      { schema: 'public', table: 'tickets', column: 'payload', dataType: 'jsonb', reason: 'json' },
    ],
    columnsSampled: 3,
    rowsSampled: 60,
    durationMs: 1234,
    catalog: [],
  };

  it('one line per finding with kind, score, evidence as counts and the name rule; then what was not looked at', () => {
    expect(formatDiscovery(report)).toEqual([
      'Schemas: public; 1 table(s) scanned, 3 column(s) and 60 row(s) sampled in 1.2 s.',
      '  COLUMN                  KIND       SCORE  EVIDENCE                      NAME RULE',
      '  public.customers.email  email      0.97   email 40/50                   name token "email"',
      '  public.tickets.notes    free-text  0.71   free-text 20/50, email 12/50  -',
      '2 column(s) look like personal data (score ≥ 0.50).',
      'Not scanned, so not judged by content (2): public.orders (budget), public.vault (error: SQLSTATE 42501). A larger --budget-seconds, or --schema, reaches them.',
      'Not read, by type (1): public.tickets.payload (jsonb: json).',
    ]);
    expect(evidenceOf({ ...finding('a.b.c', 'email'), content: [] })).toBe('-');
  });

  it('a written configuration is version 1 with one mask hook', () => {
    const rules = suggestMaskingRules([finding('public.customers.email', 'email')]).rules;
    expect(suggestedConfig(rules, 'postgres://alice@h:5432/shop', '2026-12-01')).toEqual({
      version: 1,
      hooks: [
        {
          name: 'mask-pii',
          kind: 'mask',
          description:
            'Suggested by npm run hooks -- discover on postgres://alice@h:5432/shop (2026-12-01); review every column before deploying.',
          tables: rules,
        },
      ],
    });
  });
});
