// The drift guard's decision: which findings over a masked target mean PII that masking left in place.
import { describe, expect, it } from 'vitest';
import { coveredColumns, type DiscoveryReport } from '#shared/discovery/discover';
import { describeUncoveredColumns, judgeDiscovery, uncoveredColumns } from '#shared/discovery/drift';
import type { Finding } from '#shared/discovery/types';
import { parseMaskingRules } from '#shared/masking/rules';

const finding = (column: string, kind: Finding['kind'], matched: number, nameRule?: string): Finding => {
  const [schema = '', table = '', name = ''] = column.split('.');
  return {
    schema,
    table,
    column: name,
    kind,
    score: 0.9,
    name: nameRule ? [{ kind, weight: 0.9, rule: nameRule }] : [],
    content: [{ detector: kind, matched, sampled: 50 }],
  };
};

const RULES = parseMaskingRules(
  [
    {
      table: 'customers',
      columns: { Email: { strategy: 'email' }, phone: { strategy: 'digits-randomize' } },
    },
    { table: 'crm.notes', columns: { body: { strategy: 'partial', keepFirst: 1 } } },
    { table: 'crm.shuffled', columns: { city: { strategy: 'shuffle' } } },
    { table: 'sessions', truncate: true },
  ],
  'mask-pii',
);
const covered = coveredColumns(RULES, 'postgres', 'app');
const coverage = (found: Finding) => covered(found)?.strategy;

describe('the drift guard', () => {
  it('reports a column no rule covers, on its name alone or its content', () => {
    const reported = uncoveredColumns(
      [
        finding('public.customers.tax_id', 'tax-id', 0, 'name token "tax_id"'),
        finding('public.orders.notes', 'free-text', 3),
      ],
      coverage,
      [],
      'public',
    );
    expect(reported.map((column) => column.column)).toEqual([
      'public.customers.tax_id',
      'public.orders.notes',
    ]);
    expect(reported[0]?.evidence).toBe('tax-id (name token "tax_id")');
    expect(reported[1]?.evidence).toBe('free-text (free-text in 3/50 sampled values)');
  });

  it('lets a covered column keep what its strategy keeps, and reports any other PII it still holds', () => {
    const reported = uncoveredColumns(
      [
        finding('public.customers.email', 'email', 0, 'name token "email"'), // covered (case aside), name only
        finding('public.customers.phone', 'phone', 48), // digits-randomize keeps phone shapes
        finding('crm.notes.body', 'email', 5), // partial does not remove an e-mail
        finding('crm.shuffled.city', 'address', 50), // shuffle keeps real values by choice
        finding('public.sessions.ip', 'ip-address', 0, 'name token "ip"'), // truncated: name only
      ],
      coverage,
      [],
      'public',
    );
    expect(reported).toEqual([
      {
        column: 'crm.notes.body',
        kind: 'email',
        coveredBy: 'partial',
        evidence: 'email (email in 5/50 sampled values)',
      },
    ]);
  });

  it('excuses an allowlisted column, with or without its schema, case aside', () => {
    const findings = [
      finding('public.customers.tax_id', 'tax-id', 10),
      finding('crm.leads.Mobile', 'phone', 10),
    ];
    const allow = [
      { column: 'customers.TAX_ID', reason: 'test data from the vendor, no real person' },
      { column: 'crm.leads.mobile', reason: 'company switchboard numbers only' },
    ];
    expect(uncoveredColumns(findings, coverage, allow, 'public')).toEqual([]);
    expect(uncoveredColumns(findings, coverage, allow.slice(1), 'public').map((c) => c.column)).toEqual([
      'public.customers.tax_id',
    ]);
    // An entry without a schema is in the default schema only.
    expect(
      uncoveredColumns(findings, coverage, [{ column: 'leads.mobile', reason: 'x' }], 'public'),
    ).toHaveLength(2);
  });

  it('says which columns, with their evidence and the remedy, never a value', () => {
    const text = describeUncoveredColumns([
      { column: 'public.customers.tax_id', kind: 'tax-id', evidence: 'tax-id (name token "tax_id")' },
      {
        column: 'crm.notes.body',
        kind: 'email',
        coveredBy: 'partial',
        evidence: 'email (email in 5/50 sampled values)',
      },
    ]);
    expect(text).toBe(
      'discovery found personal data that masking left in place: public.customers.tax_id (no rule masks it: tax-id (name token "tax_id")), crm.notes.body (masked with partial, still holds email (email in 5/50 sampled values)); mask these columns, or list them under the mask hook\'s "allow" with a reason',
    );
  });
});

describe('judging a discovery over the masked copy', () => {
  const report = (overrides: Partial<DiscoveryReport>): DiscoveryReport => ({
    dialect: 'postgres',
    database: 'app',
    schemas: ['public'],
    threshold: 0.5,
    findings: [],
    tablesScanned: [],
    tablesNotScanned: [],
    columnsSkipped: [],
    columnsSampled: 0,
    rowsSampled: 0,
    durationMs: 0,
    catalog: [],
    ...overrides,
  });

  it('finds nothing to say when every table was read and nothing is flagged', () => {
    expect(judgeDiscovery(report({}), RULES, []).problems).toEqual([]);
  });

  it('does not call a table it could not read clean', () => {
    const unread = report({
      tablesNotScanned: [
        {
          schema: 'public',
          table: 'events',
          reason: 'budget',
        } as DiscoveryReport['tablesNotScanned'][number],
      ],
    });
    const { problems, unread: listed } = judgeDiscovery(unread, RULES, []);
    expect(listed).toEqual(['public.events']);
    expect(problems).toEqual([
      'discovery could not read 1 table(s) (public.events), so they are not proved free of PII: raise discovery.budgetSeconds, lower discovery.rowsPerTable or name discovery.schemas',
    ]);
  });

  it('flags by the rules of the configuration and its allowlist', () => {
    const found = report({ findings: [finding('public.customers.tax_id', 'tax-id', 4)] });
    expect(judgeDiscovery(found, RULES, []).flagged.map((column) => column.column)).toEqual([
      'public.customers.tax_id',
    ]);
    expect(
      judgeDiscovery(found, RULES, [{ column: 'customers.tax_id', reason: 'vendor test ids' }]).problems,
    ).toEqual([]);
  });
});
