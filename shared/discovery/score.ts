// Why this file exists: neither a column's name nor its values settle alone whether it holds personal data.
// `email` may be empty today; `contact` may be full of addresses; `created_at` holds dates a birth could fall on;
// `app_version` holds `1.2.3.4`. This is where the two are weighed, by rules simple enough to explain in a
// finding: the scorer gives each kind a score from 0 to 1, reports the best one when it reaches REPORT_THRESHOLD,
// and lists all the evidence (name rules and match counts; never a value).
import { detectValue, isBarePhone, isBareSsn } from './detectors.ts';
import { contentVetoes, nameSignals, type TypeCategory, tableContextSignals, typeCategory } from './names.ts';
import type { ColumnSample, ContentEvidence, Finding, NameSignal, PiiKind } from './types.ts';

/**
 * The score a column's best kind must reach to be reported. It is the weight of a name that names its kind and
 * little else (`mail` 0.6 does not reach it, `mobile` 0.8 does), and the floor of the two kinds of strong content
 * evidence below, so each rule reports on its own and nothing weaker does.
 */
export const REPORT_THRESHOLD = 0.8;

/**
 * Content alone is strong when at least this share of the sampled values match. Real columns are messy (one
 * value in three may be empty, `n/a`, or written in a shape the detectors do not know), while a look-alike
 * column matches a strict detector by chance far less often than that: detectors refuse order numbers, versions
 * and timestamps by construction, so what matches at 30 % is a column of the kind.
 */
export const STRONG_CONTENT_SHARE = 0.3;

/**
 * Free text is reported when any sampled value holds embedded personal data: one card number in a notes column
 * is one too many, and such values are rare by nature (1 note in 200 mentions a phone number). The score reaches
 * its maximum at this share.
 */
export const FREE_TEXT_FULL_SHARE = 0.05;

/**
 * A name signal and at least one matching value agree: strong whatever the name's weight (`mail` and one
 * address). The score starts here, above the threshold, and rises with the share.
 */
const AGREEMENT_FLOOR = 0.85;

/** Below the strong share, content alone stays well under the threshold: evidence to list, not to report. */
const WEAK_CONTENT_CEILING = 0.6;

/** Kinds a detector can find in values; the others come from names only. */
const DETECTED_KINDS: ReadonlySet<PiiKind> = new Set<PiiKind>([
  'email',
  'phone',
  'card',
  'iban',
  'ssn',
  'ip-address',
  'date-of-birth',
  'free-text',
]);

/** Which kinds a value of each type category is read for. */
const CONTENT_KINDS_BY_TYPE: Readonly<Record<TypeCategory, ReadonlySet<PiiKind>>> = {
  text: DETECTED_KINDS,
  number: new Set<PiiKind>(['phone', 'card', 'ssn']),
  date: new Set<PiiKind>(['date-of-birth']),
  network: new Set<PiiKind>(['ip-address']),
  other: new Set<PiiKind>(),
};

/** When two kinds score the same, the more specific wins: an e-mail column is not "free text". */
const KIND_PRIORITY: readonly PiiKind[] = [
  'card',
  'iban',
  'ssn',
  'national-id',
  'passport',
  'tax-id',
  'email',
  'phone',
  'ip-address',
  'date-of-birth',
  'person-name',
  'address',
  'postcode',
  'free-text',
];

function countMatches(
  sample: ColumnSample,
  category: TypeCategory,
  signals: readonly NameSignal[],
  now: Date,
): Map<PiiKind, number> {
  const readFor = CONTENT_KINDS_BY_TYPE[category];
  // Bare digits are an SSN (nine) or a national phone number (a trunk 0 and ten or eleven) only where the name
  // says so: elsewhere they are as likely an identifier, zero-padded or not.
  const named = (kind: PiiKind) => signals.some((signal) => signal.kind === kind);
  const bareSsnCounts = named('ssn');
  const barePhoneCounts = named('phone');
  const counts = new Map<PiiKind, number>();
  for (const value of sample.values) {
    const kinds = new Set(detectValue(value, now));
    if (bareSsnCounts && isBareSsn(value)) kinds.add('ssn');
    if (barePhoneCounts && isBarePhone(value)) kinds.add('phone');
    for (const kind of kinds) if (readFor.has(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

/**
 * The score of content alone, when the kind may be reported on content alone: at the strong share it reaches
 * the threshold and rises to 1 at 100 %; below it stays under WEAK_CONTENT_CEILING. Free text: any match.
 */
function contentScore(kind: PiiKind, matched: number, share: number): number {
  if (matched === 0) return 0;
  if (kind === 'free-text') {
    return REPORT_THRESHOLD + (1 - REPORT_THRESHOLD) * Math.min(1, share / FREE_TEXT_FULL_SHARE);
  }
  if (share >= STRONG_CONTENT_SHARE) {
    return (
      REPORT_THRESHOLD +
      ((1 - REPORT_THRESHOLD) * (share - STRONG_CONTENT_SHARE)) / (1 - STRONG_CONTENT_SHARE)
    );
  }
  return (WEAK_CONTENT_CEILING * share) / STRONG_CONTENT_SHARE;
}

/**
 * The score of one kind:
 * - name alone: the name's weight, so only a name of weight ≥ REPORT_THRESHOLD reports (an empty `email` column
 *   today can fill tomorrow; a `mail` column with no address in it is not reported);
 * - name and at least one matching value: AGREEMENT_FLOOR or the weight if higher, rising with the share;
 * - content alone (contentScore), except where it is not evidence enough: a date of birth (timestamps fall in
 *   the same years) and any number column (an integer is any number) need a name; a kind the name vetoes
 *   (`app_version` holding `1.2.3.4`, `order_number` holding a Luhn-valid number) needs one too.
 */
function kindScore(
  kind: PiiKind,
  weight: number,
  matched: number,
  share: number,
  contentAloneCounts: boolean,
): number {
  const byName = weight;
  const floor = Math.max(AGREEMENT_FLOOR, weight);
  const byAgreement = weight > 0 && matched > 0 ? floor + (1 - floor) * share : 0;
  const byContent = contentAloneCounts ? contentScore(kind, matched, share) : 0;
  return Math.max(byName, byAgreement, byContent);
}

const round = (score: number) => Math.round(score * 1000) / 1000;

/**
 * The column's best kind, its score and all the evidence, or undefined when nothing points at personal data (no
 * name signal, no matching value). A finding below REPORT_THRESHOLD is returned too, down to score 0 (evidence
 * the rules do not count: dates in `created_on`, card-like numbers in `tracking_code`), for whoever wants to see
 * near misses; report only those at or above it. The finding holds names, rules and counts, never a value.
 */
export function scoreColumn(sample: ColumnSample, now: Date = new Date()): Finding | undefined {
  const category = typeCategory(sample.dataType);
  const signals = [
    ...nameSignals(sample.column, sample.dataType),
    ...tableContextSignals(sample.table, sample.column, sample.dataType),
  ].sort((a, b) => b.weight - a.weight);
  const counts = countMatches(sample, category, signals, now);
  const vetoed = contentVetoes(sample.column);
  const sampled = sample.values.length;

  const kinds = new Set<PiiKind>([...signals.map((signal) => signal.kind), ...counts.keys()]);
  const scored = [...kinds].map((kind) => {
    const weight = Math.max(
      0,
      ...signals.filter((signal) => signal.kind === kind).map((signal) => signal.weight),
    );
    const matched = counts.get(kind) ?? 0;
    const share = sampled === 0 ? 0 : matched / sampled;
    const contentAloneCounts = kind !== 'date-of-birth' && category !== 'number' && !vetoed.has(kind);
    return { kind, matched, score: round(kindScore(kind, weight, matched, share, contentAloneCounts)) };
  });
  // Every kind here has a name signal or a matching value, so a best one exists whenever there is any evidence;
  // it may score 0 (values that look like cards in `tracking_code`): a near miss, listed with its evidence.
  const [best] = scored.sort(
    (a, b) =>
      b.score - a.score ||
      b.matched - a.matched ||
      KIND_PRIORITY.indexOf(a.kind) - KIND_PRIORITY.indexOf(b.kind),
  );
  if (best === undefined) return undefined;

  const content: ContentEvidence[] = [...counts]
    .map(([detector, matched]) => ({ detector, matched, sampled }))
    .sort(
      (a, b) =>
        b.matched - a.matched || KIND_PRIORITY.indexOf(a.detector) - KIND_PRIORITY.indexOf(b.detector),
    );
  // That the values do not look like the kind the name says is evidence too (`email`, 0 of 50).
  if (DETECTED_KINDS.has(best.kind) && sampled > 0 && !counts.has(best.kind)) {
    content.push({ detector: best.kind, matched: 0, sampled });
  }
  return {
    schema: sample.schema,
    table: sample.table,
    column: sample.column,
    kind: best.kind,
    score: best.score,
    name: signals,
    content,
  };
}
