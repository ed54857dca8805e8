// `npm run bench`: first the cold start of each Lambda bundle (bench/cold-start.ts: each function against its
// floor, a handler building only the same clients and logger, and against the boto3 seed, interleaved in one
// run, with the bytes parsed at init and the package's total), then the masking figures of bench/masking.ts
// (PostgreSQL and MariaDB: four columns together, then each strategy on one column; then, on PostgreSQL, PII
// discovery over 100 tables beside the masking of one of them, from bench/discovery.ts), which also runs on
// its own. BENCH_SECTIONS=cold-start (or masking) runs only that part; BENCH_COLD_PROCESSES sets the fresh
// processes per cold-start subject (21 by default).
import { benchColdStart, printColdStartReport } from './cold-start.ts';
import { benchMasking, printMaskingReport } from './masking.ts';

const SECTIONS = ['cold-start', 'masking'] as const;
const chosen = (process.env.BENCH_SECTIONS ?? SECTIONS.join(','))
  .split(',')
  .map((section) => section.trim())
  .filter((section) => section !== '');
const unknown = chosen.filter((section) => !(SECTIONS as readonly string[]).includes(section));
if (unknown.length > 0) {
  throw new Error(`BENCH_SECTIONS: unknown ${unknown.join(', ')} (known: ${SECTIONS.join(', ')})`);
}

const benchStarted = performance.now();
if (chosen.includes('cold-start')) printColdStartReport(benchColdStart());
// The masking and discovery figures, engine by engine (MASK_BENCH_* in the environment: see bench/masking.ts).
if (chosen.includes('masking')) printMaskingReport(await benchMasking());
console.log(`\nbench took ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);
