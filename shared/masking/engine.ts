// What a mask hook runs: masking, then discovery and its judgement (the drift guard). One module, so the
// post-processor can load it on a mask hook's first run from a bundle of its own
// (functions/post-processor/lazy/mask.mts) instead of parsing it at every cold start; load-engine.ts loads it
// from source for the local run, the hooks command and tests.
export { discoverPii } from '../discovery/discover.ts';
export { judgeDiscovery, UncoveredPiiError } from '../discovery/drift.ts';
export { maskDatabase } from './mask.ts';
