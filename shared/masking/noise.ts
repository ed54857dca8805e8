// Why this file exists: noise must always change a value (verification counts an unchanged one as left over), and
// must never write one the column cannot hold (an overflow fails the table, 22003) or one outside the range the
// rule allows. Both dialects build the same expression from their own casts and random(): the value moves by
// `delta`, at least one unit of the column's scale (1 for integers, so small integers and 0 move too), at most
// about the ratio of the value (of 1 for a zero), in a random direction unless only one direction stays inside
// [lo, hi]; the result is then clamped into [lo, hi]. It can stay unchanged only where lo = hi = the value,
// which verification then reports.
import type { MaskedColumn } from './catalog.ts';
import type { BoundSql } from './dialects/dialect.ts';
import type { Strategy } from './rules.ts';

type Noise = Extract<Strategy, { strategy: 'noise' }>;

/** Bits of the integer types (both dialects' spellings). */
const INTEGER_BITS: Readonly<Record<string, number>> = {
  tinyint: 8,
  smallint: 16,
  mediumint: 24,
  integer: 32,
  int: 32,
  bigint: 64,
};

/** The range the column's type holds, as decimal strings (null: unbounded, or not known). */
export function typeRange(column: MaskedColumn): { lo: string | null; hi: string | null } {
  const unsigned = column.unsigned === true;
  const bits = INTEGER_BITS[column.dataType];
  if (bits !== undefined) {
    const size = 2n ** BigInt(bits);
    return unsigned
      ? { lo: '0', hi: String(size - 1n) }
      : { lo: String(-(size / 2n)), hi: String(size / 2n - 1n) };
  }
  const precision = column.precision ?? null;
  const scale = column.scale;
  if (scale !== null && precision !== null && precision > 0) {
    const whole = '9'.repeat(Math.max(0, precision - scale)) || '0';
    const max = scale > 0 ? `${whole}.${'9'.repeat(scale)}` : whole;
    return { lo: unsigned ? '0' : `-${max}`, hi: max };
  }
  return { lo: unsigned ? '0' : null, hi: null };
}

/** A configured bound, moved inside the column's scale (an integer column with min 1.5 starts at 2). */
function ruleBound(value: number | undefined, scale: number | null, up: boolean): string | null {
  if (value === undefined) return null;
  if (scale === null) return String(value);
  const factor = 10 ** scale;
  const moved = (up ? Math.ceil(value * factor - 1e-9) : Math.floor(value * factor + 1e-9)) / factor;
  return moved.toFixed(scale);
}

export interface NoiseSql {
  /** The value (or a bound decimal string) in the exact type noise computes in, at the column's scale or more. */
  readonly exact: (value: string, scale: number) => string;
  /** A bound number as the floating type. */
  readonly float: (value: string) => string;
  /** A bound ratio, as the type the dialect multiplies in. */
  readonly ratio: (value: string) => string;
  /** round(x, scale), as the exact type. */
  readonly round: (value: string, scale: number) => string;
  /** A factor in (0.01, 1]. */
  readonly fraction: string;
  /** -1 or 1 at random. */
  readonly sign: string;
}

export function noiseExpression(
  column: MaskedColumn,
  strategy: Noise,
  ref: string,
  sql: BoundSql,
  d: NoiseSql,
): string {
  const scale = column.scale;
  const type = typeRange(column);
  const bound = (value: string) =>
    scale === null ? d.float(sql.bind(Number(value))) : d.exact(sql.bind(value), scale);
  const pair = (typeBound: string | null, ruleBoundValue: string | null, pick: 'greatest' | 'least') => {
    const parts = [typeBound, ruleBoundValue].filter((part): part is string => part !== null).map(bound);
    if (parts.length === 0) return null;
    return parts.length === 1 ? (parts[0] as string) : `${pick}(${parts.join(', ')})`;
  };
  const lo = pair(type.lo, ruleBound(strategy.min, scale, true), 'greatest');
  const hi = pair(type.hi, ruleBound(strategy.max, scale, false), 'least');

  const v = scale === null ? ref : d.exact(ref, scale);
  const ratio = d.ratio(sql.bind(strategy.ratio));
  const base = `(CASE WHEN ${v} = 0 THEN 1 ELSE abs(${v}) END)`;
  let delta: string;
  let most: string;
  if (scale === null) {
    delta = `(${base} * ${ratio} * ${d.fraction})`;
    most = `(${base} * ${ratio})`;
  } else {
    const step = d.exact(sql.bind((10 ** -scale).toFixed(scale)), scale);
    delta = `greatest(${step}, ${d.round(`${base} * ${ratio} * ${d.fraction}`, scale)})`;
    most = `greatest(${step}, ${d.round(`${base} * ${ratio}`, scale)})`;
  }
  const upOut = hi === null ? null : `${v} + ${most} > ${hi}`;
  const downOut = lo === null ? null : `${v} - ${most} < ${lo}`;
  const branches: string[] = [];
  if (upOut !== null && downOut !== null) {
    // Neither direction fits: towards the farther bound, where clamping still moves the value.
    branches.push(
      `WHEN (${upOut}) AND (${downOut}) THEN CASE WHEN ${hi} - ${v} >= ${v} - ${lo} THEN 1 ELSE -1 END`,
    );
  }
  if (upOut !== null) branches.push(`WHEN ${upOut} THEN -1`);
  if (downOut !== null) branches.push(`WHEN ${downOut} THEN 1`);
  const direction = branches.length === 0 ? d.sign : `(CASE ${branches.join(' ')} ELSE ${d.sign} END)`;
  let result = `${v} + ${direction} * ${delta}`;
  if (lo !== null) result = `greatest(${lo}, ${result})`;
  if (hi !== null) result = `least(${hi}, ${result})`;
  return result;
}
