// Why this file exists: discovery (finding PII that no masking rule covers) is built from pure detectors over
// column names and sampled values, a sampler at the database edge, and a scorer that turns both into findings.
// These are the shapes they exchange. A finding carries evidence as counts, never a value: findings are logged,
// alerted and printed, sampled values never leave the process that read them.

/** The kinds of personal data discovery looks for. */
export type PiiKind =
  | 'email'
  | 'phone'
  | 'card'
  | 'iban'
  | 'ssn'
  | 'ip-address'
  | 'date-of-birth'
  | 'person-name'
  | 'address'
  | 'postcode'
  | 'national-id'
  | 'passport'
  | 'tax-id'
  | 'free-text';

/** What a column's name and type suggest (names in several languages and common abbreviations). */
export interface NameSignal {
  readonly kind: PiiKind;
  /** 0 < weight ≤ 1: how strongly the name alone suggests the kind (`email` 0.9, `mail` 0.6 …). */
  readonly weight: number;
  /** The rule that matched, for the evidence (e.g. `name token "e_mail"`); never a value. */
  readonly rule: string;
}

/** One column as the catalog describes it, with a bounded sample of its non-null values as text. */
export interface ColumnSample {
  readonly schema: string;
  readonly table: string;
  readonly column: string;
  /** The catalog's data type, lower-cased. */
  readonly dataType: string;
  /** Sampled non-null values, as text (dates as ISO yyyy-mm-dd). Held in memory only; never logged. */
  readonly values: readonly string[];
  /** Rows the sample read from the table (values.length ≤ rowsSampled: NULLs are left out). */
  readonly rowsSampled: number;
}

/** How many sampled values one detector matched in a column. */
export interface ContentEvidence {
  readonly detector: PiiKind;
  readonly matched: number;
  readonly sampled: number;
}

export interface Finding {
  readonly schema: string;
  readonly table: string;
  readonly column: string;
  readonly kind: PiiKind;
  /** 0 ≤ score ≤ 1; a column is reported when its best kind reaches the threshold (see score.ts). */
  readonly score: number;
  readonly name: readonly NameSignal[];
  readonly content: readonly ContentEvidence[];
}
