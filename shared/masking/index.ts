// Why this file exists: the one import a mask hook needs; everything else in shared/masking is internal.
export { MaskingError } from './errors.ts';
export { type MaskOptions, type MaskReport, maskDatabase, type TableMaskReport } from './mask.ts';
export { type MaskingRules, maskingRulesSchema, parseMaskingRules, type Strategy } from './rules.ts';
