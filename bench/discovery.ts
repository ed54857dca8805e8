// The discovery section of the masking bench (bench/masking.ts runs it on PostgreSQL, MASK_BENCH_SECTIONS=discovery
// alone). The post-processor runs PII discovery over the masked copy after every masking run, so its cost is only
// acceptable next to what masking itself costs: this section measures both in the same run, on the same schema
// of ≥ 100 tables and ≥ 10M rows (bench/discovery-schema.ts), in turn, and prints discovery's median beside the
// masking of one typical table and of the largest, with the ratios and discovery's cost per table and per
// sampled row. Discovery runs with its defaults (60 s budget, 1000 rows per table): the figure that matters is
// whether, on a schema of this size, it reads every table within that budget.
// Environment: MASK_BENCH_DISCOVERY_TABLES (100), MASK_BENCH_DISCOVERY_ROWS (100000 per table, the largest 10×),
// MASK_BENCH_SAMPLES (3).
import type { TargetDatabase } from '#shared/database/target';
import { type DiscoveryReport, discoverPii } from '#shared/discovery/discover';
import { DEFAULT_BUDGET_MS, DEFAULT_ROWS_PER_TABLE } from '#shared/discovery/sample';
import { maskDatabase } from '#shared/masking/mask';
import { parseMaskingRules } from '#shared/masking/rules';
import {
  DISCOVERY_SCHEMA,
  dropSchema,
  LARGEST_TABLE_FACTOR,
  qualified,
  SEEDED_COLUMNS,
  type SeededTable,
  schemaLayout,
  seedSchema,
  seedTable,
  vacuumAnalyze,
} from './discovery-schema.ts';
import type { MaskingBenchEngine } from './masking-engine.ts';
import {
  BENCH_SALT,
  count,
  formatDuration,
  type MaskingSection,
  positiveIntegerFromEnv,
  progress,
  type Spread,
  silentLog,
  spreadOf,
  type Table,
  times,
} from './masking-measure.ts';

export interface DiscoverySettings {
  readonly tables: number;
  /** Rows of every table but the largest, which holds LARGEST_TABLE_FACTOR times more. */
  readonly rows: number;
  readonly samples: number;
}

/** Read with the bench's other settings, before any server starts, so that a mistyped one fails at once. */
export function discoverySettingsFromEnv(samples: number): DiscoverySettings {
  const tables = positiveIntegerFromEnv('MASK_BENCH_DISCOVERY_TABLES', 100);
  // One typical table and the largest are masked: they must be two tables.
  if (tables < 2) throw new Error(`MASK_BENCH_DISCOVERY_TABLES must be 2 or more, not ${tables}`);
  return { tables, rows: positiveIntegerFromEnv('MASK_BENCH_DISCOVERY_ROWS', 100_000), samples };
}

/** The PII columns a masking configuration would name in every seeded table, with the strategies they fit. */
const MASKED = {
  email: { strategy: 'email' },
  phone: { strategy: 'digits-randomize' },
  full_name: { strategy: 'full-name' },
} as const;

/** What one discoverPii call read and found; the report itself holds no sampled value. */
interface DiscoverySample {
  readonly totalMs: number;
  /** The sampler's own clock: the part the budget bounds (catalog and reads, not scoring). */
  readonly samplingMs: number;
  readonly report: DiscoveryReport;
}

export interface DiscoveryFigures {
  readonly engine: MaskingBenchEngine;
  readonly settings: DiscoverySettings;
  readonly layout: readonly SeededTable[];
  readonly seedMs: number;
  readonly analyzeMs: number;
  readonly discovery: readonly DiscoverySample[];
  readonly maskOne: { readonly table: SeededTable; readonly ms: Spread };
  readonly maskLargest: { readonly table: SeededTable; readonly ms: Spread };
  /** The whole section, seeding included. */
  readonly tookMs: number;
}

/** maskDatabase of the three PII columns of one table, end to end; every row of each must have changed. */
async function timeMasking(db: TargetDatabase, table: SeededTable): Promise<number> {
  const rules = parseMaskingRules([{ table: qualified(table), columns: MASKED }], 'bench');
  const started = performance.now();
  const report = await maskDatabase(db, rules, { salt: BENCH_SALT, log: silentLog });
  const elapsed = performance.now() - started;
  for (const column of Object.keys(MASKED)) {
    const changed = report.tables[0]?.rowsChanged[column] ?? 0;
    if (changed !== table.rows)
      throw new Error(`${qualified(table)}.${column}: ${changed} of ${table.rows} rows`);
  }
  return elapsed;
}

/**
 * Seeds the schema, then takes the subjects in turn, round after round: DISCOVERY over the whole schema, MASK ONE
 * (a typical table), MASK LARGEST. A masking sample runs on its table freshly seeded and settled, as in the other
 * sections; since it leaves that table masked, the next discovery sample first seeds and settles it again, so
 * that every discovery sample reads the same schema in the same state.
 */
export async function measureDiscovery(
  engine: MaskingBenchEngine,
  settings: DiscoverySettings,
): Promise<DiscoveryFigures> {
  if (engine.name !== 'postgres') throw new Error('the discovery section seeds PostgreSQL only');
  const started = performance.now();
  const layout = schemaLayout(settings.tables, settings.rows);
  const [largest, typical] = layout;
  if (largest === undefined || typical === undefined) throw new Error('the schema needs two tables or more');

  const total = layout.reduce((sum, table) => sum + table.rows, 0);
  progress(engine.name, `discovery: seeding ${layout.length} tables, ${count(total)} rows`);
  // One connection per core: the server generates the rows in the backend of the connection that asked.
  const second = await engine.connect(engine.secret);
  const seedStarted = performance.now();
  try {
    await seedSchema([engine.db, second], layout);
  } finally {
    await second.close();
  }
  const seedMs = performance.now() - seedStarted;
  const analyzeStarted = performance.now();
  await vacuumAnalyze(engine.db, layout);
  const analyzeMs = performance.now() - analyzeStarted;
  // For the CHECKPOINT: the first discovery sample starts with no dirty buffer, like every later one.
  await engine.settle(qualified(largest));
  progress(
    engine.name,
    `discovery: seeded in ${formatDuration(seedMs)}, analysed in ${formatDuration(analyzeMs)}`,
  );

  const changed = new Set<SeededTable>();
  const reseed = async (table: SeededTable) => {
    await seedTable(engine.db, table);
    await engine.settle(qualified(table));
  };
  const discovery: DiscoverySample[] = [];
  const maskOne: number[] = [];
  const maskLargest: number[] = [];
  const subjects = [
    {
      label: 'DISCOVERY',
      async run() {
        for (const table of changed) await reseed(table);
        changed.clear();
        const sampleStarted = performance.now();
        // Its defaults, on purpose: the budget and rows per table are what the post-processor runs with.
        const report = await discoverPii(engine.db, { schemas: [DISCOVERY_SCHEMA] });
        const totalMs = performance.now() - sampleStarted;
        discovery.push({ totalMs, samplingMs: report.durationMs, report });
        return totalMs;
      },
    },
    ...[
      { label: 'MASK ONE', table: typical, samples: maskOne },
      { label: 'MASK LARGEST', table: largest, samples: maskLargest },
    ].map(({ label, table, samples }) => ({
      label,
      async run() {
        await reseed(table);
        changed.add(table);
        const ms = await timeMasking(engine.db, table);
        samples.push(ms);
        return ms;
      },
    })),
  ];
  for (let round = 1; round <= settings.samples; round++) {
    for (const { label, run } of subjects) {
      const ms = await run();
      progress(engine.name, `discovery round ${round}/${settings.samples} ${label}: ${formatDuration(ms)}`);
    }
  }
  await dropSchema(engine.db);

  return {
    engine,
    settings,
    layout,
    seedMs,
    analyzeMs,
    discovery,
    maskOne: { table: typical, ms: spreadOf(maskOne) },
    maskLargest: { table: largest, ms: spreadOf(maskLargest) },
    tookMs: performance.now() - started,
  };
}

/** Within the budget: every table read, and the sampling done before the budget ran out. */
const withinBudget = (sample: DiscoverySample) =>
  sample.report.tablesNotScanned.length === 0 && sample.samplingMs <= DEFAULT_BUDGET_MS;

/** `budget × 3, error (42501) × 1`: why tables were not scanned, for the table and the notes. */
function notScannedReasons(report: DiscoveryReport): string {
  const reasons = new Map<string, number>();
  for (const { reason, detail } of report.tablesNotScanned) {
    const key = detail === undefined ? reason : `${reason} (${detail})`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  return [...reasons].map(([reason, tables]) => `${reason} × ${tables}`).join(', ');
}

/** Every finding's kind and column, with how many tables it was found in: the same in every table, if right. */
function findingsByKind(report: DiscoveryReport): string[][] {
  const found = new Map<string, number>();
  for (const { kind, column } of report.findings) {
    const key = JSON.stringify([kind, column]);
    found.set(key, (found.get(key) ?? 0) + 1);
  }
  return [...found]
    .map(([key, tables]) => {
      const [kind = '', column = ''] = JSON.parse(key) as string[];
      return [kind, column, count(tables)];
    })
    .sort((a, b) => (a.join() < b.join() ? -1 : 1));
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(ratio < 0.1 ? 2 : 1)} %`;
const microseconds = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

export function discoverySection(figures: DiscoveryFigures): MaskingSection {
  const { engine, settings, layout, discovery, maskOne, maskLargest } = figures;
  const totalRows = layout.reduce((sum, table) => sum + table.rows, 0);
  const totalMs = spreadOf(discovery.map((sample) => sample.totalMs));
  const samplingMs = spreadOf(discovery.map((sample) => sample.samplingMs));
  const scoringMs = spreadOf(discovery.map((sample) => sample.totalMs - sample.samplingMs));
  const rowsSampled = spreadOf(discovery.map((sample) => sample.report.rowsSampled)).median;
  const tablesScanned = spreadOf(discovery.map((sample) => sample.report.tablesScanned.length)).median;
  const last = discovery.at(-1)?.report;
  const maskedColumns = Object.entries(MASKED)
    .map(([column, { strategy }]) => `${column} (${strategy})`)
    .join(', ');

  const row = (label: string, spread: Spread, perTable: string, perRow: string) => [
    label,
    formatDuration(spread.median),
    formatDuration(spread.min),
    formatDuration(spread.max),
    perTable,
    perRow,
  ];
  const timings: Table = {
    header: ['subject', 'median', 'min', 'max', 'median per table', 'median per row'],
    rows: [
      row(
        `DISCOVERY: discoverPii over ${layout.length} tables`,
        totalMs,
        formatDuration(totalMs.median / tablesScanned),
        `${microseconds(totalMs.median / rowsSampled)} sampled`,
      ),
      row(
        '  of which sampling (what the budget bounds)',
        samplingMs,
        formatDuration(samplingMs.median / tablesScanned),
        `${microseconds(samplingMs.median / rowsSampled)} sampled`,
      ),
      row(
        '  of which scoring',
        scoringMs,
        formatDuration(scoringMs.median / tablesScanned),
        `${microseconds(scoringMs.median / rowsSampled)} sampled`,
      ),
      row(
        `MASK ONE: ${maskOne.table.name}, ${count(maskOne.table.rows)} rows × 3 columns`,
        maskOne.ms,
        '',
        `${microseconds(maskOne.ms.median / maskOne.table.rows)} masked`,
      ),
      row(
        `MASK LARGEST: ${maskLargest.table.name}, ${count(maskLargest.table.rows)} rows × 3 columns`,
        maskLargest.ms,
        '',
        `${microseconds(maskLargest.ms.median / maskLargest.table.rows)} masked`,
      ),
    ],
  };

  const reach: Table = {
    header: [
      'discovery sample',
      'took',
      'sampling',
      'tables scanned',
      'not scanned',
      'rows sampled',
      'columns sampled',
      'findings',
      `within the ${formatDuration(DEFAULT_BUDGET_MS)} budget`,
    ],
    rows: discovery.map((sample, index) => [
      `${index + 1}`,
      formatDuration(sample.totalMs),
      formatDuration(sample.samplingMs),
      count(sample.report.tablesScanned.length),
      count(sample.report.tablesNotScanned.length),
      count(sample.report.rowsSampled),
      count(sample.report.columnsSampled),
      count(sample.report.findings.length),
      withinBudget(sample) ? 'yes' : `NO: ${notScannedReasons(sample.report) || 'sampling over budget'}`,
    ]),
  };

  const findings: Table = {
    header: [`finding (last sample)`, 'column', 'tables'],
    rows: last === undefined ? [] : findingsByKind(last),
  };

  // Masking every table was not run: each table masked by its own maskDatabase run, one after the other, is
  // estimated from the measured medians, as the brief of this section asks (one table × the table count), and
  // with the largest table at its own measured time instead of a typical table's.
  const tables = layout.length;
  const allByOne = maskOne.ms.median * tables;
  const allWithLargest = maskOne.ms.median * (tables - 1) + maskLargest.ms.median;
  const ratio = (ms: number) => `${times(totalMs.median / ms)} (${percent(totalMs.median / ms)})`;
  const comparison: Table = {
    header: ['discovery next to masking (medians)', 'value'],
    rows: [
      [`DISCOVERY / MASK ONE (${count(maskOne.table.rows)} rows)`, ratio(maskOne.ms.median)],
      [`DISCOVERY / MASK LARGEST (${count(maskLargest.table.rows)} rows)`, ratio(maskLargest.ms.median)],
      ['DISCOVERY per table scanned', formatDuration(totalMs.median / tablesScanned)],
      ['DISCOVERY per sampled row', microseconds(totalMs.median / rowsSampled)],
      [`MASK all ${tables} tables, estimated: MASK ONE × ${tables}`, formatDuration(allByOne)],
      ['  DISCOVERY / that estimate', ratio(allByOne)],
      [
        `MASK all ${tables} tables, estimated: MASK ONE × ${tables - 1} + MASK LARGEST`,
        formatDuration(allWithLargest),
      ],
      ['  DISCOVERY / that estimate', ratio(allWithLargest)],
    ],
  };

  const notes = [...engine.notes];
  const short = discovery.filter((sample) => !withinBudget(sample));
  if (short.length > 0) {
    notes.push(
      `${short.length} of ${discovery.length} discovery samples did not scan every table within the budget (${short.map((sample) => notScannedReasons(sample.report) || `sampling took ${formatDuration(sample.samplingMs)}`).join('; ')})`,
    );
  }
  const findingCounts = new Set(discovery.map((sample) => sample.report.findings.length));
  if (findingCounts.size > 1) {
    notes.push(`the discovery samples found different numbers of columns: ${[...findingCounts].join(', ')}`);
  }
  return {
    heading: [
      `Discovery on ${engine.title}: schema ${DISCOVERY_SCHEMA}, ${count(tables)} tables, ${count(totalRows)} rows (${count(tables - 1)} of ${count(settings.rows)} rows, the largest of ${count(settings.rows * LARGEST_TABLE_FACTOR)}), columns ${SEEDED_COLUMNS.join(', ')}.`,
      `Seeded in ${formatDuration(figures.seedMs)} (INSERT … SELECT from generate_series on 2 connections, primary keys built as the rows go in), then VACUUM (ANALYZE) of the schema in ${formatDuration(figures.analyzeMs)}; neither is part of any figure below.`,
      `${settings.samples} ${settings.samples === 1 ? 'sample' : 'samples'} per subject, taken in turn (DISCOVERY, MASK ONE, MASK LARGEST, then again): each masking sample on its table freshly seeded after ${engine.settleSteps}, each discovery sample after the tables masked before it were seeded and settled the same way.`,
      `DISCOVERY is discoverPii end to end (catalog, sampling, scoring) with its defaults: a ${formatDuration(DEFAULT_BUDGET_MS)} budget for the sampling, ${count(DEFAULT_ROWS_PER_TABLE)} rows per table; its sampling is the sampler's own clock, scoring the rest. MASK is maskDatabase end to end (catalog check, copy of the originals, UPDATE, verification) of ${maskedColumns}.`,
      `The MASK-all figures are estimates from the medians (masking all ${tables} tables was not run), each table masked by its own run, one after the other. The section took ${formatDuration(figures.tookMs)}, seeding included.`,
    ],
    tables: [timings, reach, findings, comparison],
    notes,
  };
}
