// How well the scorer sorts a labelled corpus (corpus.ts): every PII kind, named and unnamed, beside the
// look-alikes that break naive detectors. The table of precision and recall per kind is printed so a change to a
// detector or a weight shows its cost in numbers, not only in a red test.
import { describe, expect, it } from 'vitest';
import { REPORT_THRESHOLD, scoreColumn } from '#shared/discovery/score';
import type { PiiKind } from '#shared/discovery/types';
import { buildCorpus } from './corpus.ts';

const SEED = 20_260_601;
const NOW = new Date('2026-06-01T00:00:00Z');

/**
 * The floors. Recall 1.0: every labelled PII column is a plain case of its kind, and a missed one is unmasked
 * personal data in a non-production copy, the one failure discovery exists to prevent. Precision 0.9: a false
 * alarm costs a reviewer a minute (look, add an exclusion), so the detectors may buy recall with it, but not so
 * much that reviewers stop reading the report: at most one alarm in ten may be false.
 */
const RECALL_FLOOR = 1;
const PRECISION_FLOOR = 0.9;

interface Tally {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

const ratio = (hits: number, total: number) => (total === 0 ? 1 : hits / total);
const format = (value: number, total: number) => (total === 0 ? '   -' : value.toFixed(2));

describe('discovery corpus', () => {
  const corpus = buildCorpus(SEED);
  const verdicts = corpus.map(({ sample, expected }) => {
    const finding = scoreColumn(sample, NOW);
    const reported = finding !== undefined && finding.score >= REPORT_THRESHOLD ? finding.kind : undefined;
    return { column: `${sample.table}.${sample.column}`, expected, reported, score: finding?.score ?? 0 };
  });

  const kinds = [...new Set(verdicts.flatMap(({ expected, reported }) => [expected, reported]))]
    .filter((kind): kind is PiiKind => kind !== undefined)
    .sort();
  const tallies = new Map<PiiKind, Tally>(
    kinds.map((kind) => [kind, { truePositives: 0, falsePositives: 0, falseNegatives: 0 }]),
  );
  for (const { expected, reported } of verdicts) {
    if (reported !== undefined && reported === expected) {
      const tally = tallies.get(reported);
      if (tally) tally.truePositives += 1;
      continue;
    }
    const falsePositive = reported !== undefined ? tallies.get(reported) : undefined;
    if (falsePositive) falsePositive.falsePositives += 1;
    const falseNegative = expected !== undefined ? tallies.get(expected) : undefined;
    if (falseNegative) falseNegative.falseNegatives += 1;
  }
  const overall = [...tallies.values()].reduce(
    (sum, tally) => ({
      truePositives: sum.truePositives + tally.truePositives,
      falsePositives: sum.falsePositives + tally.falsePositives,
      falseNegatives: sum.falseNegatives + tally.falseNegatives,
    }),
    { truePositives: 0, falsePositives: 0, falseNegatives: 0 },
  );
  const precisionOf = (tally: Tally) =>
    ratio(tally.truePositives, tally.truePositives + tally.falsePositives);
  const recallOf = (tally: Tally) => ratio(tally.truePositives, tally.truePositives + tally.falseNegatives);

  it('is big enough to mean something: ≥ 30 columns, every kind, look-alikes too, ~50 values each', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    const labelled = new Set(corpus.map(({ expected }) => expected));
    for (const kind of [
      'email',
      'phone',
      'card',
      'iban',
      'ssn',
      'ip-address',
      'date-of-birth',
      'person-name',
      'address',
      'postcode',
      'national-id',
      'passport',
      'tax-id',
      'free-text',
    ] as const) {
      expect(labelled.has(kind), kind).toBe(true);
    }
    expect(corpus.filter(({ expected }) => expected === undefined).length).toBeGreaterThanOrEqual(20);
    const full = corpus.filter(({ sample }) => sample.values.length === 50);
    expect(full.length).toBeGreaterThanOrEqual(corpus.length - 2);
  });

  it(`reaches recall ${RECALL_FLOOR} per kind and overall, precision ≥ ${PRECISION_FLOOR} overall`, () => {
    const line = (label: string, tally: Tally) =>
      `discovery corpus: ${label.padEnd(14)} precision ${format(precisionOf(tally), tally.truePositives + tally.falsePositives)}` +
      `  recall ${format(recallOf(tally), tally.truePositives + tally.falseNegatives)}` +
      `  (tp ${tally.truePositives}, fp ${tally.falsePositives}, fn ${tally.falseNegatives})`;
    for (const [kind, tally] of tallies) console.log(line(kind, tally));
    console.log(line('overall', overall));
    console.log(
      `discovery corpus: ${corpus.length} columns (${corpus.filter(({ expected }) => expected === undefined).length} look-alikes), ` +
        `${corpus.reduce((sum, { sample }) => sum + sample.values.length, 0)} values, seed ${SEED}`,
    );

    // Named, so a failure says which column went wrong (names and scores only, never a value).
    const wrong = verdicts.filter(({ expected, reported }) => expected !== reported);
    for (const { column, expected, reported, score } of wrong) {
      console.log(
        `discovery corpus: ${column} labelled ${expected ?? 'none'}, reported ${reported ?? 'none'} (${score})`,
      );
    }
    expect(wrong.filter(({ expected }) => expected !== undefined)).toEqual([]);
    expect(recallOf(overall)).toBeGreaterThanOrEqual(RECALL_FLOOR);
    expect(precisionOf(overall)).toBeGreaterThanOrEqual(PRECISION_FLOOR);
    for (const [kind, tally] of tallies) expect(recallOf(tally), kind).toBeGreaterThanOrEqual(RECALL_FLOOR);
  });
});
