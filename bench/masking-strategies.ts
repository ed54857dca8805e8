// The per-strategy section of the masking bench (bench/masking.ts runs it, MASK_BENCH_SECTIONS=strategies alone):
// the masking issue asks that every strategy has its cost in the bench, and the four-column section measures only
// four of them together. Here each strategy of shared/masking/rules.ts masks one column through maskDatabase, end
// to end, on a table seeded for it (id, and one value column holding what that strategy masks in real tables),
// against that table's FLOOR (a no-op UPDATE of the column) and, where the engine skips unchanged rows
// (MariaDB), its WRITE-FLOOR (the cheapest UPDATE that changes the column without growing it), all measured in
// the same run, in turn, each sample on a freshly seeded table after the engine's settle step.
// Environment: MASK_BENCH_STRATEGY_ROWS (200000 on PostgreSQL, 100000 on MariaDB), MASK_BENCH_SAMPLES (3).
import { maskDatabase } from '#shared/masking/mask';
import { parseMaskingRules, type Strategy } from '#shared/masking/rules';
import { floorUpdate, type MaskingBenchEngine, VALUE_COLUMN, type ValueShape } from './masking-engine.ts';
import {
  BENCH_SALT,
  count,
  formatDuration,
  type MaskingSection,
  progress,
  type Spread,
  silentLog,
  spreadOf,
  times,
  timeWholeTableUpdate,
} from './masking-measure.ts';

const TABLE = 'strategy_values';

/** Rows per table when MASK_BENCH_STRATEGY_ROWS is unset: the section stays near 3 minutes per engine on 2 cores. */
export const DEFAULT_STRATEGY_ROWS = { postgres: 200_000, mariadb: 100_000 } as const;

type StrategyName = Strategy['strategy'];

/**
 * Every strategy, in the order of shared/masking/rules.ts, with the values it is measured on and its options (the
 * common ones). A mapped type over the strategy names: a strategy added to the rules fails the type check until
 * it is measured here.
 */
const MEASURED: {
  readonly [Name in StrategyName]: {
    readonly shape: ValueShape;
    readonly strategy: Extract<Strategy, { strategy: Name }>;
  };
} = {
  fixed: { shape: 'email', strategy: { strategy: 'fixed', value: 'nobody@example.invalid' } },
  null: { shape: 'phone', strategy: { strategy: 'null' } },
  hash: { shape: 'email', strategy: { strategy: 'hash' } },
  email: { shape: 'email', strategy: { strategy: 'email' } },
  partial: { shape: 'card', strategy: { strategy: 'partial', keepLast: 4 } },
  'digits-mask': { shape: 'phone', strategy: { strategy: 'digits-mask' } },
  'digits-randomize': { shape: 'phone', strategy: { strategy: 'digits-randomize' } },
  'first-name': { shape: 'first-name', strategy: { strategy: 'first-name' } },
  'last-name': { shape: 'last-name', strategy: { strategy: 'last-name' } },
  'full-name': { shape: 'full-name', strategy: { strategy: 'full-name' } },
  'text-scrub': { shape: 'free-text', strategy: { strategy: 'text-scrub' } },
  noise: { shape: 'amount', strategy: { strategy: 'noise', ratio: 0.1 } },
  'date-shift': { shape: 'date', strategy: { strategy: 'date-shift', maxDays: 30 } },
  shuffle: { shape: 'last-name', strategy: { strategy: 'shuffle' } },
};

/** What each shape's column holds, for the printed table (the engines' seeds generate it). */
const SHAPE_DESCRIPTIONS: Readonly<Record<ValueShape, string>> = {
  email: 'e-mail addresses (mary.smith1@example.com)',
  phone: 'phone numbers (+1 555 0000001)',
  card: 'card numbers (4 and 15 digits, groups of 4)',
  'first-name': 'first names (the first-name dictionary)',
  'last-name': 'last names (the last-name dictionary)',
  'full-name': '"First Last" from both dictionaries',
  'free-text': 'free text, an e-mail, a phone and a card inside',
  amount: 'amounts, numeric(12,2)',
  date: 'dates',
};

/** `partial (keepLast 4)`: the strategy and the options it is measured with. */
function describe(strategy: Strategy): string {
  const options = Object.entries(strategy).filter(([name]) => name !== 'strategy');
  if (options.length === 0) return strategy.strategy;
  return `${strategy.strategy} (${options.map(([name, value]) => `${name} ${JSON.stringify(value)}`).join(', ')})`;
}

interface Subject {
  readonly label: string;
  readonly shape: ValueShape;
  readonly run: () => Promise<number>;
  readonly samples: number[];
}

interface ShapeFloors {
  readonly shape: ValueShape;
  readonly floorMs: Spread;
  /** Only where the engine skips unchanged rows, FLOOR then lying below the cost of writing. */
  readonly writeFloorMs?: Spread;
}

interface StrategyTiming {
  readonly label: string;
  readonly shape: ValueShape;
  readonly ms: Spread;
}

export interface StrategyFigures {
  readonly engine: MaskingBenchEngine;
  readonly rows: number;
  readonly samples: number;
  readonly floors: readonly ShapeFloors[];
  readonly strategies: readonly StrategyTiming[];
  /** The whole section, seeds and settle steps included: its defaults are sized to stay near 3 minutes. */
  readonly tookMs: number;
}

/** maskDatabase of the one column, end to end; it must have changed every row (a shuffle: some rows). */
async function timeMasking(engine: MaskingBenchEngine, strategy: Strategy, rows: number): Promise<number> {
  const rules = parseMaskingRules([{ table: TABLE, columns: { [VALUE_COLUMN]: strategy } }], 'bench');
  const started = performance.now();
  const report = await maskDatabase(engine.db, rules, { salt: BENCH_SALT, log: silentLog });
  const elapsed = performance.now() - started;
  const changed = report.tables[0]?.rowsChanged[VALUE_COLUMN] ?? 0;
  // A shuffle leaves the rows that draw their own value back (verification already fails one that moved none).
  if (strategy.strategy === 'shuffle' ? changed === 0 : changed !== rows) {
    throw new Error(`${describe(strategy)} changed ${changed} of ${rows} rows`);
  }
  return elapsed;
}

/**
 * Times every strategy and the floors of the tables they mask. One round takes each subject once, in turn: the
 * strategies in the order of MEASURED, each values table's FLOOR (and WRITE-FLOOR) just before the first strategy
 * that masks it; then the next round. A drift of the machine so spreads over every subject, not one.
 */
export async function measureStrategies(
  engine: MaskingBenchEngine,
  rows: number,
  samples: number,
): Promise<StrategyFigures> {
  const started = performance.now();
  const subjects: Subject[] = [];
  const floorsOf = new Map<ValueShape, { floor: Subject; writeFloor?: Subject }>();
  const strategySubjects: Subject[] = [];
  const subject = (label: string, shape: ValueShape, run: () => Promise<number>): Subject => {
    const created = { label, shape, run, samples: [] };
    subjects.push(created);
    return created;
  };
  for (const { shape, strategy } of Object.values(MEASURED)) {
    if (!floorsOf.has(shape)) {
      const floor = subject(`FLOOR ${shape}`, shape, () =>
        timeWholeTableUpdate(engine.db, floorUpdate(TABLE, [VALUE_COLUMN]), [], rows),
      );
      const writeFloor = engine.writesUnchangedRows
        ? undefined
        : subject(`WRITE-FLOOR ${shape}`, shape, () =>
            timeWholeTableUpdate(engine.db, engine.valueWriteFloorUpdate(TABLE, shape), [], rows),
          );
      floorsOf.set(shape, { floor, ...(writeFloor && { writeFloor }) });
    }
    strategySubjects.push(subject(describe(strategy), shape, () => timeMasking(engine, strategy, rows)));
  }

  for (let round = 1; round <= samples; round++) {
    for (const { label, shape, run, samples: taken } of subjects) {
      await engine.seedValues(TABLE, shape, rows);
      await engine.settle(TABLE);
      const ms = await run();
      taken.push(ms);
      progress(engine.name, `strategies round ${round}/${samples} ${label}: ${formatDuration(ms)}`);
    }
  }
  await engine.db.query(`DROP TABLE ${TABLE}`);

  return {
    engine,
    rows,
    samples,
    floors: [...floorsOf].map(([shape, { floor, writeFloor }]) => ({
      shape,
      floorMs: spreadOf(floor.samples),
      ...(writeFloor && { writeFloorMs: spreadOf(writeFloor.samples) }),
    })),
    strategies: strategySubjects.map(({ label, shape, samples: taken }) => ({
      label,
      shape,
      ms: spreadOf(taken),
    })),
    tookMs: performance.now() - started,
  };
}

export function strategiesSection(figures: StrategyFigures): MaskingSection {
  const { engine, rows, floors } = figures;
  const withWriteFloor = !engine.writesUnchangedRows;
  const range = (spread: Spread) => `${formatDuration(spread.min)}–${formatDuration(spread.max)}`;
  const perRowAbove = (ms: number, floorMs: number) => `${(((ms - floorMs) / rows) * 1000).toFixed(2)} µs`;
  const floorTable = {
    header: [
      'values: what the column holds',
      'FLOOR median',
      'range',
      ...(withWriteFloor ? ['WRITE-FLOOR median', 'range'] : []),
    ],
    rows: floors.map(({ shape, floorMs, writeFloorMs }) => [
      `${shape}: ${SHAPE_DESCRIPTIONS[shape]}`,
      formatDuration(floorMs.median),
      range(floorMs),
      ...(writeFloorMs ? [formatDuration(writeFloorMs.median), range(writeFloorMs)] : []),
    ]),
  };
  const strategyTable = {
    header: [
      'strategy',
      'values',
      'median',
      'range',
      'µs/row over FLOOR',
      '× FLOOR',
      ...(withWriteFloor ? ['µs/row over WRITE-FLOOR', '× WRITE-FLOOR'] : []),
    ],
    rows: figures.strategies.map(({ label, shape, ms }) => {
      const floor = floors.find((candidate) => candidate.shape === shape);
      const floorMs = floor?.floorMs.median ?? Number.NaN;
      const writeFloorMs = floor?.writeFloorMs?.median ?? Number.NaN;
      return [
        label,
        shape,
        formatDuration(ms.median),
        range(ms),
        perRowAbove(ms.median, floorMs),
        times(ms.median / floorMs),
        ...(withWriteFloor ? [perRowAbove(ms.median, writeFloorMs), times(ms.median / writeFloorMs)] : []),
      ];
    }),
  };
  const floorsTaken = withWriteFloor ? 'FLOOR and WRITE-FLOOR' : 'FLOOR';
  return {
    heading: [
      `Masking per strategy on ${engine.title}: one column of ${count(rows)} rows (id bigint primary key, value), seeded for the strategy.`,
      `${figures.samples} ${figures.samples === 1 ? 'sample' : 'samples'} per subject, taken in turn (the strategies in the order of shared/masking/rules.ts, each values table's ${floorsTaken} just before its first strategy; then again), each on a freshly seeded table after ${engine.settleSteps}.`,
      `A strategy's time is maskDatabase end to end (catalog check, copy of the originals, UPDATE, verification); FLOOR is a no-op UPDATE of the column${withWriteFloor ? ', WRITE-FLOOR the cheapest UPDATE changing it without growing it (reversed text, amount + 1, date + 1 day)' : ''}.`,
      `µs/row over a floor: (strategy median − floor median) / rows; × a floor: strategy median / floor median. Every strategy pays the same copy and verification on top of its UPDATE: fixed, whose expression is a constant, shows about how much.`,
      `The section took ${formatDuration(figures.tookMs)}, seeding and settling included.`,
    ],
    tables: [floorTable, strategyTable],
    notes: engine.notes,
  };
}
